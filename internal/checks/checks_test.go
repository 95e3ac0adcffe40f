package checks

import (
	"slices"
	"sync"

	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/ssowiz/ssowiz/sp/accounts"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// fix is a remediation a check must give: the field, its value and the
// value it must have.
type fix struct {
	check, field, value, expected string
}

func TestTheGuidesSetupPassesEveryCheck(t *testing.T) {
	e := newEnv(t, Options{})
	rep, err := e.Run(context.Background(), setup.Default(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(Catalogue()) || !rep.OK() {
		t.Fatalf("the guide's setup:\n%s", dump(rep))
	}
	for _, r := range rep.Results {
		if r.Status != Pass || len(r.Remediations) != 0 || r.Summary == "" || r.Title == "" || r.Proves == "" {
			t.Errorf("%s: %s %q with %d remediations", r.ID, r.Status, r.Summary, len(r.Remediations))
		}
	}
	// What each pass rests on, in the evidence.
	for id, want := range map[string]string{
		IDMetadata:       "RudderStack accepted the metadata",
		IDSignIn:         "Just-in-time provisioning created the account",
		IDAssignment:     "AADSTS50105",
		IDIdPInitiated:   "Required String parameter 'RelayState' is not present",
		IDSCIMConnection: "The supplied credentials are authorized",
		IDProvisioning:   "is deactivated in RudderStack; the account is kept",
	} {
		if r := result(t, rep, id); !strings.Contains(strings.Join(r.Details, "\n"), want) {
			t.Errorf("%s: the details do not say %q:\n%s", id, want, strings.Join(r.Details, "\n"))
		}
	}
}

// Each wrong value fails exactly the checks it breaks, every other check
// still passing, with a remediation naming the field, the value and the
// value it must have.
func TestAWrongValueFailsExactlyTheChecksItBreaks(t *testing.T) {
	const emailNS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
	for _, tc := range []struct {
		name  string
		edit  func(*setup.Setup)
		want  map[string]Status // checks that do not pass
		fixes []fix
		// also is text a check's summary or remediation must contain.
		also map[string]string
	}{
		{
			name: "reply URL with a trailing slash",
			edit: func(s *setup.Setup) { s.SAML.ReplyURL = setup.GuideReplyURL + "/" },
			want: map[string]Status{IDSetup: Fail, IDSignIn: Fail, IDAssignment: Skip, IDIdPInitiated: Skip},
			fixes: []fix{
				{IDSetup, "saml.reply_url", setup.GuideReplyURL + "/", setup.GuideReplyURL},
				{IDSignIn, "saml.reply_url", setup.GuideReplyURL + "/", setup.GuideReplyURL},
			},
			also: map[string]string{IDSignIn: "AADSTS50011"},
		},
		{
			name:  "reply URL over http, which the portal refuses",
			edit:  func(s *setup.Setup) { s.SAML.ReplyURL = "http://auth2.rudderstack.com/saml2/idpresponse" },
			want:  map[string]Status{IDSetup: Fail, IDSignIn: Fail, IDAssignment: Skip, IDIdPInitiated: Skip},
			fixes: []fix{{IDSignIn, "saml.reply_url", "http://auth2.rudderstack.com/saml2/idpresponse", setup.GuideReplyURL}},
			also:  map[string]string{IDSignIn: "refuses to save", IDSetup: "refuses to save"},
		},
		{
			name:  "another Identifier",
			edit:  func(s *setup.Setup) { s.SAML.Identifier = "urn:amazon:cognito:sp:us-east-1_Other" },
			want:  map[string]Status{IDSetup: Fail, IDSignIn: Fail, IDAssignment: Skip},
			fixes: []fix{{IDSignIn, "saml.identifier", "urn:amazon:cognito:sp:us-east-1_Other", setup.GuideIdentifier}},
			also:  map[string]string{IDSignIn: "AADSTS700016"},
		},
		{
			name:  "email for Email",
			edit:  func(s *setup.Setup) { s.Claims.Additional[0].Name = "email" },
			want:  map[string]Status{IDSetup: Fail, IDSignIn: Fail},
			fixes: []fix{{IDSignIn, "claims.additional[0].name", "email", "Email"}},
			also:  map[string]string{IDSignIn: "Invalid user attributes: email: The attribute is required"},
		},
		{
			name:  "Email with a namespace",
			edit:  func(s *setup.Setup) { s.Claims.Additional[0].Namespace = emailNS },
			want:  map[string]Status{IDSetup: Fail, IDSignIn: Fail},
			fixes: []fix{{IDSignIn, "claims.additional[0].namespace", emailNS, ""}},
		},
		{
			name:  "no LastName claim",
			edit:  func(s *setup.Setup) { s.Claims.Additional = s.Claims.Additional[:1] },
			want:  map[string]Status{IDSetup: Fail, IDSignIn: Fail},
			fixes: []fix{{IDSignIn, "claims.additional", "", "LastName = user.displayname"}},
			also:  map[string]string{IDSignIn: "RudderStack received no LastName"},
		},
		{
			name:  "Assignment required? No",
			edit:  func(s *setup.Setup) { s.Users.AssignmentRequired = false },
			want:  map[string]Status{IDSetup: Warn, IDAssignment: Warn},
			fixes: []fix{{IDAssignment, "users.assignment_required", "No", "Yes"}},
		},
		{
			name:  "Relay State set",
			edit:  func(s *setup.Setup) { s.SAML.RelayState = "https://app.rudderstack.com/" },
			want:  map[string]Status{IDSetup: Warn},
			fixes: []fix{{IDSetup, "saml.relay_state", "https://app.rudderstack.com/", ""}},
			also:  map[string]string{IDIdPInitiated: "Invalid samlResponse or relayState from identity provider"},
		},
		{
			name:  "a Member-role token",
			edit:  func(s *setup.Setup) { s.RudderStack.PAT.Role = setup.PATRoleMember },
			want:  map[string]Status{IDSetup: Fail, IDSCIMConnection: Fail, IDProvisioning: Fail},
			fixes: []fix{{IDSCIMConnection, "rudderstack.pat.role", "Member", "Admin"}, {IDProvisioning, "rudderstack.pat.role", "Member", "Admin"}},
			also:  map[string]string{IDSCIMConnection: "403"},
		},
		{
			name:  "you are a Member, not an Org Admin",
			edit:  func(s *setup.Setup) { s.RudderStack.OrgRole = setup.OrgRoleMember },
			want:  map[string]Status{IDSetup: Fail, IDSCIMConnection: Fail, IDProvisioning: Fail},
			fixes: []fix{{IDSCIMConnection, "rudderstack.org_role", "Member", "Org Admin"}},
		},
		{
			name:  "SCIM not enabled for the organization",
			edit:  func(s *setup.Setup) { s.RudderStack.SCIMEnabled = false },
			want:  map[string]Status{IDSetup: Warn, IDSCIMConnection: Fail, IDProvisioning: Fail},
			fixes: []fix{{IDSCIMConnection, "rudderstack.scim_enabled", "off", "on"}},
			also:  map[string]string{IDSCIMConnection: "Contact the RudderStack team to enable SCIM"},
		},
		{
			name:  "Tenant URL without /v2",
			edit:  func(s *setup.Setup) { s.Provisioning.TenantURL = "https://api.rudderstack.com/scim" },
			want:  map[string]Status{IDSetup: Fail, IDSCIMConnection: Fail, IDProvisioning: Fail},
			fixes: []fix{{IDSCIMConnection, "provisioning.tenant_url", "https://api.rudderstack.com/scim", setup.GuideTenantURL}, {IDProvisioning, "provisioning.tenant_url", "https://api.rudderstack.com/scim", setup.GuideTenantURL}},
		},
		{
			name:  "Tenant URL on a host that does not exist",
			edit:  func(s *setup.Setup) { s.Provisioning.TenantURL = "https://api.rudderstak.com/scim/v2" },
			want:  map[string]Status{IDSetup: Fail, IDSCIMConnection: Fail, IDProvisioning: Fail},
			fixes: []fix{{IDSCIMConnection, "provisioning.tenant_url", "https://api.rudderstak.com/scim/v2", setup.GuideTenantURL}},
			also:  map[string]string{IDSCIMConnection: "CredentialValidationUnavailable"},
		},
		{
			name:  "a fixed Secret Token that is not RudderStack's",
			edit:  func(s *setup.Setup) { s.Provisioning.SecretToken = "rspat_0123456789abcdefghijklmnopqrstuv" },
			want:  map[string]Status{IDSetup: Warn, IDSCIMConnection: Fail, IDProvisioning: Fail},
			fixes: []fix{{IDSCIMConnection, "provisioning.secret_token", setup.FixedToken, "the token generated in RudderStack"}},
		},
		{
			name:  "group provisioning on",
			edit:  func(s *setup.Setup) { s.Provisioning.ProvisionGroups = true },
			want:  map[string]Status{IDSetup: Warn, IDProvisioning: Fail, IDKnownIssues: Warn},
			fixes: []fix{{IDProvisioning, "provisioning.provision_groups", "Yes", "No"}, {IDKnownIssues, "provisioning.provision_groups", "Yes", "No"}},
			also:  map[string]string{IDProvisioning: "quarantine"},
		},
		{
			name:  "the Delete action ticked",
			edit:  func(s *setup.Setup) { s.Provisioning.Actions.Delete = true },
			want:  map[string]Status{IDSetup: Warn, IDKnownIssues: Warn},
			fixes: []fix{{IDKnownIssues, "provisioning.actions.delete", "ticked", "unticked"}},
			also:  map[string]string{IDKnownIssues: "501 Not Implemented"},
		},
		{
			name:  "Create unticked",
			edit:  func(s *setup.Setup) { s.Provisioning.Actions.Create = false },
			want:  map[string]Status{IDSetup: Fail, IDProvisioning: Fail},
			fixes: []fix{{IDProvisioning, "provisioning.actions.create", "unticked", "ticked"}},
		},
		{
			name:  "Update unticked",
			edit:  func(s *setup.Setup) { s.Provisioning.Actions.Update = false },
			want:  map[string]Status{IDSetup: Warn, IDProvisioning: Fail},
			fixes: []fix{{IDProvisioning, "provisioning.actions.update", "unticked", "ticked"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := setup.Default()
			tc.edit(&s)
			rep, err := sharedEnv(t).Run(context.Background(), s, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			assertStatuses(t, rep, tc.want)
			assertFixes(t, rep, tc.fixes)
			for id, text := range tc.also {
				r := result(t, rep, id)
				if !strings.Contains(r.Summary+strings.Join(r.Details, "\n")+remediationText(r), text) {
					t.Errorf("%s does not mention %q:\n%s", id, text, dump(rep))
				}
			}
		})
	}
}

var shared struct {
	once sync.Once
	env  *Env
}

// sharedEnv is one Env for the parallel subtests: each Run has its own
// mocks, so they do not see each other.
func sharedEnv(t *testing.T) *Env {
	shared.once.Do(func() { shared.env = New(Options{NewKey: testKey}) })
	return shared.env
}

func remediationText(r Result) string {
	var b strings.Builder
	for _, rm := range r.Remediations {
		b.WriteString(rm.Problem + " " + rm.Fix + "\n")
	}
	return b.String()
}

// assertStatuses checks that the checks in want have those results and
// every other check passed.
func assertStatuses(t *testing.T, rep *Report, want map[string]Status) {
	t.Helper()
	for _, r := range rep.Results {
		w, ok := want[r.ID]
		if !ok {
			w = Pass
		}
		if r.Status != w {
			t.Errorf("%s: %s, want %s", r.ID, r.Status, w)
		}
	}
	if t.Failed() {
		t.Log("\n" + dump(rep))
	}
}

func assertFixes(t *testing.T, rep *Report, fixes []fix) {
	t.Helper()
	for _, f := range fixes {
		r := result(t, rep, f.check)
		found := false
		for _, rm := range r.Remediations {
			if rm.Field == f.field && rm.Value == f.value && rm.Expected == f.expected && rm.Screen != "" && rm.Label != "" && rm.Problem != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s has no remediation for %s (value %q, expected %q):\n%s", f.check, f.field, f.value, f.expected, dump(rep))
		}
	}
}

// What no setup field holds: the certificate and the metadata URL
// RudderStack was sent.
func TestTheMetadataCheckBreaksOnTheCertificateAndTheURLRudderStackHolds(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		change     func(context.Context, *rehearsal, *clockwork.FakeClock) error
		want       map[string]Status
		label      string
		expected   func(*rehearsal) string
		summaryHas string
	}{
		{
			name: "certificate expiring in 20 days",
			change: func(ctx context.Context, r *rehearsal, c *clockwork.FakeClock) error {
				return rollCertificate(ctx, r, c.Now().Add(20*24*time.Hour), false)
			},
			want:       map[string]Status{IDMetadata: Warn},
			label:      "SAML Signing Certificate › Expiration",
			summaryHas: "expires on",
		},
		{
			name: "certificate expired",
			change: func(ctx context.Context, r *rehearsal, c *clockwork.FakeClock) error {
				if err := rollCertificate(ctx, r, c.Now().Add(time.Hour), true); err != nil {
					return err
				}
				c.Advance(2 * time.Hour)
				return nil
			},
			// Entra cannot sign without a valid certificate (AADSTS50003),
			// after it has checked assignment; the IdP-initiated launch
			// gets no response either.
			want:       map[string]Status{IDMetadata: Fail, IDSignIn: Fail, IDAssignment: Skip, IDIdPInitiated: Skip},
			label:      "SAML Signing Certificate › Expiration",
			summaryHas: "not valid now",
		},
		{
			name: "RudderStack holds the tenant's metadata, not the app's",
			change: func(ctx context.Context, r *rehearsal, _ *clockwork.FakeClock) error {
				_, err := r.m.lab.Accounts.UpdateOrg(ctx, r.m.orgID, func(o *accounts.Org) error {
					o.SSO.MetadataURL, _, _ = strings.Cut(r.m.metadataURL, "?")
					return nil
				})
				return err
			},
			want:       map[string]Status{IDMetadata: Fail, IDSignIn: Fail},
			label:      "App Federation Metadata URL",
			expected:   func(r *rehearsal) string { return r.m.metadataURL },
			summaryHas: "another App Federation Metadata URL",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clockwork.NewFakeClockAt(time.Now().UTC().Truncate(time.Second))
			e := newEnv(t, Options{Now: c.Now})
			var r *rehearsal
			rep, err := e.Run(ctx, setup.Default(), RunOptions{afterApply: func(ctx context.Context, rh *rehearsal) error {
				r = rh
				return tc.change(ctx, rh, c)
			}})
			if err != nil {
				t.Fatal(err)
			}
			assertStatuses(t, rep, tc.want)
			m := result(t, rep, IDMetadata)
			if !strings.Contains(m.Summary, tc.summaryHas) || len(m.Remediations) != 1 || m.Remediations[0].Label != tc.label || m.Remediations[0].Fix == "" {
				t.Fatalf("metadata: %q %+v", m.Summary, m.Remediations)
			}
			if tc.expected != nil && m.Remediations[0].Expected != tc.expected(r) {
				t.Errorf("metadata remediation expects %q, want %q", m.Remediations[0].Expected, tc.expected(r))
			}
		})
	}
}

// rollCertificate makes a new signing certificate expiring at notAfter
// the active one; with only, the previous ones are deleted.
func rollCertificate(ctx context.Context, r *rehearsal, notAfter time.Time, only bool) error {
	d := r.m.lab.Directory
	old, err := d.Certificates(ctx, r.m.appID)
	if err != nil {
		return err
	}
	c, err := d.AddCertificate(ctx, r.m.appID, notAfter)
	if err != nil {
		return err
	}
	if err := d.ActivateCertificate(ctx, r.m.appID, c.Thumbprint); err != nil {
		return err
	}
	if only {
		for _, o := range old {
			if err := d.DeleteCertificate(ctx, r.m.appID, o.Thumbprint); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestSelectTakesIDsAndNumbers(t *testing.T) {
	for _, tc := range []struct {
		only, skip []string
		want       string
	}{
		{nil, nil, "setup metadata sp-sign-in assignment idp-initiated scim-connection provisioning known-issues"},
		{[]string{"sp-sign-in", "7"}, nil, "sp-sign-in provisioning"},
		{nil, []string{"provisioning", "1", " "}, "metadata sp-sign-in assignment idp-initiated scim-connection known-issues"},
		{[]string{"3", "SP-SIGN-IN"}, []string{"3"}, ""},
	} {
		cs, err := Select(tc.only, tc.skip)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if got := strings.Join(ids, " "); got != tc.want {
			t.Errorf("Select(%q, %q) = %q, want %q", tc.only, tc.skip, got, tc.want)
		}
	}
	for _, bad := range [][2][]string{{{"sso"}, nil}, {nil, {"9"}}} {
		if _, err := Select(bad[0], bad[1]); !errors.Is(err, ErrUnknownCheck) || !strings.Contains(err.Error(), "known-issues") {
			t.Errorf("Select(%q, %q) = %v; want ErrUnknownCheck listing the IDs", bad[0], bad[1], err)
		}
	}
}

func TestOnlyRunsTheChecksNamedAndEventsComeInOrder(t *testing.T) {
	e := newEnv(t, Options{})
	var events []string
	rep, err := e.Run(context.Background(), setup.Default(), RunOptions{Only: []string{"known-issues", "sp-sign-in"}, OnEvent: func(ev Event) {
		if ev.Kind == Progress {
			if ev.Message == "" {
				t.Error("a progress event without a message")
			}
			return
		}
		s := string(ev.Kind) + " " + ev.Check.ID
		if ev.Total != 2 || (ev.Kind == Finished) != (ev.Result != nil) {
			t.Errorf("event %s: total %d, result %v", s, ev.Total, ev.Result)
		}
		events = append(events, s)
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "started sp-sign-in,finished sp-sign-in,started known-issues,finished known-issues"
	if got := strings.Join(events, ","); got != want || len(rep.Results) != 2 || !rep.OK() {
		t.Fatalf("events %s\nwant %s\n%s", got, want, dump(rep))
	}
}

func TestValuesNoPortalOffersAreBadInput(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct {
		name, file, field string
		line              int
	}{
		{"signing option", "version: 1\nsaml:\n  signing_option: sign-everything\n", "saml.signing_option", 3},
		{"token role", "version: 1\nrudderstack:\n  pat:\n    role: Owner\n", "rudderstack.pat.role", 4},
		{"claim source", "version: 1\nclaims:\n  additional:\n    - {name: Email, source: user.email}\n", "claims.additional[0].source", 4},
		{"a user the tenant does not have", "version: 1\nusers:\n  assigned: [adele@example.com]\n", "users.assigned[0]", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := setup.Parse(strings.NewReader(tc.file), "setup.yaml")
			if err != nil {
				t.Fatal(err)
			}
			rep, err := e.Run(context.Background(), s, RunOptions{})
			var se *SetupError
			if !errors.As(err, &se) || !errors.Is(err, ErrBadSetup) || rep != nil {
				t.Fatalf("Run = %v, %v; want a SetupError", rep, err)
			}
			if p := se.Problems[0]; p.Field != tc.field || p.Line != tc.line || p.Problem == "" {
				t.Fatalf("problem %+v; want field %s at line %d", p, tc.field, tc.line)
			}
		})
	}
}

func TestTheSameSetupGivesTheSameResultsEveryRun(t *testing.T) {
	e := newEnv(t, Options{})
	s := setup.Default()
	s.Claims.Additional[0].Name = "email"
	var first []Status
	for i := range 2 {
		rep, err := e.Run(context.Background(), s, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []Status
		for _, r := range rep.Results {
			got = append(got, r.Status)
		}
		if i == 0 {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("second run %v, first %v", got, first)
		}
	}
}

// Check 1 gives one finding per field, even when Entra's portal also
// refuses the value.
func TestTheSetupCheckBlamesEachFieldOnce(t *testing.T) {
	e := newEnv(t, Options{})
	s := setup.Default()
	s.SAML.ReplyURL = "http://auth2.rudderstack.com/saml2/idpresponse"
	s.SAML.Identifier = ""
	rep, err := e.Run(context.Background(), s, RunOptions{Only: []string{IDSetup}})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]int{}
	for _, rm := range result(t, rep, IDSetup).Remediations {
		fields[rm.Field]++
	}
	if fields["saml.reply_url"] != 1 || fields["saml.identifier"] != 1 || len(fields) != 2 {
		t.Fatalf("fields blamed: %v\n%s", fields, dump(rep))
	}
}

// TestSeveralMistakesNameEveryField: a wrong Identifier and an http Sign
// on URL (which the portal refuses, so the Basic SAML Configuration is
// not saved): check 3's AADSTS700016 names the Identifier first and the
// refused Sign on URL too; check 1 counts the errors it shows, and its
// details name fields as the portal labels them, never by their path.
func TestSeveralMistakesNameEveryField(t *testing.T) {
	s := setup.Default()
	s.SAML.Identifier = "api://rudderstack"
	s.SAML.SignOnURL = "http://auth2.rudderstack.com/saml2/idpresponse"
	rep, err := sharedEnv(t).Run(context.Background(), s, RunOptions{Only: []string{IDSetup, IDSignIn}})
	if err != nil {
		t.Fatal(err)
	}
	signin := result(t, rep, IDSignIn)
	var fields []string
	for _, r := range signin.Remediations {
		fields = append(fields, r.Field)
	}
	if !strings.Contains(signin.Summary, "AADSTS700016") || !slices.Equal(fields, []string{"saml.identifier", "saml.sign_on_url"}) {
		t.Fatalf("check 3 should name the Identifier, then the refused Sign on URL; got %v:\n%s", fields, dump(rep))
	}
	st := result(t, rep, IDSetup)
	if st.Summary != "2 errors and 0 warnings differ from the guide." || len(st.Remediations) != 2 {
		t.Errorf("check 1 should count the two errors it shows:\n%s", dump(rep))
	}
	for _, d := range st.Details {
		if strings.Contains(d, "saml.") {
			t.Errorf("check 1 shows a field path: %q", d)
		}
	}
}
