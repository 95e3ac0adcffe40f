package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/provisioning/scimtest"
)

func runSCIM(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errOut)
	if getenv != nil {
		e.getenv = getenv
	}
	code = run(context.Background(), append([]string{"scim", "validate"}, args...), e)
	return code, out.String(), errOut.String()
}

// Without --url the suite runs against ssowiz's own SP: every user case
// passes and groups are expected-unsupported, exit 0.
func TestSCIMValidateOwnSP(t *testing.T) {
	code, out, errOut := runSCIM(t, nil)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"PASS        Test Connection", "PASS        Disable and re-enable (default dialect", "UNSUPPORTED Groups: create", "0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// --json prints one JSON report; the token may come from the environment.
func TestSCIMValidateJSONWithEnvToken(t *testing.T) {
	srv := scimtest.New()
	defer srv.Close()
	srv.Token = "env-token-123456"
	env := func(k string) string {
		if k == tokenEnv {
			return "env-token-123456"
		}
		return ""
	}
	code, out, errOut := runSCIM(t, env, "--url", srv.URL(), "--json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var rep struct {
		BaseURL string `json:"baseUrl"`
		Failed  int    `json:"failed"`
		Cases   []struct {
			Name, Status string
		} `json:"cases"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.BaseURL != srv.URL() || rep.Failed != 0 || len(rep.Cases) < 20 {
		t.Errorf("report = %+v", rep)
	}
}

// A failing case exits 1 and shows the exchange; the token never appears.
func TestSCIMValidateFailure(t *testing.T) {
	srv := scimtest.New()
	defer srv.Close()
	srv.Token = "secret-token-7890"
	srv.Intercept = func(r scimtest.Request) *scimtest.Response {
		if r.Method == http.MethodPatch && strings.Contains(string(r.Body), `"False"`) {
			return &scimtest.Response{Status: 400, Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"active must be a boolean"}`}
		}
		return nil
	}
	code, out, _ := runSCIM(t, nil, "--url", srv.URL(), "--token", "secret-token-7890")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "FAIL        Disable and re-enable (default dialect") || !strings.Contains(out, "active must be a boolean") {
		t.Errorf("output:\n%s", out)
	}
	if strings.Contains(out, "secret-token-7890") {
		t.Error("the token is in the output")
	}
}

func TestSCIMValidateBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--url", "https://api.rudderstack.com/scim/v2"}, "--url needs the server's bearer token"},
		{[]string{"--token", "x"}, "--token needs --url"},
		{[]string{"--url", "api.rudderstack.com/scim/v2", "--token", "x"}, "absolute http(s) URL"},
		{[]string{"--url", "https://h/scim", "--token", "x", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"--frobnicate"}, "unknown flag"},
		{[]string{"extra"}, "unknown command"},
	}
	for _, tt := range tests {
		code, _, errOut := runSCIM(t, func(string) string { return "" }, tt.args...)
		if code != exitBadArgs || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 mentioning %q", tt.args, code, errOut, tt.want)
		}
	}
}
