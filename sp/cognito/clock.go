package cognito

import (
	"time"

	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
)

// funcClock is a clockwork.Clock whose time comes from the pool's Now, so
// crewjam's per-ServiceProvider Clock (and goxmldsig's certificate validity
// check) see the same instant as everything else in the pool. Only Now,
// Since and Until are used by those libraries; the timer methods delegate to
// the real clock.
type funcClock struct {
	now func() time.Time
	clockwork.Clock
}

func (c funcClock) Now() time.Time                  { return c.now() }
func (c funcClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c funcClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

func dsigClock(now func() time.Time) *dsig.Clock {
	return dsig.NewFakeClock(funcClock{now: now, Clock: clockwork.NewRealClock()})
}
