package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/store"
)

// Store is the SP's account database. It is safe for concurrent use.
type Store struct {
	db  *sql.DB
	q   *stmtCache
	now func() time.Time
	// rw keeps readers and writers apart in Go rather than in SQLite: an
	// in-memory database blocks readers during a write, and SQLite's busy
	// handler then polls in millisecond sleeps, which throttled concurrent
	// SCIM traffic far below what the queries cost. Writers still run one
	// at a time, as SQLite would run them anyway. Methods never hold it
	// while calling another method.
	rw sync.RWMutex
	// orgs caches organisations by ID (every SCIM request needs its
	// token's org); UpdateOrg, the only writer of an existing org, drops
	// the entry.
	orgs sync.Map
}

// read takes the read lock; use as defer s.read()().
func (s *Store) read() func() {
	s.rw.RLock()
	return s.rw.RUnlock
}

// write takes the write lock; use as defer s.write()().
func (s *Store) write() func() {
	s.rw.Lock()
	return s.rw.Unlock
}

// Options configures Open.
type Options struct {
	// Dir is the data directory; empty keeps everything in memory.
	Dir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Open opens (creating and migrating if needed) the SP's database.
func Open(ctx context.Context, opts Options) (*Store, error) {
	db, err := store.Open(ctx, store.Options{Dir: opts.Dir, Name: "sp"}, migrations)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	q := &stmtCache{db: db}
	if err := q.warm(ctx); err != nil {
		q.close()
		db.Close()
		return nil, fmt.Errorf("accounts: prepare statements: %w", err)
	}
	return &Store{db: db, q: q, now: now}, nil
}

// Close releases the database.
func (s *Store) Close() error {
	s.q.close()
	return s.db.Close()
}

func (s *Store) timestamp() string { return formatTime(s.now()) }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(v string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseNullTime(v sql.NullString) *time.Time {
	if !v.Valid || v.String == "" {
		return nil
	}
	t := parseTime(v.String)
	return &t
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func newID() string { return uuid.NewString() }

// inTx runs fn in one write transaction. SQLite takes its write lock at
// BEGIN (the store opens with _txlock=immediate), so a read-modify-write in
// fn can't lose a concurrent update.
func (s *Store) inTx(ctx context.Context, fn func(dbtx) error) error {
	defer s.write()()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(txStmts{tx: tx, c: s.q}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return err
}
