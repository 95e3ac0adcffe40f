package sp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/sp"
	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

var requestIDPattern = regexp.MustCompile(`^_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func getMe(t testing.TB, b *samltest.Browser) (sp.Me, int) {
	t.Helper()
	page, err := b.Get(appURL + "/api/me")
	if err != nil {
		t.Fatal(err)
	}
	var me sp.Me
	if page.Status == http.StatusOK {
		if err := json.Unmarshal(page.Body, &me); err != nil {
			t.Fatalf("/api/me: %v: %s", err, page.Body)
		}
	}
	return me, page.Status
}

// signIn runs the whole flow in a fresh browser and returns the browser
// and the page it lands on.
func (h *harness) signIn() (*samltest.Browser, *samltest.Page) {
	h.t.Helper()
	b := h.browser()
	fields, _ := h.begin(b)
	return b, h.post(b, fields)
}

func TestSignInCreatesUserJustInTimeThenUpdatesIt(t *testing.T) {
	h := newHarness(t, harnessOptions{})

	b, page := h.signIn()
	if page.URL.String() != appURL+"/" || page.Status != http.StatusOK {
		t.Fatalf("landed on %s (%d), want %s/: %s", page.URL, page.Status, appURL, page.Body)
	}
	for _, want := range []string{`data-field="username">alice@contoso.com<`, `data-field="email">alice@contoso.com<`,
		`data-field="last_name">Alice Example<`, `data-field="role" data-value="member">Member<`,
		`data-field="source">jit<`, `data-field="status">active<`, `data-field="org"`, `>Contoso<`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("/ page lacks %q:\n%s", want, page.Body)
		}
	}
	me, status := getMe(t, b)
	if status != http.StatusOK {
		t.Fatalf("/api/me status %d", status)
	}
	want := sp.Me{Username: "alice@contoso.com", Email: "alice@contoso.com", LastName: "Alice Example",
		Role: "member", RoleLabel: "Member", Source: "jit", Status: "active", Org: "Contoso",
		CognitoUsername: provider + "_alice@contoso.com", IdentityProvider: provider}
	got := me
	got.OrgID, got.UserID, got.SignedInAt, got.LastSignIn = "", "", time.Time{}, nil
	if got != want {
		t.Errorf("/api/me = %+v\nwant %+v", got, want)
	}
	// What the app received and did: the claims, their mapping, JIT.
	last := me.LastSignIn
	if last == nil || !last.Created || last.NameID != "alice@contoso.com" {
		t.Fatalf("/api/me last_sign_in = %+v, want the JIT creation from alice@contoso.com", last)
	}
	uses := map[string]sp.ClaimUse{}
	for _, c := range last.Claims {
		uses[c.Name] = c
	}
	if u := uses["Email"]; u.PoolAttribute != "email" || u.Field != "Email" || u.Value != "alice@contoso.com" {
		t.Errorf("Email claim: %+v", u)
	}
	if u := uses["LastName"]; u.PoolAttribute != "family_name" || u.Field != "Last name" {
		t.Errorf("LastName claim: %+v", u)
	}
	for _, want := range []string{`id="did">Created this account just in time (JIT) as a Member`, `<td>Email</td><td>alice@contoso.com</td><td>Email <small>(pool attribute email)</small>`,
		`id="provisioning" class="no-scim"`, `id="sign-out" href="` + appURL + sp.LogoutPath + `"`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("/ page lacks %q:\n%s", want, page.Body)
		}
	}
	if me.OrgID != h.org.ID || !me.SignedInAt.Equal(t0) {
		t.Errorf("/api/me org_id %q signed_in_at %s, want %q %s", me.OrgID, me.SignedInAt, h.org.ID, t0)
	}

	// The second sign-in, with a changed claim, updates the same member.
	h.clock.Advance(time.Minute)
	h.idp.SetUser(alice("Alice Renamed"), nil)
	b2, page := h.signIn()
	if page.URL.String() != appURL+"/" {
		t.Fatalf("second sign-in landed on %s: %s", page.URL, page.Body)
	}
	me2, _ := getMe(t, b2)
	if me2.UserID != me.UserID || me2.LastName != "Alice Renamed" || me2.Source != "jit" {
		t.Errorf("second sign-in: %+v, want user %s with last name updated", me2, me.UserID)
	}
	if me2.LastSignIn == nil || me2.LastSignIn.Created || !strings.Contains(string(page.Body), `id="did">Updated the existing account (created by an earlier JIT sign-in`) {
		t.Errorf("second sign-in not shown as an update: %+v\n%s", me2.LastSignIn, page.Body)
	}
	// Sign out ends the app session.
	out, err := b2.Get(appURL + sp.LogoutPath)
	if err != nil {
		t.Fatal(err)
	}
	if out.URL.String() != appURL+sp.SignedOutPath || !strings.Contains(string(out.Body), `id="signed-out"`) {
		t.Errorf("sign out landed on %s: %s", out.URL, out.Body)
	}
	if _, status := getMe(t, b2); status != http.StatusUnauthorized {
		t.Errorf("/api/me after sign out: %d, want 401", status)
	}
	if n := h.userCount(); n != 1 {
		t.Errorf("%d users after two sign-ins, want 1", n)
	}
	if n := h.sessionCount(); n != 1 {
		t.Errorf("%d sessions after two sign-ins and one sign-out, want 1", n)
	}
}

func TestAuthnRequestIsCognitoShaped(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := h.browser()
	fields, req := h.begin(b)

	if !requestIDPattern.MatchString(req.ID) {
		t.Errorf("request ID %q is not _<uuid>", req.ID)
	}
	if req.Issuer == nil || req.Issuer.Value != entityID {
		t.Errorf("Issuer = %+v, want %s", req.Issuer, entityID)
	}
	if req.AssertionConsumerServiceURL != acsURL {
		t.Errorf("ACS = %q, want %q", req.AssertionConsumerServiceURL, acsURL)
	}
	if req.Destination != h.idp.SSOURL() {
		t.Errorf("Destination = %q, want %q", req.Destination, h.idp.SSOURL())
	}
	if p := req.NameIDPolicy; p != nil && p.Format != nil && *p.Format != "" {
		t.Errorf("NameIDPolicy Format = %q, want none (Entra then sends its configured NameID)", *p.Format)
	}
	if rs := fields.Get("RelayState"); len(rs) <= 80 {
		t.Errorf("RelayState is %d bytes, want an opaque value over 80", len(rs))
	}
	if !req.IssueInstant.Equal(t0) {
		t.Errorf("IssueInstant = %s, want the injected clock %s", req.IssueInstant, t0)
	}
}

func TestSSOPage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	if _, err := h.accounts.CreateOrg(ctx, accounts.Org{Name: "Fabrikam", Domains: []string{"fabrikam.com"}}); err != nil {
		t.Fatal(err)
	}
	noRedirect := h.browser()
	noRedirect.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	t.Run("form", func(t *testing.T) {
		page, err := noRedirect.Get(appURL + "/sso")
		if err != nil {
			t.Fatal(err)
		}
		if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `name="email"`) {
			t.Errorf("GET /sso = %d, want the email form: %s", page.Status, page.Body)
		}
	})
	t.Run("posted email redirects to authorize", func(t *testing.T) {
		page, err := noRedirect.Post(appURL+"/sso", url.Values{"email": {"Alice@Contoso.com"}})
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := url.Parse(page.Header.Get("Location"))
		if page.Status != http.StatusFound || loc.Scheme+"://"+loc.Host+loc.Path != authURL+"/oauth2/authorize" {
			t.Fatalf("POST /sso = %d to %s", page.Status, loc)
		}
		q := loc.Query()
		for k, v := range map[string]string{"identity_provider": provider, "client_id": sp.DefaultClientID,
			"redirect_uri": appURL + "/sso/callback", "response_type": "code", "scope": "email openid profile"} {
			if q.Get(k) != v {
				t.Errorf("%s = %q, want %q", k, q.Get(k), v)
			}
		}
		if q.Get("state") == "" {
			t.Error("no state")
		}
	})
	for _, tc := range []struct {
		name, query string
		status      int
		code        string
	}{
		{"unknown domain", "?email=bob@unknown.example", http.StatusNotFound, "unknown_domain"},
		{"org without SSO", "?domain=fabrikam.com", http.StatusConflict, "sso_not_configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := noRedirect.Get(appURL + "/sso" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			p, ok := sp.ReadErrorPage(page.Body)
			if !ok || page.Status != tc.status || p.Code != tc.code || p.Hint == "" {
				t.Errorf("status %d page %+v (ok %v), want %d code %q with a hint", page.Status, p, ok, tc.status, tc.code)
			}
		})
	}
}

func TestMeWithoutSession(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := h.browser()
	if _, status := getMe(t, b); status != http.StatusUnauthorized {
		t.Errorf("/api/me without a session = %d, want 401", status)
	}
	page, err := b.Get(appURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if page.URL.Path != "/sso" {
		t.Errorf("/ without a session ended at %s, want /sso", page.URL)
	}
}

func TestUserDeactivatedAfterSignInLosesSession(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b, _ := h.signIn()
	me, _ := getMe(t, b)
	if _, err := h.accounts.UpdateUser(context.Background(), h.org.ID, me.UserID, func(u *accounts.User) error {
		u.Active = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, status := getMe(t, b); status != http.StatusForbidden {
		t.Errorf("/api/me after deactivation = %d, want 403", status)
	}
	if _, status := getMe(t, b); status != http.StatusUnauthorized {
		t.Errorf("/api/me after that = %d, want 401 (session ended)", status)
	}
}
