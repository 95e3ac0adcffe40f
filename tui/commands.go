package tui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ssowiz/ssowiz/internal/atomicfile"
	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// Commands: everything that touches the file system, the mocks or the
// clock's passing happens here, never in Update.

func readSetupCmd(path string) tea.Cmd {
	return func() tea.Msg {
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return savedSetupMsg{}
		}
		if err != nil {
			return savedSetupMsg{err: fmt.Errorf("read %s: %w", path, err)}
		}
		s, err := setup.ReadFile(path)
		if err != nil {
			return savedSetupMsg{err: err}
		}
		return savedSetupMsg{setup: s, modTime: fi.ModTime(), found: true}
	}
}

// saveCmd writes the setup file; a failure keeps the old file whole.
func (m *Model) saveCmd() tea.Cmd {
	path, s, now := m.path, m.setup, m.now
	s.Wizard = &setup.Wizard{Step: m.reached.Number(), Tenant: m.opts.Tenant.File}
	if path == "" {
		return func() tea.Msg { return savedMsg{err: ErrNoSetupFile} }
	}
	if !m.fileOK {
		err := fmt.Errorf("%w: %s could not be read (%v); fix it or start ssowiz with another --setup file", ErrKeepFile, path, m.saveErr)
		return func() tea.Msg { return savedMsg{err: err} }
	}
	return func() tea.Msg {
		data, err := setup.Marshal(s)
		if err != nil {
			return savedMsg{err: err}
		}
		if err := writeFileAtomic(path, data); err != nil {
			return savedMsg{err: err}
		}
		return savedMsg{path: path, setup: s, at: now()}
	}
}

// writeFileAtomic saves a file whole or not at all, mode 0600 because a
// pasted Secret Token may be in it.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// exportCmd writes an export; an existing file is replaced only when
// replace is set, and otherwise reported, so nothing is lost unasked.
func exportCmd(what, path string, data []byte, replace bool) tea.Cmd {
	return func() tea.Msg {
		if !replace {
			if _, err := os.Lstat(path); err == nil {
				return exportedMsg{what: what, path: path, exists: true}
			}
		}
		if err := writeFileAtomic(path, data); err != nil {
			return exportedMsg{what: what, err: err}
		}
		return exportedMsg{what: what, path: path}
	}
}

// exportScriptCmd writes the Graph script as exportCmd writes any export,
// and once it is written says how to run it.
func exportScriptCmd(path, script string, provisioning, replace bool) tea.Cmd {
	write := exportCmd("Graph script", path, []byte(script), replace)
	return func() tea.Msg {
		msg := write().(exportedMsg)
		if msg.err == nil && !msg.exists {
			msg.next = "Read it, then run it after az login: bash " + path
			if provisioning {
				msg.next = "Read it, then run it after az login: SCIM_SECRET_TOKEN=<the Admin token> bash " + path
			}
		}
		return msg
	}
}

func createAppCmd(ctx context.Context, r Rehearsal, s setup.Setup) tea.Cmd {
	return func() tea.Msg {
		app, err := r.CreateApp(ctx, s)
		return appCreatedMsg{app: app, err: err}
	}
}

func generateCmd(ctx context.Context, r Rehearsal, s setup.Setup) tea.Cmd {
	return func() tea.Msg {
		t, err := r.GeneratePAT(ctx, s)
		return tokenMsg{token: t, err: err}
	}
}

func testConnectionCmd(ctx context.Context, r Rehearsal, s setup.Setup, token string) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		c, err := r.TestConnection(ctx, s, token)
		if c.Duration == 0 {
			c.Duration = time.Since(start)
		}
		return connectionMsg{conn: c, err: err}
	}
}

// runCmd starts a run in the background and returns its first message;
// each progress message carries the channel to wait on for the next, so
// the run reports as it goes without touching the model.
func runCmd(ctx context.Context, r Rehearsal, s setup.Setup, only []string, id int) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, 16)
		go func() {
			defer close(ch)
			send := func(msg tea.Msg) {
				select {
				case ch <- msg:
				case <-ctx.Done():
				}
			}
			report, err := r.Run(ctx, s, only, func(e checks.Event) {
				send(checkEventMsg{run: id, event: e, next: ch})
			})
			send(checksDoneMsg{run: id, report: report, err: err})
		}()
		return waitCmd(ch)()
	}
}

func waitCmd(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}
