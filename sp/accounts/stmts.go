package accounts

import (
	"context"
	"database/sql"
	"strings"
	"sync"

	"github.com/ssowiz/ssowiz/internal/store"
)

// dbtx is what queries run on: the store's database or one transaction,
// both through the statement cache.
type dbtx interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// stmtCache prepares each query text once. Compiling SQL is most of the
// cost of the short queries on the sign-in and SCIM paths, which run for
// every request.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query text → *sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := c.m.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// QueryRowContext runs a cached statement; if it can't be prepared the
// plain query reports the same error through the Row.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = store.Short(ctx)
	st, err := c.stmt(ctx, query)
	if err != nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = store.Short(ctx)
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// txStmts runs cached statements inside one transaction (database/sql
// reuses a statement already prepared on the transaction's connection).
type txStmts struct {
	tx *sql.Tx
	c  *stmtCache
}

// cached returns the statement for query if it was prepared before; a
// transaction never prepares on another connection (see txQueries).
func (t txStmts) cached(ctx context.Context, query string) *sql.Stmt {
	if v, ok := t.c.m.Load(query); ok {
		return t.tx.StmtContext(ctx, v.(*sql.Stmt))
	}
	return nil
}

func (t txStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.cached(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t txStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.cached(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t txStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.cached(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// The statements that run inside write transactions. They are prepared
// when the store opens: preparing one on another connection while a
// transaction holds the write lock would wait for that very transaction.
const (
	qInsertOrg     = `INSERT INTO orgs (id, name, scim_enabled, sso, created_at) VALUES (?, ?, ?, ?, ?)`
	qUpdateOrg     = `UPDATE orgs SET name = ?, scim_enabled = ?, sso = ? WHERE id = ?`
	qDeleteDomains = `DELETE FROM org_domains WHERE org_id = ?`
	qInsertDomain  = `INSERT INTO org_domains (domain, org_id) VALUES (?, ?)`
	qSelectOrg     = `SELECT id, name, scim_enabled, sso, created_at FROM orgs WHERE id = ?`
	qSelectDomains = `SELECT domain FROM org_domains WHERE org_id = ? ORDER BY domain`
	qInsertUser    = `INSERT INTO users (` + userColumns + `, user_name_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qUpdateUser = `UPDATE users SET user_name = ?, user_name_key = ?, external_id = ?,
		email = ?, given_name = ?, family_name = ?, display_name = ?, role = ?, source = ?, active = ?,
		scim = ?, version = ?, updated_at = ?, last_sign_in_at = ? WHERE id = ?`
	qUserByID  = `SELECT ` + userColumns + ` FROM users WHERE id = ? AND org_id = ?`
	qUserByKey = `SELECT ` + userColumns + ` FROM users WHERE org_id = ? AND user_name_key = ?`
)

// qAuthenticatePAT reads a token and its owner in one go.
var qAuthenticatePAT = `SELECT p.id, p.org_id, p.owner_id, p.name, p.role, p.hint, p.created_at, p.expires_at,
	p.last_used_at, p.revoked_at, p.salt, p.hash, ` + prefixed("u.", userColumns) + `
	FROM pats p JOIN users u ON u.id = p.owner_id WHERE p.id = ?`

// prefixed qualifies each column of a comma-separated list.
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

var txQueries = []string{qInsertOrg, qUpdateOrg, qDeleteDomains, qInsertDomain, qSelectOrg, qSelectDomains,
	qInsertUser, qUpdateUser, qUserByID, qUserByKey}

// warm prepares the transaction statements.
func (c *stmtCache) warm(ctx context.Context) error {
	for _, q := range txQueries {
		if _, err := c.stmt(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
