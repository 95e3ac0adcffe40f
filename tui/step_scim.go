package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// scimStep is the Provisioning page in Automatic mode: Tenant URL, Secret
// Token, the switches RudderStack's known issues are about, and Test
// Connection.
type scimStep struct{ form form }

func newSCIMStep() *scimStep {
	secret := newTextField("provisioning.secret_token", "Secret Token", "",
		"Leave it empty to use the token generated in step 7 (it is never saved). Anything typed here is sent exactly as typed, spaces included, as Entra does.",
		func(s setup.Setup) string { return s.Provisioning.SecretToken },
		func(s *setup.Setup, v string) { s.Provisioning.SecretToken = v })
	secret.mask = true
	secret.placeholder = "(the token generated in step 7)"
	return &scimStep{form: form{fields: []field{
		newTextField("provisioning.tenant_url", "Tenant URL", "",
			"Entra appends /Users to it, so it must end in /scim/v2.",
			func(s setup.Setup) string { return s.Provisioning.TenantURL },
			func(s *setup.Setup, v string) { s.Provisioning.TenantURL = v }),
		secret,
		&toggleField{p: "provisioning.provision_groups", long: "Provision Microsoft Entra ID Groups", shortLabel: "Provision groups",
			yes: "Yes — not supported by RudderStack yet", no: "No (group push is coming soon)",
			help: "Mappings. RudderStack doesn't support pushing groups yet; leave it off.",
			get:  func(s setup.Setup) bool { return s.Provisioning.ProvisionGroups },
			set:  func(s *setup.Setup, v bool) { s.Provisioning.ProvisionGroups = v }},
		&toggleField{p: "provisioning.actions.create", long: "Target Object Actions › Create", shortLabel: "Action: Create",
			yes: "ticked", no: "unticked",
			help: "Mappings › Provision Microsoft Entra ID Users. Creates assigned users in RudderStack.",
			get:  func(s setup.Setup) bool { return s.Provisioning.Actions.Create },
			set:  func(s *setup.Setup, v bool) { s.Provisioning.Actions.Create = v }},
		&toggleField{p: "provisioning.actions.update", long: "Target Object Actions › Update", shortLabel: "Action: Update",
			yes: "ticked", no: "unticked",
			help: "Carries attribute changes and deactivations to RudderStack.",
			get:  func(s setup.Setup) bool { return s.Provisioning.Actions.Update },
			set:  func(s *setup.Setup, v bool) { s.Provisioning.Actions.Update = v }},
		&toggleField{p: "provisioning.actions.delete", long: "Target Object Actions › Delete", shortLabel: "Action: Delete",
			yes: "ticked — RudderStack refuses deletes", no: "unticked (users are deactivated instead)",
			help: "RudderStack doesn't remove users: it deactivates them, so they lose access to the organization only.",
			get:  func(s setup.Setup) bool { return s.Provisioning.Actions.Delete },
			set:  func(s *setup.Setup, v bool) { s.Provisioning.Actions.Delete = v }},
		&toggleField{p: "rudderstack.scim_enabled", long: "SCIM enabled for the organization", shortLabel: "SCIM enabled (RudderStack)",
			yes: "Yes", no: "No — Test Connection gets 403",
			help: "RudderStack's team turns SCIM on for an organization; if Test Connection says 403 Forbidden, ask them.",
			get:  func(s setup.Setup) bool { return s.RudderStack.SCIMEnabled },
			set:  func(s *setup.Setup, v bool) { s.RudderStack.SCIMEnabled = v }},
	}}}
}

func (*scimStep) title() string { return "SCIM configuration" }
func (*scimStep) short() string { return "SCIM" }
func (*scimStep) screen(m *Model) string {
	return "Entra admin center › Enterprise applications › " + m.appName() + " › Provisioning › Get started › Provisioning Mode: Automatic"
}
func (s *scimStep) editing() bool { return s.form.editing() }
func (*scimStep) done(m *Model) bool {
	return m.conn != nil && m.conn.OK && len(setup.Errors(m.stepFindings(StepSCIM))) == 0
}
func (s *scimStep) enter(m *Model, focus string) tea.Cmd {
	s.form.load(m.setup)
	return s.form.enter(focus)
}

func (s *scimStep) keys(m *Model) []key.Binding {
	out := []key.Binding{m.keys.NextField, m.keys.Toggle, m.keys.CopyValue}
	switch {
	case m.testing:
		out = append(out, nextKey("wait"))
	case m.reh != nil && m.conn == nil:
		out = append(out, nextKey("test connection"))
	case m.reh != nil && !s.form.editing():
		out = append(out, m.keys.TestConnection)
	}
	return out
}

func (s *scimStep) copyValue(m *Model) (string, string, bool) {
	return s.form.focusedValue(m.setup)
}

func (s *scimStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		k := m.keys
		switch {
		case key.Matches(kp, k.Next) && m.conn == nil && m.connErr == nil && m.reh != nil:
			if m.testing {
				return nil, true
			}
			return m.testConnection(), true
		case !s.form.editing() && key.Matches(kp, k.TestConnection):
			return m.testConnection(), true
		}
	}
	before := m.setup
	cmd, handled := s.form.update(msg, &m.setup, m.keys)
	if handled && m.conn != nil && changedAny(before, m.setup, "provisioning.tenant_url", "provisioning.secret_token", "rudderstack") {
		// The result was for other values.
		m.conn, m.connErr = nil, nil
	}
	return cmd, handled
}

// changedAny reports whether any field under prefixes differs.
func changedAny(a, b setup.Setup, prefixes ...string) bool {
	for _, p := range changedFields(a, b) {
		if owns(prefixes, p) {
			return true
		}
	}
	return false
}

func (s *scimStep) view(m *Model, width int) (string, int) {
	st := m.styles
	var b strings.Builder
	fv, focus := s.form.view(m, width)
	b.WriteString(fv + "\n\n")
	b.WriteString(st.Strong.Render("Test Connection") + "\n")
	switch {
	case m.testing:
		b.WriteString(m.spin.View() + " " + wrap("Testing the connection to "+m.setup.Provisioning.TenantURL+"…", width-2))
	case m.connErr != nil:
		b.WriteString(st.Bad.Render("✗ ") + wrap(m.connErr.Error(), width-2))
	case m.conn != nil && m.conn.OK:
		b.WriteString(st.OK.Render("✓ ") + wrap("The supplied credentials are authorized to enable provisioning.", width-2) + st.Muted.Render(" ("+durationText(m.conn.Duration)+")"))
	case m.conn != nil:
		// What to do first, Entra's long message after it.
		c := m.conn
		b.WriteString(st.Bad.Render("✗ Failed to test connection to target application") + "\n")
		if c.Remedy != "" {
			b.WriteString(st.Reason.Render(hanging("→ ", c.Remedy, width)) + "\n")
		}
		if m.connFresh {
			focus = strings.Count(b.String(), "\n") - 1
		}
		if c.Code != "" {
			b.WriteString(st.Muted.Render("Error code ") + truncate(c.Code, width-11) + "\n")
		}
		if c.Message != "" {
			b.WriteString(wrap(c.Message, width))
		}
	case m.reh == nil:
		b.WriteString(st.Muted.Render("needs the rehearsal, which is not running"))
	default:
		b.WriteString(st.Muted.Render("press enter to test, as the button does in Entra"))
	}
	b.WriteString("\n\n" + st.Muted.Render(wrap("Known issues: RudderStack doesn't import users or groups, push groups (coming soon), remove users (they are deactivated and lose access to the organization only), or sync passwords.", width)))
	return b.String(), focus
}
