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
