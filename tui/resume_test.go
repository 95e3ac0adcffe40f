package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// TestSavedAsYouGoResumedWhereYouWere walks all the steps with the
// guide's values: the file exists from the first step on (nothing typed
// differs from the defaults), holds the step reached, and a new session
// resumes there with the app and the token made again in the new
// rehearsal, so step 5 has its metadata URL and the earlier steps read as
// done.
func TestSavedAsYouGoResumedWhereYouWere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssowiz-setup.yaml")
	u, _ := withFake(t, Options{SetupPath: path})
	u.keys("enter") // welcome → create the application
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no setup file after the first step: %v", err)
	}
	for u.m.cur < StepChecks {
		u.keys("enter")
	}
	u.wantFrame("9. Live checks")
	s, err := setup.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Wizard == nil || s.Wizard.Step != 9 {
		t.Fatalf("the file should hold step 9 reached, holds %+v", s.Wizard)
	}

	u, f := withFake(t, Options{SetupPath: path})
	u.wantFrame("A saved setup was found")
	u.keys("enter")
	if u.m.cur != StepChecks {
		t.Fatalf("resumed at step %d, want 9", u.m.cur.Number())
	}
	if f.created != 1 || f.generated != 1 || u.m.app == nil || u.m.token == nil {
		t.Fatalf("the app and the token should be made again: created %d, generated %d", f.created, f.generated)
	}
	if !u.m.sealed {
		t.Error("a token made again on resume stands for the one held: it must not be shown")
	}
	for id := StepApp; id < StepChecks; id++ {
		if !u.m.steps[id].done(u.m) {
			t.Errorf("step %d is not done after resuming past it", id.Number())
		}
	}
	u.keys("alt+5")
	frame := u.frame()
	if strings.Contains(frame, "hasn't been created") || !strings.Contains(frame, "federationmetadata") {
		t.Errorf("step 5 after resume:\n%s", frame)
	}
}

// TestExportsAskBeforeReplacingAFile: m and s (without --setup) never
// replace a file that is there without a second press.
func TestExportsAskBeforeReplacingAFile(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "ssowiz-handover.md")
	if err := os.WriteFile(md, []byte("the admin's notes"), 0o600); err != nil {
		t.Fatal(err)
	}
	u, _ := withFake(t, Options{ExportDir: dir})
	u.keys("alt+0")
	u.keys("m")
	u.wantFrame("already exists. Press the same key again to replace it.")
	if b, _ := os.ReadFile(md); string(b) != "the admin's notes" {
		t.Fatal("m replaced the file without asking")
	}
	u.keys("m")
	if b, _ := os.ReadFile(md); !strings.Contains(string(b), "# SSO and SCIM setup") {
		t.Fatalf("the second m should replace it, file holds %q", b)
	}
}

// TestResumingAtTheSummaryRunsTheChecks: the summary shows the checks'
// results, so a resume there runs them, as step 9 would have.
func TestResumingAtTheSummaryRunsTheChecks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssowiz-setup.yaml")
	s := setup.Default()
	s.Wizard = &setup.Wizard{Step: 10}
	data, err := setup.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	u, f := withFake(t, Options{SetupPath: path})
	u.keys("enter")
	if u.m.cur != StepSummary || len(f.runs) != 1 {
		t.Fatalf("resumed at step %d with %d runs, want the summary and one run", u.m.cur.Number(), len(f.runs))
	}
	u.wantFrame("All checks passed")
}
