package graph

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// caller is who a verified access token speaks for.
type caller struct {
	appID   string
	roles   []string
	expires time.Time
}

type callerKey struct{}

// authenticate checks the bearer token as Graph does: present, a JWT
// signed by the tenant's key, for Graph, from this tenant, in its
// lifetime. Failures are Graph's 401 InvalidAuthenticationToken.
func (s *Server) authenticate(r *http.Request) (caller, *apiError) {
	unauthorized := func(msg string) *apiError {
		return &apiError{http.StatusUnauthorized, codeInvalidToken, msg, nil}
	}
	h := r.Header.Get("Authorization")
	scheme, raw, _ := strings.Cut(h, " ")
	raw = strings.TrimSpace(raw)
	if h == "" || raw == "" || !strings.EqualFold(scheme, "Bearer") {
		return caller{}, unauthorized("Access token is empty.")
	}
	if c, ok := s.verified.get(raw, s.now()); ok {
		return c, nil
	}
	if strings.Count(raw, ".") != 2 {
		return caller{}, unauthorized("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.")
	}
	k, err := s.signingKey(r)
	if err != nil {
		return caller{}, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	t, err := s.dir.Tenant(r.Context())
	if err != nil {
		return caller{}, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		if kid, _ := tok.Header["kid"].(string); kid != k.kid {
			return nil, errUnknownKey
		}
		return &k.key.Key.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(Audience), jwt.WithIssuer(issuerFor(t.ID)),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(s.now))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return caller{}, unauthorized("Lifetime validation failed, the token is expired.")
	case errors.Is(err, jwt.ErrTokenNotValidYet) || errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return caller{}, unauthorized("Lifetime validation failed, the token is not yet valid.")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return caller{}, unauthorized("Access token validation failure. Invalid audience.")
	case err != nil:
		return caller{}, unauthorized("Access token validation failure.")
	}
	if tid, _ := claims["tid"].(string); tid != t.ID {
		return caller{}, unauthorized("Access token validation failure.")
	}
	c := caller{}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		c.expires = exp.Time
	}
	c.appID, _ = claims["appid"].(string)
	if roles, ok := claims["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				c.roles = append(c.roles, s)
			}
		}
	}
	s.verified.put(raw, c)
	return c, nil
}

// tokenCache remembers tokens already verified until they expire, so a
// script's many calls with one token pay for the RSA verification once.
// The tenant's signing key never changes, so a verified token stays
// valid until its exp.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]caller
}

// maxCachedTokens bounds the cache; when full it starts again.
const maxCachedTokens = 256

func (tc *tokenCache) get(raw string, now time.Time) (caller, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	c, ok := tc.m[raw]
	if ok && !now.Before(c.expires) {
		delete(tc.m, raw)
		return caller{}, false
	}
	return c, ok
}

func (tc *tokenCache) put(raw string, c caller) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.m == nil || len(tc.m) >= maxCachedTokens {
		tc.m = make(map[string]caller)
	}
	tc.m[raw] = c
}

var errUnknownKey = errors.New("the token's kid is not one of the tenant's signing keys")

// guard authenticates the request and lets it through when the token
// holds one of the permissions (Graph's "least to most privileged" list
// for the route); otherwise Graph's 403.
func (s *Server) guard(anyOf []string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, e := s.authenticate(r)
		if e != nil {
			s.fail(w, r, e)
			return
		}
		if !slices.ContainsFunc(anyOf, func(p string) bool { return slices.Contains(c.roles, p) }) {
			s.log.Info("graph request denied", "client_id", c.appID, "path", r.URL.Path, "needs", strings.Join(anyOf, " or "))
			s.fail(w, r, &apiError{http.StatusForbidden, codeDenied, "Insufficient privileges to complete the operation.", nil})
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
}
