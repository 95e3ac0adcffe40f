package provisioning

import (
	"context"
	"sync"
)

// writer commits a cycle's outcomes in batches. Workers hand over an
// outcome and go on; one goroutine writes whatever has queued up in one
// transaction. A commit per object would cost more than the SCIM request
// it records. Batching loses nothing that matters: a user the server
// acknowledged but whose record was not yet written when the process died
// is found by the next cycle's filter query and adopted.
type writer struct {
	e              *Engine
	appID, cycleID string
	ctx            context.Context
	ch             chan outcome
	done           chan struct{}
	mu             sync.Mutex
	err            error
}

// maxBatch bounds one transaction.
const maxBatch = 256

func (e *Engine) newWriter(ctx context.Context, appID, cycleID string) *writer {
	w := &writer{e: e, appID: appID, cycleID: cycleID, ctx: context.WithoutCancel(ctx), ch: make(chan outcome, maxBatch), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *writer) run() {
	defer close(w.done)
	batch := make([]outcome, 0, maxBatch)
	for o := range w.ch {
		batch = append(batch[:0], o)
	drain:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-w.ch:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		if err := w.e.record(w.ctx, w.appID, w.cycleID, batch); err != nil {
			w.mu.Lock()
			if w.err == nil {
				w.err = err
			}
			w.mu.Unlock()
		}
	}
}

// add queues an outcome.
func (w *writer) add(o outcome) { w.ch <- o }

// close writes what is queued and returns the first write error.
func (w *writer) close() error {
	close(w.ch)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// failed returns the first write error so far, if any.
func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
