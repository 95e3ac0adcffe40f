package lab

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/samlapp"
	"github.com/ssowiz/ssowiz/internal/tenant"
)

// foreignApp starts a crewjam samlsp service provider, adds it to the demo
// tenant from its metadata (as `serve --sp-metadata` does) and starts a
// lab serving that tenant; the SP then trusts the app's App Federation
// Metadata URL.
func foreignApp(t *testing.T) (*Lab, string) {
	t.Helper()
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	key, _ := testKey()
	var metadataURL string
	app, err := samlapp.New(samlapp.Options{URL: ts.URL, Key: key, IDPMetadataURL: "set below"})
	if err != nil {
		t.Fatal(err)
	}
	md, err := app.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sp.xml")
	os.WriteFile(path, md, 0o644)
	f, err := tenant.Demo()
	if err != nil {
		t.Fatal(err)
	}
	m, err := tenant.ParseSPMetadata(md)
	if err != nil {
		t.Fatal(err)
	}
	name := f.AddMetadataApp(path, m)
	l := startLab(t, Options{Tenant: f})
	for _, a := range l.Info().Apps {
		if a.Name == name {
			metadataURL = a.MetadataURL
		}
	}
	if metadataURL == "" {
		t.Fatalf("no app %q in %+v", name, l.Info().Apps)
	}
	if app, err = samlapp.New(samlapp.Options{URL: ts.URL, Key: key, IDPMetadataURL: metadataURL}); err != nil {
		t.Fatal(err)
	}
	handler = app.Handler()
	return l, ts.URL + "/"
}

// A third-party SP added from its metadata signs the demo users in
// through the mock's real sign-in pages, and the guide's assignments hold
// on it as on RudderStack.
func TestForeignSPFromMetadataSignsIn(t *testing.T) {
	l, start := foreignApp(t)
	ctx := context.Background()

	adele := demoUser(t, l, "AdeleV")
	o, err := l.SignInAt(ctx, newBrowser(t, l), start, adele.UPN, adele.Password)
	if err != nil {
		t.Fatalf("sign in: %v (%s)", err, o)
	}
	body := string(o.Page.Body)
	if o.Page.StatusCode != http.StatusOK || !strings.HasPrefix(o.Page.URL.String(), start) ||
		!strings.Contains(body, "Hello, Adele Vance") || !strings.Contains(body, "AdeleV@contoso.onmicrosoft.com") {
		t.Fatalf("Adele ended at %s (%d):\n%s", o.Page.URL, o.Page.StatusCode, body)
	}
	if !strings.Contains(body, "<th>Email</th>") || !strings.Contains(body, "<th>LastName</th>") {
		t.Errorf("the guide's claims did not reach the SP:\n%s", body)
	}

	alex := demoUser(t, l, "AlexW")
	if o, err := l.SignInAt(ctx, newBrowser(t, l), start, alex.UPN, alex.Password); err != nil || o.EntraCode != "AADSTS50105" {
		t.Errorf("Alex: %v, %s; want AADSTS50105", err, o)
	}
	megan := demoUser(t, l, "MeganB")
	if o, err := l.SignInAt(ctx, newBrowser(t, l), start, megan.UPN, megan.Password); err != nil || o.EntraCode != "AADSTS50057" {
		t.Errorf("Megan: %v, %s; want AADSTS50057", err, o)
	}
}
