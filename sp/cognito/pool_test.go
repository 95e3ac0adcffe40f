package cognito

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/internal/errpage"
	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

const (
	testClient   = "client-1"
	testCallback = "https://app.example.com/callback"
	testAuthURL  = "https://auth.example.com"
	testProvider = "EntraID"
)

var testKey = sync.OnceValues(func() (*samltest.Key, error) { return samltest.NewKey(t0.AddDate(0, -1, 0)) })

type fixture struct {
	pool *Pool
	orgs *accounts.Store
	org  accounts.Org
	idp  *samltest.IdP
	now  time.Time
}

// newFixture serves a test IdP on an httptest server (plain http, allowed)
// and makes a pool for one organisation that uses it.
func newFixture(t testing.TB, sso func(*accounts.SSOConfig)) *fixture {
	t.Helper()
	key, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{now: t0}
	clock := func() time.Time { return f.now }
	f.idp = &samltest.IdP{Tenant: "tenant-1", Key: key, Now: clock}
	ts := httptest.NewServer(f.idp.Handler())
	t.Cleanup(ts.Close)
	f.idp.BaseURL = ts.URL

	ctx := context.Background()
	f.orgs, err = accounts.Open(ctx, accounts.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.orgs.Close() })
	cfg := accounts.SSOConfig{ProviderName: testProvider, MetadataURL: f.idp.MetadataURL()}
	if sso != nil {
		sso(&cfg)
	}
	f.org, err = f.orgs.CreateOrg(ctx, accounts.Org{Name: "Contoso", Domains: []string{"contoso.com"}, SSO: cfg})
	if err != nil {
		t.Fatal(err)
	}
	f.pool, err = New(ctx, Config{
		Orgs: f.orgs, AuthURL: testAuthURL, Clients: []Client{{ID: testClient, CallbackURLs: []string{testCallback}}},
		AllowHTTPMetadata: true, StartURL: "https://app.example.com/sso", Now: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.pool.Close() })
	return f
}

func authorizeQuery(over map[string]string) string {
	q := url.Values{
		"client_id": {testClient}, "redirect_uri": {testCallback}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"s1"}, "identity_provider": {testProvider},
	}
	for k, v := range over {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

func TestAuthorize(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name     string
		method   string
		over     map[string]string
		status   int
		location string // prefix of Location, for redirects
		message  string // error page message, for pages
	}{
		{name: "to the IdP", over: nil, status: http.StatusFound, location: f.idp.SSOURL() + "?SAMLRequest="},
		{name: "by idp_identifier", over: map[string]string{"identity_provider": "", "idp_identifier": "contoso.com"},
			status: http.StatusFound, location: f.idp.SSOURL() + "?SAMLRequest="},
		{name: "unknown client", over: map[string]string{"client_id": "nope"}, status: http.StatusFound,
			location: testAuthURL + "/error?client_id=nope&error=invalid_request"},
		{name: "redirect_uri with a trailing slash", over: map[string]string{"redirect_uri": testCallback + "/"},
			status: http.StatusFound, location: testAuthURL + "/error?client_id=client-1&error=redirect_mismatch"},
		{name: "implicit grant", over: map[string]string{"response_type": "token"}, status: http.StatusFound,
			location: testCallback + "?error=unsupported_response_type&state=s1"},
		{name: "unknown scope", over: map[string]string{"scope": "openid admin"}, status: http.StatusFound,
			location: testCallback + "?error=invalid_scope&state=s1"},
		{name: "unknown identity provider", over: map[string]string{"identity_provider": "Okta"},
			status: http.StatusBadRequest, message: MsgLoginOptionUnavailable},
		{name: "no identity provider", over: map[string]string{"identity_provider": ""},
			status: http.StatusBadRequest, message: MsgLoginOptionUnavailable},
		{name: "POST", method: http.MethodPost, status: http.StatusMethodNotAllowed, message: MsgPageError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			rec := httptest.NewRecorder()
			f.pool.Authorize(rec, httptest.NewRequest(method, testAuthURL+AuthorizePath+"?"+authorizeQuery(tc.over), nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.location != "" && !strings.HasPrefix(rec.Header().Get("Location"), tc.location) {
				t.Errorf("Location %q, want prefix %q", rec.Header().Get("Location"), tc.location)
			}
			if tc.message != "" {
				p, ok := errpage.Parse(rec.Body.Bytes())
				if !ok || p.Message != tc.message || p.Source != errpage.SourceCognito {
					t.Errorf("page %+v, want Cognito's %q", p, tc.message)
				}
			}
		})
	}
}

func TestAuthorizeMetadataProblems(t *testing.T) {
	expired, err := samltest.NewKey(t0.AddDate(-4, 0, 0)) // a three-year certificate, expired
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		setup func(f *fixture)
		hint  string
	}{
		{"http not allowed", func(f *fixture) { f.pool.allowHTTP = false }, "must use https"},
		{"metadata URL answers 404", func(f *fixture) {
			f.updateSSO(t, func(c *accounts.SSOConfig) { c.MetadataURL = f.idp.BaseURL + "/nothing-here" })
		}, "HTTP 404"},
		{"every certificate expired", func(f *fixture) { f.idp.SetKeys(expired, nil) }, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			tc.setup(f)
			rec := httptest.NewRecorder()
			f.pool.Authorize(rec, httptest.NewRequest(http.MethodGet, testAuthURL+AuthorizePath+"?"+authorizeQuery(nil), nil))
			p, ok := errpage.Parse(rec.Body.Bytes())
			if rec.Code != http.StatusBadGateway || !ok || p.Message != MsgMetadataUnavailable || !strings.Contains(p.Hint, tc.hint) {
				t.Errorf("%d %+v, want 502 %q with a hint mentioning %q", rec.Code, p, MsgMetadataUnavailable, tc.hint)
			}
		})
	}
}

func (f *fixture) updateSSO(t testing.TB, fn func(*accounts.SSOConfig)) {
	t.Helper()
	org, err := f.orgs.UpdateOrg(context.Background(), f.org.ID, func(o *accounts.Org) error { fn(&o.SSO); return nil })
	if err != nil {
		t.Fatal(err)
	}
	f.org = org
}

func TestErrorPageExplainsKnownCodesOnly(t *testing.T) {
	f := newFixture(t, nil)
	for code, want := range map[string]string{"redirect_mismatch": "redirect_mismatch", "<script>": "unknown"} {
		rec := httptest.NewRecorder()
		f.pool.ErrorPage(rec, httptest.NewRequest(http.MethodGet, testAuthURL+"/error?error="+url.QueryEscape(code), nil))
		p, ok := errpage.Parse(rec.Body.Bytes())
		if !ok || p.Message != MsgPageError || p.Code != want || p.Hint == "" {
			t.Errorf("error=%s: %+v, want code %q", code, p, want)
		}
	}
}

func TestCheckMetadataURL(t *testing.T) {
	p := &Pool{}
	for _, tc := range []struct {
		url       string
		allowHTTP bool
		ok        bool
	}{
		{"https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml?appid=a", false, true},
		{"https://login.microsoftonline.com:443/t/x.xml", false, true},
		{"https://login.microsoftonline.com:8443/t/x.xml", false, false},
		{"http://login.microsoftonline.com/t/x.xml", false, false},
		{"http://127.0.0.1:8081/t/x.xml", true, true},
		{"https://127.0.0.1:8443/t/x.xml", true, true},
		{"login.microsoftonline.com/t/x.xml", true, false},
		{"ftp://login.microsoftonline.com/x.xml", true, false},
	} {
		p.allowHTTP = tc.allowHTTP
		_, err := p.checkMetadataURL(tc.url)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrMetadataURL)) {
			t.Errorf("checkMetadataURL(%q, allowHTTP=%v) = %v, want ok=%v", tc.url, tc.allowHTTP, err, tc.ok)
		}
	}
}

func TestExchange(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	issue := func() string {
		return f.pool.codes.issue(grant{identity: Identity{OrgID: f.org.ID, NameID: "alice"}, clientID: testClient, redirectURI: testCallback})
	}
	code := issue()
	if id, err := f.pool.Exchange(ctx, testClient, testCallback, code); err != nil || id.NameID != "alice" {
		t.Fatalf("Exchange = %+v, %v", id, err)
	}
	if _, err := f.pool.Exchange(ctx, testClient, testCallback, code); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("second Exchange of a code: %v, want ErrInvalidGrant", err)
	}
	for name, fn := range map[string]func(code string) error{
		"other client":       func(c string) error { _, err := f.pool.Exchange(ctx, "other", testCallback, c); return err },
		"other redirect_uri": func(c string) error { _, err := f.pool.Exchange(ctx, testClient, testCallback+"/", c); return err },
		"expired": func(c string) error {
			f.now = f.now.Add(CodeTTL)
			_, err := f.pool.Exchange(ctx, testClient, testCallback, c)
			return err
		},
	} {
		if err := fn(issue()); !errors.Is(err, ErrInvalidGrant) {
			t.Errorf("%s: %v, want ErrInvalidGrant", name, err)
		}
	}
}

func TestIdPInitiatedWhenEnabled(t *testing.T) {
	f := newFixture(t, func(c *accounts.SSOConfig) { c.IDPInitiated = true })
	relay := url.Values{"identity_provider": {testProvider}, "client_id": {testClient}, "redirect_uri": {testCallback},
		"response_type": {"code"}, "scope": {"openid email"}}.Encode()
	post := func(r samltest.Response) *httptest.ResponseRecorder {
		t.Helper()
		r.ACS, r.Audience, r.NameID, r.SignAssertion = f.pool.ACSURL(), f.pool.EntityID(), "alice@contoso.com", true
		r.Attrs = []samltest.Attr{{Name: "Email", Values: []string{"alice@contoso.com"}}}
		doc, err := f.idp.Build(r)
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"SAMLResponse": {samltest.Encode(doc)}, "RelayState": {relay}}
		req := httptest.NewRequest(http.MethodPost, f.pool.ACSURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		f.pool.IDPResponse(rec, req)
		return rec
	}

	rec := post(samltest.Response{})
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || !strings.HasPrefix(loc.String(), testCallback+"?code=") {
		t.Fatalf("IdP-initiated: %d to %s, want a code for the callback: %s", rec.Code, loc, rec.Body)
	}
	id, err := f.pool.Exchange(context.Background(), testClient, testCallback, loc.Query().Get("code"))
	if err != nil || id.Username != testProvider+"_alice@contoso.com" || id.Attributes["email"] != "alice@contoso.com" {
		t.Errorf("Exchange = %+v, %v", id, err)
	}

	// An IdP-initiated response must not claim to answer a request.
	rec = post(samltest.Response{InResponseTo: "_made-up"})
	loc, _ = url.Parse(rec.Header().Get("Location"))
	if got := loc.Query().Get("error_description"); got != MsgInResponseTo {
		t.Errorf("IdP-initiated with InResponseTo: %q, want %q", got, MsgInResponseTo)
	}
}

func TestErrorRedirectIsCognitoShaped(t *testing.T) {
	got := errorRedirect("https://app.example.com/cb", "xyz", MsgAttributeRequired("email"))
	want := "https://app.example.com/cb?error_description=Invalid+SAML+response+received%3A+Invalid+user+attributes%3A+email%3A+The+attribute+is+required&state=xyz&error=server_error"
	if got != want {
		t.Errorf("errorRedirect =\n%s\nwant\n%s", got, want)
	}
}

func TestCountElements(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want int
	}{
		{`<samlp:Response><Assertion ID="a"></Assertion></samlp:Response>`, 1},
		{`<r><saml:Assertion/><saml2:Assertion>x</saml2:Assertion></r>`, 2},
		{`<r><EncryptedAssertion><x/></EncryptedAssertion></r>`, 0},
		{`<r><!-- <Assertion> --><![CDATA[<Assertion>]]><AssertionX/></r>`, 0},
		{`<r><Assertion` + "\n" + `ID="a"/></r>`, 1},
		{`<r>&lt;Assertion&gt;</r>`, 0},
	} {
		if got := countElements([]byte(tc.doc), "Assertion"); got != tc.want {
			t.Errorf("countElements(%q) = %d, want %d", tc.doc, got, tc.want)
		}
	}
}
