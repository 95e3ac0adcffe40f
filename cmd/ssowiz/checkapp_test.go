package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/samlapp"
	"github.com/ssowiz/ssowiz/internal/servectl"
	"github.com/ssowiz/ssowiz/internal/tenant"
)

// appUnderTest runs a small SAML app, writes a tenant file adding it (with
// extra lines for the app), and serves that tenant once with --data, as a
// developer does before pointing the app at the printed metadata URL. It
// returns the tenant file, the data directory and the addresses to reuse.
func appUnderTest(t *testing.T, extra string) (file, data, idpAddr, spAddr string) {
	t.Helper()
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	key, _ := signingKey()
	sp, err := samlapp.New(samlapp.Options{URL: ts.URL, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	md, _ := sp.Metadata()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sp.xml"), md, 0o644)
	file = filepath.Join(dir, "tenant.yaml")
	os.WriteFile(file, []byte(string(tenant.DemoYAML())+"  - name: Go app\n    metadata: sp.xml\n"+strings.ReplaceAll(extra, "SP_URL", ts.URL)), 0o644)
	f, err := tenant.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data = filepath.Join(dir, "data")
	l, err := lab.Start(context.Background(), lab.Options{DataDir: data, Tenant: f, NewKey: signingKey})
	if err != nil {
		t.Fatal(err)
	}
	info := l.Info()
	var metadataURL string
	for _, a := range info.Apps {
		if a.Name == "Go app" {
			metadataURL = a.MetadataURL
		}
	}
	idpAddr, spAddr = strings.TrimPrefix(info.IDPBaseURL, "http://"), strings.TrimPrefix(info.SPBaseURL, "http://")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.Close(ctx)
	if sp, err = samlapp.New(samlapp.Options{URL: ts.URL, Key: key, IDPMetadataURL: metadataURL}); err != nil {
		t.Fatal(err)
	}
	handler = sp.Handler()
	return file, data, idpAddr, spAddr
}

func TestCheckAppPasses(t *testing.T) {
	file, data, idp, spAddr := appUnderTest(t, "    sign_in: {start_url: SP_URL/, text: \"Hello, Adele Vance\"}\n")
	code, out, errOut := runCmd(t, "check", "--tenant", file, "--app", "Go app", "--data", data, "--idp-addr", idp, "--sp-addr", spAddr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"PASS  [1/6] app-metadata", "PASS  [2/6] app-sign-in", "PASS  [3/6] app-assignment", "WARN  [4/6] app-idp-initiated", "SKIP  [5/6] app-scim-connection"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckAppFailsNamingTheField(t *testing.T) {
	file, data, idp, spAddr := appUnderTest(t, "    sign_in:\n      start_url: SP_URL/\n      text: \"Welcome back\"\n")
	code, out, _ := runCmd(t, "check", "--tenant", file, "--app", "Go app", "--data", data, "--idp-addr", idp, "--sp-addr", spAddr, "--json")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	var doc struct {
		OK     bool `json:"ok"`
		Checks []struct {
			ID           string `json:"id"`
			Result       string `json:"result"`
			Remediations []struct {
				Field string `json:"field"`
				Line  int    `json:"line"`
			} `json:"remediations"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.OK || doc.Checks[1].ID != "app-sign-in" || doc.Checks[1].Result != "fail" || len(doc.Checks[1].Remediations) != 1 ||
		doc.Checks[1].Remediations[0].Field != "apps[1].sign_in.text" || doc.Checks[1].Remediations[0].Line != strings.Count(string(tenant.DemoYAML()), "\n")+5 {
		t.Fatalf("report: %+v", doc)
	}

	if code, _, errOut := runCmd(t, "check", "--tenant", file, "--app", "RudderStack", "--data", data, "--idp-addr", idp, "--sp-addr", spAddr); code != exitBadArgs ||
		!strings.Contains(errOut, "ssowiz check's (without --app)") {
		t.Errorf("--app RudderStack: exit %d %s", code, errOut)
	}
}

// check --tenant without --app runs the guide's checks in the developer's
// own tenant: its users sign in to the guide's RudderStack app, added
// since the file has none.
func TestCheckInYourOwnTenant(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tenant.yaml")
	os.WriteFile(file, []byte(`version: 1
tenant: {name: fabrikam, display_name: Fabrikam}
users:
  - {upn: ann@fabrikam.onmicrosoft.com, display_name: Ann Lee, surname: Lee, mail: ann@fabrikam.onmicrosoft.com, password: Ann-pass-1234}
  - {upn: bob@fabrikam.onmicrosoft.com, display_name: Bob Ray, surname: Ray, mail: bob@fabrikam.onmicrosoft.com, password: Bob-pass-1234}
  - {upn: cat@fabrikam.onmicrosoft.com, display_name: Cat Kim, surname: Kim, mail: cat@fabrikam.onmicrosoft.com, password: Cat-pass-1234}
`), 0o644)
	code, out, errOut := runCmd(t, "check", "--tenant", file, "--set", "users.assigned=ann@fabrikam.onmicrosoft.com,bob@fabrikam.onmicrosoft.com", "--only", "sp-sign-in,assignment")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"mock Entra ID (serving " + file + ")", "PASS  [3/8] sp-sign-in", "Bob Ray signed in", "PASS  [4/8] assignment", "refused Cat Kim"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "contoso") {
		t.Errorf("the demo tenant's users appear:\n%s", out)
	}
	os.WriteFile(file, []byte("version: 1\ntenant: {name: fabrikam, display_name: Fabrikam}\n"), 0o644)
	if code, _, errOut := runCmd(t, "check", "--tenant", file); code != exitBadArgs || !strings.Contains(errOut, "Org Admin") {
		t.Errorf("a tenant without users: exit %d %s", code, errOut)
	}
}

// With serve running on the addresses, check --app runs its checks in
// that serve, whose mock Entra ID the app trusts, instead of failing on
// the taken ports; a tenant file that differs from serve's is refused.
func TestCheckAppUsesARunningServe(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	file, data, idp, spAddr := appUnderTest(t, "    sign_in: {start_url: SP_URL/, text: \"Hello, Adele Vance\"}\n")
	_, stop := startServe(t, "--tenant", file, "--data", data, "--idp-addr", idp, "--sp-addr", spAddr, "--json")
	code, out, errOut := runCmd(t, "check", "--tenant", file, "--app", "Go app", "--idp-addr", idp, "--sp-addr", spAddr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"in the ssowiz serve running on " + idp, "PASS  [2/6] app-sign-in", "PASS  [3/6] app-assignment"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := runCmd(t, "check", "--tenant", file, "--app", "Nope", "--idp-addr", idp); code != exitBadArgs || !strings.Contains(errOut, "no such app") {
		t.Errorf("no such app: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "check", "--tenant", file, "--app", "Go app", "--idp-addr", idp, "--data", t.TempDir()); code != exitBadArgs || !strings.Contains(errOut, "keeps its state in "+data) {
		t.Errorf("another --data: exit %d %s", code, errOut)
	}
	text, _ := os.ReadFile(file)
	os.WriteFile(file, append(text, []byte("    assignment_required: false\n")...), 0o644)
	if code, _, errOut := runCmd(t, "check", "--tenant", file, "--app", "Go app", "--idp-addr", idp); code != exitBadArgs || !strings.Contains(errOut, "restart serve so it applies your file") {
		t.Errorf("a changed tenant file: exit %d %s", code, errOut)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("serve exit %d", code)
	}
	// serve is gone, and its record with it: check starts its own mocks.
	os.WriteFile(file, text, 0o644)
	if code, out, errOut := runCmd(t, "check", "--tenant", file, "--app", "Go app", "--data", data, "--idp-addr", idp, "--sp-addr", spAddr); code != exitOK || strings.Contains(out, "serve running") {
		t.Errorf("after serve stopped: exit %d\n%s%s", code, out, errOut)
	}
}

// A port held by another program is an error that says so and how to
// get past it.
func TestCheckAppOnATakenPort(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	file, data, idp, spAddr := appUnderTest(t, "")
	ln, err := net.Listen("tcp", idp)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// A record left by a killed serve on that address is not trusted.
	dir, err := servectl.Dir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := servectl.Write(dir, servectl.Record{PID: 1, IDPAddr: idp, Token: "stale"}); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, "check", "--tenant", file, "--app", "Go app", "--data", data, "--idp-addr", idp, "--sp-addr", spAddr)
	if code != exitBadArgs || !strings.Contains(errOut, idp) || !strings.Contains(errOut, "No ssowiz serve of yours is running there") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
