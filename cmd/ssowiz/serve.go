package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/lab"
)

// Default listen addresses: loopback only, since the mocks are not
// security boundaries.
const (
	defaultIDPAddr = "127.0.0.1:8080"
	defaultSPAddr  = "127.0.0.1:8081"
)

func newServeCmd(e *env) *cobra.Command {
	var opts struct {
		idpAddr, spAddr, data string
		json, verbose         bool
		provision             bool
		provisionInterval     time.Duration
	}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the mock Entra ID and the mock RudderStack as HTTP servers",
		Long: `Run the mock Entra ID tenant and the mock RudderStack service provider as HTTP
servers on loopback, seeded with demo users and an app configured as the guide
says. Open the sign-in URL in a browser and sign in as a demo user.

The app's Provisioning page is filled in as the guide says (this SP's SCIM
Tenant URL and the Org Admin's token). With --provision, Entra's provisioning
engine runs too: assigned users are created in RudderStack at once and kept
in sync every --provision-interval.

State is kept in memory unless --data names a directory.`,
		Example: `  ssowiz serve
  ssowiz serve --data ./.ssowiz --json
  ssowiz serve --provision --provision-interval 30s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			if opts.verbose {
				level = slog.LevelDebug
			}
			logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
			ctx := cmd.Context()
			if opts.provisionInterval < 0 {
				return badInput(fmt.Errorf("--provision-interval %s is negative", opts.provisionInterval))
			}
			l, err := lab.Start(ctx, lab.Options{IDPAddr: opts.idpAddr, SPAddr: opts.spAddr, DataDir: opts.data, Logger: logger,
				Provision: opts.provision, ProvisionInterval: opts.provisionInterval})
			if err != nil {
				return failed(err)
			}
			defer func() {
				shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := l.Close(shutdown); err != nil {
					logger.Error("shutdown", "err", err)
				}
			}()
			if err := waitReady(ctx, l); err != nil {
				return failed(err)
			}
			info := l.Info()
			if opts.json {
				enc := json.NewEncoder(e.stdout)
				if err := enc.Encode(info); err != nil {
					return failed(err)
				}
			} else {
				printInfo(e.stdout, info, opts.data, opts.provision)
			}
			select {
			case <-ctx.Done():
				fmt.Fprintln(e.stderr, "ssowiz: shutting down")
				return nil
			case err := <-l.Err():
				return failed(err)
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.idpAddr, "idp-addr", defaultIDPAddr, "listen address of the mock Entra ID")
	f.StringVar(&opts.spAddr, "sp-addr", defaultSPAddr, "listen address of the mock RudderStack")
	f.StringVar(&opts.data, "data", "", "directory that keeps state across restarts (default: in memory)")
	f.BoolVar(&opts.json, "json", false, "print one JSON object with the URLs, admin token and demo users when ready")
	f.BoolVar(&opts.provision, "provision", false, "run Entra's provisioning engine: create and update assigned users in RudderStack over SCIM")
	f.DurationVar(&opts.provisionInterval, "provision-interval", 0, "time between provisioning cycles (default 40m, as Entra's)")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "log debug detail to stderr")
	return cmd
}

// waitReady returns once both servers answer HTTP, so what is printed next
// can be used at once.
func waitReady(ctx context.Context, l *lab.Lab) error {
	client := l.Client()
	for _, u := range []string{l.Info().IDPMetadataURL, l.Info().SPLoginURL} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return fmt.Errorf("readiness check of %s: %w", u, err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("the server at %s does not answer: %w", u, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("the server at %s answered %s", u, resp.Status)
		}
	}
	return nil
}

func printInfo(w io.Writer, info lab.Info, data string, provision bool) {
	fmt.Fprintf(w, "ssowiz is serving a mock Entra ID tenant (%s) and a mock RudderStack.\n\n", info.TenantDomain)
	fmt.Fprintf(w, "Sign in here, as RudderStack users do:\n  %s\n\n", info.SPLoginURL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Mock Entra ID\t")
	fmt.Fprintf(tw, "  App Federation Metadata URL\t%s\n", info.IDPMetadataURL)
	fmt.Fprintf(tw, "  Login URL\t%s\n", info.IDPSSOURL)
	fmt.Fprintf(tw, "  IdP-initiated launch (refused by RudderStack)\t%s\n", info.IDPInitiatedURL)
	fmt.Fprintln(tw, "Mock RudderStack\t")
	fmt.Fprintf(tw, "  Identifier (Entity ID)\t%s\n", info.SPEntityID)
	fmt.Fprintf(tw, "  Reply URL (ACS)\t%s\n", info.SPACSURL)
	if info.SCIMBaseURL != "" {
		fmt.Fprintf(tw, "  SCIM Tenant URL\t%s\n", info.SCIMBaseURL)
	}
	if info.AdminPAT != "" {
		fmt.Fprintf(tw, "  Admin personal access token\t%s\n", info.AdminPAT)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nDemo users:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  UPN\tPASSWORD\tASSIGNED\tWHAT IT REHEARSES")
	for _, u := range info.Users {
		assigned := "no"
		if u.Assigned {
			assigned = "yes"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.UPN, u.Password, assigned, u.Purpose)
	}
	tw.Flush()
	if provision {
		fmt.Fprintln(w, "\nProvisioning is on: assigned users are created in RudderStack over SCIM.")
	} else {
		fmt.Fprintln(w, "\nProvisioning is off (start it with --provision); users are created just in time at first sign-in.")
	}
	if data == "" {
		fmt.Fprintln(w, "\nState is in memory and is lost when you stop; use --data DIR to keep it.")
	} else {
		fmt.Fprintf(w, "\nState is kept in %s.\n", data)
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
