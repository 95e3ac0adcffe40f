package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// TestAFailedCheckShowsItsFixAndScrolls opens the live checks with a
// mistake at 80×24 and 100×30: the failing check's remediation (the
// field, the step and f) is on screen without scrolling, the help line
// keeps f and r, pgdn scrolls the details (not the selection) down to the
// evidence, and pgup brings the fix back.
func TestAFailedCheckShowsItsFixAndScrolls(t *testing.T) {
	cases := []struct {
		name          string
		w, h          int
		change        func(*setup.Setup)
		fix, evidence string
	}{
		{"reply-url-80x24", 80, 24, func(s *setup.Setup) { s.SAML.ReplyURL = setup.GuideReplyURL + "x" },
			"→ Reply URL (Assertion Consumer Service URL) · step 3", "HAR files of the browser checks"},
		{"member-token-100x30", 100, 30, func(s *setup.Setup) { s.RudderStack.PAT.Role = setup.PATRoleMember },
			"→ Role · step 7, Personal access token (f)", "HAR files of the browser checks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := setup.Default()
			c.change(&s)
			h := startWizard(t, c.w, c.h, Options{Setup: s, Start: startNormalized(t)})
			h.waitFor("rehearsal ready")
			h.keys("alt+9")
			frame := h.waitFor("9. Live checks", "failed,", "r run again")
			snapshot(t, "fix", frame)
			flat := strings.Join(strings.Fields(frame), " ")
			for _, want := range []string{c.fix, "f fix it", "r run again", "f takes you there."} {
				if !strings.Contains(flat, want) {
					t.Errorf("the frame lacks %q:\n%s", want, frame)
				}
			}
			if strings.Contains(frame, c.evidence) {
				t.Fatalf("the evidence %q should be below the fold at %dx%d:\n%s", c.evidence, c.w, c.h, frame)
			}
			sel := selectedLine(frame)
			for range 12 {
				h.keys("pgdown")
			}
			frame = h.waitFor(c.evidence)
			snapshot(t, "scrolled", frame)
			if got := selectedLine(frame); got != sel {
				t.Errorf("pgdn changed the selection from %q to %q", sel, got)
			}
			for range 12 {
				h.keys("pgup")
			}
			h.waitFor(c.fix)
		})
	}
}

func selectedLine(frame string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, "› ") && strings.Contains(l, "✗") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// TestChecksHeadlineIsWhole: the live checks' headline wraps rather than
// being cut, at every width the wizard draws in.
func TestChecksHeadlineIsWhole(t *testing.T) {
	m := New(Options{Now: fixedNow})
	m.reh = &fakeRehearsal{}
	m.run.ran = true
	for i, row := range m.run.rows {
		row.state = rowDone
		row.result = &checks.Result{ID: row.check.ID, Status: checks.Pass}
		if i == 2 {
			row.result.Status = checks.Fail
		}
	}
	for width := minWidth; width <= 160; width++ {
		m.width, m.height = width, 30
		top, _ := m.steps[StepChecks].(*checksStep).parts(m, width-2)
		got := strings.Join(strings.Fields(ansi.Strip(strings.Join(top, " "))), " ")
		if !strings.HasSuffix(got[:strings.Index(got, "› ")], "f takes you there. ") {
			t.Fatalf("at %d columns the headline is cut: %q", width, fmt.Sprint(top))
		}
	}
}

// TestAFailedTestConnectionShowsItsRemedy: at 80×24 a failed Test
// Connection on step 8 brings its remedy into view, before Entra's long
// message, and pgdn scrolls to the rest.
func TestAFailedTestConnectionShowsItsRemedy(t *testing.T) {
	s := setup.Default()
	s.RudderStack.SCIMEnabled = false
	h := startWizard(t, 80, 24, Options{Setup: s, Start: startNormalized(t)})
	h.waitFor("rehearsal ready")
	h.keys("alt+7")
	h.waitFor("7. Personal access token", "Press enter to generate")
	h.keys("enter")
	h.waitFor("Generated")
	h.keys("alt+8")
	h.waitFor("8. SCIM configuration", "enter test connection")
	h.keys("enter")
	frame := h.waitFor("✗ Failed to test connection", "→ ")
	snapshot(t, "80x24", frame)
	if !strings.Contains(strings.Join(strings.Fields(frame), " "), "contact the RudderStack team") {
		t.Errorf("the remedy is not in view:\n%s", frame)
	}
	for range 5 {
		h.keys("pgdown")
	}
	h.waitFor("Known issues")
}
