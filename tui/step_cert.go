package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// certStep is SAML Certificates: the App Federation Metadata URL to send
// to RudderStack, the certificate, and the signing options.
type certStep struct {
	form   form
	copied bool
}

func newCertStep() *certStep {
	return &certStep{form: form{fields: []field{
		&choiceField{p: "saml.signing_option", long: "Signing Option", options: []choice{
			{setup.SigningAssertion, "Sign SAML assertion"},
			{setup.SigningResponse, "Sign SAML response"},
			{setup.SigningBoth, "Sign SAML response and assertion"},
		}, help: "Under SAML Certificates › Edit. Entra's default, Sign SAML assertion, is what RudderStack works with.",
			get: func(s setup.Setup) string { return s.SAML.SigningOption },
			set: func(s *setup.Setup, v string) { s.SAML.SigningOption = v }},
		&choiceField{p: "saml.signing_algorithm", long: "Signing Algorithm", options: []choice{
			{setup.AlgorithmSHA256, "SHA-256"},
			{setup.AlgorithmSHA1, "SHA-1"},
		}, help: "SHA-256, the default.",
			get: func(s setup.Setup) string { return s.SAML.SigningAlgorithm },
			set: func(s *setup.Setup, v string) { s.SAML.SigningAlgorithm = v }},
	}}}
}

func (*certStep) title() string { return "Certificate and App Federation Metadata URL" }
func (*certStep) short() string { return "Cert" }
func (*certStep) screen(m *Model) string {
	return "Entra admin center › Enterprise applications › " + m.appName() + " › Single sign-on › SAML Certificates"
}
func (s *certStep) editing() bool { return false }
func (s *certStep) done(m *Model) bool {
	return m.app != nil && m.confirmed[StepCertificate] && len(setup.Errors(m.stepFindings(StepCertificate))) == 0
}
func (s *certStep) enter(m *Model, focus string) tea.Cmd {
	s.copied = false
	s.form.load(m.setup)
	return s.form.enter(focus)
}

func (s *certStep) keys(m *Model) []key.Binding {
	k := m.keys
	out := []key.Binding{k.NextField, k.Left}
	if m.app != nil {
		out = append(out, key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy URL")))
	}
	return out
}

func (s *certStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, m.keys.Copy) && m.app != nil {
		s.copied = true
		return tea.SetClipboard(m.app.MetadataURL), true
	}
	return s.form.update(msg, &m.setup, m.keys)
}

func (s *certStep) view(m *Model, width int) (string, int) {
	st := m.styles
	var b strings.Builder
	lines := 0
	w := func(str string) {
		b.WriteString(str + "\n")
		lines += strings.Count(str, "\n") + 1
	}
	if m.app == nil {
		w(st.Banner.Render(wrap("The app hasn't been created yet (step 2), so there is no metadata URL or certificate to show. Press alt+2 to create it.", width)))
	} else {
		a := m.app
		w(st.Strong.Render("App Federation Metadata URL") + st.Muted.Render("  — copy it and send it to the RudderStack team"))
		w(st.Code.Render(wrap(a.MetadataURL, width-2)))
		if s.copied {
			w(st.OK.Render("✓ Copied to the clipboard") + st.Muted.Render(" (through the terminal, OSC 52; some terminals need it allowed)."))
		}
		w("")
		cert := a.Certificate
		w(kv(st, width, [][2]string{
			{"Status", "Active"},
			{"Thumbprint", cert.Thumbprint},
			{"Expiration", fmt.Sprintf("%s (%s)", cert.NotAfter.Format("2 Jan 2006 15:04 MST"), untilText(cert.NotAfter.Sub(m.now())))},
			{"Login URL", a.LoginURL},
			{"Microsoft Entra Identifier", a.EntraIdentifier},
		}))
		w("")
	}
	fv, focus := s.form.view(m, width)
	focus += lines
	b.WriteString(fv)
	return b.String(), focus
}
