package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/export"
	"github.com/ssowiz/ssowiz/internal/setup"
)

func newExportCmd(e *env) *cobra.Command {
	var opts struct {
		format, config, out string
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
it), or is the guide's.`,
		Example: `  ssowiz export --format graph > setup-entra.sh
  ssowiz export --format graph --config ssowiz-setup.yaml -o setup-entra.sh
  SCIM_SECRET_TOKEN=… bash setup-entra.sh`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.format != "graph" {
				return badInput(fmt.Errorf("--format %q: the one format is graph (a bash script of Microsoft Graph calls)", opts.format))
			}
			s, source := setup.Default(), "the guide's values"
			if opts.config != "" {
				var err error
				if s, err = setup.ReadFile(opts.config); err != nil {
					return badInput(err)
				}
				source = opts.config
			}
			script, err := export.GraphScript(s, source)
			if err != nil {
				return badInput(err)
			}
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
	f.StringVarP(&opts.out, "output", "o", "", "write to `FILE` instead of stdout")
	f.BoolVar(&opts.force, "force", false, "replace -o FILE if it exists")
	_ = cmd.MarkFlagRequired("format")
	return cmd
}
