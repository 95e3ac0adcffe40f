package sp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"

	"github.com/ssowiz/ssowiz/internal/syncbuf"
	"github.com/ssowiz/ssowiz/sp"
	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

// Base URLs: the production names with a test TLD, served over plain HTTP
// by one httptest server that routes by Host, like a hosts file.
const (
	appURL   = "http://app.rudderstack.test"
	authURL  = "http://auth2.rudderstack.test"
	apiURL   = "http://api.rudderstack.test"
	idpBase  = "http://login.microsoftonline.test"
	idpHost  = "login.microsoftonline.test"
	tenant   = "aaaabbbb-0000-cccc-1111-dddd2222eeee"
	entityID = "urn:amazon:cognito:sp:us-east-1_ABZiTjXia"
	acsURL   = authURL + "/saml2/idpresponse"
	provider = "EntraID"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// testKeys are made once per test binary: RSA key generation is slow.
var testKeys = sync.OnceValues(func() ([2]*samltest.Key, error) {
	var ks [2]*samltest.Key
	for i := range ks {
		k, err := samltest.NewKey(t0.AddDate(0, -1, 0))
		if err != nil {
			return ks, err
		}
		ks[i] = k
	}
	return ks, nil
})

type harness struct {
	t        testing.TB
	clock    *clockwork.FakeClock
	dir      string
	accounts *accounts.Store
	srv      *sp.Server
	idp      *samltest.IdP
	ts       *httptest.Server
	org      accounts.Org
	spCfg    sp.Config
	swap     *swapHandler
	secrets  *secretGuard
	// appURL and acsURL are this harness's (the defaults unless the
	// options put the SP elsewhere).
	appURL, acsURL string
}

// swapHandler lets a test restart the SP behind the same listener.
type swapHandler struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *swapHandler) set(h http.Handler) { s.mu.Lock(); s.h = h; s.mu.Unlock() }
func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

type harnessOptions struct {
	dir   string
	sso   func(*accounts.SSOConfig)
	scim  http.Handler
	hosts [3]string // app, auth, api base URLs; the defaults when empty
	// extraCerts are published in the IdP metadata besides its key's.
	extraCerts []*samltest.Key
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clock: clockwork.NewFakeClockAt(t0), dir: o.dir, swap: &swapHandler{}, secrets: &secretGuard{t: t}}
	t.Cleanup(h.secrets.checkLogs)
	h.idp = &samltest.IdP{Tenant: tenant, BaseURL: idpBase, Key: keys[0], ExtraCerts: o.extraCerts, Now: h.clock.Now}
	h.idp.SetUser(alice("Alice Example"), nil)

	idpHandler := h.idp.Handler()
	h.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Host, idpHost) {
			idpHandler.ServeHTTP(w, r)
			return
		}
		h.secrets.serve(h.swap, w, r)
	}))
	t.Cleanup(h.ts.Close)

	bases := o.hosts
	if bases[0] == "" {
		bases = [3]string{appURL, authURL, apiURL}
	}
	h.appURL, h.acsURL = bases[0], bases[1]+"/saml2/idpresponse"
	h.spCfg = sp.Config{
		AppURL: bases[0], AuthURL: bases[1], APIURL: bases[2],
		HTTPClient:        routedClient(h.ts.Listener.Addr().String()),
		AllowHTTPMetadata: true,
		SCIM:              o.scim,
		DataDir:           o.dir,
		Now:               h.clock.Now,
		Logger:            slog.New(slog.NewTextHandler(&h.secrets.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	h.start()

	sso := accounts.SSOConfig{
		ProviderName:     provider,
		MetadataURL:      h.idp.MetadataURL(),
		AttributeMapping: accounts.DefaultAttributeMapping(),
	}
	if o.sso != nil {
		o.sso(&sso)
	}
	ctx := context.Background()
	if orgs, err := h.accounts.ListOrgs(ctx); err == nil && len(orgs) > 0 {
		h.org = orgs[0]
	} else {
		h.org, err = h.accounts.CreateOrg(ctx, accounts.Org{Name: "Contoso", Domains: []string{"contoso.com"}, SSO: sso})
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// start opens the account store and the SP (again, after stop, on the same
// data directory).
func (h *harness) start() {
	h.t.Helper()
	st, err := accounts.Open(context.Background(), accounts.Options{Dir: h.dir, Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := h.spCfg
	cfg.Accounts = st
	srv, err := sp.New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.accounts, h.srv = st, srv
	h.swap.set(srv.Handler())
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	if h.srv != nil {
		h.srv.Close()
		h.accounts.Close()
		h.srv, h.accounts = nil, nil
	}
}

func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

func (h *harness) browser() *samltest.Browser {
	return samltest.NewBrowser(h.ts.Listener.Addr().String())
}

func routedClient(addr string) *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func alice(lastName string) samltest.User {
	return samltest.User{NameID: "alice@contoso.com", Attrs: []samltest.Attr{
		{Name: "Email", Values: []string{"alice@contoso.com"}},
		{Name: "LastName", Values: []string{lastName}},
	}}
}

// begin runs /sso up to the IdP's auto-posting form and returns the form's
// fields (SAMLResponse, RelayState) and the AuthnRequest the IdP received.
func (h *harness) begin(b *samltest.Browser) (url.Values, *saml.AuthnRequest) {
	h.t.Helper()
	page, err := b.Get(h.appURL + "/sso?email=alice@contoso.com")
	if err != nil {
		h.t.Fatal(err)
	}
	if page.URL.Host != idpHost {
		h.t.Fatalf("/sso ended at %s (status %d), not at the IdP: %s", page.URL, page.Status, page.Body)
	}
	action, fields, err := samltest.ParseForm(page.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if action != h.acsURL {
		h.t.Fatalf("IdP posts to %q, want %q", action, h.acsURL)
	}
	reqs := h.idp.Requests()
	return fields, reqs[len(reqs)-1]
}

// post sends a SAML response to the ACS and returns the page it ends on.
func (h *harness) post(b *samltest.Browser, fields url.Values) *samltest.Page {
	h.t.Helper()
	page, err := b.Post(h.acsURL, fields)
	if err != nil {
		h.t.Fatal(err)
	}
	return page
}

// response builds a response to req with Entra's defaults for alice,
// changed by tweak.
func (h *harness) response(req *saml.AuthnRequest, tweak func(*samltest.Response)) []byte {
	h.t.Helper()
	u := alice("Alice Example")
	r := samltest.Response{
		InResponseTo: req.ID, ACS: req.AssertionConsumerServiceURL, Audience: req.Issuer.Value,
		NameID: u.NameID, Attrs: u.Attrs, SignAssertion: true,
	}
	if tweak != nil {
		tweak(&r)
	}
	doc, err := h.idp.Build(r)
	if err != nil {
		h.t.Fatal(err)
	}
	return doc
}

func (h *harness) userCount() int {
	h.t.Helper()
	n, err := h.accounts.CountUsers(context.Background(), h.org.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) sessionCount() int {
	h.t.Helper()
	n, err := h.srv.SessionCount(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// secretGuard sits in front of the SP and remembers every credential that
// passes: each SAMLResponse posted (and the signature values inside it),
// each cookie the SP sets and each authorization code it issues. No later
// response body, and no log line, may repeat one.
type secretGuard struct {
	t    testing.TB
	mu   sync.Mutex
	seen []string
	logs syncbuf.Buffer
}

func (g *secretGuard) add(s string) {
	if len(s) < 12 { // shorter values are not secrets worth the name and match by chance
		return
	}
	g.mu.Lock()
	g.seen = append(g.seen, s)
	g.mu.Unlock()
}

func (g *secretGuard) all() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.seen...)
}

func (g *secretGuard) serve(next http.Handler, w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			for _, v := range form["SAMLResponse"] {
				g.add(v)
				if raw, err := base64.StdEncoding.DecodeString(v); err == nil {
					for _, sig := range between(string(raw), "SignatureValue>", "</") {
						g.add(strings.TrimSpace(sig))
					}
				}
			}
		}
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	res := rec.Result()
	for _, c := range res.Cookies() {
		// The OAuth state travels in the redirect's URL by design; it binds
		// the callback to this browser but grants nothing.
		if !strings.Contains(res.Header.Get("Location"), c.Value) {
			g.add(c.Value)
		}
	}
	if loc, err := url.Parse(res.Header.Get("Location")); err == nil {
		g.add(loc.Query().Get("code"))
	}
	body := rec.Body.Bytes()
	for _, s := range g.all() {
		if bytes.Contains(body, []byte(s)) {
			g.t.Errorf("%s %s: the response body repeats a credential the browser sent or was given", r.Method, r.URL.Path)
		}
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// checkLogs fails the test if any credential seen reached the SP's log.
func (g *secretGuard) checkLogs() {
	logs := g.logs.String()
	for _, s := range g.all() {
		if strings.Contains(logs, s) {
			g.t.Errorf("the SP's log repeats a credential (a SAML response, a signature, a cookie or a code)")
		}
	}
}

// between returns every substring of s that starts after open and ends
// before the next close.
func between(s, open, close string) []string {
	var out []string
	for {
		_, rest, ok := strings.Cut(s, open)
		if !ok {
			return out
		}
		v, after, ok := strings.Cut(rest, close)
		if !ok {
			return out
		}
		out = append(out, v)
		s = after
	}
}
