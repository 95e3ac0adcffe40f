package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// samlStep is Basic SAML Configuration: the four values the guide gives,
// prefilled and checked on every key press.
type samlStep struct{ form form }

func newSAMLStep() *samlStep {
	f := form{fields: []field{
		newTextField("saml.identifier", "Identifier (Entity ID)", "Identifier",
			"Required. Entra finds the app by this value: it must equal the Issuer of RudderStack's sign-in requests.",
			func(s setup.Setup) string { return s.SAML.Identifier },
			func(s *setup.Setup, v string) { s.SAML.Identifier = v }),
		newTextField("saml.reply_url", "Reply URL (Assertion Consumer Service URL)", "Reply URL (ACS)",
			"Required. Where Entra posts the SAML response; it must match RudderStack's exactly (case, trailing slash).",
			func(s setup.Setup) string { return s.SAML.ReplyURL },
			func(s *setup.Setup, v string) { s.SAML.ReplyURL = v }),
		newTextField("saml.sign_on_url", "Sign on URL", "Sign on URL",
			"Required by the guide, which gives the Reply URL here. "+setup.SignOnURLCaveat,
			func(s setup.Setup) string { return s.SAML.SignOnURL },
			func(s *setup.Setup, v string) { s.SAML.SignOnURL = v }),
		newTextField("saml.relay_state", "Relay State (Optional)", "Relay State",
			"Leave it empty: RudderStack keeps its own RelayState for sign-ins it starts.",
			func(s setup.Setup) string { return s.SAML.RelayState },
			func(s *setup.Setup, v string) { s.SAML.RelayState = v }),
	}}
	return &samlStep{form: f}
}

func (*samlStep) title() string { return "Basic SAML Configuration" }
func (*samlStep) short() string { return "SAML" }
func (*samlStep) screen(m *Model) string {
	return "Entra admin center › Enterprise applications › " + m.appName() + " › Single sign-on › SAML › Basic SAML Configuration › Edit"
}
func (s *samlStep) editing() bool { return s.form.editing() }
func (s *samlStep) done(m *Model) bool {
	return m.confirmed[StepSAML] && len(setup.Errors(m.stepFindings(StepSAML))) == 0
}
func (s *samlStep) enter(m *Model, focus string) tea.Cmd {
	s.form.load(m.setup)
	return s.form.enter(focus)
}
func (s *samlStep) keys(m *Model) []key.Binding { return []key.Binding{m.keys.CopyValue} }
func (s *samlStep) copyValue(m *Model) (string, string, bool) {
	return s.form.focusedValue(m.setup)
}
func (s *samlStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	return s.form.update(msg, &m.setup, m.keys)
}

func (s *samlStep) view(m *Model, width int) (string, int) {
	var b strings.Builder
	b.WriteString(wrap("Prefilled with the values from RudderStack's guide. Copy them into Entra exactly; each is checked as you type.", width) + "\n\n")
	body, focus := s.form.view(m, width)
	b.WriteString(body)
	return b.String(), focus + 2
}

// appName is the app's name for breadcrumbs.
func (m *Model) appName() string {
	if n := strings.TrimSpace(m.setup.App.Name); n != "" {
		return n
	}
	return "<your app>"
}
