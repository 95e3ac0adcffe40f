package lab

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/browser"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// testKey is one RSA key for every signing certificate the tests make:
// generating a fresh one per lab would dominate the run time.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func startLab(t testing.TB, opts Options) *Lab {
	t.Helper()
	if opts.NewKey == nil {
		opts.NewKey = testKey
	}
	l, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return l
}

func newBrowser(t testing.TB, l *Lab) *browser.Browser {
	t.Helper()
	b, err := l.NewBrowser(browser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// demoUser finds a demo user by the start of their UPN ("AdeleV").
func demoUser(t testing.TB, l *Lab, alias string) User {
	t.Helper()
	for _, u := range l.Info().Users {
		if strings.HasPrefix(u.UPN, alias+"@") {
			return u
		}
	}
	t.Fatalf("no demo user %s in %+v", alias, l.Info().Users)
	return User{}
}

func signIn(t testing.TB, l *Lab, upn, password string) Outcome {
	t.Helper()
	o, err := l.SignIn(context.Background(), newBrowser(t, l), upn, upn, password)
	if err != nil {
		t.Fatalf("sign in as %s: %v (%s)", upn, err, o)
	}
	return o
}

func TestEveryDemoUserReachesTheOutcomeTheyRehearse(t *testing.T) {
	l := startLab(t, Options{})
	for _, tc := range []struct {
		alias     string
		password  string // empty: the demo password
		upn       string // empty: the demo UPN
		entraCode string
		spError   string
		role      string
		source    string
	}{
		{alias: "AdeleV", role: "member", source: "jit"},
		{alias: "IsaiahL", role: "member", source: "jit"},
		{alias: "DiegoS", role: "admin", source: "invite"},
		{alias: "AlexW", entraCode: "AADSTS50105"},
		{alias: "MeganB", entraCode: "AADSTS50057"},
		{alias: "LeeG", spError: "Invalid SAML response received: Invalid user attributes: email: The attribute is required"},
		{alias: "AdeleV", password: "not-her-password", entraCode: "AADSTS50126"},
		{alias: "AdeleV", upn: "nobody@contoso.onmicrosoft.com", entraCode: "AADSTS50034"},
	} {
		name := tc.alias
		if tc.entraCode != "" {
			name += "/" + tc.entraCode
		}
		t.Run(name, func(t *testing.T) {
			u := demoUser(t, l, tc.alias)
			upn, password := u.UPN, u.Password
			if tc.upn != "" {
				upn = tc.upn
			}
			if tc.password != "" {
				password = tc.password
			}
			o := signIn(t, l, upn, password)
			switch {
			case tc.entraCode != "":
				if o.EntraCode != tc.entraCode {
					t.Fatalf("got %s, want Entra's %s", o, tc.entraCode)
				}
			case tc.spError != "":
				if o.SPError == nil || o.SPError.Message != tc.spError {
					t.Fatalf("got %s, want RudderStack's %q", o, tc.spError)
				}
			default:
				if !o.SignedIn {
					t.Fatalf("got %s, want signed in", o)
				}
				if !strings.EqualFold(o.Me.Username, u.UPN) || o.Me.Role != tc.role || o.Me.Source != tc.source || o.Me.Status != "active" {
					t.Fatalf("signed in as %+v; want %s with role %s, source %s", o.Me, u.UPN, tc.role, tc.source)
				}
				if o.Me.Email != u.UPN || o.Me.LastName != u.DisplayName {
					t.Fatalf("the SP got Email %q and LastName %q; want %q and %q", o.Me.Email, o.Me.LastName, u.UPN, u.DisplayName)
				}
			}
		})
	}
}

func TestSecondSignInUpdatesWithoutDuplicating(t *testing.T) {
	ctx := context.Background()
	l := startLab(t, Options{})
	u := demoUser(t, l, "AdeleV")
	first := signIn(t, l, u.UPN, u.Password)
	if !first.SignedIn || first.Me.Source != "jit" {
		t.Fatalf("first sign-in: %s", first)
	}
	before, err := l.Accounts.CountUsers(ctx, l.Info().OrgID)
	if err != nil {
		t.Fatal(err)
	}
	// Entra changes her display name; the next sign-in carries it.
	adele, err := l.Directory.UserByUPN(ctx, u.UPN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Directory.UpdateUser(ctx, adele.ObjectID, func(du *directory.User) { du.DisplayName = "Adele Vance-Smith" }); err != nil {
		t.Fatal(err)
	}
	second := signIn(t, l, u.UPN, u.Password)
	if !second.SignedIn || second.Me.UserID != first.Me.UserID || second.Me.LastName != "Adele Vance-Smith" {
		t.Fatalf("second sign-in: %+v (first was %+v)", second.Me, first.Me)
	}
	after, _ := l.Accounts.CountUsers(ctx, l.Info().OrgID)
	if after != before {
		t.Fatalf("the second sign-in changed the number of users from %d to %d", before, after)
	}
}

func TestAppMisconfigurationsFailAtEntra(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		edit func(*directory.SAMLConfig)
		want string
	}{
		{"identifier not the SP's entity ID", func(c *directory.SAMLConfig) {
			c.Identifiers = []directory.Identifier{{Value: "urn:amazon:cognito:sp:us-east-1_Other", Default: true}}
		}, "AADSTS700016"},
		{"reply URL with a trailing slash", func(c *directory.SAMLConfig) { c.ReplyURLs[0].URL += "/" }, "AADSTS50011"},
		{"reply URL in another case", func(c *directory.SAMLConfig) {
			c.ReplyURLs[0].URL = strings.Replace(c.ReplyURLs[0].URL, "idpresponse", "IdpResponse", 1)
		}, "AADSTS50011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startLab(t, Options{})
			app, err := l.Directory.App(ctx, l.Info().AppID)
			if err != nil {
				t.Fatal(err)
			}
			cfg := app.SAML
			tc.edit(&cfg)
			if _, err := l.Directory.UpdateSAMLConfig(ctx, app.AppID, cfg); err != nil {
				t.Fatal(err)
			}
			u := demoUser(t, l, "AdeleV")
			if o := signIn(t, l, u.UPN, u.Password); o.EntraCode != tc.want {
				t.Fatalf("got %s, want %s", o, tc.want)
			}
		})
	}
}

// redirectURL builds an HTTP-Redirect binding URL carrying a hand-made
// AuthnRequest.
func redirectURL(ssoURL, authnRequest string) string {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Write([]byte(authnRequest))
	w.Close()
	return ssoURL + "?" + url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(buf.Bytes())}, "RelayState": {"x"}}.Encode()
}

func authnRequest(id, issuer, acs string) string {
	return fmt.Sprintf(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="%s" Version="2.0" IssueInstant="%s" AssertionConsumerServiceURL="%s"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">%s</saml:Issuer></samlp:AuthnRequest>`,
		id, time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), acs, issuer)
}

func TestBrokenRequestsGetEntrasErrors(t *testing.T) {
	ctx := context.Background()
	l := startLab(t, Options{})
	info := l.Info()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"no SAMLRequest", info.IDPSSOURL, "AADSTS750054"},
		{"not a SAML message", redirectURL(info.IDPSSOURL, "not SAML"), "AADSTS75005"},
		{"not DEFLATE on the Redirect binding", info.IDPSSOURL + "?SAMLRequest=bm90IFNBTUw%3D", "AADSTS750055"},
		{"ID starting with a digit", redirectURL(info.IDPSSOURL, authnRequest("123abc", info.SPEntityID, info.SPACSURL)), "AADSTS7500529"},
		{"unknown issuer", redirectURL(info.IDPSSOURL, authnRequest("_a1", "urn:amazon:cognito:sp:eu-west-1_Nope", info.SPACSURL)), "AADSTS700016"},
		{"ACS not a reply URL", redirectURL(info.IDPSSOURL, authnRequest("_a2", info.SPEntityID, info.SPACSURL+"/")), "AADSTS50011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := l.Continue(ctx, newBrowser(t, l), mustGet(t, l, tc.url), "", "")
			if err != nil || o.EntraCode != tc.want {
				t.Fatalf("got %s (%v), want %s", o, err, tc.want)
			}
		})
	}
}

func mustGet(t testing.TB, l *Lab, u string) *browser.Page {
	t.Helper()
	p, err := newBrowser(t, l).Get(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIdPInitiatedSignInIsRefusedLikeCognito(t *testing.T) {
	ctx := context.Background()
	// Entra posts an unsolicited response with the app's Relay State; with
	// none configured (the guide) the form has no RelayState at all, and
	// Cognito's request binding refuses it before looking at the SAML.
	for _, tc := range []struct {
		relayState, want string
	}{
		{"", "Required String parameter 'RelayState' is not present"},
		{"https://app.rudderstack.com/", "Invalid samlResponse or relayState from identity provider"},
	} {
		t.Run("relay state "+tc.relayState, func(t *testing.T) {
			l := startLab(t, Options{})
			app, err := l.Directory.App(ctx, l.Info().AppID)
			if err != nil {
				t.Fatal(err)
			}
			cfg := app.SAML
			cfg.RelayState = tc.relayState
			if _, err := l.Directory.UpdateSAMLConfig(ctx, app.AppID, cfg); err != nil {
				t.Fatal(err)
			}
			u := demoUser(t, l, "AdeleV")
			b := newBrowser(t, l)
			p, err := b.Get(ctx, l.Info().IDPInitiatedURL)
			if err != nil {
				t.Fatal(err)
			}
			o, err := l.Continue(ctx, b, p, u.UPN, u.Password)
			if err != nil {
				t.Fatal(err)
			}
			if o.SPError == nil || o.SPError.Message != tc.want {
				t.Fatalf("IdP-initiated sign-in: got %s, want %q", o, tc.want)
			}
			if n, _ := l.Accounts.CountUsers(ctx, l.Info().OrgID); n != 1 {
				t.Fatalf("a refused sign-in left %d users; want only the seeded admin", n)
			}
		})
	}
}

func TestBarePostToTheACSIsRefused(t *testing.T) {
	ctx := context.Background()
	l := startLab(t, Options{})
	b := newBrowser(t, l)
	p, err := b.Post(ctx, l.Info().SPACSURL, url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString([]byte("<x/>"))}})
	if err != nil {
		t.Fatal(err)
	}
	if o := l.Read(ctx, b, p); o.SPError == nil || o.SPError.Message != "Required String parameter 'RelayState' is not present" {
		t.Fatalf("post without RelayState: got %s", o)
	}
	p, err = b.Post(ctx, l.Info().SPACSURL, url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString([]byte("<x/>"))}, "RelayState": {"made-up"}})
	if err != nil {
		t.Fatal(err)
	}
	if o := l.Read(ctx, b, p); o.SPError == nil || o.SPError.Message != "Invalid samlResponse or relayState from identity provider" {
		t.Fatalf("post with an unknown RelayState: got %s", o)
	}
}

func TestRestartOnTheSameDataKeepsAppsUsersAndJITAccounts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l1, err := Start(ctx, Options{DataDir: dir, NewKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	info1 := l1.Info()
	u := demoUser(t, l1, "AdeleV")
	first := signIn(t, l1, u.UPN, u.Password)
	if !first.SignedIn {
		t.Fatalf("sign-in before restart: %s", first)
	}
	// An admin's change to the app must survive the restart too.
	if _, err := l1.Directory.UpdateClaims(ctx, info1.AppID, directory.DefaultNameID(), []directory.Claim{
		{Name: "Email", Source: "user.mail"}, {Name: "LastName", Source: "user.surname"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := l1.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// New ports, same data.
	l2 := startLab(t, Options{DataDir: dir})
	info2 := l2.Info()
	if info2.TenantID != info1.TenantID || info2.AppID != info1.AppID || info2.OrgID != info1.OrgID {
		t.Fatalf("restart made a new tenant, app or org: %+v vs %+v", info2, info1)
	}
	if info2.SPACSURL == info1.SPACSURL {
		t.Fatal("the test meant to restart on other ports")
	}
	if got := demoUser(t, l2, "AdeleV"); got.Password != u.Password {
		t.Fatal("the demo password changed across the restart")
	}
	kept, err := l2.Accounts.FindUserByUserName(ctx, info2.OrgID, u.UPN)
	if err != nil || kept.ID != first.Me.UserID || kept.Source != accounts.SourceJIT {
		t.Fatalf("JIT account after restart: %+v %v", kept, err)
	}
	second := signIn(t, l2, u.UPN, u.Password)
	if !second.SignedIn || second.Me.UserID != first.Me.UserID || second.Me.LastName != "Vance" {
		t.Fatalf("sign-in after restart: %s %+v", second, second.Me)
	}
	if info1.AdminPAT == info2.AdminPAT || info2.AdminPAT == "" {
		t.Fatal("restart kept the old admin token")
	}
	if _, err := l2.Accounts.AuthenticatePAT(ctx, info1.AdminPAT); err == nil {
		t.Fatal("the previous serve's admin token still works")
	}
}

func TestRehearsalModeSignsInUnderProductionHostNames(t *testing.T) {
	l := startLab(t, Options{Mode: Rehearsal})
	info := l.Info()
	if info.SPLoginURL != "https://app.rudderstack.com/sso" || info.SPACSURL != "https://auth2.rudderstack.com/saml2/idpresponse" ||
		!strings.HasPrefix(info.IDPMetadataURL, "https://login.microsoftonline.com/") || info.SCIMBaseURL != "https://api.rudderstack.com/scim/v2" {
		t.Fatalf("rehearsal URLs: %+v", info)
	}
	u := demoUser(t, l, "AdeleV")
	if o := signIn(t, l, u.UPN, u.Password); !o.SignedIn {
		t.Fatalf("got %s", o)
	}
}

func TestSCIMAnswersWithTheAdminToken(t *testing.T) {
	l := startLab(t, Options{})
	for _, tc := range []struct {
		path, token string
		status      int
	}{
		{"/Users?filter=userName+eq+%22nobody%22", l.Info().AdminPAT, 200},
		{"//Users?filter=userName+eq+%22nobody%22", l.Info().AdminPAT, 200},
		{"/Users", "", 401},
		{"/Groups", l.Info().AdminPAT, 404},
	} {
		req, _ := http.NewRequest(http.MethodGet, l.Info().SCIMBaseURL+tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := l.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/scim+json") {
			t.Errorf("GET %s: %s %s %s; want %d", tc.path, resp.Status, resp.Header.Get("Content-Type"), body, tc.status)
		}
	}
}

// TestSCIMAndSAMLShareOneAccount provisions the demo app's users over SCIM
// with Entra's engine, then signs one of them in by SAML: one account.
// Unassigning deactivates it (SAML sign-in then refused by the SP), and
// reassigning restores it.
func TestSCIMAndSAMLShareOneAccount(t *testing.T) {
	ctx := context.Background()
	l := startLab(t, Options{Provision: true})
	info := l.Info()
	// The background loop ran the initial cycle when provisioning was
	// switched on; this one waits for it and then runs an incremental one.
	if _, err := l.Provisioning.RunCycle(ctx, info.AppID); err != nil {
		t.Fatal(err)
	}
	for alias, want := range map[string]string{"AdeleV": "scim", "IsaiahL": "scim", "LeeG": "scim", "DiegoS": "invite", "AlexW": "", "MeganB": ""} {
		u := demoUser(t, l, alias)
		got, err := l.Accounts.FindUserByUserName(ctx, info.OrgID, u.UPN)
		switch {
		case want == "" && err == nil:
			t.Errorf("%s (not assigned, or disabled in Entra) was provisioned: %+v", alias, got)
		case want != "" && (err != nil || string(got.Source) != want || !got.Active):
			t.Errorf("%s after the cycle: %+v %v; want source %s, active", alias, got, err, want)
		}
	}

	adele := demoUser(t, l, "AdeleV")
	scimUser, _ := l.Accounts.FindUserByUserName(ctx, info.OrgID, adele.UPN)
	o := signIn(t, l, adele.UPN, adele.Password)
	if !o.SignedIn || o.Me.UserID != scimUser.ID || o.Me.Source != "scim" {
		t.Fatalf("SAML sign-in of the SCIM user: %s %+v; want account %s", o, o.Me, scimUser.ID)
	}
	// The landing page says the sign-in updated the SCIM-made account.
	for _, want := range []string{"Updated the existing account (created by Entra's SCIM provisioning", "Provisioned by Entra over SCIM: externalId "} {
		if !strings.Contains(o.Page.Text(), want) {
			t.Errorf("the landing page does not say %q:\n%s", want, o.Page.Text())
		}
	}
	if o.Me.LastSignIn == nil || o.Me.LastSignIn.Created {
		t.Errorf("/api/me last_sign_in = %+v, want an update", o.Me.LastSignIn)
	}

	entraAdele, err := l.Directory.UserByUPN(ctx, adele.UPN)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Directory.Unassign(ctx, info.AppID, entraAdele.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Provisioning.RunCycle(ctx, info.AppID); err != nil {
		t.Fatal(err)
	}
	after, err := l.Accounts.GetUser(ctx, info.OrgID, scimUser.ID)
	if err != nil || after.Active {
		t.Fatalf("after unassigning: %+v %v; want the account kept and deactivated", after, err)
	}
	if o := signIn(t, l, adele.UPN, adele.Password); o.EntraCode != "AADSTS50105" {
		t.Fatalf("unassigned sign-in: %s; want Entra's AADSTS50105", o)
	}
	// With assignment not required Entra lets her through; RudderStack
	// itself then refuses the deactivated account.
	if err := l.Directory.SetAssignmentRequired(ctx, info.AppID, false); err != nil {
		t.Fatal(err)
	}
	if o := signIn(t, l, adele.UPN, adele.Password); o.SignedIn || o.SPError == nil || !strings.Contains(o.SPError.Message, "deactivated") {
		t.Fatalf("deactivated sign-in: %s; want RudderStack's refusal", o)
	}
	if err := l.Directory.SetAssignmentRequired(ctx, info.AppID, true); err != nil {
		t.Fatal(err)
	}
	if err := l.Directory.Assign(ctx, info.AppID, entraAdele.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Provisioning.RunCycle(ctx, info.AppID); err != nil {
		t.Fatal(err)
	}
	if o := signIn(t, l, adele.UPN, adele.Password); !o.SignedIn || o.Me.UserID != scimUser.ID || o.Me.Status != "active" {
		t.Fatalf("after reassigning: %s %+v", o, o.Me)
	}
}
