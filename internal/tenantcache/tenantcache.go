// Package tenantcache keeps applied tenants in the user's cache directory,
// so that `ssowiz serve --tenant FILE` without --data, started again with
// the same file, restores the tenant its last start applied instead of
// parsing the file and writing ten thousand users again.
//
// An entry is a SQLite image of the mock Entra directory, named by a key
// that covers the file's content and the ssowiz build (tenant.Source's
// CacheKey), with the SHA-256 of the image beside it. An entry whose image
// does not match its digest (cut short, changed, or written by two starts
// at once) or that others could read is removed and rebuilt, never used.
// The files are 0600 in a 0700 directory: they hold the tenant's passwords
// and signing keys, as a --data directory does. Only the newest few
// entries are kept.
package tenantcache

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// MaxEntries is how many tenants are kept; the least recently stored go
// first.
const MaxEntries = 8

// Cache is a directory of applied tenants.
type Cache struct {
	dir string
}

// Default is the cache in the user's cache directory
// ($XDG_CACHE_HOME/ssowiz/tenants, ~/.cache/ssowiz/tenants on Linux). ok
// is false when the system names no cache directory.
func Default() (c *Cache, ok bool) {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		return nil, false
	}
	return New(filepath.Join(base, "ssowiz", "tenants")), true
}

// New returns a cache kept in dir.
func New(dir string) *Cache { return &Cache{dir: dir} }

// Dir is where the entries are kept.
func (c *Cache) Dir() string { return c.dir }

// validKey is what a key must look like to name a file.
var validKey = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (c *Cache) paths(key string) (image, sum string, err error) {
	if !validKey.MatchString(key) {
		return "", "", fmt.Errorf("tenantcache: %q is not a key", key)
	}
	return filepath.Join(c.dir, key+".db"), filepath.Join(c.dir, key+".sha256"), nil
}

// Load returns the path of the image stored under key, checked against
// its digest. ok is false when there is no usable entry; a damaged one is
// removed. An entry is only ever replaced whole (by a rename), so the file
// at path stays an image Store wrote for this key.
func (c *Cache) Load(key string) (path string, ok bool) {
	image, sumPath, err := c.paths(key)
	if err != nil {
		return "", false
	}
	data, err := readPrivate(image)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.remove(key)
		}
		return "", false
	}
	want, err := os.ReadFile(sumPath)
	sum := sha256.Sum256(data)
	if err != nil || strings.TrimSpace(string(want)) != hex.EncodeToString(sum[:]) {
		c.remove(key)
		return "", false
	}
	return image, true
}

// readPrivate reads a file only its owner can read or write.
func readPrivate(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("tenantcache: %s is not a private file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("tenantcache: read %s: %w", path, err)
	}
	return data, nil
}

// Store keeps an entry under key: save writes the image to the path it is
// given (a file that does not exist yet). The entry appears whole or not
// at all; a failure leaves the cache as it was.
func (c *Cache) Store(key string, save func(path string) error) (err error) {
	image, sumPath, err := c.paths(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	if err := os.Chmod(c.dir, 0o700); err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	tmp := image + ".tmp-" + hex.EncodeToString(rnd[:])
	tmpSum := sumPath + ".tmp-" + hex.EncodeToString(rnd[:])
	defer func() {
		if err != nil {
			os.Remove(tmp)
			os.Remove(tmpSum)
		}
	}()
	if err := save(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	data, err := os.ReadFile(tmp)
	if err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	sum := sha256.Sum256(data)
	if err := os.WriteFile(tmpSum, []byte(hex.EncodeToString(sum[:])+"\n"), 0o600); err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	// The digest goes first: an image with another's digest (two starts
	// storing at once, or one stopped between the renames) is refused at
	// Load, never trusted.
	if err := os.Rename(tmpSum, sumPath); err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	if err := os.Rename(tmp, image); err != nil {
		return fmt.Errorf("tenantcache: %w", err)
	}
	c.prune()
	return nil
}

func (c *Cache) remove(key string) {
	image, sum, err := c.paths(key)
	if err != nil {
		return
	}
	os.Remove(image)
	os.Remove(sum)
}

// prune removes all but the MaxEntries newest entries.
func (c *Cache) prune() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		key string
		mod int64
	}
	var images []entry
	for _, e := range entries {
		key, ok := strings.CutSuffix(e.Name(), ".db")
		if !ok || !validKey.MatchString(key) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			images = append(images, entry{key, fi.ModTime().UnixNano()})
		}
	}
	slices.SortFunc(images, func(a, b entry) int { return cmp.Compare(b.mod, a.mod) })
	for _, e := range images[min(len(images), MaxEntries):] {
		c.remove(e.key)
	}
}
