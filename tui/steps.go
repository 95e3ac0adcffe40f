package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// StepID names a step of the wizard, in the guide's order.
type StepID int

// The steps.
const (
	StepWelcome StepID = iota
	StepApp
	StepSAML
	StepClaims
	StepCertificate
	StepUsers
	StepToken
	StepSCIM
	StepChecks
	StepSummary
	numSteps
)

// Number is the step's number as the admin sees it, from 1.
func (id StepID) Number() int { return int(id) + 1 }

// step is one screen of the wizard. The Model owns the state (the setup,
// the rehearsal and its results); a step renders part of it and turns key
// presses into changes or commands.
type step interface {
	// title heads the screen; short names it in the stepper.
	title() string
	short() string
	// screen is where the admin does this in Entra or RudderStack.
	screen(m *Model) string
	// enter is called when the step becomes current; focus names a field
	// to put the cursor on (from a remediation), or "".
	enter(m *Model, focus string) tea.Cmd
	// update handles a message; handled is false when the frame should
	// (enter, esc and the global keys).
	update(m *Model, msg tea.Msg) (cmd tea.Cmd, handled bool)
	// view renders the body at width and returns the line to keep in view.
	view(m *Model, width int) (body string, focusLine int)
	// keys are the step's own keys for the help line.
	keys(m *Model) []key.Binding
	// editing reports whether a text field has focus.
	editing() bool
	// done reports whether the step's work is complete (its live part
	// included: the app created, the token generated, …).
	done(m *Model) bool
}

// owns reports whether a setup field path belongs to one of prefixes.
func owns(prefixes []string, path string) bool {
	for _, p := range prefixes {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			return true
		}
	}
	return false
}

// stepFields are the setup fields (path prefixes) each step edits; a
// finding or a remediation on one of them belongs to that step.
var stepFields = [numSteps][]string{
	StepApp:         {"app"},
	StepSAML:        {"saml.identifier", "saml.reply_url", "saml.sign_on_url", "saml.relay_state", "saml.logout_url"},
	StepClaims:      {"claims"},
	StepCertificate: {"saml.signing_option", "saml.signing_algorithm"},
	StepUsers:       {"users"},
	StepToken:       {"rudderstack.org_role", "rudderstack.pat"},
	StepSCIM:        {"provisioning", "rudderstack.scim_enabled"},
}

// stepFor returns the step that holds a setup field, or -1.
func stepFor(path string) StepID {
	if path == "" {
		return -1
	}
	for i, fs := range stepFields {
		if owns(fs, path) {
			return StepID(i)
		}
	}
	return -1
}

// stepFor returns the step that holds a setup field, or -1.
func (m *Model) stepFor(path string) StepID { return stepFor(path) }

// pagedStep is a step that pages part of its body itself (the live
// checks' details pane); pageBy reports whether it did.
type pagedStep interface {
	pageBy(m *Model, n int) bool
}

// scrollingStep is a step whose keys scroll the frame (the summary's ↑/↓),
// so the frame keeps the scroll when it reports they do.
type scrollingStep interface {
	scrolls(m *Model, msg tea.KeyPressMsg) bool
}

// valueCopier is a step whose focused value the copy key (ctrl+y) puts on
// the clipboard, so a value is carried to Entra whole, whatever the
// terminal's selection picks up.
type valueCopier interface {
	copyValue(m *Model) (label, value string, ok bool)
}
