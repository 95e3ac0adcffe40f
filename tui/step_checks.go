package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/checks"
)

// checksStep runs the live checks and shows each with its state, its
// duration and, for the selected one, what happened and what to change.
type checksStep struct {
	sel int
	// detailScroll is how far the details pane is scrolled.
	detailScroll int
}

func (*checksStep) title() string        { return "Live checks" }
func (*checksStep) short() string        { return "Checks" }
func (*checksStep) screen(*Model) string { return "" }
func (*checksStep) editing() bool        { return false }
func (*checksStep) done(m *Model) bool {
	return m.run.ran && !m.run.running && m.run.counts().Fail == 0
}

// enter runs the checks the first time, and again when the setup changed
// since the last run (only those the change affects).
func (s *checksStep) enter(m *Model, _ string) tea.Cmd {
	if m.run.running || m.reh == nil {
		return nil
	}
	if m.run.never() {
		s.sel = 0
		return m.startRun(nil)
	}
	if changed := changedFields(m.run.forSetup, m.setup); len(changed) > 0 {
		return m.rerun(changed)
	}
	return nil
}

func (s *checksStep) keys(m *Model) []key.Binding {
	// Most useful first: the help line drops keys from the end when it
	// is narrow, and the keys that fix a failure must stay.
	k := m.keys
	var out []key.Binding
	if m.returnTo == StepSummary {
		out = append(out, nextKey("back to summary"))
	}
	if r := s.selected(m); r != nil && r.result != nil && m.stepFor(firstField(r.result)) >= 0 {
		out = append(out, k.GoToField)
	}
	if !m.run.running && m.reh != nil {
		out = append(out, k.Rerun)
	}
	return append(out, key.NewBinding(key.WithKeys("pgdown", "pgup"), key.WithHelp("pgdn", "details")), k.Up)
}

func (s *checksStep) selected(m *Model) *checkRow {
	if s.sel >= 0 && s.sel < len(m.run.rows) {
		return m.run.rows[s.sel]
	}
	return nil
}

// selectFirstProblem puts the selection on the first failing check (or
// warning) once a run ends, preferring a live check's evidence to the
// static check's, which fails with any field that is off.
func (s *checksStep) selectFirstProblem(m *Model) {
	s.detailScroll = 0
	for _, want := range []checks.Status{checks.Fail, checks.Warn} {
		first := -1
		for i, row := range m.run.rows {
			if row.result == nil || row.result.Status != want {
				continue
			}
			if row.check.ID != checks.IDSetup {
				s.sel = i
				return
			}
			if first < 0 {
				first = i
			}
		}
		if first >= 0 {
			s.sel = first
			return
		}
	}
}

// firstField is the first setup field a result's remediations name.
func firstField(r *checks.Result) string {
	for _, rem := range r.Remediations {
		if rem.Field != "" {
			return rem.Field
		}
	}
	return ""
}

func (s *checksStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	k := m.keys
	switch {
	case key.Matches(kp, k.Up):
		s.sel = max(s.sel-1, 0)
		s.detailScroll = 0
	case key.Matches(kp, k.Down):
		s.sel = min(s.sel+1, len(m.run.rows)-1)
		s.detailScroll = 0
	case key.Matches(kp, k.Rerun) && !m.run.running:
		return m.startRun(nil), true
	case key.Matches(kp, k.GoToField):
		r := s.selected(m)
		if r == nil || r.result == nil {
			return nil, true
		}
		field := firstField(r.result)
		if id := m.stepFor(field); id >= 0 {
			return m.jumpTo(id, field), true
		}
	default:
		return nil, false
	}
	return nil, true
}

func (s *checksStep) view(m *Model, width int) (string, int) {
	return s.viewSized(m, width, 0)
}

// viewSized lays out the headline, one line per check, and below them the
// selected check's details in a pane that fills the rest of height and
// scrolls on its own (pgdn/pgup), so the list and the fix stay in view at
// 80×24. A height of 0 draws the details whole.
func (s *checksStep) viewSized(m *Model, width, height int) (string, int) {
	top, details := s.parts(m, width)
	if len(details) == 0 {
		return strings.Join(top, "\n"), -1
	}
	pane := height - len(top) - 1
	if height <= 0 || pane >= len(details) || pane < 3 {
		// Room for all of it, or too little for a pane: the frame clips.
		return strings.Join(top, "\n") + "\n\n" + strings.Join(details, "\n"), -1
	}
	s.detailScroll = min(max(s.detailScroll, 0), len(details)-(pane-1))
	shown := append([]string{}, details[s.detailScroll:s.detailScroll+pane-1]...)
	below := len(details) - s.detailScroll - (pane - 1)
	var more string
	switch {
	case below > 0 && s.detailScroll > 0:
		more = fmt.Sprintf("… %s below, %s above · pgdn/pgup scroll the details", lineCount(below), lineCount(s.detailScroll))
	case below > 0:
		more = fmt.Sprintf("… %s below · pgdn scrolls the details", lineCount(below))
	default:
		more = fmt.Sprintf("… end of the details · pgup scrolls back (%s above)", lineCount(s.detailScroll))
	}
	shown = append(shown, m.styles.Muted.Render(truncate(more, width)))
	return strings.Join(top, "\n") + "\n\n" + strings.Join(shown, "\n"), -1
}

// pageBy scrolls the details pane by n lines; it reports false when the
// details fit, so the frame scrolls instead.
func (s *checksStep) pageBy(m *Model, n int) bool {
	f := m.layout()
	top, details := s.parts(m, f.width)
	pane := f.avail - len(top) - 1
	if pane < 3 || pane >= len(details) {
		return false
	}
	page := max(pane-2, 1)
	if n < 0 {
		page = -page
	}
	s.detailScroll = min(max(s.detailScroll+page, 0), len(details)-(pane-1))
	return true
}

// parts returns the headline and the list of checks, and the selected
// check's details.
func (s *checksStep) parts(m *Model, width int) (top, details []string) {
	st := m.styles
	w := func(str string) { top = append(top, strings.Split(str, "\n")...) }
	switch {
	case m.reh == nil && m.starting:
		w(m.spin.View() + " Starting the mock Entra ID and RudderStack…")
	case m.reh == nil:
		w(st.BannerBad.Render(wrap("The rehearsal is not running, so the checks can't run here. Use `ssowiz check` with your setup file.", width)))
	case m.run.running:
		w(wrap("Rehearsing your values against fresh mocks of Entra ID and RudderStack…", width))
	case m.run.err != nil:
		w(st.BannerBad.Render(wrap("The checks could not run: "+m.run.err.Error(), width)))
	case m.run.ran:
		c := m.run.counts()
		summary := countsText(c.Pass, c.Fail, c.Warn, c.Skip) + "."
		if c.Fail == 0 {
			w(hanging(st.OK.Render("✓ "), summary+" Your setup works end to end.", width))
		} else {
			w(hanging(st.Bad.Render("✗ "), summary+" Select a failed check for what to change; f takes you there.", width))
		}
	}
	w("")
	titleW := 0
	for _, row := range m.run.rows {
		titleW = max(titleW, len([]rune(row.check.Title))+2)
	}
	titleW = min(titleW, max(width-18, 20))
	var sel *checkRow
	for i, row := range m.run.rows {
		marker := "  "
		if i == s.sel {
			marker = st.Selected.Render("›") + " "
			sel = row
		}
		icon, dur := m.rowIcon(row), ""
		if row.result != nil && row.state == rowDone {
			dur = durationText(row.result.Duration)
			if !row.fresh && m.run.ran {
				dur += " (earlier)"
			}
		}
		title := fmt.Sprintf("%d %s", row.check.Number, row.check.Title)
		line := marker + icon + " " + padRight(truncate(title, titleW), titleW)
		status := dur
		if row.state == rowRunning && row.message != "" {
			status = row.message
		}
		line += "  " + st.Muted.Render(truncate(status, max(width-titleW-8, 4)))
		w(line)
	}
	if sel != nil {
		for _, l := range s.details(m, sel, width-2) {
			details = append(details, "  "+l)
		}
	}
	if dir := m.harDir(); dir != "" && m.run.ran {
		details = append(details, "")
		for _, l := range wrapLines("HAR files of the browser checks are in "+dir+".", width) {
			details = append(details, st.Muted.Render(l))
		}
	}
	return top, details
}

func (m *Model) harDir() string {
	if m.reh == nil {
		return ""
	}
	return m.reh.HARDir()
}

func (m *Model) rowIcon(row *checkRow) string {
	st := m.styles
	switch row.state {
	case rowQueued:
		return st.Pending.Render("·")
	case rowRunning:
		return m.spin.View()
	case rowNotRun:
		return st.Pending.Render("○")
	}
	if row.result == nil {
		return st.Pending.Render("○")
	}
	return statusIcon(st, row.result.Status)
}

func statusIcon(st *Styles, s checks.Status) string {
	switch s {
	case checks.Pass:
		return st.OK.Render("✓")
	case checks.Fail:
		return st.Bad.Render("✗")
	case checks.Warn:
		return st.Warn.Render("!")
	}
	return st.Pending.Render("–")
}

// details is, for the selected check, what happened, then for a failure
// what to change and where (before the evidence, so it shows first), then
// what it proves and the evidence.
func (s *checksStep) details(m *Model, row *checkRow, width int) []string {
	st := m.styles
	var out []string
	add := func(sty func(...string) string, text string) {
		for _, l := range wrapLines(text, width) {
			out = append(out, sty(l))
		}
	}
	res := row.result
	if res == nil || row.state != rowDone {
		add(st.Muted.Render, row.check.Proves)
		return out
	}
	if res.Summary != "" {
		add(st.Text.Render, res.Summary)
	}
	for _, r := range res.Remediations {
		sty := st.Reason.Render
		if res.Status == checks.Warn {
			sty = st.ReasonWarn.Render
		}
		where := r.Label
		if id := m.stepFor(r.Field); id >= 0 {
			where += fmt.Sprintf(" · step %d, %s (f)", id.Number(), m.steps[id].title())
		} else if r.Screen != "" {
			where = r.Screen + " › " + r.Label
		}
		for i, l := range wrapLines(where, width-2) {
			if i == 0 {
				out = append(out, sty("→ "+l))
			} else {
				out = append(out, sty("  "+l))
			}
		}
		text := strings.TrimSpace(r.Problem)
		if r.Fix != "" {
			text += " " + r.Fix
		}
		for _, l := range wrapLines(upperFirst(text), width-2) {
			out = append(out, "  "+l)
		}
	}
	if res.Status == checks.Pass {
		add(st.Muted.Render, row.check.Proves)
	}
	for _, r := range res.Remediations {
		if r.Screen != "" && m.stepFor(r.Field) >= 0 {
			out = append(out, strings.Split(st.Muted.Render(hanging("· ", "Where: "+r.Screen+" › "+r.Label, width)), "\n")...)
		}
	}
	for _, d := range res.Details {
		out = append(out, strings.Split(st.Muted.Render(hanging("· ", d, width)), "\n")...)
	}
	if res.HAR != "" {
		add(st.Muted.Render, "HAR saved to "+res.HAR)
	}
	return out
}
