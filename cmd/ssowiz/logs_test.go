package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/syncbuf"
)

// TestFeedAndLogs: a refused sign-in shows up in serve's live feed and in
// `ssowiz logs` (text and --json), read over Graph with serve's client.
func TestFeedAndLogs(t *testing.T) {
	stdout, stop := startServe(t, "--json", "--feed")
	var info struct {
		IDPBaseURL   string `json:"idp_base_url"`
		IDPSSOURL    string `json:"idp_sso_url"`
		TenantID     string `json:"tenant_id"`
		ClientID     string `json:"graph_client_id"`
		ClientSecret string `json:"graph_client_secret"`
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(info.IDPSSOURL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "AADSTS750054") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "Entra refused Someone's sign-in to an unknown app: AADSTS750054 SAMLRequest or SAMLResponse must be present") {
		t.Fatalf("the feed lacks the refused sign-in:\n%s", stdout.String())
	}

	env := map[string]string{"AZURE_TENANT_ID": info.TenantID, "AZURE_CLIENT_ID": info.ClientID, "AZURE_CLIENT_SECRET": info.ClientSecret}
	logs := func(vars map[string]string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		e := newEnv(strings.NewReader(""), &out, &errOut)
		e.getenv = func(k string) string { return vars[k] }
		code := run(context.Background(), append([]string{"logs", "--url", info.IDPBaseURL}, args...), e)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := logs(env)
	if code != exitOK || !strings.Contains(out, "AADSTS750054") {
		t.Fatalf("ssowiz logs: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = logs(env, "--json")
	var obj struct {
		Type   string `json:"@odata.type"`
		Status struct {
			ErrorCode int `json:"errorCode"`
		} `json:"status"`
	}
	first, _, _ := strings.Cut(out, "\n")
	if err := json.Unmarshal([]byte(first), &obj); code != exitOK || err != nil || obj.Type != "#microsoft.graph.signIn" || obj.Status.ErrorCode != 750054 {
		t.Fatalf("ssowiz logs --json: exit %d %v\n%s", code, err, out)
	}
	code, _, errOut = logs(map[string]string{"AZURE_TENANT_ID": info.TenantID})
	if code != exitBadArgs || !strings.Contains(errOut, "AZURE_CLIENT_ID") || !strings.Contains(errOut, "AZURE_CLIENT_SECRET") {
		t.Fatalf("without credentials: exit %d %s", code, errOut)
	}
	wrong := map[string]string{"AZURE_TENANT_ID": info.TenantID, "AZURE_CLIENT_ID": info.ClientID, "AZURE_CLIENT_SECRET": "abc8Q~wrong"}
	code, _, errOut = logs(wrong)
	if code != exitBadArgs || !strings.Contains(errOut, "AADSTS7000215") || strings.Contains(errOut, info.ClientSecret) {
		t.Fatalf("a wrong secret: exit %d %s", code, errOut)
	}

	// --follow prints what is there, then each new entry once.
	ctx, cancel := context.WithCancel(context.Background())
	followOut := &syncbuf.Buffer{}
	fe := newEnv(strings.NewReader(""), followOut, io.Discard)
	fe.getenv = func(k string) string { return env[k] }
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"logs", "--url", info.IDPBaseURL, "--follow", "--interval", "50ms"}, fe)
	}()
	resp, err = http.Get(info.IDPBaseURL + "/" + info.TenantID + "/saml2/idpinitiated?appid=00000000-0000-0000-0000-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(followOut.String(), "AADSTS700016") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("logs --follow: exit %d", code)
	}
	got := followOut.String()
	if strings.Count(got, "AADSTS750054") != 1 || strings.Count(got, "AADSTS700016") != 1 {
		t.Fatalf("logs --follow printed:\n%s", got)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
}
