package cognito

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/crewjam/saml"
)

// replayCache is crewjam's AssertionReplayCache kept in the pool's
// database, so an assertion accepted before a restart on the same data
// directory is still refused after it. Cognito rejects every replayed
// assertion; crewjam's cache is opt-in, so the pool always sets this one.
type replayCache struct {
	db      *sql.DB
	consume *sql.Stmt
	now     func() time.Time

	mu        sync.Mutex
	lastSweep time.Time
}

// sweepEvery bounds how often expired IDs are deleted.
const sweepEvery = time.Minute

// Consume records id until expiresAt, refusing an id already recorded and
// not yet expired with saml.ErrAssertionReplayed. One statement does both,
// so two concurrent posts of the same assertion can't both pass.
func (c *replayCache) Consume(id string, expiresAt time.Time) error {
	// crewjam's interface has no context; the statement is a single-row
	// upsert on a local database.
	ctx := context.Background()
	now := c.now()
	res, err := c.consume.ExecContext(ctx, id, expiresAt.UnixNano(), now.UnixNano())
	if err != nil {
		return fmt.Errorf("record assertion ID: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("record assertion ID: %w", err)
	}
	if n == 0 {
		return saml.ErrAssertionReplayed
	}
	c.sweep(ctx, now)
	return nil
}

// sweep deletes IDs whose assertions can no longer be accepted anyway, at
// most once a minute.
func (c *replayCache) sweep(ctx context.Context, now time.Time) {
	c.mu.Lock()
	due := now.Sub(c.lastSweep) >= sweepEvery
	if due {
		c.lastSweep = now
	}
	c.mu.Unlock()
	if due {
		_, _ = c.db.ExecContext(ctx, `DELETE FROM seen_assertions WHERE expires_at <= ?`, now.UnixNano())
	}
}
