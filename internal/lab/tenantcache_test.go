package lab

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/internal/tenantcache"
)

// cachedTenant is the demo tenant plus an app from a metadata file
// beside it, written to a directory of its own.
func cachedTenant(t *testing.T) (path, metadata string) {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "tenant", "testdata", "spmetadata", "node-saml.xml"))
	if err != nil {
		t.Fatal(err)
	}
	metadata = filepath.Join(dir, "node-saml.xml")
	os.WriteFile(metadata, data, 0o600)
	path = filepath.Join(dir, "tenant.yaml")
	os.WriteFile(path, append(tenant.DemoYAML(), "  - name: Node app\n    metadata: node-saml.xml\n"...), 0o600)
	return path, metadata
}

// startCached starts without --data, with the tenant cache, as serve does.
func startCached(t *testing.T, cache *tenantcache.Cache, path string, edit func(*tenant.Source)) *Lab {
	t.Helper()
	src, err := tenant.ReadSource(path)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(src)
	}
	return startLab(t, Options{TenantSource: src, TenantCache: cache})
}

// A second start of the same file without --data restores the tenant the
// first one applied, without parsing the file: the same users, passwords
// and apps, and Adele signs in on it.
func TestTenantCacheRestoresTheTenant(t *testing.T) {
	path, _ := cachedTenant(t)
	cache := tenantcache.New(filepath.Join(t.TempDir(), "tenants"))
	first := startCached(t, cache, path, nil)
	if !first.Tenant().Parsed {
		t.Fatal("the first start did not parse the file")
	}
	again := startCached(t, cache, path, nil)
	if again.Tenant().Parsed || again.Tenant().Reapplied {
		t.Fatalf("the second start: parsed=%v reapplied=%v; want the cached tenant", again.Tenant().Parsed, again.Tenant().Reapplied)
	}
	if !reflect.DeepEqual(again.Info().Users, first.Info().Users) {
		t.Errorf("users differ:\n%+v\n%+v", again.Info().Users, first.Info().Users)
	}
	if len(again.Info().Apps) != 2 || again.Info().Apps[1].ReplyURL != first.Info().Apps[1].ReplyURL {
		t.Errorf("apps %+v, want %+v", again.Info().Apps, first.Info().Apps)
	}
	// The built-in app follows this start's SP, as on a kept directory.
	if app := again.Info().Apps[0]; app.ReplyURL != again.Info().SPACSURL {
		t.Errorf("the built-in app's Reply URL is %s, not this SP's %s", app.ReplyURL, again.Info().SPACSURL)
	}
	u := demoUser(t, again, "AdeleV")
	if o := signIn(t, again, u.UPN, u.Password); !o.SignedIn {
		t.Fatalf("Adele on the restored tenant: %s", o)
	}
}

// Whatever the start reads besides the cached tenant is checked as on a
// kept directory: a changed file, metadata document or --sp-metadata app
// applies the file again; a tenant whose SCIM token is in a variable is
// never cached, so the token is written to no file; a damaged entry is
// rebuilt.
func TestTenantCacheIsNotTrustedWhenAnInputChanged(t *testing.T) {
	spring, err := os.ReadFile(filepath.Join("..", "tenant", "testdata", "spmetadata", "spring-security-saml.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		change func(t *testing.T, path, metadata string, cache *tenantcache.Cache) func(*tenant.Source)
	}{
		{"the file", func(t *testing.T, path, _ string, _ *tenantcache.Cache) func(*tenant.Source) {
			data, _ := os.ReadFile(path)
			os.WriteFile(path, bytes.Replace(data, []byte("display_name: Adele Vance"), []byte("display_name: Adele V."), 1), 0o600)
			return nil
		}},
		{"a metadata file it names", func(t *testing.T, _, metadata string, _ *tenantcache.Cache) func(*tenant.Source) {
			os.WriteFile(metadata, spring, 0o600)
			return nil
		}},
		{"an --sp-metadata app", func(t *testing.T, _, _ string, _ *tenantcache.Cache) func(*tenant.Source) {
			extra := filepath.Join(t.TempDir(), "spring.xml")
			os.WriteFile(extra, spring, 0o600)
			m, err := tenant.ParseSPMetadata(spring)
			if err != nil {
				t.Fatal(err)
			}
			return func(s *tenant.Source) { s.AddMetadataApp(extra, m) }
		}},
		{"a damaged entry", func(t *testing.T, _, _ string, cache *tenantcache.Cache) func(*tenant.Source) {
			entries, _ := os.ReadDir(cache.Dir())
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".db") {
					os.WriteFile(filepath.Join(cache.Dir(), e.Name()), []byte("SQLite format 3\x00 but not really"), 0o600)
				}
			}
			return nil
		}},
		{"an entry that is not a directory", func(t *testing.T, _, _ string, cache *tenantcache.Cache) func(*tenant.Source) {
			// Its digest matches: only the restore can refuse it.
			entries, _ := os.ReadDir(cache.Dir())
			for _, e := range entries {
				if base, ok := strings.CutSuffix(e.Name(), ".db"); ok {
					junk := []byte("SQLite format 3\x00 but not really")
					sum := sha256.Sum256(junk)
					os.WriteFile(filepath.Join(cache.Dir(), e.Name()), junk, 0o600)
					os.WriteFile(filepath.Join(cache.Dir(), base+".sha256"), []byte(hex.EncodeToString(sum[:])), 0o600)
				}
			}
			return nil
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, metadata := cachedTenant(t)
			cache := tenantcache.New(filepath.Join(t.TempDir(), "tenants"))
			startCached(t, cache, path, nil)
			if l := startCached(t, cache, path, nil); l.Tenant().Parsed {
				t.Fatal("the unchanged second start parsed the file; the test proves nothing")
			}
			edit := c.change(t, path, metadata, cache)
			changed := startCached(t, cache, path, edit)
			if !changed.Tenant().Parsed {
				t.Fatalf("after a change of %s the cached tenant was used", c.name)
			}
			if c.name == "a metadata file it names" && changed.Info().Apps[1].ReplyURL == "http://localhost:3000/login/callback" {
				t.Errorf("the app kept the old metadata's Reply URL")
			}
			if l := startCached(t, cache, path, edit); l.Tenant().Parsed {
				t.Fatal("the start after that did not use the tenant cached again")
			}
		})
	}

	t.Run("a token variable", func(t *testing.T) {
		path, _ := cachedTenant(t)
		data, _ := os.ReadFile(path)
		os.WriteFile(path, append(data, "  - name: SCIM app\n    saml:\n      identifiers: [{value: \"https://scim-app.example.com\"}]\n"+
			"      reply_urls: [{url: \"https://scim-app.example.com/acs\"}]\n    provisioning:\n      tenant_url: https://scim.example.com/v2\n"+
			"      secret_token_env: SSOWIZ_TEST_CACHE_TOKEN\n"...), 0o600)
		t.Setenv("SSOWIZ_TEST_CACHE_TOKEN", "token-never-on-disk")
		cache := tenantcache.New(filepath.Join(t.TempDir(), "tenants"))
		for range 2 {
			if l := startCached(t, cache, path, nil); !l.Tenant().Parsed {
				t.Fatal("a tenant with a token from a variable was cached")
			}
		}
		if entries, _ := os.ReadDir(cache.Dir()); len(entries) != 0 {
			t.Fatalf("the cache holds %d files", len(entries))
		}
	})
}

// A start with --data never uses the cache: the directory is the state.
func TestTenantCacheIsNotUsedWithData(t *testing.T) {
	path, _ := cachedTenant(t)
	cache := tenantcache.New(filepath.Join(t.TempDir(), "tenants"))
	src, err := tenant.ReadSource(path)
	if err != nil {
		t.Fatal(err)
	}
	startLab(t, Options{TenantSource: src, TenantCache: cache, DataDir: t.TempDir()})
	if _, err := os.Stat(cache.Dir()); err == nil {
		t.Fatal("a start with --data stored its tenant in the cache")
	}
}
