package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/tui"
)

// defaultSetupFile is where the wizard saves progress unless --setup says
// otherwise.
const defaultSetupFile = "ssowiz-setup.yaml"

type wizardOptions struct {
	accessible bool
	setupPath  string
	harDir     string
	noSave     bool
	tenant     string
}

// addWizard makes the root command open the wizard when no subcommand is
// given.
func addWizard(root *cobra.Command, e *env) {
	var o wizardOptions
	root.Args = cobra.NoArgs
	root.RunE = func(cmd *cobra.Command, _ []string) error { return runWizard(cmd, e, o) }
	f := root.Flags()
	f.BoolVar(&o.accessible, "accessible", false, "plain prompts, one question a line, for screen readers and non-terminals")
	f.StringVar(&o.setupPath, "setup", defaultSetupFile, "setup file to save progress to and resume from")
	f.BoolVar(&o.noSave, "no-save", false, "don't save progress to a setup file")
	f.StringVar(&o.tenant, "tenant", "", "rehearse in your own tenant: the tenant `FILE`'s users, groups and other apps, with its RudderStack app (or the guide's, added) as the one you set up; Users and groups assigns its users and groups")
	f.StringVar(&o.harDir, "har", "", "directory for the HAR files of the browser checks (default: a new directory under the system's temporary directory)")
}

// onTerminal reports whether v (stdin or stdout) is a terminal.
func onTerminal(v any) bool {
	f, ok := v.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(f.Fd())
}

func runWizard(cmd *cobra.Command, e *env, o wizardOptions) error {
	if !o.accessible && (!onTerminal(e.stdin) || !onTerminal(e.stdout)) {
		return badInput(fmt.Errorf("%w: run `ssowiz check` to rehearse a setup file headless, or `ssowiz --accessible` for plain prompts", tui.ErrNoTerminal))
	}
	var tf *tenant.File
	var about tui.Tenant
	if o.tenant != "" {
		var err error
		if tf, about, err = guideTenant(o.tenant); err != nil {
			return err
		}
	}
	harDir := o.harDir
	if harDir == "" {
		dir, err := os.MkdirTemp("", "ssowiz-har-")
		if err != nil {
			return failed(fmt.Errorf("make a directory for HAR files (choose one with --har): %w", err))
		}
		harDir = dir
	} else if err := os.MkdirAll(harDir, 0o700); err != nil {
		return badInput(fmt.Errorf("--har %s: %w", harDir, err))
	}
	path := o.setupPath
	if o.noSave {
		path = ""
	}
	opts := tui.Options{
		SetupPath: path,
		Tenant:    about,
		Start: tui.StartEnv(tui.EnvOptions{
			Checks: checks.Options{Logger: slog.New(slog.DiscardHandler), Tenant: tf},
			HARDir: harDir,
		}),
		Now: time.Now,
		// The Debugging screen analyses a HAR at a path the admin types,
		// as `ssowiz har analyze` does.
		Screens: []tui.Screen{tui.NewDebugScreen(tui.DebugOptions{})},
	}
	ctx := cmd.Context()
	var err error
	if o.accessible {
		_, err = tui.RunAccessible(ctx, opts, e.stdin, e.stdout, os.Environ())
	} else {
		_, err = tui.Run(ctx, opts, e.stdin, e.stdout, os.Environ())
	}
	switch {
	case errors.Is(err, tui.ErrInputEnded):
		return badInput(err)
	case err != nil:
		return failed(err)
	}
	return nil
}
