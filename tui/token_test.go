package tui

import (
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// TestAStaleTokenAsksToRegenerate: a Member token generated, then the
// Role set back to Admin, is not shown as fine: the step says the token
// held is not what the form says, enter asks before going on with it, and
// g makes a new one.
func TestAStaleTokenAsksToRegenerate(t *testing.T) {
	u, f := withFake(t, Options{})
	u.goTo(StepToken)
	u.keys("tab", "right") // Role: Member
	u.keys("enter", "enter")
	if f.generated != 1 || u.m.token == nil || u.m.token.Role != setup.PATRoleMember {
		t.Fatalf("a Member token should be generated: %+v", u.m.token)
	}
	u.keys("shift+tab", "right") // Role: Admin again
	if u.m.setup.RudderStack.PAT.Role != setup.PATRoleAdmin {
		t.Fatalf("role %q, want Admin", u.m.setup.RudderStack.PAT.Role)
	}
	u.wantFrame("not what the form says")
	if u.m.steps[StepToken].done(u.m) {
		t.Error("a token with another role than the form's counts as done")
	}
	u.keys("enter")
	u.wantFrame("RudderStack can't change a token")
	if u.m.cur != StepToken {
		t.Fatalf("enter went on to step %d without asking", u.m.cur.Number())
	}
	u.keys("g")
	if f.generated != 2 || u.m.token.Role != setup.PATRoleAdmin || u.m.tokenStale() {
		t.Fatalf("g should generate an Admin token: %+v", u.m.token)
	}
	u.keys("enter")
	if u.m.cur != StepSCIM {
		t.Fatalf("with a fresh token enter goes on; on step %d", u.m.cur.Number())
	}
}

// TestATokenWithSpacesTellsOneStory pastes the token generated in step 7
// into step 8 with spaces around it: the step says plainly that Entra
// sends it as typed and RudderStack ignores the spaces (and not that it
// is an unknown token), Test Connection says authorized, and the checks
// agree.
func TestATokenWithSpacesTellsOneStory(t *testing.T) {
	h := startWizard(t, 120, 40, Options{Start: startNormalized(t)})
	h.waitFor("rehearsal ready")
	h.keys("alt+7")
	h.waitFor("7. Personal access token", "Press enter to generate")
	h.keys("enter")
	h.waitFor("Generated")
	h.keys("alt+8")
	h.waitFor("8. SCIM configuration", "press enter to test")
	h.keys("down")
	h.typeText("  rs_pat_NORMALIZED1 ")
	frame := h.waitFor("has spaces around it", "1 at the end")
	flat := strings.Join(strings.Fields(frame), " ")
	for _, want := range []string{"Entra sends the Secret Token exactly as typed", "RudderStack ignores spaces around a bearer token"} {
		if !strings.Contains(flat, want) {
			t.Errorf("step 8 lacks %q:\n%s", want, frame)
		}
	}
	if strings.Contains(flat, "fails checks 6 and 7") {
		t.Errorf("the token generated in step 7 is called unknown:\n%s", frame)
	}
	snapshot(t, "step8", frame)
	h.keys("enter")
	h.waitFor("authorized to enable provisioning")
	h.keys("enter")
	frame = h.waitFor("9. Live checks", "0 failed")
	for _, want := range []string{"✓ 6 Admin token and Test Connection", "✓ 7 Provisioning lifecycle", "! 1 Setup values are valid"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the checks lack %q:\n%s", want, frame)
		}
	}
}
