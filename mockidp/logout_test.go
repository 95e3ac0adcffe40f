package mockidp

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const logoutURL = "https://auth2.rudderstack.com/saml2/logout"

// logoutURLFor is the Login URL with a LogoutRequest by HTTP-Redirect.
func (h *harness) logoutRedirect(xml, relayState string) string {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	fw.Write([]byte(xml))
	fw.Close()
	v := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(buf.Bytes())}, "RelayState": {relayState}}
	return h.ts.URL + "/" + h.tenantID() + "/saml2?" + v.Encode()
}

func logoutXML(id, issuer string) string {
	return `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + id +
		`" Version="2.0" IssueInstant="2025-06-02T15:04:05.000Z"><Issuer>` + issuer +
		`</Issuer><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">AdeleV@contoso.onmicrosoft.com</NameID></samlp:LogoutRequest>`
}

func (h *harness) setLogoutURL(u string) {
	h.t.Helper()
	ctx := context.Background()
	app, err := h.dir.App(ctx, h.appID())
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := app.SAML
	cfg.LogoutURL = u
	if _, err := h.dir.UpdateSAMLConfig(ctx, h.appID(), cfg); err != nil {
		h.t.Fatal(err)
	}
}

// TestSingleLogout: a LogoutRequest by HTTP-Redirect ends Entra's session
// in this browser and sends a LogoutResponse (Success, InResponseTo the
// request, Entra's logout Issuer) to the app's Logout URL by HTTP-Redirect
// too, with the RelayState and a query-string signature that verifies
// with the app's signing certificate; the next sign-in asks for the
// password again.
func TestSingleLogout(t *testing.T) {
	h := newHarness(t)
	h.setLogoutURL(logoutURL)
	h.posted(h.signIn(h.defaultRequest(), "AdeleV"))

	p := h.get(h.logoutRedirect(logoutXML("_logout1", entityID), "rs-logout-state"))
	if p.status != http.StatusFound || !strings.HasPrefix(p.location, logoutURL+"?SAMLResponse=") {
		t.Fatalf("status %d to %q, want a redirect to the Logout URL with a SAMLResponse (Entra's redirect binding)", p.status, p.location)
	}
	u, _ := url.Parse(p.location)
	q := u.Query()
	if q.Get("RelayState") != "rs-logout-state" || q.Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" {
		t.Fatalf("LogoutResponse redirect: RelayState %q SigAlg %q", q.Get("RelayState"), q.Get("SigAlg"))
	}
	signed, _, _ := strings.Cut(u.RawQuery, "&Signature=")
	sig, _ := base64.StdEncoding.DecodeString(q.Get("Signature"))
	digest := sha256.Sum256([]byte(signed))
	key, err := h.dir.SigningKey(context.Background(), h.appID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&key.Key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("the LogoutResponse's query signature does not verify with the app's certificate: %v", err)
	}
	deflatedResp, _ := base64.StdEncoding.DecodeString(q.Get("SAMLResponse"))
	xmlResp, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflatedResp)))
	if err != nil {
		t.Fatal(err)
	}
	x := string(xmlResp)
	for _, want := range []string{"<samlp:LogoutResponse", `InResponseTo="_logout1"`, `Destination="` + logoutURL + `"`,
		"<Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">https://login.microsoftonline.com/" + h.tenantID() + "/</Issuer>",
		`Value="urn:oasis:names:tc:SAML:2.0:status:Success"`} {
		if !strings.Contains(x, want) {
			t.Errorf("LogoutResponse lacks %s:\n%s", want, x)
		}
	}
	// The session is over: a new sign-in shows the sign-in screens.
	next := h.defaultRequest()
	next.ID = "_after_logout"
	if p := h.get(h.redirectURL(next)); !strings.Contains(p.body, "Pick an account") {
		t.Fatalf("after sign-out the sign-in did not ask again:\n%s", p.body)
	}
}

// TestSingleLogoutErrors: Entra's answers to bad LogoutRequests.
func TestSingleLogoutErrors(t *testing.T) {
	h := newHarness(t)
	h.setLogoutURL(logoutURL)
	for _, tc := range []struct {
		name, xml, code string
	}{
		{"unknown issuer", logoutXML("_l1", "urn:unknown:sp"), "AADSTS700016"},
		{"ID starts with a digit", logoutXML("1abc", entityID), "AADSTS7500529"},
		{"no ID", strings.Replace(logoutXML("_x", entityID), `ID="_x" `, "", 1), "AADSTS75005"},
		{"no Issuer", strings.Replace(logoutXML("_l2", entityID), "<Issuer>"+entityID+"</Issuer>", "", 1), "AADSTS75005"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			h.wantError(h.get(h.logoutRedirect(tc.xml, "")), tc.code)
		})
	}
	t.Run("POST binding", func(t *testing.T) {
		h.t = t
		v := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString([]byte(logoutXML("_l3", entityID)))}}
		h.wantError(h.postForm(h.ts.URL+"/"+h.tenantID()+"/saml2", v), "AADSTS75005")
	})
}

// TestSingleLogoutWithoutLogoutURL: an app without a Logout URL still gets
// its user signed out of Entra, but no LogoutResponse: the browser stays on
// Entra's signed-out page, without an error code, and the next sign-in
// asks again.
func TestSingleLogoutWithoutLogoutURL(t *testing.T) {
	h := newHarness(t)
	h.setLogoutURL("")
	h.posted(h.signIn(h.defaultRequest(), "AdeleV"))
	p := h.get(h.logoutRedirect(logoutXML("_l4", entityID), "rs-state"))
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="signedOutHeading">You signed out of your account<`) {
		t.Fatalf("status %d, want Entra's signed-out page:\n%s", p.status, p.body)
	}
	for _, absent := range []string{"SAMLResponse", "AADSTS", "rs-state"} {
		if strings.Contains(p.body, absent) {
			t.Errorf("the signed-out page carries %q: no LogoutResponse, error or RelayState goes out without a Logout URL", absent)
		}
	}
	q := h.defaultRequest()
	q.ID = "_after_logout"
	if p := h.get(h.redirectURL(q)); !strings.Contains(p.body, "Pick an account") {
		t.Fatalf("after sign-out the sign-in did not ask again:\n%s", p.body)
	}
}
