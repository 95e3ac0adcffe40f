package tui

import (
	"os"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"

	"github.com/ssowiz/ssowiz/internal/export"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// TestGraphScriptFromSummary: on the summary, g writes the Microsoft Graph
// script beside the setup file. A file already there is kept until g is
// pressed again; then the script written is, byte for byte, what
// ssowiz export --format graph --config FILE writes for the same file, and
// the banner says where it went and how to run it. At 80×24.
func TestGraphScriptFromSummary(t *testing.T) {
	t.Chdir(t.TempDir())
	s := setup.Default()
	s.Claims.Additional = append(s.Claims.Additional, setup.Claim{Name: "department", Source: "user.department"})
	s.Wizard = &setup.Wizard{Step: StepSummary.Number()}
	data, err := setup.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("ssowiz-setup.yaml", data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(GraphScriptName, []byte("the admin's own script\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	h := startWizard(t, 80, 24, Options{SetupPath: "ssowiz-setup.yaml", Start: startNormalized(t)})
	h.waitFor("A saved setup was found", "rehearsal ready")
	h.keys("enter")
	h.waitFor("10. Summary", "All checks passed")
	h.keys("g")
	snapshot(t, "exists", h.waitFor(GraphScriptName+" already exists. Press the same key again"))
	if b, _ := os.ReadFile(GraphScriptName); string(b) != "the admin's own script\n" {
		t.Fatalf("g replaced the file without a second press: %q", b)
	}
	h.keys("g")
	snapshot(t, "written", h.waitFor("Exported the Graph script to "+GraphScriptName))

	saved, err := setup.ReadFile("ssowiz-setup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := export.GraphScript(saved, "ssowiz-setup.yaml") // as ssowiz export --config ssowiz-setup.yaml
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(GraphScriptName)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("the wizard's script differs from ssowiz export's:\n%s", udiff.Unified("export", "wizard", want, string(got)))
	}
	if !strings.Contains(string(got), "department") {
		t.Error("the script lacks the setup's own claim")
	}
}

// TestGraphScriptKeyIsInTheHelp: g is in the summary's keys, so ? lists
// it, and in no other step's.
func TestGraphScriptKeyIsInTheHelp(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.keys("alt+0")
	u.keys("?")
	u.wantFrame("g graph script")
	u.keys("esc", "alt+3", "?")
	if strings.Contains(u.frame(), "graph script") {
		t.Errorf("step 3's help lists the summary's g:\n%s", u.frame())
	}
}
