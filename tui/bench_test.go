package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// firstWrite signals the first time anything is written: the first frame.
type firstWrite struct {
	once sync.Once
	done chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.done) })
	return len(p), nil
}

// BenchmarkFirstFrame is the time from making the wizard to its first
// frame on the terminal, with mocks that take forever to start: the frame
// must not wait for them.
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		out := &firstWrite{done: make(chan struct{})}
		in, inW := io.Pipe()
		m := New(Options{Now: fixedNow, Start: func(ctx context.Context) (Rehearsal, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}})
		p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithWindowSize(80, 24), tea.WithoutSignals())
		finished := make(chan struct{})
		go func() {
			_, _ = p.Run()
			close(finished)
		}()
		<-out.done
		b.StopTimer()
		p.Quit()
		<-finished
		_ = m.Close(context.Background())
		inW.Close()
		b.StartTimer()
	}
}

// checksReport is a run's results with one failure carrying evidence and
// a remediation, as the live checks step shows them.
func checksReport(s setup.Setup, only []string) *checks.Report {
	rep := &checks.Report{}
	sel, _ := checks.Select(only, nil)
	for _, c := range sel {
		r := checks.Result{ID: c.ID, Number: c.Number, Title: c.Title, Proves: c.Proves, Status: checks.Pass,
			Duration: time.Duration(c.Number) * 7 * time.Millisecond, Summary: "All good."}
		if c.ID == checks.IDSignIn {
			r.Status, r.Summary = checks.Fail, "Entra refused Adele Vance's sign-in: AADSTS50011."
			r.Details = []string{
				"Sign-in by Adele Vance (AdeleV@contoso.onmicrosoft.com), starting at https://app.rudderstack.com/sso.",
				"Entra showed AADSTS50011: The redirect URI 'https://auth2.rudderstack.com/saml2/idpresponse' specified in the request does not match the redirect URIs configured for the application.",
			}
			r.Remediations = []checks.Remediation{{Field: "saml.reply_url", Screen: "Entra admin center › Enterprise applications › RudderStack › Single sign-on › Basic SAML Configuration",
				Label: "Reply URL (Assertion Consumer Service URL)", Value: s.SAML.ReplyURL, Expected: setup.GuideReplyURL,
				Problem: "ends with a slash; Entra matches reply URLs exactly.", Fix: "Set it to exactly " + setup.GuideReplyURL + "."}}
			r.HAR = "/tmp/ssowiz-har/03-sp-sign-in.har"
		}
		rep.Results = append(rep.Results, r)
	}
	return rep
}

// BenchmarkChecksFrame renders a frame of the live checks step: every
// check done, the failing one selected with its evidence and remedy.
func BenchmarkChecksFrame(b *testing.B) {
	for _, size := range sizes {
		b.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(b *testing.B) {
			u, f := withFake(b, Options{})
			f.report = func(s setup.Setup, only []string) *checks.Report { return checksReport(s, only) }
			u.send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			u.goTo(StepChecks)
			u.wantFrame("AADSTS50011")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = u.m.View()
			}
		})
	}
}

// BenchmarkChecksFrameRunning renders the live checks step mid-run, a
// spinner on each running check.
func BenchmarkChecksFrameRunning(b *testing.B) {
	u, _ := withFake(b, Options{})
	u.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	u.m.cur = StepChecks
	u.m.run.running = true
	for i, row := range u.m.run.rows {
		row.state = rowRunning
		row.message = "signing in as AdeleV@contoso.onmicrosoft.com"
		if i > 3 {
			row.state = rowQueued
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = u.m.View()
	}
}

var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*[34]8;[25];`)

// TestNoColor: the same wizard draws colours on a colour terminal and none
// with NO_COLOR set (bold and the like stay).
func TestNoColor(t *testing.T) {
	// TTY_FORCE makes the test's pipe count as a terminal, as NO_COLOR is only
	// about terminals.
	base := []string{"TERM=xterm-256color", "COLORTERM=truecolor", "TTY_FORCE=1"}
	for _, tc := range []struct {
		name   string
		env    []string
		colour bool
	}{
		{"colour", base, true},
		{"NO_COLOR", append(append([]string{}, base...), "NO_COLOR=1"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := teatest.NewTestModel(t, New(Options{Now: fixedNow}), teatest.WithInitialTermSize(80, 24),
				teatest.WithProgramOptions(tea.WithEnvironment(tc.env)))
			var out bytes.Buffer
			teatest.WaitFor(t, io.TeeReader(tm.Output(), &out), func(b []byte) bool { return bytes.Contains(b, []byte("Welcome")) },
				teatest.WithDuration(30*time.Second))
			_ = tm.Quit()
			tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
			if got := colourSGR.Match(out.Bytes()); got != tc.colour {
				t.Errorf("colour escape sequences present: %v, want %v", got, tc.colour)
			}
		})
	}
}
