package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/internal/tenantcache"
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

// BenchmarkStartTenant is `serve --tenant FILE`'s start-up: read the
// tenant file, start both mocks, apply the tenant, until both answer.
// Each case a user meets is run with the large tenant (10,006 users, 50
// apps) and with the demo's (6 users, 1 app) in the same run: compare
// them by cpu-ms/op, which a busy machine hardly moves.
//
//   - first: a start without --data of a file never started before
//     (in memory; the tenant cache has no entry for it, and stores one).
//   - again: a start without --data of the same file again (the tenant
//     cache restores it).
//   - nocache: a start without --data and without the tenant cache, as
//     every start was before the cache.
//   - restart: a start on a --data directory that already holds the same
//     file, applied with the same inputs.
//   - edited: a start on a --data directory after one user of the file
//     was edited, so the file is parsed and applied again.
//
// parsed/op says whether a start parsed the file (1) or served what an
// earlier apply recorded (0). Signing keys come from a key cache, as
// repeated rehearsals do; an apply still makes one certificate per app.
func BenchmarkStartTenant(b *testing.B) {
	type startCase struct {
		name string
		// data keeps the state in a directory across the loop's starts.
		data bool
		// edit changes the file before each start.
		edit bool
		// cache is the tenant cache: none, a new one at each start, or
		// one kept across starts.
		cache string
		// parsed is whether each start parses the file.
		parsed bool
	}
	cases := []startCase{{name: "first", cache: "new", parsed: true}, {name: "again", cache: "kept"}, {name: "nocache", parsed: true},
		{name: "restart", data: true}, {name: "edited", data: true, edit: true, parsed: true}}
	for _, c := range cases {
		for _, size := range []string{"demo", "large"} {
			b.Run(c.name+"/"+size, func(b *testing.B) {
				text := string(tenant.DemoYAML())
				// The edit renames the file's first user back and forth.
				from, to := "display_name: Adele Vance", "display_name: Adele Vance (edited)"
				if size == "large" {
					text, _ = largeTenant()
				}
				if !strings.Contains(text, from) {
					b.Fatalf("the %s tenant has no %q", size, from)
				}
				path := filepath.Join(b.TempDir(), "tenant.yaml")
				write := func(text string) {
					if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
						b.Fatal(err)
					}
				}
				write(text)
				dir := ""
				if c.data {
					dir = b.TempDir()
				}
				parsed, caches := 0, b.TempDir()
				start := func() {
					src, err := tenant.ReadSource(path)
					if err != nil {
						b.Fatal(err)
					}
					var cache *tenantcache.Cache
					switch c.cache {
					case "new":
						cache = tenantcache.New(filepath.Join(caches, fmt.Sprint(parsed)))
					case "kept":
						cache = tenantcache.New(caches)
					}
					l, err := Start(context.Background(), Options{TenantSource: src, NewKey: testKey, DataDir: dir, TenantCache: cache})
					if err != nil {
						b.Fatal(err)
					}
					if l.Tenant().Parsed {
						parsed++
					}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					l.Close(ctx)
					cancel()
				}
				if c.data || c.cache == "kept" {
					start()
				}
				edited := false
				b.ResetTimer()
				cpu := processCPU(b)
				parsed = 0
				for b.Loop() {
					if c.edit {
						b.StopTimer()
						if edited = !edited; edited {
							write(strings.Replace(text, from, to, 1))
						} else {
							write(text)
						}
						b.StartTimer()
					}
					start()
				}
				reportCPU(b, cpu)
				b.ReportMetric(float64(parsed)/float64(b.N), "parsed/op")
				if want := c.parsed; (parsed == b.N) != want || parsed != 0 && parsed != b.N {
					b.Fatalf("%d of %d starts parsed the file", parsed, b.N)
				}
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
