package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"

	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/tui"
)

// TestWizardNeedsATerminal: with no subcommand and no terminal, ssowiz
// says what to use instead and exits 2.
func TestWizardNeedsATerminal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--setup", filepath.Join(t.TempDir(), "s.yaml")},
		newEnv(strings.NewReader(""), &stdout, &stderr))
	if code != exitBadArgs {
		t.Errorf("exit %d, want %d", code, exitBadArgs)
	}
	for _, want := range []string{"needs a terminal", "ssowiz check", "--accessible"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout should be empty, got %q", stdout.String())
	}
}

// TestWizardAccessible drives `ssowiz --accessible` through standard input
// to the summary: the checks pass, progress is saved, and the Markdown
// checklist and the Graph script are written beside the setup file, the
// script byte for byte what `ssowiz export --format graph --config FILE`
// writes.
func TestWizardAccessible(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	input := strings.Repeat("\n", 9) + "0\n" + strings.Repeat("\n", 15)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--accessible", "--setup", path, "--har", filepath.Join(dir, "har")},
		newEnv(strings.NewReader(input), &stdout, &stderr))
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}
	for _, want := range []string{"Step 2 of 10: Create the application", "8 passed, 0 failed", "https://app.rudderstack.com/sso"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if strings.Contains(stdout.String(), "\x1b[") {
		t.Error("plain prompts to a pipe should carry no escape sequences")
	}
	s, err := setup.ReadFile(path)
	if err != nil {
		t.Fatalf("the setup file: %v", err)
	}
	if fs := setup.Errors(setup.Validate(s)); len(fs) > 0 {
		t.Errorf("the saved setup should be the guide's, got findings %v", fs)
	}
	if _, err := os.Stat(filepath.Join(dir, "ssowiz-handover.md")); err != nil {
		t.Errorf("the Markdown checklist: %v", err)
	}
	script, err := os.ReadFile(filepath.Join(dir, tui.GraphScriptName))
	if err != nil {
		t.Fatalf("the Graph script: %v", err)
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"export", "--format", "graph", "--config", path},
		newEnv(strings.NewReader(""), &stdout, &stderr)); code != exitOK {
		t.Fatalf("ssowiz export: exit %d: %s", code, stderr.String())
	}
	if stdout.String() != string(script) {
		t.Errorf("the wizard's Graph script differs from ssowiz export's:\n%s", udiff.Unified("export", "wizard", stdout.String(), string(script)))
	}
}

// TestWizardAccessibleInputEnds: input that stops early is bad input.
func TestWizardAccessibleInputEnds(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--accessible", "--no-save", "--har", t.TempDir()},
		newEnv(strings.NewReader("\n"), &stdout, &stderr))
	if code != exitBadArgs {
		t.Errorf("exit %d, want %d", code, exitBadArgs)
	}
	if !strings.Contains(stderr.String(), "standard input ended") {
		t.Errorf("stderr: %s", stderr.String())
	}
}
