package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes shared by every subcommand, so scripts can tell a failed check
// from a mistyped command line.
const (
	exitOK      = 0
	exitFailed  = 1 // the work ran and found a problem (a check failed, a diagnosis was made)
	exitBadArgs = 2 // the input was wrong: flags, files, values
)

// env is what a command may touch of the outside world; tests give their
// own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
}

// exitError carries an exit code out of a command, with the message to
// print (if any).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// failed reports that the command ran and found a problem; err may be nil
// when the output already said everything.
func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// badInput reports that the user's input was wrong.
func badInput(err error) error { return &exitError{code: exitBadArgs, err: err} }

func run(ctx context.Context, args []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintln(e.stderr, "ssowiz:", xe.err)
		}
		return xe.code
	}
	// Anything cobra itself rejects (unknown flag, missing argument) is bad
	// input; cobra has already printed the usage hint.
	fmt.Fprintln(e.stderr, "ssowiz:", err)
	return exitBadArgs
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "ssowiz",
		Short: "Rehearse Entra ID SAML SSO and SCIM setup for a RudderStack-like app, offline",
		Long: `ssowiz rehearses, offline and end to end, the setup of SAML single sign-on and
SCIM provisioning between Microsoft Entra ID and a RudderStack-like SaaS app.
It runs a mock Entra ID tenant and a mock service provider on loopback.

With no command it opens the wizard, which walks RudderStack's guide step by
step and rehearses every value you type (--accessible for plain prompts).
The commands do the same jobs headless, for scripts and CI.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	addWizard(root, e)
	root.AddCommand(newServeCmd(e))
	root.AddCommand(newLogsCmd(e))
	root.AddCommand(newExportCmd(e))
	root.AddCommand(newHarCmd(e))
	root.AddCommand(newCheckCmd(e))
	root.AddCommand(newSCIMCmd(e))
	root.AddCommand(newTenantCmd(e))
	return root
}
