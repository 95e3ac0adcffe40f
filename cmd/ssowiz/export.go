package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/export"
	"github.com/ssowiz/ssowiz/internal/setup"
)

func newExportCmd(e *env) *cobra.Command {
	var opts struct {
		format, config, out string
		tenantFile, app     string
		force               bool
	}
	cmd := &cobra.Command{
		Use:   "export --format graph",
		Short: "Write the rehearsed setup as a script for the real tenant",
		Long: `Write the Entra ID side of the rehearsed setup as a bash script of Microsoft
Graph calls made with curl, with a token from ` + "`az account get-access-token`" + `: create
the app from the non-gallery template, its Basic SAML Configuration, the claims
(a claims mapping policy), the assignments, the provisioning credentials, and
start provisioning. Read it, then run it against the real tenant.

Why bash and curl rather than PowerShell's Graph module: each step is the
plain HTTP request Graph's reference documents, the script runs wherever the
Azure CLI does (Cloud Shell, Linux, macOS, CI) with nothing else to install,
and the admin's own az sign-in provides the token.

No secret is written: the Secret Token is read from $SCIM_SECRET_TOKEN when
the script runs. The setup comes from --config FILE (as ssowiz check reads
it), from one app of a tenant file (--tenant FILE --app NAME, as ssowiz serve
--tenant holds it), or is the guide's.`,
		Example: `  ssowiz export --format graph > setup-entra.sh
  ssowiz export --format graph --config ssowiz-setup.yaml -o setup-entra.sh
  ssowiz export --format graph --tenant tenant.yaml --app "My app"
  SCIM_SECRET_TOKEN=… bash setup-entra.sh`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.format != "graph" {
				return badInput(fmt.Errorf("--format %q: the one format is graph (a bash script of Microsoft Graph calls)", opts.format))
			}
			if (opts.tenantFile == "") != (opts.app == "") {
				return badInput(errors.New("--tenant and --app go together: ssowiz export --format graph --tenant FILE --app NAME"))
			}
			if opts.tenantFile != "" && opts.config != "" {
				return badInput(errors.New("--config and --tenant are two sources: give one"))
			}
			var plan export.Plan
			var source string
			switch {
			case opts.tenantFile != "":
				f, err := readTenant(opts.tenantFile)
				if err != nil {
					return err
				}
				if plan, err = export.PlanFromTenant(cmd.Context(), f, opts.app); err != nil {
					return badInput(fmt.Errorf("%s: %w", opts.tenantFile, err))
				}
				source = opts.tenantFile + ", app " + opts.app
			default:
				s := setup.Default()
				source = "the guide's values"
				if opts.config != "" {
					var err error
					if s, err = setup.ReadFile(opts.config); err != nil {
						return badInput(err)
					}
					source = opts.config
				}
				var err error
				if plan, err = export.PlanFromSetup(s); err != nil {
					return badInput(err)
				}
			}
			script := export.Script(plan, source)
			if opts.out == "" || opts.out == "-" {
				_, err := fmt.Fprint(e.stdout, script)
				return err
			}
			flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if opts.force {
				flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(opts.out, flag, 0o755)
			if os.IsExist(err) {
				return badInput(fmt.Errorf("%s exists; choose another -o FILE or add --force to replace it", opts.out))
			}
			if err != nil {
				return failed(err)
			}
			if _, err := f.WriteString(script); err != nil {
				f.Close()
				return failed(err)
			}
			if err := f.Close(); err != nil {
				return failed(err)
			}
			fmt.Fprintf(e.stderr, "Wrote %s. Read it, then: SCIM_SECRET_TOKEN=<RudderStack's Admin token> bash %s\n", opts.out, opts.out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "", "what to write: graph (a bash script of Microsoft Graph calls)")
	f.StringVar(&opts.config, "config", "", "the setup `FILE` (YAML or JSON); default: the guide's values")
	f.StringVar(&opts.tenantFile, "tenant", "", "a tenant `FILE` instead of a setup (with --app)")
	f.StringVar(&opts.app, "app", "", "the tenant file's app to export (with --tenant)")
	f.StringVarP(&opts.out, "output", "o", "", "write to `FILE` instead of stdout")
	f.BoolVar(&opts.force, "force", false, "replace -o FILE if it exists")
	_ = cmd.MarkFlagRequired("format")
	return cmd
}
