package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// usersStep is Users and groups, with Properties' Assignment required.
// A tenant file may hold thousands of users: the list shows a window of
// them around the selection, / filters it by name or UPN, and pgup/pgdn
// move a page.
type usersStep struct {
	sel int
	// filter narrows the list to users whose display name or UPN holds
	// it (any case); typing is true while the admin types it.
	filter string
	typing bool
	// shown caches the users the filter keeps (indexes into m.users),
	// for filter over forUsers users.
	shown     []int
	shownFor  string
	shownOver int
	// window is how many users the list shows at once: what the terminal
	// has room for, from 3 to 15 (usersWindow until the first frame).
	window int
}

// rows is the list's window.
func (s *usersStep) rows() int {
	if s.window == 0 {
		return usersWindow
	}
	return s.window
}

func (*usersStep) title() string { return "Users and groups" }
func (*usersStep) short() string { return "Users" }
func (*usersStep) screen(m *Model) string {
	return "Entra admin center › Enterprise applications › " + m.appName() + " › Users and groups › Add user/group"
}
func (s *usersStep) editing() bool { return s.typing }
func (*usersStep) done(m *Model) bool {
	return m.confirmed[StepUsers] && len(setup.Errors(m.stepFindings(StepUsers))) == 0
}
func (s *usersStep) enter(*Model, string) tea.Cmd { return nil }

func (s *usersStep) keys(m *Model) []key.Binding {
	k := m.keys
	if s.typing {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		}
	}
	toggle := key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "assign/unassign"))
	out := []key.Binding{k.Up, toggle, k.AssignmentRequired}
	if len(m.users) > usersWindow {
		out = append(out, k.Filter)
	}
	return out
}

// usersWindow is the list's window before the terminal's size is known,
// and the longest list shown whole, without a filter.
const usersWindow = 8

// assignedSet is the setup's assigned users by lower-case UPN, or nil
// when the setup keeps the directory's usual assignments.
func (m *Model) assignedSet() map[string]bool {
	if m.setup.Users.Assigned == nil {
		return nil
	}
	set := make(map[string]bool, len(m.setup.Users.Assigned))
	for _, upn := range m.setup.Users.Assigned {
		set[strings.ToLower(upn)] = true
	}
	return set
}

// assigned returns whether a user is assigned: the setup's list, or the
// demo directory's usual assignments when the setup leaves it nil.
func (m *Model) assigned(u User) bool {
	if m.setup.Users.Assigned == nil {
		return u.Assigned
	}
	return slices.ContainsFunc(m.setup.Users.Assigned, func(upn string) bool { return strings.EqualFold(upn, u.UPN) })
}

// isAssigned is assigned with the set made once for a whole list.
func isAssigned(set map[string]bool, u User) bool {
	if set == nil {
		return u.Assigned
	}
	return set[strings.ToLower(u.UPN)]
}

// visible returns the indexes (into m.users) of the users the filter
// keeps, in order.
func (s *usersStep) visible(m *Model) []int {
	if s.shown != nil && s.shownFor == s.filter && s.shownOver == len(m.users) {
		return s.shown
	}
	want := strings.ToLower(strings.TrimSpace(s.filter))
	out := make([]int, 0, len(m.users))
	for i, u := range m.users {
		if want == "" || strings.Contains(strings.ToLower(u.DisplayName), want) || strings.Contains(strings.ToLower(u.UPN), want) {
			out = append(out, i)
		}
	}
	s.shown, s.shownFor, s.shownOver = out, s.filter, len(m.users)
	return out
}

// pageBy moves the selection a page of the list, not the frame.
func (s *usersStep) pageBy(m *Model, n int) bool {
	shown := s.visible(m)
	if len(shown) <= s.rows() {
		return false
	}
	step := s.rows()
	if n < 0 {
		step = -step
	}
	s.sel = min(max(s.sel+step, 0), len(shown)-1)
	return true
}

func (s *usersStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	if s.typing {
		return nil, s.typeFilter(kp)
	}
	k := m.keys
	shown := s.visible(m)
	switch {
	case key.Matches(kp, k.Up):
		s.sel = max(s.sel-1, 0)
	case key.Matches(kp, k.Down):
		s.sel = min(s.sel+1, max(len(shown)-1, 0))
	case key.Matches(kp, k.Home):
		s.sel = 0
	case key.Matches(kp, k.End):
		s.sel = max(len(shown)-1, 0)
	case key.Matches(kp, k.Filter) && len(m.users) > usersWindow:
		s.typing = true
	case key.Matches(kp, k.Toggle) && s.sel < len(shown):
		// The first change turns the directory's defaults into an
		// explicit list.
		set := m.assignedSet()
		var list []string
		for i, u := range m.users {
			on := isAssigned(set, u)
			if i == shown[s.sel] {
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
	case kp.String() == "esc" && s.filter != "":
		// esc clears a filter before it goes back a step.
		s.filter, s.sel = "", 0
	default:
		return nil, false
	}
	return nil, true
}

// typeFilter edits the filter while the admin types it.
func (s *usersStep) typeFilter(kp tea.KeyPressMsg) bool {
	switch kp.String() {
	case "enter":
		s.typing = false
	case "esc":
		s.typing, s.filter = false, ""
	case "backspace":
		if r := []rune(s.filter); len(r) > 0 {
			s.filter = string(r[:len(r)-1])
		}
	default:
		if kp.Text == "" {
			return false
		}
		s.filter += kp.Text
	}
	s.sel = 0
	return true
}

func (s *usersStep) view(m *Model, width int) (string, int) { return s.viewSized(m, width, 0) }

// viewSized fits the list's window to the avail lines the body has (0:
// unknown), so the user's details below it stay in view.
func (s *usersStep) viewSized(m *Model, width, avail int) (string, int) {
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
		set := m.assignedSet()
		shown := s.visible(m)
		s.sel = min(s.sel, max(len(shown)-1, 0))
		if avail > 0 && len(m.users) > usersWindow {
			// The table's head, the filter, a blank line and the selected
			// user's details stay in view with the list.
			reserve := 2 + strings.Count(wrap(s.details(m, set, shown), width), "\n") + 1
			if s.typing || s.filter != "" {
				reserve++
			}
			s.window = min(max(avail-lines-reserve, 3), 15)
		}
		head := "Users (space assigns or unassigns)"
		if len(m.users) > usersWindow {
			head = s.listHead(m, set, len(shown))
		}
		w(st.TableHead.Render(truncate(head, width)))
		if s.typing || s.filter != "" {
			cursor := ""
			if s.typing {
				cursor = "▏"
			}
			w(st.Strong.Render("Filter: ") + s.filter + cursor)
		}
		// The window of users around the selection.
		rows := s.rows()
		top := 0
		if len(shown) > rows {
			top = min(max(s.sel-rows/2, 0), len(shown)-rows)
		}
		window := shown[top:min(top+rows, len(shown))]
		nameW := 0
		for _, i := range window {
			nameW = max(nameW, len([]rune(m.users[i].DisplayName)))
		}
		nameW = min(nameW, 20)
		upnW := min(36, max(width-nameW-12, 10))
		if len(window) == 0 {
			w(st.Muted.Render("  No user's name or UPN holds " + strconv.Quote(s.filter) + "; esc clears the filter."))
		}
		for row, i := range window {
			u := m.users[i]
			on := isAssigned(set, u)
			box := "[ ]"
			if on {
				box = "[x]"
			}
			marker := "  "
			sty := st.Text
			if top+row == s.sel {
				marker, sty = st.Selected.Render("›")+" ", st.Selected
				focus = lines
			}
			line := marker + box + " " + sty.Render(padRight(truncate(u.DisplayName, nameW), nameW)) + "  " + padRight(truncate(u.UPN, upnW), upnW)
			purpose := u.Purpose
			if on != u.Assigned {
				// The demo's words describe its own assignment.
				purpose = "changed from " + m.tenantName() + "'s"
			}
			if rest := width - nameW - upnW - 10; rest > 12 && purpose != "" {
				line += "  " + st.Muted.Render(truncate(purpose, rest))
			}
			w(line)
		}
		if text := s.details(m, set, shown); text != "" {
			w("")
			w(st.Muted.Render(wrap(text, width)))
		}
	}
	return strings.TrimSuffix(b.String(), "\n"), focus
}

// details is the selected user's state as it is now, then what the
// tenant has them for (its words describe its own assignments).
func (s *usersStep) details(m *Model, set map[string]bool, shown []int) string {
	if s.sel >= len(shown) {
		return ""
	}
	u := m.users[shown[s.sel]]
	state := "is not assigned"
	if isAssigned(set, u) {
		state = "is assigned"
	}
	text := u.DisplayName + " " + state + "."
	if u.Purpose != "" {
		text += " In " + m.tenantName() + ": " + u.Purpose + "."
	}
	return text
}

// listHead says where the window is in a long list and how many users
// are assigned: "Users 1–8 of 10,006 · 2 assigned · / filters".
func (s *usersStep) listHead(m *Model, set map[string]bool, shown int) string {
	assigned := 0
	for _, u := range m.users {
		if isAssigned(set, u) {
			assigned++
		}
	}
	rows := s.rows()
	top := 0
	if shown > rows {
		top = min(max(s.sel-rows/2, 0), shown-rows)
	}
	span := fmt.Sprintf("%d–%d of %s", min(top+1, shown), min(top+rows, shown), thousands(shown))
	if s.filter != "" {
		return fmt.Sprintf("Matching users %s · %s of %s assigned · esc clears", span, thousands(assigned), thousands(len(m.users)))
	}
	return fmt.Sprintf("Users %s · %s assigned · / filters, pgdn/pgup pages", span, thousands(assigned))
}

// thousands writes n with thousands separators: 10,006.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
