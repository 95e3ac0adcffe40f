package sp_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/sp"
)

func TestHostRoutingWithDistinctHosts(t *testing.T) {
	var scimPaths []string
	scim := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scimPaths = append(scimPaths, r.URL.Path)
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(`{"totalResults":0}`))
	})
	h := newHarness(t, harnessOptions{scim: scim})
	b := h.browser()
	b.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	tests := []struct {
		method, url string
		status      int
		contentType string
	}{
		{"GET", appURL + "/sso", http.StatusOK, "text/html"},
		{"GET", appURL + "/scim/v2/Users", http.StatusNotFound, "text/html"},
		{"GET", appURL + "/oauth2/authorize", http.StatusNotFound, "text/html"},
		{"POST", appURL + "/saml2/idpresponse", http.StatusNotFound, "text/html"},
		{"GET", authURL + "/sso", http.StatusNotFound, "text/html"},
		{"GET", authURL + "/api/me", http.StatusNotFound, "text/html"},
		{"GET", authURL + "/scim/v2/Users", http.StatusNotFound, "text/html"},
		{"GET", authURL + "/saml2/idpresponse", http.StatusMethodNotAllowed, "text/html"},
		{"GET", apiURL + "/sso", http.StatusNotFound, "application/json"},
		{"GET", apiURL + "/", http.StatusNotFound, "application/json"},
		{"GET", apiURL + "/saml2/idpresponse", http.StatusNotFound, "application/json"},
		{"GET", apiURL + "/scim/v2/Users", http.StatusOK, "application/scim+json"},
		// A port in Host does not change the routing.
		{"GET", apiURL + ":80/scim/v2/ServiceProviderConfig", http.StatusOK, "application/scim+json"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		resp, err := b.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("%s %s = %d %s, want %d %s", tc.method, tc.url, resp.StatusCode,
				resp.Header.Get("Content-Type"), tc.status, tc.contentType)
		}
	}
	if want := []string{"/scim/v2/Users", "/scim/v2/ServiceProviderConfig"}; strings.Join(scimPaths, ",") != strings.Join(want, ",") {
		t.Errorf("SCIM handler saw %q, want %q (the full path)", scimPaths, want)
	}
}

func TestSCIMWithoutServerIsSCIMShaped404(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	resp, err := h.browser().Client.Get(apiURL + "/scim/v2/Users")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
		Detail  string   `json:"detail"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/scim+json" ||
		len(body.Schemas) != 1 || body.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || body.Status != "404" {
		t.Errorf("got %d %s %+v, want a SCIM 404 error", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestOneHostServesEverything(t *testing.T) {
	const base = "http://127.0.0.1:8080"
	h := newHarness(t, harnessOptions{hosts: [3]string{base, base, base}})
	if got := h.srv.ACSURL(); got != base+"/saml2/idpresponse" {
		t.Errorf("ACS = %q", got)
	}
	if got := h.srv.SCIMBaseURL(); got != base+"/scim/v2" {
		t.Errorf("SCIM base = %q", got)
	}
	b, page := h.signIn()
	if page.URL.String() != base+"/" {
		t.Fatalf("one-host sign-in ended at %s: %s", page.URL, page.Body)
	}
	resp, err := b.Client.Get(base + "/scim/v2/Users")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/scim+json" {
		t.Errorf("SCIM on the one host: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestNewRejectsBadBaseURLs(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for _, tc := range []struct{ name, app string }{
		{"no scheme", "app.rudderstack.com"},
		{"a path", "https://app.rudderstack.com/app"},
		{"ftp", "ftp://app.rudderstack.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sp.Config{Accounts: h.accounts, AppURL: tc.app, AuthURL: authURL, APIURL: apiURL}
			if _, err := sp.New(cfg); err == nil || !strings.Contains(err.Error(), "AppURL") {
				t.Errorf("New with AppURL %q: %v, want an error naming AppURL", tc.app, err)
			}
		})
	}
}
