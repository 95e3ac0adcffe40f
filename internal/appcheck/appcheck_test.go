package appcheck

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/samlapp"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/mockidp/provisioning/scimtest"
)

var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// setup serves the demo tenant plus "Go app", a crewjam samlsp app added
// from its metadata with the app's extra lines, and returns the lab and
// the tenant file.
func setup(t *testing.T, extra string) (*lab.Lab, *tenant.File) {
	t.Helper()
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	key, _ := testKey()
	sp, err := samlapp.New(samlapp.Options{URL: ts.URL, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	md, _ := sp.Metadata()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sp.xml"), md, 0o644)
	text := string(tenant.DemoYAML()) + "  - name: Go app\n    metadata: sp.xml\n" +
		strings.ReplaceAll(extra, "SP_URL", ts.URL)
	path := filepath.Join(dir, "tenant.yaml")
	os.WriteFile(path, []byte(text), 0o644)
	f, err := tenant.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(context.Background(), lab.Options{Tenant: f, NewKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.Close(ctx)
	})
	var metadataURL string
	for _, a := range l.Info().Apps {
		if a.Name == "Go app" {
			metadataURL = a.MetadataURL
		}
	}
	if sp, err = samlapp.New(samlapp.Options{URL: ts.URL, Key: key, IDPMetadataURL: metadataURL}); err != nil {
		t.Fatal(err)
	}
	handler = sp.Handler()
	return l, f
}

func results(t *testing.T, l *lab.Lab, f *tenant.File) map[string]checks.Result {
	t.Helper()
	rep, err := Run(context.Background(), l, Options{File: f, App: "go app"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]checks.Result{}
	for _, r := range rep.Results {
		out[r.ID] = r
	}
	return out
}

func TestChecksPassAgainstAWorkingApp(t *testing.T) {
	scim := scimtest.New()
	t.Cleanup(scim.Close)
	scim.Configure(func(s *scimtest.Server) { s.Token = "go-app-token" })
	t.Setenv("GO_APP_SCIM_TOKEN", "go-app-token")
	l, f := setup(t, `    sign_in:
      start_url: SP_URL/
      final_url_prefix: SP_URL/
      text: "Hello, "
    provisioning:
      tenant_url: `+scim.URL()+`
      secret_token_env: GO_APP_SCIM_TOKEN
      provision_groups: false
`)
	got := results(t, l, f)
	want := map[string]checks.Status{
		"app-metadata": checks.Pass, "app-sign-in": checks.Pass, "app-assignment": checks.Pass,
		// crewjam's samlsp refuses responses it did not ask for.
		"app-idp-initiated": checks.Warn, "app-scim-connection": checks.Pass, "app-provisioning": checks.Pass,
	}
	for id, status := range want {
		if got[id].Status != status {
			t.Errorf("%s: %s (%s) %v %+v; want %s", id, got[id].Status, got[id].Summary, got[id].Details, got[id].Remediations, status)
		}
	}
	if _, ok := scim.UserByName("AdeleV@contoso.onmicrosoft.com"); !ok {
		t.Error("the lifecycle left Adele out of the SCIM server")
	}
}

// Each failure names the tenant file's field, with its line.
func TestChecksFailNamingTheField(t *testing.T) {
	scim := scimtest.New()
	t.Cleanup(scim.Close)
	scim.Configure(func(s *scimtest.Server) { s.Token = "right" })
	l, f := setup(t, `    sign_in:
      start_url: SP_URL/
      text: "Goodbye"
    provisioning:
      tenant_url: `+scim.URL()+`
      secret_token: wrong
`)
	got := results(t, l, f)
	signIn := got["app-sign-in"]
	if signIn.Status != checks.Fail || len(signIn.Remediations) != 1 || signIn.Remediations[0].Field != "apps[1].sign_in.text" || signIn.Remediations[0].Line == 0 {
		t.Errorf("sign-in: %s %+v", signIn.Status, signIn.Remediations)
	}
	conn := got["app-scim-connection"]
	if conn.Status != checks.Fail || len(conn.Remediations) != 1 || conn.Remediations[0].Field != "apps[1].provisioning.secret_token" {
		t.Errorf("Test Connection: %s %s %+v", conn.Status, conn.Summary, conn.Remediations)
	}
}

func TestBuiltinAndUnknownApps(t *testing.T) {
	l, f := setup(t, "")
	if _, err := Run(context.Background(), l, Options{File: f, App: "RudderStack"}); !errors.Is(err, ErrBuiltin) {
		t.Errorf("RudderStack: %v", err)
	}
	if _, err := Run(context.Background(), l, Options{File: f, App: "Nope"}); !errors.Is(err, ErrNoApp) || !strings.Contains(err.Error(), "Go app") {
		t.Errorf("unknown app: %v", err)
	}
}
