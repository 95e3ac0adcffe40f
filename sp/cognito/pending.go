package cognito

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ssowiz/ssowiz/internal/store"
)

// pending is an AuthnRequest waiting for the IdP's response, with the
// authorize parameters to answer once it comes.
type pending struct {
	RequestID   string
	OrgID       string
	ClientID    string
	RedirectURI string
	State       string
	Scope       string
	CreatedAt   time.Time
	// BrowserHash is the hash of the starting browser's BrowserCookie.
	BrowserHash string
}

// relayStateBytes makes RelayState 96 characters: opaque and longer than
// the 80 bytes the SAML bindings suggest, as Cognito's is, so an IdP that
// truncates RelayState fails here as it would there.
const relayStateBytes = 72

// pendingKeep is how long a pending request stays in the database: past
// PendingTTL, so a late response is told it was too slow rather than that
// its RelayState is unknown.
const pendingKeep = time.Hour

func newRelayState() string {
	b := make([]byte, relayStateBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// relayKey is what the database keeps instead of the RelayState itself,
// which is a bearer handle on the sign-in.
func relayKey(relayState string) string {
	h := sha256.Sum256([]byte(relayState))
	return hex.EncodeToString(h[:])
}

func (p *Pool) savePending(ctx context.Context, relayState string, r pending) error {
	_, err := p.insertPending.ExecContext(store.Short(ctx), relayKey(relayState), r.RequestID, r.OrgID, r.ClientID, r.RedirectURI, r.State, r.Scope, r.CreatedAt.UnixNano(), r.BrowserHash)
	if err != nil {
		return fmt.Errorf("save pending SAML request: %w", err)
	}
	p.sweepPending(ctx)
	return nil
}

// loadPending returns the pending request for relayState; found is false
// when there is none. It is not deleted on use: the replay cache is what
// makes each assertion single-use, and keeping the request lets a replayed
// post reach that check (and say so) instead of failing on RelayState.
func (p *Pool) loadPending(ctx context.Context, relayState string) (r pending, found bool, err error) {
	var created int64
	err = p.selectPending.QueryRowContext(store.Short(ctx), relayKey(relayState)).
		Scan(&r.RequestID, &r.OrgID, &r.ClientID, &r.RedirectURI, &r.State, &r.Scope, &created, &r.BrowserHash)
	if errors.Is(err, sql.ErrNoRows) {
		return pending{}, false, nil
	}
	if err != nil {
		return pending{}, false, fmt.Errorf("load pending SAML request: %w", err)
	}
	r.CreatedAt = time.Unix(0, created)
	return r, true, nil
}

func (p *Pool) sweepPending(ctx context.Context) {
	now := p.now()
	p.sweepMu.Lock()
	due := now.Sub(p.lastSweep) >= sweepEvery
	if due {
		p.lastSweep = now
	}
	p.sweepMu.Unlock()
	if due {
		_, _ = p.db.ExecContext(ctx, `DELETE FROM pending_requests WHERE created_at <= ?`, now.Add(-pendingKeep).UnixNano())
	}
}
