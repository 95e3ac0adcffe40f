package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// usersStep is Users and groups, with Properties' Assignment required.
// The list holds the tenant's groups, then its users, as Entra's "Add
// user/group" offers both. A tenant file may hold thousands of users: the
// list shows a window of them around the selection, / filters it by name
// or UPN, and pgup/pgdn move a page.
type usersStep struct {
	sel int
	// filter narrows the list to groups whose name, and users whose
	// display name or UPN, holds it (any case); typing is true while the
	// admin types it.
	filter string
	typing bool
	// shown caches the rows the filter keeps (see row), for filter over
	// shownOver rows.
	shown     []int
	shownFor  string
	shownOver int
	// via caches, by lower-case UPN, the first assigned group each member
	// of an assigned group is in, for the assignments viaFor describes.
	via    map[string]string
	viaFor string
	// window is how many rows the list shows at once: what the terminal
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
	if s.filterable(m) {
		out = append(out, k.Filter)
	}
	return out
}

// usersWindow is the list's window before the terminal's size is known,
// and the longest list shown whole, without a filter.
const usersWindow = 8

// filterable reports whether / filters the list: a long one, or one the
// terminal shows a window of.
func (s *usersStep) filterable(m *Model) bool {
	return m.listLen() > min(usersWindow, s.rows())
}

// listLen is how many rows the list has: the groups the setup names and
// the tenant lacks, the tenant's groups, then its users.
func (m *Model) listLen() int { return len(m.missingGroups) + len(m.groups) + len(m.users) }

// row returns the list's row i: a group (a missing one first) or a user.
func (m *Model) row(i int) (*Group, *User) {
	if i < len(m.missingGroups) {
		return &Group{Name: m.missingGroups[i], missing: true}, nil
	}
	i -= len(m.missingGroups)
	if i < len(m.groups) {
		return &m.groups[i], nil
	}
	return nil, &m.users[i-len(m.groups)]
}

// assignedSet is the setup's directly assigned users by lower-case UPN,
// or nil when the setup keeps the tenant's usual assignments.
func (m *Model) assignedSet() map[string]bool {
	if !m.setup.Users.Explicit() {
		return nil
	}
	set := make(map[string]bool, len(m.setup.Users.Assigned))
	for _, upn := range m.setup.Users.Assigned {
		set[strings.ToLower(upn)] = true
	}
	return set
}

// isAssigned reports whether a user is assigned directly, with the set
// assignedSet made once for a whole list.
func isAssigned(set map[string]bool, u User) bool {
	if set == nil {
		return u.Direct
	}
	return set[strings.ToLower(u.UPN)]
}

// groupAssigned reports whether a group is assigned: the setup's list,
// or the tenant's usual assignments when the setup keeps them.
func (m *Model) groupAssigned(g Group) bool {
	if !m.setup.Users.Explicit() {
		return g.Assigned
	}
	return slices.ContainsFunc(m.setup.Users.Groups, func(name string) bool { return strings.EqualFold(name, g.Name) })
}

// assignedGroups is the names of the assigned groups, never nil: the
// setup's, or the tenant's when the setup keeps its assignments.
func (m *Model) assignedGroups() []string {
	if m.setup.Users.Explicit() {
		return append([]string{}, m.setup.Users.Groups...)
	}
	out := []string{}
	for _, g := range m.groups {
		if g.Assigned {
			out = append(out, g.Name)
		}
	}
	return out
}

// viaGroups maps each member of an assigned group (lower-case UPN) to the
// first such group's name: they are assigned through it.
func (s *usersStep) viaGroups(m *Model) map[string]string {
	key := "tenant"
	if m.setup.Users.Explicit() {
		key = "setup\x00" + strings.ToLower(strings.Join(m.setup.Users.Groups, "\x00"))
	}
	if s.via != nil && s.viaFor == key {
		return s.via
	}
	via := map[string]string{}
	for _, g := range m.groups {
		if !m.groupAssigned(g) {
			continue
		}
		for _, upn := range g.Members {
			if k := strings.ToLower(upn); via[k] == "" {
				via[k] = g.Name
			}
		}
	}
	s.via, s.viaFor = via, key
	return via
}

// userState is how a user is assigned: directly, through a group, both,
// or not at all.
type userState struct {
	direct bool
	group  string
}

func (st userState) assigned() bool { return st.direct || st.group != "" }

// box is the user's check box: [x] assigned directly, [g] only through a
// group.
func (st userState) box() string {
	switch {
	case st.direct:
		return "[x]"
	case st.group != "":
		return "[g]"
	}
	return "[ ]"
}

// stateOf is a user's assignment now, with the sets made once per frame.
func (s *usersStep) stateOf(m *Model, set map[string]bool, u User) userState {
	return userState{direct: isAssigned(set, u), group: s.viaGroups(m)[strings.ToLower(u.UPN)]}
}

// changed reports whether the setup assigns a user otherwise than the
// tenant does: the tenant's words describe its own assignments.
func changed(st userState, u User) bool {
	return st.direct != u.Direct || st.assigned() != u.Assigned
}

// visible returns the rows (see row) the filter keeps, in order.
func (s *usersStep) visible(m *Model) []int {
	n := m.listLen()
	if s.shown != nil && s.shownFor == s.filter && s.shownOver == n {
		return s.shown
	}
	want := strings.ToLower(strings.TrimSpace(s.filter))
	out := make([]int, 0, n)
	groups := len(m.missingGroups) + len(m.groups)
	for i := range groups {
		if g, _ := m.row(i); want == "" || strings.Contains(strings.ToLower(g.Name), want) {
			out = append(out, i)
		}
	}
	for i, u := range m.users {
		if want == "" || strings.Contains(strings.ToLower(u.DisplayName), want) || strings.Contains(strings.ToLower(u.UPN), want) {
			out = append(out, groups+i)
		}
	}
	s.shown, s.shownFor, s.shownOver = out, s.filter, n
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
	case key.Matches(kp, k.Filter) && s.filterable(m):
		s.typing = true
	case key.Matches(kp, k.Toggle) && s.sel < len(shown):
		s.toggle(m, shown[s.sel])
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

// toggle assigns or unassigns row i: a group, or a user directly (a user
// assigned through a group stays assigned through it). The first change
// turns the tenant's assignments into the setup's explicit lists: its
// directly assigned users and its assigned groups. A group the tenant
// lacks stays listed until the admin unassigns it.
func (s *usersStep) toggle(m *Model, i int) {
	g, u := m.row(i)
	groups := m.assignedGroups()
	if g != nil {
		if at := slices.IndexFunc(groups, func(name string) bool { return strings.EqualFold(name, g.Name) }); at >= 0 {
			groups = slices.Delete(groups, at, at+1)
		} else {
			groups = append(groups, g.Name)
		}
	}
	m.setup.Users.Assigned, m.setup.Users.Groups = m.directUsers(u), groups
}

// directUsers lists the directly assigned users' UPNs with flip's
// assignment reversed, never nil.
func (m *Model) directUsers(flip *User) []string {
	set := m.assignedSet()
	list := []string{}
	for i := range m.users {
		u := &m.users[i]
		if isAssigned(set, *u) != (u == flip) {
			list = append(list, u.UPN)
		}
	}
	return list
}

// groupFindings are the setup's groups the tenant does not have (renamed
// or dropped in the tenant file since the setup was saved), as errors
// naming the group and the fix; it notes them in m.missingGroups for the
// list. None before the tenant is read.
func (m *Model) groupFindings() []setup.Finding {
	m.missingGroups = nil
	if m.reh == nil || len(m.setup.Users.Groups) == 0 {
		return nil
	}
	names := make([]string, len(m.groups))
	for i, g := range m.groups {
		names[i] = g.Name
	}
	var out []setup.Finding
	for i, name := range m.setup.Users.Groups {
		_, matches := setup.FindGroup(name, names)
		if matches == 1 {
			continue
		}
		// The list below shows the tenant's groups, so the message need
		// not name them.
		problem := fmt.Sprintf("the tenant has no group %q: if the tenant file renamed it, assign the new name; either way, space on its row below unassigns it.", name)
		if matches > 1 {
			problem = setup.GroupProblem(name, names, matches)
		}
		field := fmt.Sprintf("users.groups[%d]", i)
		out = append(out, setup.Finding{Field: field, Line: m.setup.Line(field), Screen: fmt.Sprintf(setup.ScreenUsers, m.appName()),
			Label: "Users and groups", Value: name, Severity: setup.SeverityError, Problem: problem})
		if !slices.ContainsFunc(m.missingGroups, func(n string) bool { return strings.EqualFold(n, name) }) {
			m.missingGroups = append(m.missingGroups, name)
		}
	}
	return out
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
// unknown), so the selected row's details below it stay in view.
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
		if avail > 0 {
			// The table's head, the filter, a blank line and the selected
			// row's details stay in view with the list: a long list (or
			// one the terminal has no room for) shows a window of it.
			reserve := 2 + strings.Count(wrap(s.details(m, set, shown), width), "\n") + 1
			if s.typing || s.filter != "" {
				reserve++
			}
			s.window = 0
			if room := avail - lines - reserve; m.listLen() > usersWindow || room < len(shown) {
				s.window = min(max(room, 3), 15)
			}
		}
		head := "Users (space assigns or unassigns)"
		if len(m.groups)+len(m.missingGroups) > 0 {
			head = "Groups and users (space assigns or unassigns)"
		}
		if m.listLen() > usersWindow || len(shown) > s.rows() {
			head = s.listHead(m, set, len(shown), width)
		}
		w(st.TableHead.Render(truncate(head, width)))
		if s.typing || s.filter != "" {
			cursor := ""
			if s.typing {
				cursor = "▏"
			}
			w(st.Strong.Render("Filter: ") + s.filter + cursor)
		}
		// The window of rows around the selection.
		rows := s.rows()
		top := 0
		if len(shown) > rows {
			top = min(max(s.sel-rows/2, 0), len(shown)-rows)
		}
		window := shown[top:min(top+rows, len(shown))]
		nameW := 0
		for _, i := range window {
			var name string
			if g, u := m.row(i); g != nil {
				name = g.Name
			} else {
				name = u.DisplayName
			}
			nameW = max(nameW, len([]rune(name)))
		}
		nameW = min(nameW, 20)
		upnW := min(36, max(width-nameW-12, 10))
		if len(window) == 0 {
			what := "No user's name or UPN"
			if len(m.groups)+len(m.missingGroups) > 0 {
				what = "No group's name, user's name or UPN"
			}
			w(st.Muted.Render("  " + what + " holds " + strconv.Quote(s.filter) + "; esc clears the filter."))
		}
		for row, i := range window {
			marker := "  "
			sty := st.Text
			if top+row == s.sel {
				marker, sty = st.Selected.Render("›")+" ", st.Selected
				focus = lines
			}
			var box, name, second, purpose string
			if g, u := m.row(i); g != nil {
				on := m.groupAssigned(*g)
				box = "[ ]"
				if on {
					box = "[x]"
				}
				name, second, purpose = g.Name, "group · "+plural.Count(len(g.Members), "member"), g.Description
				switch {
				case g.missing:
					second, purpose = "group not in "+m.tenantName(), "renamed or dropped?"
				case on != g.Assigned:
					purpose = "changed from " + m.tenantName() + "'s"
				}
			} else {
				state := s.stateOf(m, set, *u)
				box, name, second, purpose = state.box(), u.DisplayName, u.UPN, u.Purpose
				if changed(state, *u) {
					// The demo's words describe its own assignment.
					purpose = "changed from " + m.tenantName() + "'s"
				}
			}
			line := marker + box + " " + sty.Render(padRight(truncate(name, nameW), nameW)) + "  " + padRight(truncate(second, upnW), upnW)
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

// details is the selected row's state as it is now, then what the tenant
// has it for (its words describe its own assignments). A group's says
// what assigning it does, as Entra has it.
func (s *usersStep) details(m *Model, set map[string]bool, shown []int) string {
	if s.sel >= len(shown) {
		return ""
	}
	g, u := m.row(shown[s.sel])
	if g != nil && g.missing {
		return fmt.Sprintf("The setup assigns the group %s, which %s does not have: space unassigns it.", g.Name, m.tenantName())
	}
	if g != nil {
		// Entra assigns a group's direct members only, and only with P1/P2.
		what := "is not assigned; space assigns its direct members (not those of groups in it)"
		if m.groupAssigned(*g) {
			what = "is assigned, so its direct members are (not those of groups in it)"
		}
		return fmt.Sprintf("Group %s (%s) %s. Assigning groups needs Entra ID P1 or P2.",
			g.Name, plural.Count(len(g.Members), "member"), what)
	}
	state := s.stateOf(m, set, *u)
	text := u.DisplayName + " is not assigned."
	switch {
	case state.direct && state.group != "":
		text = u.DisplayName + " is assigned, and through the group " + state.group + " too."
	case state.direct:
		text = u.DisplayName + " is assigned."
	case state.group != "":
		text = u.DisplayName + " is assigned through the group " + state.group + "; space assigns them directly too."
	}
	if u.Purpose != "" {
		text += " In " + m.tenantName() + ": " + u.Purpose + "."
	}
	return text
}

// listHead says where the window is in a long list and how many are
// assigned: "Users 1–8 of 10,006 · 2 assigned · / filters", or with
// groups "Groups and users 1–8 of 10,056 · 1 group, 3 users assigned".
func (s *usersStep) listHead(m *Model, set map[string]bool, shown, width int) string {
	users, groups := 0, 0
	for _, u := range m.users {
		if s.stateOf(m, set, u).assigned() {
			users++
		}
	}
	for _, g := range m.groups {
		if m.groupAssigned(g) {
			groups++
		}
	}
	groups += len(m.missingGroups)
	rows := s.rows()
	top := 0
	if shown > rows {
		top = min(max(s.sel-rows/2, 0), shown-rows)
	}
	span := fmt.Sprintf("%d–%d of %s", min(top+1, shown), min(top+rows, shown), thousands(shown))
	if len(m.groups)+len(m.missingGroups) == 0 {
		if s.filter != "" {
			return fmt.Sprintf("Matching users %s · %s of %s assigned · esc clears", span, thousands(users), thousands(len(m.users)))
		}
		return fmt.Sprintf("Users %s · %s assigned · / filters, pgdn/pgup pages", span, thousands(users))
	}
	counts := fmt.Sprintf("%s, %s assigned", plural.Count(groups, "group"), plural.Count(users, "user"))
	if s.filter != "" {
		return fmt.Sprintf("Matching %s · %s · esc clears", span, counts)
	}
	head := fmt.Sprintf("Groups and users %s · %s · / filters, pgdn/pgup pages", span, counts)
	if len([]rune(head)) > width {
		head = fmt.Sprintf("Groups and users %s · %s · / filters", span, counts)
	}
	return head
}

// thousands writes n with thousands separators: 10,006.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
