// Package directory holds the mock Entra ID tenant's state: the tenant and
// its domains, users, groups, enterprise applications with their SAML
// configuration, claims, signing certificates and assignments, and each
// application's provisioning configuration. It lives in its own SQLite
// database (store name "idp").
//
// The Go API configures everything verbatim, as an admin would in the
// Entra admin center, and validation errors name the field as the portal
// labels it (see FieldError). Every change to a user, a group, a group's
// membership or an application's assignments bumps one tenant-wide
// sequence, so an incremental provisioning cycle can ask what changed after
// the watermark it stored (ChangesSince).
package directory

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/store"
)

// StoreName is the name of the directory's database under the data
// directory ("idp.db").
const StoreName = "idp"

// Options configures Open.
type Options struct {
	// Dir is the data directory; empty keeps the directory in memory.
	Dir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of object IDs, salts and certificate serials; nil
	// means crypto/rand. Tests pass a seeded reader for stable IDs.
	Rand io.Reader
	// NewKey makes the RSA key of a new signing certificate; nil means a
	// fresh RSA-2048 key. Tests pass a cached key because generating one
	// takes a noticeable fraction of a second.
	NewKey func() (*rsa.PrivateKey, error)
	// Logger receives audit lines (never secrets); nil discards them.
	Logger *slog.Logger
}

// Directory is the tenant's state. It is safe for concurrent use.
type Directory struct {
	db     *sql.DB
	now    func() time.Time
	rand   io.Reader
	newKey func() (*rsa.PrivateKey, error)
	log    *slog.Logger
	// keys caches parsed private keys by certificate thumbprint.
	keys sync.Map
	// cache holds the tenant, apps and certificates for sign-ins.
	cache readCache
	// userByID and isAssigned are the per-sign-in queries, prepared once:
	// modernc's statement parse costs more than the query.
	userByID, userByUPN, isAssigned, liveUsers *sql.Stmt
}

// Open opens (creating if needed) the directory's database. Open one
// Directory per database: it caches what sign-ins read and clears the
// cache on its own writes, so a second writer to the same file would go
// unnoticed.
func Open(ctx context.Context, opts Options) (*Directory, error) {
	db, err := store.Open(ctx, store.Options{Dir: opts.Dir, Name: StoreName}, migrations)
	if err != nil {
		return nil, fmt.Errorf("open the mock Entra directory: %w", err)
	}
	d := &Directory{db: db, now: opts.Now, rand: opts.Rand, newKey: opts.NewKey, log: opts.Logger}
	if d.now == nil {
		d.now = time.Now
	}
	if d.rand == nil {
		d.rand = rand.Reader
	}
	if d.newKey == nil {
		d.newKey = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.userByID, err = db.PrepareContext(ctx, `SELECT `+userColumns+` FROM users WHERE object_id = ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare the user query: %w", err)
	}
	if d.userByUPN, err = db.PrepareContext(ctx, `SELECT password_hash, `+userColumns+` FROM users WHERE upn_key = ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare the sign-in query: %w", err)
	}
	if d.liveUsers, err = db.PrepareContext(ctx, `SELECT `+userColumns+` FROM users WHERE state = 'active' ORDER BY display_name COLLATE NOCASE, upn`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare the user list query: %w", err)
	}
	if d.isAssigned, err = db.PrepareContext(ctx, `SELECT count(*) FROM (`+effectiveAssignment+`) WHERE object_id = ?2`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare the assignment query: %w", err)
	}
	return d, nil
}

// Close closes the database.
func (d *Directory) Close() error {
	d.userByID.Close()
	d.userByUPN.Close()
	d.isAssigned.Close()
	d.liveUsers.Close()
	return d.db.Close()
}

// newGUID returns a lowercase GUID, the form Entra shows object IDs in.
func (d *Directory) newGUID() (string, error) {
	u, err := uuid.NewRandomFromReader(d.rand)
	if err != nil {
		return "", fmt.Errorf("make an object ID: %w", err)
	}
	return u.String(), nil
}

// nowText is the current time as stored.
func (d *Directory) nowText() string { return formatTime(d.now()) }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// write runs fn in a write transaction. The store opens transactions with
// BEGIN IMMEDIATE, so concurrent writers queue instead of deadlocking.
func (d *Directory) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin a directory write: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit a directory write: %w", err)
	}
	d.cache.invalidate()
	return nil
}

// exec runs one write statement outside a transaction and clears the
// read cache when it committed.
func (d *Directory) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := d.db.ExecContext(ctx, query, args...)
	if err == nil {
		d.cache.invalidate()
	}
	return res, err
}

// nextSeq bumps the tenant-wide change sequence inside tx and returns the
// new value, which the caller records on the rows it changes.
func nextSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `UPDATE sequence SET n = n + 1 WHERE id = 1 RETURNING n`).Scan(&n); err != nil {
		return 0, fmt.Errorf("bump the change sequence: %w", err)
	}
	return n, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// querier is what *sql.DB and *sql.Tx share, so reads can run inside or
// outside a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// SaveImage writes the whole directory to path (which must not exist) as
// one SQLite file, for RestoreImage: an in-memory tenant kept for the
// next start.
func (d *Directory) SaveImage(ctx context.Context, path string) error {
	return store.SaveImage(ctx, d.db, path)
}

// RestoreImage replaces the whole directory with an image SaveImage wrote,
// which must be of this schema version. It is meant for a directory just
// opened in memory, before anything reads it.
func (d *Directory) RestoreImage(ctx context.Context, path string) error {
	if err := store.RestoreImage(ctx, d.db, path); err != nil {
		return err
	}
	d.cache.invalidate()
	var v int
	if err := d.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("read the restored directory's schema version: %w", err)
	}
	if v != SchemaVersion() {
		return fmt.Errorf("the restored directory has schema version %d, not %d", v, SchemaVersion())
	}
	return nil
}
