package cognito

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/crewjam/saml"
	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/store"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// allowedScopes are the OAuth scopes the pool knows.
var allowedScopes = map[string]bool{
	"openid": true, "email": true, "phone": true, "profile": true, "aws.cognito.signin.user.admin": true,
}

// Authorize is /oauth2/authorize. It checks the app client and its
// redirect_uri (a mismatch goes to Cognito's error page, never to the
// unverified redirect_uri), then response_type and scope (errors go to the
// redirect_uri), finds the organisation's identity provider from
// identity_provider or idp_identifier, and sends the browser to the IdP's
// HTTP-Redirect SSO endpoint with an AuthnRequest and an opaque RelayState.
func (p *Pool) Authorize(w http.ResponseWriter, r *http.Request) {
	clientID, redirectURI, ok := p.checkClient(w, r, "redirect_uri", func(c Client) []string { return c.CallbackURLs }, "redirect_mismatch")
	if !ok {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if rt := q.Get("response_type"); rt != "code" {
		http.Redirect(w, r, oauthError(redirectURI, state, "unsupported_response_type"), http.StatusFound)
		return
	}
	scope := q.Get("scope")
	for _, s := range strings.Fields(scope) {
		if !allowedScopes[s] {
			http.Redirect(w, r, oauthError(redirectURI, state, "invalid_scope"), http.StatusFound)
			return
		}
	}
	ctx := r.Context()
	org, err := p.orgForRequest(ctx, q)
	if err != nil {
		p.log.Info("authorize: no identity provider", "identity_provider", q.Get("identity_provider"),
			"idp_identifier", q.Get("idp_identifier"), "err", err)
		p.page(w, http.StatusBadRequest, MsgLoginOptionUnavailable, "invalid_identity_provider", "")
		return
	}
	prov, err := p.provider(ctx, org)
	if err != nil {
		p.log.Warn("authorize: identity provider metadata", "org", org.ID, "err", err)
		if errors.Is(err, ErrSSONotConfigured) {
			p.page(w, http.StatusBadRequest, MsgLoginOptionUnavailable, "invalid_identity_provider", "")
			return
		}
		p.page(w, http.StatusBadGateway, MsgMetadataUnavailable, "metadata_unavailable",
			p.Hint(MsgMetadataUnavailable)+" The last attempt failed: "+err.Error())
		return
	}
	authn, err := prov.sp.MakeAuthenticationRequest(prov.ssoURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		p.log.Error("authorize: make AuthnRequest", "org", org.ID, "err", err)
		p.page(w, http.StatusInternalServerError, MsgSomethingWentWrong, "internal_error", "")
		return
	}
	// Cognito's request IDs are "_" and a UUID, not crewjam's "id-<hex>".
	authn.ID = "_" + uuid.NewString()
	relayState := newRelayState()
	if err := p.savePending(ctx, relayState, pending{
		RequestID: authn.ID, OrgID: org.ID, ClientID: clientID, RedirectURI: redirectURI,
		State: state, Scope: scope, CreatedAt: p.now(), BrowserHash: browserHash(p.browserID(w, r)),
	}); err != nil {
		p.log.Error("authorize", "err", err)
		p.page(w, http.StatusInternalServerError, MsgSomethingWentWrong, "internal_error", "")
		return
	}
	to, err := p.redirectURL(prov.ssoURL, authn, relayState)
	if err != nil {
		p.log.Error("authorize: encode AuthnRequest", "org", org.ID, "err", err)
		p.page(w, http.StatusInternalServerError, MsgSomethingWentWrong, "internal_error", "")
		return
	}
	p.orgSnapsMu.Lock()
	p.orgSnaps[org.ID] = org
	p.orgSnapsMu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
}

// orgForRequest finds the organisation an authorize request (or an
// IdP-initiated RelayState) names: identity_provider is the IdP's name in
// the pool, idp_identifier one of its identifiers (the org's email
// domains).
func (p *Pool) orgForRequest(ctx context.Context, q url.Values) (accounts.Org, error) {
	ctx = store.Short(ctx)
	if name := q.Get("identity_provider"); name != "" {
		return p.orgByProvider(ctx, name)
	}
	if ident := q.Get("idp_identifier"); ident != "" {
		org, err := p.orgs.FindOrgByDomain(ctx, ident)
		if err != nil {
			return accounts.Org{}, err
		}
		return org, nil
	}
	return accounts.Org{}, fmt.Errorf("neither identity_provider nor idp_identifier given: %w", accounts.ErrNotFound)
}

// orgByProvider finds the organisation whose IdP has this name. The last
// answer per name is remembered and checked again, so the common case is a
// single lookup, and a renamed provider is still found.
func (p *Pool) orgByProvider(ctx context.Context, name string) (accounts.Org, error) {
	p.providersMu.Lock()
	id, ok := p.providers[name]
	p.providersMu.Unlock()
	if ok {
		if org, err := p.orgs.GetOrg(ctx, id); err == nil && org.SSO.ProviderName == name {
			return org, nil
		}
	}
	orgs, err := p.orgs.ListOrgs(ctx)
	if err != nil {
		return accounts.Org{}, err
	}
	var found *accounts.Org
	p.providersMu.Lock()
	defer p.providersMu.Unlock()
	for i, o := range orgs {
		if o.SSO.ProviderName == "" {
			continue
		}
		p.providers[o.SSO.ProviderName] = o.ID
		if o.SSO.ProviderName == name && found == nil {
			found = &orgs[i]
		}
	}
	if found == nil {
		return accounts.Org{}, fmt.Errorf("identity provider %q: %w", name, accounts.ErrNotFound)
	}
	return *found, nil
}

// checkClient makes the first checks of the endpoints an app client
// sends the browser to (/oauth2/authorize, /logout): GET or HEAD only, a
// known client_id, and a URL parameter that is one of the client's allowed
// URLs (compared exactly). A failure is answered here: Cognito's error
// page, never the unverified URL. It returns the client ID and the URL.
func (p *Pool) checkClient(w http.ResponseWriter, r *http.Request, param string, allowed func(Client) []string, mismatch string) (clientID, target string, ok bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		p.page(w, http.StatusMethodNotAllowed, MsgPageError, "method_not_allowed", "")
		return "", "", false
	}
	q := r.URL.Query()
	clientID = q.Get("client_id")
	client, known := p.clients[clientID]
	if !known {
		p.log.Info(r.URL.Path + ": unknown client_id")
		http.Redirect(w, r, p.errorURL("invalid_request", clientID), http.StatusFound)
		return "", "", false
	}
	target = q.Get(param)
	if !contains(allowed(client), target) {
		p.log.Info(r.URL.Path+": "+param+" is not allowed for the client", "client_id", clientID, param, target)
		http.Redirect(w, r, p.errorURL(mismatch, clientID), http.StatusFound)
		return "", "", false
	}
	return clientID, target, true
}

func (p *Pool) errorURL(code, clientID string) string {
	v := url.Values{"error": {code}}
	if clientID != "" {
		v.Set("client_id", clientID)
	}
	return p.authURL + ErrorPath + "?" + v.Encode()
}

func oauthError(redirectURI, state, code string) string {
	q := "error=" + url.QueryEscape(code)
	if state != "" {
		q += "&state=" + url.QueryEscape(state)
	}
	return withQuery(redirectURI, q)
}
