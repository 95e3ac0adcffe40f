package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/ssowiz/ssowiz/internal/appcheck"
	"github.com/ssowiz/ssowiz/internal/atomicfile"
	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/keycache"
	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/servectl"
	"github.com/ssowiz/ssowiz/internal/store"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/internal/tenantcache"
	"github.com/ssowiz/ssowiz/internal/yamlfile"
	"github.com/ssowiz/ssowiz/mockidp/auditlog"
)

// Default listen addresses: loopback only, since the mocks are not
// security boundaries.
const (
	defaultIDPAddr = "127.0.0.1:8080"
	defaultSPAddr  = "127.0.0.1:8081"
)

func newServeCmd(e *env) *cobra.Command {
	var opts struct {
		idpAddr, spAddr, data                    string
		secretsFile, tlsCA                       string
		tenantFile                               string
		spMetadata                               []string
		scimURL, scimToken                       string
		json, verbose                            bool
		provision, feed                          bool
		noDemoHint, noStaySignedIn, singleLogout bool
		provisionInterval                        time.Duration
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

--tenant FILE serves the users, groups and apps a tenant file describes
instead of the demo tenant ("ssowiz tenant init" writes one to start from).

State is kept in memory unless --data names a directory. Without --data, the
mock Entra ID's RSA-2048 signing keys are made once and kept in the user's
cache directory (ssowiz/keys, files readable by you only), so serve is ready
in milliseconds; delete that directory for new keys. With --data, a tenant
file that changed since the last start is applied again (what it lists is
made to match it; what an earlier version made and it no longer lists is
deleted); an unchanged one leaves the kept state as it was.

It also serves a Graph-shaped admin API (graph_base_url) with Entra's
client-credentials token endpoint, for an app registration it makes with the
permissions the guide's steps need (graph_client_id, graph_client_secret).

--tls-ca FILE serves both over HTTPS instead (for clients that refuse HTTP,
such as msal and Graph's SDKs), from a CA whose certificate is written to FILE
for the clients to trust. With --data the CA is kept in the data directory and
reused, so clients that trust it still do after a restart; without, it is made
at each start.

What it prints, and --json too, holds secrets: a live Admin personal access
token of the mock RudderStack, the Graph client secret and the demo users'
passwords. Where output is kept (CI logs, say), use --secrets-file FILE: the
token, the client secret and the passwords go to FILE, readable by you only
(mode 0600), and stdout names the file instead.`,
		Example: `  ssowiz serve
  ssowiz serve --data ./.ssowiz --json
  ssowiz serve --json --secrets-file ./secrets.json   # CI: no secret on stdout
  ssowiz serve --provision --provision-interval 30s
  ssowiz serve --tenant tenant.yaml`,
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
			if opts.secretsFile != "" {
				if fi, err := os.Stat(opts.secretsFile); err == nil && fi.IsDir() {
					return badInput(fmt.Errorf("--secrets-file %s is a directory; name a file, such as %s", opts.secretsFile, filepath.Join(opts.secretsFile, "secrets.json")))
				}
			}
			if opts.data != "" {
				if w := store.DirWarning(opts.data); w != "" {
					fmt.Fprintln(e.stderr, "ssowiz: warning: "+w)
				}
			}
			// The tenant file is read but not parsed here: a restart on
			// --data that holds it, or a start the tenant cache has it for,
			// with the same inputs, does not need it parsed (lab parses it
			// when it does, and a wrong file is bad input all the same).
			var src *tenant.Source
			// What `check --app` compares with its own tenant file: the
			// file as read, before --sp-metadata adds apps to it.
			var tenantDigest, tenantPath string
			if opts.tenantFile != "" {
				var err error
				if src, err = tenant.ReadSource(opts.tenantFile); err != nil {
					return badInput(err)
				}
				tenantDigest, tenantPath = src.Digest(), absPath(opts.tenantFile)
			}
			if len(opts.spMetadata) > 0 {
				if src == nil {
					src = tenant.DemoSource()
				}
				if err := addSPMetadata(ctx, src, opts.spMetadata); err != nil {
					return err
				}
			}
			if opts.scimToken != "" && opts.scimURL == "" {
				return badInput(errors.New("--scim-token needs --scim-url, the SCIM server to send it to"))
			}
			if opts.scimToken == "" && opts.scimURL != "" {
				opts.scimToken = e.getenv("SSOWIZ_SCIM_TOKEN")
			}
			mode := lab.Loopback
			if opts.tlsCA != "" {
				if fi, err := os.Stat(opts.tlsCA); err == nil && fi.IsDir() {
					return badInput(fmt.Errorf("--tls-ca %s is a directory; name a file, such as %s", opts.tlsCA, filepath.Join(opts.tlsCA, "ssowiz-ca.pem")))
				}
				mode = lab.LoopbackTLS
			}
			var newKey func() (*rsa.PrivateKey, error)
			var tenants *tenantcache.Cache
			if opts.data == "" {
				// Without --data every start makes a new tenant, and its
				// RSA keys were most of the start-up time: they are made
				// once and kept in the user's cache directory instead.
				if c, ok := keycache.Default(); ok {
					newKey = c.NewKey
				}
				// So is the tenant a file makes, which for ten thousand
				// users takes a second to parse and apply.
				if c, ok := tenantcache.Default(); ok {
					tenants = c
				}
			}
			// `ssowiz check --tenant FILE --app NAME` runs its checks in
			// this process, whose mock Entra ID the app trusts: a handler
			// behind a token only this user can read.
			token, err := servectl.NewToken()
			if err != nil {
				return failed(err)
			}
			var running atomic.Pointer[lab.Lab]
			checkSource := src
			if checkSource == nil {
				checkSource = tenant.DemoSource()
			}
			control := servectl.Handler(token, func(ctx context.Context, app string, progress func(checks.Event)) (*checks.Report, error) {
				l := running.Load()
				if l == nil {
					return nil, errors.New("serve is still starting; try again in a moment")
				}
				// Parsed at the first check (once), if the start did not.
				f, err := checkSource.File()
				if err != nil {
					return nil, err
				}
				return appcheck.Run(ctx, l, appcheck.Options{File: f, App: app, Progress: progress})
			}, func(err error) bool { return errors.Is(err, appcheck.ErrNoApp) || errors.Is(err, appcheck.ErrBuiltin) })
			l, err := lab.Start(ctx, lab.Options{Mode: mode, IDPAddr: opts.idpAddr, SPAddr: opts.spAddr, DataDir: opts.data, Logger: logger,
				Provision: opts.provision, ProvisionInterval: opts.provisionInterval, TenantSource: src,
				SCIMURL: opts.scimURL, SCIMToken: opts.scimToken, NewKey: newKey, TenantCache: tenants,
				DemoUsersHint: !opts.noDemoHint, HideStaySignedIn: opts.noStaySignedIn, SingleLogout: opts.singleLogout,
				ExtraRoutes: map[string]http.Handler{servectl.Path: control}})
			if errors.Is(err, yamlfile.ErrFormat) {
				return badInput(fmt.Errorf("the tenant file has problems:\n%w", err))
			}
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
			if opts.tlsCA != "" {
				// The CA is new at each start: clients read the file again
				// when they start (NODE_EXTRA_CA_CERTS is read once).
				if err := os.WriteFile(opts.tlsCA, l.CA.CertPEM(), 0o644); err != nil {
					return failed(fmt.Errorf("write --tls-ca: %w", err))
				}
			}
			if err := waitReady(ctx, l); err != nil {
				return failed(err)
			}
			running.Store(l)
			if dir, err := servectl.Dir(); err == nil {
				info := l.Info()
				rec := servectl.Record{PID: os.Getpid(), IDPURL: info.IDPBaseURL, IDPAddr: hostOf(info.IDPBaseURL), SPAddr: hostOf(info.SPBaseURL),
					TenantFile: tenantPath, TenantDigest: tenantDigest, Token: token}
				if mode == lab.LoopbackTLS {
					// check reaches this serve over HTTPS from the CA made at
					// start; its certificate is public.
					rec.CAPEM = string(l.CA.CertPEM())
				}
				if opts.data != "" {
					rec.DataDir = absPath(opts.data)
				}
				if remove, err := servectl.Write(dir, rec); err != nil {
					fmt.Fprintf(e.stderr, "ssowiz: warning: %v; ssowiz check --app will not find this serve\n", err)
				} else {
					defer remove()
				}
			}
			info := servedInfo{Info: l.Info(), TLSCAFile: opts.tlsCA}
			if opts.secretsFile != "" {
				if err := writeSecrets(opts.secretsFile, info.Info); err != nil {
					return failed(err)
				}
				if opts.data == "" {
					// In memory, the token and passwords die with the
					// process: so does the file.
					defer os.Remove(opts.secretsFile)
				}
				info = info.withoutSecrets(opts.secretsFile)
			}
			if opts.json {
				enc := json.NewEncoder(e.stdout)
				if err := enc.Encode(info); err != nil {
					return failed(err)
				}
			} else {
				printInfo(e.stdout, info, opts.data, opts.provision, opts.scimURL)
			}
			feed := !opts.json && onTerminal(e.stdout)
			if cmd.Flags().Changed("feed") {
				feed = opts.feed
			}
			if feed {
				stop := printFeed(e.stdout, l.AuditLog)
				defer stop()
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
	f.BoolVar(&opts.json, "json", false, "print one JSON object with the URLs, the live admin token and the demo users' passwords when ready")
	f.StringVar(&opts.tlsCA, "tls-ca", "", "serve both mocks over HTTPS, with certificates from a CA whose certificate is written to `FILE` (for clients that refuse HTTP, such as msal and Graph's SDKs: NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE); kept in --data and reused, else made at each start")
	f.StringVar(&opts.secretsFile, "secrets-file", "", "write the admin token, the Graph client secret and the demo passwords to `FILE` (mode 0600) instead of stdout")
	f.StringVar(&opts.scimURL, "scim-url", "", "aim the guide's app's provisioning at this SCIM `URL` (your SCIM server's base) instead of the mock RudderStack's")
	f.StringVar(&opts.scimToken, "scim-token", "", "the Secret Token sent to --scim-url (default: $SSOWIZ_SCIM_TOKEN)")
	f.StringArrayVar(&opts.spMetadata, "sp-metadata", nil, "add an app from a service provider's SAML metadata `FILE_OR_URL`, as Entra's \"Upload metadata file\" (repeatable)")
	f.StringVar(&opts.tenantFile, "tenant", "", "tenant `FILE` to serve (users, groups, apps; default: the guide's demo tenant, which ssowiz tenant init writes out)")
	f.BoolVar(&opts.provision, "provision", false, "run Entra's provisioning engine: create and update assigned users in RudderStack over SCIM")
	f.DurationVar(&opts.provisionInterval, "provision-interval", 0, "time between provisioning cycles (default 40m, as Entra's)")
	f.BoolVar(&opts.feed, "feed", false, "print each sign-in and provisioning action as it happens, one sentence a line (default: on when stdout is a terminal, off with --json)")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "log debug detail to stderr")
	f.BoolVar(&opts.noDemoHint, "no-demo-hint", false, "hide the demo users box (ssowiz's, not Entra's) on the mock Entra's Sign in page")
	f.BoolVar(&opts.singleLogout, "single-logout", false, "turn on Cognito's sign-out flow (SAML single logout) and set the app's Logout Url to the user pool's /saml2/logout: Sign out in the mock RudderStack also ends the Entra session, then stops on Cognito's page, as Entra answers by redirect and Cognito takes POST only (RudderStack does not use it)")
	f.BoolVar(&opts.noStaySignedIn, "no-stay-signed-in", false, "skip Entra's \"Stay signed in?\" page, as the tenant setting \"Show option to remain signed in\" = No does")
	return cmd
}

// printFeed prints the live feed's events to w, one sentence a line, until
// the returned function is called.
func printFeed(w io.Writer, log *auditlog.Log) (stop func()) {
	fmt.Fprintln(w, "\nWhat happens (sign-ins and provisioning), as it happens:")
	events, unsubscribe := log.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			fmt.Fprintf(w, "  %s  %s\n", ev.Time.Local().Format("15:04:05"), ev)
		}
	}()
	return func() {
		unsubscribe()
		<-done
	}
}

// waitReady returns once both servers answer HTTP, so what is printed next
// can be used at once. The two checks run together: the metadata is
// signed, and the SP's page need not wait for that.
func waitReady(ctx context.Context, l *lab.Lab) error {
	client := l.Client()
	urls := []string{l.Info().IDPMetadataURL, l.Info().SPLoginURL}
	errs := make(chan error, len(urls))
	for _, u := range urls {
		go func() { errs <- checkReady(ctx, client, u) }()
	}
	var first error
	for range urls {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// checkReady GETs u and wants a 200.
func checkReady(ctx context.Context, client *http.Client, u string) error {
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
	return nil
}

// servedInfo is what serve prints: the lab's details, and where the
// secrets went when they are not printed.
type servedInfo struct {
	lab.Info
	// SecretsFile is the --secrets-file holding admin_pat and the
	// passwords, which are then empty here.
	SecretsFile string `json:"secrets_file,omitempty"`
	// TLSCAFile is the --tls-ca file: the certificate of the CA that
	// issued the servers' HTTPS certificates.
	TLSCAFile string `json:"tls_ca_file,omitempty"`
}

// withoutSecrets blanks the token and the passwords and names the file
// that holds them.
func (s servedInfo) withoutSecrets(file string) servedInfo {
	s.SecretsFile = file
	s.AdminPAT = ""
	s.GraphClientSecret = ""
	users := make([]lab.User, len(s.Users))
	for i, u := range s.Users {
		u.Password = ""
		users[i] = u
	}
	s.Users = users
	return s
}

// secretsDoc is the --secrets-file's content.
type secretsDoc struct {
	AdminPAT          string       `json:"admin_pat"`
	GraphClientSecret string       `json:"graph_client_secret"`
	Users             []secretUser `json:"users"`
}

type secretUser struct {
	UPN      string `json:"upn"`
	Password string `json:"password"`
}

// writeSecrets writes the admin token and the demo passwords to path,
// readable by its owner only. The file is written whole under a temporary
// name (os.CreateTemp makes it 0600) and renamed, so a reader never sees
// half of it and a file that was there with a wider mode is replaced, not
// reused.
func writeSecrets(path string, info lab.Info) error {
	doc := secretsDoc{AdminPAT: info.AdminPAT, GraphClientSecret: info.GraphClientSecret, Users: []secretUser{}}
	for _, u := range info.Users {
		doc.Users = append(doc.Users, secretUser{UPN: u.UPN, Password: u.Password})
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("--secrets-file: %w", err)
	}
	if err := atomicfile.WriteBytes(path, append(data, '\n')); err != nil {
		return fmt.Errorf("--secrets-file %s: %w", path, err)
	}
	return nil
}

// printApps lists the apps other than the built-in one, each with what
// its SP needs to trust the mock Entra ID.
func printApps(w io.Writer, apps []lab.App) {
	for _, a := range apps {
		if a.Builtin {
			continue
		}
		fmt.Fprintf(w, "\nApp %q (Identifier %s, Reply URL %s):\n", a.Name, a.Identifier, a.ReplyURL)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  App Federation Metadata URL\t%s\n", a.MetadataURL)
		fmt.Fprintf(tw, "  SAML endpoint (Login URL)\t%s\n", a.SAMLEndpoint)
		fmt.Fprintf(tw, "  Microsoft Entra Identifier\t%s\n", a.EntraIdentifier)
		fmt.Fprintf(tw, "  IdP-initiated launch\t%s\n", a.IDPInitiatedURL)
		if a.LogoutURL != "" {
			fmt.Fprintf(tw, "  Logout Url (the app's; Entra's sign-out answer goes there)\t%s\n", a.LogoutURL)
		}
		tw.Flush()
	}
}

// maxListedUsers bounds the users serve lists on the terminal: a tenant
// file of thousands would scroll the addresses above out of sight.
const maxListedUsers = 20

func printInfo(w io.Writer, info servedInfo, data string, provision bool, scimURL string) {
	fmt.Fprintf(w, "ssowiz is serving a mock Entra ID tenant (%s) and a mock RudderStack.\n\n", info.TenantDomain)
	fmt.Fprintf(w, "Sign in here, as RudderStack users do:\n  %s\n\n", info.SPLoginURL)
	if info.TLSCAFile != "" {
		fmt.Fprintf(w, "HTTPS: trust the CA in %s (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, or your browser);\nit is new at each start.\n\n", info.TLSCAFile)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Mock Entra ID\t")
	fmt.Fprintf(tw, "  App Federation Metadata URL\t%s\n", info.IDPMetadataURL)
	fmt.Fprintf(tw, "  Login URL\t%s\n", info.IDPSSOURL)
	fmt.Fprintf(tw, "  IdP-initiated launch (refused by RudderStack)\t%s\n", info.IDPInitiatedURL)
	fmt.Fprintln(tw, "Mock RudderStack\t")
	fmt.Fprintf(tw, "  Identifier (Entity ID)\t%s\n", info.SPEntityID)
	fmt.Fprintf(tw, "  Reply URL (ACS)\t%s\n", info.SPACSURL)
	if info.SingleLogout {
		fmt.Fprintf(tw, "  Logout Url (single sign-out on)\t%s\n", info.SPLogoutURL)
	}
	if info.SCIMBaseURL != "" {
		fmt.Fprintf(tw, "  SCIM Tenant URL\t%s\n", info.SCIMBaseURL)
	}
	switch {
	case info.SecretsFile != "":
		fmt.Fprintf(tw, "  Admin personal access token\tin %s\n", info.SecretsFile)
	case info.AdminPAT != "":
		fmt.Fprintf(tw, "  Admin personal access token\t%s\n", info.AdminPAT)
	}
	fmt.Fprintln(tw, "Microsoft Graph (client credentials)\t")
	fmt.Fprintf(tw, "  Graph base URL\t%s\n", info.GraphBaseURL)
	fmt.Fprintf(tw, "  Token endpoint\t%s\n", info.GraphTokenURL)
	fmt.Fprintf(tw, "  Client ID\t%s\n", info.GraphClientID)
	if info.SecretsFile != "" {
		fmt.Fprintf(tw, "  Client secret\tin %s\n", info.SecretsFile)
	} else {
		fmt.Fprintf(tw, "  Client secret\t%s\n", info.GraphClientSecret)
	}
	fmt.Fprintf(tw, "  Sign-in and provisioning logs\t%s\n", info.LogsURL)
	fmt.Fprintf(tw, "  \tor ssowiz logs --follow (with AZURE_TENANT_ID=%s, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET set)\n", info.TenantID)
	tw.Flush()
	printApps(w, info.Apps)
	fmt.Fprintln(w, "\nDemo users:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  UPN\tPASSWORD\tASSIGNED\tWHAT IT REHEARSES")
	for _, u := range info.Users[:min(len(info.Users), maxListedUsers)] {
		assigned := "no"
		if u.Assigned {
			assigned = "yes"
		}
		password := u.Password
		if info.SecretsFile != "" {
			password = "(in the secrets file)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.UPN, password, assigned, u.Purpose)
	}
	tw.Flush()
	if more := len(info.Users) - maxListedUsers; more > 0 {
		where := "serve --json lists them all, with their passwords"
		if info.SecretsFile != "" {
			where = "all of them, with their passwords, are in " + info.SecretsFile
		}
		fmt.Fprintf(w, "  ... and %s: %s.\n", plural.Of(more, "more user", "more users"), where)
	}
	if info.SecretsFile != "" {
		fmt.Fprintf(w, "\nThe admin token, the Graph client secret and the passwords are in %s (readable by you only).\n", info.SecretsFile)
	}
	if provision {
		if scimURL != "" {
			fmt.Fprintf(w, "\nProvisioning is on: the guide's app's assigned users are provisioned over SCIM to %s.\n", scimURL)
		} else {
			fmt.Fprintln(w, "\nProvisioning is on: assigned users are created in RudderStack over SCIM.")
		}
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

// addSPMetadata adds an app to the tenant for each --sp-metadata, named
// after the SP's entity ID. Each is read and checked now, so a bad one is
// reported before anything starts.
func addSPMetadata(ctx context.Context, src *tenant.Source, refs []string) error {
	client := &http.Client{Timeout: 15 * time.Second}
	for _, ref := range refs {
		data, err := tenant.LoadMetadata(ctx, client, ref, "")
		if err != nil {
			return badInput(fmt.Errorf("--sp-metadata %s: %w", ref, err))
		}
		m, err := tenant.ParseSPMetadata(data)
		if err != nil {
			return badInput(fmt.Errorf("--sp-metadata %s: %w", ref, err))
		}
		if !strings.HasPrefix(ref, "http://") && !strings.HasPrefix(ref, "https://") {
			// The tenant reads it again, relative to its own file.
			if ref, err = filepath.Abs(ref); err != nil {
				return badInput(fmt.Errorf("--sp-metadata: %w", err))
			}
		}
		src.AddMetadataApp(ref, m)
	}
	return nil
}

// absPath is path made absolute, or path itself if that fails.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// hostOf is a URL's host:port, or the text itself if it is not a URL.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}
