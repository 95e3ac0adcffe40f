package graph

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// handleOpenIDConfig is /{tenant}/v2.0/.well-known/openid-configuration,
// in the shape Entra serves, with the endpoints on LoginURL.
func (s *Server) handleOpenIDConfig(w http.ResponseWriter, r *http.Request) {
	t, ok := s.discoveryTenant(w, r)
	if !ok {
		return
	}
	base := s.login + "/" + t.ID
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                s.login + "/" + t.ID + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     "https://graph.microsoft.com/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported": []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
			"msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver",
			"at_hash", "c_hash", "email"},
		"kerberos_endpoint":       base + "/kerberos",
		"tenant_region_scope":     "EU",
		"cloud_instance_name":     "microsoftonline.com",
		"cloud_graph_host_name":   "graph.windows.net",
		"msgraph_host":            "graph.microsoft.com",
		"rbac_url":                "https://pas.windows.net",
		"tenant_region_sub_scope": nil,
	})
}

// jwk is one key of Entra's JWKS.
type jwk struct {
	Kty               string   `json:"kty"`
	Use               string   `json:"use"`
	Kid               string   `json:"kid"`
	X5t               string   `json:"x5t"`
	N                 string   `json:"n"`
	E                 string   `json:"e"`
	X5c               []string `json:"x5c"`
	CloudInstanceName string   `json:"cloud_instance_name"`
	Issuer            string   `json:"issuer"`
}

// handleKeys is /{tenant}/discovery/v2.0/keys: the tenant's token signing
// key as a JWK with its certificate.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	t, ok := s.discoveryTenant(w, r)
	if !ok {
		return
	}
	k, err := s.signingKey(r)
	if err != nil {
		s.log.Error("graph keys", "err", err)
		http.Error(w, "mock Entra ID internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	pub := k.key.Key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []jwk{{
		Kty: "RSA", Use: "sig", Kid: k.kid, X5t: k.kid,
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		X5c: []string{k.key.Certificate.Base64()}, CloudInstanceName: "microsoftonline.com",
		Issuer: s.login + "/" + t.ID + "/v2.0",
	}}})
}

// discoveryTenant resolves the path's tenant for the discovery documents,
// answering Entra's AADSTS90002 body when it is unknown.
func (s *Server) discoveryTenant(w http.ResponseWriter, r *http.Request) (directory.Tenant, bool) {
	name := r.PathValue("tenant")
	t, err := s.dir.ResolveTenant(r.Context(), name)
	if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrNoTenant) {
		s.refuseToken(w, r, &tokenFailure{http.StatusBadRequest, "invalid_tenant", codeTenantNotFound,
			"Tenant '" + name + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."})
		return directory.Tenant{}, false
	}
	if err != nil {
		s.log.Error("graph discovery", "err", err)
		http.Error(w, "mock Entra ID internal error: "+err.Error(), http.StatusInternalServerError)
		return directory.Tenant{}, false
	}
	return t, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
