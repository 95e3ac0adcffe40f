package graph

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestTokenClientCredentials(t *testing.T) {
	h := newHarness(t)
	status, body := h.postToken(h.demo.Tenant.ID, url.Values{
		"client_id": {h.creds.ClientID}, "client_secret": {h.creds.ClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"},
	})
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	h.matchFixture("token-success.json", body)

	// The token verifies with the JWKS the OpenID configuration points
	// at, as a client library would check it.
	var cfg struct {
		Issuer, TokenEndpoint string
		JWKSURI               string `json:"jwks_uri"`
	}
	getJSON(t, h.ts.URL+"/"+h.demo.Tenant.InitialDomain+"/v2.0/.well-known/openid-configuration", &cfg)
	if want := h.ts.URL + "/" + h.demo.Tenant.ID + "/discovery/v2.0/keys"; cfg.JWKSURI != want {
		t.Fatalf("jwks_uri = %q, want %q", cfg.JWKSURI, want)
	}
	var jwks struct {
		Keys []struct {
			Kty, Use, Kid, X5t, N, E string
			X5c                      []string
		}
	}
	getJSON(t, cfg.JWKSURI, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0].Kid != jwks.Keys[0].X5t || jwks.Keys[0].Kty != "RSA" || jwks.Keys[0].Use != "sig" {
		t.Fatalf("JWKS = %+v, want one RSA signing key whose kid is its x5t", jwks.Keys)
	}
	k := jwks.Keys[0]
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	der, _ := base64.StdEncoding.DecodeString(k.X5c[0])
	if cert, err := x509.ParseCertificate(der); err != nil || !cert.PublicKey.(*rsa.PublicKey).Equal(pub) {
		t.Fatalf("x5c does not hold the JWK's key: %v", err)
	}

	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(h.token, claims, func(tok *jwt.Token) (any, error) {
		if tok.Header["kid"] != k.Kid {
			t.Errorf("kid %v is not the JWKS key %s", tok.Header["kid"], k.Kid)
		}
		return pub, nil
	}, jwt.WithTimeFunc(h.clock.Now), jwt.WithValidMethods([]string{"RS256"}))
	if err != nil {
		t.Fatalf("the token does not verify with the JWKS: %v", err)
	}
	if tok.Header["typ"] != "JWT" || tok.Header["x5t"] != k.Kid {
		t.Errorf("header = %v", tok.Header)
	}
	for name, want := range map[string]any{
		"aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/" + h.demo.Tenant.ID + "/",
		"tid": h.demo.Tenant.ID, "appid": h.creds.ClientID, "app_displayname": "ssowiz automation", "idtyp": "app",
		"ver": "1.0", "appidacr": "1", "iat": float64(t0.Add(-5 * time.Minute).Unix()), "nbf": float64(t0.Add(-5 * time.Minute).Unix()),
		"exp": float64(t0.Add(3599 * time.Second).Unix()),
	} {
		if claims[name] != want {
			t.Errorf("claim %s = %v, want %v", name, claims[name], want)
		}
	}
	roles, _ := claims["roles"].([]any)
	if len(roles) != len(AutomationPermissions()) || roles[0] != UserReadWriteAll {
		t.Errorf("roles = %v, want %v", roles, AutomationPermissions())
	}
	if claims["oid"] == "" || claims["oid"] != claims["sub"] {
		t.Errorf("oid %v and sub %v must be the client's service principal", claims["oid"], claims["sub"])
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestTokenBasicAuthentication(t *testing.T) {
	h := newHarness(t)
	form := url.Values{"scope": {"00000003-0000-0000-c000-000000000000/.default"}, "grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/"+h.demo.Tenant.ID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(h.creds.ClientID, h.creds.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("client_secret_basic: %s", resp.Status)
	}
}

// TestTokenErrors checks each refusal's status, OAuth error and AADSTS
// code against what Entra answers.
func TestTokenErrors(t *testing.T) {
	h := newHarness(t)
	good := func(edit func(url.Values)) url.Values {
		v := url.Values{"client_id": {h.creds.ClientID}, "client_secret": {h.creds.ClientSecret},
			"scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}}
		edit(v)
		return v
	}
	cases := []struct {
		name   string
		tenant string
		form   url.Values
		status int
		oauth  string
		code   int
		says   string
	}{
		{"wrong secret", "", good(func(v url.Values) { v.Set("client_secret", "abc8Q~not-the-secret") }), 401, "invalid_client", 7000215, "Invalid client secret provided"},
		{"unknown client", "", good(func(v url.Values) { v.Set("client_id", "11111111-2222-3333-4444-555555555555") }), 400, "unauthorized_client", 700016, "Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory 'Contoso'"},
		{"unknown tenant", "fabrikam.onmicrosoft.com", good(func(url.Values) {}), 400, "invalid_request", 90002, "Tenant 'fabrikam.onmicrosoft.com' not found"},
		{"no grant_type", "", good(func(v url.Values) { v.Del("grant_type") }), 400, "invalid_request", 900144, "'grant_type'"},
		{"authorization code", "", good(func(v url.Values) { v.Set("grant_type", "authorization_code") }), 400, "unsupported_grant_type", 70003, "unsupported grant type 'authorization_code'"},
		{"no client_id", "", good(func(v url.Values) { v.Del("client_id") }), 400, "invalid_request", 900144, "'client_id'"},
		{"no scope", "", good(func(v url.Values) { v.Del("scope") }), 400, "invalid_request", 90014, "'scope' is missing"},
		{"delegated scope", "", good(func(v url.Values) { v.Set("scope", "https://graph.microsoft.com/User.Read") }), 400, "invalid_scope", 1002012, "/.default suffixed"},
		{"other resource", "", good(func(v url.Values) { v.Set("scope", "api://rudderstack/.default") }), 400, "invalid_resource", 500011, "resource principal named api://rudderstack was not found"},
		{"no secret", "", good(func(v url.Values) { v.Del("client_secret") }), 401, "invalid_client", 7000218, "'client_assertion' or 'client_secret'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tenant := c.tenant
			if tenant == "" {
				tenant = h.demo.Tenant.ID
			}
			status, body := h.postToken(tenant, c.form)
			var e oauthError
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not an OAuth error body: %s", body)
			}
			if status != c.status || e.Error != c.oauth || len(e.Codes) != 1 || e.Codes[0] != c.code {
				t.Fatalf("got %d %s %v, want %d %s [%d]: %s", status, e.Error, e.Codes, c.status, c.oauth, c.code, body)
			}
			if !strings.HasPrefix(e.Description, "AADSTS") || !strings.Contains(e.Description, c.says) ||
				!strings.Contains(e.Description, "\r\nTrace ID: "+e.TraceID+"\r\nCorrelation ID: "+e.CorrelationID+"\r\nTimestamp: ") {
				t.Errorf("error_description = %q, want the AADSTS message saying %q and the trace lines", e.Description, c.says)
			}
			if strings.Contains(string(body), h.creds.ClientSecret) {
				t.Error("the error body echoes the client secret")
			}
		})
	}
	t.Run("fixture", func(t *testing.T) {
		_, body := h.postToken(h.demo.Tenant.ID, cases[0].form)
		h.matchFixture("token-invalid-secret.json", body)
	})
	t.Run("GET", func(t *testing.T) {
		resp, err := http.Get(h.ts.URL + "/" + h.demo.Tenant.ID + "/oauth2/v2.0/token")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET token endpoint: %s, want 405", resp.Status)
		}
	})
}

// TestTokenSecretRotates: a second EnsureClient (serve's next start)
// revokes the first secret and keeps the client ID.
func TestTokenSecretRotates(t *testing.T) {
	h := newHarness(t)
	again, err := h.srv.EnsureClient(context.Background(), "ssowiz automation", AutomationPermissions())
	if err != nil {
		t.Fatal(err)
	}
	if again.ClientID != h.creds.ClientID || again.ClientSecret == h.creds.ClientSecret {
		t.Fatalf("EnsureClient again: %v, want the same client with a new secret", again.ClientID)
	}
	if len(again.ClientSecret) != 40 || again.ClientSecret[3:6] != "8Q~" {
		t.Errorf("secret %q is not shaped like the portal's", again.ClientSecret[:6]+"…")
	}
	if status, _ := h.postToken(h.demo.Tenant.ID, url.Values{"client_id": {h.creds.ClientID}, "client_secret": {h.creds.ClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}}); status != http.StatusUnauthorized {
		t.Errorf("the revoked secret still works (%d)", status)
	}
	h.tokenFor(again)
	if _, err := h.srv.EnsureClient(context.Background(), "x", []string{"Mail.Send"}); err == nil {
		t.Error("an unknown permission was accepted")
	}
}

// TestGraphRejectsBadTokens checks Graph's 401 for a missing, malformed,
// expired, foreign or wrong-audience token, and 403 for a token without
// the permission.
func TestGraphRejectsBadTokens(t *testing.T) {
	h := newHarness(t)
	resp, body := h.callWith("", http.MethodGet, "/users", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
		t.Fatalf("no token: %s %s", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	h.matchFixture("error-unauthorized.json", body)

	other, _ := rsa.GenerateKey(seeded(), 1024)
	forged := func(edit func(jwt.MapClaims)) string {
		c := jwt.MapClaims{"aud": Audience, "iss": issuerFor(h.demo.Tenant.ID), "tid": h.demo.Tenant.ID,
			"exp": h.clock.Now().Add(time.Hour).Unix(), "iat": h.clock.Now().Unix(), "roles": []string{UserReadAll}}
		edit(c)
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		k, _ := h.srv.signingKey(&http.Request{})
		tok.Header["kid"] = k.kid
		s, err := tok.SignedString(k.key.Key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	otherKey := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"aud": Audience, "exp": h.clock.Now().Add(time.Hour).Unix()})
	signedOther, _ := otherKey.SignedString(other)
	for name, c := range map[string]struct{ token, says string }{
		"not a JWT":      {"opaque-token", "IDX14100"},
		"other key":      {signedOther, "Access token validation failure."},
		"expired":        {forged(func(c jwt.MapClaims) { c["exp"] = h.clock.Now().Add(-time.Minute).Unix() }), "Lifetime validation failed, the token is expired."},
		"wrong audience": {forged(func(c jwt.MapClaims) { c["aud"] = "api://rudderstack" }), "Invalid audience."},
		"other tenant":   {forged(func(c jwt.MapClaims) { c["tid"] = "11111111-2222-3333-4444-555555555555" }), "Access token validation failure."},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := h.callWith(c.token, http.MethodGet, "/users", nil)
			e := graphErr(t, body)
			if resp.StatusCode != http.StatusUnauthorized || e.Code != "InvalidAuthenticationToken" || !strings.Contains(e.Message, c.says) {
				t.Errorf("got %s %s %q, want 401 InvalidAuthenticationToken saying %q", resp.Status, e.Code, e.Message, c.says)
			}
		})
	}

	t.Run("missing permission", func(t *testing.T) {
		reader, err := h.srv.EnsureClient(context.Background(), "read only", []string{UserReadAll})
		if err != nil {
			t.Fatal(err)
		}
		tok := h.tokenFor(reader)
		if resp, body := h.callWith(tok, http.MethodGet, "/users", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("User.Read.All cannot list users: %s %s", resp.Status, body)
		}
		resp, body := h.callWith(tok, http.MethodPost, "/users", map[string]any{"displayName": "x"})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("User.Read.All created a user: %s", resp.Status)
		}
		h.matchFixture("error-forbidden.json", body)
		if resp, _ := h.callWith(tok, http.MethodGet, "/groups", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("User.Read.All listed groups: %s", resp.Status)
		}
	})
}
