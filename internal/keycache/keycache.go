// Package keycache keeps RSA-2048 keys in the user's cache directory so
// that `ssowiz serve` without --data does not spend most of its start-up
// generating them (two keys take about a fifth of a second; everything
// else is a few milliseconds).
//
// The keys are exactly as strong as fresh ones: RSA-2048, checked on every
// load (size, Validate), in files only their owner can read (0600, in a
// 0700 directory). A file anyone else could read, or that is not such a
// key, is replaced by a new key, never used. The n-th key a process asks
// for is the n-th file, so keys that must differ (the tenant's and an
// app's) still do.
package keycache

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/ssowiz/ssowiz/internal/atomicfile"
)

// Bits is the size of every key: what Entra uses for SAML signing
// certificates, and what ssowiz generates when it does not cache.
const Bits = 2048

// Cache hands out cached keys in order.
type Cache struct {
	dir string
	mu  sync.Mutex
	n   int
}

// Default is the cache in the user's cache directory
// ($XDG_CACHE_HOME/ssowiz/keys, ~/.cache/ssowiz/keys on Linux). ok is
// false when the system names no cache directory; callers then generate
// keys as usual.
func Default() (c *Cache, ok bool) {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		return nil, false
	}
	return New(filepath.Join(base, "ssowiz", "keys")), true
}

// New returns a cache kept in dir.
func New(dir string) *Cache { return &Cache{dir: dir} }

// Dir is where the keys are kept.
func (c *Cache) Dir() string { return c.dir }

// NewKey returns the next key: the cached one if it is usable, else a
// fresh key, which it stores for the next run. A store that fails (a
// read-only cache directory, say) still returns the fresh key.
func (c *Cache) NewKey() (*rsa.PrivateKey, error) {
	c.mu.Lock()
	i := c.n
	c.n++
	c.mu.Unlock()
	path := filepath.Join(c.dir, fmt.Sprintf("rsa%d-%d.pem", Bits, i))
	if k, err := load(path); err == nil {
		return k, nil
	}
	k, err := rsa.GenerateKey(rand.Reader, Bits)
	if err != nil {
		return nil, fmt.Errorf("generate an RSA-%d key: %w", Bits, err)
	}
	_ = store(c.dir, path, k) // the key is good whether or not it is kept
	return k, nil
}

// errUnusable marks a cached file that is not used.
var errUnusable = errors.New("cached key unusable")

func load(path string) (*rsa.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// Readable or writable by anyone else: it may be known, or planted.
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o", errUnusable, path, fi.Mode().Perm())
	}
	data := make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: %s is not a PEM private key", errUnusable, path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errUnusable, path, err)
	}
	k, ok := parsed.(*rsa.PrivateKey)
	if !ok || k.N.BitLen() != Bits || k.Validate() != nil {
		return nil, fmt.Errorf("%w: %s is not a valid RSA-%d key", errUnusable, path, Bits)
	}
	return k, nil
}

// store writes the key whole or not at all (0600), so a concurrent
// reader sees a whole key or none.
func store(dir, path string, k *rsa.PrivateKey) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		return pem.Encode(w, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	})
}
