// Package auditlog keeps the mock Entra ID's sign-in log — every sign-in
// attempt, successful or refused with an AADSTS code, with the app, the
// user, the client's IP address, the correlation ID shown on Entra's
// error page, and the claims and SAML response issued — in its own SQLite
// database (store name "audit"), and carries a live feed of sign-ins and
// provisioning actions to whoever subscribes (`serve`'s terminal feed).
//
// Graph's auditLogs/signIns, the sign-in logs page and `ssowiz logs` read
// from here; provisioning actions are stored by the provisioning engine
// and only pass through the feed.
package auditlog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/store"
)

// StoreName is the log's database name under the data directory
// ("audit.db").
const StoreName = "audit"

// ErrNotFound means no sign-in has the ID asked for.
var ErrNotFound = errors.New("no such sign-in")

// Claim is one claim of an issued token, as the SAML attribute's name and
// value (the Name ID as "NameID").
type Claim struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SignIn is one sign-in attempt.
type SignIn struct {
	// ID is the entry's ID (a GUID), set by Record.
	ID string
	// CreatedAt is when the attempt ended, set by Record.
	CreatedAt time.Time
	// UserID, UserPrincipalName and UserDisplayName name the user; empty
	// when the attempt failed before a known user was named.
	UserID, UserPrincipalName, UserDisplayName string
	// AppID and AppDisplayName name the enterprise app; empty when the
	// request named no known app.
	AppID, AppDisplayName string
	// IPAddress is the client's address.
	IPAddress string
	// UserAgent is the browser's User-Agent.
	UserAgent string
	// CorrelationID is the ID Entra's error page shows, so a user's
	// screenshot can be matched to its entry.
	CorrelationID string
	// ErrorCode is the AADSTS number of a failure; 0 for a success.
	ErrorCode int
	// FailureReason is the AADSTS message of a failure.
	FailureReason string
	// Claims are the claims issued, in the response's order.
	Claims []Claim
	// SAMLResponse is the issued SAML response as XML, its signature
	// values elided so the log holds no usable credential; empty for a
	// failure.
	SAMLResponse string
	// ReplyURL is where the response was posted.
	ReplyURL string
}

// Succeeded reports whether the attempt ended with a token issued.
func (s SignIn) Succeeded() bool { return s.ErrorCode == 0 }

// Options configures Open.
type Options struct {
	// Dir is the data directory; empty keeps the log in memory.
	Dir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of entry IDs; nil means crypto/rand.
	Rand io.Reader
}

// Log is the sign-in log and the live feed. It is safe for concurrent use.
type Log struct {
	db     *sql.DB
	now    func() time.Time
	randMu sync.Mutex
	rand   io.Reader
	insert *sql.Stmt
	feed   feed
}

var migrations = []store.Migration{
	{Version: 1, Name: "sign-ins", SQL: `
CREATE TABLE sign_ins (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	id             TEXT NOT NULL UNIQUE,
	created_at     TEXT NOT NULL,
	user_id        TEXT NOT NULL,
	upn            TEXT NOT NULL,
	user_name      TEXT NOT NULL,
	app_id         TEXT NOT NULL,
	app_name       TEXT NOT NULL,
	ip_address     TEXT NOT NULL,
	user_agent     TEXT NOT NULL,
	correlation_id TEXT NOT NULL,
	error_code     INTEGER NOT NULL,
	failure_reason TEXT NOT NULL,
	claims         TEXT NOT NULL,
	saml_response  TEXT NOT NULL,
	reply_url      TEXT NOT NULL
);
CREATE INDEX sign_ins_user ON sign_ins (user_id);
CREATE INDEX sign_ins_app ON sign_ins (app_id);
`},
}

// Open opens (creating if needed) the log's database.
func Open(ctx context.Context, opts Options) (*Log, error) {
	db, err := store.Open(ctx, store.Options{Dir: opts.Dir, Name: StoreName}, migrations)
	if err != nil {
		return nil, fmt.Errorf("open the sign-in log: %w", err)
	}
	l := &Log{db: db, now: opts.Now, rand: opts.Rand}
	if l.now == nil {
		l.now = time.Now
	}
	if l.rand == nil {
		l.rand = rand.Reader
	}
	if l.insert, err = db.PrepareContext(ctx, `INSERT INTO sign_ins (id, created_at, user_id, upn, user_name, app_id, app_name,
		ip_address, user_agent, correlation_id, error_code, failure_reason, claims, saml_response, reply_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare the sign-in log: %w", err)
	}
	return l, nil
}

// Close closes the database and ends every subscription.
func (l *Log) Close() error {
	l.feed.close()
	l.insert.Close()
	return l.db.Close()
}

// Record stores a sign-in attempt, setting its ID and time, and passes it
// to the feed.
func (l *Log) Record(ctx context.Context, s SignIn) (SignIn, error) {
	l.randMu.Lock()
	id, err := uuid.NewRandomFromReader(l.rand)
	l.randMu.Unlock()
	if err != nil {
		return SignIn{}, fmt.Errorf("record a sign-in: %w", err)
	}
	s.ID, s.CreatedAt = id.String(), l.now().UTC()
	claims, _ := json.Marshal(nonNil(s.Claims))
	if _, err := l.insert.ExecContext(store.Short(ctx), s.ID, formatTime(s.CreatedAt), strings.ToLower(s.UserID), s.UserPrincipalName,
		s.UserDisplayName, strings.ToLower(s.AppID), s.AppDisplayName, s.IPAddress, s.UserAgent, s.CorrelationID, s.ErrorCode,
		s.FailureReason, string(claims), s.SAMLResponse, s.ReplyURL); err != nil {
		return SignIn{}, fmt.Errorf("record a sign-in: %w", err)
	}
	signIn := s
	l.feed.publish(Event{Time: s.CreatedAt, SignIn: &signIn})
	return s, nil
}

// Query selects sign-ins; zero fields select everything.
type Query struct {
	// UserID keeps one user's attempts (object ID).
	UserID string
	// AppID keeps one app's attempts.
	AppID string
	// Limit caps the entries, newest first; 0 means 1,000.
	Limit int
}

const columns = `id, created_at, user_id, upn, user_name, app_id, app_name, ip_address, user_agent, correlation_id,
	error_code, failure_reason, claims, saml_response, reply_url`

// SignIns returns the matching sign-ins, newest first.
func (l *Log) SignIns(ctx context.Context, q Query) ([]SignIn, error) {
	where, args := []string{"1 = 1"}, []any{}
	if q.UserID != "" {
		where, args = append(where, "user_id = ?"), append(args, strings.ToLower(q.UserID))
	}
	if q.AppID != "" {
		where, args = append(where, "app_id = ?"), append(args, strings.ToLower(q.AppID))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := l.db.QueryContext(ctx, `SELECT `+columns+` FROM sign_ins WHERE `+strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("read the sign-in log: %w", err)
	}
	defer rows.Close()
	var out []SignIn
	for rows.Next() {
		s, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SignIn returns one sign-in by ID.
func (l *Log) SignIn(ctx context.Context, id string) (SignIn, error) {
	s, err := scan(l.db.QueryRowContext(ctx, `SELECT `+columns+` FROM sign_ins WHERE id = ?`, strings.ToLower(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return SignIn{}, fmt.Errorf("sign-in %s: %w", id, ErrNotFound)
	}
	return s, err
}

func scan(row interface{ Scan(...any) error }) (SignIn, error) {
	var s SignIn
	var created, claims string
	if err := row.Scan(&s.ID, &created, &s.UserID, &s.UserPrincipalName, &s.UserDisplayName, &s.AppID, &s.AppDisplayName,
		&s.IPAddress, &s.UserAgent, &s.CorrelationID, &s.ErrorCode, &s.FailureReason, &claims, &s.SAMLResponse, &s.ReplyURL); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return SignIn{}, err
		}
		return SignIn{}, fmt.Errorf("read the sign-in log: %w", err)
	}
	s.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	if err := json.Unmarshal([]byte(claims), &s.Claims); err != nil {
		return SignIn{}, fmt.Errorf("read the sign-in log: entry %s: %w", s.ID, err)
	}
	return s, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func nonNil(c []Claim) []Claim {
	if c == nil {
		return []Claim{}
	}
	return c
}
