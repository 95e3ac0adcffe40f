package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// Messages the wizard's commands send back. Commands never touch the
// model; they report with one of these.

// rehearsalReadyMsg reports that the mocks started (or could not).
type rehearsalReadyMsg struct {
	r   Rehearsal
	err error
}

// savedSetupMsg reports what was found at the setup file path at start.
type savedSetupMsg struct {
	setup   setup.Setup
	modTime time.Time
	found   bool
	err     error
}

// savedMsg reports a save of the setup file.
type savedMsg struct {
	path  string
	setup setup.Setup
	at    time.Time
	err   error
}

// exportedMsg reports an export (Markdown, Graph script or setup file).
type exportedMsg struct {
	what, path string
	// next says what to do with the file once written, if anything.
	next string
	err  error
	// exists says nothing was written: the file is there and replacing
	// it was not agreed.
	exists bool
}

// appCreatedMsg reports step 2's Create.
type appCreatedMsg struct {
	app App
	err error
}

// tokenMsg reports step 7's Generate.
type tokenMsg struct {
	token Token
	err   error
}

// connectionMsg reports step 8's Test Connection.
type connectionMsg struct {
	conn Connection
	err  error
}

// checkEventMsg carries one progress event of a run, with the channel to
// wait on for the next.
type checkEventMsg struct {
	run   int
	event checks.Event
	next  <-chan tea.Msg
}

// checksDoneMsg ends a run.
type checksDoneMsg struct {
	run    int
	report *checks.Report
	err    error
}
