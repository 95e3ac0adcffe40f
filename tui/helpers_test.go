package tui

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// testKey is one RSA key for every signing certificate the tests make.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// wizardNow is the wizard's frozen clock in tests.
var wizardNow = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return wizardNow }

// startNormalized is an Options.Start for tests: the real rehearsal
// (internal/checks' Env, its clock frozen at the test's start), behind
// normalized, so frames hold the same IDs, durations and dates on every
// run.
func startNormalized(t testing.TB) func(context.Context) (Rehearsal, error) {
	frozen := time.Now().UTC().Truncate(time.Second)
	start := StartEnv(EnvOptions{
		Checks: checks.Options{NewKey: testKey, Now: func() time.Time { return frozen }},
		HARDir: t.TempDir(),
	})
	return func(ctx context.Context) (Rehearsal, error) {
		r, err := start(ctx)
		if err != nil {
			return nil, err
		}
		return &normalized{Rehearsal: r, ids: map[string]string{}, secrets: map[string]string{}}, nil
	}
}

var (
	guidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	datePattern = regexp.MustCompile(`\b20\d\d-\d\d-\d\d\b`)
	// hintPattern is a token's hint as RudderStack lists it.
	hintPattern = regexp.MustCompile(`rspat_[A-Za-z0-9_-]{4}…[A-Za-z0-9_-]{4}`)
)

// normalized passes everything to the real rehearsal and rewrites what
// differs between runs in what comes back: GUIDs become numbered ones in
// order of appearance, the thumbprint, the token, durations and the HAR
// directory fixed values. The values sent in are the real ones.
type normalized struct {
	Rehearsal
	mu      sync.Mutex
	ids     map[string]string
	secrets map[string]string // normalized token → real one
}

const normalizedHARDir = "/tmp/ssowiz-har"

func (n *normalized) norm(s string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	s = guidPattern.ReplaceAllStringFunc(s, func(id string) string {
		id = strings.ToLower(id)
		if v, ok := n.ids[id]; ok {
			return v
		}
		v := fmt.Sprintf("00000000-0000-4000-8000-%012d", len(n.ids)+1)
		n.ids[id] = v
		return v
	})
	// Dates follow the mocks' clock, which is today's.
	s = datePattern.ReplaceAllString(s, wizardNow.AddDate(3, 0, 0).Format(time.DateOnly))
	s = hintPattern.ReplaceAllString(s, "rspat_HINT…HINT")
	if dir := n.Rehearsal.HARDir(); dir != "" {
		s = strings.ReplaceAll(s, dir, normalizedHARDir)
	}
	return s
}

func (n *normalized) HARDir() string { return normalizedHARDir }

func (n *normalized) CreateApp(ctx context.Context, s setup.Setup) (App, error) {
	a, err := n.Rehearsal.CreateApp(ctx, s)
	if err != nil {
		return a, err
	}
	a.TenantID, a.AppID, a.ObjectID = n.norm(a.TenantID), n.norm(a.AppID), n.norm(a.ObjectID)
	a.MetadataURL, a.LoginURL, a.EntraIdentifier = n.norm(a.MetadataURL), n.norm(a.LoginURL), n.norm(a.EntraIdentifier)
	a.Certificate = Certificate{Thumbprint: "0123456789ABCDEF0123456789ABCDEF01234567", NotAfter: wizardNow.AddDate(3, 0, 0)}
	return a, nil
}

func (n *normalized) GeneratePAT(ctx context.Context, s setup.Setup) (Token, error) {
	t, err := n.Rehearsal.GeneratePAT(ctx, s)
	if err != nil {
		return t, err
	}
	fake := "rs_pat_NORMALIZED" + fmt.Sprint(len(n.secrets)+1)
	n.mu.Lock()
	n.secrets[fake] = t.Secret
	n.mu.Unlock()
	t.Secret, t.Hint, t.Created = fake, "rs_pat_…", wizardNow
	return t, nil
}

// real turns the normalized tokens in s (a token, spaces typed around it
// or not) back into the real ones.
func (n *normalized) real(s string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for fake, real := range n.secrets {
		s = strings.ReplaceAll(s, fake, real)
	}
	return s
}

// realSetup is s with its Secret Token made real.
func (n *normalized) realSetup(s setup.Setup) setup.Setup {
	s.Provisioning.SecretToken = n.real(s.Provisioning.SecretToken)
	return s
}

func (n *normalized) TestConnection(ctx context.Context, s setup.Setup, token string) (Connection, error) {
	c, err := n.Rehearsal.TestConnection(ctx, n.realSetup(s), n.real(token))
	c.Message, c.Request, c.Remedy = n.norm(c.Message), n.norm(c.Request), n.norm(c.Remedy)
	c.Duration = 42 * time.Millisecond
	return c, err
}

func (n *normalized) result(r *checks.Result) {
	r.Duration = time.Duration(r.Number) * time.Millisecond
	r.Summary = n.norm(r.Summary)
	for i := range r.Details {
		r.Details[i] = n.norm(r.Details[i])
	}
	for i := range r.Remediations {
		rem := &r.Remediations[i]
		rem.Value, rem.Problem, rem.Fix, rem.Screen = n.norm(rem.Value), n.norm(rem.Problem), n.norm(rem.Fix), n.norm(rem.Screen)
	}
	r.HAR = n.norm(r.HAR)
}

func (n *normalized) Run(ctx context.Context, s setup.Setup, only []string, progress func(checks.Event)) (*checks.Report, error) {
	rep, err := n.Rehearsal.Run(ctx, n.realSetup(s), only, func(e checks.Event) {
		if e.Result != nil {
			r := *e.Result
			r.Details = append([]string(nil), r.Details...)
			r.Remediations = append([]checks.Remediation(nil), r.Remediations...)
			n.result(&r)
			e.Result = &r
		}
		e.Message = n.norm(e.Message)
		progress(e)
	})
	if rep != nil {
		for i := range rep.Results {
			n.result(&rep.Results[i])
		}
		rep.Duration = time.Second
	}
	return rep, err
}

// recorder wraps the wizard to keep the last frame it drew, so a test can
// wait for a frame and snapshot exactly that frame, whatever the renderer
// wrote to the terminal in between.
type recorder struct {
	*Model
	mu     sync.Mutex
	frame  string
	frames int
}

func (r *recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.Model.Update(msg)
	return r, cmd
}

func (r *recorder) View() tea.View {
	v := r.Model.View()
	r.mu.Lock()
	r.frame = v.Content
	r.frames++
	r.mu.Unlock()
	return v
}

// frameReader is an io.Reader over a recorder's frames for
// teatest.WaitFor: each Read returns the newest frame (once), plain.
type frameReader struct {
	r    *recorder
	seen int
	buf  bytes.Buffer
}

func (f *frameReader) Read(p []byte) (int, error) {
	if f.buf.Len() == 0 {
		f.r.mu.Lock()
		if f.r.frames != f.seen {
			f.seen = f.r.frames
			f.buf.WriteString("\x00" + ansi.Strip(f.r.frame))
		}
		f.r.mu.Unlock()
	}
	if f.buf.Len() == 0 {
		return 0, io.EOF
	}
	return f.buf.Read(p)
}

// lastFrame is the text after the last NUL of what WaitFor collected.
func lastFrame(b []byte) string {
	if i := bytes.LastIndexByte(b, 0); i >= 0 {
		return string(b[i+1:])
	}
	return string(b)
}

// harness runs the wizard in a teatest program.
type harness struct {
	t   *testing.T
	tm  *teatest.TestModel
	rec *recorder
	fr  *frameReader
}

func startWizard(t *testing.T, width, height int, opts Options) *harness {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	m := New(opts)
	rec := &recorder{Model: m}
	tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(width, height))
	h := &harness{t: t, tm: tm, rec: rec, fr: &frameReader{r: rec}}
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
		if err := m.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return h
}

// waitFor waits until the newest frame contains every one of want, and
// returns that frame. The wait is for a state, not a time: the deadline
// is only there to end a test that went wrong.
func (h *harness) waitFor(want ...string) string {
	h.t.Helper()
	var frame string
	teatest.WaitFor(h.t, h.fr, func(b []byte) bool {
		frame = lastFrame(b)
		for _, w := range want {
			if !strings.Contains(frame, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(60*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	return frame
}

// keys sends key presses: names such as "enter", "esc", "tab", "down",
// "backspace", "ctrl+c", or single characters.
func (h *harness) keys(names ...string) {
	for _, n := range names {
		h.tm.Send(keyPress(n))
	}
}

// typeText types text into the focused field.
func (h *harness) typeText(s string) { h.tm.Type(s) }

func keyPress(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace, "space": tea.KeySpace,
		"end": tea.KeyEnd, "home": tea.KeyHome, "f1": tea.KeyF1, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
	}
	if c, ok := special[name]; ok {
		k := tea.KeyPressMsg{Code: c}
		if name == "space" {
			k.Text = " "
		}
		return k
	}
	if mod, rest, ok := strings.Cut(name, "+"); ok && len(rest) == 1 {
		k := tea.KeyPressMsg{Code: rune(rest[0])}
		switch mod {
		case "ctrl":
			k.Mod = tea.ModCtrl
		case "alt":
			k.Mod = tea.ModAlt
		case "shift":
			k.Mod = tea.ModShift
		}
		return k
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}
