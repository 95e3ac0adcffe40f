package mockidp

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/net/html"

	"github.com/ssowiz/ssowiz/internal/syncbuf"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

const (
	entityID  = "urn:amazon:cognito:sp:us-east-1_ABZiTjXia"
	replyURL  = "https://auth2.rudderstack.com/saml2/idpresponse"
	signOnURL = "https://app.rudderstack.com/sso"
)

// testKey is a fixed RSA-2048 key (testdata/test_key.pem, made for these
// tests only), so the tests neither wait for key generation nor depend
// on its luck.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	b, err := os.ReadFile(filepath.Join("testdata", "test_key.pem"))
	if err != nil {
		panic(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		panic(err)
	}
	return k.(*rsa.PrivateKey)
})

var t0 = time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC)

// harness is a seeded mock Entra behind httptest, and a browser-like
// client with a cookie jar that does not follow redirects.
type harness struct {
	t      *testing.T
	dir    *directory.Directory
	srv    *Server
	ts     *httptest.Server
	clock  *clockwork.FakeClock
	demo   tenant.Applied
	client *http.Client
	// signIns is the sign-in log the server writes.
	signIns *auditlog.Log
	// logs is the server's log; typed holds every password typed and
	// every SAMLResponse and cookie the server handed out, none of which
	// may appear in it.
	logs  syncbuf.Buffer
	mu    sync.Mutex
	typed []string
}

// remember adds a credential the log must never hold.
func (h *harness) remember(secret string) {
	if len(secret) < 8 {
		return
	}
	h.mu.Lock()
	h.typed = append(h.typed, secret)
	h.mu.Unlock()
}

// checkLogs fails the test if a password, a SAML response or a session
// cookie reached the log.
func (h *harness) checkLogs() {
	logs := h.logs.String()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.typed {
		if strings.Contains(logs, s) {
			h.t.Errorf("the mock IdP's log repeats a credential (a password, a SAML response or a session cookie)")
		}
	}
	for _, u := range h.demo.Users {
		if strings.Contains(logs, u.Password) {
			h.t.Errorf("the mock IdP's log repeats %s's password", u.UPN)
		}
	}
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with the server's Config changed by edit.
func newHarnessWith(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, clock: clockwork.NewFakeClockAt(t0)}
	var handler http.Handler
	h.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(h.ts.Close)
	dir, err := directory.Open(ctx, directory.Options{
		Now:    h.clock.Now,
		Rand:   rand.NewChaCha8([32]byte{1}),
		NewKey: func() (*rsa.PrivateKey, error) { return testKey(), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	h.dir = dir
	demo, err := tenant.Demo()
	if err != nil {
		t.Fatal(err)
	}
	h.demo, err = tenant.Apply(ctx, dir, demo, tenant.Options{
		RudderStack: tenant.BuiltinSP{EntityID: entityID, ReplyURL: replyURL, SignOnURL: signOnURL},
		Rand:        rand.NewChaCha8([32]byte{3}),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.signIns, err = auditlog.Open(ctx, auditlog.Options{Now: h.clock.Now, Rand: rand.NewChaCha8([32]byte{3})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.signIns.Close() })
	cfg := Config{Directory: dir, BaseURL: h.ts.URL, Now: h.clock.Now, Rand: rand.NewChaCha8([32]byte{2}),
		Logger: slog.New(slog.NewTextHandler(&h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), SignIns: h.signIns}
	if edit != nil {
		edit(&cfg)
	}
	h.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	handler = h.srv.Handler()
	t.Cleanup(h.checkLogs)
	h.newBrowser()
	return h
}

// newBrowser starts a fresh browser (empty cookie jar).
func (h *harness) newBrowser() {
	jar, _ := cookiejar.New(nil)
	h.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (h *harness) user(alias string) tenant.AppliedUser {
	for _, u := range h.demo.Users {
		if strings.HasPrefix(u.UPN, alias+"@") {
			return u
		}
	}
	h.t.Fatalf("no demo user %s", alias)
	return tenant.AppliedUser{}
}

func (h *harness) tenantID() string { return h.demo.Tenant.ID }
func (h *harness) appID() string {
	app, _ := h.demo.Builtin()
	return app.AppID
}

// request describes an AuthnRequest as an SP would send it.
type request struct {
	ID, Issuer, ACS, Destination  string
	NameIDFormat, SPNameQualifier string
	ForceAuthn, IsPassive         bool
	Subject                       bool
	Version                       string
	RelayState                    string
	Tenant                        string
	raw                           string // replaces the XML entirely
}

func (h *harness) defaultRequest() request {
	return request{ID: "_dd0a3436-bc64-4679-a0c2-cb4454f04184", Issuer: entityID, ACS: replyURL, Version: "2.0", RelayState: "cognito-opaque-relay-state"}
}

func (q request) xml() string {
	if q.raw != "" {
		return q.raw
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID=%q Version=%q IssueInstant="2025-06-02T15:04:00Z"`, q.ID, q.Version)
	if q.ACS != "" {
		fmt.Fprintf(&b, ` AssertionConsumerServiceURL=%q ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"`, q.ACS)
	}
	if q.Destination != "" {
		fmt.Fprintf(&b, ` Destination=%q`, q.Destination)
	}
	if q.ForceAuthn {
		b.WriteString(` ForceAuthn="true"`)
	}
	if q.IsPassive {
		b.WriteString(` IsPassive="true"`)
	}
	fmt.Fprintf(&b, `><saml:Issuer>%s</saml:Issuer>`, q.Issuer)
	if q.Subject {
		b.WriteString(`<saml:Subject><saml:NameID>AdeleV@contoso.onmicrosoft.com</saml:NameID></saml:Subject>`)
	}
	if q.NameIDFormat != "" || q.SPNameQualifier != "" {
		b.WriteString(`<samlp:NameIDPolicy AllowCreate="true"`)
		if q.NameIDFormat != "" {
			fmt.Fprintf(&b, ` Format=%q`, q.NameIDFormat)
		}
		if q.SPNameQualifier != "" {
			fmt.Fprintf(&b, ` SPNameQualifier=%q`, q.SPNameQualifier)
		}
		b.WriteString(`/>`)
	}
	b.WriteString(`</samlp:AuthnRequest>`)
	return b.String()
}

// redirectURL encodes q with the HTTP-Redirect binding.
func (h *harness) redirectURL(q request) string {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	fw.Write([]byte(q.xml()))
	fw.Close()
	tenant := q.Tenant
	if tenant == "" {
		tenant = h.tenantID()
	}
	v := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(buf.Bytes())}}
	if q.RelayState != "" {
		v.Set("RelayState", q.RelayState)
	}
	return h.ts.URL + "/" + tenant + "/saml2?" + v.Encode()
}

// page is a fetched HTML page.
type page struct {
	status   int
	header   http.Header
	body     string
	location string
}

func (h *harness) get(u string) page {
	h.t.Helper()
	resp, err := h.client.Get(u)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.read(resp)
}

func (h *harness) postForm(u string, v url.Values) page {
	h.t.Helper()
	resp, err := h.client.PostForm(u, v)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.read(resp)
}

func (h *harness) read(resp *http.Response) page {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		h.remember(c.Value)
	}
	p := page{status: resp.StatusCode, header: resp.Header, body: string(b), location: resp.Header.Get("Location")}
	for _, f := range p.forms() {
		h.remember(f.fields.Get("SAMLResponse"))
	}
	return p
}

// form is an HTML form with its fields.
type form struct {
	id, name, action string
	fields           url.Values
	buttonID         string
}

// forms lists the page's forms in document order.
func (p page) forms() []form {
	doc, err := html.Parse(strings.NewReader(p.body))
	if err != nil {
		return nil
	}
	var out []form
	var cur *form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := func(k string) string {
				for _, a := range n.Attr {
					if a.Key == k {
						return a.Val
					}
				}
				return ""
			}
			switch n.Data {
			case "form":
				out = append(out, form{id: attr("id"), name: attr("name"), action: attr("action"), fields: url.Values{}})
				cur = &out[len(out)-1]
			case "input":
				if cur != nil && attr("name") != "" {
					cur.fields.Set(attr("name"), attr("value"))
				}
			case "button":
				if cur != nil {
					cur.buttonID = attr("data-test-id")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// formWith returns the first form that has a field or tile named key.
func (h *harness) formWith(p page, pred func(form) bool) form {
	h.t.Helper()
	for _, f := range p.forms() {
		if pred(f) {
			return f
		}
	}
	h.t.Fatalf("no matching form on the page:\n%s", p.body)
	return form{}
}

// pickAccount clicks the account picker's tile for upn, or types upn on
// the "Sign in" page of a browser that has not used the account yet.
func (h *harness) pickAccount(p page, upn string) page {
	h.t.Helper()
	for _, f := range p.forms() {
		if f.buttonID == upn {
			return h.postForm(f.action, f.fields)
		}
	}
	return h.typeUsername(p, upn)
}

// typeUsername uses "Use another account".
func (h *harness) typeUsername(p page, login string) page {
	h.t.Helper()
	f := h.formWith(p, func(f form) bool { return f.id == "i0281" })
	f.fields.Set("loginfmt", login)
	return h.postForm(f.action, f.fields)
}

// staySignedIn answers "Stay signed in?" with Yes or No.
func (h *harness) staySignedIn(p page, yes bool) page {
	h.t.Helper()
	f := h.formWith(p, func(f form) bool { return f.id == "kmsiForm" })
	f.fields.Set("LoginOptions", kmsiNo)
	if yes {
		f.fields.Set("LoginOptions", kmsiYes)
	}
	return h.postForm(f.action, f.fields)
}

func (h *harness) typePassword(p page, password string) page {
	h.t.Helper()
	f := h.formWith(p, func(f form) bool { return f.id == "passwordForm" })
	f.fields.Set("passwd", password)
	h.remember(password)
	next := h.postForm(f.action, f.fields)
	if len(password) >= 8 && strings.Contains(next.body, password) {
		h.t.Errorf("the page after the password form repeats the password")
	}
	if strings.Contains(next.body, `id="kmsiForm"`) {
		// "Stay signed in?": No, as most tests need no persistent session.
		next = h.staySignedIn(next, false)
	}
	return next
}

// typePasswordOnly posts the password and returns the next page as it is.
func (h *harness) typePasswordOnly(p page, password string) page {
	h.t.Helper()
	f := h.formWith(p, func(f form) bool { return f.id == "passwordForm" })
	f.fields.Set("passwd", password)
	h.remember(password)
	return h.postForm(f.action, f.fields)
}

// signIn runs a whole SP-initiated sign-in: the email, the password and
// "Stay signed in?" No.
func (h *harness) signIn(q request, alias string) page {
	h.t.Helper()
	u := h.user(alias)
	p := h.get(h.redirectURL(q))
	p = h.typeUsername(p, u.UPN)
	return h.typePassword(p, u.Password)
}

// posted is the auto-posting response form's content.
type posted struct {
	action, relayState string
	hasRelayState      bool
	xml                []byte
}

func (h *harness) posted(p page) posted {
	h.t.Helper()
	f := h.formWith(p, func(f form) bool { return f.name == "hiddenform" })
	raw, err := base64.StdEncoding.DecodeString(f.fields.Get("SAMLResponse"))
	if err != nil {
		h.t.Fatalf("SAMLResponse is not base64: %v", err)
	}
	_, has := f.fields["RelayState"]
	return posted{action: f.action, relayState: f.fields.Get("RelayState"), hasRelayState: has, xml: raw}
}

// wantError checks the page is Entra's error page or an inline error
// with the code.
func (h *harness) wantError(p page, code string, fragments ...string) {
	h.t.Helper()
	got, msg, ok := ParseErrorPage(p.body)
	if !ok || got != code {
		h.t.Fatalf("want %s, got %q %q (ok=%v); page:\n%s", code, got, msg, ok, p.body)
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			h.t.Errorf("%s message %q does not mention %q", code, msg, f)
		}
	}
}

// metadataBytes fetches the app's federation metadata.
func (h *harness) metadataBytes(appID string) []byte {
	h.t.Helper()
	p := h.get(h.ts.URL + "/" + h.tenantID() + "/federationmetadata/2007-06/federationmetadata.xml?appid=" + appID)
	if p.status != http.StatusOK {
		h.t.Fatalf("metadata: %d %s", p.status, p.body)
	}
	return []byte(p.body)
}

// sp is crewjam's ServiceProvider configured with the app's metadata, as
// an independent verifier of the responses.
func (h *harness) sp(metadata []byte, allowIDPInitiated bool) *saml.ServiceProvider {
	h.t.Helper()
	md, err := samlsp.ParseMetadata(metadata)
	if err != nil {
		h.t.Fatalf("crewjam cannot parse the metadata: %v", err)
	}
	acs, _ := url.Parse(replyURL)
	return &saml.ServiceProvider{
		EntityID:          entityID,
		AcsURL:            *acs,
		IDPMetadata:       md,
		AllowIDPInitiated: allowIDPInitiated,
		// crewjam accepts a response at most 90 s after its IssueInstant:
		// give it the frozen clock.
		Clock: dsig.NewFakeClockAt(h.clock.Now()),
	}
}

// verify has crewjam's SP accept the response and returns the assertion.
func (h *harness) verify(sp *saml.ServiceProvider, p posted, requestIDs ...string) *saml.Assertion {
	h.t.Helper()
	a, err := sp.ParseXMLResponse(p.xml, requestIDs, sp.AcsURL)
	if err != nil {
		if ire, ok := err.(*saml.InvalidResponseError); ok {
			err = ire.PrivateErr
		}
		h.t.Fatalf("crewjam's SP refused the response: %v\n%s", err, p.xml)
	}
	return a
}

func attributes(a *saml.Assertion) (names []string, values map[string]string) {
	values = map[string]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			names = append(names, at.Name)
			if len(at.Values) > 0 {
				values[at.Name] = at.Values[0].Value
			}
		}
	}
	return names, values
}
