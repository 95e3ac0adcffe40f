package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/syncbuf"
)

// startServe runs `ssowiz serve` with args until the test ends and returns
// its stdout once the first line is complete.
func startServe(t *testing.T, args ...string) (stdout *syncbuf.Buffer, stop func() int) {
	t.Helper()
	stdout, _, stop = startServeStderr(t, args...)
	return stdout, stop
}

// startServeStderr is startServe that also returns stderr.
func startServeStderr(t *testing.T, args ...string) (stdout, stderr *syncbuf.Buffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0"}, args...),
			newEnv(strings.NewReader(""), stdout, stderr))
	}()
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop within 10 s of Ctrl-C")
			return -1
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "\n") {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before it was ready; stderr:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed nothing in 30 s; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { cancel() })
	return stdout, stderr, stop
}

func TestServeJSONIsReadyAndStopsCleanly(t *testing.T) {
	stdout, stop := startServe(t, "--json")
	var info struct {
		IDPMetadataURL string `json:"idp_metadata_url"`
		IDPSSOURL      string `json:"idp_sso_url"`
		SPLoginURL     string `json:"sp_login_url"`
		SPACSURL       string `json:"sp_acs_url"`
		SPEntityID     string `json:"sp_entity_id"`
		SCIMBaseURL    string `json:"scim_base_url"`
		AdminPAT       string `json:"admin_pat"`
		GraphBaseURL   string `json:"graph_base_url"`
		GraphClientID  string `json:"graph_client_id"`
		GraphSecret    string `json:"graph_client_secret"`
		GraphTokenURL  string `json:"graph_token_url"`
		Users          []struct {
			UPN      string `json:"upn"`
			Password string `json:"password"`
			Assigned *bool  `json:"assigned"`
		} `json:"users"`
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if info.SPEntityID != "urn:amazon:cognito:sp:us-east-1_ABZiTjXia" || !strings.HasSuffix(info.SPACSURL, "/saml2/idpresponse") ||
		!strings.HasSuffix(info.SPLoginURL, "/sso") || !strings.Contains(info.IDPMetadataURL, "/federationmetadata/2007-06/federationmetadata.xml?appid=") ||
		!strings.HasSuffix(info.IDPSSOURL, "/saml2") || !strings.HasSuffix(info.SCIMBaseURL, "/scim/v2") || !strings.HasPrefix(info.AdminPAT, "rspat_") {
		t.Fatalf("serve --json: %+v", info)
	}
	if len(info.Users) < 5 {
		t.Fatalf("want the demo users, got %+v", info.Users)
	}
	for _, u := range info.Users {
		if u.UPN == "" || u.Password == "" || u.Assigned == nil {
			t.Fatalf("demo user without upn, password or assigned: %+v", u)
		}
	}
	if !strings.HasSuffix(info.GraphBaseURL, "/v1.0") || info.GraphClientID == "" || info.GraphSecret == "" || !strings.HasSuffix(info.GraphTokenURL, "/oauth2/v2.0/token") {
		t.Fatalf("serve --json lacks the Graph client: %+v", info)
	}
	// The Graph client works as printed.
	resp, err := http.PostForm(info.GraphTokenURL, url.Values{"client_id": {info.GraphClientID}, "client_secret": {info.GraphSecret},
		"scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, info.GraphBaseURL+"/users?$top=1", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/users with the printed client: %s", info.GraphBaseURL, resp.Status)
	}
	// The URLs answer as soon as they are printed.
	for _, u := range []string{info.IDPMetadataURL, info.SPLoginURL} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
	}
	if code := stop(); code != exitOK {
		t.Fatalf("serve exited %d after Ctrl-C, want 0", code)
	}
}

func TestServeHumanOutputNamesTheSignInURLAndUsers(t *testing.T) {
	stdout, stop := startServe(t)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C to stop.") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{"Sign in here", "/sso", "AdeleV@", "AADSTS50105", "State is in memory", "/v1.0", "Client secret"} {
		if !strings.Contains(out, want) {
			t.Fatalf("serve output lacks %q:\n%s", want, out)
		}
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
}

func TestServeRefusesABusyPort(t *testing.T) {
	stdout, stop := startServe(t, "--json")
	var info struct {
		SPLoginURL string `json:"sp_login_url"`
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	json.Unmarshal([]byte(line), &info)
	busy := strings.TrimSuffix(strings.TrimPrefix(info.SPLoginURL, "http://"), "/sso")
	var errOut syncbuf.Buffer
	code := run(context.Background(), []string{"serve", "--idp-addr", "127.0.0.1:0", "--sp-addr", busy}, newEnv(strings.NewReader(""), io.Discard, &errOut))
	if code != exitFailed || !strings.Contains(errOut.String(), "--sp-addr") {
		t.Fatalf("busy port: exit %d, stderr %q; want exit 1 naming --sp-addr", code, errOut.String())
	}
	stop()
}

// With --secrets-file, neither the token nor a password reaches stdout:
// they are in a 0600 file, which works, and which goes away with an
// in-memory lab.
func TestServeSecretsFileKeepsSecretsOffStdout(t *testing.T) {
	for _, asJSON := range []bool{true, false} {
		t.Run(map[bool]string{true: "json", false: "text"}[asJSON], func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secrets.json")
			// A file left with a wider mode is replaced by a 0600 one.
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"--secrets-file", path}
			if asJSON {
				args = append(args, "--json")
			}
			stdout, stop := startServe(t, args...)
			deadline := time.Now().Add(10 * time.Second)
			for !asJSON && !strings.Contains(stdout.String(), "Press Ctrl-C to stop.") && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("secrets file mode %04o, want 0600", perm)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var secrets struct {
				AdminPAT    string `json:"admin_pat"`
				GraphSecret string `json:"graph_client_secret"`
				Users       []struct{ UPN, Password string }
			}
			if err := json.Unmarshal(data, &secrets); err != nil {
				t.Fatalf("secrets file is not JSON: %v", err)
			}
			if !strings.HasPrefix(secrets.AdminPAT, "rspat_") || len(secrets.Users) < 5 {
				t.Fatalf("secrets file lacks the token or the users: %s", data)
			}
			out := stdout.String()
			for _, u := range secrets.Users {
				if u.Password == "" || strings.Contains(out, u.Password) {
					t.Errorf("%s: password missing from the file or printed on stdout", u.UPN)
				}
				if !strings.Contains(out, u.UPN) {
					t.Errorf("stdout should still list %s", u.UPN)
				}
			}
			if strings.Contains(out, secrets.AdminPAT) || strings.Contains(out, secrets.AdminPAT[len("rspat_"):]) {
				t.Error("the admin token is on stdout")
			}
			if len(secrets.GraphSecret) != 40 || strings.Contains(out, secrets.GraphSecret) {
				t.Error("the Graph client secret is missing from the file or on stdout")
			}
			if !strings.Contains(out, path) {
				t.Errorf("stdout does not say where the secrets are:\n%s", out)
			}
			if asJSON {
				var info struct {
					SecretsFile string `json:"secrets_file"`
					SCIMBaseURL string `json:"scim_base_url"`
				}
				line, _, _ := strings.Cut(out, "\n")
				if err := json.Unmarshal([]byte(line), &info); err != nil || info.SecretsFile != path {
					t.Fatalf("secrets_file = %q (%v)", info.SecretsFile, err)
				}
				// The token in the file is the live one.
				req, _ := http.NewRequest(http.MethodGet, info.SCIMBaseURL+"/Users", nil)
				req.Header.Set("Authorization", "Bearer "+secrets.AdminPAT)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("the file's token: SCIM answered %s", resp.Status)
				}
			}
			if code := stop(); code != exitOK {
				t.Fatalf("exit %d", code)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("the secrets of an in-memory lab outlive it (stat: %v)", err)
			}
		})
	}
}

func TestServeSecretsFileThatIsADirectory(t *testing.T) {
	dir := t.TempDir()
	var errOut syncbuf.Buffer
	code := run(context.Background(), []string{"serve", "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0", "--secrets-file", dir},
		newEnv(strings.NewReader(""), io.Discard, &errOut))
	if code != exitBadArgs || !strings.Contains(errOut.String(), "is a directory") {
		t.Fatalf("exit %d, stderr %q; want a usage error saying it is a directory", code, errOut.String())
	}
}

// A data directory others can read gets a warning; its files are 0600
// whatever its mode.
func TestServeDataFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, stop := startServeStderr(t, "--json", "--data", dir)
	if !strings.Contains(stderr.String(), "warning: the data directory "+dir) || !strings.Contains(stderr.String(), "chmod 700") {
		t.Errorf("no warning for a 0755 data directory; stderr:\n%s", stderr.String())
	}
	check := func() {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Fatal("nothing in the data directory")
		}
		for _, e := range entries {
			fi, _ := e.Info()
			if fi != nil && fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %04o", e.Name(), fi.Mode().Perm())
			}
		}
	}
	check() // while running: the databases with their WAL and SHM files
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	check()
}

// Without --data, the signing keys are made once and kept, owner-only, in
// the user's cache directory (TestMain points it at a temporary one); the
// next start uses them rather than making new ones.
func TestServeWithoutDataKeepsItsKeysInTheCache(t *testing.T) {
	_, stop := startServe(t, "--json")
	stop()
	dir := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "ssowiz", "keys")
	read := func() map[string]string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, e := range entries {
			fi, _ := e.Info()
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("%s has mode %04o, want 0600", e.Name(), perm)
			}
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			files[e.Name()] = string(b)
		}
		return files
	}
	first := read()
	if len(first) < 2 {
		t.Fatalf("%d cached keys, want the tenant's and the app's", len(first))
	}
	_, stop = startServe(t, "--json")
	stop()
	second := read()
	for name, key := range first {
		if second[name] != key {
			t.Errorf("%s changed between starts", name)
		}
	}
}

// A tenant of thousands of users lists a few on the terminal and says
// where the rest are, so the addresses printed above stay in sight.
func TestServeListsAFewUsersOfALargeTenant(t *testing.T) {
	info := servedInfo{}
	for i := range maxListedUsers + 5 {
		info.Users = append(info.Users, lab.User{UPN: fmt.Sprintf("u%02d@contoso.onmicrosoft.com", i), Password: fmt.Sprintf("Pass-word-%02d", i)})
	}
	for _, tc := range []struct{ secrets, where string }{
		{"", "... and 5 more users: serve --json lists them all, with their passwords."},
		{"/tmp/s.json", "... and 5 more users: all of them, with their passwords, are in /tmp/s.json."},
	} {
		info.SecretsFile = tc.secrets
		var out strings.Builder
		printInfo(&out, info, "", false, "")
		last := fmt.Sprintf("u%02d@", maxListedUsers-1)
		if !strings.Contains(out.String(), last) || strings.Contains(out.String(), fmt.Sprintf("u%02d@", maxListedUsers)) || !strings.Contains(out.String(), tc.where) {
			t.Errorf("want users up to %s and %q:\n%s", last, tc.where, out.String())
		}
	}
}

// Without --data, serve keeps the tenant a file makes in the cache
// directory (files only the user can read) and the next start of the same
// file serves it again: the same users with the same generated passwords.
// With --data the directory is the state, and nothing is cached.
func TestServeWithoutDataKeepsItsTenantInTheCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "tenant.yaml")
	os.WriteFile(path, mustDemo(t), 0o600)
	users := func(args ...string) string {
		stdout, stop := startServe(t, append([]string{"--json", "--tenant", path}, args...)...)
		defer stop()
		var info struct {
			Users json.RawMessage `json:"users"`
		}
		line, _, _ := strings.Cut(stdout.String(), "\n")
		if err := json.Unmarshal([]byte(line), &info); err != nil {
			t.Fatal(err)
		}
		return string(info.Users)
	}
	dir := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "ssowiz", "tenants")
	users("--data", t.TempDir())
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("a start with --data cached its tenant")
	}
	first := users()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("cache directory mode %04o, want 0700", perm)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("%d files in the tenant cache, want an image and its digest", len(entries))
	}
	for _, e := range entries {
		fi, _ := e.Info()
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", e.Name(), perm)
		}
	}
	if again := users(); again != first {
		t.Fatalf("the second start's users differ from the first's:\n%s\n%s", again, first)
	}
}
