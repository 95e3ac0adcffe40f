package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/ssowiz/ssowiz/internal/appcheck"
	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/checks/report"
	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/servectl"
	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/internal/yamlfile"
)

// signingKey is the one RSA key this process signs SAML with: making one
// takes longer than a whole rehearsal, so every rehearsal reuses it.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// checkOverrides are the flags that set one setup value each, by path.
var checkOverrides = []struct{ flag, path, usage string }{
	{"identifier", "saml.identifier", "Identifier (Entity ID)"},
	{"reply-url", "saml.reply_url", "Reply URL (Assertion Consumer Service URL)"},
	{"sign-on-url", "saml.sign_on_url", "Sign on URL"},
	{"relay-state", "saml.relay_state", "Relay State"},
	{"org-role", "rudderstack.org_role", `your role in RudderStack: "Org Admin" or "Member"`},
	{"pat-role", "rudderstack.pat.role", "the personal access token's Role: Admin or Member"},
	{"tenant-url", "provisioning.tenant_url", "Tenant URL"},
	{"secret-token", "provisioning.secret_token", "Secret Token (default: the token generated in RudderStack)"},
}

type checkOptions struct {
	config     string
	printSetup bool
	set        []string
	overrides  map[string]*string
	json       bool
	junit      string
	only, skip []string
	harDir     string
	harRaw     bool
	verbose    bool
	// tenant, app, data and the addresses run the generic checks against
	// one app of a tenant file (--app).
	tenant, app, data, idpAddr, spAddr string
}

func newCheckCmd(e *env) *cobra.Command {
	o := checkOptions{overrides: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Rehearse a setup end to end against the mocks and say which field to fix",
		Long: `Rehearse the values an admin types into Entra ID and RudderStack, end to end and
offline: a mock Entra ID and a mock RudderStack start in-process under the real host
names (login.microsoftonline.com, app/auth2/api.rudderstack.com, over TLS from a CA
made at start-up), the setup is applied to them verbatim, and a scripted browser and
Entra's provisioning engine run the sign-in and SCIM flows. Each check prints a line
as it runs; a failed one names the field, the screen it is on, its value and the
value it must have.

The checks (IDs for --only and --skip; numbers work too):
  1 setup            Setup values are valid (static validation against the guide)
  2 metadata         App Federation Metadata is usable and its certificate valid
  3 sp-sign-in       SP-initiated sign-in from /sso, Email and LastName, JIT
  4 assignment       Unassigned users are refused (AADSTS50105)
  5 idp-initiated    IdP-initiated launch is refused by RudderStack, as expected
  6 scim-connection  Admin token of an Org Admin; Test Connection
  7 provisioning     Provisioning creates, updates, deactivates and restores users
  8 known-issues     Group provisioning and the Delete action are off

The setup comes from --config FILE (YAML or JSON; --print-setup writes one to start
from), or is the guide's values. Single values can be overridden with the flags
below or --set PATH=VALUE (PATH as in the file: saml.reply_url,
claims.additional[0].name, users.assigned=a@x,b@x, users.groups="Sales,Data team").
users.assigned lists the users assigned directly and users.groups the groups
assigned by name (their direct members are assigned); with neither, the
tenant's own assignments are kept.

--json prints one JSON document on stdout (version 1; shape documented in package
internal/checks/report):
  {"version":1, "ok":false, "setup":"FILE", "started":"…", "duration_ms":N,
   "summary":{"total","passed","failed","warnings","skipped"},
   "checks":[{"id","number","title","proves","result":"pass|fail|warn|skip",
     "duration_ms","summary","details":[…],
     "remediations":[{"field","line","screen","label","value","expected","problem","fix"}],
     "har"}]}

--har DIR writes one HAR 1.2 file per check that drives the browser, with cookies,
tokens, passwords and SAML values redacted; --har-raw keeps them.

SOURCE_DATE_EPOCH, when set, freezes the mocks' clock at that time (seconds since
1970), for output that is the same from run to run.

With --tenant FILE --app NAME it runs instead the checks that hold for any SAML app
against your own app of a tenant file: the App Federation Metadata, an SP-initiated
sign-in from the app's start URL judged by its sign_in condition (final URL prefix,
status, text), an unassigned user refused, what an IdP-initiated launch gives, and,
when the app provisions, SCIM Test Connection and a provisioning lifecycle. While
ssowiz serve runs on --idp-addr, the checks run inside it (the mock Entra ID your
app trusts), with the tenant file it read; otherwise the mocks start on serve's
addresses, so give the --data serve used. A failure names the tenant
file's field and line.

With --tenant FILE alone, the guide's checks above run in your own tenant: its
users, groups and other apps, with its app marked rudderstack (or the guide's,
added, with its first enabled user as the Org Admin) set up as the setup says.

Exit status: 0 every check passed (warnings allowed), 1 a check failed, 2 the input
was wrong (setup file, flag, value).`,
		Example: `  ssowiz check
  ssowiz check --print-setup > setup.yaml
  ssowiz check --config setup.yaml --json > result.json
  ssowiz check --reply-url https://auth2.rudderstack.com/saml2/idpresponse/
  ssowiz check --set claims.additional[0].name=email --only sp-sign-in
  ssowiz check --config setup.yaml --junit report.xml --har ./hars
  ssowiz check --tenant tenant.yaml --config setup.yaml
  ssowiz check --tenant tenant.yaml --app "My app" --data ./.ssowiz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), e, cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "", "the setup `FILE` (YAML or JSON); default: the guide's values")
	f.BoolVar(&o.printSetup, "print-setup", false, "write the setup (the guide's values, or FILE with the overrides) as a setup file to stdout, and stop")
	for _, ov := range checkOverrides {
		o.overrides[ov.flag] = f.String(ov.flag, "", ov.usage+" ("+ov.path+")")
	}
	f.StringArrayVar(&o.set, "set", nil, "set one setup value, `PATH=VALUE` (repeatable)")
	f.BoolVar(&o.json, "json", false, "print the results as one JSON document")
	f.StringVar(&o.junit, "junit", "", "also write the results as JUnit XML to `FILE`")
	f.StringSliceVar(&o.only, "only", nil, "run only these checks (`IDs` or numbers, comma-separated)")
	f.StringSliceVar(&o.skip, "skip", nil, "leave out these checks (`IDs` or numbers, comma-separated)")
	f.StringVar(&o.harDir, "har", "", "write a HAR file of each browser flow to `DIR` (secrets redacted)")
	f.BoolVar(&o.harRaw, "har-raw", false, "keep cookies, tokens, passwords and SAML values in the HAR files")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print the evidence of checks that passed too")
	f.StringVar(&o.tenant, "tenant", "", "the tenant `FILE` to rehearse in (its users, groups and apps), or that holds the app --app names")
	f.StringVar(&o.app, "app", "", "run the generic checks against this app of the --tenant file, by `NAME`")
	f.StringVar(&o.data, "data", "", "with --app: the `DIR` serve keeps its state in, so your app's trust (tenant, app ID, certificate) holds")
	f.StringVar(&o.idpAddr, "idp-addr", defaultIDPAddr, "with --app: address of serve's mock Entra ID; a serve running there runs the checks, else check listens on it")
	f.StringVar(&o.spAddr, "sp-addr", defaultSPAddr, "with --app: listen address of the mock RudderStack (serve's)")
	return cmd
}

// checkSetup reads the setup and applies the overrides, in flag order.
func checkSetup(cmd *cobra.Command, o checkOptions) (setup.Setup, error) {
	s := setup.Default()
	if o.config != "" {
		var err error
		if s, err = setup.ReadFile(o.config); err != nil {
			return setup.Setup{}, err
		}
	}
	for _, ov := range checkOverrides {
		if cmd.Flags().Changed(ov.flag) {
			if err := s.Set(ov.path, *o.overrides[ov.flag]); err != nil {
				return setup.Setup{}, fmt.Errorf("--%s: %w", ov.flag, err)
			}
		}
	}
	for _, kv := range o.set {
		path, value, ok := strings.Cut(kv, "=")
		if !ok {
			return setup.Setup{}, fmt.Errorf("--set %q: write PATH=VALUE, e.g. --set saml.reply_url=%s", kv, setup.GuideReplyURL)
		}
		if err := s.Set(strings.TrimSpace(path), value); err != nil {
			return setup.Setup{}, err
		}
	}
	return s, nil
}

// frozenClock reads SOURCE_DATE_EPOCH: nil when unset.
func frozenClock(getenv func(string) string) (func() time.Time, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return nil, nil
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("SOURCE_DATE_EPOCH=%q: must be seconds since 1970-01-01 UTC", v)
	}
	t := time.Unix(secs, 0).UTC()
	return func() time.Time { return t }, nil
}

func runCheck(ctx context.Context, e *env, cmd *cobra.Command, o checkOptions) error {
	if o.app != "" {
		return runAppCheck(ctx, e, o)
	}
	s, err := checkSetup(cmd, o)
	if err != nil {
		return badInput(err)
	}
	if o.printSetup {
		data, err := setup.Marshal(s)
		if err != nil {
			return failed(err)
		}
		_, err = e.stdout.Write(data)
		return err
	}
	if _, err := checks.Select(o.only, o.skip); err != nil {
		return badInput(err)
	}
	now, err := frozenClock(e.getenv)
	if err != nil {
		return badInput(err)
	}
	var junit *os.File
	if o.junit != "" {
		if junit, err = os.Create(o.junit); err != nil {
			return badInput(fmt.Errorf("--junit: %w", err))
		}
		defer junit.Close()
	}
	if o.harDir != "" {
		if err := os.MkdirAll(o.harDir, 0o700); err != nil {
			return badInput(fmt.Errorf("--har: %w", err))
		}
		if o.harRaw {
			fmt.Fprintf(e.stderr, "ssowiz: warning: --har-raw keeps cookies, tokens, passwords and SAML assertions in %s; treat the files like passwords and never share them.\n", o.harDir)
		}
	} else if o.harRaw {
		return badInput(errors.New("--har-raw needs --har DIR"))
	}

	// Results go to stdout as they come, unless stdout carries JSON; a
	// spinner shows the running check where a terminal is there to see it.
	p := &progress{opts: report.TextOptions{Verbose: o.verbose}}
	if !o.json {
		p.out = e.stdout
		if isTerminal(e.stdout, e.getenv) {
			p.spin = e.stdout
		}
	} else if isTerminal(e.stderr, e.getenv) {
		p.spin = e.stderr
	}
	if p.out != nil {
		where := "the guide's values"
		if o.config != "" {
			where = o.config
		}
		in := ""
		if o.tenant != "" {
			in = " (serving " + o.tenant + ")"
		}
		fmt.Fprintf(p.out, "Rehearsing %s against mock Entra ID%s and mock RudderStack (offline).\n\n", where, in)
	}
	var tf *tenant.File
	if o.tenant != "" {
		// The guide's checks in your own tenant: its users and groups,
		// with its RudderStack app (or the guide's, added) set up as the
		// setup says.
		if tf, _, err = guideTenant(o.tenant); err != nil {
			return err
		}
	}
	env := checks.New(checks.Options{NewKey: signingKey, Now: now, Tenant: tf})
	defer env.Close()
	p.start()
	rep, err := env.Run(ctx, s, checks.RunOptions{Only: o.only, Skip: o.skip, HARDir: o.harDir, HARRaw: o.harRaw, OnEvent: p.event})
	p.stop()
	switch {
	case errors.Is(err, checks.ErrBadSetup), errors.Is(err, checks.ErrUnknownCheck):
		return badInput(err)
	case rep == nil:
		return failed(err)
	}
	if p.out != nil {
		report.Verdict(p.out, rep)
	}
	if o.json {
		if werr := report.JSON(e.stdout, rep, o.config); werr != nil {
			return failed(werr)
		}
	}
	if junit != nil {
		if werr := report.JUnit(junit, rep); werr != nil {
			return failed(fmt.Errorf("--junit: %w", werr))
		}
	}
	switch {
	case err != nil:
		return failed(fmt.Errorf("the rehearsal stopped: %w", err))
	case !rep.OK():
		return failed(nil)
	}
	return nil
}

func isTerminal(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	return ok && getenv("TERM") != "dumb" && term.IsTerminal(f.Fd())
}

// spinnerFrames are the frames of the running check's spinner.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// progress shows the checks as they run: each result as a block of text
// on out, and on a terminal a spinner line naming the running check and
// its step, redrawn in place.
type progress struct {
	out  io.Writer // results; nil with --json
	spin io.Writer // the terminal for the spinner; nil when there is none
	opts report.TextOptions

	mu      sync.Mutex
	current string
	frame   int
	quit    chan struct{}
	done    chan struct{}
}

func (p *progress) start() {
	if p.spin == nil {
		return
	}
	p.quit, p.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) stop() {
	if p.quit == nil {
		return
	}
	close(p.quit)
	<-p.done
	p.mu.Lock()
	p.clear()
	p.mu.Unlock()
}

// draw redraws the spinner line; p.mu is held.
func (p *progress) draw() {
	if p.spin == nil || p.current == "" {
		return
	}
	p.frame = (p.frame + 1) % len(spinnerFrames)
	fmt.Fprintf(p.spin, "\r\033[K%s %s", spinnerFrames[p.frame], p.current)
}

// clear erases the spinner line; p.mu is held.
func (p *progress) clear() {
	if p.spin != nil {
		fmt.Fprint(p.spin, "\r\033[K")
	}
}

func (p *progress) event(ev checks.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	total := p.opts.Total
	if total == 0 {
		total = len(checks.Catalogue())
	}
	head := fmt.Sprintf("[%d/%d] %s: %s", ev.Check.Number, total, ev.Check.ID, ev.Check.Title)
	switch ev.Kind {
	case checks.Started:
		p.current = head
		p.draw()
	case checks.Progress:
		p.current = head + " — " + ev.Message
		p.draw()
	case checks.Finished:
		p.current = ""
		p.clear()
		if p.out != nil {
			report.Result(p.out, *ev.Result, p.opts)
		}
	}
}

// runAppCheck runs the generic checks against one app of a tenant file.
// A serve running on --idp-addr is the mock Entra ID the app trusts, and
// holds the ports and the state: the checks run inside it. Otherwise
// they run on mocks started as serve starts them.
func runAppCheck(ctx context.Context, e *env, o checkOptions) error {
	if o.tenant == "" {
		return badInput(errors.New("--app needs --tenant: ssowiz check --tenant FILE --app NAME"))
	}
	f, err := readTenant(o.tenant)
	if err != nil {
		return err
	}
	p := &progress{opts: report.TextOptions{Verbose: o.verbose, Total: len(appcheck.Catalogue())}}
	if !o.json {
		p.out = e.stdout
		if isTerminal(e.stdout, e.getenv) {
			p.spin = e.stdout
		}
	}
	var run func(ctx context.Context, progress func(checks.Event)) (*checks.Report, error)
	if rec, ok := runningServe(o.idpAddr); ok {
		if err := sameServe(rec, o, f); err != nil {
			return badInput(err)
		}
		client, err := rec.Client()
		if err != nil {
			return failed(err)
		}
		run = func(ctx context.Context, progress func(checks.Event)) (*checks.Report, error) {
			return servectl.Run(ctx, client, rec, o.app, progress)
		}
		if p.out != nil {
			fmt.Fprintf(p.out, "Checking the app %q of %s in the ssowiz serve running on %s (pid %d), whose mock Entra ID your app trusts.\n\n", o.app, o.tenant, rec.IDPAddr, rec.PID)
		}
	} else {
		l, err := lab.Start(ctx, lab.Options{IDPAddr: o.idpAddr, SPAddr: o.spAddr, DataDir: o.data, Tenant: f, NewKey: signingKey})
		if errors.Is(err, syscall.EADDRINUSE) {
			return badInput(fmt.Errorf("%w\nNo ssowiz serve of yours is running there: stop what holds the port, or give check and serve other addresses (--idp-addr, --sp-addr)", err))
		}
		if errors.Is(err, yamlfile.ErrFormat) {
			return badInput(err)
		}
		if err != nil {
			return failed(err)
		}
		defer l.CloseNow()
		run = func(ctx context.Context, progress func(checks.Event)) (*checks.Report, error) {
			return appcheck.Run(ctx, l, appcheck.Options{File: f, App: o.app, Progress: progress})
		}
		if p.out != nil {
			fmt.Fprintf(p.out, "Checking the app %q of %s against the mock Entra ID.\n\n", o.app, o.tenant)
		}
	}
	p.start()
	rep, err := run(ctx, p.event)
	p.stop()
	var remote *servectl.RemoteError
	if errors.Is(err, appcheck.ErrNoApp) || errors.Is(err, appcheck.ErrBuiltin) || errors.As(err, &remote) && remote.BadInput {
		return badInput(err)
	}
	if errors.Is(err, servectl.ErrNotServing) {
		return failed(fmt.Errorf("serve stopped while the checks ran: %w", err))
	}
	if err != nil {
		return failed(err)
	}
	if p.out != nil {
		report.Verdict(p.out, rep)
	}
	if o.json {
		if err := report.JSON(e.stdout, rep, o.tenant); err != nil {
			return failed(err)
		}
	}
	if !rep.OK() {
		return failed(nil)
	}
	return nil
}

// runningServe finds the record of a serve of this user on idpAddr that
// still answers on it.
func runningServe(idpAddr string) (servectl.Record, bool) {
	dir, err := servectl.Dir()
	if err != nil {
		return servectl.Record{}, false
	}
	rec, ok, err := servectl.Find(dir, idpAddr)
	if err != nil || !ok {
		return servectl.Record{}, false
	}
	// A record left by a serve that was killed names a port that is free
	// now, or that another program holds.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	client, err := rec.Client()
	if err != nil {
		return servectl.Record{}, false
	}
	if err := servectl.Ping(ctx, client, rec); err != nil {
		return servectl.Record{}, false
	}
	return rec, true
}

// sameServe refuses a check whose tenant file or data directory is not
// the running serve's: its results would be about another tenant.
func sameServe(rec servectl.Record, o checkOptions, f *tenant.File) error {
	who := fmt.Sprintf("the ssowiz serve running on %s (pid %d)", rec.IDPAddr, rec.PID)
	if o.data != "" {
		if abs, err := filepath.Abs(o.data); err == nil && abs != rec.DataDir {
			kept := rec.DataDir
			if kept == "" {
				kept = "memory (no --data)"
			}
			return fmt.Errorf("%s keeps its state in %s, not %s: give check the same --data, or leave --data out to use serve's", who, kept, o.data)
		}
	}
	if f.Digest() != rec.TenantDigest {
		served := rec.TenantFile
		if served == "" {
			served = "the demo tenant"
		}
		return fmt.Errorf("%s serves %s as it was when serve started, and %s differs: restart serve so it applies your file, or check against the file it serves", who, served, o.tenant)
	}
	return nil
}
