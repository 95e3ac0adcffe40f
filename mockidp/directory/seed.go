package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SeedRecord returns a value recorded with SetSeedRecord, or ErrNotFound.
// Whoever fills the directory from a description (the tenant file) keeps
// here what it must remember across restarts: what it made, and the
// passwords it generated and prints.
func (d *Directory) SeedRecord(ctx context.Context, key string) (string, error) {
	var v string
	err := d.db.QueryRowContext(ctx, `SELECT value FROM demo WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read seed record %s: %w", recordKind(key), err)
	}
	return v, nil
}

// SetSeedRecord records a value under key, replacing any earlier one.
func (d *Directory) SetSeedRecord(ctx context.Context, key, value string) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO demo (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("record seed %s: %w", recordKind(key), err)
	}
	return nil
}

// recordKind is the part of a key before ":", which never holds an ID or
// a secret, for error messages.
func recordKind(key string) string { return strings.SplitN(key, ":", 2)[0] }

// DeleteSeedRecord forgets a record, such as a generated password that no
// longer opens the account.
func (d *Directory) DeleteSeedRecord(ctx context.Context, key string) error {
	return d.demoDelete(ctx, key)
}

// demoDelete forgets a seed record.
func (d *Directory) demoDelete(ctx context.Context, key string) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM demo WHERE key = ?`, key); err != nil {
		return fmt.Errorf("forget seed %s: %w", recordKind(key), err)
	}
	return nil
}

// SetSeedRecords records several values in one transaction.
func (d *Directory) SetSeedRecords(ctx context.Context, records map[string]string) error {
	if len(records) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record seeds: %w", err)
	}
	defer tx.Rollback()
	for k, v := range records {
		if _, err := tx.ExecContext(ctx, `INSERT INTO demo (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("record seed %s: %w", recordKind(k), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record seeds: %w", err)
	}
	return nil
}

// SeedRecordsWithPrefix returns every record whose key starts with
// prefix, by key, in one query.
func (d *Directory) SeedRecordsWithPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	// The range on key uses the primary key's index; LIKE would need
	// escaping and would not.
	rows, err := d.db.QueryContext(ctx, `SELECT key, value FROM demo WHERE key >= ? AND key < ?`, prefix, prefix+"\U0010FFFF")
	if err != nil {
		return nil, fmt.Errorf("read seed records %s: %w", recordKind(prefix), err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("read seed records %s: %w", recordKind(prefix), err)
		}
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out, rows.Err()
}

// SchemaVersion is the version of the directory's database schema this
// binary writes, so what records a derived state (such as a tenant file's
// digest) can tell a directory written by another version.
func SchemaVersion() int { return migrations[len(migrations)-1].Version }
