package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/ssowiz/ssowiz/internal/export"
	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// summaryStep is the checklist to hand over, the exports, and the way back
// into any step.
type summaryStep struct {
	// choosing is true after c, while the admin picks a value to copy by
	// its number; copied names the value copied last.
	choosing bool
	copied   string
}

func (*summaryStep) title() string        { return "Summary" }
func (*summaryStep) short() string        { return "Summary" }
func (*summaryStep) screen(*Model) string { return "" }
func (*summaryStep) editing() bool        { return false }
func (*summaryStep) done(m *Model) bool   { return m.visited[StepSummary] && m.steps[StepChecks].done(m) }
func (s *summaryStep) enter(*Model, string) tea.Cmd {
	s.choosing, s.copied = false, ""
	return nil
}

func (s *summaryStep) keys(m *Model) []key.Binding {
	k := m.keys
	var out []key.Binding
	for _, sc := range m.opts.Screens {
		out = append(out, sc.Key())
	}
	if s.choosing {
		n := len(buildHandover(m.setup, m.findings, m.app, m.token, m.run.report()).copyValues())
		return []key.Binding{key.NewBinding(key.WithKeys("1"), key.WithHelp(fmt.Sprintf("1…%d", n), "copy that value")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	}
	out = append(out, k.Reopen, k.Copy, k.ExportMarkdown, k.ExportGraph, k.ExportSetup)
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
	if s.choosing {
		// A value's number copies it; esc (or any other key) cancels.
		s.choosing = false
		vals := buildHandover(m.setup, m.findings, m.app, m.token, m.run.report()).copyValues()
		if r := kp.String(); len(r) == 1 && r[0] >= '1' && int(r[0]-'0') <= len(vals) {
			v := vals[r[0]-'1']
			s.copied = v.label
			m.setBanner("Copied the "+v.label+" to the clipboard (OSC 52).", false)
			return tea.SetClipboard(v.text), true
		}
		m.setBanner("Nothing copied.", false)
		return nil, true
	}
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
	case key.Matches(kp, k.Copy):
		s.choosing, s.copied = true, ""
		n := len(buildHandover(m.setup, m.findings, m.app, m.token, m.run.report()).copyValues())
		m.setBanner(fmt.Sprintf("Copy which value? Press its number, 1 to %d (c1…c%d in the list); any other key cancels.", n, n), false)
	case key.Matches(kp, k.Reopen):
		n := int(kp.String()[0] - '0')
		return m.jumpTo(StepID(n-1), ""), true
	case key.Matches(kp, k.ExportMarkdown):
		h := buildHandover(m.setup, m.findings, m.app, m.token, m.run.report())
		path := m.exportPath("ssowiz-handover.md")
		return exportCmd("Markdown checklist", path, []byte(h.markdown(m.setup)), m.overwrite == path), true
	case key.Matches(kp, k.ExportGraph):
		plan, err := export.PlanFromSetup(m.setup)
		if err != nil {
			m.setBanner("Could not write the Graph script: "+err.Error()+". Fix it in step 4 (Attributes & Claims), then press g again.", true)
			return nil, true
		}
		path := m.exportPath(GraphScriptName)
		return exportScriptCmd(path, export.Script(plan, scriptSource(m.path, m.dirty())), plan.TenantURL != "", m.overwrite == path), true
	case key.Matches(kp, k.ExportSetup) && m.path != "":
		return m.saveCmd(), true
	case key.Matches(kp, k.ExportSetup):
		data, err := setup.Marshal(m.setup)
		if err != nil {
			m.setBanner("Could not export the setup file: "+err.Error(), true)
			return nil, true
		}
		path := m.exportPath("ssowiz-setup.yaml")
		return exportCmd("setup file", path, data, m.overwrite == path), true
	default:
		return nil, false
	}
	return nil, true
}

// GraphScriptName is the file name the summary's g writes the Graph script
// to, beside the setup file (or in ExportDir).
const GraphScriptName = "setup-entra.sh"

// scriptSource names where an exported script's setup came from, for its
// header: the setup file, as ssowiz export --config names it, unless the
// setup held differs from the file.
func scriptSource(path string, unsaved bool) string {
	switch {
	case path == "":
		return "the setup rehearsed in the wizard (not saved to a file)"
	case unsaved:
		return path + ", with the wizard's changes not yet saved"
	}
	return path
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
		b.WriteString(st.OK.Render("✓ ") + wrap(fmt.Sprintf("All checks passed (%d passed, %s, %d skipped). Here is what to do for real:", c.Pass, plural.Count(c.Warn, "warning"), c.Skip), width-2) + "\n")
	default:
		b.WriteString(st.Bad.Render("✗ ") + wrap(fmt.Sprintf("%d of %d checks failed; the items marked ✗ hold the values to fix (press their step number).", c.Fail, c.Total()), width-2) + "\n")
	}
	n := 0
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
			for _, v := range it.values {
				tag := "  "
				if v.text != "" {
					n++
					tag = st.Code.Render(fmt.Sprintf("c%d", n))
				}
				label := v.label + "  "
				if lipgloss.Width(label)+lipgloss.Width(v.text)+9 > width {
					// The value gets a line of its own, whole.
					b.WriteString("      " + tag + " " + st.Muted.Render(v.label) + "\n")
					b.WriteString("      " + strings.Join(wrapLines(st.Strong.Render(emptyOr(v.text)), width-6), "\n      ") + "\n")
					continue
				}
				b.WriteString("      " + tag + " " + st.Muted.Render(label) + st.Strong.Render(emptyOr(v.text)) + "\n")
			}
		}
	}
	b.WriteString("\n" + st.Muted.Render(wrap("Press a step's number to reopen it; only the checks your change affects run again. c then a value's number (c1, c2, …) copies it to the clipboard (OSC 52); m writes this checklist as Markdown, g the Microsoft Graph script that makes the real tenant match (ssowiz export --format graph), s saves the setup file.", width)))
	return b.String(), -1
}
