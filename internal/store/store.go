// Package store opens the SQLite databases that hold ssowiz's state and
// brings their schema up to date.
//
// Each component (the mock Entra tenant, the mock service provider) owns one
// database and its own migrations, so no package can reach into another's
// tables. A database lives in a file under the data directory when one is
// given, and in memory otherwise.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Migration is one forward step of a component's schema. Versions start at
// 1 and increase by one; a database records the last version it applied in
// PRAGMA user_version, so a migration runs exactly once per database.
type Migration struct {
	// Version is this step's number, 1 for the first.
	Version int
	// Name says what the step does, for error messages.
	Name string
	// SQL holds one or more statements, run in one transaction.
	SQL string
}

// Options says where a database lives.
type Options struct {
	// Dir is the data directory. Empty keeps the database in memory, so it
	// disappears when the process ends.
	Dir string
	// Name is the component's database name, e.g. "idp" or "sp"; the file is
	// Dir/Name.db.
	Name string
}

// Open opens (creating if needed) the named database and applies any
// migrations it has not yet seen. The returned handle is safe for
// concurrent use; write transactions take SQLite's write lock at BEGIN, so
// two of them never deadlock upgrading a read lock.
func Open(ctx context.Context, opts Options, migrations []Migration) (*sql.DB, error) {
	if opts.Name == "" {
		return nil, errors.New("store: a database name is required")
	}
	dsn, err := dsnFor(opts)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", opts.Name, err)
	}
	// A handful of connections lets readers overlap a writer in WAL mode;
	// SQLite serialises the writers itself.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s database at %s: %w", opts.Name, where(opts), err)
	}
	if err := Migrate(ctx, db, migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s database at %s: %w", opts.Name, where(opts), err)
	}
	return db, nil
}

func where(opts Options) string {
	if opts.Dir == "" {
		return "memory"
	}
	return filepath.Join(opts.Dir, opts.Name+".db")
}

func dsnFor(opts Options) (string, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	if opts.Dir == "" {
		// The memdb VFS gives every connection of this handle the same
		// database, with normal locking, and nothing touches the disk. The
		// random name keeps two handles (two tests, say) apart.
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("store: name an in-memory database: %w", err)
		}
		q.Set("vfs", "memdb")
		return "file:/" + opts.Name + "-" + hex.EncodeToString(b[:]) + "?" + q.Encode(), nil
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return "", fmt.Errorf("store: create data directory %s: %w", opts.Dir, err)
	}
	// WAL keeps every committed transaction across a killed process, and
	// NORMAL sync is enough for that (only power loss could drop the tail).
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// A revoked token or a replaced password is overwritten on delete,
	// not left readable in the file's free pages.
	q.Add("_pragma", "secure_delete(1)")
	path := filepath.Join(opts.Dir, opts.Name+".db")
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("store: resolve %s: %w", path, err)
	}
	if err := ownerOnly(abs); err != nil {
		return "", err
	}
	return "file:" + strings.ReplaceAll(abs, "?", "%3F") + "?" + q.Encode(), nil
}

// FileMode is the mode of every database file: they hold tokens and
// passwords, so only their owner may read them, whatever the directory's
// mode or the umask.
const FileMode os.FileMode = 0o600

// ownerOnly makes the database file, and its -wal and -shm companions if
// they exist, readable by the owner only. The database file is created
// here, empty (which SQLite takes as a new database), because SQLite makes
// a new file 0644 and gives the -wal and -shm files it creates later the
// database file's mode.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if fi.Mode().Perm() != FileMode {
			if err := os.Chmod(p, FileMode); err != nil {
				return fmt.Errorf("store: make %s readable by its owner only (chmod 600 it): %w", p, err)
			}
		}
	}
	return nil
}

// DirWarning returns a warning to show when the data directory dir can be
// read or entered by other users, and "" when it cannot (or does not exist
// yet: Open creates it 0700). The database files are 0600 either way, but
// other users could still see their names and anything else put there.
func DirWarning(dir string) string {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return ""
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Sprintf("the data directory %s can be read by other users (mode %04o); it holds the demo passwords and a live admin token. Run: chmod 700 %s", dir, perm, dir)
	}
	return ""
}

// Migrate applies, in order, each migration newer than the database's
// recorded version. Each runs in its own transaction together with the
// version bump, so a crash leaves the database at a whole version.
func Migrate(ctx context.Context, db *sql.DB, migrations []Migration) error {
	for i, m := range migrations {
		if m.Version != i+1 {
			return fmt.Errorf("migration %q has version %d, want %d (versions must run 1, 2, 3, ...)", m.Name, m.Version, i+1)
		}
	}
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this ssowiz knows (%d): use a newer ssowiz or a fresh --data directory", current, len(migrations))
	}
	for _, m := range migrations[current:] {
		if err := apply(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, m Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %d (%s): begin: %w", m.Version, m.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
	}
	// PRAGMA takes no bound parameters; the version is an int we control.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
		return fmt.Errorf("migration %d (%s): record version: %w", m.Version, m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %d (%s): commit: %w", m.Version, m.Name, err)
	}
	return nil
}

// Short is the context for a short statement (a single-row read or write
// on a request's path): it keeps ctx's values but not its cancellation.
// Given a cancellable context, the SQLite driver starts a goroutine per
// statement to watch it, which costs more than the statement itself, and a
// statement of microseconds is not worth interrupting.
func Short(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// IsUniqueViolation reports whether err is SQLite's UNIQUE constraint
// failure, which callers turn into their own "already exists" error.
func IsUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
