package tui

import (
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// TestARemovedClaimComesBackWithU: d removes a claim and says how to undo
// it, u puts it back in its place, and d is in the help line from the
// first frame of the step.
func TestARemovedClaimComesBackWithU(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepClaims)
	u.wantFrame("d remove")
	u.keys("down", "d") // Email
	u.wantFrame("Removed the claim Email. Press u to undo.")
	if n := len(u.m.Setup().Claims.Additional); n != 1 {
		t.Fatalf("%d claims after removing one", n)
	}
	u.wantFrame("u undo remove")
	u.keys("u")
	if !sameSetup(u.m.Setup(), setup.Default()) {
		t.Fatalf("u should put Email back where it was: %+v", u.m.Setup().Claims.Additional)
	}
	u.wantFrame("Put the claim Email back.")
}

// TestTheSourcePickerFiltersAsYouType: in a claim's source attribute,
// typing narrows Entra's long list, so user.userprincipalname is a few
// letters away rather than ten presses.
func TestTheSourcePickerFiltersAsYouType(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepClaims)
	u.keys("down", "e", "tab", "tab") // Email's editor, on Source attribute
	u.wantFrame("(type to filter)")
	u.typeText("princ")
	if got := u.m.Setup().Claims.Additional[0].Source; got != "user.userprincipalname" {
		t.Fatalf("typing \"princ\" picked %q", got)
	}
	if !strings.Contains(u.frame(), `typed "princ"`) {
		t.Errorf("the field should show what was typed:\n%s", u.frame())
	}
	u.typeText("zzz") // matches nothing: the choice and the filter stay
	if got := u.m.Setup().Claims.Additional[0].Source; got != "user.userprincipalname" || !strings.Contains(u.frame(), `typed "princ"`) {
		t.Errorf("a filter that matches nothing changed the choice to %q", got)
	}
	u.keys("esc")
	if !sameSetup(u.m.Setup(), setup.Default()) {
		t.Error("esc should put the row back")
	}
}
