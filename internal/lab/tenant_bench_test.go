package lab

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/tenant"
)

// largeTenant is the demo tenant plus 10,000 users (in one group) and 49
// more apps, each assigned that group: the size issue 10's speed goal
// names (10,000 users, 50 apps).
var largeTenant = sync.OnceValues(func() (string, error) {
	var b strings.Builder
	demo := string(tenant.DemoYAML())
	users, rest, _ := strings.Cut(demo, "\ngroups:\n")
	b.WriteString(users)
	for i := range 10000 {
		fmt.Fprintf(&b, "\n  - upn: user%05d@contoso.onmicrosoft.com\n    display_name: User %05d\n    given_name: User\n    surname: \"%05d\"\n"+
			"    mail: user%05d@contoso.onmicrosoft.com\n    department: Dept %d\n    password: Bench-pass-%05d\n    groups: [Everyone]",
			i, i, i, i, i%20, i)
	}
	b.WriteString("\ngroups:\n  - name: Everyone\n")
	b.WriteString(rest)
	for i := range 49 {
		fmt.Fprintf(&b, "  - name: App %02d\n    saml:\n      identifiers: [{value: \"https://app%02d.example.com\"}]\n"+
			"      reply_urls: [{url: \"https://app%02d.example.com/saml/acs\"}]\n    assigned: {groups: [Everyone]}\n", i, i, i)
	}
	return b.String(), nil
})

func benchTenant(b *testing.B, large bool) *tenant.File {
	b.Helper()
	if !large {
		f, err := tenant.Demo()
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	text, _ := largeTenant()
	f, err := tenant.Parse(strings.NewReader(text), "large.yaml")
	if err != nil {
		b.Fatal(err)
	}
	if len(f.Users) != 10006 || len(f.Apps) != 50 {
		b.Fatalf("the large tenant has %d users and %d apps", len(f.Users), len(f.Apps))
	}
	return f
}

// BenchmarkStartTenant is `serve`'s start-up: parse the tenant file,
// start both mocks, apply the tenant, until both answer. Compare large
// (10,006 users, 50 apps) with demo (6 users, 1 app) in the same run, by
// cpu-ms/op on a busy machine. "fresh" starts in memory, as `serve`
// without --data does; "restart" starts again on a --data directory that
// already holds the same file, which skips the apply. Signing keys come
// from a cache, as repeated rehearsals do; a fresh start also generates
// one RSA key per app.
func BenchmarkStartTenant(b *testing.B) {
	for _, large := range []bool{false, true} {
		for _, restart := range []bool{false, true} {
			name := "demo"
			if large {
				name = "large"
			}
			if restart {
				name += "/restart"
			} else {
				name += "/fresh"
			}
			b.Run(name, func(b *testing.B) {
				text := string(tenant.DemoYAML())
				if large {
					text, _ = largeTenant()
				}
				start := func(dataDir string, first bool) {
					f, err := tenant.Parse(strings.NewReader(text), "tenant.yaml")
					if err != nil {
						b.Fatal(err)
					}
					l, err := Start(context.Background(), Options{Tenant: f, NewKey: testKey, DataDir: dataDir})
					if err != nil {
						b.Fatal(err)
					}
					if dataDir != "" && !first && l.Tenant().Reapplied {
						b.Fatal("a restart with the same file applied it again")
					}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					l.Close(ctx)
					cancel()
				}
				dir := ""
				if restart {
					dir = b.TempDir()
					start(dir, true)
				}
				b.ResetTimer()
				cpu := processCPU(b)
				for b.Loop() {
					start(dir, false)
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkSignInTenant is one SP-initiated sign-in to the RudderStack app
// (as BenchmarkSSORoundTrip) with the demo tenant and with the large one.
func BenchmarkSignInTenant(b *testing.B) {
	for _, large := range []bool{false, true} {
		name := "demo"
		if large {
			name = "large"
		}
		b.Run(name, func(b *testing.B) {
			// The demo users box is on, as `serve` shows it by default.
			l := startLab(b, Options{Tenant: benchTenant(b, large), DemoUsersHint: true})
			u := demoUser(b, l, "AdeleV")
			ctx := context.Background()
			if o := signIn(b, l, u.UPN, u.Password); !o.SignedIn {
				b.Fatalf("warm-up sign-in: %s", o)
			}
			b.ResetTimer()
			cpu := processCPU(b)
			for b.Loop() {
				o, err := l.SignIn(ctx, newBrowser(b, l), u.UPN, u.UPN, u.Password)
				if err != nil || !o.SignedIn {
					b.Fatalf("sign-in: %v %s", err, o)
				}
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sign-ins/s")
		})
	}
}
