package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// fakeRehearsal answers at once with fixed values, for tests of the
// wizard's own behaviour (what it shows, when it asks, what it saves);
// the check outcomes themselves are tested against the real Env.
type fakeRehearsal struct {
	created, generated, tested int
	runs                       [][]string
	report                     func(s setup.Setup, only []string) *checks.Report
	// users, when set, is the tenant's users instead of two.
	users []User
	// groups are the tenant's groups (none when unset).
	groups []Group
}

func (f *fakeRehearsal) CreateApp(_ context.Context, s setup.Setup) (App, error) {
	f.created++
	return App{Name: s.App.Name, TenantID: "tenant", AppID: "app", ObjectID: "object",
		MetadataURL: "https://login.microsoftonline.com/tenant/federationmetadata/2007-06/federationmetadata.xml?appid=app",
		Certificate: Certificate{Thumbprint: "ABCD", NotAfter: wizardNow.AddDate(3, 0, 0)}}, nil
}

func (f *fakeRehearsal) GeneratePAT(_ context.Context, s setup.Setup) (Token, error) {
	f.generated++
	return Token{Name: s.RudderStack.PAT.Name, Role: s.RudderStack.PAT.Role, Secret: "rs_pat_SECRET_VALUE", Created: wizardNow}, nil
}

func (f *fakeRehearsal) TestConnection(context.Context, setup.Setup, string) (Connection, error) {
	f.tested++
	return Connection{OK: true}, nil
}

func (f *fakeRehearsal) Run(_ context.Context, s setup.Setup, only []string, progress func(checks.Event)) (*checks.Report, error) {
	f.runs = append(f.runs, only)
	if f.report != nil {
		return f.report(s, only), nil
	}
	rep := &checks.Report{}
	sel, _ := checks.Select(only, nil)
	for _, c := range sel {
		r := checks.Result{ID: c.ID, Number: c.Number, Title: c.Title, Status: checks.Pass, Duration: time.Millisecond}
		progress(checks.Event{Kind: checks.Finished, Check: c, Result: &r})
		rep.Results = append(rep.Results, r)
	}
	return rep, nil
}

func (f *fakeRehearsal) Users() []User {
	if f.users != nil {
		return f.users
	}
	return []User{{UPN: "a@x.test", DisplayName: "A", Assigned: true, Direct: true}, {UPN: "b@x.test", DisplayName: "B"}}
}
func (f *fakeRehearsal) Groups() []Group             { return f.groups }
func (f *fakeRehearsal) HARDir() string              { return "" }
func (f *fakeRehearsal) Close(context.Context) error { return nil }

// unit drives a Model directly: Update with synthesized messages, every
// command run to completion in the test's goroutine (timers excepted).
type unit struct {
	t    testing.TB
	m    *Model
	quit bool
}

func newUnit(t testing.TB, opts Options) *unit {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	u := &unit{t: t, m: New(opts)}
	t.Cleanup(func() { _ = u.m.Close(context.Background()) })
	u.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	u.run(u.m.Init())
	return u
}

// withFake starts a unit whose rehearsal is a fakeRehearsal.
func withFake(t testing.TB, opts Options) (*unit, *fakeRehearsal) {
	f := &fakeRehearsal{}
	opts.Start = func(context.Context) (Rehearsal, error) { return f, nil }
	return newUnit(t, opts), f
}

func (u *unit) send(msg tea.Msg) {
	_, cmd := u.m.Update(msg)
	u.run(cmd)
}

func (u *unit) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 10000 {
			u.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil, spinner.TickMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			u.quit = true
		default:
			_, next := u.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

func (u *unit) keys(names ...string) {
	for _, n := range names {
		u.send(keyPress(n))
	}
}

func (u *unit) typeText(s string) {
	for _, r := range s {
		u.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (u *unit) frame() string { return ansi.Strip(u.m.View().Content) }

func (u *unit) wantFrame(want ...string) {
	u.t.Helper()
	f := u.frame()
	flat := strings.Join(strings.Fields(f), " ")
	for _, w := range want {
		if !strings.Contains(f, w) && !strings.Contains(flat, w) {
			u.t.Fatalf("frame lacks %q:\n%s", w, f)
		}
	}
}

func (u *unit) goTo(id StepID) {
	u.t.Helper()
	u.run(u.m.goTo(id, ""))
}

// clearField empties the focused text field.
func (u *unit) clearField() { u.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}) }

func TestFirstFrameDoesNotWaitForTheMocks(t *testing.T) {
	started := make(chan struct{})
	m := New(Options{Now: fixedNow, Start: func(ctx context.Context) (Rehearsal, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	m.Init() // the commands are not run: a program runs them after drawing
	if f := ansi.Strip(m.View().Content); !strings.Contains(f, "starting the mock Entra ID and RudderStack") {
		t.Errorf("the first frame should say the mocks are starting:\n%s", f)
	}
	select {
	case <-started:
		t.Error("Init started the mocks itself instead of returning a command")
	default:
	}
	if err := m.Close(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestEscGoesBackFromAnInvalidStep(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepSAML)
	u.clearField() // Identifier
	u.wantFrame("✗", "is empty")
	u.keys("esc")
	if u.m.cur != StepApp {
		t.Fatalf("esc from an invalid step went to %d, want 2", u.m.cur.Number())
	}
}

func TestEnterOnAnInvalidStepAsksTwice(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepSAML)
	u.clearField()
	u.keys("enter")
	if u.m.cur != StepSAML {
		t.Fatal("the first enter on a step with an error should stay")
	}
	u.wantFrame("One field is off", "Press enter again")
	u.keys("enter")
	if u.m.cur != StepClaims {
		t.Fatalf("the second enter should go on; at step %d", u.m.cur.Number())
	}
}

func TestEnterOnAnInvalidStepIsResetByAnEdit(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepSAML)
	u.clearField()
	u.keys("enter")
	u.typeText("x")
	u.keys("enter")
	if u.m.cur != StepSAML {
		t.Fatal("after an edit, enter should warn again before going on")
	}
}

func TestQuitAsksBeforeLosingChanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	u, _ := withFake(t, Options{SetupPath: path})

	u.keys("ctrl+c")
	if !u.quit {
		t.Fatal("with nothing to lose, ctrl+c should quit at once")
	}

	u, _ = withFake(t, Options{SetupPath: path})
	u.goTo(StepSAML)
	u.keys("end")
	u.typeText("/")
	u.keys("ctrl+c")
	if u.quit {
		t.Fatal("quit with unsaved changes should ask first")
	}
	u.wantFrame("Unsaved changes", "s save and quit", "y quit without saving")
	u.keys("n")
	if u.quit || u.m.confirm {
		t.Fatal("n should close the question and stay")
	}
	u.keys("ctrl+c", "s")
	if !u.quit {
		t.Fatal("s should save and then quit")
	}
	s, err := setup.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.SAML.Identifier != setup.GuideIdentifier+"/" {
		t.Errorf("saved identifier %q", s.SAML.Identifier)
	}
}

func TestQuitWithoutSaving(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	u, _ := withFake(t, Options{SetupPath: path})
	u.goTo(StepSAML)
	u.typeText("x")
	u.keys("ctrl+c", "y")
	if !u.quit {
		t.Fatal("y should quit")
	}
	// Reaching step 3 saved the progress; the change typed there is not.
	s, err := setup.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.SAML.Identifier != setup.GuideIdentifier {
		t.Errorf("quitting without saving wrote the change: %q", s.SAML.Identifier)
	}
}

func TestProgressSavesOnEachStepAndResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	u, _ := withFake(t, Options{SetupPath: path})
	u.goTo(StepSAML)
	u.keys("down", "end")
	u.typeText("/")
	u.keys("enter", "enter") // warned, then on
	u.wantFrame("Saved to s.yaml at 10:00")
	s, err := setup.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.SAML.ReplyURL != setup.GuideReplyURL+"/" {
		t.Fatalf("saved reply_url %q", s.SAML.ReplyURL)
	}
	if s.Users.Assigned != nil {
		t.Errorf("the directory's usual assignments should read back as nil, got %v", s.Users.Assigned)
	}

	// A new session offers to resume, and does.
	u, _ = withFake(t, Options{SetupPath: path})
	u.wantFrame("A saved setup was found", "enter resume", "n start over")
	u.keys("enter")
	if got := u.m.Setup().SAML.ReplyURL; got != setup.GuideReplyURL+"/" {
		t.Errorf("resumed reply_url %q", got)
	}
	if u.m.cur != StepClaims {
		t.Errorf("resume should start at the step reached (4), at %d", u.m.cur.Number())
	}

	// Or starts over with the guide's values.
	u, _ = withFake(t, Options{SetupPath: path})
	u.keys("n")
	if !sameSetup(u.m.Setup(), setup.Default()) {
		t.Error("start over should take the guide's values")
	}
}

func TestAnUnreadableSetupFileIsNeverOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	garbage := []byte("version: 1\nsaml: [not, a, mapping]\n")
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	u, _ := withFake(t, Options{SetupPath: path})
	u.wantFrame("could not be read", "won't overwrite it")
	u.goTo(StepSAML)
	u.typeText("x")
	u.keys("ctrl+s")
	u.wantFrame("Could not save", "not overwriting")
	u.keys("enter", "enter")
	if got, _ := os.ReadFile(path); string(got) != string(garbage) {
		t.Errorf("the file was changed:\n%s", got)
	}
}

func TestClaimsTableEdits(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepClaims)
	u.keys("down", "down", "d") // remove LastName
	u.wantFrame("There is no LastName claim")
	if n := len(u.m.Setup().Claims.Additional); n != 1 {
		t.Fatalf("%d claims after removing one of two", n)
	}
	u.keys("a")
	u.typeText("lastname")
	u.wantFrame("case matters")
	u.keys("esc") // cancel the new claim
	if n := len(u.m.Setup().Claims.Additional); n != 1 {
		t.Fatalf("esc should drop the claim being added; %d claims", n)
	}
	u.keys("a")
	u.typeText("LastName")
	u.keys("tab", "tab", "right", "right") // source: from user.mail, two along the list
	u.keys("enter")
	c := u.m.Setup().Claims.Additional
	if len(c) != 2 || c[1].Name != "LastName" || c[1].Source == "user.mail" {
		t.Fatalf("added claim %+v", c)
	}
	u.keys("g")
	if !sameSetup(u.m.Setup(), setup.Default()) {
		t.Error("g should restore the guide's claims")
	}
}

func TestUsersAssignment(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepUsers)
	u.wantFrame("[x] A", "[ ] B")
	u.keys("down", "space")
	if got := u.m.Setup().Users.Assigned; len(got) != 2 {
		t.Fatalf("assigned %v, want both", got)
	}
	u.keys("r")
	if u.m.Setup().Users.AssignmentRequired {
		t.Error("r should flip Assignment required")
	}
	u.wantFrame("Every user in the tenant can sign in")
}

func TestTokenRoleIsWarnedAboutBeforeGenerating(t *testing.T) {
	u, f := withFake(t, Options{})
	u.goTo(StepToken)
	u.keys("tab", "right") // Role: Member
	u.keys("enter")
	if f.generated != 0 {
		t.Fatal("a Member token was generated without a warning")
	}
	u.wantFrame("SCIM needs a token with the Admin role")
	u.keys("enter")
	if f.generated != 1 {
		t.Fatal("the second enter should generate it anyway")
	}
}

func TestTokenIsMaskedAndNeverSaved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	u, _ := withFake(t, Options{SetupPath: path, ExportDir: dir})
	u.goTo(StepToken)
	u.keys("enter")
	u.wantFrame("Generated", "••••")
	if strings.Contains(u.frame(), "rs_pat_SECRET_VALUE") {
		t.Fatal("the token shows before v")
	}
	u.keys("v") // the cursor left the name field when the token came
	u.wantFrame("rs_pat_SECRET_VALUE")
	u.keys("v")
	// Once the admin moves on, the token is not shown again.
	u.keys("enter")
	u.goTo(StepToken)
	u.keys("tab", "v")
	if strings.Contains(u.frame(), "rs_pat_SECRET_VALUE") || strings.Contains(u.frame(), "••••") {
		t.Fatal("the token shows again after leaving its step")
	}
	u.wantFrame("shows a token only once")
	u.goTo(StepSummary)
	u.keys("m", "s")
	for _, name := range []string{"ssowiz-handover.md", "s.yaml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "rs_pat_SECRET_VALUE") {
			t.Errorf("%s holds the token", name)
		}
	}
}

func TestCopyUsesOSC52(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepApp)
	u.keys("enter") // create
	u.goTo(StepCertificate)
	_, cmd := u.m.Update(keyPress("c"))
	if cmd == nil {
		t.Fatal("c should copy the metadata URL")
	}
	if got := cmd(); !strings.Contains(strings.ToLower(fmt.Sprintf("%T", got)), "clipboard") {
		t.Errorf("copy sent %T, want a clipboard message", got)
	}
}

func TestSummaryReopensAStepAndRerunsOnlyWhatItAffects(t *testing.T) {
	u, f := withFake(t, Options{})
	u.goTo(StepChecks)
	if len(f.runs) != 1 || f.runs[0] != nil {
		t.Fatalf("entering the checks should run all of them once; runs %v", f.runs)
	}
	u.keys("enter")
	if u.m.cur != StepSummary {
		t.Fatalf("at step %d", u.m.cur.Number())
	}
	u.keys("3") // reopen Basic SAML Configuration
	if u.m.cur != StepSAML {
		t.Fatalf("3 reopened step %d", u.m.cur.Number())
	}
	u.keys("enter")
	if u.m.cur != StepSummary || len(f.runs) != 1 {
		t.Fatalf("unchanged: back to the summary with no run; at %d, runs %v", u.m.cur.Number(), f.runs)
	}
	u.wantFrame("Nothing changed")
	u.keys("6", "r", "enter") // Assignment required: No
	if u.m.cur != StepChecks {
		t.Fatalf("a change should show the re-run on the checks step; at %d", u.m.cur.Number())
	}
	want := affectedChecks([]string{"users.assignment_required"})
	if got := f.runs[len(f.runs)-1]; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("re-ran %v, want %v", got, want)
	}
	u.keys("enter")
	if u.m.cur != StepSummary {
		t.Errorf("enter after the re-run should return to the summary; at %d", u.m.cur.Number())
	}
}

func TestAffectedChecks(t *testing.T) {
	for _, tc := range []struct {
		changed []string
		want    []string
	}{
		{nil, nil},
		{[]string{"app.name"}, []string{checks.IDSetup}},
		{[]string{"saml.sign_on_url"}, []string{checks.IDSetup, checks.IDIdPInitiated}},
		{[]string{"claims.additional[1].source"}, []string{checks.IDSetup, checks.IDSignIn, checks.IDProvisioning}},
		{[]string{"provisioning.tenant_url"}, []string{checks.IDSetup, checks.IDSCIMConnection, checks.IDProvisioning}},
		{[]string{"provisioning.actions.delete"}, []string{checks.IDSetup, checks.IDProvisioning, checks.IDKnownIssues}},
		{[]string{"no.such.field"}, allCheckIDs()},
	} {
		if got := affectedChecks(tc.changed); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("affectedChecks(%v) = %v, want %v", tc.changed, got, tc.want)
		}
	}
}

func TestEveryFieldHasAStepAndAffectsEntry(t *testing.T) {
	for path := range flatten(setup.Default()) {
		path = strings.TrimSuffix(path, ".len")
		if path == "version" {
			continue
		}
		if stepFor(path) < 0 && !strings.HasPrefix(path, "saml.logout_url") {
			t.Errorf("no step holds %s", path)
		}
		known := false
		for _, a := range affects {
			known = known || owns([]string{a.prefix}, path)
		}
		if !known {
			t.Errorf("%s is missing from the affects table", path)
		}
	}
}

func TestChangedFields(t *testing.T) {
	a := setup.Default()
	b := setup.Default()
	b.SAML.ReplyURL += "/"
	b.Claims.Additional = append(b.Claims.Additional, setup.Claim{Name: "X", Source: "user.mail"})
	got := changedFields(a, b)
	want := []string{"claims.additional", "claims.additional[2].name", "claims.additional[2].namespace", "claims.additional[2].source", "saml.reply_url"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("changedFields = %v, want %v", got, want)
	}
	if !sameSetup(a, setup.Default()) || sameSetup(a, b) {
		t.Error("sameSetup")
	}
}

func TestResizeAndTheSmallestTerminal(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	u.wantFrame("needs a terminal of at least 60×16", "40×10", "--accessible")
	u.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	u.wantFrame("● Welcome  ○ App  ○ SAML")
	for _, l := range strings.Split(u.frame(), "\n") {
		if w := ansi.StringWidth(l); w > 120 {
			t.Errorf("a line is %d wide at 120 columns: %q", w, l)
		}
	}
	if n := strings.Count(u.frame(), "\n") + 1; n != 40 {
		t.Errorf("the frame is %d lines at 40 rows", n)
	}
}

// TestEveryStepFitsItsFrame: at both sizes every step's frame is exactly
// the terminal's height and no line is wider than it.
func TestEveryStepFitsItsFrame(t *testing.T) {
	for _, size := range sizes {
		u, _ := withFake(t, Options{})
		u.send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
		u.goTo(StepApp)
		u.keys("enter")
		for id := range numSteps {
			u.goTo(id)
			lines := strings.Split(u.frame(), "\n")
			if len(lines) != size.h {
				t.Errorf("%dx%d step %d: %d lines", size.w, size.h, id.Number(), len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > size.w {
					t.Errorf("%dx%d step %d: a line is %d wide: %q", size.w, size.h, id.Number(), w, l)
				}
			}
		}
	}
}

func TestStylesFollowTheBackground(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.send(tea.BackgroundColorMsg{Color: lightBackground{}})
	if u.m.styles.Dark {
		t.Fatal("a light background should pick the light palette")
	}
	light := u.m.View().Content
	u.send(tea.BackgroundColorMsg{Color: darkBackground{}})
	if !u.m.styles.Dark || u.m.View().Content == light {
		t.Fatal("a dark background should pick the dark palette")
	}
}

type lightBackground struct{}

func (lightBackground) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

type darkBackground struct{}

func (darkBackground) RGBA() (r, g, b, a uint32) { return 0, 0, 0, 0xffff }

// fakeScreen stands in for the Debugging screen another issue adds.
type fakeScreen struct{ opened int }

func (s *fakeScreen) Key() key.Binding {
	return key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "debugging"))
}
func (s *fakeScreen) Title() string { return "Debugging" }
func (s *fakeScreen) Open(setup.Setup, *checks.Report) tea.Cmd {
	s.opened++
	return nil
}
func (s *fakeScreen) Update(tea.Msg) (Screen, tea.Cmd) { return s, nil }
func (s *fakeScreen) View(_ *Styles, _, _ int) string  { return "how to capture a HAR" }
func (s *fakeScreen) Help() []key.Binding              { return nil }

func TestAnExtraScreenOpensFromTheSummary(t *testing.T) {
	sc := &fakeScreen{}
	u, _ := withFake(t, Options{Screens: []Screen{sc}})
	u.goTo(StepSummary)
	u.wantFrame("d debugging")
	u.keys("d")
	u.wantFrame("Debugging", "how to capture a HAR")
	if sc.opened != 1 {
		t.Errorf("opened %d times", sc.opened)
	}
	u.keys("esc")
	u.wantFrame("10. Summary")
}

// TestWithoutTheRehearsal: when the mocks can't start, the form steps
// still work, the live steps say why they can't, and nothing hangs.
func TestWithoutTheRehearsal(t *testing.T) {
	u := newUnit(t, Options{Start: func(context.Context) (Rehearsal, error) {
		return nil, errors.New("no ports left")
	}})
	u.wantFrame("rehearsal unavailable")
	u.keys("enter") // welcome
	u.wantFrame("The rehearsal could not start", "no ports left")
	u.keys("enter")
	if u.m.cur != StepSAML {
		t.Fatalf("enter on step 2 without a rehearsal should go on; at %d", u.m.cur.Number())
	}
	u.goTo(StepChecks)
	u.wantFrame("the checks can't run here", "ssowiz check")
}
