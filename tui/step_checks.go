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
type checksStep struct{ sel int }

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
	k := m.keys
	out := []key.Binding{k.Up}
	if r := s.selected(m); r != nil && r.result != nil && m.stepFor(firstField(r.result)) >= 0 {
		out = append(out, k.GoToField)
	}
	if !m.run.running && m.reh != nil {
		out = append(out, k.Rerun)
	}
	if m.returnTo == StepSummary {
		out = append(out, nextKey("back to summary"))
	}
	return out
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
	case key.Matches(kp, k.Down):
		s.sel = min(s.sel+1, len(m.run.rows)-1)
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
	st := m.styles
	var b strings.Builder
	lines := 0
	w := func(str string) {
		b.WriteString(str + "\n")
		lines += strings.Count(str, "\n") + 1
	}
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
		summary := fmt.Sprintf("%d passed, %d failed, %d warnings, %d skipped", c.Pass, c.Fail, c.Warn, c.Skip)
		if c.Fail == 0 {
			w(st.OK.Render("✓ ") + summary + ". " + wrap("Your setup works end to end.", width-len(summary)-4))
		} else {
			w(st.Bad.Render("✗ ") + summary + ". " + st.Muted.Render("Select a failed check for what to change; f takes you there."))
		}
	}
	w("")
	focus := -1
	titleW := 0
	for _, row := range m.run.rows {
		titleW = max(titleW, len([]rune(row.check.Title))+2)
	}
	titleW = min(titleW, max(width-18, 20))
	for i, row := range m.run.rows {
		marker := "  "
		if i == s.sel {
			marker = st.Selected.Render("›") + " "
			focus = lines
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
		if i == s.sel {
			for _, l := range s.details(m, row, width-4) {
				w("    " + l)
			}
		}
	}
	if dir := m.harDir(); dir != "" && m.run.ran {
		w("")
		w(st.Muted.Render(wrap("HAR files of the browser checks are in "+dir+".", width)))
	}
	return strings.TrimSuffix(b.String(), "\n"), focus
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

// details is what the selected check proves, what happened, and for a
// failure what to change and where.
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
	if res.Status == checks.Pass {
		add(st.Muted.Render, row.check.Proves)
	}
	for i, d := range res.Details {
		if i == 4 {
			add(st.Muted.Render, fmt.Sprintf("(%d more in `ssowiz check`)", len(res.Details)-4))
			break
		}
		add(st.Muted.Render, "· "+d)
	}
	for _, r := range res.Remediations {
		where := r.Label
		if r.Screen != "" {
			where = r.Screen + " › " + r.Label
		}
		sty := st.Reason.Render
		if res.Status == checks.Warn {
			sty = st.ReasonWarn.Render
		}
		add(sty, "→ "+where)
		text := strings.TrimSpace(r.Problem)
		if r.Fix != "" {
			text += " " + r.Fix
		}
		for _, l := range wrapLines(upperFirst(text), width-2) {
			out = append(out, "  "+l)
		}
		if id := m.stepFor(r.Field); id >= 0 {
			out = append(out, "  "+st.Code.Render(fmt.Sprintf("f: go to step %d (%s)", id.Number(), m.steps[id].title())))
		}
	}
	if res.HAR != "" {
		add(st.Muted.Render, "HAR saved to "+res.HAR)
	}
	return out
}
