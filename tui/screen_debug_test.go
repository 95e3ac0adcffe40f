package tui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// Cognito's words when the Email claim is missing.
const cognitoNoEmail = "Invalid SAML response received: Invalid user attributes: email: The attribute is required"

// writeDebugFixtures writes, in the working directory, the HAR files the
// Debugging screen's tests analyse: the two a check run recorded (the
// sign-in refused with AADSTS50011, failing; an unassigned user refused
// with AADSTS50105, as check 4 expects), a sign-in without Email, a clean
// one, and files that are not HARs.
func writeDebugFixtures(t *testing.T) {
	t.Helper()
	files := map[string][]byte{
		"har/03-sp-sign-in.har": hartest.Flow{EntraError: "50011"}.Bytes(),
		"har/04-assignment.har": hartest.Flow{EntraError: "50105"}.Bytes(),
		"no-email.har":          hartest.Flow{OmitAttributes: []string{"Email"}, CognitoError: cognitoNoEmail}.Bytes(),
		"clean.har":             hartest.Flow{}.Bytes(),
		"notes.har":             []byte("hello\n"),
		"other.json":            []byte(`{"a": 1}`),
	}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// debugChecksReport is a check run that recorded two HAR files (the paths
// of writeDebugFixtures).
func debugChecksReport(setup.Setup, []string) *checks.Report {
	return &checks.Report{Results: []checks.Result{
		{ID: checks.IDSetup, Number: 1, Title: "Setup values are valid", Status: checks.Pass},
		{ID: checks.IDSignIn, Number: 3, Title: "SP-initiated sign-in from /sso", Status: checks.Fail, HAR: "har/03-sp-sign-in.har"},
		{ID: checks.IDAssignment, Number: 4, Title: "Unassigned users are refused", Status: checks.Pass, HAR: "har/04-assignment.har"},
	}}
}

// TestDebuggingScreen drives the screen by key presses from the summary at
// 80×24 and 120×40 and snapshots it: empty with the how-to and the check
// run's HARs, a failing check's HAR (AADSTS50011), a sign-in without
// Email, a clean one, and a path with no file.
func TestDebuggingScreen(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			t.Chdir(t.TempDir())
			writeDebugFixtures(t)
			f := &fakeRehearsal{report: debugChecksReport}
			h := startWizard(t, size.w, size.h, Options{
				Start:   func(context.Context) (Rehearsal, error) { return f, nil },
				Screens: []Screen{NewDebugScreen(DebugOptions{})},
			})
			h.waitFor("rehearsal ready")
			h.keys("alt+9")
			h.waitFor("9. Live checks", "1 failed")
			h.keys("alt+0")
			h.waitFor("10. Summary", "d debug a HAR")
			h.keys("d")
			snapshot(t, "01-how-to", h.waitFor("Debugging", "How to capture a HAR", "Tab fills"))

			h.keys("tab")
			h.waitFor("The HAR of check 3")
			h.keys("enter")
			snapshot(t, "02-aadsts50011", h.waitFor("1 problem found", "Entra refused the reply URL (AADSTS50011)"))

			for _, tc := range []struct{ name, path, want string }{
				{"03-missing-email", "no-email.har", "The Email claim is missing"},
				{"04-clean", "clean.har", "No problem found"},
				{"05-no-file", "/nonexistent/ssowiz/flow.har", "No file at /nonexistent/ssowiz/flow.har"},
			} {
				h.keys("e", "ctrl+u")
				h.typeText(tc.path)
				h.waitFor("HAR file  " + tc.path)
				h.keys("enter")
				snapshot(t, tc.name, h.waitFor(tc.want))
			}
			h.keys("esc")
			h.waitFor("10. Summary")
		})
	}
}

// openDebug opens the Debugging screen from the summary of a wizard on a
// fake rehearsal, in a unit.
func openDebug(t *testing.T, f *fakeRehearsal) (*unit, *DebugScreen) {
	t.Helper()
	sc := NewDebugScreen(DebugOptions{})
	if f == nil {
		f = &fakeRehearsal{}
	}
	u := newUnit(t, Options{Screens: []Screen{sc}, Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	u.goTo(StepSummary)
	u.keys("d")
	u.wantFrame("Debugging", "How to capture a HAR")
	if !sc.Editing() {
		t.Fatal("the path field should have focus when the screen opens")
	}
	return u, sc
}

// analyse types a path into the screen's field and presses enter.
func (u *unit) analyse(sc *DebugScreen, path string) {
	u.t.Helper()
	if !sc.Editing() {
		u.keys("e")
	}
	u.clearField()
	u.typeText(path)
	u.keys("enter")
}

// TestDebugPathErrors: a path with no file, a directory, a file that is
// not a HAR and no path at all each get an error that says what to do; the
// typed path stays in the field, with the focus, to be fixed.
func TestDebugPathErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeDebugFixtures(t)
	tests := []struct {
		name, typed string
		is          error
		want        []string
	}{
		{"no file", filepath.Join(dir, "missing.har"), fs.ErrNotExist, []string{"No file at", "missing.har", "Check the path"}},
		{"relative, no file", "missing.har", fs.ErrNotExist, []string{"No file at", "missing.har"}},
		{"a directory", "har", har.ErrNotHAR, []string{"har is a directory", "04-assignment.har"}},
		{"not JSON", "notes.har", har.ErrNotHAR, []string{"notes.har is not a HAR file", "JSON", "Network tab"}},
		{"JSON, not a HAR", "other.json", har.ErrNotHAR, []string{"other.json is not a HAR file", `no "log" object`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, ok := analyzeHARCmd(context.Background(), 1, tc.typed, har.Options{})().(debugAnalyzedMsg)
			if !ok || msg.err == nil || msg.report != nil {
				t.Fatalf("want an error, got %+v", msg)
			}
			if !errors.Is(msg.err, tc.is) {
				t.Errorf("error %q does not wrap %v", msg.err, tc.is)
			}

			u, sc := openDebug(t, nil)
			u.analyse(sc, tc.typed)
			u.wantFrame(append([]string{"✗"}, tc.want...)...)
			u.wantFrame("How to capture a HAR")
			if !sc.Editing() || sc.input.Value() != tc.typed {
				t.Errorf("the typed path should stay in the focused field: focus %v, value %q", sc.Editing(), sc.input.Value())
			}
			// Editing the path clears the error about the old one.
			u.typeText("x")
			if strings.Contains(u.frame(), "✗") {
				t.Errorf("the error should go once the path changes:\n%s", u.frame())
			}
		})
	}
	t.Run("no path", func(t *testing.T) {
		u, sc := openDebug(t, nil)
		u.keys("enter")
		u.wantFrame("Type the path of a HAR file first")
		if sc.running || !sc.Editing() {
			t.Error("enter on an empty path should start nothing and keep the focus")
		}
	})
}

// TestDebugPathsAsTyped: ~, quotes and backslash-escaped spaces (what a
// terminal pastes for a dropped file) and file:// URLs find the file.
func TestDebugPathsAsTyped(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	file := filepath.Join(home, "My HARs", "sign in.har")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, hartest.Flow{}.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{
		"~/My HARs/sign in.har",
		"  ~/My HARs/sign in.har  ",
		"'" + file + "'",
		`"` + file + `"`,
		strings.ReplaceAll(file, " ", `\ `),
		(&url.URL{Scheme: "file", Path: file}).String(),
	} {
		got, err := resolveHARPath(typed)
		if err != nil || got != file {
			t.Errorf("%q: got %q, %v; want %q", typed, got, err, file)
		}
	}
	u, sc := openDebug(t, nil)
	u.analyse(sc, "~/My HARs/sign in.har")
	u.wantFrame("No problem found", "1 sign-in attempt, signed in")
	if sc.Editing() {
		t.Error("after an analysis the field should let go of the focus, so e, h and q work")
	}
}

// TestDebugEscReturnsToTheSummary: esc leaves the screen from the field or
// the report, and the screen keeps its path and report for next time.
func TestDebugEscReturnsToTheSummary(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDebugFixtures(t)
	u, sc := openDebug(t, nil)
	u.typeText("clean")
	u.keys("esc")
	if u.m.screen != nil || u.m.cur != StepSummary {
		t.Fatal("esc from the path field should return to the summary")
	}
	u.wantFrame("10. Summary")
	u.keys("d")
	u.wantFrame("HAR file  clean")
	u.typeText(".har")
	u.keys("enter")
	u.wantFrame("No problem found")
	u.keys("esc")
	u.wantFrame("10. Summary")
	u.keys("d")
	u.wantFrame("HAR file  clean.har", "No problem found")
	if sc.Editing() {
		t.Error("reopened on a report, the field should not have the focus")
	}
}

// TestDebugResultWhileClosed: an analysis whose result arrives after esc
// (the summary drops it) runs again when the screen reopens, rather than
// spinning for ever.
func TestDebugResultWhileClosed(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDebugFixtures(t)
	u, sc := openDebug(t, nil)
	u.typeText("no-email.har")
	_, pending := u.m.Update(keyPress("enter")) // not run yet: the analysis is under way
	u.wantFrame("Analysing no-email.har")
	u.keys("esc")
	u.run(pending) // its result reaches the summary
	if sc.report != nil || !sc.running {
		t.Fatal("the result should not have reached the closed screen")
	}
	u.keys("d")
	u.wantFrame("The Email claim is missing")
	if sc.running {
		t.Error("the analysis should have finished")
	}
}

// TestDebugStaleResultIsDropped: the result of an analysis replaced by a
// newer one is ignored, whenever it arrives.
func TestDebugStaleResultIsDropped(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDebugFixtures(t)
	sc := NewDebugScreen(DebugOptions{})
	sc.Open(setup.Default(), nil)
	sc.analyze("no-email.har")
	sc.analyze("clean.har")
	ctx := context.Background()
	sc.Update(analyzeHARCmd(ctx, 2, "clean.har", har.Options{})())
	sc.Update(analyzeHARCmd(ctx, 1, "no-email.har", har.Options{})())
	if sc.path != "clean.har" || sc.report == nil || sc.report.Problem {
		t.Errorf("the newer analysis should stand: path %q, report %+v", sc.path, sc.report)
	}
}

// TestDebugLetterKeys: while the path field has focus, q and ? are typed
// into it and the help line offers f1 and ctrl+c; once a report shows, e,
// h, ? and q act, and a paste replaces the path.
func TestDebugLetterKeys(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDebugFixtures(t)
	u, sc := openDebug(t, nil)
	u.typeText("q?")
	if u.quit || u.m.showHelp || sc.input.Value() != "q?" {
		t.Fatalf("q and ? should be typed into the field: quit %v, help %v, value %q", u.quit, u.m.showHelp, sc.input.Value())
	}
	u.wantFrame("f1 help", "ctrl+c quit")
	u.analyse(sc, "clean.har")
	u.wantFrame("No problem found", "e other file", "h how-to", "? help", "q quit")

	u.keys("h")
	u.wantFrame("How to capture a HAR", "h report")
	u.keys("h")
	u.wantFrame("No problem found", "Flow 1: signed in")

	u.keys("?")
	u.wantFrame("Keys", "other file", "how-to", "re-analyse")
	u.keys("x") // any key closes the help
	u.wantFrame("Flow 1: signed in")

	u.send(tea.PasteMsg{Content: "no-email.har"})
	if !sc.Editing() || sc.input.Value() != "no-email.har" {
		t.Fatalf("a paste should replace the path in the focused field, got %q", sc.input.Value())
	}
	u.keys("enter")
	u.wantFrame("The Email claim is missing")

	u.keys("q") // nothing to save: quits at once
	if !u.quit {
		t.Error("q on the report should quit")
	}
}

// TestDebugJumpLeavesTheScreen: alt+number opens a step from the screen,
// closing it.
func TestDebugJumpLeavesTheScreen(t *testing.T) {
	u, _ := openDebug(t, nil)
	u.keys("alt+3")
	if u.m.cur != StepSAML || u.m.screen != nil {
		t.Fatalf("alt+3 should open step 3 and close the screen; at step %d, screen %v", u.m.cur.Number(), u.m.screen != nil)
	}
	u.wantFrame("3. Basic SAML Configuration")
}

// TestDebugCheckHARs: tab fills in the HARs of the last check run, the
// failing check's first, and cycles; a passing check's HAR that shows a
// problem says the check expects it.
func TestDebugCheckHARs(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDebugFixtures(t)
	f := &fakeRehearsal{report: debugChecksReport}
	sc := NewDebugScreen(DebugOptions{})
	u := newUnit(t, Options{Screens: []Screen{sc}, Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	u.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	u.goTo(StepChecks)
	u.goTo(StepSummary)
	u.keys("d")
	u.wantFrame("HAR files of the last check run", "tab fills one in", "3 SP-initiated sign-in from /sso", "4 Unassigned users are refused")
	for _, want := range []string{"har/03-sp-sign-in.har", "har/04-assignment.har", "har/03-sp-sign-in.har"} {
		u.keys("tab")
		if got := sc.input.Value(); got != want {
			t.Fatalf("tab filled in %q, want %q", got, want)
		}
	}
	u.keys("tab", "enter")
	u.wantFrame("HAR of check 4, Unassigned users are refused, which passed", "on purpose",
		"The user is not assigned to the app (AADSTS50105)", "Users and groups", "step 6")

	// Without a check run, tab does nothing and is not offered.
	u2, sc2 := openDebug(t, nil)
	u2.keys("tab")
	if sc2.input.Value() != "" || strings.Contains(u2.frame(), "check HAR") {
		t.Errorf("without HARs, tab should do nothing and not be offered:\n%s", u2.frame())
	}
}

// TestDebugDiagnosesPointToTheWizard: each problem shows its evidence,
// where to fix it in Entra, and the wizard step that holds the value, with
// the value the setup has.
func TestDebugDiagnosesPointToTheWizard(t *testing.T) {
	s := setup.Default()
	s.SAML.ReplyURL = setup.GuideReplyURL + "/"
	tests := []struct {
		name string
		flow hartest.Flow
		want []string
	}{
		{"AADSTS50011", hartest.Flow{EntraError: "50011"}, []string{"Entra refused the reply URL (AADSTS50011)", "Seen in #2 GET 200 login.microsoftonline.com/…/saml2",
			"Basic SAML Configuration › Reply URL (Assertion Consumer Service URL)", "step 3, Basic SAML Configuration (esc, then 3)", `Reply URL there is "` + setup.GuideReplyURL + `/"`}},
		{"reply URL with a slash", hartest.Flow{ReplyURL: hartest.ACSURL + "/"}, []string{"Reply URL does not match", "Reply URL (Assertion Consumer Service URL)", "step 3"}},
		{"audience", hartest.Flow{Audience: "urn:amazon:cognito:sp:other"}, []string{"Identifier (Entity ID)", "step 3", `Identifier there is "` + setup.GuideIdentifier + `"`}},
		{"missing Email", hartest.Flow{OmitAttributes: []string{"Email"}, CognitoError: cognitoNoEmail}, []string{"The Email claim is missing", "Attributes & Claims › Add new claim", "step 4, Attributes & Claims"}},
		{"not assigned", hartest.Flow{EntraError: "50105"}, []string{"AADSTS50105", "Users and groups", "step 6, Users and groups"}},
		{"IdP-initiated", hartest.Flow{IdPInitiated: true}, []string{"started from Entra", "Sign on URL", "step 3", "Sign on URL there is"}},
		{"clock skew", hartest.Flow{Skew: 10 * time.Minute, CognitoError: "Invalid SAML response received: SAML assertion has expired"}, []string{"clock"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := har.Analyze(context.Background(), strings.NewReader(string(tc.flow.Bytes())), har.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Problem {
				t.Fatal("the fixture should show a problem")
			}
			sc := NewDebugScreen(DebugOptions{})
			sc.Open(s, nil)
			sc.report, sc.path = rep, "x.har"
			text := ansi.Strip(strings.Join(sc.reportView(NewStyles(true), 400), "\n"))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("report lacks %q:\n%s", w, text)
				}
			}
			for _, d := range rep.Diagnoses {
				if !strings.Contains(text, d.Title) {
					t.Errorf("report lacks the diagnosis %q", d.Title)
				}
			}
		})
	}
}

// TestDebugScreenFits: every state of the screen fills the frame exactly,
// no line wider than the terminal, from the smallest size up; the body
// scrolls to its end and back.
func TestDebugScreenFits(t *testing.T) {
	t.Chdir(t.TempDir())
	writeDebugFixtures(t)
	for _, size := range append([]struct{ w, h int }{{minWidth, minHeight}}, sizes...) {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			u, sc := openDebug(t, &fakeRehearsal{report: debugChecksReport})
			u.send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			fits := func(state string) {
				t.Helper()
				lines := strings.Split(u.frame(), "\n")
				if len(lines) != size.h {
					t.Errorf("%s: %d lines, want %d:\n%s", state, len(lines), size.h, u.frame())
				}
				for _, l := range lines {
					if w := ansi.StringWidth(l); w > size.w {
						t.Errorf("%s: a line is %d wide: %q", state, w, l)
					}
				}
			}
			fits("how-to")
			u.analyse(sc, "/nonexistent/a/rather/long/path/to/a/file/that/is/not/there.har")
			fits("no file")
			u.analyse(sc, "no-email.har")
			fits("report")
			if size.h < 40 {
				before := u.frame()
				u.keys("down")
				if u.frame() == before {
					t.Error("down should scroll a report taller than the frame")
				}
				u.keys("end")
				u.wantFrame("above · pgup scrolls back")
				fits("report, at the end")
				u.keys("home")
				u.wantFrame("below · pgdn scrolls")
			}
			u.keys("h")
			fits("how-to after a report")
		})
	}
}

func TestShortURL(t *testing.T) {
	tests := map[string]string{
		"https://login.microsoftonline.com/aaaabbbb-0000-cccc-1111-dddd2222eeee/saml2?SAMLRequest=…": "login.microsoftonline.com/…/saml2",
		"https://app.rudderstack.com/sso":                    "app.rudderstack.com/sso",
		"https://auth2.rudderstack.com/oauth2/authorize?x=1": "auth2.rudderstack.com/oauth2/authorize",
		"not a url": "not a url",
		"https://x.test/aVeryLongOpaqueSegmentOfMoreThan24/b": "x.test/…/b",
	}
	for in, want := range tests {
		if got := shortURL(in); got != want {
			t.Errorf("shortURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitRemedy(t *testing.T) {
	where, what := splitRemedy("Microsoft Entra admin center → Enterprise applications → your RudderStack app → Users and groups → Add user/group: assign this user.")
	if where != "Entra admin center › Enterprise applications › your RudderStack app › Users and groups › Add user/group" || what != "assign this user." {
		t.Errorf("got %q / %q", where, what)
	}
	for _, r := range []string{
		"Sign in again with the right password, or reset it: in Entra.",
		"Microsoft Entra admin center → x. Then: y",
	} {
		if where, what := splitRemedy(r); where != "" || what != r {
			t.Errorf("%q should come back whole, got %q / %q", r, where, what)
		}
	}
}

// TestDebugOnARehearsal: with a Reply URL that ends in a slash, the live
// checks record a failing sign-in's HAR, and the screen, from tab and
// enter, diagnoses it as Entra would show it: AADSTS50011, pointing to
// step 3.
func TestDebugOnARehearsal(t *testing.T) {
	s := setup.Default()
	s.SAML.ReplyURL = setup.GuideReplyURL + "/"
	h := startWizard(t, 120, 40, Options{
		Setup: s,
		Start: StartEnv(EnvOptions{
			Checks: checks.Options{NewKey: testKey},
			HARDir: t.TempDir(),
		}),
		Screens: []Screen{NewDebugScreen(DebugOptions{})},
	})
	h.waitFor("rehearsal ready")
	h.keys("alt+9")
	h.waitFor("9. Live checks", "passed,", "failed,")
	h.keys("alt+0")
	h.waitFor("10. Summary", "d debug a HAR")
	h.keys("d")
	h.waitFor("HAR files of the last check run")
	h.keys("tab")
	h.waitFor("The HAR of check")
	h.keys("enter")
	frame := h.waitFor("problem found", "AADSTS50011")
	for _, want := range []string{"Reply URL (Assertion Consumer Service URL)", "In this wizard: step 3"} {
		if !strings.Contains(strings.Join(strings.Fields(frame), " "), want) {
			t.Errorf("frame lacks %q:\n%s", want, frame)
		}
	}
}
