package provisioning

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning/scimtest"
)

// testKey is made once per test binary: RSA key generation is slow and
// the directory only needs one for each app's SAML certificate.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.NewChaCha8([32]byte{7}), 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var t0 = time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC)

const testToken = "rspat_TESTtokenVALUE1234567890"

const testGUID = "7d420df3-9995-4831-a406-ecf8166f5f6a"

// fixture is a tenant with one app whose provisioning points at a
// recording SCIM server, and an engine over both.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	dir   *directory.Directory
	clock *clockwork.FakeClock
	srv   *scimtest.Server
	eng   *Engine
	app   directory.App
	cfg   Config
}

type fixtureOpt func(*fixture)

// withDialect appends ?aadOptscim062020 to the Tenant URL.
func withDialect(d Dialect) fixtureOpt {
	return func(f *fixture) {
		if d == DialectSCIM {
			f.configure(func(c *directory.ProvisioningConfig) { c.TenantURL += "?aadOptscim062020" })
		}
	}
}

func withConfig(fn func(*Config)) fixtureOpt { return func(f *fixture) { fn(&f.cfg) } }

func newFixture(t testing.TB, opts ...fixtureOpt) *fixture {
	t.Helper()
	ctx := context.Background()
	c := clockwork.NewFakeClockAt(t0)
	d, err := directory.Open(ctx, directory.Options{
		Now:    c.Now,
		Rand:   rand.NewChaCha8([32]byte{42}),
		NewKey: func() (*rsa.PrivateKey, error) { return testKey(), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.CreateTenant(ctx, directory.NewTenant{Name: "contoso", DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	app, err := d.CreateApp(ctx, "RudderStack")
	if err != nil {
		t.Fatal(err)
	}
	srv := scimtest.New()
	srv.Token = testToken
	t.Cleanup(srv.Close)
	f := &fixture{t: t, ctx: ctx, dir: d, clock: c, srv: srv, app: app}
	f.cfg = Config{Directory: d, HTTPClient: srv.Client(), Now: c.Now, Workers: 1, NewGUID: func() string { return testGUID }}
	f.configure(func(pc *directory.ProvisioningConfig) {
		pc.TenantURL = srv.URL()
		pc.SecretToken = directory.NewSecret(testToken)
		pc.Enabled = true
		pc.ProvisionGroups = false
	})
	for _, o := range opts {
		o(f)
	}
	f.eng, err = New(ctx, f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.eng.Close() })
	return f
}

// configure edits the app's saved provisioning configuration.
func (f *fixture) configure(edit func(*directory.ProvisioningConfig)) {
	f.t.Helper()
	c, err := f.dir.Provisioning(f.ctx, f.app.AppID)
	if err != nil {
		f.t.Fatal(err)
	}
	edit(&c)
	if _, err := f.dir.UpdateProvisioning(f.ctx, f.app.AppID, c); err != nil {
		f.t.Fatal(err)
	}
}

// user creates a user alias@contoso.onmicrosoft.com with a display name
// and mail, applies edit, and assigns it to the app unless assign is
// false.
func (f *fixture) user(alias string, assign bool, edit func(*directory.User)) directory.User {
	f.t.Helper()
	u := directory.User{
		UserPrincipalName: alias + "@contoso.onmicrosoft.com",
		DisplayName:       strings.ToUpper(alias[:1]) + alias[1:],
		GivenName:         strings.ToUpper(alias[:1]) + alias[1:],
		Surname:           "Doe",
		Mail:              alias + "@contoso.com",
		AccountEnabled:    true,
	}
	if edit != nil {
		edit(&u)
	}
	u, err := f.dir.CreateUser(f.ctx, u, "Passw0rd!")
	if err != nil {
		f.t.Fatal(err)
	}
	if assign {
		if err := f.dir.Assign(f.ctx, f.app.AppID, u.ObjectID); err != nil {
			f.t.Fatal(err)
		}
	}
	return u
}

func (f *fixture) update(id string, edit func(*directory.User)) {
	f.t.Helper()
	if _, err := f.dir.UpdateUser(f.ctx, id, edit); err != nil {
		f.t.Fatal(err)
	}
}

// cycle runs one cycle and fails the test on an engine error.
func (f *fixture) cycle() CycleReport {
	f.t.Helper()
	rep, err := f.eng.RunCycle(f.ctx, f.app.AppID)
	if err != nil {
		f.t.Fatalf("RunCycle: %v", err)
	}
	return rep
}

// requests returns "METHOD path" of each recorded request and forgets
// them.
func (f *fixture) requests() []string {
	var out []string
	for _, r := range f.srv.Requests() {
		out = append(out, r.String())
	}
	f.srv.ResetRequests()
	return out
}

func (f *fixture) logs(q LogQuery) []LogEntry {
	f.t.Helper()
	ls, err := f.eng.Logs(f.ctx, f.app.AppID, q)
	if err != nil {
		f.t.Fatal(err)
	}
	return ls
}

func (f *fixture) status() Status {
	f.t.Helper()
	s, err := f.eng.Status(f.ctx, f.app.AppID)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// jsonOf round-trips v through JSON into generic values, for comparing
// bodies.
func jsonOf(t *testing.T, v any) any {
	t.Helper()
	var data []byte
	switch v := v.(type) {
	case string:
		data = []byte(v)
	case []byte:
		data = v
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
	return out
}

func assertJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := jsonOf(t, got), jsonOf(t, want)
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.MarshalIndent(g, "", "  ")
		wb, _ := json.MarshalIndent(w, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

func assertStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
