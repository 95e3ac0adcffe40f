package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, newEnv(strings.NewReader(""), &out, &errOut))
	return code, out.String(), errOut.String()
}

// tenant init writes the demo tenant, which serve reads back; it never
// overwrites a file without --force.
func TestTenantInitWritesTheDemoTenant(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.yaml")
	if code, out, errOut := runCmd(t, "tenant", "init", path); code != exitOK || !strings.Contains(out, "serve --tenant "+path) {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	data, _ := os.ReadFile(path)
	if !bytes.HasPrefix(data, []byte("# ssowiz tenant file")) || !bytes.Contains(data, []byte("version: 1")) {
		t.Fatalf("written file:\n%s", data)
	}
	if code, _, errOut := runCmd(t, "tenant", "init", path); code != exitBadArgs || !strings.Contains(errOut, "--force") {
		t.Fatalf("second init: exit %d, %s", code, errOut)
	}
	if code, _, _ := runCmd(t, "tenant", "init", path, "--force"); code != exitOK {
		t.Fatalf("init --force: exit %d", code)
	}
	if code, out, _ := runCmd(t, "tenant", "validate", path); code != exitOK || !strings.Contains(out, "6 users, 1 group, 1 app") {
		t.Fatalf("validate: exit %d %s", code, out)
	}
}

// serve --tenant serves the file's users; a wrong file is bad input with
// the line and field, before anything starts.
func TestServeTenantFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	text := strings.Replace(string(mustDemo(t)), "users:\n", "users:\n  - upn: Pat@contoso.onmicrosoft.com\n    display_name: Pat Doe\n    password: Correct-Horse-9\n    note: added in the tenant file\n", 1)
	os.WriteFile(good, []byte(text), 0o644)
	stdout, stop := startServe(t, "--json", "--tenant", good)
	var info struct {
		Users []struct {
			UPN, Password string
			Assigned      bool
		} `json:"users"`
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Users) != 7 || info.Users[0].UPN != "Pat@contoso.onmicrosoft.com" || info.Users[0].Password != "Correct-Horse-9" || info.Users[0].Assigned {
		t.Fatalf("users %+v", info.Users)
	}
	stop()

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(strings.Replace(text, "option: assertion ", "option: sign-it ", 1)), 0o644)
	code, _, errOut := runCmd(t, "serve", "--tenant", bad, "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0")
	if code != exitBadArgs || !strings.Contains(errOut, bad+":") || !strings.Contains(errOut, `apps[0].signing.option: "sign-it" is not an option`) {
		t.Fatalf("bad file: exit %d\n%s", code, errOut)
	}
}

func mustDemo(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"tenant", "init", "-"}, newEnv(strings.NewReader(""), &out, &out)); code != exitOK {
		t.Fatalf("tenant init -: %d %s", code, out.String())
	}
	return out.Bytes()
}

// --sp-metadata adds an app from an SP's metadata; --json lists every app
// with the URLs its SP needs, beside the keys it always had.
func TestServeSPMetadata(t *testing.T) {
	fixture := filepath.Join("..", "..", "internal", "tenant", "testdata", "spmetadata", "node-saml.xml")
	stdout, stop := startServe(t, "--json", "--sp-metadata", fixture)
	var info struct {
		IDPMetadataURL string `json:"idp_metadata_url"`
		AdminPAT       string `json:"admin_pat"`
		Apps           []struct {
			Name, Identifier string
			ReplyURL         string `json:"reply_url"`
			Builtin          bool
			MetadataURL      string `json:"app_federation_metadata_url"`
			SAMLEndpoint     string `json:"saml_endpoint"`
			IDPInitiatedURL  string `json:"idp_initiated_url"`
			LogoutURL        string `json:"logout_url"`
		} `json:"apps"`
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Apps) != 2 || !info.Apps[0].Builtin || info.IDPMetadataURL != info.Apps[0].MetadataURL || info.AdminPAT == "" {
		t.Fatalf("apps %+v", info.Apps)
	}
	node := info.Apps[1]
	if node.Name != "node-app.example.com/saml/metadata" || node.Identifier != "https://node-app.example.com/saml/metadata" ||
		node.ReplyURL != "http://localhost:3000/login/callback" || !strings.Contains(node.MetadataURL, "appid=") ||
		!strings.HasSuffix(node.SAMLEndpoint, "/saml2") || !strings.Contains(node.IDPInitiatedURL, "idpinitiated") ||
		node.LogoutURL != "http://localhost:3000/logout/callback" {
		t.Fatalf("the app from metadata: %+v", node)
	}
	stop()

	code, _, errOut := runCmd(t, "serve", "--sp-metadata", "nowhere.xml", "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0")
	if code != exitBadArgs || !strings.Contains(errOut, "--sp-metadata nowhere.xml: read the metadata file") {
		t.Fatalf("missing metadata: exit %d %s", code, errOut)
	}
}

func TestServeSCIMTokenNeedsURL(t *testing.T) {
	code, _, errOut := runCmd(t, "serve", "--scim-token", "x", "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0")
	if code != exitBadArgs || !strings.Contains(errOut, "--scim-token needs --scim-url") {
		t.Fatalf("exit %d %s", code, errOut)
	}
}
