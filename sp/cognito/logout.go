package cognito

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/google/uuid"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssowiz/ssowiz/internal/store"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// Single sign-out, as Cognito documents it (developer guide, "SAML
// sign-out flow" and "The managed login sign-out endpoint: /logout"):
//
//   - GET /logout?client_id=…&logout_uri=… ends the pool's session in this
//     browser. logout_uri must be one of the app client's allowed sign-out
//     URLs.
//   - When the user signed in through a SAML IdP whose "Sign-out flow"
//     (IDPSignout) is on, the pool first redirects the browser to the
//     SingleLogoutService in the IdP's metadata with a LogoutRequest
//     (HTTP-Redirect binding, SAMLRequest, RelayState, SigAlg rsa-sha256
//     and a Signature made with the user pool's signing certificate).
//   - The IdP must answer with a LogoutResponse by HTTP POST to
//     /saml2/logout; the pool then redirects to the logout_uri of the
//     original request.
//
// The LogoutRequest carries the NameID (and Format) and the SessionIndex
// of the assertion that signed the user in: Cognito's guide says the
// SessionIndex must match the one in the original SAML response.

// The single sign-out endpoints' paths, as Cognito names them.
const (
	LogoutPath = "/logout"
	SLOPath    = "/saml2/logout"
)

// Messages about a LogoutResponse the pool refuses. Cognito does not
// publish its wording for these; they follow its "Invalid SAML response
// received: …" style, with "logout" to tell them from sign-in errors.
const (
	logoutPrefix = "Invalid SAML logout response received: "
	// MsgLogoutMalformed is for a SAMLResponse that is not a base64
	// LogoutResponse.
	MsgLogoutMalformed = logoutPrefix + "Unable to parse the SAML logout response"
	// MsgLogoutDestination is for a Destination other than /saml2/logout.
	MsgLogoutDestination = logoutPrefix + "Destination does not match the user pool's sign-out URL"
	// MsgLogoutInResponseTo is for a response to another LogoutRequest.
	MsgLogoutInResponseTo = logoutPrefix + "InResponseTo does not match the logout request sent to the identity provider"
	// MsgLogoutIssuer is for an Issuer that is not the IdP of the metadata.
	MsgLogoutIssuer = logoutPrefix + "Issuer does not match the identity provider's metadata"
	// MsgLogoutSignature is for a signed response whose signature does
	// not verify with the metadata's certificates.
	MsgLogoutSignature = logoutPrefix + "SAML logout response signature is invalid"
	// logoutStatusPrefix starts MsgLogoutStatus.
	logoutStatusPrefix = logoutPrefix + "Status is not Success: "
)

// HintLogoutByRedirect explains a LogoutResponse that reached
// /saml2/logout by HTTP-Redirect, the only binding Entra sends it with,
// while Cognito takes it by POST only: the sign-out flow cannot finish
// with Entra, though both sessions did end.
const HintLogoutByRedirect = "The identity provider sent its LogoutResponse by HTTP-Redirect (a GET with SAMLResponse in the URL), and the user pool's /saml2/logout takes it by HTTP POST only. " +
	"Microsoft Entra ID sends sign-out answers by redirect only, so Cognito's sign-out flow cannot finish with it. " +
	"You are signed out all the same: the user pool and RudderStack ended their sessions before the sign-out request, and Entra ended its session before answering. " +
	"RudderStack does not use the sign-out flow; to end Entra's session without it, sign out of the Microsoft account or close the browser."

// MsgLogoutStatus is for a LogoutResponse whose StatusCode is not Success.
func MsgLogoutStatus(status string) string { return logoutStatusPrefix + status }

// maxLogoutFormBytes bounds the /saml2/logout form: a LogoutResponse is a
// few kilobytes even when signed.
const maxLogoutFormBytes = 64 << 10

// samlSession is what the pool remembers of a browser's SAML sign-in, to
// name it in a LogoutRequest.
type samlSession struct {
	OrgID, NameID, NameIDFormat, SessionIndex string
}

// pendingLogout is a LogoutRequest waiting for the IdP's LogoutResponse.
type pendingLogout struct {
	RequestID, OrgID, LogoutURI, BrowserHash string
	CreatedAt                                time.Time
}

// LogoutURL is the pool's /logout for the app client, with logout_uri
// where the browser ends up.
func (p *Pool) LogoutURL(clientID, logoutURI string) string {
	return p.authURL + LogoutPath + "?" + url.Values{"client_id": {clientID}, "logout_uri": {logoutURI}}.Encode()
}

// SLOURL is the pool's SAML sign-out endpoint, /saml2/logout: the Logout
// Url to enter in Entra's Basic SAML Configuration when the sign-out flow
// is on.
func (p *Pool) SLOURL() string { return p.authURL + SLOPath }

// rememberSession records, for the browser that just signed in, who the
// IdP signed in and its SessionIndex (Cognito's session cookie stands for
// the same thing).
func (p *Pool) rememberSession(ctx context.Context, w http.ResponseWriter, r *http.Request, id Identity) {
	_, err := p.upsertSession.ExecContext(store.Short(ctx), browserHash(p.browserID(w, r)), id.OrgID, id.NameID, id.NameIDFormat, id.SessionIndex, p.now().UnixNano())
	if err != nil {
		// The sign-in stands; only a later single sign-out will not know
		// whom to name.
		p.log.Error("remember the SAML session", "org", id.OrgID, "err", err)
	}
}

// takeSession returns and forgets the browser's SAML session.
func (p *Pool) takeSession(ctx context.Context, r *http.Request) (samlSession, bool, error) {
	c, err := r.Cookie(BrowserCookie)
	if err != nil || !validBrowserID(c.Value) {
		return samlSession{}, false, nil
	}
	var s samlSession
	err = p.db.QueryRowContext(store.Short(ctx), `DELETE FROM saml_sessions WHERE browser_hash = ?
		RETURNING org_id, name_id, name_id_format, session_index`, browserHash(c.Value)).
		Scan(&s.OrgID, &s.NameID, &s.NameIDFormat, &s.SessionIndex)
	if errors.Is(err, sql.ErrNoRows) {
		return samlSession{}, false, nil
	}
	if err != nil {
		return samlSession{}, false, fmt.Errorf("end the SAML session: %w", err)
	}
	return s, true, nil
}

// Logout is /logout: it ends the pool's session in this browser and
// redirects to logout_uri, through the IdP's single logout first when the
// user signed in with a SAML IdP whose sign-out flow is on.
func (p *Pool) Logout(w http.ResponseWriter, r *http.Request) {
	_, logoutURI, ok := p.checkClient(w, r, "logout_uri", func(c Client) []string { return c.LogoutURLs }, "logout_mismatch")
	if !ok {
		return
	}
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	sess, found, err := p.takeSession(ctx, r)
	if err != nil {
		p.log.Error("logout", "err", err)
	}
	if !found {
		http.Redirect(w, r, logoutURI, http.StatusFound)
		return
	}
	org, err := p.orgs.GetOrg(store.Short(ctx), sess.OrgID)
	if err != nil || !org.SSO.IDPSignout {
		http.Redirect(w, r, logoutURI, http.StatusFound)
		return
	}
	to, err := p.startSingleLogout(ctx, w, r, org, sess, logoutURI)
	if err != nil {
		p.log.Error("logout: single sign-out", "org", org.ID, "err", err)
		p.page(w, http.StatusInternalServerError, MsgSomethingWentWrong, "internal_error",
			"You are signed out of the user pool, but the sign-out request for the identity provider could not be made: "+err.Error())
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// startSingleLogout makes the signed LogoutRequest for the IdP, records it
// as pending, and returns the URL to send the browser to.
func (p *Pool) startSingleLogout(ctx context.Context, w http.ResponseWriter, r *http.Request, org accounts.Org, sess samlSession, logoutURI string) (string, error) {
	prov, err := p.provider(ctx, org)
	if err != nil {
		return "", err
	}
	if prov.sloURL == "" {
		return "", fmt.Errorf("the identity provider's metadata has no SingleLogoutService with the HTTP-Redirect binding: %w", ErrMetadata)
	}
	key, cert, err := p.signingKey(ctx)
	if err != nil {
		return "", err
	}
	signer := *prov.sp
	signer.Key, signer.Certificate = key, cert
	signer.LogoutSignatureMethod = dsig.RSASHA256SignatureMethod
	req := &saml.LogoutRequest{
		ID:           "_" + uuid.NewString(),
		Version:      "2.0",
		IssueInstant: p.now().UTC(),
		Destination:  prov.sloURL,
		Issuer:       &saml.Issuer{Value: p.entityID},
		NameID:       &saml.NameID{Format: sess.NameIDFormat, Value: sess.NameID},
	}
	if sess.SessionIndex != "" {
		req.SessionIndex = &saml.SessionIndex{Value: sess.SessionIndex}
	}
	relayState := newRelayState()
	u, err := signer.RedirectLogoutRequestURL(req, relayState)
	if err != nil {
		return "", fmt.Errorf("encode the LogoutRequest: %w", err)
	}
	if _, err := p.db.ExecContext(store.Short(ctx), `INSERT INTO pending_logouts
		(relay_hash, request_id, org_id, logout_uri, browser_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		relayKey(relayState), req.ID, org.ID, logoutURI, browserHash(p.browserID(w, r)), p.now().UnixNano()); err != nil {
		return "", fmt.Errorf("save the pending LogoutRequest: %w", err)
	}
	_, _ = p.db.ExecContext(store.Short(ctx), `DELETE FROM pending_logouts WHERE created_at <= ?`, p.now().Add(-pendingKeep).UnixNano())
	return u.String(), nil
}

// SingleLogout is /saml2/logout: it takes the IdP's LogoutResponse by
// HTTP POST only, checks that it answers the LogoutRequest this browser
// was sent with (RelayState, InResponseTo), comes from the IdP in the
// metadata (Issuer; signature when it is signed), was meant for this
// endpoint (Destination) and says Success, then redirects to the
// logout_uri the sign-out started with. A refused response is shown on
// the pool's error page.
func (p *Pool) SingleLogout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		// Cognito's answer to anything but a POST here is not documented
		// (its guide only says the IdP must POST); the pool shows its
		// hosted error page.
		w.Header().Set("Allow", http.MethodPost)
		if r.URL.Query().Has("SAMLResponse") {
			p.log.Info("SLO: LogoutResponse sent by HTTP-Redirect; /saml2/logout takes POST only")
			p.page(w, http.StatusMethodNotAllowed, MsgPageError, "logout_response_by_redirect", HintLogoutByRedirect)
			return
		}
		p.page(w, http.StatusMethodNotAllowed, MsgPageError, "method_not_allowed",
			"The user pool's "+p.SLOURL()+" takes the identity provider's LogoutResponse by HTTP POST only; it is not a page to open.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoutFormBytes)
	if err := r.ParseForm(); err != nil {
		p.page(w, http.StatusBadRequest, MsgPageError, "bad_request", "")
		return
	}
	relayStates, ok := r.PostForm["RelayState"]
	if !ok {
		p.page(w, http.StatusBadRequest, MsgRelayStateMissing, "relaystate_missing", p.logoutHint(""))
		return
	}
	if _, ok := r.PostForm["SAMLResponse"]; !ok {
		p.page(w, http.StatusBadRequest, MsgSAMLResponseMissing, "samlresponse_missing", p.logoutHint(""))
		return
	}
	ctx := r.Context()
	pl, found, err := p.loadPendingLogout(ctx, relayStates[0])
	if err != nil {
		p.log.Error("SLO: load pending LogoutRequest", "err", err)
		p.page(w, http.StatusInternalServerError, MsgSomethingWentWrong, "internal_error", "")
		return
	}
	if !found {
		p.log.Info("SLO: LogoutResponse for no pending LogoutRequest (unknown or used RelayState)")
		p.page(w, http.StatusBadRequest, MsgUnsolicited, "unsolicited_logout_response", p.logoutHint(MsgUnsolicited))
		return
	}
	if age := p.now().Sub(pl.CreatedAt); age >= PendingTTL {
		p.page(w, http.StatusBadRequest, MsgSomethingWentWrong, "session_expired",
			"More than 5 minutes passed between leaving for the identity provider's sign-out and its LogoutResponse arriving. You are signed out of the user pool; sign out at the identity provider again if needed.")
		return
	}
	if !sameBrowser(r, pending{BrowserHash: pl.BrowserHash}) {
		p.page(w, http.StatusBadRequest, MsgUnsolicited, "other_browser", p.logoutHint(MsgUnsolicited))
		return
	}
	org, err := p.orgs.GetOrg(store.Short(ctx), pl.OrgID)
	var prov *providerEntry
	if err == nil {
		prov, err = p.provider(ctx, org)
	}
	if err != nil {
		p.log.Warn("SLO: identity provider", "org", pl.OrgID, "err", err)
		p.page(w, http.StatusBadGateway, MsgMetadataUnavailable, "metadata_unavailable", "")
		return
	}
	if rej := p.checkLogoutResponse(prov, r.PostForm.Get("SAMLResponse"), pl.RequestID); rej != nil {
		p.log.Warn("SAML logout response rejected", "org", pl.OrgID, "message", rej.message, "reason", rej.reason)
		p.page(w, http.StatusBadRequest, rej.message, "invalid_logout_response", p.logoutHint(rej.message))
		return
	}
	_, _ = p.db.ExecContext(store.Short(ctx), `DELETE FROM pending_logouts WHERE relay_hash = ?`, relayKey(relayStates[0]))
	http.Redirect(w, r, pl.LogoutURI, http.StatusFound)
}

func (p *Pool) loadPendingLogout(ctx context.Context, relayState string) (pendingLogout, bool, error) {
	var pl pendingLogout
	var created int64
	err := p.db.QueryRowContext(store.Short(ctx), `SELECT request_id, org_id, logout_uri, browser_hash, created_at
		FROM pending_logouts WHERE relay_hash = ?`, relayKey(relayState)).
		Scan(&pl.RequestID, &pl.OrgID, &pl.LogoutURI, &pl.BrowserHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return pendingLogout{}, false, nil
	}
	if err != nil {
		return pendingLogout{}, false, fmt.Errorf("load pending LogoutRequest: %w", err)
	}
	pl.CreatedAt = time.Unix(0, created)
	return pl, true, nil
}

// checkLogoutResponse checks a posted LogoutResponse against the pending
// request's ID and the IdP's metadata.
func (p *Pool) checkLogoutResponse(prov *providerEntry, samlResponse, requestID string) *rejection {
	raw, err := base64.StdEncoding.DecodeString(samlResponse)
	if err != nil {
		return &rejection{MsgLogoutMalformed, "SAMLResponse is not base64"}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return &rejection{MsgLogoutMalformed, "SAMLResponse is not XML"}
	}
	var resp saml.LogoutResponse
	if err := xml.NewDecoder(bytes.NewReader(raw)).Decode(&resp); err != nil {
		return &rejection{MsgLogoutMalformed, "not a LogoutResponse: " + err.Error()}
	}
	if resp.Destination != "" && resp.Destination != p.SLOURL() {
		return &rejection{MsgLogoutDestination, "Destination " + resp.Destination}
	}
	if resp.InResponseTo != requestID {
		return &rejection{MsgLogoutInResponseTo, "InResponseTo " + resp.InResponseTo + ", sent " + requestID}
	}
	if resp.Issuer == nil || !issuerOfIdP(strings.TrimSpace(resp.Issuer.Value), prov.entity.EntityID) {
		return &rejection{MsgLogoutIssuer, "Issuer is not " + prov.entity.EntityID}
	}
	// Entra's LogoutResponse is unsigned (its sign-out protocol page shows
	// none, and no setting signs it); a response that is signed must
	// verify with the metadata's certificates.
	if doc.Root().FindElement("./Signature") != nil {
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: prov.certs})
		vc.Clock = dsigClock(p.now)
		if _, err := vc.Validate(doc.Root()); err != nil {
			return &rejection{MsgLogoutSignature, err.Error()}
		}
	}
	if st := resp.Status.StatusCode.Value; st != saml.StatusSuccess {
		return &rejection{MsgLogoutStatus(st), "status " + st}
	}
	return nil
}

// issuerOfIdP reports whether a LogoutResponse's Issuer names the IdP of
// the metadata. Entra issues its sign-in responses (and its metadata) as
// https://sts.windows.net/{tenant}/ but its LogoutResponses as
// https://login.microsoftonline.com/{tenant}/ (reference §3.10, Entra's
// "Single Sign-Out SAML Protocol"). Cognito does not document how it
// compares them; the pool takes either form for the same tenant
// (inferred) and refuses any other issuer.
func issuerOfIdP(issuer, entityID string) bool {
	if issuer == entityID {
		return true
	}
	const sts, login = "https://sts.windows.net/", "https://login.microsoftonline.com/"
	return strings.HasPrefix(entityID, sts) && issuer == login+strings.TrimPrefix(entityID, sts)
}

// logoutHint explains a refused sign-out in the admin's terms.
func (p *Pool) logoutHint(message string) string {
	switch {
	case message == MsgUnsolicited:
		return "The LogoutResponse does not answer a sign-out this browser started at the user pool (it was used already, came from another browser, or the user pool restarted). You are signed out of the user pool; sign in again to check."
	case message == MsgLogoutDestination:
		return "Entra > Single sign-on > Basic SAML Configuration > Logout Url must be exactly " + p.SLOURL() + "."
	case message == MsgLogoutIssuer || message == MsgLogoutSignature:
		return "The LogoutResponse did not come from the identity provider in the App Federation Metadata RudderStack holds: send RudderStack this app's metadata URL."
	case strings.HasPrefix(message, logoutStatusPrefix):
		return "The identity provider refused the sign-out request; its sign-in logs say why."
	}
	return "The identity provider must post its LogoutResponse to " + p.SLOURL() + " (Entra > Single sign-on > Basic SAML Configuration > Logout Url) in answer to the LogoutRequest the user pool sent."
}

// signingKey is the user pool's SAML signing key pair, made on first use
// and kept in the pool's database (Cognito makes one per user pool).
func (p *Pool) signingKey(ctx context.Context) (*rsa.PrivateKey, *x509.Certificate, error) {
	load := func() (*rsa.PrivateKey, *x509.Certificate, error) {
		var keyDER, certDER []byte
		if err := p.db.QueryRowContext(ctx, `SELECT key_der, cert_der FROM signing_key WHERE id = 1`).Scan(&keyDER, &certDER); err != nil {
			return nil, nil, err
		}
		key, err := x509.ParsePKCS1PrivateKey(keyDER)
		if err != nil {
			return nil, nil, fmt.Errorf("the user pool's signing key is damaged: %w", err)
		}
		cert, err := x509.ParseCertificate(certDER)
		if err != nil {
			return nil, nil, fmt.Errorf("the user pool's signing certificate is damaged: %w", err)
		}
		return key, cert, nil
	}
	key, cert, err := load()
	if !errors.Is(err, sql.ErrNoRows) {
		return key, cert, err
	}
	keyDER, certDER, err := p.makeKeyPair(x509.KeyUsageDigitalSignature)
	if err != nil {
		return nil, nil, err
	}
	if _, err := p.db.ExecContext(ctx, `INSERT INTO signing_key (id, key_der, cert_der, created_at) VALUES (1, ?, ?, ?)
		ON CONFLICT(id) DO NOTHING`, keyDER, certDER, p.now().UnixNano()); err != nil {
		return nil, nil, fmt.Errorf("save the user pool's signing key: %w", err)
	}
	return load()
}

// SigningCertificate is the user pool's signing certificate, which signs
// its LogoutRequests (Cognito's console offers it "as .crt" for IdPs that
// check request signatures).
func (p *Pool) SigningCertificate(ctx context.Context) (*x509.Certificate, error) {
	_, cert, err := p.signingKey(ctx)
	return cert, err
}
