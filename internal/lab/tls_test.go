package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLoopbackTLS: `serve --tls-ca` serves both mocks over HTTPS at the
// listeners' addresses, and a client that trusts only the CA's certificate
// (as NODE_EXTRA_CA_CERTS makes msal and Graph's SDK do) finds https URLs
// everywhere it looks: the discovery document msal reads, the token
// endpoint, Graph and its @odata.nextLink; and sign-in works over it.
func TestLoopbackTLS(t *testing.T) {
	l := startLab(t, Options{Mode: LoopbackTLS})
	info := l.Info()
	for name, u := range map[string]string{"idp_metadata_url": info.IDPMetadataURL, "sp_login_url": info.SPLoginURL,
		"graph_base_url": info.GraphBaseURL, "graph_token_url": info.GraphTokenURL, "scim_base_url": info.SCIMBaseURL} {
		if !strings.HasPrefix(u, "https://127.0.0.1:") {
			t.Errorf("%s = %s, want https on the listener's address", name, u)
		}
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(l.CA.CertPEM()) {
		t.Fatal("the CA's PEM holds no certificate")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	getJSON := func(u, token string, v any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s with only the CA trusted: %v", u, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var disco map[string]any
	getJSON(strings.TrimSuffix(info.IDPBaseURL, "/")+"/"+info.TenantID+"/v2.0/.well-known/openid-configuration", "", &disco)
	for _, k := range []string{"token_endpoint", "authorization_endpoint", "jwks_uri", "issuer"} {
		if v, _ := disco[k].(string); !strings.HasPrefix(v, "https://") {
			t.Errorf("discovery %s = %v, want https (msal compares it with the authority)", k, disco[k])
		}
	}
	resp, err := client.PostForm(disco["token_endpoint"].(string), url.Values{"client_id": {info.GraphClientID},
		"client_secret": {info.GraphClientSecret}, "scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token: %s", resp.Status)
	}
	var page struct {
		Context  string `json:"@odata.context"`
		NextLink string `json:"@odata.nextLink"`
	}
	getJSON(info.GraphBaseURL+"/users?$top=1", tok.AccessToken, &page)
	if !strings.HasPrefix(page.Context, info.GraphBaseURL) || !strings.HasPrefix(page.NextLink, info.GraphBaseURL+"/users?") {
		t.Errorf("@odata.context %q, @odata.nextLink %q: want them on %s", page.Context, page.NextLink, info.GraphBaseURL)
	}
	adele := demoUser(t, l, "AdeleV")
	if o := signIn(t, l, adele.UPN, adele.Password); !o.SignedIn {
		t.Fatalf("sign-in over HTTPS: %s", o)
	}
}

// TestLoopbackTLSKeepsItsCAWithData: with --data, a restarted serve
// presents certificates from the same CA, so a client told to trust the
// first start's CA file (NODE_EXTRA_CA_CERTS) reaches the second.
func TestLoopbackTLSKeepsItsCAWithData(t *testing.T) {
	dir := t.TempDir()
	first, err := Start(t.Context(), Options{Mode: LoopbackTLS, DataDir: dir, NewKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	trusted := first.CA.CertPEM()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	second := startLab(t, Options{Mode: LoopbackTLS, DataDir: dir})
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(trusted)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Get(second.Info().IDPMetadataURL)
	if err != nil {
		t.Fatalf("the restarted serve is not trusted through the first start's CA file: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET metadata: %s", resp.Status)
	}
	// Without --data each start has its own CA.
	a, b := startLab(t, Options{Mode: LoopbackTLS}), startLab(t, Options{Mode: LoopbackTLS})
	if a.CA.SPKIHash() == b.CA.SPKIHash() {
		t.Error("two starts without --data share a CA")
	}
}
