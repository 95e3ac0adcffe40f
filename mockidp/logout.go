package mockidp

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // RSA-SHA1 query signatures, for apps set to SHA-1
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Single sign-out as Entra documents it (reference §3.10): the app sends a
// LogoutRequest to the Login URL by HTTP-Redirect only; Entra checks it
// like an AuthnRequest (ID, Version, IssueInstant; an Issuer that names an
// app), ends its session in this browser whatever the NameID says, and
// answers with a LogoutResponse to the app's Logout URL by HTTP-Redirect,
// issued by https://login.microsoftonline.com/{tenant}/ (or, with no Logout
// URL, shows its own signed-out page).

// logoutRequest holds what Entra reads from a LogoutRequest.
type logoutRequest struct {
	XMLName      xml.Name  `xml:"urn:oasis:names:tc:SAML:2.0:protocol LogoutRequest"`
	ID           string    `xml:"ID,attr"`
	Version      string    `xml:"Version,attr"`
	IssueInstant string    `xml:"IssueInstant,attr"`
	Issuer       *issuerEl `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
}

// isLogoutRequest reports whether a decoded SAML request's root element
// is a LogoutRequest.
func isLogoutRequest(raw []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "LogoutRequest"
		}
	}
}

func parseLogoutRequest(raw []byte) (*logoutRequest, error) {
	var req logoutRequest
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = true
	if err := dec.Decode(&req); err != nil {
		return nil, &requestError{codeInvalidSAML, msgInvalidSAML}
	}
	if req.ID == "" || req.Version != "2.0" || req.IssueInstant == "" {
		return nil, &requestError{codeInvalidSAML, msgInvalidSAML}
	}
	if c := req.ID[0]; c >= '0' && c <= '9' {
		return nil, &requestError{codeIDStartsWithNumber, msgIDStartsWithNumber(req.ID)}
	}
	if req.Issuer == nil || strings.TrimSpace(req.Issuer.Value) == "" {
		return nil, &requestError{codeInvalidSAML, msgInvalidSAML}
	}
	return &req, nil
}

// logout answers a LogoutRequest (raw, already decoded from the Redirect
// binding) in Entra's order: the binding, the message, the tenant, the
// app by Issuer, its Logout URL; then it ends the session and posts the
// LogoutResponse.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, raw []byte, relayState string) {
	if r.Method != http.MethodGet {
		// Only the HTTP-Redirect binding is supported for sign-out.
		s.fail(w, r, codeInvalidSAML, msgInvalidSAML)
		return
	}
	req, err := parseLogoutRequest(raw)
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	t, app, ok := s.requestingApp(w, r, strings.TrimSpace(req.Issuer.Value))
	if !ok {
		return
	}
	// End Entra's session in this browser: the NameID is not considered.
	if sess, ok := s.currentSession(r); ok {
		s.log.Info("signed out", "user", sess.User, "app", app.AppID)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	if app.SAML.LogoutURL == "" {
		// Without a Logout URL Entra still signs the user out, but has
		// nowhere to send a LogoutResponse: the browser stays on Entra's
		// own signed-out page and never returns to the app. No error code
		// is shown. Sources: users of SAML SPs with Entra report exactly
		// this ("the page just ends at a message saying you are logged
		// out" until the app's Logout URL is set, derricksmith/phpsaml#109;
		// "stuck in MS Azure's logout screen", scaler-tech/laravel-saml2#42;
		// "I get logged out, but not returned", simplesamlphp#390). Entra's
		// "Single Sign-Out SAML Protocol" page says only that the
		// LogoutURL must be registered for single sign-out to work. No
		// public report shows AADSTS900971 ("No reply address provided")
		// for a LogoutRequest: every one is an OAuth redirect_uri.
		s.render(w, http.StatusOK, "signedout", nil)
		return
	}
	body, err := s.logoutResponse(t.ID, app.SAML.LogoutURL, req.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	key, err := s.signingKey(r.Context(), app.AppID, s.now())
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	to, err := redirectBinding(app.SAML.LogoutURL, "SAMLResponse", body, relayState, key, app.SigningAlgorithm)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	noStore(w)
	http.Redirect(w, r, to, http.StatusFound)
}

// redirectBinding encodes a SAML message for the HTTP-Redirect binding
// (SAML bindings §3.4.4): DEFLATE, base64 and the query parameter param,
// then RelayState and the query-string signature (SigAlg and Signature
// over the parameters as they appear in the URL, §3.4.4.1), made with the
// app's signing key and algorithm.
//
// Entra answers a LogoutRequest this way, not with an auto-posted form:
// its "Single Sign-Out SAML Protocol" page says it "uses the LogoutURL to
// redirect users after they're signed out" and supports the redirect
// binding, not HTTP POST; the page was changed to say so after
// MicrosoftDocs/azure-docs#56936 ("AAD doesn't support HTTP POST when
// sending logout response, use only HTTP GET", confirmed by the page's
// author) and #77767 ("for me it came in a HTTP GET redirect request").
// SAML toolkits' reports show it signed in the query string
// (SAML-Toolkits/python3-saml#282 and php-saml#433, BookStackApp#2132).
func redirectBinding(dest, param string, msg []byte, relayState string, key directory.SigningKey, alg directory.SigningAlgorithm) (string, error) {
	var deflated bytes.Buffer
	fw, err := flate.NewWriter(&deflated, flate.DefaultCompression)
	if err != nil {
		return "", fmt.Errorf("deflate the %s: %w", param, err)
	}
	if _, err := fw.Write(msg); err != nil {
		return "", fmt.Errorf("deflate the %s: %w", param, err)
	}
	if err := fw.Close(); err != nil {
		return "", fmt.Errorf("deflate the %s: %w", param, err)
	}
	q := param + "=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflated.Bytes()))
	if relayState != "" {
		q += "&RelayState=" + url.QueryEscape(relayState)
	}
	sigAlg, hash := dsig.RSASHA256SignatureMethod, crypto.SHA256
	if alg == directory.SHA1 {
		sigAlg, hash = dsig.RSASHA1SignatureMethod, crypto.SHA1
	}
	q += "&SigAlg=" + url.QueryEscape(sigAlg)
	h := hash.New()
	h.Write([]byte(q))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key.Key, hash, h.Sum(nil))
	if err != nil {
		return "", fmt.Errorf("sign the %s: %w", param, err)
	}
	q += "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
	if strings.Contains(dest, "?") {
		return dest + "&" + q, nil
	}
	return dest + "?" + q, nil
}

// The page Entra leaves the browser on after a sign-out it cannot answer
// (no Logout URL). The wording is Entra's sign-out page as it appears at
// login.microsoftonline.com (from memory; no source quotes it whole).
var _ = template.Must(pages.New("signedout").Parse(`{{template "head" "Sign out"}}
<h1 id="signedOutHeading">You signed out of your account</h1>
<p id="signedOutMessage">It's a good idea to close all browser windows.</p>
{{template "foot"}}`))

// logoutResponse builds Entra's LogoutResponse (unsigned, Success).
func (s *Server) logoutResponse(tenantID, destination, inResponseTo string) ([]byte, error) {
	resp := etree.NewElement("samlp:LogoutResponse")
	resp.CreateAttr("ID", s.samlID())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", samlTime(s.now()))
	resp.CreateAttr("Destination", destination)
	resp.CreateAttr("InResponseTo", inResponseTo)
	resp.CreateAttr("xmlns:samlp", nsProtocol)
	ri := resp.CreateElement("Issuer")
	ri.CreateAttr("xmlns", nsAssertion)
	ri.SetText(LogoutIssuerFor(tenantID))
	st := resp.CreateElement("samlp:Status")
	st.CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	return serialize(resp)
}

// LogoutIssuerFor is the Issuer of Entra's LogoutResponses, which differs
// from its sign-in Issuer (reference §3.2, §8.4).
func LogoutIssuerFor(tenantID string) string {
	return "https://login.microsoftonline.com/" + tenantID + "/"
}
