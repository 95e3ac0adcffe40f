package tui

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// Run runs the full-screen wizard on a terminal until the admin quits, and
// stops the rehearsal it started. It returns the setup as the admin left
// it. environ decides colour and light or dark (NO_COLOR is honoured).
func Run(ctx context.Context, opts Options, in io.Reader, out io.Writer, environ []string) (setup.Setup, error) {
	m := New(opts)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithEnvironment(environ))
	_, err := p.Run()
	if err != nil {
		err = fmt.Errorf("wizard: %w", err)
	}
	// Closing waits for a rehearsal still starting; it must not be cut
	// short by the context that just ended the program.
	closeErr := m.Close(context.WithoutCancel(ctx))
	return m.Setup(), errors.Join(err, closeErr)
}
