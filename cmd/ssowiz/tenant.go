package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/internal/yamlfile"
	"github.com/ssowiz/ssowiz/tui"
)

// defaultTenantFile is where `tenant init` writes without an argument.
const defaultTenantFile = "tenant.yaml"

func newTenantCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tenant",
		Short: "Write or check a tenant file: the mock Entra ID's users, groups and apps",
		Long: `A tenant file describes the mock Entra ID tenant that ssowiz serve, check and
the wizard use: its users, groups and enterprise apps (SAML settings, claims,
assignments, provisioning). Without one, ssowiz serves the guide's demo tenant,
which "tenant init" writes out as a commented starting point.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newTenantInitCmd(e), newTenantValidateCmd(e))
	return cmd
}

func newTenantInitCmd(e *env) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [FILE]",
		Short: "Write the guide's demo tenant as a commented tenant file (default tenant.yaml; - for standard output)",
		Example: `  ssowiz tenant init
  ssowiz tenant init my-tenant.yaml
  ssowiz serve --tenant my-tenant.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := defaultTenantFile
			if len(args) == 1 {
				path = args[0]
			}
			if path == "-" {
				_, err := e.stdout.Write(tenant.DemoYAML())
				return err
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(path, flags, 0o644)
			if errors.Is(err, fs.ErrExist) {
				return badInput(fmt.Errorf("%s already exists; choose another name or add --force to overwrite it", path))
			}
			if err != nil {
				return badInput(fmt.Errorf("write the tenant file: %w", err))
			}
			if _, err := f.Write(tenant.DemoYAML()); err != nil {
				f.Close()
				return failed(fmt.Errorf("write %s: %w", path, err))
			}
			if err := f.Close(); err != nil {
				return failed(fmt.Errorf("write %s: %w", path, err))
			}
			fmt.Fprintf(e.stdout, "Wrote the demo tenant to %s. Edit it, then: ssowiz serve --tenant %s\n", path, path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite FILE if it exists")
	return cmd
}

func newTenantValidateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a tenant file without serving it; each problem names the line and field",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := readTenant(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is a valid tenant file: %s, %s, %s.\n", args[0],
				plural.Count(len(f.Users), "user"), plural.Count(len(f.Groups), "group"), plural.Count(len(f.Apps), "app"))
			return nil
		},
	}
}

// readTenant reads a tenant file; a bad one is bad input (exit 2), with
// each problem on its own line.
func readTenant(path string) (*tenant.File, error) {
	f, err := tenant.ReadFile(path)
	if errors.Is(err, yamlfile.ErrFormat) {
		return nil, badInput(fmt.Errorf("the tenant file has problems:\n%w", err))
	}
	if err != nil {
		return nil, badInput(err)
	}
	return f, nil
}

// guideTenant reads a tenant file for the guide's rehearsal (the wizard,
// `check` without --app): the file with the RudderStack app being set up
// (tenant.File.WithGuideApp), its absolute path, and what to tell the
// admin about it.
func guideTenant(path string) (*tenant.File, tui.Tenant, error) {
	f, err := readTenant(path)
	if err != nil {
		return nil, tui.Tenant{}, err
	}
	g, app, err := f.WithGuideApp()
	if errors.Is(err, yamlfile.ErrFormat) {
		return nil, tui.Tenant{}, badInput(fmt.Errorf("the tenant file has problems:\n%w", err))
	}
	if err != nil {
		return nil, tui.Tenant{}, failed(err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	others := len(g.Apps) - 1
	about := fmt.Sprintf("It holds %s, %s and %s. ", plural.Count(len(f.Users), "user"), plural.Count(len(f.Groups), "group"),
		plural.Of(others, "other app", "other apps"))
	if app.Added {
		about += fmt.Sprintf("It has no app marked rudderstack, so the guide's %q app is added, assigned to nobody, with %s (its first enabled user) as RudderStack's Org Admin: you.", app.Name, app.OrgAdmin)
	} else {
		about += fmt.Sprintf("Its app %q (marked rudderstack) is the one you set up: the wizard starts from the guide's values (or your saved setup), not the file's SAML settings, and keeps the file's assigned users and groups, with %s as RudderStack's Org Admin: you.", app.Name, app.OrgAdmin)
	}
	return g, tui.Tenant{File: abs, About: about}, nil
}
