package accounts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/store"
)

// Role is a member's role in the organisation.
type Role string

// The organisation roles. Only an Org Admin's Admin-role token may use SCIM.
const (
	RoleAdmin  Role = "admin"  // shown as "Org Admin"
	RoleMember Role = "member" // shown as "Member"
)

// Label is how RudderStack's dashboard shows the role.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Org Admin"
	case RoleMember:
		return "Member"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember }

// Source says how a user came to exist in the organisation.
type Source string

// The user sources.
const (
	SourceJIT    Source = "jit"    // created at their first SAML sign-in
	SourceSCIM   Source = "scim"   // created by the identity provider over SCIM
	SourceInvite Source = "invite" // invited by an admin (the seeded Org Admin)
)

// User is a member of an organisation.
type User struct {
	ID    string
	OrgID string
	// UserName is the SAML NameID and the SCIM userName; unique in the org,
	// compared case-insensitively.
	UserName   string
	ExternalID string
	Email      string
	GivenName  string
	FamilyName string
	// DisplayName is the full name when the IdP sent one.
	DisplayName string
	Role        Role
	Source      Source
	// Active is false once the user was deactivated: they keep their account
	// but lose access to the organisation.
	Active bool
	// SCIM is the SCIM resource document as last written over SCIM, kept
	// verbatim so values come back exactly as sent; nil for users SCIM has
	// never touched.
	SCIM json.RawMessage
	// Version increases with every change; the SCIM server uses it as ETag.
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastSignInAt *time.Time
}

// Status is how the dashboard and /api/me show Active.
func (u User) Status() string {
	if u.Active {
		return "active"
	}
	return "deactivated"
}

// userNameKey is the case-insensitive form userName uniqueness and lookups
// use (SCIM's userName has caseExact=false). It folds exactly as the SCIM
// filter evaluator compares, so an index hit and a filter match agree.
func userNameKey(s string) string { return scim.FoldKey(s) }

const userColumns = `id, org_id, user_name, external_id, email, given_name, family_name, display_name,
	role, source, active, scim, version, created_at, updated_at, last_sign_in_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	if err := row.Scan(scanTargets(nil, &u)...); err != nil {
		return User{}, err
	}
	return u, nil
}

// userScan holds what a user row scans into before it becomes a User.
type userScan struct {
	u          *User
	scim       sql.NullString
	created    string
	updated    string
	lastSignIn sql.NullString
}

// scanTargets returns before followed by the destinations of userColumns
// for u; the values land in u once Scan returns (see userScan.Scan).
func scanTargets(before []any, u *User) []any {
	us := &userScan{u: u}
	return append(before, &u.ID, &u.OrgID, &u.UserName, &u.ExternalID, &u.Email, &u.GivenName, &u.FamilyName,
		&u.DisplayName, &u.Role, &u.Source, &u.Active, &us.scim, &u.Version, &us.created, &us.updated, us)
}

// Scan receives last_sign_in_at, the last user column, and then finishes
// the user from the columns scanned before it.
func (us *userScan) Scan(v any) error {
	if err := us.lastSignIn.Scan(v); err != nil {
		return err
	}
	u := us.u
	if us.scim.Valid {
		u.SCIM = json.RawMessage(us.scim.String)
	}
	u.CreatedAt, u.UpdatedAt = parseTime(us.created), parseTime(us.updated)
	u.LastSignInAt = parseNullTime(us.lastSignIn)
	return nil
}

func validateUser(u User) error {
	switch {
	case strings.TrimSpace(u.UserName) == "":
		return fmt.Errorf("userName is empty: %w", ErrInvalid)
	case !u.Role.Valid():
		return fmt.Errorf("role %q is not one of %q, %q: %w", u.Role, RoleAdmin, RoleMember, ErrInvalid)
	case u.Source != SourceJIT && u.Source != SourceSCIM && u.Source != SourceInvite:
		return fmt.Errorf("source %q is not one of jit, scim, invite: %w", u.Source, ErrInvalid)
	case u.SCIM != nil && !json.Valid(u.SCIM):
		return fmt.Errorf("SCIM document is not valid JSON: %w", ErrInvalid)
	}
	return nil
}

// CreateUser adds a user to an organisation. The ID is made here when
// empty; Version starts at 1. A userName already in the org (in any case)
// gives ErrUserExists, so concurrent creates of one name yield exactly one
// user.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	var out User
	err := s.inTx(ctx, func(tx dbtx) error {
		var err error
		out, err = insertUser(ctx, tx, u, s.now())
		return err
	})
	return out, err
}

func insertUser(ctx context.Context, tx dbtx, u User, now time.Time) (User, error) {
	if u.ID == "" {
		u.ID = newID()
	}
	if err := validateUser(u); err != nil {
		return User{}, err
	}
	u.Version = 1
	u.CreatedAt, u.UpdatedAt = now.UTC(), now.UTC()
	_, err := tx.ExecContext(ctx, qInsertUser,
		u.ID, u.OrgID, u.UserName, u.ExternalID, u.Email, u.GivenName, u.FamilyName, u.DisplayName,
		u.Role, u.Source, u.Active, nullJSON(u.SCIM), u.Version, formatTime(u.CreatedAt),
		formatTime(u.UpdatedAt), nullTime(u.LastSignInAt), userNameKey(u.UserName))
	if err != nil {
		if isUnique(err) {
			return User{}, fmt.Errorf("userName %q: %w", u.UserName, ErrUserExists)
		}
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return User{}, fmt.Errorf("organisation %q: %w", u.OrgID, ErrNotFound)
		}
		return User{}, fmt.Errorf("create user %q: %w", u.UserName, err)
	}
	return u, nil
}

func nullJSON(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// GetUser returns a user of the organisation by ID.
func (s *Store) GetUser(ctx context.Context, orgID, id string) (User, error) {
	defer s.read()()
	u, err := scanUser(s.q.QueryRowContext(ctx, qUserByID, id, orgID))
	if err != nil {
		return User{}, notFound(err, fmt.Sprintf("user %q", id))
	}
	return u, nil
}

// FindUserByUserName returns the org's user with this userName, compared
// case-insensitively, through an index.
func (s *Store) FindUserByUserName(ctx context.Context, orgID, userName string) (User, error) {
	defer s.read()()
	u, err := scanUser(s.q.QueryRowContext(ctx, qUserByKey, orgID, userNameKey(userName)))
	if err != nil {
		return User{}, notFound(err, fmt.Sprintf("user %q", userName))
	}
	return u, nil
}

// UserQuery selects users of one organisation. Empty fields don't
// constrain; set fields are ANDed, as SCIM's "and" of "eq" filters.
type UserQuery struct {
	// UserName matches case-insensitively.
	UserName string
	// ExternalID matches exactly (SCIM's externalId is caseExact).
	ExternalID string
	// HasUserName and HasExternalID say the field is constrained even when
	// empty (a filter "externalId eq """ matches users without one).
	HasUserName, HasExternalID bool
	// Offset skips that many matches (SCIM startIndex-1); Limit caps the
	// page, 0 meaning no cap.
	Offset, Limit int
}

// FindUsers returns one page of the org's users that match q, in creation
// order, and how many match in all.
func (s *Store) FindUsers(ctx context.Context, orgID string, q UserQuery) ([]User, int, error) {
	defer s.read()()
	where := `org_id = ?`
	args := []any{orgID}
	if q.UserName != "" || q.HasUserName {
		where += ` AND user_name_key = ?`
		args = append(args, userNameKey(q.UserName))
	}
	if q.ExternalID != "" || q.HasExternalID {
		where += ` AND external_id = ?`
		args = append(args, q.ExternalID)
	}
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where+
		` ORDER BY seq LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return users, total, nil
}

// UpdateUser changes one user in a single write transaction: fn gets the
// current state and edits it in place; returning an error leaves the user
// unchanged. Concurrent updates are serialised, so none is lost. ID, org,
// creation time and Version are managed here. fn runs under the store's
// write lock: it must not call the Store.
func (s *Store) UpdateUser(ctx context.Context, orgID, id string, fn func(*User) error) (User, error) {
	var out User
	err := s.inTx(ctx, func(tx dbtx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, qUserByID, id, orgID))
		if err != nil {
			return notFound(err, fmt.Sprintf("user %q", id))
		}
		before := u
		if err := fn(&u); err != nil {
			return err
		}
		out, err = s.writeUser(ctx, tx, before, u)
		return err
	})
	return out, err
}

func (s *Store) writeUser(ctx context.Context, tx dbtx, before, u User) (User, error) {
	u.ID, u.OrgID, u.CreatedAt = before.ID, before.OrgID, before.CreatedAt
	if err := validateUser(u); err != nil {
		return User{}, err
	}
	u.Version = before.Version + 1
	u.UpdatedAt = s.now().UTC()
	_, err := tx.ExecContext(ctx, qUpdateUser,
		u.UserName, userNameKey(u.UserName), u.ExternalID, u.Email, u.GivenName, u.FamilyName,
		u.DisplayName, u.Role, u.Source, u.Active, nullJSON(u.SCIM), u.Version, formatTime(u.UpdatedAt),
		nullTime(u.LastSignInAt), u.ID)
	if err != nil {
		if isUnique(err) {
			return User{}, fmt.Errorf("userName %q: %w", u.UserName, ErrUserExists)
		}
		return User{}, fmt.Errorf("update user %q: %w", u.UserName, err)
	}
	return u, nil
}

// SignInAttributes are what a SAML sign-in brings, after the pool's
// attribute mapping.
type SignInAttributes struct {
	// UserName is the NameID.
	UserName    string
	Email       string
	GivenName   string
	FamilyName  string
	DisplayName string
}

// SignIn records a SAML sign-in just in time, in one transaction: a user
// already in the org (matched on userName, case-insensitively, so a user
// SCIM created is the same account) gets the mapped attributes updated; an
// unknown one is created as a Member with source "jit". A deactivated user
// is refused with ErrUserDeactivated (and returned, so the caller can say
// who). created reports whether the account was made now.
func (s *Store) SignIn(ctx context.Context, orgID string, a SignInAttributes) (u User, created bool, err error) {
	now := s.now().UTC()
	err = s.inTx(ctx, func(tx dbtx) error {
		existing, err := scanUser(tx.QueryRowContext(ctx, qUserByKey, orgID, userNameKey(a.UserName)))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			u, err = insertUser(ctx, tx, User{
				OrgID: orgID, UserName: a.UserName, Email: a.Email, GivenName: a.GivenName,
				FamilyName: a.FamilyName, DisplayName: a.DisplayName, Role: RoleMember,
				Source: SourceJIT, Active: true, LastSignInAt: &now,
			}, now)
			created = err == nil
			return err
		case err != nil:
			return fmt.Errorf("look up user %q: %w", a.UserName, err)
		}
		if !existing.Active {
			u = existing
			return fmt.Errorf("user %q: %w", existing.UserName, ErrUserDeactivated)
		}
		next := existing
		// Cognito updates every mapped attribute at each sign-in; an
		// attribute the IdP didn't send keeps its value.
		for _, f := range []struct {
			dst *string
			v   string
		}{{&next.Email, a.Email}, {&next.GivenName, a.GivenName}, {&next.FamilyName, a.FamilyName}, {&next.DisplayName, a.DisplayName}} {
			if f.v != "" {
				*f.dst = f.v
			}
		}
		next.LastSignInAt = &now
		u, err = s.writeUser(ctx, tx, existing, next)
		return err
	})
	return u, created, err
}

// CountUsers returns how many users the organisation has.
func (s *Store) CountUsers(ctx context.Context, orgID string) (int, error) {
	defer s.read()()
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE org_id = ?`, orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

func isUnique(err error) bool { return store.IsUniqueViolation(err) }
