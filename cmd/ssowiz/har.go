package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"github.com/ssowiz/ssowiz/internal/har"
)

func newHarCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "har",
		Short: "Analyse and redact HAR captures of SSO sign-ins",
		Long: `Analyse a HAR captured while signing in to RudderStack through Entra ID, and
redact one before sharing it. Capture it in a private window: open the browser's
developer tools on the Network tab with "Preserve log" on, go to
https://app.rudderstack.com/sso, sign in until the error appears, and export.`,
	}
	cmd.AddCommand(newHarAnalyzeCmd(e), newHarRedactCmd(e))
	return cmd
}

func newHarAnalyzeCmd(e *env) *cobra.Command {
	var (
		asJSON   bool
		metadata string
		opts     har.Options
	)
	cmd := &cobra.Command{
		Use:   "analyze FILE",
		Short: "Find the SSO flows in a HAR, decode their SAML messages and diagnose failures",
		Long: `Find the SSO flows in a HAR (from Chrome, Edge, Firefox, Safari or ssowiz), decode
every SAMLRequest and SAMLResponse, and say what went wrong and which field to fix.
FILE "-" reads standard input. Exit 0: no problem; 1: a problem was found; 2: the
file is not a HAR (or another input is wrong). --json prints the documented report
shape (internal/har/README.md).

The Reply URL and start URL are learned from the HAR when it shows them (the
AuthnRequest, Cognito's host, the app's /sso page); give --reply-url and
--start-url when it does not and your app's differ from RudderStack's, for
example for a HAR of an IdP-initiated sign-in against another SP.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if metadata != "" {
				client := &http.Client{Timeout: 30 * time.Second}
				certs, err := har.LoadMetadata(ctx, metadata, client)
				if err != nil {
					return badInput(fmt.Errorf("--metadata: %w", err))
				}
				opts.MetadataCerts = certs
			}
			rep, err := har.AnalyzeFile(ctx, args[0], e.stdin, opts)
			if err != nil {
				if errors.Is(err, har.ErrNotHAR) {
					return badInput(fmt.Errorf("%w; export it from the browser's Network tab (\"Save all as HAR\")", err))
				}
				return badInput(err)
			}
			if asJSON {
				err = rep.WriteJSON(e.stdout)
			} else {
				err = rep.WriteText(e.stdout)
			}
			if err != nil {
				return failed(err)
			}
			if rep.Problem {
				return failed(nil)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.StringVar(&metadata, "metadata", "", "IdP metadata `FILE|URL` (the App Federation Metadata URL RudderStack has) to compare signing certificates with")
	f.StringVar(&opts.EntityID, "entity-id", har.DefaultEntityID, "the SP's Identifier (Entity ID), expected as the Audience")
	f.StringVar(&opts.ACSURL, "reply-url", "", "the SP's Reply URL (Assertion Consumer Service URL) `URL`; default: the one the HAR shows "+
		"(the AuthnRequest's, or Cognito's host + /saml2/idpresponse), else "+har.DefaultACSURL+" (a capture of `ssowiz serve` on 127.0.0.1 is judged by its own URLs)")
	f.StringVar(&opts.StartURL, "start-url", "", "where users must start signing in, `URL`; default: the app's /sso the HAR shows, else "+har.DefaultStartURL)
	return cmd
}

func newHarRedactCmd(e *env) *cobra.Command {
	var (
		out  string
		opts har.RedactFileOptions
	)
	cmd := &cobra.Command{
		Use:   "redact FILE -o OUT",
		Short: "Mask cookies, tokens, passwords and SAML personal data in a HAR before sharing it",
		Long: `Write a copy of FILE to OUT with cookie values, Authorization and other auth
headers, bearer and personal access tokens, OAuth codes, states and tokens,
passwords and user names, RelayStates, Entra's flow tokens, every email address and
every person's name the pages show (an account picker lists co-workers), every URL
with a secret wherever it is repeated (page titles, Referers, initiators), and inside
SAML messages the NameID, attribute values, signatures and certificates masked. The SAML messages
keep their structure, so "ssowiz har analyze" on OUT finds what it finds on FILE.
FILE is never changed; an existing OUT is replaced only with --force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			counts, err := har.RedactFile(cmd.Context(), args[0], out, e.stdin, e.stdout, opts)
			if err != nil {
				return badInput(err)
			}
			report := e.stdout
			if out == "-" {
				report = e.stderr
			}
			fmt.Fprintf(report, "Redacted %s → %s:\n", args[0], out)
			return counts.WriteText(report)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "the redacted `OUT` file (\"-\" for standard output)")
	f.BoolVar(&opts.Force, "force", false, "replace OUT if it exists")
	f.StringSliceVar(&opts.Keep, "keep", nil, "leave this `NAME`d field alone: a header, cookie, parameter, JSON member or SAML attribute (repeatable)")
	return cmd
}
