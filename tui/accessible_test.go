package tui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"

	"github.com/ssowiz/ssowiz/internal/export"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// answers joins prompt answers, one a line; "" keeps the value offered.
func answers(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// guideWalk answers every prompt of a walk that keeps the guide's values.
var guideWalk = []string{
	"",             // 2: Input name
	"", "", "", "", // 3: Identifier, Reply URL, Sign on URL, Relay State
	"",     // 4: What now? (keep the claims)
	"", "", // 5: Signing Option, Signing Algorithm
	"", "", // 6: Assignment required?, assigned users (blank keeps them)
	"", "", "", // 7: your role, token name, role
	"", "", // 7: generate?, show the token?
	"", "", "", "", "", "", "", // 8: Tenant URL, Secret Token, groups, create, update, delete, SCIM enabled
	"", // 8: Test Connection?
	"", // 10: write the Markdown?
	"", // 10: write the Graph script?
}

func runAccessible(t *testing.T, input string) (string, setup.Setup, string, error) {
	t.Helper()
	return runAccessibleIn(t, t.TempDir(), input)
}

// runAccessibleIn runs the accessible wizard with its setup file in dir.
func runAccessibleIn(t *testing.T, dir, input string) (string, setup.Setup, string, error) {
	t.Helper()
	path := filepath.Join(dir, "ssowiz-setup.yaml")
	var out bytes.Buffer
	s, err := RunAccessible(context.Background(), Options{SetupPath: path, Start: startNormalized(t), Now: fixedNow},
		strings.NewReader(input), &out, nil)
	return strings.ReplaceAll(out.String(), dir, "<dir>"), s, dir, err
}

// TestAccessibleWalk drives the plain-prompt mode through standard input
// from the first question to the summary, with every check passing.
func TestAccessibleWalk(t *testing.T) {
	out, s, dir, err := runAccessible(t, answers(guideWalk...))
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	snapshot(t, "transcript", out)
	if !sameSetup(s, setup.Default()) {
		t.Errorf("keeping every value should leave the guide's setup; changed: %v", changedFields(setup.Default(), s))
	}
	if !strings.Contains(out, "8 passed, 0 failed") {
		t.Errorf("the transcript should report every check passed:\n%s", out)
	}
	saved, err := setup.ReadFile(filepath.Join(dir, "ssowiz-setup.yaml"))
	if err != nil || !sameSetup(saved, s) {
		t.Errorf("progress file: %v; changed: %v", err, changedFields(s, saved))
	}
	md, err := os.ReadFile(filepath.Join(dir, "ssowiz-handover.md"))
	if err != nil || !strings.Contains(string(md), "- [ ] Single sign-on › SAML › Basic SAML Configuration") {
		t.Errorf("Markdown checklist: %v\n%s", err, md)
	}
	if strings.Contains(out, "rs_pat_NORMALIZED") {
		t.Error("the token was printed without being asked for")
	}
	// The Graph script is ssowiz export --format graph --config FILE's.
	path := filepath.Join(dir, "ssowiz-setup.yaml")
	want, err := export.GraphScript(saved, path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, GraphScriptName)); err != nil || string(got) != want {
		t.Errorf("the Graph script (%v) differs from ssowiz export's:\n%s", err, udiff.Unified("export", "wizard", want, string(got)))
	}
	if !strings.Contains(out, "SCIM_SECRET_TOKEN=<the Admin token> bash <dir>/"+GraphScriptName) {
		t.Errorf("the summary should say how to run the script:\n%s", out)
	}
}

// TestAccessibleExportsAskBeforeReplacing: the summary's exports never
// replace a file that is there unless the admin says yes; no (the
// default) keeps it whole.
func TestAccessibleExportsAskBeforeReplacing(t *testing.T) {
	dir := t.TempDir()
	md, script := filepath.Join(dir, "ssowiz-handover.md"), filepath.Join(dir, GraphScriptName)
	for _, f := range []string{md, script} {
		if err := os.WriteFile(f, []byte("the admin's notes"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	in := append(append([]string{}, guideWalk[:len(guideWalk)-2]...),
		"",  // write the Markdown? yes
		"",  // it exists: replace it? enter keeps the default, no
		"",  // write the Graph script? yes
		"y", // it exists: replace it? yes
	)
	out, _, _, err := runAccessibleIn(t, dir, answers(in...))
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	for _, want := range []string{
		"<dir>/ssowiz-handover.md already exists. Replace it?",
		"Kept <dir>/ssowiz-handover.md as it was; the Markdown checklist was not written.",
		"<dir>/" + GraphScriptName + " already exists. Replace it?",
		"Wrote the Graph script to <dir>/" + GraphScriptName + ".",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, out)
		}
	}
	if b, _ := os.ReadFile(md); string(b) != "the admin's notes" {
		t.Errorf("the Markdown export replaced the file without a yes: %q", b)
	}
	if b, _ := os.ReadFile(script); !strings.HasPrefix(string(b), "#!/usr/bin/env bash") {
		t.Errorf("a yes should replace the script, file holds %q", b)
	}
}

// TestAccessibleWrongReplyURL types a Reply URL with a trailing slash,
// declines to fix it, sees the checks fail with the remediation, chooses
// to change it, and ends with every check passing.
func TestAccessibleWrongReplyURL(t *testing.T) {
	in := []string{
		"",
		"", setup.GuideReplyURL + "/", "", "",
		"n", // Change these values now? Not yet: rehearse the failure.
	}
	in = append(in, guideWalk[5:len(guideWalk)-2]...)
	in = append(in,
		"1", // What now? Change the Reply URL.
		"", setup.GuideReplyURL, "", "",
		"", // the Markdown
		"", // the Graph script
	)
	out, s, _, err := runAccessible(t, answers(in...))
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	snapshot(t, "transcript", out)
	for _, want := range []string{
		"Error: Reply URL (Assertion Consumer Service URL): ",
		"SP-initiated sign-in from /sso: fail",
		"AADSTS50011",
		"Change Reply URL (Assertion Consumer Service URL) (saml.reply_url)",
		"8 passed, 0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}
	if s.SAML.ReplyURL != setup.GuideReplyURL {
		t.Errorf("reply URL ended as %q", s.SAML.ReplyURL)
	}
}

// TestAccessibleInputEnds stops with ErrInputEnded when standard input
// runs out, rather than carrying on with defaults.
func TestAccessibleInputEnds(t *testing.T) {
	out, _, dir, err := runAccessible(t, answers("", ""))
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v, want ErrInputEnded\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "ssowiz-handover.md")); err == nil {
		t.Error("a walk cut short should not write the checklist")
	}
}

// TestAccessibleBlankAnswersKeepTheAssignments feeds blank lines where the
// prompt says enter keeps the value: the users prompt takes them (no
// "must be a number" loop), a number toggles a user, and a wrong number
// says what to type.
func TestAccessibleBlankAnswersKeepTheAssignments(t *testing.T) {
	const users = 1 + 4 + 1 + 2 + 1 // the index of the users prompt's answer in guideWalk
	walk := slices.Replace(append([]string{}, guideWalk...), users, users+1, "9", "3", "g1", "")
	out, s, _, err := runAccessible(t, answers(walk...))
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out)
	}
	if strings.Contains(out, "must be a number") {
		t.Errorf("a blank answer was refused:\n%s", out)
	}
	if !strings.Contains(out, "type a number from 1 to") {
		t.Errorf("a number out of range should say what to type:\n%s", out)
	}
	lines := func(prefix string) []string {
		var found []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, prefix) {
				found = append(found, l)
			}
		}
		return found
	}
	for _, tc := range []struct{ prefix, before, after string }{
		{"  3. ", " is not assigned.", " is assigned."},                  // Alex, toggled
		{"  g1. ", " is assigned.", " is not assigned."},                 // the group, toggled
		{"  2. ", " is assigned through the group", " is not assigned."}, // Isaiah, through it
	} {
		got := lines(tc.prefix)
		if len(got) < 2 || !strings.Contains(got[0], tc.before) || !strings.Contains(got[len(got)-1], tc.after) {
			t.Errorf("%q should go from %q to %q: %q", tc.prefix, tc.before, tc.after, got)
		}
	}
	if !slices.Contains(s.Users.Assigned, "AlexW@contoso.onmicrosoft.com") || slices.Contains(s.Users.Assigned, "IsaiahL@contoso.onmicrosoft.com") || s.Users.Groups == nil || len(s.Users.Groups) != 0 {
		t.Errorf("saved users %q and groups %q; want Alex added and the group removed", s.Users.Assigned, s.Users.Groups)
	}
	if s.Users.Assigned == nil {
		t.Error("a changed assignment should be kept as a list")
	}
}
