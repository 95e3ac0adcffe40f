package sp_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/ssowiz/ssowiz/sp"
	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/cognito"
	"github.com/ssowiz/ssowiz/sp/internal/errpage"
	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

const sloURL = authURL + cognito.SLOPath

// step makes one request without following redirects (the browser's
// cookies are kept) and returns the response and its Location.
func step(t *testing.T, b *samltest.Browser, method, u string, form url.Values) (*http.Response, string, []byte) {
	t.Helper()
	c := *b.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, resp.Header.Get("Location"), body
}

var sessionIndexRE = regexp.MustCompile(`SessionIndex="([^"]+)"`)

// TestSignOutWithoutTheSignOutFlowLeavesEntraAlone: RudderStack's setting.
// Sign out ends the app's and the pool's sessions without a trip to the
// IdP, and the signed-out page says Entra's session is still active and
// how to turn single sign-out on.
func TestSignOutWithoutTheSignOutFlowLeavesEntraAlone(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b, _ := h.signIn()
	_, loc, _ := step(t, b, http.MethodGet, appURL+sp.LogoutPath, nil)
	if !strings.HasPrefix(loc, authURL+cognito.LogoutPath+"?") {
		t.Fatalf("the app's sign-out sends the browser to %q, want the user pool's /logout", loc)
	}
	_, loc, _ = step(t, b, http.MethodGet, loc, nil)
	if loc != appURL+sp.SignedOutPath {
		t.Fatalf("the user pool's /logout sends the browser to %q, want the signed-out page (no IdP)", loc)
	}
	page, err := b.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`class="entra-still-signed-in"`, "still active", "--single-logout", sloURL} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("the signed-out page lacks %q:\n%s", want, page.Body)
		}
	}
	if n := len(h.idp.Requests()); n != 1 {
		t.Errorf("the IdP got %d requests, want only the sign-in's AuthnRequest", n)
	}
}

// TestSignOutFlowSendsASignedLogoutRequestAndChecksTheResponse: with
// Cognito's sign-out flow on, the pool's /logout redirects to the IdP's
// SingleLogoutService with a LogoutRequest for the signed-in user and
// session, signed (SigAlg rsa-sha256) with the pool's certificate; its
// /saml2/logout takes the LogoutResponse by POST only (one sent by
// HTTP-Redirect, as Entra sends it, gets a page saying so) and refuses
// one that does not answer that request, comes from another issuer, is
// meant for another endpoint, is badly signed or is not Success — then
// takes the right one once and lands on the signed-out page.
func TestSignOutFlowSendsASignedLogoutRequestAndChecksTheResponse(t *testing.T) {
	h := newHarness(t, harnessOptions{sso: func(c *accounts.SSOConfig) { c.IDPSignout = true }})
	b := h.browser()
	fields, _ := h.begin(b)
	posted, _ := base64.StdEncoding.DecodeString(fields.Get("SAMLResponse"))
	m := sessionIndexRE.FindStringSubmatch(string(posted))
	if m == nil {
		t.Fatal("the IdP's response has no SessionIndex")
	}
	sessionIndex := m[1]
	if page := h.post(b, fields); page.URL.String() != appURL+"/" {
		t.Fatalf("sign-in landed on %s", page.URL)
	}

	_, loc, _ := step(t, b, http.MethodGet, appURL+sp.LogoutPath, nil)
	_, loc, _ = step(t, b, http.MethodGet, loc, nil)
	u, err := url.Parse(loc)
	if err != nil || u.Scheme+"://"+u.Host+u.Path != h.idp.SSOURL() {
		t.Fatalf("the user pool's /logout sends the browser to %q, want the IdP's SingleLogoutService %s", loc, h.idp.SSOURL())
	}
	q := u.Query()
	if q.Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" || q.Get("Signature") == "" || q.Get("RelayState") == "" {
		t.Fatalf("the LogoutRequest redirect lacks RelayState, SigAlg rsa-sha256 or Signature: %v", q)
	}
	// The query-string signature (SAML bindings §3.4.4.1) verifies with
	// the pool's signing certificate.
	cert, err := h.srv.Pool().SigningCertificate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	signed := ""
	for _, part := range strings.Split(u.RawQuery, "&") {
		if !strings.HasPrefix(part, "Signature=") {
			if signed != "" {
				signed += "&"
			}
			signed += part
		}
	}
	sig, _ := base64.StdEncoding.DecodeString(q.Get("Signature"))
	digest := sha256.Sum256([]byte(signed))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("the LogoutRequest's signature does not verify with the pool's certificate: %v", err)
	}
	deflated, _ := base64.StdEncoding.DecodeString(q.Get("SAMLRequest"))
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		t.Fatal(err)
	}
	var lr saml.LogoutRequest
	if err := xml.Unmarshal(raw, &lr); err != nil {
		t.Fatalf("SAMLRequest is not a LogoutRequest: %v\n%s", err, raw)
	}
	if lr.Issuer == nil || lr.Issuer.Value != entityID || lr.NameID == nil || lr.NameID.Value != "alice@contoso.com" ||
		lr.NameID.Format != "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" || lr.SessionIndex == nil ||
		lr.SessionIndex.Value != sessionIndex || lr.Destination != h.idp.SSOURL() || !strings.HasPrefix(lr.ID, "_") || lr.Signature != nil {
		t.Fatalf("LogoutRequest %s\nwant Issuer %s, NameID alice@contoso.com (emailAddress), SessionIndex %s, Destination %s, an ID starting with _ and no enveloped signature",
			raw, entityID, sessionIndex, h.idp.SSOURL())
	}
	if h.sessionCount() != 0 {
		t.Errorf("the app session survived its sign-out")
	}

	keys, _ := testKeys()
	relay := q.Get("RelayState")
	response := func(tweak func(*logoutResponse)) url.Values {
		r := logoutResponse{ID: "_resp", InResponseTo: lr.ID, Destination: sloURL,
			Issuer: "https://login.microsoftonline.com/" + tenant + "/", Status: saml.StatusSuccess}
		if tweak != nil {
			tweak(&r)
		}
		return url.Values{"SAMLResponse": {r.encode(t)}, "RelayState": {relay}}
	}
	for _, c := range []struct {
		name    string
		method  string
		form    url.Values
		status  int
		message string
	}{
		{"by GET", http.MethodGet, nil, http.StatusMethodNotAllowed, cognito.MsgPageError},
		{"no RelayState", http.MethodPost, url.Values{"SAMLResponse": {"x"}}, http.StatusBadRequest, cognito.MsgRelayStateMissing},
		{"unknown RelayState", http.MethodPost, url.Values{"SAMLResponse": response(nil)["SAMLResponse"], "RelayState": {"other"}}, http.StatusBadRequest, cognito.MsgUnsolicited},
		{"not base64", http.MethodPost, url.Values{"SAMLResponse": {"%%%"}, "RelayState": {relay}}, http.StatusBadRequest, cognito.MsgLogoutMalformed},
		{"another request", http.MethodPost, response(func(r *logoutResponse) { r.InResponseTo = "_other" }), http.StatusBadRequest, cognito.MsgLogoutInResponseTo},
		{"another issuer", http.MethodPost, response(func(r *logoutResponse) { r.Issuer = "https://sts.windows.net/someone-else/" }), http.StatusBadRequest, cognito.MsgLogoutIssuer},
		{"another endpoint", http.MethodPost, response(func(r *logoutResponse) { r.Destination = authURL + "/saml2/idpresponse" }), http.StatusBadRequest, cognito.MsgLogoutDestination},
		{"signed by another key", http.MethodPost, response(func(r *logoutResponse) { r.SignWith = keys[1] }), http.StatusBadRequest, cognito.MsgLogoutSignature},
		{"refused", http.MethodPost, response(func(r *logoutResponse) { r.Status = "urn:oasis:names:tc:SAML:2.0:status:Requester" }),
			http.StatusBadRequest, cognito.MsgLogoutStatus("urn:oasis:names:tc:SAML:2.0:status:Requester")},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, _, body := step(t, b, c.method, sloURL, c.form)
			ep, ok := errpage.Parse(body)
			if resp.StatusCode != c.status || !ok || ep.Message != c.message || ep.Hint == "" {
				t.Fatalf("status %d, page %+v; want %d with %q and a hint\n%s", resp.StatusCode, ep, c.status, c.message, body)
			}
		})
	}
	// Entra's way: the LogoutResponse by HTTP-Redirect. Cognito takes it
	// by POST only, so the page says why the sign-out stops here.
	resp, _, body := step(t, b, http.MethodGet, sloURL+"?"+response(nil).Encode(), nil)
	if ep, _ := errpage.Parse(body); resp.StatusCode != http.StatusMethodNotAllowed || ep.Code != "logout_response_by_redirect" ||
		ep.Hint != cognito.HintLogoutByRedirect {
		t.Errorf("a LogoutResponse by HTTP-Redirect: %d %+v, want 405 logout_response_by_redirect with the hint", resp.StatusCode, ep)
	}
	// The right answer, signed by the IdP's certificate (a signed one must
	// verify; Entra's are unsigned, as the mock Entra's test shows), is
	// taken once.
	good := response(func(r *logoutResponse) { r.SignWith = keys[0] })
	_, loc, _ = step(t, b, http.MethodPost, sloURL, good)
	if loc != appURL+sp.SignedOutPath+"?idp=1" {
		t.Fatalf("/saml2/logout sends the browser to %q, want the app's signed-out page", loc)
	}
	page, err := b.Get(loc)
	if err != nil || !strings.Contains(string(page.Body), `class="entra-signed-out"`) {
		t.Fatalf("the signed-out page does not say Entra signed out too (%v):\n%s", err, page.Body)
	}
	resp, _, body = step(t, b, http.MethodPost, sloURL, good)
	if ep, _ := errpage.Parse(body); resp.StatusCode != http.StatusBadRequest || ep.Message != cognito.MsgUnsolicited {
		t.Errorf("a replayed LogoutResponse: %d %+v, want 400 %q", resp.StatusCode, ep, cognito.MsgUnsolicited)
	}
	// The pool's session is gone: signing out again goes straight to the
	// signed-out page.
	_, loc, _ = step(t, b, http.MethodGet, authURL+cognito.LogoutPath+"?"+url.Values{"client_id": {sp.DefaultClientID},
		"logout_uri": {appURL + sp.SignedOutPath}}.Encode(), nil)
	if loc != appURL+sp.SignedOutPath {
		t.Errorf("a second sign-out goes to %q, want the signed-out page directly", loc)
	}
	// A logout_uri that is not an allowed sign-out URL goes to the error
	// page, never to the URL.
	_, loc, _ = step(t, b, http.MethodGet, authURL+cognito.LogoutPath+"?"+url.Values{"client_id": {sp.DefaultClientID},
		"logout_uri": {"https://evil.example/"}}.Encode(), nil)
	if !strings.HasPrefix(loc, authURL+cognito.ErrorPath+"?") || !strings.Contains(loc, "logout_mismatch") {
		t.Errorf("an unknown logout_uri goes to %q, want the error page", loc)
	}
}

// TestSignOutFlowGivesUpAfterFiveMinutes: a LogoutResponse that comes
// after the pool stopped waiting is refused.
func TestSignOutFlowGivesUpAfterFiveMinutes(t *testing.T) {
	h := newHarness(t, harnessOptions{sso: func(c *accounts.SSOConfig) { c.IDPSignout = true }})
	b, _ := h.signIn()
	_, loc, _ := step(t, b, http.MethodGet, appURL+sp.LogoutPath, nil)
	_, loc, _ = step(t, b, http.MethodGet, loc, nil)
	u, _ := url.Parse(loc)
	deflated, _ := base64.StdEncoding.DecodeString(u.Query().Get("SAMLRequest"))
	raw, _ := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	var lr saml.LogoutRequest
	if err := xml.Unmarshal(raw, &lr); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(cognito.PendingTTL + time.Second)
	r := logoutResponse{ID: "_resp", InResponseTo: lr.ID, Destination: sloURL, Issuer: "https://sts.windows.net/" + tenant + "/", Status: saml.StatusSuccess}
	resp, _, body := step(t, b, http.MethodPost, sloURL, url.Values{"SAMLResponse": {r.encode(t)}, "RelayState": {u.Query().Get("RelayState")}})
	if ep, _ := errpage.Parse(body); resp.StatusCode != http.StatusBadRequest || ep.Message != cognito.MsgSomethingWentWrong {
		t.Errorf("a late LogoutResponse: %d %+v, want 400 %q", resp.StatusCode, ep, cognito.MsgSomethingWentWrong)
	}
}

// logoutResponse is an Entra-shaped LogoutResponse.
type logoutResponse struct {
	ID, InResponseTo, Destination, Issuer, Status string
	// SignWith signs it (Entra does not).
	SignWith *samltest.Key
}

func (r logoutResponse) encode(t *testing.T) string {
	t.Helper()
	el := etree.NewElement("samlp:LogoutResponse")
	el.CreateAttr("xmlns:samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
	el.CreateAttr("ID", r.ID)
	el.CreateAttr("Version", "2.0")
	el.CreateAttr("IssueInstant", t0.Format("2006-01-02T15:04:05.000Z"))
	el.CreateAttr("Destination", r.Destination)
	el.CreateAttr("InResponseTo", r.InResponseTo)
	iss := el.CreateElement("Issuer")
	iss.CreateAttr("xmlns", "urn:oasis:names:tc:SAML:2.0:assertion")
	iss.SetText(r.Issuer)
	el.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", r.Status)
	if r.SignWith != nil {
		var err error
		if el, err = samltest.Sign(r.SignWith, el); err != nil {
			t.Fatal(err)
		}
	}
	doc := etree.NewDocument()
	doc.SetRoot(el)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}
