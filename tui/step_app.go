package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// appStep is the guide's Step 1: create the non-gallery enterprise app.
type appStep struct{ form form }

func newAppStep() *appStep {
	name := newTextField("app.name", "Input name", "Name",
		"The app's display name in Entra; users see it in My Apps.",
		func(s setup.Setup) string { return s.App.Name },
		func(s *setup.Setup, v string) { s.App.Name = v })
	return &appStep{form: form{fields: []field{name}}}
}

func (*appStep) title() string { return "Create the application" }
func (*appStep) short() string { return "App" }
func (*appStep) screen(*Model) string {
	return "Entra admin center › Applications › Enterprise applications › New application › Create your own application"
}
func (s *appStep) editing() bool    { return s.form.editing() }
func (*appStep) done(m *Model) bool { return m.app != nil }
func (s *appStep) enter(m *Model, focus string) tea.Cmd {
	s.form.load(m.setup)
	return s.form.enter(focus)
}

func (s *appStep) keys(m *Model) []key.Binding {
	switch {
	case m.app == nil && m.creating:
		return []key.Binding{nextKey("wait")}
	case m.app == nil:
		return []key.Binding{nextKey("create")}
	}
	return nil
}

func (s *appStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, m.keys.Next) && m.app == nil {
		if len(setup.Errors(m.findingsFor("app"))) > 0 {
			return nil, false // the frame says what is off
		}
		if m.reh == nil && m.rehErr != nil {
			return nil, false // nothing to create it in; move on
		}
		return m.createApp(), true
	}
	return s.form.update(msg, &m.setup, m.keys)
}

func (s *appStep) view(m *Model, width int) (string, int) {
	st := m.styles
	var b strings.Builder
	b.WriteString(wrap("In the Microsoft Entra App Gallery, click Create your own application, enter the name, and choose:", width) + "\n")
	b.WriteString(st.Code.Render(wrap("Integrate any other application you don't find in the gallery (Non-gallery)", width-2)) + "\n\n")
	formView, focus := s.form.view(m, width)
	b.WriteString(formView + "\n\n")
	focus += 4
	switch {
	case m.app != nil:
		a := m.app
		b.WriteString(st.OK.Render("✓ ") + wrap(fmt.Sprintf("Created %q in the rehearsal tenant. Entra takes a few seconds, then opens the app's Overview, which shows:", a.Name), width-2) + "\n")
		b.WriteString(kv(st, width, [][2]string{
			{"Application (client) ID", a.AppID},
			{"Object ID", a.ObjectID},
			{"Tenant ID", a.TenantID},
		}))
		if a.Name != m.setup.App.Name {
			b.WriteString("\n" + st.Muted.Render(wrap("You renamed it since; in Entra, change the name under Properties.", width)))
		}
	case m.creating:
		b.WriteString(m.spin.View() + " Creating the application in the rehearsal tenant…")
	case m.pendingCreate:
		b.WriteString(m.spin.View() + " Waiting for the mock Entra ID to start; the app is created as soon as it is up.")
	case m.appErr != nil:
		b.WriteString(st.BannerBad.Render(wrap("Could not create the app: "+m.appErr.Error(), width)) + "\n" + st.Muted.Render("Press enter to try again."))
	case m.rehErr != nil:
		b.WriteString(st.BannerBad.Render(wrap("The rehearsal could not start ("+m.rehErr.Error()+"), so the app can't be created here. You can still go through the steps; the live parts are skipped.", width)))
	default:
		b.WriteString(st.Muted.Render(wrap("Press enter to create it in the rehearsal tenant, as the Create button does in Entra.", width)))
	}
	return b.String(), focus
}

// kv renders label/value rows with the labels in a column; long values
// wrap under themselves.
func kv(st *Styles, width int, rows [][2]string) string {
	labelW := 0
	for _, r := range rows {
		labelW = max(labelW, len([]rune(r[0])))
	}
	var b strings.Builder
	pad := strings.Repeat(" ", labelW+4)
	for _, r := range rows {
		for i, l := range wrapLines(r[1], max(width-labelW-4, 10)) {
			if i == 0 {
				b.WriteString("  " + st.Muted.Render(padRight(r[0], labelW)) + "  " + l + "\n")
			} else {
				b.WriteString(pad + l + "\n")
			}
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
