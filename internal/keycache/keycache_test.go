package keycache

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

func mustKey(t *testing.T, c *Cache) *rsa.PrivateKey {
	t.Helper()
	k, err := c.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if k.N.BitLen() != Bits {
		t.Fatalf("a %d-bit key, want %d", k.N.BitLen(), Bits)
	}
	return k
}

func TestKeysAreMadeOnceKeptPrivateAndDistinct(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ssowiz", "keys")
	first := New(dir)
	a, b := mustKey(t, first), mustKey(t, first)
	if a.Equal(b) {
		t.Fatal("the first and second key of a run are the same key")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("cache directory mode %04o, want 0700", perm)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("%d files in the cache, want 2", len(entries))
	}
	for _, e := range entries {
		info, _ := e.Info()
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", e.Name(), perm)
		}
	}
	// The next run gets the same keys, in the same order.
	next := New(dir)
	if !mustKey(t, next).Equal(a) || !mustKey(t, next).Equal(b) {
		t.Fatal("a second run did not get the cached keys in order")
	}
}

func TestUnusableCachedKeysAreReplaced(t *testing.T) {
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weakDER, _ := x509.MarshalPKCS8PrivateKey(weak)
	weakPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: weakDER})
	good := New(t.TempDir())
	goodKey := mustKey(t, good)
	goodDER, _ := x509.MarshalPKCS8PrivateKey(goodKey)
	goodPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: goodDER})

	for _, tc := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"a weaker key", weakPEM, 0o600},
		{"readable by others", goodPEM, 0o644},
		{"writable by the group", goodPEM, 0o620},
		{"not a key", []byte("hello"), 0o600},
		{"a truncated key", goodPEM[:len(goodPEM)/2], 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "rsa2048-0.pem")
			if err := os.WriteFile(path, tc.data, tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil { // past the umask
				t.Fatal(err)
			}
			k := mustKey(t, New(dir))
			if k.Equal(weak) || k.Equal(goodKey) {
				t.Fatal("the unusable cached key was used")
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("replacement has mode %04o", perm)
			}
			if !mustKey(t, New(dir)).Equal(k) {
				t.Error("the replacement was not kept for the next run")
			}
		})
	}
}

func TestAnUnwritableCacheStillGivesKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	c := New(filepath.Join(dir, "keys"))
	if a, b := mustKey(t, c), mustKey(t, c); a.Equal(b) {
		t.Fatal("same key twice")
	}
}
