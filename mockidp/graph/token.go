package graph

import (
	"crypto/sha1"
	"database/sql" //nolint:gosec // x5t is the certificate's SHA-1 thumbprint by definition (RFC 7515), not a security control
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// tokenLifetime is what Entra's token endpoint answers in expires_in for
// an app-only Graph token.
const tokenLifetime = 3599 * time.Second

// The AADSTS codes of the token endpoint, with Entra's wording.
const (
	codeTenantNotFound   = 90002
	codeMissingParameter = 900144
	codeUnsupportedGrant = 70003
	codeClientNotFound   = 700016
	codeScopeMissing     = 90014
	codeScopeNotDefault  = 1002012
	codeResourceNotFound = 500011
	codeSecretMissing    = 7000218
	codeBadSecret        = 7000215
	codeSecretExpired    = 7000222
	codePostOnly         = 900561
)

// oauthError is the body of a token endpoint failure, as Entra sends it.
type oauthError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

// tokenFailure is one refusal: the HTTP status, the OAuth error, the
// AADSTS code and its message.
type tokenFailure struct {
	status  int
	oauth   string
	code    int
	message string
}

func missingParam(name string) *tokenFailure {
	return &tokenFailure{http.StatusBadRequest, "invalid_request", codeMissingParameter,
		fmt.Sprintf("The request body must contain the following parameter: '%s'.", name)}
}

// handleToken is /{tenant}/oauth2/v2.0/token: the client-credentials grant
// with a client secret, in the body (client_secret_post) or in Basic
// authentication (client_secret_basic).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	tenantName := r.PathValue("tenant")
	tok, f := s.token(r, tenantName)
	if f != nil {
		s.refuseToken(w, r, f)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	json.NewEncoder(w).Encode(struct {
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
		ExtExpiresIn int    `json:"ext_expires_in"`
		AccessToken  string `json:"access_token"`
	}{"Bearer", int(tokenLifetime / time.Second), int(tokenLifetime / time.Second), tok})
}

// token checks the request in Entra's order and issues the token.
func (s *Server) token(r *http.Request, tenantName string) (string, *tokenFailure) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		return "", &tokenFailure{http.StatusMethodNotAllowed, "invalid_request", codePostOnly,
			fmt.Sprintf("The endpoint only accepts POST, OPTIONS requests. Received a %s request.", r.Method)}
	}
	t, err := s.dir.ResolveTenant(ctx, tenantName)
	if err != nil {
		if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrNoTenant) {
			return "", &tokenFailure{http.StatusBadRequest, "invalid_request", codeTenantNotFound,
				fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenantName)}
		}
		return "", s.internalFailure(err)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return "", &tokenFailure{http.StatusBadRequest, "invalid_request", codePostOnly,
			"The request body must be application/x-www-form-urlencoded: send client_id, client_secret, scope and grant_type as a form."}
	}
	if err := r.ParseForm(); err != nil {
		return "", &tokenFailure{http.StatusBadRequest, "invalid_request", codeMissingParameter,
			"The request body must contain the following parameter: 'grant_type'."}
	}
	form := r.PostForm
	grant := form.Get("grant_type")
	if grant == "" {
		return "", missingParam("grant_type")
	}
	if grant != "client_credentials" {
		return "", &tokenFailure{http.StatusBadRequest, "unsupported_grant_type", codeUnsupportedGrant,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant)}
	}
	clientID, secret := form.Get("client_id"), form.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		if clientID != "" && !strings.EqualFold(clientID, u) {
			return "", &tokenFailure{http.StatusUnauthorized, "invalid_client", codeBadSecret,
				"The client_id in the request body and in the Authorization header differ."}
		}
		clientID, secret = u, p
	}
	if clientID == "" {
		return "", missingParam("client_id")
	}
	c, err := s.client(ctx, clientID)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", &tokenFailure{http.StatusBadRequest, "unauthorized_client", codeClientNotFound,
				fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, t.DisplayName)}
		}
		return "", s.internalFailure(err)
	}
	scope := strings.TrimSpace(form.Get("scope"))
	if scope == "" {
		return "", &tokenFailure{http.StatusBadRequest, "invalid_request", codeScopeMissing,
			"The required field 'scope' is missing from the credential. Ensure that you have all the necessary parameters for the login request."}
	}
	if f := checkScope(scope, t.DisplayName); f != nil {
		return "", f
	}
	if secret == "" {
		return "", &tokenFailure{http.StatusUnauthorized, "invalid_client", codeSecretMissing,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	switch state, err := s.checkSecret(ctx, c.AppID, secret); {
	case err != nil:
		return "", s.internalFailure(err)
	case state == secretExpired:
		return "", &tokenFailure{http.StatusUnauthorized, "invalid_client", codeSecretExpired,
			fmt.Sprintf("The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", c.AppID)}
	case state != secretOK:
		return "", &tokenFailure{http.StatusUnauthorized, "invalid_client", codeBadSecret,
			fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", c.AppID)}
	}
	tok, err := s.issue(r, t, c)
	if err != nil {
		return "", s.internalFailure(err)
	}
	s.log.Info("graph token issued", "client_id", c.AppID, "roles", strings.Join(c.Roles, " "))
	return tok, nil
}

// checkScope accepts only Graph's .default scope, as the client-credentials
// grant does.
func checkScope(scope, tenantName string) *tokenFailure {
	for _, sc := range strings.Fields(scope) {
		resource, perm, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(sc, "https://"), "http://"), "/")
		isGraph := strings.EqualFold(resource, "graph.microsoft.com") || strings.EqualFold(resource, GraphAppID)
		if isGraph && perm == ".default" {
			continue
		}
		if isGraph || !strings.HasSuffix(sc, "/.default") {
			return &tokenFailure{http.StatusBadRequest, "invalid_scope", codeScopeNotDefault,
				fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", sc)}
		}
		return &tokenFailure{http.StatusBadRequest, "invalid_resource", codeResourceNotFound,
			fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", strings.TrimSuffix(sc, "/.default"), tenantName)}
	}
	return nil
}

func (s *Server) internalFailure(err error) *tokenFailure {
	s.log.Error("graph token endpoint internal error", "err", err)
	return &tokenFailure{http.StatusInternalServerError, "server_error", 0, "mock Entra ID internal error: " + err.Error()}
}

// refuseToken writes Entra's OAuth error body. The description carries the
// trace, correlation ID and timestamp lines Entra appends.
func (s *Server) refuseToken(w http.ResponseWriter, r *http.Request, f *tokenFailure) {
	trace, corr := s.guid(), r.Header.Get("client-request-id")
	if corr == "" {
		corr = s.guid()
	}
	ts := s.now().UTC().Format("2006-01-02 15:04:05Z")
	body := oauthError{
		Error:         f.oauth,
		Description:   fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", f.code, f.message, trace, corr, ts),
		Codes:         []int{f.code},
		Timestamp:     ts,
		TraceID:       trace,
		CorrelationID: corr,
		ErrorURI:      fmt.Sprintf("%s/error?code=%d", s.login, f.code),
	}
	s.log.Info("graph token refused", "code", fmt.Sprintf("AADSTS%d", f.code), "error", f.oauth)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("X-Ms-Request-Id", trace)
	if f.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Basic realm="`+s.login+`"`)
	}
	w.WriteHeader(f.status)
	json.NewEncoder(w).Encode(body)
}

// signingKey is the tenant's token signing key with its JWK identifiers.
type signingKey struct {
	key directory.SigningKey
	// kid and x5t are both the base64url SHA-1 of the certificate, as in
	// Entra's JWKS.
	kid string
}

// signingKey returns the tenant's token signing key, cached: it is made
// with the tenant and never changes.
func (s *Server) signingKey(r *http.Request) (*signingKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	k, err := s.dir.TenantSigningKey(r.Context())
	if err != nil {
		return nil, fmt.Errorf("read the tenant's token signing key: %w", err)
	}
	sum := sha1.Sum(k.Certificate.DER) //nolint:gosec // see import
	s.key = &signingKey{key: k, kid: base64.RawURLEncoding.EncodeToString(sum[:])}
	return s.key, nil
}

// issuerFor is the iss of a v1.0 access token, which Graph tokens are.
func issuerFor(tenantID string) string { return "https://sts.windows.net/" + tenantID + "/" }

// issue signs an app-only access token for Microsoft Graph with the
// claims Entra puts in one.
func (s *Server) issue(r *http.Request, t directory.Tenant, c Client) (string, error) {
	k, err := s.signingKey(r)
	if err != nil {
		return "", err
	}
	now := s.now().UTC()
	// Entra back-dates iat and nbf by five minutes for clock skew.
	start := now.Add(-5 * time.Minute)
	// Entra's header and claims come in a fixed order (typ first, aud
	// first), which golang-jwt's maps would sort; the library signs.
	header := object{{"typ", "JWT"}, {"alg", "RS256"}, {"x5t", k.kid}, {"kid", k.kid}}
	claims := object{
		{"aud", Audience},
		{"iss", issuerFor(t.ID)},
		{"iat", start.Unix()},
		{"nbf", start.Unix()},
		{"exp", now.Add(tokenLifetime).Unix()},
		{"aio", s.opaque()},
		{"app_displayname", c.DisplayName},
		{"appid", c.AppID},
		{"appidacr", "1"},
		{"idp", issuerFor(t.ID)},
		{"idtyp", "app"},
		{"oid", c.ServicePrincipalID},
		{"rh", s.opaque()},
	}
	if len(c.Roles) > 0 {
		claims = append(claims, field{"roles", c.Roles})
	}
	claims = append(claims, object{
		{"sub", c.ServicePrincipalID},
		{"tid", t.ID},
		{"uti", s.opaque()[:22]},
		{"ver", "1.0"},
	}...)
	hb, err := header.MarshalJSON()
	if err != nil {
		return "", err
	}
	cb, err := claims.MarshalJSON()
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	sig, err := jwt.SigningMethodRS256.Sign(signing, k.key.Key)
	if err != nil {
		return "", fmt.Errorf("sign the access token: %w", err)
	}
	signed := signing + "." + enc.EncodeToString(sig)
	return signed, nil
}

// opaque is a random base64url string like Entra's aio, rh and uti.
func (s *Server) opaque() string {
	var b [24]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("graph: random source failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
