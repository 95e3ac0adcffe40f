package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// The smallest terminal the wizard draws in; below it, it says so.
const (
	minWidth  = 60
	minHeight = 16
)

// View draws the frame: header, stepper, the step's title and where it
// lives, its body, and the status and help lines.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "ssowiz · " + m.steps[m.cur].title()
	return v
}

func (m *Model) render() string {
	if m.quitting {
		return ""
	}
	st := m.styles
	if m.tooSmall() {
		return wrap(fmt.Sprintf("ssowiz needs a terminal of at least %d×%d; this one is %d×%d. Make it larger, or run `ssowiz --accessible`.",
			minWidth, minHeight, m.width, m.height), max(m.width, 10))
	}
	f := m.layout()
	body := f.body
	if m.confirm {
		body = lipgloss.Place(f.width, f.avail, lipgloss.Center, lipgloss.Center, m.confirmView(f.width))
	} else {
		body = clip(body, f.avail, m.scroll, f.focus, st)
	}
	out := f.head + "\n" + body + "\n" + f.bottom
	return indent(out, 1)
}

// tooSmall reports whether the terminal is below the smallest size the
// frame is drawn in.
func (m *Model) tooSmall() bool { return m.width < minWidth || m.height < minHeight }

// frame is the layout of one screen: the head (header, stepper, title,
// where it lives), the body before clipping, the footer, and the lines
// the body may use.
type frame struct {
	head, body, bottom string
	width, avail       int
	// focus is the body line to keep in view, or -1.
	focus int
}

// sizedStep is a step that lays its body out in the height it is given
// (the live checks scroll their details pane themselves).
type sizedStep interface {
	viewSized(m *Model, width, height int) (body string, focusLine int)
}

// layout builds the frame; render clips it, and the scroll keys measure
// it.
func (m *Model) layout() frame {
	st := m.styles
	width := m.width - 2 // a column of margin each side
	top := []string{m.headerView(width), m.stepperView(width), ""}
	var title, crumb string
	switch {
	case m.showHelp:
		title = "Keys"
	case m.screen != nil:
		title = m.screen.Title()
	default:
		s := m.steps[m.cur]
		title = fmt.Sprintf("%d. %s", m.cur.Number(), s.title())
		if where := s.screen(m); where != "" {
			crumb = wrap(where, width)
		}
	}
	top = append(top, st.Title.Render(title))
	if crumb != "" {
		top = append(top, st.Breadcrumb.Render(crumb))
	}
	top = append(top, "")
	f := frame{head: strings.Join(top, "\n"), bottom: m.footerView(width), width: width, focus: -1}
	f.avail = m.height - lipgloss.Height(f.head) - lipgloss.Height(f.bottom)
	switch {
	case m.showHelp:
		f.body = m.fullHelpView(width)
	case m.screen != nil:
		f.body = m.screen.View(st, width, max(f.avail, 1))
	default:
		if s, ok := m.steps[m.cur].(sizedStep); ok {
			f.body, f.focus = s.viewSized(m, width, f.avail)
		} else {
			f.body, f.focus = m.steps[m.cur].view(m, width)
		}
	}
	return f
}

// scrollBy moves the body n lines from where the focused field puts it,
// kept within the body.
func (m *Model) scrollBy(n int) {
	if m.tooSmall() {
		return
	}
	f := m.layout()
	lines := strings.Count(f.body, "\n") + 1
	if lines <= f.avail {
		m.scroll = 0
		return
	}
	base := clipTop(lines, f.avail, 0, f.focus)
	m.scroll = min(max(base+m.scroll+n, 0), lines-(f.avail-1)) - base
}

// page is how far pgup and pgdn move a clipped body.
func (m *Model) page() int {
	f := m.layout()
	return max(f.avail-2, 1)
}

// clipTop is the first body line shown: where focus (a line index, or
// -1) is in view, moved by scroll lines.
func clipTop(lines, height, scroll, focus int) int {
	view := height - 1 // the last line says there is more
	top := 0
	if focus >= 0 && focus >= view {
		top = focus - view + 2
	}
	return min(max(top+scroll, 0), max(lines-view, 0))
}

// clip shows height lines of body, the focus line (or -1) in view and
// moved by scroll lines, with a last line that says what is hidden and
// which keys show it.
func clip(body string, height, scroll, focus int, st *Styles) string {
	lines := strings.Split(body, "\n")
	if height <= 0 {
		return ""
	}
	if len(lines) <= height {
		return body + strings.Repeat("\n", height-len(lines))
	}
	view := height - 1
	top := clipTop(len(lines), height, scroll, focus)
	out := append([]string{}, lines[top:top+view]...)
	below := len(lines) - top - view
	var more string
	switch {
	case below > 0 && top > 0:
		more = fmt.Sprintf("… %s below, %s above · pgdn/pgup scroll", lineCount(below), lineCount(top))
	case below > 0:
		more = fmt.Sprintf("… %s below · pgdn scrolls", lineCount(below))
	default:
		more = fmt.Sprintf("… %s above · pgup scrolls back", lineCount(top))
	}
	out = append(out, st.Muted.Render(more))
	return strings.Join(out, "\n")
}

// lineCount is "1 line" or "n lines".
func lineCount(n int) string { return plural.Count(n, "line") }

func (m *Model) headerView(width int) string {
	st := m.styles
	left := st.HeaderApp.Render("ssowiz") + " " + st.Header.Render("Entra ID SSO & SCIM for RudderStack")
	right := st.HeaderStep.Render(fmt.Sprintf("step %d of %d", m.cur.Number(), numSteps))
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return truncate(left, width)
	}
	return left + strings.Repeat(" ", gap) + right
}

// stepMark is a step's state in the stepper: current, failing, done with
// warnings, done, visited, or not yet visited.
func (m *Model) stepMark(id StepID) (string, lipgloss.Style) {
	st := m.styles
	if id == m.cur {
		return "●", st.StepCurrent
	}
	bad := len(setup.Errors(m.stepFindings(id))) > 0
	for _, f := range m.run.failingFields() {
		if owns(stepFields[id], f) {
			bad = true
		}
	}
	if id == StepChecks && m.run.ran && m.run.counts().Fail > 0 {
		bad = true
	}
	switch {
	case bad && m.visited[id]:
		return "✗", st.StepBad
	case m.steps[id].done(m) && len(m.stepFindings(id)) > 0:
		return "!", st.StepWarn
	case m.steps[id].done(m):
		return "✓", st.StepDone
	case m.visited[id]:
		return "◦", st.StepTodo
	}
	return "○", st.StepTodo
}

// stepperView fits the ten steps on one line: names when there is room,
// numbers otherwise, the current step always named.
func (m *Model) stepperView(width int) string {
	type item struct{ mark, name, num string }
	items := make([]item, numSteps)
	styles := make([]lipgloss.Style, numSteps)
	for i := range numSteps {
		mark, sty := m.stepMark(i)
		items[i] = item{mark: mark, name: m.steps[i].short(), num: fmt.Sprint(i.Number())}
		styles[i] = sty
	}
	layouts := []func(i StepID) string{
		func(i StepID) string { return items[i].mark + " " + items[i].name },
		func(i StepID) string {
			if i == m.cur {
				return items[i].mark + " " + items[i].name
			}
			return items[i].mark + items[i].num
		},
		func(i StepID) string { return items[i].mark },
	}
	for _, sep := range []string{"  ", " "} {
		for _, layout := range layouts {
			parts := make([]string, numSteps)
			plain := 0
			for i := range numSteps {
				p := layout(i)
				plain += lipgloss.Width(p)
				parts[i] = styles[i].Render(p)
			}
			plain += lipgloss.Width(sep) * int(numSteps-1)
			if plain <= width {
				return strings.Join(parts, m.styles.StepSep.Render(sep))
			}
		}
	}
	return truncate(layouts[2](0), width)
}

// footerView is the banner or the status line, then the help line.
func (m *Model) footerView(width int) string {
	st := m.styles
	var lines []string
	if m.banner != "" {
		sty := st.Banner
		if m.bannerBad {
			sty = st.BannerBad
		}
		for _, l := range wrapLines(m.banner, width) {
			lines = append(lines, sty.Render(l))
		}
	} else {
		lines = append(lines, m.statusView(width))
	}
	lines = append(lines, m.help.ShortHelpView(m.shortHelp()))
	return strings.Join(lines, "\n")
}

// statusView says whether progress is saved and whether the rehearsal is
// ready.
func (m *Model) statusView(width int) string {
	st := m.styles
	var left string
	switch {
	case m.path == "":
		left = "Not saving (no --setup file)"
	case !m.fileOK && m.saveErr != nil:
		left = "Not saving: " + filepath.Base(m.path) + " could not be read"
	case m.dirty():
		left = "Unsaved changes · ctrl+s saves to " + filepath.Base(m.path)
	case !m.lastSave.IsZero():
		left = "Saved to " + filepath.Base(m.path) + " at " + m.lastSave.Format("15:04")
	default:
		left = "Progress saves to " + filepath.Base(m.path)
	}
	var right string
	switch {
	case m.starting:
		right = m.spin.View() + " starting the mock Entra ID and RudderStack"
	case m.rehErr != nil:
		right = st.Bad.Render("✗") + " rehearsal unavailable"
	case m.reh != nil:
		right = st.OK.Render("●") + " rehearsal ready"
	}
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 2 {
		return st.Status.Render(truncate(left, width-lipgloss.Width(right)-2)) + "  " + right
	}
	return st.Status.Render(left) + strings.Repeat(" ", gap) + right
}

// shortHelp is the help line: enter and esc first, the step's own keys,
// then help and quit. Step keys are dropped from the end until the line
// fits, so the keys that always matter stay visible.
func (m *Model) shortHelp() []key.Binding {
	k := m.keys
	if m.confirm {
		return []key.Binding{k.ConfirmSave, k.ConfirmYes, k.ConfirmNo}
	}
	if m.showHelp {
		return []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("any key", "close help"))}
	}
	editing := false
	var own []key.Binding
	if m.screen != nil {
		editing = screenEditing(m.screen)
		own = m.screen.Help()
	} else {
		editing = m.steps[m.cur].editing()
		own = m.steps[m.cur].keys(m)
	}
	var lead, steps []key.Binding
	hasEnter, hasEsc := false, false
	for _, b := range own {
		switch b.Help().Key {
		case "enter":
			hasEnter = true
			lead = append([]key.Binding{b}, lead...)
		case "esc":
			hasEsc = true
			lead = append(lead, b)
		default:
			steps = append(steps, b)
		}
	}
	if !hasEnter && m.screen == nil && m.cur != StepSummary {
		lead = append([]key.Binding{k.Next}, lead...)
	}
	if !hasEsc && (m.cur != StepWelcome || m.screen != nil) {
		lead = append(lead, k.Back)
	}
	tail := []key.Binding{k.Help, k.Quit}
	if editing {
		tail = []key.Binding{key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "help")),
			key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))}
	}
	measure := m.help
	measure.SetWidth(0) // unlimited, to see what would be cut
	for {
		out := append(append(append([]key.Binding{}, lead...), steps...), tail...)
		if len(steps) == 0 || lipgloss.Width(measure.ShortHelpView(out)) <= m.width-2 {
			return out
		}
		steps = steps[:len(steps)-1]
	}
}

// fullHelpView lists the keys of this step, then the ones that work
// everywhere, in columns that flow onto more rows when the terminal is
// narrow.
func (m *Model) fullHelpView(width int) string {
	var groups [][]key.Binding
	if m.screen != nil {
		groups = append(groups, m.screen.Help())
	} else if own := m.steps[m.cur].keys(m); len(own) > 0 {
		groups = append(groups, own)
	}
	groups = append(groups, m.keys.FullHelp()...)
	h := m.help
	h.SetWidth(0)
	const gap = 4
	var rows, line []string
	lineW := 0
	flush := func() {
		if len(line) > 0 {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, line...))
			line, lineW = nil, 0
		}
	}
	for _, g := range groups {
		col := h.FullHelpView([][]key.Binding{g})
		w := lipgloss.Width(col)
		if lineW > 0 && lineW+w > width {
			flush()
		}
		if lineW > 0 {
			col = strings.Repeat(" ", gap) + strings.ReplaceAll(col, "\n", "\n"+strings.Repeat(" ", gap))
			w += gap
		}
		line = append(line, col)
		lineW += w
	}
	flush()
	intro := m.styles.Muted.Render(wrap("Letter keys (q, ?, c, …) work when no text field has focus. Esc goes back from any step, even one with a field that is off.", width))
	return intro + "\n\n" + strings.Join(rows, "\n\n")
}

func (m *Model) confirmView(width int) string {
	st := m.styles
	w := min(width-4, 60)
	var msg string
	switch {
	case m.path == "":
		msg = "Quit? The values you entered are not saved anywhere (ssowiz was started without --setup)."
	case !m.fileOK:
		msg = "Quit? " + m.path + " could not be read, so your changes were not saved to it."
	default:
		msg = "Quit? You have changes not yet saved to " + m.path + "."
	}
	body := st.Strong.Render("Unsaved changes") + "\n\n" + wrap(msg, w) + "\n\n" +
		st.Code.Render("s") + " save and quit   " + st.Code.Render("y") + " quit without saving   " + st.Code.Render("n") + " stay"
	return st.Dialog.Width(w + 4).Render(body)
}

// nextKey is enter with a description of what it does on this step.
func nextKey(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", desc))
}
