package tui

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// Options configure the wizard.
type Options struct {
	// Setup is where the wizard starts; the zero value means the guide's
	// defaults (setup.Default).
	Setup setup.Setup
	// SetupPath is the setup file progress is saved to and resumed from;
	// "" saves nothing.
	SetupPath string
	// ExportDir is where the Markdown checklist is written; "" means the
	// setup file's directory, or the working directory.
	ExportDir string
	// Start starts the rehearsal environment. The wizard calls it in a
	// command after the first frame; nil runs without one (the live steps
	// then say so).
	Start func(ctx context.Context) (Rehearsal, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Screens are extra screens reachable from the summary (the Debugging
	// screen plugs in here).
	Screens []Screen
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// Tenant is the tenant file the rehearsal serves (Start must serve
	// it); the zero value is the guide's demo tenant.
	Tenant Tenant
}

// Tenant is the admin's tenant file the rehearsal serves: their users,
// groups and other apps, with the RudderStack app being set up.
type Tenant struct {
	// File is the tenant file's absolute path; "" is the demo tenant.
	File string
	// About says what the file holds and which app is set up, for the
	// welcome screen: "10,006 users, 1 group and 49 other apps. ...".
	About string
}

// tenantName names the rehearsal's tenant in a sentence.
func (m *Model) tenantName() string {
	if m.opts.Tenant.File == "" {
		return "the demo tenant"
	}
	return "the tenant file"
}

// Screen is an extra page opened from the summary by its key; esc returns
// to the summary.
type Screen interface {
	// Key opens the screen from the summary; its help names the screen.
	Key() key.Binding
	// Title heads the screen.
	Title() string
	// Open is called each time the screen is opened, with the current
	// setup and the last check report (nil before the first run).
	Open(s setup.Setup, report *checks.Report) tea.Cmd
	// Update handles a message while the screen is open.
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View renders the screen's body.
	View(st *Styles, width, height int) string
	// Help lists the screen's keys for the help line.
	Help() []key.Binding
}

// editingScreen is a Screen with a text field: while Editing, printable
// keys (q, ?) are the field's, and the help line offers f1 and ctrl+c
// instead. A screen without the method never takes q and ?.
type editingScreen interface {
	Editing() bool
}

// screenEditing reports whether the open screen's text field has focus.
func screenEditing(sc Screen) bool {
	e, ok := sc.(editingScreen)
	return ok && e.Editing()
}

// Model is the wizard: one model owning the setup, the rehearsal and its
// results, routing messages to the current step.
type Model struct {
	opts    Options
	starter *starter
	ctx     context.Context
	cancel  context.CancelFunc
	now     func() time.Time
	log     *slog.Logger

	keys   KeyMap
	styles *Styles
	help   help.Model
	spin   spinner.Model
	width  int
	height int

	setup    setup.Setup
	findings []setup.Finding

	// The setup file.
	path      string
	saved     setup.Setup // what the file holds, as far as we know
	fileOK    bool        // the file may be written (absent, or ours to overwrite)
	lastSave  time.Time
	saveErr   error
	resume    *savedSetupMsg
	quitAfter bool

	// The rehearsal environment and its live results.
	reh           Rehearsal
	rehErr        error
	starting      bool
	app           *App
	appErr        error
	creating      bool
	pendingCreate bool
	users         []User
	groups        []Group
	// missingGroups are the groups the setup assigns that the tenant
	// lacks (see groupFindings).
	missingGroups []string
	token         *Token
	tokenErr      error
	generating    bool
	revealed      bool
	// sealed is set once the admin leaves the token's step: RudderStack
	// never shows a token again, and neither does the wizard (it keeps it
	// only to pass to Test Connection).
	sealed  bool
	conn    *Connection
	connErr error
	testing bool
	// connFresh keeps a failed Test Connection's remedy in view until the
	// next key.
	connFresh bool
	run       checkRun

	steps []step
	cur   StepID
	// reached is the furthest step reached, saved with the setup so a
	// resume starts there; savedReached is what the file holds.
	reached, savedReached StepID
	// pendingToken asks for a token once the app exists (a resume past
	// step 7 makes both again in the new rehearsal).
	pendingToken, resumedToken bool
	// pendingTest runs Test Connection once that token exists;
	// pendingRun runs the checks once the rehearsal is up (a resume at the
	// checks or the summary).
	pendingTest, pendingRun bool
	// overwrite is the export path the admin agreed to replace.
	overwrite string
	visited   [numSteps]bool
	// confirmed marks the steps the admin has moved on from with enter.
	confirmed [numSteps]bool
	scroll    int
	returnTo  StepID
	snapshot  setup.Setup
	pushOn    StepID // the step where enter was pressed once despite errors

	banner    string
	bannerBad bool
	showHelp  bool
	confirm   bool
	screen    Screen
	quitting  bool
}

// New returns the wizard.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := opts.Setup
	if s.Version == 0 {
		s = setup.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Model{
		opts:     opts,
		ctx:      ctx,
		cancel:   cancel,
		now:      opts.Now,
		log:      log,
		keys:     DefaultKeyMap(),
		styles:   NewStyles(true),
		help:     help.New(),
		spin:     spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:    80,
		height:   24,
		setup:    s,
		saved:    s,
		path:     opts.SetupPath,
		returnTo: -1,
		pushOn:   -1,
		starting: opts.Start != nil,
	}
	if opts.Start != nil {
		m.starter = &starter{start: opts.Start}
	}
	m.help.Styles = m.styles.Help
	m.spin.Style = m.styles.Running
	m.steps = []step{
		&welcomeStep{},
		newAppStep(),
		newSAMLStep(),
		newClaimsStep(),
		newCertStep(),
		&usersStep{},
		newTokenStep(),
		newSCIMStep(),
		&checksStep{},
		&summaryStep{},
	}
	m.run = newCheckRun()
	m.validate()
	return m
}

// Setup returns the setup as it stands.
func (m *Model) Setup() setup.Setup { return m.setup }

// Step returns the current step.
func (m *Model) Step() StepID { return m.cur }

// Report returns the live checks' results so far (nil before a run).
func (m *Model) Report() *checks.Report { return m.run.report() }

// Close stops the wizard's work in progress and the rehearsal it started,
// waiting for a start still under way.
func (m *Model) Close(ctx context.Context) error {
	m.cancel()
	if m.starter == nil {
		return nil
	}
	return m.starter.close(ctx)
}

// Init asks for the terminal's background colour, reads the saved setup
// and starts the rehearsal, all in commands, so the first frame is drawn
// at once.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.steps[m.cur].enter(m, "")}
	m.visited[m.cur] = true
	if m.path != "" {
		cmds = append(cmds, readSetupCmd(m.path))
	} else {
		m.fileOK = false
	}
	if m.opts.Start != nil {
		cmds = append(cmds, m.starter.cmd(m.ctx), m.spin.Tick)
	}
	return tea.Batch(cmds...)
}

// busy reports whether something runs in the background (the spinner turns
// while it does).
func (m *Model) busy() bool {
	return m.starting || m.creating || m.generating || m.testing || m.run.running
}

// validate re-runs the static validation; it is cheap, so every change
// does it.
//
// A typed Secret Token that is the token generated in step 7 (spaces
// around it or not) is that token, not an unknown one: the finding that
// warns about unknown tokens is dropped for it.
func (m *Model) validate() {
	m.findings = setup.Validate(m.setup)
	m.findings = append(m.findings, m.groupFindings()...)
	st := strings.TrimSpace(m.setup.Provisioning.SecretToken)
	if m.token == nil || st != m.token.Secret {
		return
	}
	m.findings = slices.DeleteFunc(m.findings, func(f setup.Finding) bool {
		return f.Field == "provisioning.secret_token" && f.Value == setup.FixedToken
	})
}

// tokenStale reports whether the token generated in step 7 was made with
// another name or role than the form now says: RudderStack can't change a
// token, so the admin must generate a new one.
func (m *Model) tokenStale() bool {
	t := m.token
	return t != nil && (t.Role != m.setup.RudderStack.PAT.Role || t.Name != m.setup.RudderStack.PAT.Name)
}

// findingsFor returns the findings on a field (or under it).
func (m *Model) findingsFor(path string) []setup.Finding {
	var out []setup.Finding
	for _, f := range m.findings {
		if owns([]string{path}, f.Field) {
			out = append(out, f)
		}
	}
	return out
}

// stepFindings returns the findings on the fields a step holds.
func (m *Model) stepFindings(id StepID) []setup.Finding {
	var out []setup.Finding
	for _, f := range m.findings {
		if owns(stepFields[id], f.Field) {
			out = append(out, f)
		}
	}
	return out
}

// dirty reports whether the setup differs from what the file holds.
func (m *Model) dirty() bool { return !sameSetup(m.setup, m.saved) }

func (m *Model) setBanner(text string, bad bool) {
	m.banner, m.bannerBad = text, bad
}

// Update routes messages: results of commands to the state they report
// on, keys to the dialog, the open screen or the current step first, and
// to the frame's own keys last.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width - 2)
		return m, nil
	case tea.BackgroundColorMsg:
		m.styles = NewStyles(msg.IsDark())
		m.help.Styles = m.styles.Help
		m.spin.Style = m.styles.Running
		return m, nil
	case spinner.TickMsg:
		if !m.busy() {
			return m, nil // let the tick chain end
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	if cmd, ok := m.handleResult(msg); ok {
		return m, cmd
	}
	// Anything else (a paste, a screen's own messages) goes to whoever has
	// focus.
	if m.screen != nil {
		var cmd tea.Cmd
		m.screen, cmd = m.screen.Update(msg)
		return m, cmd
	}
	cmd, _ := m.steps[m.cur].update(m, msg)
	m.validate()
	return m, cmd
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.banner != "" {
		m.banner = ""
	}
	if m.confirm {
		switch {
		case key.Matches(msg, k.ConfirmSave):
			m.confirm = false
			m.quitAfter = true
			return m.saveCmd()
		case key.Matches(msg, k.ConfirmYes), msg.String() == "ctrl+c":
			return m.quit()
		case key.Matches(msg, k.ConfirmNo):
			m.confirm = false
		}
		return nil
	}
	if m.showHelp {
		m.showHelp = false
		if msg.String() == "ctrl+c" {
			return m.requestQuit()
		}
		return nil
	}
	editing := m.screen == nil && m.steps[m.cur].editing()
	switch msg.String() {
	case "ctrl+c":
		return m.requestQuit()
	case "f1":
		m.showHelp = true
		return nil
	case "ctrl+s":
		return m.saveCmd()
	}
	if key.Matches(msg, k.Jump) {
		return m.jumpTo(jumpTarget(msg.String()), "")
	}
	if m.screen != nil {
		if key.Matches(msg, k.Back) && msg.String() == "esc" {
			m.screen = nil
			return nil
		}
		if !screenEditing(m.screen) {
			switch {
			case key.Matches(msg, k.Quit):
				return m.requestQuit()
			case key.Matches(msg, k.Help):
				m.showHelp = true
				return nil
			}
		}
		var cmd tea.Cmd
		m.screen, cmd = m.screen.Update(msg)
		return cmd
	}
	if c, ok := m.steps[m.cur].(valueCopier); ok && key.Matches(msg, k.CopyValue) {
		if label, v, ok := c.copyValue(m); ok {
			m.setBanner("Copied the "+label+" to the clipboard (OSC 52).", false)
			return tea.SetClipboard(v)
		}
		return nil
	}
	if key.Matches(msg, k.PageDown, k.PageUp) {
		n := m.page()
		if key.Matches(msg, k.PageUp) {
			n = -n
		}
		if p, ok := m.steps[m.cur].(pagedStep); !ok || !p.pageBy(m, n) {
			m.scrollBy(n)
		}
		return nil
	}
	m.connFresh = false
	if s, ok := m.steps[m.cur].(scrollingStep); !ok || !s.scrolls(m, msg) {
		// Any other key may move the focus: the body follows it again.
		m.scroll = 0
	}
	cmd, handled := m.steps[m.cur].update(m, msg)
	m.validate()
	if handled {
		if m.pushOn == m.cur && !key.Matches(msg, k.Next) {
			m.pushOn = -1
		}
		return cmd
	}
	switch {
	case key.Matches(msg, k.Next):
		return m.next()
	case key.Matches(msg, k.Back):
		return m.back()
	case !editing && key.Matches(msg, k.Quit):
		return m.requestQuit()
	case !editing && key.Matches(msg, k.Help):
		m.showHelp = true
	}
	return nil
}

func jumpTarget(s string) StepID {
	d := s[len(s)-1]
	if d == '0' {
		return StepSummary
	}
	return StepID(d - '1')
}

// requestQuit quits at once when nothing would be lost, and otherwise asks.
func (m *Model) requestQuit() tea.Cmd {
	if m.path != "" && m.fileOK && !m.dirty() {
		return m.quit()
	}
	if m.path == "" && sameSetup(m.setup, m.saved) {
		return m.quit()
	}
	m.confirm = true
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.cancel()
	return tea.Quit
}

// go moves to a step. Leaving a step saves progress when the file may be
// written.
func (m *Model) goTo(id StepID, focus string) tea.Cmd {
	if id < 0 || id >= numSteps {
		return nil
	}
	m.pushOn = -1
	m.screen = nil // a step opened from a screen (alt+number) replaces it
	if m.cur == StepToken && id != StepToken && m.token != nil {
		m.sealed = true
		m.revealed = false
	}
	m.cur = id
	m.scroll = 0
	m.visited[id] = true
	m.reached = max(m.reached, id)
	cmds := []tea.Cmd{m.steps[id].enter(m, focus)}
	// Saved as you go: the values when they changed, and the step reached,
	// so the file exists from the first step on even with the guide's
	// values unchanged.
	if m.path != "" && m.fileOK && m.resume == nil && (m.dirty() || m.reached != m.savedReached) {
		cmds = append(cmds, m.saveCmd())
	}
	return tea.Batch(cmds...)
}

// jumpTo opens a step out of order (from the stepper, a remediation or
// the summary); confirming it returns to where the admin came from, and
// re-runs the checks the change affects.
func (m *Model) jumpTo(id StepID, focus string) tea.Cmd {
	if id == m.cur {
		return nil
	}
	if (m.cur == StepChecks || m.cur == StepSummary) && id < StepChecks {
		m.returnTo = m.cur
		m.snapshot = m.setup
	} else if id >= StepChecks {
		m.returnTo = -1
	}
	return m.goTo(id, focus)
}

// next confirms the current step. A step with a field that is off asks
// for a second enter, so an admin can still rehearse a wrong value on
// purpose.
func (m *Model) next() tea.Cmd {
	if errs := setup.Errors(m.stepFindings(m.cur)); len(errs) > 0 && m.pushOn != m.cur {
		m.pushOn = m.cur
		n := len(errs)
		what := "field is"
		if n > 1 {
			what = "fields are"
		}
		m.setBanner(numberWord(n)+" "+what+" off (✗). Press enter again to continue anyway and see how it fails, or fix it first.", true)
		return nil
	}
	m.confirmed[m.cur] = true
	if m.returnTo >= 0 && m.cur < StepChecks {
		return m.returnFromReopen()
	}
	if m.cur == StepSummary {
		return nil
	}
	if m.cur == StepChecks && m.returnTo == StepSummary {
		m.returnTo = -1
		return m.goTo(StepSummary, "")
	}
	return m.goTo(m.cur+1, "")
}

// back goes to the previous step, whatever state the current one is in.
func (m *Model) back() tea.Cmd {
	if m.returnTo >= 0 && m.cur < StepChecks {
		return m.returnFromReopen()
	}
	if m.cur == StepWelcome {
		return nil
	}
	return m.goTo(m.cur-1, "")
}

// returnFromReopen leaves a step opened from the checks or the summary:
// back where the admin came from when nothing changed, and otherwise to
// the checks, which re-run what the change affects (and then, for the
// summary, back to it on enter).
func (m *Model) returnFromReopen() tea.Cmd {
	back := m.returnTo
	m.returnTo = -1
	if sameSetup(m.snapshot, m.setup) {
		cmd := m.goTo(back, "")
		m.setBanner("Nothing changed; the results stand.", false)
		return cmd
	}
	cmd := m.goTo(StepChecks, "")
	if back == StepSummary {
		m.returnTo = StepSummary
	}
	return cmd
}

// rerun re-runs the checks the changed fields affect, keeping the other
// results.
func (m *Model) rerun(changed []string) tea.Cmd {
	ids := affectedChecks(changed)
	if len(ids) == 0 || m.run.never() {
		return m.startRun(nil)
	}
	m.setBanner("Re-running the checks your change affects: "+joinIDs(ids)+".", false)
	return m.startRun(ids)
}

// handleResult applies a command's result to the state.
func (m *Model) handleResult(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case savedSetupMsg:
		return m.onSavedSetup(msg), true
	case savedMsg:
		if msg.err != nil {
			m.saveErr = msg.err
			m.quitAfter = false
			m.setBanner("Could not save: "+msg.err.Error(), true)
			return nil, true
		}
		m.saveErr = nil
		m.saved = msg.setup
		m.lastSave = msg.at
		if msg.setup.Wizard != nil {
			m.savedReached = StepID(msg.setup.Wizard.Step - 1)
		}
		if m.quitAfter {
			return m.quit(), true
		}
		return nil, true
	case exportedMsg:
		switch {
		case msg.exists:
			m.overwrite = msg.path
			m.setBanner(msg.path+" already exists. Press the same key again to replace it.", true)
		case msg.err != nil:
			m.setBanner("Could not export the "+msg.what+": "+msg.err.Error(), true)
		default:
			// Ours now: exporting again in this session replaces it.
			m.overwrite = msg.path
			text := "Exported the " + msg.what + " to " + msg.path + "."
			if msg.next != "" {
				text += " " + msg.next
			}
			m.setBanner(text, false)
		}
		return nil, true
	case rehearsalReadyMsg:
		m.starting = false
		if msg.err != nil {
			m.rehErr = msg.err
			return nil, true
		}
		m.reh = msg.r
		m.users, m.groups = msg.r.Users(), msg.r.Groups()
		m.validate()
		var cmds []tea.Cmd
		if m.pendingRun {
			m.pendingRun = false
			cmds = append(cmds, m.startRun(nil))
		}
		if m.pendingCreate {
			m.pendingCreate = false
			cmds = append(cmds, m.createApp())
		}
		if len(cmds) > 0 {
			return tea.Batch(cmds...), true
		}
		if m.cur == StepChecks && m.run.never() {
			return m.startRun(nil), true
		}
		return nil, true
	case appCreatedMsg:
		m.creating = false
		if msg.err != nil {
			m.appErr = msg.err
			return nil, true
		}
		m.appErr = nil
		app := msg.app
		m.app = &app
		if m.pendingToken {
			m.pendingToken = false
			return m.generateToken(), true
		}
		return nil, true
	case tokenMsg:
		m.generating = false
		if msg.err != nil {
			m.tokenErr = msg.err
			return nil, true
		}
		m.tokenErr = nil
		t := msg.token
		m.token = &t
		m.validate()
		m.revealed = false
		// A token made again on resume stands for the one the admin
		// already holds: it is never shown.
		m.sealed = m.resumedToken
		m.resumedToken = false
		if m.pendingTest {
			m.pendingTest = false
			return m.testConnection(), true
		}
		if m.cur == StepToken {
			// v and c are letters: take the cursor out of the name.
			m.steps[StepToken].(*tokenStep).form.release()
		}
		return nil, true
	case connectionMsg:
		m.testing = false
		if msg.err != nil {
			m.connErr = msg.err
			m.conn = nil
			return nil, true
		}
		m.connErr = nil
		c := msg.conn
		m.conn = &c
		m.connFresh = !c.OK
		return nil, true
	case checkEventMsg:
		if msg.run != m.run.id {
			return nil, true
		}
		m.run.apply(msg.event)
		return waitCmd(msg.next), true
	case checksDoneMsg:
		if msg.run != m.run.id {
			return nil, true
		}
		partial := m.run.partial
		m.run.finish(msg.report, msg.err)
		if partial && msg.err == nil {
			m.setBanner("Re-ran the checks your change affects; the others (marked earlier) keep their results.", false)
		}
		if m.cur == StepChecks {
			m.steps[StepChecks].(*checksStep).selectFirstProblem(m)
		}
		return nil, true
	}
	return nil, false
}

func (m *Model) onSavedSetup(msg savedSetupMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		// A file we can't read is never overwritten: it may hold work.
		m.fileOK = false
		m.saveErr = msg.err
	case !msg.found:
		m.fileOK = true
	default:
		m.fileOK = true
		r := msg
		m.resume = &r
	}
	return nil
}

// resumeSaved takes the saved setup and goes back to the step the admin
// had reached. The rehearsal is new, so what earlier steps made in it (the
// app, the token) is made again in the background, as it was: the steps
// before read as done, as the summary says they are.
func (m *Model) resumeSaved() tea.Cmd {
	if m.resume == nil {
		return nil
	}
	s := m.resume.setup
	target := StepApp
	if s.Wizard != nil && s.Wizard.Step > 1 {
		target = min(StepID(s.Wizard.Step-1), StepSummary)
	}
	s.Wizard = nil
	m.setup, m.saved = s, s
	m.savedReached = target
	m.resume = nil
	m.validate()
	for id := StepApp; id < target; id++ {
		m.visited[id] = true
		m.confirmed[id] = true
	}
	var cmds []tea.Cmd
	if target > StepApp {
		if target > StepToken {
			m.pendingToken, m.resumedToken = true, true
			m.pendingTest = target > StepSCIM
		}
		cmds = append(cmds, m.createApp())
	}
	cmds = append(cmds, m.goTo(target, ""))
	if target == StepSummary {
		// The summary shows the checks' results: run them, as step 9
		// would have.
		if m.reh != nil {
			cmds = append(cmds, m.startRun(nil))
		} else {
			m.pendingRun = true
		}
	}
	return tea.Batch(cmds...)
}

// startOver drops the saved setup for the guide's values; the file is
// replaced at the next save.
func (m *Model) startOver() tea.Cmd {
	if m.resume == nil {
		return nil
	}
	m.saved = m.resume.setup
	m.resume = nil
	m.setup = setup.Default()
	m.validate()
	return m.goTo(StepApp, "")
}

// createApp creates the app in the rehearsal tenant, or waits for the
// rehearsal to be ready.
func (m *Model) createApp() tea.Cmd {
	if m.creating {
		return nil
	}
	if m.reh == nil {
		if m.rehErr == nil && m.starting {
			m.pendingCreate = true
		}
		return nil
	}
	m.creating = true
	m.appErr = nil
	return tea.Batch(createAppCmd(m.ctx, m.reh, m.setup), m.spin.Tick)
}

func (m *Model) generateToken() tea.Cmd {
	if m.generating || m.reh == nil {
		return nil
	}
	m.generating = true
	m.tokenErr = nil
	return tea.Batch(generateCmd(m.ctx, m.reh, m.setup), m.spin.Tick)
}

func (m *Model) testConnection() tea.Cmd {
	if m.testing || m.reh == nil {
		return nil
	}
	m.testing = true
	m.connErr = nil
	secret := ""
	if m.token != nil {
		secret = m.token.Secret
	}
	return tea.Batch(testConnectionCmd(m.ctx, m.reh, m.setup, secret), m.spin.Tick)
}

// startRun runs the checks named by only (all when nil).
func (m *Model) startRun(only []string) tea.Cmd {
	if m.reh == nil {
		return nil
	}
	id, ctx := m.run.start(m.ctx, only, m.setup)
	return tea.Batch(runCmd(ctx, m.reh, m.setup, only, id), m.spin.Tick)
}
