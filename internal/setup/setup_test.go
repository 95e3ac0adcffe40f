package setup

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestDefaultIsTheGuideAndValidatesClean(t *testing.T) {
	s := Default()
	if got := Validate(s); len(got) != 0 {
		t.Fatalf("the guide's own setup has findings: %v", got)
	}
	if s.SAML.Identifier != "urn:amazon:cognito:sp:us-east-1_ABZiTjXia" || s.Provisioning.TenantURL != "https://api.rudderstack.com/scim/v2" {
		t.Fatalf("defaults drifted from the guide: %+v", s)
	}
}

func TestMarshalParseRoundTrip(t *testing.T) {
	s := Default()
	s.SAML.ReplyURL = "https://auth2.rudderstack.com/saml2/idpresponse/"
	s.Claims.Additional = append(s.Claims.Additional, Claim{Name: "dept", Namespace: "http://x", Source: "user.department"})
	s.Users.Assigned = []string{"adele@example.com"}
	data, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(strings.NewReader(string(data)), "setup.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	got.lines, s.lines = nil, nil
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip changed the setup:\n got %+v\nwant %+v", got, s)
	}
}

// Marshal keeps apart "the tenant's assignments" (both lists nil), "no
// one" (empty lists) and the users and groups assigned, and they come
// back as they went.
func TestMarshalTellsUnsetAssignmentsFromNoOne(t *testing.T) {
	for _, tc := range []struct{ users, groups []string }{
		{nil, nil}, {[]string{}, nil}, {[]string{"a@x"}, nil},
		{[]string{"a@x"}, []string{"RudderStack Users"}}, {nil, []string{"Sales", "Data team"}}, {[]string{}, []string{}},
	} {
		s := Default()
		s.Users.Assigned, s.Users.Groups = tc.users, tc.groups
		data, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(strings.NewReader(string(data)), "s.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if (got.Users.Assigned == nil) != (tc.users == nil) || !slices.Equal(got.Users.Assigned, tc.users) ||
			(got.Users.Groups == nil) != (tc.groups == nil) || !slices.Equal(got.Users.Groups, tc.groups) {
			t.Fatalf("assigned %#v and groups %#v came back as %#v and %#v:\n%s", tc.users, tc.groups, got.Users.Assigned, got.Users.Groups, data)
		}
		if got.Users.Explicit() != (tc.users != nil || tc.groups != nil) {
			t.Errorf("Explicit() = %v for %#v, %#v", got.Users.Explicit(), tc.users, tc.groups)
		}
	}
}

func TestParseKeepsDefaultsForMissingFieldsAndReadsJSON(t *testing.T) {
	s, err := Parse(strings.NewReader(`{"version": 1, "saml": {"reply_url": "https://x.example/acs"}}`), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	if s.SAML.ReplyURL != "https://x.example/acs" || s.SAML.Identifier != GuideIdentifier || !s.Provisioning.Actions.Create {
		t.Fatalf("got %+v", s)
	}
	if s.Line("saml.reply_url") != 1 {
		t.Fatalf("line of saml.reply_url = %d", s.Line("saml.reply_url"))
	}
}

func TestParseErrorsNameFieldAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		field    string
		want     string
	}{
		{"unknown field", "version: 1\nsaml:\n  reply_ur1: x\n", 3, "saml.reply_ur1", `did you mean "reply_url"`},
		{"wrong type", "version: 1\nusers:\n  assignment_required: maybe\n", 3, "users.assignment_required", "true or false"},
		{"number for text", "version: 1\napp:\n  name: 42\n", 3, "app.name", "quotes"},
		{"list expected", "version: 1\nclaims:\n  additional: Email\n", 3, "claims.additional", "must be a list"},
		{"mapping expected", "version: 1\nsaml: yes\n", 2, "saml", "must be a mapping"},
		{"no version", "app:\n  name: x\n", 1, "version", "missing"},
		{"future version", "version: 7\n", 1, "version", "version 1"},
		{"duplicate", "version: 1\nversion: 1\n", 2, "version", "twice"},
		{"bad yaml", "version: 1\nsaml: [\n", 2, "", "not valid YAML"},
		{"claim field", "version: 1\nclaims:\n  additional:\n    - name: Email\n      sourc: user.mail\n", 5, "claims.additional[0].sourc", "unknown field"},
		{"empty", "", 0, "", "empty"},
		{"top-level list", "- 1\n", 1, "", "top level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in), "s.yaml")
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) {
				t.Fatalf("got %v, want a FileError", err)
			}
			if fe.Line != tc.line || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got line %d field %q: %v; want line %d field %q containing %q", fe.Line, fe.Field, err, tc.line, tc.field, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "s.yaml") {
				t.Fatalf("error doesn't name the file: %v", err)
			}
		})
	}
}

func TestValidateFindsEachMistake(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     func(*Setup)
		field    string
		severity Severity
		want     string
	}{
		{"reply url trailing slash", func(s *Setup) { s.SAML.ReplyURL += "/" }, "saml.reply_url", SeverityError, "ends with a slash"},
		{"reply url case", func(s *Setup) { s.SAML.ReplyURL = strings.Replace(s.SAML.ReplyURL, "idpresponse", "IdpResponse", 1) }, "saml.reply_url", SeverityError, "case"},
		{"reply url http", func(s *Setup) { s.SAML.ReplyURL = strings.Replace(s.SAML.ReplyURL, "https", "http", 1) }, "saml.reply_url", SeverityError, "https"},
		{"reply url other", func(s *Setup) { s.SAML.ReplyURL = "https://auth.rudderstack.com/saml2/idpresponse" }, "saml.reply_url", SeverityError, "AADSTS50011"},
		{"identifier pool", func(s *Setup) { s.SAML.Identifier = "urn:amazon:cognito:sp:us-east-1_OTHER" }, "saml.identifier", SeverityError, "AADSTS700016"},
		{"identifier not urn", func(s *Setup) { s.SAML.Identifier = "us-east-1_ABZiTjXia" }, "saml.identifier", SeverityError, "not a Cognito entity ID"},
		{"relay state", func(s *Setup) { s.SAML.RelayState = "x" }, "saml.relay_state", SeverityWarning, "empty"},
		{"no sign on url", func(s *Setup) { s.SAML.SignOnURL = "" }, "saml.sign_on_url", SeverityWarning, "IdP-initiated"},
		{"signing option", func(s *Setup) { s.SAML.SigningOption = "everything" }, "saml.signing_option", SeverityError, "not one of"},
		{"sha1", func(s *Setup) { s.SAML.SigningAlgorithm = "sha1" }, "saml.signing_algorithm", SeverityWarning, "SHA-1"},
		{"email lower case", func(s *Setup) { s.Claims.Additional[0].Name = "email" }, "claims.additional[0].name", SeverityError, "case matters"},
		{"email namespaced", func(s *Setup) {
			s.Claims.Additional[0].Namespace = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
		}, "claims.additional[0].namespace", SeverityError, "has a namespace"},
		{"email wrong source", func(s *Setup) { s.Claims.Additional[0].Source = "user.givenname" }, "claims.additional[0].source", SeverityError, "user.mail"},
		{"email from the UPN is worth a look", func(s *Setup) { s.Claims.Additional[0].Source = "user.userprincipalname" }, "claims.additional[0].source", SeverityWarning, "user.mail"},
		{"no last name", func(s *Setup) { s.Claims.Additional = s.Claims.Additional[:1] }, "claims.additional", SeverityError, "no LastName claim"},
		{"surname is fine", func(s *Setup) { s.Claims.Additional[1].Source = "user.surname" }, "", "", ""},
		{"default claims kept", func(s *Setup) { s.Claims.Additional = append(EntraDefaultClaims()[3:], s.Claims.Additional...) }, "claims.additional[0]", SeverityError, "remove"},
		{"source typo", func(s *Setup) {
			s.Claims.Additional = append(s.Claims.Additional, Claim{Name: "Dept", Source: "user.departmnt"})
		}, "claims.additional[2].source", SeverityError, `did you mean "user.department"`},
		{"name id source", func(s *Setup) { s.Claims.NameID.Source = "user.mail" }, "claims.name_id.source", SeverityError, "two accounts"},
		{"name id persistent", func(s *Setup) { s.Claims.NameID.Format = "persistent" }, "claims.name_id.format", SeverityWarning, "value stays the UPN"},
		{"member pat", func(s *Setup) { s.RudderStack.PAT.Role = "Member" }, "rudderstack.pat.role", SeverityError, "Admin role"},
		{"member owner", func(s *Setup) { s.RudderStack.OrgRole = "Member" }, "rudderstack.org_role", SeverityError, "Org Admin"},
		{"scim disabled", func(s *Setup) { s.RudderStack.SCIMEnabled = false }, "rudderstack.scim_enabled", SeverityWarning, "403"},
		{"tenant url no v2", func(s *Setup) { s.Provisioning.TenantURL = "https://api.rudderstack.com/scim" }, "provisioning.tenant_url", SeverityError, "missing /v2"},
		{"tenant url trailing slash is fine", func(s *Setup) { s.Provisioning.TenantURL += "/" }, "", "", ""},
		{"tenant url flag is fine", func(s *Setup) { s.Provisioning.TenantURL += "?aadOptscim062020" }, "", "", ""},
		{"groups", func(s *Setup) { s.Provisioning.ProvisionGroups = true }, "provisioning.provision_groups", SeverityWarning, "groups"},
		{"delete", func(s *Setup) { s.Provisioning.Actions.Delete = true }, "provisioning.actions.delete", SeverityWarning, "deactivated"},
		{"no create", func(s *Setup) { s.Provisioning.Actions.Create = false }, "provisioning.actions.create", SeverityError, "never creates"},
		{"nobody assigned", func(s *Setup) { s.Users.Assigned = []string{} }, "users.assigned", SeverityError, "no one"},
		{"no group and no user", func(s *Setup) { s.Users.Groups = []string{} }, "users.assigned", SeverityError, "no one"},
		{"a group only is fine", func(s *Setup) { s.Users.Assigned, s.Users.Groups = []string{}, []string{"RudderStack Users"} }, "", "", ""},
		{"assignment optional", func(s *Setup) { s.Users.AssignmentRequired = false }, "users.assignment_required", SeverityWarning, "every user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Default()
			tc.edit(&s)
			got := Validate(s)
			if tc.field == "" {
				if len(got) != 0 {
					t.Fatalf("want no findings, got %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want exactly one finding for %s, got %d: %v", tc.field, len(got), got)
			}
			f := got[0]
			if f.Field != tc.field || f.Severity != tc.severity || !strings.Contains(f.Problem, tc.want) || f.Screen == "" || f.Label == "" || f.Fix == "" {
				t.Fatalf("got %+v; want field %s, severity %s, problem containing %q", f, tc.field, tc.severity, tc.want)
			}
		})
	}
}

func TestFindingsCarryTheFileLine(t *testing.T) {
	s, err := Parse(strings.NewReader("version: 1\nsaml:\n  identifier: urn:amazon:cognito:sp:us-east-1_ABZiTjXia\n  reply_url: https://auth2.rudderstack.com/saml2/idpresponse/\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fs := Validate(s)
	if len(fs) != 1 || fs[0].Line != 4 || fs[0].Expected != GuideReplyURL || fs[0].Value != GuideReplyURL+"/" {
		t.Fatalf("got %+v", fs)
	}
}

// TestTheSignOnURLIsTheGuides: the guide's Sign on URL is the one truth;
// RudderStack's /sso there is not silently accepted, and the reason says
// what My Apps does with the guide's value.
func TestTheSignOnURLIsTheGuides(t *testing.T) {
	for _, c := range []struct {
		url  string
		want Severity
	}{
		{GuideSignOnURL, ""},
		{GuideLoginURL, SeverityWarning},
		{GuideLoginURL + "?domain=contoso.com", SeverityWarning},
		{"", SeverityWarning},
		{"http://auth2.rudderstack.com/saml2/idpresponse", SeverityError},
	} {
		s := Default()
		s.SAML.SignOnURL = c.url
		var got []Finding
		for _, f := range Validate(s) {
			if f.Field == "saml.sign_on_url" {
				got = append(got, f)
			}
		}
		if c.want == "" {
			if len(got) != 0 {
				t.Errorf("%q: %+v", c.url, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Severity != c.want || got[0].Expected != GuideSignOnURL {
			t.Fatalf("%q: want one %s expecting the guide's value, got %+v", c.url, c.want, got)
		}
		if c.url == GuideLoginURL && !strings.Contains(got[0].Problem, "My Apps tile lands on RudderStack's error page") {
			t.Errorf("%q: the reason lacks the My Apps caveat: %s", c.url, got[0].Problem)
		}
	}
}
