package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// TestValuesAreNeverBrokenInside: at every width from 60 to 160 columns,
// the values an admin carries to Entra or RudderStack (URLs, the Cognito
// URN) stay whole on one line wherever the wizard shows them (the
// certificate step, the summary, a remediation), with no full stop stuck
// to them.
func TestValuesAreNeverBrokenInside(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepApp)
	u.keys("enter") // create the app
	if u.m.app == nil {
		t.Fatal("the app was not created")
	}
	s := u.m.setup
	s.SAML.ReplyURL = setup.GuideReplyURL + "/"
	u.m.setup = s
	u.m.validate()
	values := []string{setup.GuideIdentifier, setup.GuideReplyURL, setup.GuideTenantURL, setup.GuideLoginURL, u.m.app.MetadataURL}
	for width := 60; width <= 160; width++ {
		u.m.width = width
		for _, id := range []StepID{StepCertificate, StepSummary} {
			body, _ := u.m.steps[id].view(u.m, width-2)
			lines := strings.Split(ansi.Strip(body), "\n")
			for _, v := range values {
				if !strings.Contains(ansi.Strip(body), v[:20]) || len(v) > width-10 {
					continue // not on this step, or longer than any line
				}
				whole := false
				for _, l := range lines {
					if strings.Contains(l, v) {
						whole = true
						if strings.Contains(l, v+".") {
							t.Errorf("step %d at %d columns: a full stop is stuck to %s:\n%s", id.Number(), width, v, l)
						}
					}
				}
				if !whole {
					t.Errorf("step %d at %d columns breaks %s:\n%s", id.Number(), width, v, ansi.Strip(body))
				}
			}
		}
		for _, f := range u.m.findings {
			text := f.Problem + " " + f.Fix
			for _, v := range values {
				if !strings.Contains(text, v) {
					continue
				}
				if !strings.Contains(strings.Join(wrapLines(text, width-6), "\n"), v) {
					t.Errorf("the reason for %s at %d columns breaks %s", f.Field, width, v)
				}
			}
		}
	}
}

// TestWrapLines breaks at spaces only; a word longer than the line gets
// lines of its own.
func TestWrapLines(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  []string
	}{
		{"Set it to urn:amazon:cognito:sp:us-east-1_ABZiTjXia now", 20, []string{"Set it to", "urn:amazon:cognito:sp:us-east-1_ABZiTjXia"[:20], "urn:amazon:cognito:sp:us-east-1_ABZiTjXia"[20:40], "a now"}},
		{"go to https://auth2.rudderstack.com/saml2/idpresponse today", 50, []string{"go to", "https://auth2.rudderstack.com/saml2/idpresponse", "today"}},
		{"a b\nc", 10, []string{"a b", "c"}},
		{"", 10, []string{""}},
	} {
		if got := wrapLines(c.in, c.width); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrapLines(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// TestEveryValueHasACopyKey: the values carried to Entra or RudderStack
// are copied whole with OSC 52 from the step that holds them (ctrl+y, even
// while typing) and from the summary (c, then the value's number).
func TestEveryValueHasACopyKey(t *testing.T) {
	u, _ := withFake(t, Options{})
	u.goTo(StepApp)
	u.keys("enter") // create
	clip := func(cmd tea.Cmd) string {
		t.Helper()
		if cmd == nil {
			t.Fatal("nothing copied")
		}
		msg := cmd()
		if !strings.Contains(strings.ToLower(fmt.Sprintf("%T", msg)), "clipboard") {
			t.Fatalf("copy sent %T, want a clipboard message", msg)
		}
		return fmt.Sprint(msg)
	}
	u.goTo(StepSAML) // the Identifier has focus
	_, cmd := u.m.Update(keyPress("ctrl+y"))
	if got := clip(cmd); !strings.Contains(got, setup.GuideIdentifier) {
		t.Errorf("ctrl+y on the Identifier copied %q", got)
	}
	u.wantFrame("Copied the Identifier (Entity ID)")
	u.goTo(StepSCIM)
	_, cmd = u.m.Update(keyPress("ctrl+y"))
	if got := clip(cmd); !strings.Contains(got, setup.GuideTenantURL) {
		t.Errorf("ctrl+y on the Tenant URL copied %q", got)
	}
	u.goTo(StepSummary)
	vals := buildHandover(u.m.setup, u.m.findings, u.m.app, u.m.token, nil).copyValues()
	want := []string{setup.GuideIdentifier, setup.GuideReplyURL, setup.GuideSignOnURL, setup.GuideTenantURL, u.m.app.MetadataURL}
	if len(vals) != len(want) {
		t.Fatalf("the summary offers %d values to copy, want %d: %+v", len(vals), len(want), vals)
	}
	for i, w := range want {
		u.keys("c")
		u.wantFrame("Copy which value?")
		_, cmd := u.m.Update(keyPress(fmt.Sprint(i + 1)))
		if got := clip(cmd); !strings.Contains(got, w) {
			t.Errorf("c%d copied %q, want %s", i+1, got, w)
		}
		if u.m.cur != StepSummary {
			t.Fatalf("c%d left the summary for step %d", i+1, u.m.cur.Number())
		}
	}
}
