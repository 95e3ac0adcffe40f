package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// TestSmallerThings: the terminal-too-small notice at 60×15; a Member
// token asks once, not twice; a user's description follows their
// assignment; Email from the UPN is a warning, not an error.
func TestSmallerThings(t *testing.T) {
	t.Run("too small at 60x15", func(t *testing.T) {
		u, _ := withFake(t, Options{})
		u.send(tea.WindowSizeMsg{Width: 60, Height: 15})
		u.wantFrame("ssowiz needs a terminal of at least 60×16; this one is 60×15.")
	})
	t.Run("a Member token asks once", func(t *testing.T) {
		u, f := withFake(t, Options{})
		u.goTo(StepToken)
		u.keys("tab", "right") // Role: Member
		u.keys("enter")        // warned
		u.keys("enter")        // generated anyway
		if f.generated != 1 {
			t.Fatal("the second enter should generate")
		}
		u.keys("enter")
		if u.m.cur != StepSCIM {
			t.Fatalf("after generating despite the warning, enter should go on; still on step %d", u.m.cur.Number())
		}
	})
	t.Run("descriptions follow the state", func(t *testing.T) {
		u, _ := withFake(t, Options{})
		u.goTo(StepUsers)
		u.wantFrame("A is assigned.")
		u.keys("space")
		u.wantFrame("A is not assigned.", "changed from the demo tenant's")
	})
	t.Run("Email from the UPN is a warning", func(t *testing.T) {
		s := setup.Default()
		s.Claims.Additional[0].Source = "user.userprincipalname"
		fs := setup.Validate(s)
		if len(fs) != 1 || fs[0].Severity != setup.SeverityWarning || fs[0].Field != "claims.additional[0].source" {
			t.Fatalf("want one warning on the Email source, got %+v", fs)
		}
	})
}
