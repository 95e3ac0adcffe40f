package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// starter runs Options.Start once, in a command, and remembers what it
// started so Close can stop it even when the admin quit while the mocks
// were still starting.
type starter struct {
	start func(context.Context) (Rehearsal, error)

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
	r      Rehearsal
}

// cmd starts the rehearsal; it does nothing once Close has begun.
func (s *starter) cmd(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()

		r, err := s.start(ctx)
		if err != nil {
			return rehearsalReadyMsg{err: fmt.Errorf("start the rehearsal: %w", err)}
		}
		s.mu.Lock()
		s.r = r
		s.mu.Unlock()
		return rehearsalReadyMsg{r: r}
	}
}

// close waits for a start in progress and stops what it started.
func (s *starter) close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	r := s.r
	s.r = nil
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	if err := r.Close(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop the rehearsal: %w", err)
	}
	return nil
}
