package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aymanbagabas/go-udiff"
	_ "github.com/charmbracelet/x/exp/golden" // for its -update flag
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// snapshot compares a frame with its golden file,
// testdata/<test>/<name>.golden; -update rewrites it.
func snapshot(t *testing.T, name, frame string) {
	t.Helper()
	t.Run(name, func(t *testing.T) { requireGolden(t, frame) })
}

// testdata is the absolute path of this package's testdata, found before
// any test changes directory.
var testdata string

// requireGolden is golden.RequireEqual with an absolute path, so tests
// that run in a temporary directory still find their files. It honours
// the golden package's -update flag.
func requireGolden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join(testdata, filepath.FromSlash(t.Name())+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := udiff.Unified("golden", "got", string(want), got); diff != "" {
		t.Errorf("%s differs from its golden file:\n%s", t.Name(), diff)
	}
}

// TestWalkThrough drives the wizard by key presses from the welcome to a
// summary with every check passed, at 80×24 and 120×40, and snapshots
// every step.
func TestWalkThrough(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Chdir(t.TempDir())
			h := startWizard(t, size.w, size.h, Options{SetupPath: "ssowiz-setup.yaml", Start: startNormalized(t)})

			snapshot(t, "01-welcome", h.waitFor("1. Welcome", "rehearsal ready"))
			h.keys("enter")
			h.waitFor("2. Create the application", "Press enter to create")
			h.keys("enter")
			snapshot(t, "02-app", h.waitFor("Application (client) ID", "00000000-0000-4000-8000-"))
			h.keys("enter")
			snapshot(t, "03-saml", h.waitFor("3. Basic SAML Configuration"))
			h.keys("enter")
			snapshot(t, "04-claims", h.waitFor("4. Attributes & Claims"))
			h.keys("enter")
			snapshot(t, "05-certificate", h.waitFor("5. Certificate", "Thumbprint"))
			h.keys("enter")
			snapshot(t, "06-users", h.waitFor("6. Users and groups", "Adele Vance"))
			h.keys("enter")
			h.waitFor("7. Personal access token", "Press enter to generate")
			h.keys("enter")
			snapshot(t, "07-token", h.waitFor("Generated", "••••"))
			h.keys("enter")
			h.waitFor("8. SCIM configuration", "press enter to test")
			h.keys("enter")
			snapshot(t, "08-scim", h.waitFor("authorized to enable provisioning"))
			h.keys("enter")
			frame := h.waitFor("9. Live checks", "8 passed, 0 failed")
			snapshot(t, "09-checks", frame)
			h.keys("enter")
			frame = h.waitFor("10. Summary", "All checks passed")
			snapshot(t, "10-summary", frame)
			h.keys("?")
			snapshot(t, "11-help", h.waitFor("Keys", "close help"))
			h.keys("esc")
			h.waitFor("10. Summary")

			// Nothing changed, so q quits without asking.
			h.keys("q")
			fm := h.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*recorder).Model
			rep := fm.Report()
			if rep == nil || !rep.OK() || rep.Counts().Pass != len(checks.Catalogue()) {
				t.Fatalf("want every check passed, got %+v", rep)
			}
			if fm.Step() != StepSummary {
				t.Errorf("ended on step %d, want the summary", fm.Step().Number())
			}
		})
	}
}

// TestWrongReplyURL walks with a trailing slash on the Reply URL: the
// sign-in check fails with AADSTS50011 and a remediation naming the
// field, f goes back to step 3 with the cursor on it, and fixing it
// re-runs only the checks the Reply URL affects.
func TestWrongReplyURL(t *testing.T) {
	t.Chdir(t.TempDir())
	h := startWizard(t, 120, 40, Options{SetupPath: "ssowiz-setup.yaml", Start: startNormalized(t)})
	h.waitFor("rehearsal ready")
	h.keys("enter", "enter")
	h.waitFor("Application (client) ID")
	h.keys("enter")
	h.waitFor("3. Basic SAML Configuration")
	h.keys("down", "end")
	h.typeText("/")
	frame := h.waitFor("ends with a slash")
	if !strings.Contains(frame, "AADSTS50011") {
		t.Errorf("the reason beside the Reply URL should name AADSTS50011:\n%s", frame)
	}
	// The first enter warns, the second goes on: the rehearsal is for
	// seeing how it fails.
	h.keys("enter")
	h.waitFor("Press enter again to continue anyway")
	h.keys("enter")
	h.waitFor("4. Attributes & Claims", "Saved to ssowiz-setup.yaml")
	saved, err := setup.ReadFile("ssowiz-setup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if saved.SAML.ReplyURL != setup.GuideReplyURL+"/" {
		t.Errorf("progress saved reply_url %q, want the typed value", saved.SAML.ReplyURL)
	}
	for range 3 { // claims, certificate, users
		h.keys("enter")
	}
	h.waitFor("7. Personal access token", "Press enter to generate")
	h.keys("enter")
	h.waitFor("Generated")
	h.keys("enter")
	h.waitFor("8. SCIM configuration", "press enter to test")
	h.keys("enter")
	h.waitFor("authorized to enable provisioning")
	h.keys("enter")
	frame = h.waitFor("9. Live checks", "2 failed", "· step 3, Basic SAML Configuration (f)")
	snapshot(t, "checks-failed", frame)
	for _, want := range []string{"› ✗ 3 SP-initiated sign-in from /sso", "Entra showed AADSTS50011", "· Where: Entra admin center", `"` + setup.GuideReplyURL + `/" ends with a slash`} {
		if !strings.Contains(frame, want) {
			t.Errorf("the checks frame lacks %q:\n%s", want, frame)
		}
	}

	h.keys("f")
	frame = h.waitFor("3. Basic SAML Configuration", "› Reply URL")
	h.keys("backspace")
	h.waitFor("3. Basic SAML Configuration")
	h.keys("enter")
	frame = h.waitFor("9. Live checks", "8 passed, 0 failed")
	snapshot(t, "checks-rerun", frame)
	// Only what the Reply URL affects ran again; the rest kept their
	// earlier results.
	want := affectedChecks([]string{"saml.reply_url"})
	for _, c := range checks.Catalogue() {
		line := lineWith(frame, fmt.Sprintf("✓ %d %s", c.Number, c.Title))
		earlier := strings.Contains(line, "(earlier)")
		rerun := contains(want, c.ID)
		if earlier == rerun {
			t.Errorf("check %s: re-run %v, but its line says %q", c.ID, rerun, line)
		}
	}
}

func lineWith(frame, s string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestMain(m *testing.M) {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	testdata = filepath.Join(wd, "testdata")
	os.Exit(m.Run())
}
