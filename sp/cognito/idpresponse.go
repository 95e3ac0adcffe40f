package cognito

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/crewjam/saml"

	"github.com/ssowiz/ssowiz/sp/accounts"
)

// maxACSFormBytes bounds the ACS form: a 100,000-character SAMLResponse,
// URL-encoded (base64's + / = become three characters each), and a
// RelayState.
const maxACSFormBytes = 3*MaxSAMLResponseChars + 16<<10

// rejection is a response the pool refuses: the message the user is shown
// and the private reason that goes to the log.
type rejection struct {
	message string
	reason  string
}

// IDPResponse is the assertion consumer service, /saml2/idpresponse. It
// takes the IdP's response by HTTP-POST only.
//
// Errors found before the response is tied to a pending request (no
// RelayState, an unknown one, a sign-in that took too long) are shown on
// the pool's error page. Errors after go back to the app's redirect_uri as
// error=server_error with the message in error_description, as Cognito
// sends them.
func (p *Pool) IDPResponse(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		p.page(w, http.StatusMethodNotAllowed, MsgPageError, "method_not_allowed", "")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxACSFormBytes)
	if err := r.ParseForm(); err != nil {
		p.log.Info("ACS form not readable", "err", err)
		p.page(w, http.StatusBadRequest, MsgPageError, "bad_request", "")
		return
	}
	relayStates, ok := r.PostForm["RelayState"]
	if !ok {
		p.page(w, http.StatusBadRequest, MsgRelayStateMissing, "relaystate_missing", "")
		return
	}
	if _, ok := r.PostForm["SAMLResponse"]; !ok {
		p.page(w, http.StatusBadRequest, MsgSAMLResponseMissing, "samlresponse_missing", "")
		return
	}
	relayState, samlResponse := relayStates[0], r.PostForm.Get("SAMLResponse")
	ctx := r.Context()

	req, found, err := p.loadPending(ctx, relayState)
	if err != nil {
		p.log.Error("ACS: load pending request", "err", err)
		p.page(w, http.StatusInternalServerError, MsgSomethingWentWrong, "internal_error", "")
		return
	}
	if !found {
		p.unsolicited(w, r, relayState, samlResponse)
		return
	}
	if age := p.now().Sub(req.CreatedAt); age >= PendingTTL {
		p.log.Info("ACS: response after the pending request expired", "org", req.OrgID, "age", age.String())
		p.page(w, http.StatusBadRequest, MsgSomethingWentWrong, "session_expired", "")
		return
	}
	// The browser first, the assertion second: a response posted from a
	// browser that did not start this sign-in is refused before it is
	// read, so its assertion stays unspent for the one that did.
	if !sameBrowser(r, req) {
		p.log.Info("ACS: response posted from a browser that did not start the sign-in; assertion not read", "org", req.OrgID)
		p.page(w, http.StatusBadRequest, MsgUnsolicited, "other_browser", p.otherBrowserHint())
		return
	}
	org, err := p.pendingOrg(ctx, req.OrgID)
	if err != nil {
		p.log.Error("ACS: organisation of a pending request", "org", req.OrgID, "err", err)
		p.page(w, http.StatusBadRequest, MsgLoginOptionUnavailable, "invalid_identity_provider", "")
		return
	}
	id, rej := p.validate(ctx, org, samlResponse, []string{req.RequestID}, false)
	if rej != nil {
		p.log.Warn("SAML response rejected", "org", org.ID, "message", rej.message, "reason", rej.reason)
		http.Redirect(w, r, errorRedirect(req.RedirectURI, req.State, rej.message), http.StatusFound)
		return
	}
	p.rememberSession(ctx, w, r, id)
	code := p.codes.issue(grant{identity: id, clientID: req.ClientID, redirectURI: req.RedirectURI})
	http.Redirect(w, r, codeRedirect(req.RedirectURI, code, req.State), http.StatusFound)
}

// pendingOrg is the organisation of a pending request: as authorize saw
// it, or from the store after a restart.
func (p *Pool) pendingOrg(ctx context.Context, id string) (accounts.Org, error) {
	p.orgSnapsMu.Lock()
	org, ok := p.orgSnaps[id]
	p.orgSnapsMu.Unlock()
	if ok {
		return org, nil
	}
	return p.orgs.GetOrg(ctx, id)
}

// unsolicited handles a response whose RelayState names no pending
// request. With the organisation's IdP-initiated sign-in on, a RelayState
// carrying the authorize parameters (identity_provider, client_id,
// redirect_uri, ...) starts a sign-in, as Cognito's IDPInit does; otherwise
// the response is refused on the error page.
func (p *Pool) unsolicited(w http.ResponseWriter, r *http.Request, relayState, samlResponse string) {
	ctx := r.Context()
	params, _ := url.ParseQuery(relayState)
	org, ok := p.orgForIdPInitiated(ctx, params)
	if !ok {
		p.log.Info("ACS: unsolicited response refused (unknown RelayState, IdP-initiated sign-in off)")
		p.page(w, http.StatusBadRequest, MsgUnsolicited, "unsolicited_response", "")
		return
	}
	client, ok := p.clients[params.Get("client_id")]
	redirectURI := params.Get("redirect_uri")
	if !ok || !contains(client.CallbackURLs, redirectURI) || params.Get("response_type") != "code" {
		p.page(w, http.StatusBadRequest, MsgUnsolicited, "unsolicited_response", "")
		return
	}
	state := params.Get("state")
	id, rej := p.validate(ctx, org, samlResponse, nil, true)
	if rej != nil {
		p.log.Warn("IdP-initiated SAML response rejected", "org", org.ID, "message", rej.message, "reason", rej.reason)
		http.Redirect(w, r, errorRedirect(redirectURI, state, rej.message), http.StatusFound)
		return
	}
	p.rememberSession(ctx, w, r, id)
	code := p.codes.issue(grant{identity: id, clientID: client.ID, redirectURI: redirectURI})
	http.Redirect(w, r, codeRedirect(redirectURI, code, state), http.StatusFound)
}

func (p *Pool) orgForIdPInitiated(ctx context.Context, params url.Values) (accounts.Org, bool) {
	org, err := p.orgForRequest(ctx, params)
	if err != nil || !org.SSO.IDPInitiated {
		return accounts.Org{}, false
	}
	return org, true
}

// validate checks a response for the organisation's identity provider and
// maps it to an Identity. requestIDs are the AuthnRequest IDs it may
// answer; idpInitiated accepts one that answers none.
func (p *Pool) validate(ctx context.Context, org accounts.Org, samlResponse string, requestIDs []string, idpInitiated bool) (Identity, *rejection) {
	if len(samlResponse) > MaxSAMLResponseChars {
		return Identity{}, &rejection{MsgTooLarge, "SAMLResponse too large"}
	}
	prov, err := p.provider(ctx, org)
	if err != nil {
		return Identity{}, &rejection{InvalidResponsePrefix + MsgMetadataUnavailable, err.Error()}
	}
	raw, err := base64.StdEncoding.DecodeString(samlResponse)
	if err != nil {
		return Identity{}, &rejection{MsgMalformed, "SAMLResponse is not base64: " + err.Error()}
	}
	if prov.encrypted {
		// Cognito checks the shape before anything else: one
		// EncryptedAssertion and no plain one.
		if enc, plain := countElements(raw, "EncryptedAssertion"), countElements(raw, "Assertion"); enc != 1 || plain != 0 {
			return Identity{}, &rejection{MsgEncryptedAssertionRequired, "encrypted responses required"}
		}
	}
	sp := prov.sp
	if idpInitiated {
		c := *sp
		c.AllowIDPInitiated = true
		sp = &c
	}
	assertion, err := sp.ParseXMLResponse(raw, requestIDs, sp.AcsURL)
	if err != nil {
		return Identity{}, &rejection{responseMessage(err, countElements(raw, "Assertion")), privateReason(err)}
	}
	// crewjam refuses several assertions in an unsigned Response but takes
	// the first of a signed one; Cognito wants exactly one.
	if !prov.encrypted {
		if n := countElements(raw, "Assertion"); n != 1 {
			return Identity{}, &rejection{MsgOneAssertion, "the response holds more than one Assertion"}
		}
	}
	nameID := assertion.Subject.NameID
	if nameID == nil || strings.TrimSpace(nameID.Value) == "" {
		return Identity{}, &rejection{MsgNameIDMissing, "no NameID"}
	}
	attrs, msg := p.mapAttributes(ctx, org, nameID.Value, assertion)
	if msg != "" {
		return Identity{}, &rejection{msg, "attribute mapping"}
	}
	var sessionIndex string
	if len(assertion.AuthnStatements) > 0 {
		sessionIndex = assertion.AuthnStatements[0].SessionIndex
	}
	var claims []Claim
	for _, st := range assertion.AttributeStatements {
		for _, at := range st.Attributes {
			c := Claim{Name: at.Name}
			if len(at.Values) > 0 {
				c.Value = at.Values[0].Value
			}
			claims = append(claims, c)
		}
	}
	mapping := org.SSO.AttributeMapping
	if len(mapping) == 0 {
		mapping = accounts.DefaultAttributeMapping()
	}
	return Identity{
		Claims:       claims,
		Mapping:      mapping,
		OrgID:        org.ID,
		OrgName:      org.Name,
		ProviderName: org.SSO.ProviderName,
		Username:     org.SSO.ProviderName + "_" + nameID.Value,
		NameID:       nameID.Value,
		NameIDFormat: nameID.Format,
		Attributes:   attrs,
		SessionIndex: sessionIndex,
		AuthTime:     p.now(),
	}, nil
}

// errorRedirect is redirect_uri with Cognito's error parameters, in the
// order Cognito sends them.
func errorRedirect(redirectURI, state, message string) string {
	q := "error_description=" + url.QueryEscape(message)
	if state != "" {
		q += "&state=" + url.QueryEscape(state)
	}
	return withQuery(redirectURI, q+"&error=server_error")
}

func codeRedirect(redirectURI, code, state string) string {
	q := "code=" + url.QueryEscape(code)
	if state != "" {
		q += "&state=" + url.QueryEscape(state)
	}
	return withQuery(redirectURI, q)
}

func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Check that the replay cache satisfies crewjam's interface.
var _ saml.AssertionReplayCache = (*replayCache)(nil)
