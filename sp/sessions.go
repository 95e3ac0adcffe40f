package sp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ssowiz/ssowiz/internal/store"
)

// SessionCookie is the app's session cookie.
const SessionCookie = "rs_session"

// stateCookie binds the OAuth state of a sign-in to the browser that
// started it.
const stateCookie = "rs_sso_state"

// SessionTTL is how long an app session lasts.
const SessionTTL = 8 * time.Hour

// session is a signed-in browser.
type session struct {
	OrgID string
	// OrgName is the organisation's name at sign-in, so pages need not
	// look the organisation up.
	OrgName         string
	UserID          string
	CognitoUsername string
	ProviderName    string
	CreatedAt       time.Time
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenKey is what the database keeps instead of the session token.
func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func (s *Server) prepare(ctx context.Context) error {
	var err error
	if s.insertSession, err = s.db.PrepareContext(ctx, `INSERT INTO sessions
		(token_hash, org_id, org_name, user_id, cognito_username, provider_name, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return fmt.Errorf("sp: prepare: %w", err)
	}
	if s.selectSession, err = s.db.PrepareContext(ctx, `SELECT org_id, org_name, user_id, cognito_username, provider_name, created_at, expires_at
		FROM sessions WHERE token_hash = ?`); err != nil {
		return fmt.Errorf("sp: prepare: %w", err)
	}
	return nil
}

func (s *Server) createSession(ctx context.Context, w http.ResponseWriter, sess session) error {
	token := randomToken()
	now := s.now()
	if _, err := s.insertSession.ExecContext(store.Short(ctx), tokenKey(token), sess.OrgID, sess.OrgName, sess.UserID, sess.CognitoUsername,
		sess.ProviderName, now.UnixNano(), now.Add(SessionTTL).UnixNano()); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL / time.Second),
	})
	return nil
}

// sessionOf returns the request's session, or errNoSession.
func (s *Server) sessionOf(r *http.Request) (session, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return session{}, errNoSession
	}
	var sess session
	var created, expires int64
	err = s.selectSession.QueryRowContext(store.Short(r.Context()), tokenKey(c.Value)).
		Scan(&sess.OrgID, &sess.OrgName, &sess.UserID, &sess.CognitoUsername, &sess.ProviderName, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return session{}, errNoSession
	}
	if err != nil {
		return session{}, fmt.Errorf("load session: %w", err)
	}
	if !s.now().Before(time.Unix(0, expires)) {
		s.endSession(r)
		return session{}, errNoSession
	}
	sess.CreatedAt = time.Unix(0, created)
	return sess, nil
}

// endSession deletes the request's session, if any.
func (s *Server) endSession(r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		_, _ = s.db.ExecContext(store.Short(r.Context()), `DELETE FROM sessions WHERE token_hash = ?`, tokenKey(c.Value))
	}
}

// SessionCount is how many sessions exist, expired ones included; tests
// and checks use it to prove a refused sign-in started none.
func (s *Server) SessionCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	return n, nil
}
