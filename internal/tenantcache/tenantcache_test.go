package tenantcache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func key(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func store(t *testing.T, c *Cache, k, content string) {
	t.Helper()
	if err := c.Store(k, func(path string) error { return os.WriteFile(path, []byte(content), 0o644) }); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, c *Cache, k string) (string, bool) {
	t.Helper()
	path, ok := c.Load(k)
	if !ok {
		return "", false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data), true
}

// An entry comes back as stored, in a directory and files only their
// owner can read.
func TestStoreAndLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ssowiz", "tenants")
	c := New(dir)
	if _, ok := load(t, c, key("a")); ok {
		t.Fatal("an empty cache had an entry")
	}
	store(t, c, key("a"), "image A")
	got, ok := load(t, c, key("a"))
	if !ok || got != "image A" {
		t.Fatalf("Load = %q, %v", got, ok)
	}
	fi, _ := os.Stat(dir)
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("directory mode %04o, want 0700", perm)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files, want the image and its digest", len(entries))
	}
	for _, e := range entries {
		fi, _ := e.Info()
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", e.Name(), perm)
		}
	}
}

// An entry that is cut short, changed, mismatched with its digest or
// readable by others is removed, never used; a failed save leaves the
// entry before it.
func TestDamagedEntriesAreNotTrusted(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(image, sum string)
	}{
		{"image cut short", func(image, _ string) { os.Truncate(image, 3) }},
		{"image changed", func(image, _ string) { os.WriteFile(image, []byte("image B"), 0o600) }},
		{"digest missing", func(_, sum string) { os.Remove(sum) }},
		{"digest of another image", func(_, sum string) { os.WriteFile(sum, []byte(key("other")), 0o600) }},
		{"image readable by others", func(image, _ string) { os.Chmod(image, 0o644) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := New(t.TempDir())
			k := key("a")
			store(t, cache, k, "image A")
			c.damage(filepath.Join(cache.Dir(), k+".db"), filepath.Join(cache.Dir(), k+".sha256"))
			if got, ok := load(t, cache, k); ok {
				t.Fatalf("a damaged entry was used: %q", got)
			}
			if entries, _ := os.ReadDir(cache.Dir()); len(entries) != 0 {
				t.Errorf("the damaged entry was left: %d files", len(entries))
			}
			store(t, cache, k, "image A again")
			if got, ok := load(t, cache, k); !ok || got != "image A again" {
				t.Fatalf("rebuilt entry: %q %v", got, ok)
			}
		})
	}
	cache := New(t.TempDir())
	store(t, cache, key("a"), "image A")
	if err := cache.Store(key("a"), func(path string) error {
		os.WriteFile(path, []byte("half"), 0o600)
		return errors.New("disk full")
	}); err == nil {
		t.Fatal("a failed save was stored")
	}
	if got, ok := load(t, cache, key("a")); !ok || got != "image A" {
		t.Fatalf("after a failed save: %q %v", got, ok)
	}
	if entries, _ := os.ReadDir(cache.Dir()); len(entries) != 2 {
		t.Errorf("a failed save left %d files", len(entries))
	}
}

func TestOnlyTheNewestEntriesAreKept(t *testing.T) {
	c := New(t.TempDir())
	start := time.Now().Add(-time.Hour)
	for i := range MaxEntries + 3 {
		// Each entry older than the next: file times are coarse.
		k := key(fmt.Sprint(i))
		for j := range i {
			old := filepath.Join(c.Dir(), key(fmt.Sprint(j))+".db")
			at := start.Add(time.Duration(j) * time.Minute)
			os.Chtimes(old, at, at)
		}
		store(t, c, k, fmt.Sprint("image ", i))
	}
	entries, _ := os.ReadDir(c.Dir())
	if len(entries) != 2*MaxEntries {
		t.Fatalf("%d files, want %d entries", len(entries), MaxEntries)
	}
	if _, ok := load(t, c, key(fmt.Sprint(MaxEntries+2))); !ok {
		t.Error("the newest entry was removed")
	}
	if _, ok := load(t, c, key("0")); ok {
		t.Error("the oldest entry was kept")
	}
}

func TestKeysMustBeDigests(t *testing.T) {
	c := New(t.TempDir())
	for _, k := range []string{"", "../x", strings.Repeat("A", 64)} {
		if err := c.Store(k, func(string) error { return nil }); err == nil {
			t.Errorf("Store(%q) was accepted", k)
		}
	}
}
