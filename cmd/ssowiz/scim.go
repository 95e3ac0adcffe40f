package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/mockidp/provisioning/conformance"
)

// tokenEnv lets scripts pass the bearer token without putting it on the
// command line, where other users of the machine can see it.
const tokenEnv = "SSOWIZ_SCIM_TOKEN"

func newSCIMCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scim",
		Short: "Check a SCIM server the way Entra ID's provisioning client uses it",
	}
	cmd.AddCommand(newSCIMValidateCmd(e))
	return cmd
}

func newSCIMValidateCmd(e *env) *cobra.Command {
	var (
		baseURL, token string
		asJSON         bool
		timeout        time.Duration
	)
	cmd := &cobra.Command{
		Use:   "validate [--url URL --token TOKEN] [--json]",
		Short: "Run the Entra-shaped SCIM conformance suite",
		Long: `Send a SCIM server the requests Microsoft Entra ID's provisioning client sends
(Test Connection, create, match, read, both PATCH dialects, disable/re-enable,
manager, error cases, groups) and check the answers Entra needs. One line per
case; a failed case shows what was sent and what came back.

Without --url the suite runs against ssowiz's own SP, started in-process. With
--url (the Tenant URL you would give Entra) it needs the bearer token (Entra's
Secret Token) in --token or in ` + tokenEnv + `. The users it creates are
deactivated at the end. Exit 0: every case passed (groups may be reported as
expected-unsupported); 1: a case failed; 2: the flags were wrong.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if token == "" {
				token = e.getenv(tokenEnv)
			}
			switch {
			case baseURL == "" && cmd.Flags().Changed("token"):
				return badInput(errors.New("--token needs --url: without --url the suite runs against ssowiz's own SP, with its own token"))
			case baseURL != "" && token == "":
				return badInput(fmt.Errorf("--url needs the server's bearer token (Entra's Secret Token) in --token or %s", tokenEnv))
			case timeout <= 0:
				return badInput(fmt.Errorf("--timeout must be positive, got %s", timeout))
			}
			client := &http.Client{Timeout: timeout}
			if baseURL == "" {
				l, err := lab.Start(ctx, lab.Options{Mode: lab.Loopback})
				if err != nil {
					return failed(fmt.Errorf("start ssowiz's own SP: %w", err))
				}
				defer func() {
					closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
					defer cancel()
					l.Close(closeCtx)
				}()
				baseURL, token, client = l.Info().SCIMBaseURL, l.Info().AdminPAT, l.Client()
			}
			rep, err := conformance.Run(ctx, conformance.Config{BaseURL: baseURL, Token: token, HTTPClient: client})
			if err != nil {
				return badInput(fmt.Errorf("--url: %w", err))
			}
			if asJSON {
				err = rep.WriteJSON(e.stdout)
			} else {
				err = rep.WriteText(e.stdout)
			}
			if err != nil {
				return failed(err)
			}
			if !rep.OK() {
				return failed(nil)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&baseURL, "url", "", "SCIM base URL (Entra's Tenant URL); default: ssowiz's own SP")
	cmd.Flags().StringVar(&token, "token", "", "bearer token (Entra's Secret Token); or set "+tokenEnv)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "timeout of each request")
	return cmd
}
