package provisioning

import (
	"context"
	"errors"
	"time"
)

// loop is the background scheduler started by Start.
type loop struct {
	stop    chan struct{}
	done    chan struct{}
	trigger chan string
}

// Start runs cycles in the background: every app whose Provisioning Status
// is On gets a cycle as soon as it is switched on and then once per
// interval (longer while quarantined). Cycles run with ctx; cancelling it
// aborts a running cycle, while Stop lets it finish.
func (e *Engine) Start(ctx context.Context) error {
	e.loopMu.Lock()
	defer e.loopMu.Unlock()
	if e.loop != nil {
		return ErrAlreadyStarted
	}
	l := &loop{stop: make(chan struct{}), done: make(chan struct{}), trigger: make(chan string, 16)}
	e.loop = l
	go e.runLoop(ctx, l)
	return nil
}

// Stop stops the background loop: the running cycle completes and no
// further cycle starts (reference §3.1). Turning provisioning back on
// later resumes from the watermark. Stop without Start does nothing.
func (e *Engine) Stop() {
	e.loopMu.Lock()
	l := e.loop
	e.loop = nil
	e.loopMu.Unlock()
	if l == nil {
		return
	}
	close(l.stop)
	<-l.done
}

// Trigger asks the background loop to run the app's cycle now rather than
// at its next interval. It does nothing if the loop is not running.
func (e *Engine) Trigger(appID string) {
	e.loopMu.Lock()
	l := e.loop
	e.loopMu.Unlock()
	if l == nil {
		return
	}
	select {
	case l.trigger <- appID:
	default:
	}
}

func (e *Engine) runLoop(ctx context.Context, l *loop) {
	defer close(l.done)
	next := map[string]time.Time{}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			return
		case id := <-l.trigger:
			if app, err := e.dir.App(ctx, id); err == nil {
				next[app.AppID] = time.Time{}
			}
		case <-timer.C:
		}
		wait := e.poll
		apps, err := e.dir.Apps(ctx)
		if err != nil {
			e.log.Error("provisioning loop: list apps", "err", err)
		}
		for _, app := range apps {
			select {
			case <-l.stop:
				return
			default:
			}
			cfg, err := e.dir.Provisioning(ctx, app.AppID)
			if err != nil || !cfg.Enabled {
				delete(next, app.AppID)
				continue
			}
			due, seen := next[app.AppID]
			now := time.Now()
			if seen && now.Before(due) {
				wait = min(wait, due.Sub(now))
				continue
			}
			rep, err := e.RunCycle(ctx, app.AppID)
			if err != nil && !errors.Is(err, context.Canceled) {
				e.log.Error("provisioning cycle failed", "app", app.AppID, "err", err)
			}
			interval := e.intervalFor(cfg)
			if rep.Outcome == OutcomeQuarantined {
				interval = e.quarantineInterval(ctx, app.AppID, interval)
			}
			next[app.AppID] = time.Now().Add(interval)
			wait = min(wait, interval)
		}
		timer.Reset(max(wait, time.Millisecond))
	}
}

// quarantineInterval doubles the interval for each cycle spent in
// quarantine, up to the cap ("drops gradually to once a day", reference
// §5.3).
func (e *Engine) quarantineInterval(ctx context.Context, appID string, base time.Duration) time.Duration {
	st, err := e.readJobState(ctx, appID)
	if err != nil {
		return base
	}
	d := base
	for i := 1; i < st.quarantineCycles && d < e.quarantine.MaxInterval; i++ {
		d *= 2
	}
	return min(d, max(e.quarantine.MaxInterval, base))
}
