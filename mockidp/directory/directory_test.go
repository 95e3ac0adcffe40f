package directory

import (
	"context"
	"crypto/rsa"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// testKey is generated once per test binary: RSA key generation is slow
// and the tests do not need distinct keys.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.NewChaCha8([32]byte{1}), 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var t0 = time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC)

func testOptions(dir string) (Options, *clockwork.FakeClock) {
	c := clockwork.NewFakeClockAt(t0)
	return Options{
		Dir:    dir,
		Now:    c.Now,
		Rand:   rand.NewChaCha8([32]byte{42}),
		NewKey: func() (*rsa.PrivateKey, error) { return testKey(), nil },
	}, c
}

// newTestDirectory opens an in-memory directory with a tenant "contoso".
func newTestDirectory(t *testing.T) (*Directory, *clockwork.FakeClock) {
	t.Helper()
	opts, c := testOptions("")
	d, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.CreateTenant(context.Background(), NewTenant{Name: "contoso", DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	return d, c
}

// mustUser creates a user with the given alias on contoso.onmicrosoft.com.
func mustUser(t *testing.T, d *Directory, alias string) User {
	t.Helper()
	u, err := d.CreateUser(context.Background(), User{
		UserPrincipalName: alias + "@contoso.onmicrosoft.com",
		DisplayName:       alias,
		Mail:              alias + "@contoso.onmicrosoft.com",
		AccountEnabled:    true,
	}, "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantFieldError checks that err is a validation error naming field and
// mentioning every fragment.
func wantFieldError(t *testing.T, err error, kind error, field string, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error on %q, got none", field)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %q is not %v", err, kind)
	}
	var fe *FieldError
	found := false
	for _, e := range flatten(err) {
		if errors.As(e, &fe) && fe.Field == field {
			found = true
			for _, f := range fragments {
				if !strings.Contains(fe.Problem, f) {
					t.Errorf("%s: problem %q does not mention %q", field, fe.Problem, f)
				}
			}
		}
	}
	if !found {
		t.Fatalf("error %q does not name the field %q", err, field)
	}
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func TestCreateTenant(t *testing.T) {
	ctx := context.Background()
	opts, _ := testOptions("")
	d, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Tenant(ctx); !errors.Is(err, ErrNoTenant) {
		t.Fatalf("empty directory: got %v, want ErrNoTenant", err)
	}
	for _, tc := range []struct {
		name  string
		nt    NewTenant
		field string
	}{
		{"dot in name", NewTenant{Name: "con.toso", DisplayName: "C"}, "Initial domain name"},
		{"too long", NewTenant{Name: strings.Repeat("a", 28), DisplayName: "C"}, "Initial domain name"},
		{"no display name", NewTenant{Name: "contoso"}, "Organization name"},
		{"bad id", NewTenant{Name: "contoso", DisplayName: "C", ID: "not-a-guid"}, "Tenant ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.CreateTenant(ctx, tc.nt)
			wantFieldError(t, err, ErrInvalid, tc.field)
		})
	}
	tn, err := d.CreateTenant(ctx, NewTenant{Name: "Contoso", DisplayName: "Contoso", ID: "AAAABBBB-0000-CCCC-1111-DDDD2222EEEE"})
	if err != nil {
		t.Fatal(err)
	}
	if tn.ID != "aaaabbbb-0000-cccc-1111-dddd2222eeee" || tn.InitialDomain != "contoso.onmicrosoft.com" {
		t.Fatalf("tenant = %+v", tn)
	}
	if _, err := d.CreateTenant(ctx, NewTenant{Name: "other", DisplayName: "Other"}); !errors.Is(err, ErrTenantExists) {
		t.Fatalf("second tenant: got %v, want ErrTenantExists", err)
	}
	for _, name := range []string{"AAAABBBB-0000-CCCC-1111-DDDD2222EEEE", "Contoso.OnMicrosoft.com"} {
		if got, err := d.ResolveTenant(ctx, name); err != nil || got.ID != tn.ID {
			t.Errorf("ResolveTenant(%q) = %v, %v", name, got.ID, err)
		}
	}
	if _, err := d.ResolveTenant(ctx, "fabrikam.onmicrosoft.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown tenant: got %v", err)
	}
	key, err := d.TenantSigningKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := key.X509()
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != tenantCertCN {
		t.Errorf("tenant certificate CN = %q", cert.Subject.CommonName)
	}
}
