package mockidp

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Single sign-out as Entra documents it (reference §3.10): the app sends a
// LogoutRequest to the Login URL by HTTP-Redirect only; Entra checks it
// like an AuthnRequest (ID, Version, IssueInstant; an Issuer that names an
// app), ends its session in this browser whatever the NameID says, and
// answers with a LogoutResponse to the app's Logout URL, issued by
// https://login.microsoftonline.com/{tenant}/. The answer is posted with
// an auto-submitting form: Cognito's /saml2/logout takes it by POST only.

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
	t, ok := s.tenant(w, r, r.PathValue("tenant"))
	if !ok {
		return
	}
	issuer := strings.TrimSpace(req.Issuer.Value)
	app, err := s.dir.AppByIdentifier(r.Context(), issuer)
	if errors.Is(err, directory.ErrNotFound) {
		s.fail(w, r, codeAppNotFound, msgAppNotFound(issuer, t.DisplayName))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	noteApp(r, app.AppID)
	if app.SAML.LogoutURL == "" {
		// Entra needs the Logout URL registered to answer; without one
		// there is nowhere to send the LogoutResponse (inferred: the same
		// answer as a sign-in without a reply address).
		s.fail(w, r, codeNoReplyAddress, msgNoReplyAddress+" The application has no Logout URL: set Basic SAML Configuration → Logout Url.")
		return
	}
	// End Entra's session in this browser: the NameID is not considered.
	if sess, ok := s.currentSession(r); ok {
		s.log.Info("signed out", "user", sess.User, "app", app.AppID)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	body, err := s.logoutResponse(t.ID, app.SAML.LogoutURL, req.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.post(w, app.SAML.LogoutURL, body, relayState)
}

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
