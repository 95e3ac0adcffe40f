package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// TokenPrefix starts every personal access token, so a leaked one is easy
// to recognise (and for redaction to find).
const TokenPrefix = "rspat_"

// lastUsedGranularity bounds how often a token's last-used time is written:
// SCIM calls every few milliseconds shouldn't each cost a write.
const lastUsedGranularity = time.Minute

// PATRole is the role a personal access token acts with.
type PATRole string

// The token roles. SCIM needs an Admin token whose owner is an Org Admin.
const (
	PATRoleAdmin  PATRole = "admin"
	PATRoleMember PATRole = "member"
)

// Label is how the dashboard's Role dropdown shows the role.
func (r PATRole) Label() string {
	switch r {
	case PATRoleAdmin:
		return "Admin"
	case PATRoleMember:
		return "Member"
	}
	return string(r)
}

// Valid reports whether r is a known token role.
func (r PATRole) Valid() bool { return r == PATRoleAdmin || r == PATRoleMember }

// PAT is a personal access token's record. The secret itself is never
// stored; only a salted SHA-256 of it.
type PAT struct {
	ID      string
	OrgID   string
	OwnerID string
	Name    string
	Role    PATRole
	// Hint shows enough of the token to recognise it in a list
	// ("rspat_AbCd…wxyz") and no more.
	Hint       string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	for i := range b {
		// 256 % 62 leaves a slight bias, irrelevant for a mock's tokens that
		// still carry ~190 bits.
		b[i] = base62[int(b[i])%len(base62)]
	}
	return string(b), nil
}

func hashSecret(salt []byte, secret string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(secret))
	return h.Sum(nil)
}

// CreatePAT makes a token for a member of the org and returns its secret,
// which is shown once and can't be recovered. expiresAt may be nil for a
// token that doesn't expire.
func (s *Store) CreatePAT(ctx context.Context, orgID, ownerID, name string, role PATRole, expiresAt *time.Time) (token string, pat PAT, err error) {
	if strings.TrimSpace(name) == "" {
		return "", PAT{}, fmt.Errorf("token name is empty: give the token a name: %w", ErrInvalid)
	}
	if !role.Valid() {
		return "", PAT{}, fmt.Errorf("token role %q is not one of %q, %q: %w", role, PATRoleAdmin, PATRoleMember, ErrInvalid)
	}
	if _, err := s.GetUser(ctx, orgID, ownerID); err != nil {
		return "", PAT{}, fmt.Errorf("token owner: %w", err)
	}
	id, err := randomString(16)
	if err != nil {
		return "", PAT{}, err
	}
	secret, err := randomString(32)
	if err != nil {
		return "", PAT{}, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", PAT{}, fmt.Errorf("read random bytes: %w", err)
	}
	pat = PAT{
		ID: id, OrgID: orgID, OwnerID: ownerID, Name: name, Role: role,
		Hint:      TokenPrefix + id[:4] + "…" + secret[len(secret)-4:],
		CreatedAt: s.now().UTC(), ExpiresAt: expiresAt,
	}
	unlock := s.write()
	_, err = s.q.ExecContext(ctx, `INSERT INTO pats (id, org_id, owner_id, name, role, salt, hash, hint, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		pat.ID, orgID, ownerID, name, role, salt, hashSecret(salt, secret), pat.Hint, formatTime(pat.CreatedAt), nullTime(expiresAt))
	unlock()
	if err != nil {
		return "", PAT{}, fmt.Errorf("create token %q: %w", name, err)
	}
	return TokenPrefix + id + "_" + secret, pat, nil
}

const patColumns = `id, org_id, owner_id, name, role, hint, created_at, expires_at, last_used_at, revoked_at`

func scanPAT(row interface{ Scan(...any) error }) (PAT, error) {
	var p PAT
	var created string
	var expires, lastUsed, revoked sql.NullString
	if err := row.Scan(&p.ID, &p.OrgID, &p.OwnerID, &p.Name, &p.Role, &p.Hint, &created, &expires, &lastUsed, &revoked); err != nil {
		return PAT{}, err
	}
	p.CreatedAt = parseTime(created)
	p.ExpiresAt, p.LastUsedAt, p.RevokedAt = parseNullTime(expires), parseNullTime(lastUsed), parseNullTime(revoked)
	return p, nil
}

// ListPATs returns the org's tokens (without secrets), oldest first. An
// ownerID narrows the list to one member's tokens.
func (s *Store) ListPATs(ctx context.Context, orgID, ownerID string) ([]PAT, error) {
	defer s.read()()
	q := `SELECT ` + patColumns + ` FROM pats WHERE org_id = ?`
	args := []any{orgID}
	if ownerID != "" {
		q += ` AND owner_id = ?`
		args = append(args, ownerID)
	}
	rows, err := s.q.QueryContext(ctx, q+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []PAT
	for rows.Next() {
		p, err := scanPAT(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RevokePAT revokes a token; later use fails with ErrTokenRevoked.
// Revoking twice keeps the first revocation time.
func (s *Store) RevokePAT(ctx context.Context, orgID, id string) error {
	defer s.write()()
	res, err := s.q.ExecContext(ctx, `UPDATE pats SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND org_id = ?`,
		s.timestamp(), id, orgID)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("token %q: %w", id, ErrNotFound)
	}
	return nil
}

// Authenticated is what a valid token stands for.
type Authenticated struct {
	Token PAT
	Owner User
	Org   Org
}

// AuthenticatePAT checks a presented token in constant time and returns the
// token, its owner and org, updating the last-used time. Errors are
// ErrInvalidToken, ErrTokenRevoked or ErrTokenExpired; none repeats the
// token.
func (s *Store) AuthenticatePAT(ctx context.Context, token string) (Authenticated, error) {
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok {
		return Authenticated{}, ErrInvalidToken
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 16 || len(secret) != 32 {
		return Authenticated{}, ErrInvalidToken
	}
	var salt, hash []byte
	var p PAT
	var created string
	var expires, lastUsed, revoked sql.NullString
	var owner User
	unlock := s.read()
	// One query brings the token and its owner; the org comes from the
	// cache. Every SCIM request pays for this.
	err := s.q.QueryRowContext(ctx, qAuthenticatePAT, id).Scan(scanTargets(
		[]any{&p.ID, &p.OrgID, &p.OwnerID, &p.Name, &p.Role, &p.Hint, &created, &expires, &lastUsed, &revoked, &salt, &hash},
		&owner)...)
	unlock()
	if err != nil {
		if err == sql.ErrNoRows {
			// Hash anyway so an unknown ID costs what a known one does.
			subtle.ConstantTimeCompare(hashSecret(make([]byte, 16), secret), make([]byte, sha256.Size))
			return Authenticated{}, ErrInvalidToken
		}
		return Authenticated{}, fmt.Errorf("look up token: %w", err)
	}
	if subtle.ConstantTimeCompare(hashSecret(salt, secret), hash) != 1 {
		return Authenticated{}, ErrInvalidToken
	}
	p.CreatedAt = parseTime(created)
	p.ExpiresAt, p.LastUsedAt, p.RevokedAt = parseNullTime(expires), parseNullTime(lastUsed), parseNullTime(revoked)
	now := s.now().UTC()
	if p.RevokedAt != nil {
		return Authenticated{}, ErrTokenRevoked
	}
	if p.ExpiresAt != nil && !now.Before(*p.ExpiresAt) {
		return Authenticated{}, ErrTokenExpired
	}
	if p.LastUsedAt == nil || now.Sub(*p.LastUsedAt) >= lastUsedGranularity {
		unlock := s.write()
		_, err := s.q.ExecContext(ctx, `UPDATE pats SET last_used_at = ? WHERE id = ?`, formatTime(now), p.ID)
		unlock()
		if err != nil {
			return Authenticated{}, fmt.Errorf("record token use: %w", err)
		}
		p.LastUsedAt = &now
	}
	org, err := s.GetOrg(ctx, p.OrgID)
	if err != nil {
		return Authenticated{}, fmt.Errorf("token organisation: %w", err)
	}
	return Authenticated{Token: p, Owner: owner, Org: org}, nil
}
