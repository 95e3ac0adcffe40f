package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// summaryStep is the checklist to hand over, the exports, and the way back
// into any step.
type summaryStep struct{}

func (*summaryStep) title() string                { return "Summary" }
func (*summaryStep) short() string                { return "Summary" }
func (*summaryStep) screen(*Model) string         { return "" }
func (*summaryStep) editing() bool                { return false }
func (*summaryStep) done(m *Model) bool           { return m.visited[StepSummary] && m.steps[StepChecks].done(m) }
func (*summaryStep) enter(*Model, string) tea.Cmd { return nil }

func (s *summaryStep) keys(m *Model) []key.Binding {
	k := m.keys
	var out []key.Binding
	for _, sc := range m.opts.Screens {
		out = append(out, sc.Key())
	}
	out = append(out, k.Reopen, k.ExportMarkdown, k.ExportSetup)
	return append(out, key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll")))
}

// scrolls: ↑/↓ scroll the summary.
func (*summaryStep) scrolls(m *Model, kp tea.KeyPressMsg) bool {
	return key.Matches(kp, m.keys.Up, m.keys.Down)
}

func (s *summaryStep) update(m *Model, msg tea.Msg) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	k := m.keys
	for _, sc := range m.opts.Screens {
		if key.Matches(kp, sc.Key()) {
			m.screen = sc
			return sc.Open(m.setup, m.run.report()), true
		}
	}
	switch {
	case key.Matches(kp, k.Up):
		m.scrollBy(-1)
	case key.Matches(kp, k.Down):
		m.scrollBy(1)
	case key.Matches(kp, k.Reopen):
		n := int(kp.String()[0] - '0')
		return m.jumpTo(StepID(n-1), ""), true
	case key.Matches(kp, k.ExportMarkdown):
		h := buildHandover(m.setup, m.findings, m.app, m.token, m.run.report())
		return exportCmd("Markdown checklist", m.exportPath("ssowiz-handover.md"), []byte(h.markdown(m.setup))), true
	case key.Matches(kp, k.ExportSetup) && m.path != "":
		return m.saveCmd(), true
	case key.Matches(kp, k.ExportSetup):
		data, err := setup.Marshal(m.setup)
		if err != nil {
			m.setBanner("Could not export the setup file: "+err.Error(), true)
			return nil, true
		}
		return exportCmd("setup file", m.exportPath("ssowiz-setup.yaml"), data), true
	default:
		return nil, false
	}
	return nil, true
}

// exportPath places an export beside the setup file, or in ExportDir.
func (m *Model) exportPath(name string) string {
	dir := m.opts.ExportDir
	if dir == "" && m.path != "" {
		dir = filepath.Dir(m.path)
	}
	if dir == "" {
		dir = "."
	}
	return filepath.Join(dir, name)
}

func (s *summaryStep) view(m *Model, width int) (string, int) {
	st := m.styles
	h := buildHandover(m.setup, m.findings, m.app, m.token, m.run.report())
	var b strings.Builder
	switch c := m.run.counts(); {
	case m.run.running:
		b.WriteString(m.spin.View() + " The live checks are running (step 9).\n")
	case !m.run.ran:
		b.WriteString(st.Banner.Render(wrap("The live checks have not run yet: step 9 runs them.", width)) + "\n")
	case c.Fail == 0:
		b.WriteString(st.OK.Render("✓ ") + wrap(fmt.Sprintf("All checks passed (%d passed, %s, %d skipped). Here is what to do for real:", c.Pass, countOf(c.Warn, "warning", "warnings"), c.Skip), width-2) + "\n")
	default:
		b.WriteString(st.Bad.Render("✗ ") + wrap(fmt.Sprintf("%d of %d checks failed; the items marked ✗ hold the values to fix (press their step number).", c.Fail, c.Total()), width-2) + "\n")
	}
	for _, sec := range h.sections {
		b.WriteString("\n" + st.Strong.Render(sec.title) + "\n")
		for _, it := range sec.items {
			mark := st.Muted.Render("•")
			switch it.state {
			case "ok":
				mark = st.OK.Render("✓")
			case "error":
				mark = st.Bad.Render("✗")
			case "warning":
				mark = st.Warn.Render("!")
			}
			num := "  "
			if it.step >= 0 {
				num = st.Code.Render(fmt.Sprintf("%d", it.step.Number())) + " "
			}
			lines := wrapLines(it.text, width-6)
			for i, l := range lines {
				if i == 0 {
					b.WriteString(mark + " " + num + " " + l + "\n")
				} else {
					b.WriteString("      " + l + "\n")
				}
			}
		}
	}
	b.WriteString("\n" + st.Muted.Render(wrap("Press a step's number to reopen it; only the checks your change affects run again. m writes this checklist as Markdown, s saves the setup file.", width)))
	return b.String(), -1
}
