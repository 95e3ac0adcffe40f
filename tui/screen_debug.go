package tui

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// DebugOptions configure the Debugging screen.
type DebugOptions struct {
	// Analysis tunes the HAR analysis. The zero value expects RudderStack's
	// own values (the guide's entity ID, Reply URL and /sso): they are what
	// its SP sends whatever the setup says, so comparing a HAR with the
	// setup's values instead would hide the very mistakes it shows.
	Analysis har.Options
	// Logger receives diagnostics (never a HAR's content); nil discards
	// them.
	Logger *slog.Logger
}

// examplePath is where a browser saves the HAR of a RudderStack sign-in.
const examplePath = "~/Downloads/app.rudderstack.com.har"

// DebugScreen is the Debugging screen, opened from the summary: it analyses
// a HAR file of a sign-in at a path the admin types (internal/har), shows
// the outcome, each problem with its evidence and remedy, and the flow's
// timeline, and tells how to capture a HAR (the guide's "Debugging"
// section). The HAR files the last check run recorded are offered, so an
// admin can see what a diagnosis looks like on a rehearsal.
//
// The path field has focus until a file is analysed; then letter keys act
// on the screen (e another file, h how to capture) until e goes back.
type DebugScreen struct {
	opts  DebugOptions
	log   *slog.Logger
	keys  KeyMap
	input textinput.Model
	spin  spinner.Model

	setup setup.Setup
	// hars are the last check run's HAR files, failing checks first; tab
	// fills in the next one.
	hars    []checkHAR
	nextHAR int
	picked  *checkHAR // the check HAR the path field holds, if any

	// The analysis under way: its number (results of older ones are
	// dropped), how to cancel it, and the path as typed.
	run     int
	cancel  context.CancelFunc
	running bool
	pending string

	// The last analysis: the path as typed, the check it came from, the
	// report, or why the path could not be analysed.
	path   string
	from   *checkHAR
	report *har.Report
	err    error

	howTo  bool // the how-to instead of the report
	scroll int
	// maxScroll and page are measured by the last View (the screen learns
	// its size only there), to bound scrolling.
	maxScroll, page int
}

// checkHAR is a HAR file a check of the last run recorded.
type checkHAR struct {
	number int
	title  string
	status checks.Status
	path   string
}

// debugAnalyzedMsg reports an analysis of a HAR file.
type debugAnalyzedMsg struct {
	run         int
	typed, path string
	report      *har.Report
	err         error
}

// debugTickMsg turns the Debugging screen's spinner: the wizard keeps
// spinner.TickMsg for its own spinner, so the screen's ticks travel in
// this wrapper.
type debugTickMsg struct{ spinner.TickMsg }

// NewDebugScreen returns the Debugging screen, for Options.Screens.
func NewDebugScreen(opts DebugOptions) *DebugScreen {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 4096
	in.Placeholder = "e.g. " + examplePath
	// No blinking: a frame should depend only on what was typed.
	ist := in.Styles()
	ist.Cursor.Blink = false
	in.SetStyles(ist)
	return &DebugScreen{
		opts:  opts,
		log:   log,
		keys:  DefaultKeyMap(),
		input: in,
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
	}
}

// Key opens the screen from the summary.
func (s *DebugScreen) Key() key.Binding { return s.keys.Debugging }

// Title heads the screen.
func (s *DebugScreen) Title() string { return "Debugging" }

// Editing reports whether the path field has focus (so q and ? are typed
// into it).
func (s *DebugScreen) Editing() bool { return s.input.Focused() }

// Open keeps what the screen showed last and takes the last check run's
// HAR files. An analysis still under way when the screen was closed is
// started again: its result went to the summary, which drops it.
func (s *DebugScreen) Open(st setup.Setup, report *checks.Report) tea.Cmd {
	s.setup = st
	s.hars = checkHARs(report)
	s.nextHAR = 0
	if s.running {
		return s.analyze(s.pending)
	}
	if s.report == nil {
		return s.input.Focus()
	}
	return nil
}

// checkHARs lists the HAR files of a check report, failing checks first.
func checkHARs(rep *checks.Report) []checkHAR {
	if rep == nil {
		return nil
	}
	var failed, others []checkHAR
	for _, r := range rep.Results {
		if r.HAR == "" {
			continue
		}
		h := checkHAR{number: r.Number, title: r.Title, status: r.Status, path: r.HAR}
		if r.Status == checks.Fail {
			failed = append(failed, h)
		} else {
			others = append(others, h)
		}
	}
	return append(failed, others...)
}

// Update handles keys, pastes, the analysis' result and the spinner.
func (s *DebugScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case debugTickMsg:
		if !s.running {
			return s, nil // let the tick chain end
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg.TickMsg)
		return s, wrapDebugTick(cmd)
	case debugAnalyzedMsg:
		s.analyzed(msg)
		if s.err != nil {
			return s, s.input.Focus()
		}
		return s, nil
	case tea.KeyPressMsg:
		return s, s.key(msg)
	case tea.PasteMsg:
		// A pasted (or dropped) path replaces the one analysed.
		var cmd tea.Cmd
		if !s.input.Focused() {
			s.input.SetValue("")
			cmd = s.input.Focus()
		}
		return s, tea.Batch(cmd, s.edit(msg))
	}
	if s.input.Focused() {
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		return s, cmd
	}
	return s, nil
}

func (s *DebugScreen) key(kp tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	focused := s.input.Focused()
	switch {
	case kp.String() == "enter":
		return s.analyze(s.input.Value())
	case key.Matches(kp, k.CheckHAR):
		return s.fillCheckHAR()
	case kp.String() == "up" || (!focused && key.Matches(kp, k.Up)):
		s.scrollBy(-1)
		return nil
	case kp.String() == "down" || (!focused && key.Matches(kp, k.Down)):
		s.scrollBy(1)
		return nil
	case kp.String() == "pgup":
		s.scrollBy(-max(s.page-1, 1))
		return nil
	case kp.String() == "pgdown":
		s.scrollBy(max(s.page-1, 1))
		return nil
	}
	if focused {
		if inputUses(s.input.KeyMap, kp) {
			return s.edit(kp)
		}
		return nil
	}
	switch {
	case key.Matches(kp, k.EditPath):
		s.input.CursorEnd()
		return s.input.Focus()
	case key.Matches(kp, k.HowTo):
		s.howTo = !s.howTo
		s.scroll = 0
	case kp.String() == "home":
		s.scroll = 0
	case kp.String() == "end":
		s.scroll = s.maxScroll
	}
	return nil
}

// edit passes a message to the path field; a changed path clears the
// error about the old one.
func (s *DebugScreen) edit(msg tea.Msg) tea.Cmd {
	before := s.input.Value()
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	if s.input.Value() != before {
		s.err = nil
		if s.picked != nil && s.picked.path != s.input.Value() {
			s.picked = nil
		}
	}
	return cmd
}

func (s *DebugScreen) scrollBy(n int) {
	s.scroll = min(max(s.scroll+n, 0), s.maxScroll)
}

// fillCheckHAR puts the next HAR of the last check run in the path field.
func (s *DebugScreen) fillCheckHAR() tea.Cmd {
	if len(s.hars) == 0 {
		return nil
	}
	h := s.hars[s.nextHAR%len(s.hars)]
	s.nextHAR++
	s.picked = &h
	s.err = nil
	s.input.SetValue(h.path)
	s.input.CursorEnd()
	return s.input.Focus()
}

// analyze starts the analysis of the typed path in a command.
func (s *DebugScreen) analyze(typed string) tea.Cmd {
	if strings.TrimSpace(typed) == "" {
		s.err = &harPathError{msg: "Type the path of a HAR file first, e.g. " + examplePath + "."}
		return s.input.Focus()
	}
	if s.cancel != nil {
		s.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.run++
	s.running = true
	s.pending = typed
	s.err = nil
	s.input.Blur()
	return tea.Batch(analyzeHARCmd(ctx, s.run, typed, s.opts.Analysis), wrapDebugTick(s.spin.Tick))
}

// analyzed takes an analysis' result.
func (s *DebugScreen) analyzed(msg debugAnalyzedMsg) {
	if msg.run != s.run {
		return // an older analysis, replaced by this one
	}
	s.running = false
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if msg.err != nil {
		s.err = msg.err
		s.report, s.path, s.from = nil, "", nil
		s.log.Debug("HAR analysis failed", "path", msg.path, "err", msg.err)
		return
	}
	s.report, s.path, s.err = msg.report, msg.typed, nil
	s.from = nil
	if s.picked != nil && s.picked.path == msg.typed {
		p := *s.picked
		s.from = &p
	}
	s.howTo = false
	s.scroll = 0
	s.log.Debug("HAR analysed", "path", msg.path, "flows", len(msg.report.Flows), "problems", len(msg.report.Diagnoses))
}

// analyzeHARCmd resolves the typed path and analyses the file.
func analyzeHARCmd(ctx context.Context, run int, typed string, opts har.Options) tea.Cmd {
	return func() tea.Msg {
		path, err := resolveHARPath(typed)
		if err != nil {
			return debugAnalyzedMsg{run: run, typed: typed, path: path, err: err}
		}
		rep, err := har.AnalyzeFile(ctx, path, nil, opts)
		if err != nil {
			err = explainAnalyzeError(path, err)
		}
		return debugAnalyzedMsg{run: run, typed: typed, path: path, report: rep, err: err}
	}
}

// wrapDebugTick turns the spinner's tick into the screen's own message.
func wrapDebugTick(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		if t, ok := msg.(spinner.TickMsg); ok {
			return debugTickMsg{t}
		}
		return msg
	}
}

// Help lists the screen's keys for the help line, the most useful first.
func (s *DebugScreen) Help() []key.Binding {
	k := s.keys
	var out []key.Binding
	switch {
	case s.input.Focused():
		out = append(out, nextKey("analyse"))
	case s.report != nil:
		howTo := k.HowTo
		if s.howTo {
			howTo.SetHelp("h", "report")
		}
		out = append(out, nextKey("re-analyse"), k.EditPath, howTo)
	default:
		out = append(out, k.EditPath)
	}
	out = append(out, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "summary")))
	if len(s.hars) > 0 {
		out = append(out, k.CheckHAR)
	}
	return append(out, k.Scroll)
}

// View renders the path field and a status line, then the report or the
// how-to, scrolled, in exactly height lines at most.
func (s *DebugScreen) View(st *Styles, width, height int) string {
	s.spin.Style = st.Running
	head := []string{s.inputView(st, width)}
	head = append(head, s.statusView(st, width)...)
	head = append(head, "")
	var body []string
	if s.howTo || s.report == nil {
		body = s.howToView(st, width)
	} else {
		body = s.reportView(st, width)
	}
	avail := height - len(head)
	if avail < 2 {
		// Too short for a body: the path field and status come first.
		if len(head) > height {
			head = head[:max(height, 0)]
		}
		s.maxScroll, s.page = 0, 1
		return strings.Join(head, "\n")
	}
	s.page = avail
	s.maxScroll = 0
	if len(body) > avail {
		s.maxScroll = len(body) - (avail - 1)
	}
	s.scroll = min(s.scroll, s.maxScroll)
	return strings.Join(head, "\n") + "\n" + clip(strings.Join(body, "\n"), avail, s.scroll, -1, st)
}

func (s *DebugScreen) inputView(st *Styles, width int) string {
	label := "HAR file  "
	w := max(width-lipgloss.Width(label), 4)
	if s.input.Focused() {
		s.input.SetWidth(max(w-1, 1))
		ist := s.input.Styles()
		ist.Focused.Text = st.InputText
		ist.Focused.Placeholder = st.InputPlaceholder
		ist.Cursor.Color = st.Cursor.GetForeground()
		s.input.SetStyles(ist)
		return st.LabelFocused.Render(label) + s.input.View()
	}
	v := s.input.Value()
	if v == "" {
		return st.Label.Render(label) + st.InputPlaceholder.Render(truncate("(none yet)", w))
	}
	return st.Label.Render(label) + st.InputText.Render(truncate(v, w))
}

// statusView is the line under the path: the analysis running, why the
// path could not be analysed, what enter will do, or the outcome.
func (s *DebugScreen) statusView(st *Styles, width int) []string {
	muted := func(text string) []string {
		var out []string
		for _, l := range wrapLines(text, width) {
			out = append(out, st.Muted.Render(l))
		}
		return out
	}
	switch {
	case s.running:
		return []string{s.spin.View() + " " + truncate("Analysing "+s.pending+"…", width-2)}
	case s.err != nil:
		var out []string
		for i, l := range wrapLines(s.err.Error(), width-2) {
			if i == 0 {
				out = append(out, st.Bad.Render("✗ ")+st.Reason.Render(l))
			} else {
				out = append(out, "  "+st.Reason.Render(l))
			}
		}
		return out
	case s.input.Focused() && s.picked != nil:
		return muted(fmt.Sprintf("The HAR of check %d, %s (%s). Press enter to analyse it.", s.picked.number, s.picked.title, statusWord(s.picked.status)))
	case s.input.Focused():
		text := "Type or paste the path of a .har file (~ works), then press enter."
		if len(s.hars) > 0 {
			text += " Tab fills in a HAR of the last check run."
		}
		return muted(text)
	case s.report != nil:
		return outcomeLines(st, s.report, width)
	}
	return nil
}

func statusWord(st checks.Status) string {
	switch st {
	case checks.Pass:
		return "passed"
	case checks.Fail:
		return "failed"
	case checks.Warn:
		return "passed with a warning"
	}
	return "skipped"
}

// outcomeLines say whether the file shows a problem, and how its sign-in
// attempts ended.
func outcomeLines(st *Styles, rep *har.Report, width int) []string {
	n := len(rep.Diagnoses)
	icon, text := st.OK.Render("✓ "), "No problem found"
	if rep.Problem {
		icon = st.Bad.Render("✗ ")
		text = "1 problem found"
		if n != 1 {
			text = fmt.Sprintf("%d problems found", n)
		}
	}
	text += ": " + flowsText(rep.Flows) + "."
	lines := wrapLines(text, width-2)
	for i := range lines {
		if i == 0 {
			lines[i] = icon + st.Strong.Render(lines[i])
		} else {
			lines[i] = "  " + st.Strong.Render(lines[i])
		}
	}
	return lines
}

func flowsText(flows []har.Flow) string {
	switch len(flows) {
	case 0:
		return "no SSO sign-in in the file"
	case 1:
		return "1 sign-in attempt, " + outcomeWord(flows[0].Outcome)
	}
	counts := map[string]int{}
	var order []string
	for _, f := range flows {
		if counts[f.Outcome] == 0 {
			order = append(order, f.Outcome)
		}
		counts[f.Outcome]++
	}
	parts := make([]string, len(order))
	for i, o := range order {
		parts[i] = fmt.Sprintf("%d %s", counts[o], outcomeWord(o))
	}
	return fmt.Sprintf("%d sign-in attempts (%s)", len(flows), strings.Join(parts, ", "))
}

func outcomeWord(o string) string {
	switch o {
	case har.OutcomeSignedIn:
		return "signed in"
	case har.OutcomeIncomplete:
		return "incomplete"
	}
	return o
}

// lines collects a body's lines, wrapping text with a hanging indent.
type lines []string

func (b *lines) add(l string) { *b = append(*b, l) }

// text wraps s to width after first (the first line's prefix, already
// styled), indenting the following lines by pad cells.
func (b *lines) text(first string, pad int, sty lipgloss.Style, s string, width int) {
	w := max(width-pad, 8)
	for i, l := range wrapLines(s, w) {
		if i == 0 {
			b.add(first + sty.Render(l))
		} else {
			b.add(strings.Repeat(" ", pad) + sty.Render(l))
		}
	}
}

// howToView tells how to capture a HAR of a failing sign-in, then lists
// the HAR files of the last check run when there are some.
func (s *DebugScreen) howToView(st *Styles, width int) []string {
	var b lines
	start := s.opts.Analysis.StartURL
	if start == "" {
		start = har.DefaultStartURL
	}
	b.add(st.Strong.Render(truncate("How to capture a HAR of the failing sign-in", width)))
	steps := []string{
		"Open a private (incognito) window, so no earlier session gets in the way.",
		"Open the developer tools (F12) on the Network tab; turn on Preserve log (Firefox: Persist Logs), as the sign-in crosses three sites.",
		"Go to " + start + " and sign in: start there, not at Entra or the My Apps tile.",
		"Stop at the error: the capture should end on the page that shows it.",
		"Export the HAR (Chrome, Edge: Export HAR, sanitized is enough; Firefox: right-click › Save All As HAR; Safari: Export).",
		"Type its path above. Redact it before sending it to RudderStack (`ssowiz har redact FILE -o OUT`): it holds the password, cookies and the SAML assertion.",
	}
	for i, text := range steps {
		num := fmt.Sprintf("%2d. ", i+1)
		b.text(st.Muted.Render(num), len(num), st.Text, text, width)
	}
	if len(s.hars) > 0 {
		b.add("")
		b.add(st.Strong.Render("HAR files of the last check run") + st.Muted.Render(truncate(" (tab fills one in)", max(width-31, 0))))
		titleW := 0
		for _, h := range s.hars {
			titleW = max(titleW, lipgloss.Width(fmt.Sprintf("%d %s", h.number, h.title)))
		}
		titleW = min(titleW, max(width/2, 12))
		for _, h := range s.hars {
			title := padRight(truncate(fmt.Sprintf("%d %s", h.number, h.title), titleW), titleW)
			rest := max(width-titleW-6, 4)
			b.add("  " + statusIcon(st, h.status) + " " + title + "  " + st.Muted.Render(truncate(h.path, rest)))
		}
	}
	return b
}

// reportView is the analysis: each problem with its evidence and remedy,
// then each sign-in attempt's timeline in short.
func (s *DebugScreen) reportView(st *Styles, width int) []string {
	rep := s.report
	var b lines
	if s.from != nil {
		note := fmt.Sprintf("This is the HAR of check %d, %s, which %s.", s.from.number, s.from.title, statusWord(s.from.status))
		if s.from.status != checks.Fail && rep.Problem {
			note += " It passes when the sign-in is refused this way: the problem below is the rehearsal's, on purpose."
		}
		b.text("", 0, st.Muted, note, width)
		b.add("")
	}
	if !rep.Problem && len(rep.Flows) > 0 {
		b.text("", 0, st.Muted, "Nothing to fix in this capture. If someone still cannot sign in, capture a HAR of their attempt (h shows how).", width)
		b.add("")
	}
	steps := map[int]har.Step{}
	for _, fl := range rep.Flows {
		for _, stp := range fl.Steps {
			steps[stp.Entry] = stp
		}
	}
	for _, d := range rep.Diagnoses {
		title := d.Title
		if len(rep.Flows) > 1 && d.Flow > 0 {
			title = fmt.Sprintf("Flow %d: %s", d.Flow, title)
		}
		b.text(st.Bad.Render("✗ "), 2, st.Strong, title, width)
		if d.Detail != "" {
			b.text("  ", 2, st.Text, d.Detail, width)
		}
		for i, e := range d.Entries {
			lead := "  Seen in "
			if i > 0 {
				lead = "     and "
			}
			ev := fmt.Sprintf("entry #%d", e)
			if stp, ok := steps[e]; ok {
				ev = fmt.Sprintf("#%d %s %s %s", e, stp.Method, statusText(stp.Status), shortURL(stp.URL))
			}
			b.add(st.Muted.Render(truncate(lead+ev, width)))
		}
		where, what := splitRemedy(d.Remediation)
		if where != "" {
			b.text("  "+st.Reason.Render("→ "), 4, st.Reason, where, width)
			b.text("    ", 4, st.Text, upperFirst(what), width)
		} else {
			b.text("  "+st.Reason.Render("→ "), 4, st.Text, what, width)
		}
		if hint := wizardHint(d, s.setup); hint != "" {
			b.text("    ", 4, st.Code, hint, width)
		}
		b.add("")
	}
	for _, fl := range rep.Flows {
		s.timeline(&b, st, fl, width)
		b.add("")
	}
	for _, n := range rep.Notes {
		b.text(st.Muted.Render("· "), 2, st.Muted, upperFirst(n), width)
	}
	f := rep.File
	creator := f.Creator
	if f.Browser != "" && f.Browser != f.Creator {
		creator += ", " + f.Browser
	}
	b.text("", 0, st.Muted, fmt.Sprintf("HAR %s from %s: %s, %s. `ssowiz har analyze` prints the SAML messages in full; h shows how to capture a HAR.",
		f.Version, orDash(creator), plural.Of(f.Entries, "entry", "entries"), plural.Count(f.Pages, "page")), width)
	return b
}

// timeline is one sign-in attempt, a line a step: when, what it did in the
// flow, the request and the errors it showed.
func (s *DebugScreen) timeline(b *lines, st *Styles, fl har.Flow, width int) {
	head := fmt.Sprintf("Flow %d: %s", fl.Index, outcomeWord(fl.Outcome))
	b.add(st.Strong.Render(truncate(head, width)))
	kindsW := 0
	for _, stp := range fl.Steps {
		kindsW = max(kindsW, len(strings.Join(stp.Kinds, "+")))
	}
	kindsW = min(kindsW, max(width/4+1, 8))
	offs := make([]string, len(fl.Steps))
	offW := 0
	for i, stp := range fl.Steps {
		offs[i] = fmt.Sprintf("%+.1fs", float64(stp.OffsetMS)/1000)
		offW = max(offW, len(offs[i]))
	}
	for i, stp := range fl.Steps {
		off := fmt.Sprintf("%*s", offW, offs[i])
		line := "  " + st.Muted.Render(off) + "  " + padRight(truncate(strings.Join(stp.Kinds, "+"), kindsW), kindsW) +
			" " + padRight(stp.Method, 4) + " " + statusText(stp.Status) + " "
		rest := width - lipgloss.Width(line)
		b.add(truncate(line+st.Muted.Render(truncate(shortURL(stp.URL), max(rest, 1))), width))
		for _, e := range stp.Errors {
			b.add(strings.Repeat(" ", 4+offW) + st.Reason.Render(truncate("! "+e, max(width-4-offW, 4))))
		}
	}
}

func statusText(code int) string {
	if code <= 0 {
		return "---"
	}
	return fmt.Sprintf("%3d", code)
}

// guidSegment matches a path segment that is a GUID (a tenant ID).
var guidSegment = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// shortURL is a URL without its scheme and query, with the tenant's GUID
// (and other long path segments) elided, to fit a timeline's line.
func shortURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	segs := strings.Split(u.EscapedPath(), "/")
	for i, sg := range segs {
		if guidSegment.MatchString(sg) || len(sg) > 24 {
			segs[i] = "…"
		}
	}
	return u.Host + strings.Join(segs, "/")
}

// splitRemedy splits a remediation of the form "Microsoft Entra admin
// center → … → Field: what to do" into where the field is (in the
// wizard's › notation) and what to do; others come back whole as what.
func splitRemedy(r string) (where, what string) {
	const entra = "Microsoft Entra admin center → "
	if !strings.HasPrefix(r, entra) {
		return "", r
	}
	i := strings.Index(r, ": ")
	if i < 0 || strings.Contains(r[:i], ". ") {
		return "", r
	}
	where = "Entra admin center › " + strings.ReplaceAll(r[len(entra):i], " → ", " › ")
	return where, r[i+2:]
}

// wizardHint names the wizard step that holds what a diagnosis blames,
// with the value the setup has now, so the admin can change it there and
// rehearse again.
func wizardHint(d har.Diagnosis, s setup.Setup) string {
	field := blamedField(d)
	if field == "" {
		return ""
	}
	id := stepFor(field)
	if id < 0 {
		return ""
	}
	hint := fmt.Sprintf("In this wizard: step %d, %s (esc, then %d)", id.Number(), stepTitle(id), id.Number())
	switch field {
	case "saml.reply_url":
		hint += fmt.Sprintf("; the Reply URL there is %q", s.SAML.ReplyURL)
	case "saml.identifier":
		hint += fmt.Sprintf("; the Identifier there is %q", s.SAML.Identifier)
	case "saml.sign_on_url":
		hint += fmt.Sprintf("; the Sign on URL there is %q", s.SAML.SignOnURL)
	case "saml.relay_state":
		hint += fmt.Sprintf("; the Relay State there is %q", s.SAML.RelayState)
	}
	return hint + "."
}

// blamedField is the setup field a diagnosis blames, or "".
func blamedField(d har.Diagnosis) string {
	switch d.ID {
	case har.DiagReplyURL:
		return "saml.reply_url"
	case har.DiagAudience:
		return "saml.identifier"
	case har.DiagMissingAttribute:
		return "claims"
	case har.DiagIdPInitiated, har.DiagNotAtSSO:
		return "saml.sign_on_url"
	case har.DiagRelayState:
		return "saml.relay_state"
	case har.DiagCertificate:
		return "saml.signing_option"
	case har.DiagAADSTS:
		switch d.Code {
		case "AADSTS50011", "AADSTS900971":
			return "saml.reply_url"
		case "AADSTS700016":
			return "saml.identifier"
		case "AADSTS750054":
			return "saml.sign_on_url"
		case "AADSTS50105":
			return "users"
		case "AADSTS501241":
			return "claims"
		case "AADSTS50003", "AADSTS50146":
			return "saml.signing_option"
		}
	case har.DiagCognito:
		switch c := d.Code; {
		case strings.Contains(c, "Invalid user attributes"), strings.Contains(c, "NameID"):
			return "claims"
		case strings.Contains(c, "udience"):
			return "saml.identifier"
		case strings.Contains(c, "Destination or Recipient"), strings.Contains(c, "error was encountered with the requested page"):
			return "saml.reply_url"
		case strings.Contains(c, "signature is invalid"):
			return "saml.signing_option"
		}
	}
	return ""
}

// stepTitle is a step's title; the steps' titles depend on no state.
func stepTitle(id StepID) string {
	switch id {
	case StepSAML:
		return (*samlStep)(nil).title()
	case StepClaims:
		return (*claimsStep)(nil).title()
	case StepCertificate:
		return (*certStep)(nil).title()
	case StepUsers:
		return (*usersStep)(nil).title()
	}
	return fmt.Sprintf("step %d", id.Number())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
