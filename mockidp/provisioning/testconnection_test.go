package provisioning

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning/scimtest"
)

// Test Connection is one GET with the random GUID, form-encoded, the
// token as Bearer and no Accept header (reference §2.1), and works on
// values that were never saved.
func TestTestConnectionRequest(t *testing.T) {
	f := newFixture(t)
	f.configure(func(c *directory.ProvisioningConfig) {
		c.TenantURL, c.SecretToken, c.Enabled = "", directory.Secret{}, false
	})
	res := f.eng.TestConnection(f.ctx, Connection{TenantURL: f.srv.URL() + "/?aadOptscim062020", SecretToken: directory.NewSecret(testToken)})
	if !res.OK || res.Message != testOKMessage || res.Code != "" || res.Dialect != DialectSCIM {
		t.Fatalf("result = %+v", res)
	}
	reqs := f.srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if want := "/Users?filter=userName+eq+%22" + testGUID + "%22"; r.Method != http.MethodGet || r.Path != want {
		t.Errorf("request = %s %s, want GET %s", r.Method, r.Path, want)
	}
	if a := r.Header.Get("Accept"); a != "" {
		t.Errorf("Accept = %q, want none", a)
	}
	if a := r.Header.Get("Authorization"); a != "Bearer "+testToken {
		t.Errorf("Authorization = %q", a)
	}
	if res.Request.Status != 200 || !strings.HasPrefix(res.Request.Path, "/scim/v2/Users?filter=") {
		t.Errorf("exchange = %+v", res.Request)
	}
}

func TestTestConnectionOutcomes(t *testing.T) {
	scimErr := func(status, detail string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"` + status + `","detail":"` + detail + `"}`
	}
	tests := []struct {
		name    string
		token   string
		answer  *scimtest.Response
		closed  bool
		ok      bool
		code    string
		message []string
		hint    []string
		warn    bool
	}{
		{name: "success", token: testToken, ok: true, message: []string{testOKMessage}},
		{name: "401", token: "wrong", code: CodeCredentialFailure,
			message: []string{testCredsPreface, "Received response from Web resource.", `Resource: http://`, `/scim/v2/Users?filter=userName+eq+"` + testGUID + `"`,
				"Operation: GET", "Response Status Code: Unauthorized", "Response Headers: Content-Type: application/scim+json", `Response Content: {"schemas"`},
			hint: []string{"Admin role", "Secret Token"}},
		{name: "403", token: testToken, answer: &scimtest.Response{Status: 403, Body: scimErr("403", "SCIM is not enabled for this organization")}, code: CodeCredentialFailure,
			message: []string{"Response Status Code: Forbidden", "SCIM is not enabled for this organization"},
			hint:    []string{"SCIM is not enabled for the organization", "The server said: SCIM is not enabled"}},
		{name: "404", token: testToken, answer: &scimtest.Response{Status: 404, Body: "404 page not found", ContentType: "text/plain"}, code: CodeCredentialFailure,
			message: []string{"Response Status Code: NotFound", "Response Content: 404 page not found"}, hint: []string{"ensure that the tenant URL is correct"}},
		{name: "500", token: testToken, answer: &scimtest.Response{Status: 500, Body: scimErr("500", "boom")}, code: CodeCredentialFailure,
			message: []string{"Response Status Code: InternalServerError"}, hint: []string{"must answer 200"}},
		{name: "not JSON", token: testToken, answer: &scimtest.Response{Status: 200, Body: "<html>Sign in</html>", ContentType: "text/html"}, code: CodeServiceIncompatible,
			message: []string{"We are not able to deserialize the resource", "<html>Sign in</html>"}, hint: []string{"not with a SCIM ListResponse"}},
		{name: "plain JSON list", token: testToken, ok: true, warn: true, message: []string{testOKMessage},
			answer: &scimtest.Response{Status: 200, ContentType: "application/json", Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`}},
		{name: "unreachable", token: testToken, closed: true, code: CodeUnavailable, message: []string{"An error occured while sending the request"}, hint: []string{"could not reach"}},
		{name: "blank token", token: "", code: CodeCredentialFailure, hint: []string{"Secret Token is blank"}},
		{name: "Bearer pasted", token: "Bearer " + testToken, code: CodeCredentialFailure, hint: []string{`starts with "Bearer "`}},
		// A server that echoes the token: Entra's text must not repeat it,
		// whether it is in the detail, cut by the 2,000-character limit, or
		// after a "Bearer " the admin pasted.
		{name: "401 echoing the token", token: testToken, answer: &scimtest.Response{Status: 401, Body: scimErr("401", "bad token "+testToken)}, code: CodeCredentialFailure,
			message: []string{"bad token [redacted]"}, hint: []string{"The server said: bad token [redacted]"}},
		{name: "401 echoing the token at the length limit", token: testToken, answer: &scimtest.Response{Status: 401, ContentType: "text/plain", Body: strings.Repeat("x", 1975) + testToken}, code: CodeCredentialFailure,
			message: []string{"Response Status Code: Unauthorized"}},
		{name: "401 echoing a pasted Bearer token", token: "Bearer " + testToken, answer: &scimtest.Response{Status: 401, Body: scimErr("401", "bad token "+testToken)}, code: CodeCredentialFailure,
			message: []string{"bad token [redacted]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.answer != nil {
				f.srv.Intercept = func(scimtest.Request) *scimtest.Response { return tt.answer }
			}
			base := f.srv.URL()
			if tt.closed {
				dead := httptest.NewServer(http.NotFoundHandler())
				base = dead.URL + "/scim/v2"
				dead.Close()
			}
			res := f.eng.TestConnection(f.ctx, Connection{TenantURL: base, SecretToken: directory.NewSecret(tt.token)})
			if res.OK != tt.ok || res.Code != tt.code {
				t.Fatalf("OK=%v code=%q, want %v %q\n%s\n%s", res.OK, res.Code, tt.ok, tt.code, res.Message, res.Hint)
			}
			if tt.ok && res.Title != testTitle || !tt.ok && res.Title != testFailedTitle {
				t.Errorf("title %q", res.Title)
			}
			for _, m := range tt.message {
				if !strings.Contains(res.Message, m) {
					t.Errorf("message lacks %q:\n%s", m, res.Message)
				}
			}
			for _, h := range tt.hint {
				if !strings.Contains(res.Hint, h) {
					t.Errorf("hint lacks %q:\n%s", h, res.Hint)
				}
			}
			if (len(res.Warnings) > 0) != tt.warn {
				t.Errorf("warnings = %q", res.Warnings)
			}
			if all := res.Message + res.Hint + res.Request.Detail; strings.Contains(all, testToken) || strings.Contains(all, testToken[:16]) {
				t.Error("the token (or its start) leaked into the result")
			}
		})
	}
}
