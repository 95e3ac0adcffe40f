package graph

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// The application permissions (app roles of Microsoft Graph) the mock
// knows. A token's roles claim lists the ones granted to its client; each
// route names the ones that let a caller through, as Graph's permission
// reference does.
const (
	UserReadAll                 = "User.Read.All"
	UserReadWriteAll            = "User.ReadWrite.All"
	GroupReadAll                = "Group.Read.All"
	GroupReadWriteAll           = "Group.ReadWrite.All"
	GroupMemberReadAll          = "GroupMember.Read.All"
	GroupMemberReadWriteAll     = "GroupMember.ReadWrite.All"
	DirectoryReadAll            = "Directory.Read.All"
	DirectoryReadWriteAll       = "Directory.ReadWrite.All"
	ApplicationReadWriteAll     = "Application.ReadWrite.All"
	AppRoleAssignmentReadWrite  = "AppRoleAssignment.ReadWrite.All"
	PolicyReadAll               = "Policy.Read.All"
	PolicyReadWriteAppConfig    = "Policy.ReadWrite.ApplicationConfiguration"
	SynchronizationReadWriteAll = "Synchronization.ReadWrite.All"
	AuditLogReadAll             = "AuditLog.Read.All"
)

// Permissions lists the application permissions the mock knows.
func Permissions() []string {
	return []string{UserReadAll, UserReadWriteAll, GroupReadAll, GroupReadWriteAll, GroupMemberReadAll,
		GroupMemberReadWriteAll, DirectoryReadAll, DirectoryReadWriteAll, ApplicationReadWriteAll,
		AppRoleAssignmentReadWrite, PolicyReadAll, PolicyReadWriteAppConfig, SynchronizationReadWriteAll, AuditLogReadAll}
}

// AutomationPermissions are the permissions `serve` grants its automation
// app registration: everything the guide's steps need through Graph, and
// the audit logs.
func AutomationPermissions() []string {
	return []string{UserReadWriteAll, GroupReadWriteAll, GroupMemberReadWriteAll, DirectoryReadAll,
		ApplicationReadWriteAll, AppRoleAssignmentReadWrite, PolicyReadWriteAppConfig,
		SynchronizationReadWriteAll, AuditLogReadAll}
}

// Client is an app registration that may use the client-credentials grant.
type Client struct {
	// AppID is the Application (client) ID.
	AppID string
	// ObjectID is the app registration's object ID.
	ObjectID string
	// ServicePrincipalID is its enterprise app's object ID, the token's oid
	// and sub.
	ServicePrincipalID string
	// DisplayName is the app registration's name.
	DisplayName string
	// Roles are the application permissions granted (admin consent given).
	Roles []string
	// CreatedAt is when it was registered.
	CreatedAt time.Time
}

// Credentials are a client's ID and a new secret. The secret is shown
// once: only its salted hash is stored.
type Credentials struct {
	// ClientID is the Application (client) ID.
	ClientID string
	// ClientSecret is the secret's value (not its ID), as the portal shows it
	// once under "Certificates & secrets".
	ClientSecret string
}

// secretLifetime is the portal's recommended (and default) expiry of a
// new client secret: 180 days.
const secretLifetime = 180 * 24 * time.Hour

// EnsureClient registers an app registration named name with the given
// application permissions (or finds the one with that name and sets its
// permissions), removes its previous client secrets and adds a new one.
// `serve` calls it at each start, as it makes a new admin token: the
// previous secret was only ever printed.
func (s *Server) EnsureClient(ctx context.Context, name string, roles []string) (Credentials, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 256 {
		return Credentials{}, fmt.Errorf("graph: register %q: %w", name, ErrBadClientName)
	}
	for _, r := range roles {
		if !slices.Contains(Permissions(), r) {
			return Credentials{}, fmt.Errorf("graph: register %q: %q: %w (known: %s)", name, r, ErrUnknownPermission, strings.Join(Permissions(), ", "))
		}
	}
	rolesJSON, _ := json.Marshal(nonNil(roles))
	secret, err := newClientSecret(s.rand)
	if err != nil {
		return Credentials{}, err
	}
	hash, err := hashSecret(s.rand, secret)
	if err != nil {
		return Credentials{}, err
	}
	ids := make([]string, 4)
	for i := range ids {
		if ids[i], err = s.newGUID(); err != nil {
			return Credentials{}, err
		}
	}
	now := s.now().UTC()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Credentials{}, fmt.Errorf("graph: register %q: %w", name, err)
	}
	defer tx.Rollback()
	var appID string
	err = tx.QueryRowContext(ctx, `SELECT app_id FROM clients WHERE display_name = ?`, name).Scan(&appID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		appID = ids[0]
		_, err = tx.ExecContext(ctx, `INSERT INTO clients (app_id, object_id, sp_object_id, display_name, roles, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			appID, ids[1], ids[2], name, string(rolesJSON), formatTime(now))
	case err == nil:
		_, err = tx.ExecContext(ctx, `UPDATE clients SET roles = ? WHERE app_id = ?`, string(rolesJSON), appID)
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("graph: register %q: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM client_secrets WHERE app_id = ?`, appID); err != nil {
		return Credentials{}, fmt.Errorf("graph: revoke the old secrets of %q: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO client_secrets (key_id, app_id, hint, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		ids[3], appID, secret[:3], hash, formatTime(now), formatTime(now.Add(secretLifetime))); err != nil {
		return Credentials{}, fmt.Errorf("graph: add a secret to %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return Credentials{}, fmt.Errorf("graph: register %q: %w", name, err)
	}
	s.log.Info("graph client registered", "client_id", appID, "name", name, "roles", strings.Join(roles, " "))
	return Credentials{ClientID: appID, ClientSecret: secret}, nil
}

// client returns the registration with this Application ID.
func (s *Server) client(ctx context.Context, appID string) (Client, error) {
	var c Client
	var roles, created string
	err := s.db.QueryRowContext(ctx, `SELECT app_id, object_id, sp_object_id, display_name, roles, created_at FROM clients WHERE app_id = ?`,
		strings.ToLower(appID)).Scan(&c.AppID, &c.ObjectID, &c.ServicePrincipalID, &c.DisplayName, &roles, &created)
	if err != nil {
		return Client{}, err
	}
	if err := json.Unmarshal([]byte(roles), &c.Roles); err != nil {
		return Client{}, fmt.Errorf("client %s: roles: %w", appID, err)
	}
	c.CreatedAt = parseTime(created)
	return c, nil
}

// secretState is what checkSecret found.
type secretState int

const (
	secretWrong secretState = iota
	secretOK
	secretExpired
)

// checkSecret compares a presented secret with each of the client's
// secrets in constant time.
func (s *Server) checkSecret(ctx context.Context, appID, secret string) (secretState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT hash, expires_at FROM client_secrets WHERE app_id = ?`, appID)
	if err != nil {
		return secretWrong, fmt.Errorf("read the secrets of client %s: %w", appID, err)
	}
	defer rows.Close()
	state := secretWrong
	for rows.Next() {
		var hash, expires string
		if err := rows.Scan(&hash, &expires); err != nil {
			return secretWrong, fmt.Errorf("read the secrets of client %s: %w", appID, err)
		}
		if checkSecretHash(hash, secret) {
			if s.now().After(parseTime(expires)) {
				state = secretExpired
				continue
			}
			return secretOK, nil
		}
	}
	return state, rows.Err()
}

// secretAlphabet is what Entra's generated secrets are made of.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~"

// newClientSecret makes a secret shaped like the portal's: 40 characters,
// the fourth to sixth "8Q~".
func newClientSecret(r io.Reader) (string, error) {
	var b [37]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("make a client secret: %w", err)
	}
	out := make([]byte, 0, 40)
	for i, c := range b {
		alphabet := secretAlphabet
		if i < 3 {
			alphabet = secretAlphabet[:62]
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
		if i == 2 {
			out = append(out, "8Q~"...)
		}
	}
	return string(out), nil
}

// Secrets are stored as "sha256$<salt>$<hash>", as the STYLE notes ask of
// tokens: a secret is random and long, so a salted hash is enough.
func hashSecret(r io.Reader, secret string) (string, error) {
	var salt [16]byte
	if _, err := io.ReadFull(r, salt[:]); err != nil {
		return "", fmt.Errorf("make a secret salt: %w", err)
	}
	sum := sha256.Sum256(append(salt[:], secret...))
	enc := base64.RawStdEncoding
	return "sha256$" + enc.EncodeToString(salt[:]) + "$" + enc.EncodeToString(sum[:]), nil
}

func checkSecretHash(stored, secret string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != "sha256" {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[1])
	want, err2 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	got := sha256.Sum256(append(salt, secret...))
	return subtle.ConstantTimeCompare(got[:], want) == 1
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
