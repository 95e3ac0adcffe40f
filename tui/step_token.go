package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// tokenStep is RudderStack's Generate new token: the name, the role, and
// the secret shown once.
type tokenStep struct {
	form   form
	copied bool
}

func newTokenStep() *tokenStep {
	return &tokenStep{form: form{fields: []field{
		&choiceField{p: "rudderstack.org_role", long: "Your role in the organization", shortLabel: "Your role", options: []choice{
			{setup.OrgRoleAdmin, setup.OrgRoleAdmin}, {setup.OrgRoleMember, setup.OrgRoleMember},
		}, help: "Settings › Organization › Members shows it. The guide requires Org Admin.",
			get: func(s setup.Setup) string { return s.RudderStack.OrgRole },
			set: func(s *setup.Setup, v string) { s.RudderStack.OrgRole = v }},
		newTextField("rudderstack.pat.name", "Token name", "Name",
			"Any name that says what the token is for.",
			func(s setup.Setup) string { return s.RudderStack.PAT.Name },
			func(s *setup.Setup, v string) { s.RudderStack.PAT.Name = v }),
		&choiceField{p: "rudderstack.pat.role", long: "Role", options: []choice{
			{setup.PATRoleAdmin, setup.PATRoleAdmin}, {setup.PATRoleMember, setup.PATRoleMember},
		}, help: "Admin: SCIM provisioning fails with any other role.",
			get: func(s setup.Setup) string { return s.RudderStack.PAT.Role },
			set: func(s *setup.Setup, v string) { s.RudderStack.PAT.Role = v }},
	}}}
}

func (*tokenStep) title() string { return "Personal access token" }
func (*tokenStep) short() string { return "Token" }
func (*tokenStep) screen(*Model) string {
	return "RudderStack › Settings › Your Profile › Account › Personal access tokens › Generate new token"
}
func (s *tokenStep) editing() bool { return s.form.editing() }
func (*tokenStep) done(m *Model) bool {
	return m.token != nil && !m.tokenStale() && len(setup.Errors(m.stepFindings(StepToken))) == 0
}
func (s *tokenStep) enter(m *Model, focus string) tea.Cmd {
	s.copied = false
	s.form.load(m.setup)
	if focus == "" {
		focus = "rudderstack.pat.name"
	}
	return s.form.enter(focus)
}

func (s *tokenStep) keys(m *Model) []key.Binding {
	k := m.keys
	switch {
	case m.generating:
		return []key.Binding{nextKey("wait")}
	case m.token == nil && m.reh != nil:
		return []key.Binding{nextKey("generate")}
	case s.form.editing():
		return []key.Binding{k.NextField}
	case m.token != nil && m.sealed:
		return []key.Binding{k.Generate, k.NextField}
	case m.token != nil:
		return []key.Binding{k.Reveal, k.Copy, k.Generate, k.NextField}
	}
	return nil
}

func (s *tokenStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	kp, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		k := m.keys
		editing := s.form.editing()
		switch {
		case key.Matches(kp, k.Next) && m.token == nil && m.reh != nil && !m.generating:
			// A role that will fail SCIM is warned about before the token
			// exists: the frame asks for a second enter.
			if len(setup.Errors(m.stepFindings(StepToken))) > 0 && m.pushOn != StepToken {
				return nil, false
			}
			// Generating despite the warning was the admin's answer: the
			// next enter moves on without asking again.
			if len(setup.Errors(m.stepFindings(StepToken))) == 0 {
				m.pushOn = -1
			}
			return m.generateToken(), true
		case key.Matches(kp, k.Next) && m.tokenStale() && m.pushOn != StepToken:
			// The token the admin holds is what Entra will send and what
			// the checks test: say so before moving on with it.
			m.pushOn = StepToken
			m.setBanner(fmt.Sprintf("The token you hold was generated as %q with Role %s; the form now says %q, %s. RudderStack can't change a token: press g to generate a new one, or enter again to go on with the one you hold.",
				m.token.Name, m.token.Role, m.setup.RudderStack.PAT.Name, m.setup.RudderStack.PAT.Role), true)
			return nil, true
		case !editing && key.Matches(kp, k.Generate) && m.reh != nil:
			return m.generateToken(), true
		case !editing && key.Matches(kp, k.Reveal) && m.token != nil && !m.sealed:
			m.revealed = !m.revealed
			return nil, true
		case !editing && key.Matches(kp, k.Copy) && m.token != nil && !m.sealed:
			s.copied = true
			return tea.SetClipboard(m.token.Secret), true
		}
	}
	return s.form.update(msg, &m.setup, m.keys)
}

func (s *tokenStep) view(m *Model, width int) (string, int) {
	st := m.styles
	var b strings.Builder
	fv, focus := s.form.view(m, width)
	b.WriteString(fv + "\n\n")
	switch {
	case m.generating:
		b.WriteString(m.spin.View() + " Generating the token in RudderStack…")
	case m.tokenErr != nil:
		b.WriteString(st.BannerBad.Render(wrap("Could not generate the token: "+m.tokenErr.Error(), width)))
	case m.token != nil && m.tokenStale():
		t := m.token
		b.WriteString(st.Warn.Render("! ") + "Generated " + st.Strong.Render(t.Name) + " (Role " + t.Role + ") at " + t.Created.Format("15:04") + "\n")
		b.WriteString(st.ReasonWarn.Render(wrap(fmt.Sprintf("This is the token you hold, and it is not what the form says (%q, Role %s). RudderStack can't change a token's name or role: press g to generate a new one. The checks test the token you hold.",
			m.setup.RudderStack.PAT.Name, m.setup.RudderStack.PAT.Role), width)))
	case m.token != nil && m.sealed:
		t := m.token
		hint := ""
		if t.Hint != "" {
			hint = " (" + t.Hint + ")"
		}
		b.WriteString(st.OK.Render("✓ ") + "Generated " + st.Strong.Render(t.Name) + hint + " (" + t.Role + ") at " + t.Created.Format("15:04") + "\n")
		b.WriteString(st.Muted.Render(wrap("RudderStack shows a token only once, and so does ssowiz: if you didn't save it, press g to generate a new one (and revoke the old one in RudderStack).", width)))
	case m.token != nil:
		t := m.token
		secret := maskSecret(t.Secret)
		if m.revealed {
			secret = t.Secret
		}
		b.WriteString(st.OK.Render("✓ ") + "Generated " + st.Strong.Render(t.Name) + " (" + t.Role + ") at " + t.Created.Format("15:04") + "\n")
		b.WriteString("  " + st.Code.Render(truncate(secret, width-4)) + "\n")
		b.WriteString(st.Banner.Render(wrap("Save it somewhere safe now: RudderStack shows it only once. It goes into Entra's Secret Token in the next step. v shows it, c copies it.", width)))
		if s.copied {
			b.WriteString("\n" + st.OK.Render("✓ Copied to the clipboard") + st.Muted.Render(" (OSC 52)."))
		}
	case m.reh == nil && m.starting:
		b.WriteString(m.spin.View() + " Waiting for the mock RudderStack to start…")
	case m.reh == nil:
		b.WriteString(st.Muted.Render(wrap("The rehearsal is not running, so no token can be generated here.", width)))
	default:
		b.WriteString(st.Muted.Render(wrap("Press enter to generate it, as Generate does in RudderStack.", width)))
	}
	return b.String(), focus
}
