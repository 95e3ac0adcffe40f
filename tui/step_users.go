package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// usersStep is Users and groups, with Properties' Assignment required.
type usersStep struct{ sel int }

func (*usersStep) title() string { return "Users and groups" }
func (*usersStep) short() string { return "Users" }
func (*usersStep) screen(m *Model) string {
	return "Entra admin center › Enterprise applications › " + m.appName() + " › Users and groups › Add user/group"
}
func (*usersStep) editing() bool { return false }
func (*usersStep) done(m *Model) bool {
	return m.confirmed[StepUsers] && len(setup.Errors(m.stepFindings(StepUsers))) == 0
}
func (s *usersStep) enter(*Model, string) tea.Cmd { return nil }

func (s *usersStep) keys(m *Model) []key.Binding {
	k := m.keys
	toggle := key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "assign/unassign"))
	return []key.Binding{k.Up, toggle, k.AssignmentRequired}
}

// assigned returns whether a user is assigned: the setup's list, or the
// demo directory's usual assignments when the setup leaves it nil.
func (m *Model) assigned(u User) bool {
	if m.setup.Users.Assigned == nil {
		return u.Assigned
	}
	return slices.ContainsFunc(m.setup.Users.Assigned, func(upn string) bool { return strings.EqualFold(upn, u.UPN) })
}

func (s *usersStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	k := m.keys
	switch {
	case key.Matches(kp, k.Up):
		s.sel = max(s.sel-1, 0)
	case key.Matches(kp, k.Down):
		s.sel = min(s.sel+1, max(len(m.users)-1, 0))
	case key.Matches(kp, k.Toggle) && len(m.users) > 0:
		// The first change turns the directory's defaults into an
		// explicit list.
		var list []string
		for i, u := range m.users {
			on := m.assigned(u)
			if i == s.sel {
				on = !on
			}
			if on {
				list = append(list, u.UPN)
			}
		}
		if list == nil {
			list = []string{}
		}
		m.setup.Users.Assigned = list
	case key.Matches(kp, k.AssignmentRequired):
		m.setup.Users.AssignmentRequired = !m.setup.Users.AssignmentRequired
	default:
		return nil, false
	}
	return nil, true
}

func (s *usersStep) view(m *Model, width int) (string, int) {
	st := m.styles
	var b strings.Builder
	lines := 0
	w := func(str string) {
		b.WriteString(str + "\n")
		lines += strings.Count(str, "\n") + 1
	}
	req := "[ ] No"
	if m.setup.Users.AssignmentRequired {
		req = "[x] Yes"
	}
	w(st.Strong.Render("Assignment required? ") + req + " " + markFor(st, m.findingsFor("users.assignment_required")) + st.Muted.Render("  (Properties; r changes it)"))
	w(st.Muted.Render(wrap("With Yes, only the users and groups assigned here can sign in (anyone else gets AADSTS50105) and only they are provisioned to RudderStack. With No, everyone in the tenant can sign in.", width)))
	for _, f := range m.findingsFor("users") {
		sty, icon := st.Reason, "✗ "
		if f.Severity == setup.SeverityWarning {
			sty, icon = st.ReasonWarn, "! "
		}
		w(sty.Render(hanging(icon, findingText(f), width)))
	}
	w("")
	focus := -1
	switch {
	case len(m.users) == 0 && m.starting:
		w(m.spin.View() + " Reading the rehearsal tenant's users…")
	case len(m.users) == 0:
		w(st.Muted.Render("No directory to show: the rehearsal is not running."))
	default:
		w(st.TableHead.Render("Users (space assigns or unassigns)"))
		nameW := 0
		for _, u := range m.users {
			nameW = max(nameW, len([]rune(u.DisplayName)))
		}
		nameW = min(nameW, 20)
		upnW := min(36, max(width-nameW-12, 10))
		for i, u := range m.users {
			box := "[ ]"
			if m.assigned(u) {
				box = "[x]"
			}
			marker := "  "
			sty := st.Text
			if i == s.sel {
				marker, sty = st.Selected.Render("›")+" ", st.Selected
				focus = lines
			}
			line := marker + box + " " + sty.Render(padRight(truncate(u.DisplayName, nameW), nameW)) + "  " + padRight(truncate(u.UPN, upnW), upnW)
			purpose := u.Purpose
			if m.assigned(u) != u.Assigned {
				// The demo's words describe its own assignment.
				purpose = "changed from the demo tenant's"
			}
			if rest := width - nameW - upnW - 10; rest > 12 && purpose != "" {
				line += "  " + st.Muted.Render(truncate(purpose, rest))
			}
			w(line)
		}
		if s.sel < len(m.users) {
			// The user's state as it is now, then what the demo tenant has
			// them for (its words describe its own assignments).
			u := m.users[s.sel]
			state := "is not assigned"
			if m.assigned(u) {
				state = "is assigned"
			}
			text := u.DisplayName + " " + state + "."
			if u.Purpose != "" {
				text += " In the demo tenant: " + u.Purpose + "."
			}
			w("")
			w(st.Muted.Render(wrap(text, width)))
		}
	}
	return strings.TrimSuffix(b.String(), "\n"), focus
}
