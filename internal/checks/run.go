package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/browser"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// RunOptions configures Run.
type RunOptions struct {
	// Only runs just these checks; Skip leaves these out. Each names a
	// check by ID or number; an unknown name is ErrUnknownCheck.
	Only, Skip []string
	// HARDir, when set, receives one HAR 1.2 file per check that drives
	// the browser ("03-sp-sign-in.har"), one page per flow. The directory
	// must exist. Secrets are redacted unless HARRaw.
	HARDir string
	// HARRaw keeps cookies, tokens, passwords and SAML values in the HAR
	// files. They are then as sensitive as the credentials themselves.
	HARRaw bool
	// OnEvent receives progress: each check's start, its notable steps and
	// its result. It is called on the goroutine running the checks, so it
	// must return quickly (a wizard forwards it as a message).
	OnEvent func(Event)

	// ConfigureEntra, when set, does the guide's Entra steps instead of the
	// rehearsal (create the app, Basic SAML Configuration, claims, users):
	// it gets the fresh mocks and returns the Application ID of the app it
	// made, which RudderStack is then given, as the admin sends the App
	// Federation Metadata URL. RudderStack's side, the Provisioning page's
	// token and the checks follow as usual. `ssowiz export`'s test runs
	// its Graph script here.
	ConfigureEntra func(ctx context.Context, l *lab.Lab) (appID string, err error)

	// afterApply changes the mocks after the setup is applied, for tests
	// of what no setup field holds (an expiring certificate).
	afterApply func(context.Context, *rehearsal) error
}

// Run rehearses the setup on a fresh pair of mocks and runs the checks in
// catalogue order. The error is for what stopped the rehearsal itself:
// ErrUnknownCheck, a *SetupError, mocks that would not start, or a
// cancelled context (the report then holds the checks that finished).
func (e *Env) Run(ctx context.Context, s setup.Setup, opts RunOptions) (*Report, error) {
	checks, err := Select(opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	if ps := rehearsable(s); len(ps) > 0 {
		return nil, &SetupError{Problems: ps}
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	rep := &Report{Started: e.now()}
	defer func() { rep.Duration = e.now().Sub(rep.Started) }()

	m, eng, err := e.startMocks(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		eng.Close()
		m.lab.CloseNow()
	}()
	r := &rehearsal{s: s, m: m, eng: eng, now: e.now, opts: opts}
	if err := r.apply(ctx, e); err != nil {
		return nil, err
	}
	if opts.afterApply != nil {
		if err := opts.afterApply(ctx, r); err != nil {
			return nil, err
		}
	}
	for i, c := range checks {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		ev := Event{Check: c, Index: i + 1, Total: len(checks)}
		r.emit = func(msg string) {
			if opts.OnEvent != nil {
				p := ev
				p.Kind, p.Message = Progress, msg
				opts.OnEvent(p)
			}
		}
		if opts.OnEvent != nil {
			ev.Kind = Started
			opts.OnEvent(ev)
		}
		res := r.run(ctx, c)
		rep.Results = append(rep.Results, res)
		if opts.OnEvent != nil {
			ev.Kind, ev.Result = Finished, &res
			opts.OnEvent(ev)
		}
	}
	return rep, ctx.Err()
}

// rehearsal is one Run's state: the setup, the mocks it was applied to,
// and what applying it left behind.
type rehearsal struct {
	s    setup.Setup
	m    mocks
	eng  *provisioning.Engine
	now  func() time.Time
	opts RunOptions
	// app is what the portal refused and what could not be rehearsed.
	app applied
	// token is the Secret Token Entra sends; generated says it is the
	// token generated in RudderStack (not a fixed value from the setup).
	token     string
	generated bool
	// heldRole is the role of the token the admin holds, when it was
	// generated in this Env; spaces says the Secret Token was typed with
	// spaces around it.
	heldRole string
	spaces   bool

	// The running check's HAR recorder (nil when not recording) and
	// progress callback.
	rec  *har.Recorder
	emit func(string)
}

// apply follows the guide on the fresh mocks: create the app, configure
// it, set your RudderStack role and the SCIM switch, generate the token,
// and save the Provisioning page.
func (r *rehearsal) apply(ctx context.Context, e *Env) error {
	name := r.s.App.Name
	if strings.TrimSpace(name) == "" {
		name = setup.GuideAppName
		r.app.notes = append(r.app.notes, fmt.Sprintf("The app has no name; the rehearsal calls it %q.", name))
	}
	if r.opts.ConfigureEntra != nil {
		appID, err := r.opts.ConfigureEntra(ctx, r.m.lab)
		if err != nil {
			return fmt.Errorf("configure Entra: %w", err)
		}
		if err := r.m.adopt(ctx, appID); err != nil {
			return err
		}
	} else {
		if _, err := r.m.createApp(ctx, name); err != nil {
			return fmt.Errorf("create the app: %w", err)
		}
		if err := r.m.applyEntra(ctx, r.s, &r.app); err != nil {
			return err
		}
	}
	if err := r.m.applyRudderStack(ctx, r.s); err != nil {
		return err
	}
	// The checks test the token the admin holds: one generated earlier in
	// this Env is made afresh with the name and role it was generated
	// with (not the setup's, which may have changed since), and spaces
	// typed around it stay, since Entra sends the Secret Token as typed.
	st := r.s.Provisioning.SecretToken
	trimmed := strings.TrimSpace(st)
	lead, trail, _ := strings.Cut(st, trimmed)
	want := heldPAT{name: r.s.RudderStack.PAT.Name, role: r.s.RudderStack.PAT.Role}
	var held bool
	if st == "" {
		if h, ok := e.heldLast(); ok {
			want, r.heldRole = h, h.role
		}
		held = true
	} else if h, ok := e.held(trimmed); ok && trimmed != "" {
		want, r.heldRole, held = h, h.role, true
		r.spaces = st != trimmed
	}
	if strings.TrimSpace(want.name) == "" {
		want.name = setup.GuidePATName
	}
	token, _, err := r.m.generatePAT(ctx, want.name, want.role)
	if err != nil {
		return err
	}
	if held {
		r.token, r.generated = lead+token+trail, true
	} else {
		r.token = st
	}
	return r.m.applyProvisioning(ctx, r.s, r.token, &r.app)
}

// run runs one check, timing it and recording its browser flows.
func (r *rehearsal) run(ctx context.Context, c Check) Result {
	r.rec = nil
	if c.Browser && r.opts.HARDir != "" {
		r.rec = har.NewRecorder(r.m.lab.Transport(), har.RecorderOptions{Now: r.now, Creator: har.Creator{Name: "ssowiz check", Version: "1"}})
	}
	start := r.now()
	res := c.run(ctx, r)
	res.ID, res.Number, res.Title, res.Proves = c.ID, c.Number, c.Title, c.Proves
	if r.rec != nil && len(r.rec.HAR().Log.Entries) > 0 {
		path, err := r.writeHAR(c)
		if err != nil {
			res.Details = append(res.Details, "The HAR file could not be written: "+err.Error())
		} else {
			res.HAR = path
		}
	}
	res.Duration = r.now().Sub(start)
	r.rec = nil
	return res
}

func (r *rehearsal) writeHAR(c Check) (string, error) {
	path := filepath.Join(r.opts.HARDir, fmt.Sprintf("%02d-%s.har", c.Number, c.ID))
	perm := os.FileMode(0o644)
	if r.opts.HARRaw {
		perm = 0o600
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return "", err
	}
	_, werr := r.rec.Write(f, har.WriteOptions{Raw: r.opts.HARRaw})
	if err := errors.Join(werr, f.Close()); err != nil {
		return "", err
	}
	return path, nil
}

// progress reports a step of the running check.
func (r *rehearsal) progress(format string, args ...any) {
	if r.emit != nil {
		r.emit(fmt.Sprintf(format, args...))
	}
}

// browser returns a fresh browser (an empty cookie jar, as a private
// window) for one flow, recorded as a HAR page when recording.
func (r *rehearsal) browser(flow string) (*browser.Browser, error) {
	if r.rec == nil {
		return r.m.lab.NewBrowser(browser.Options{})
	}
	r.rec.StartPage(flow)
	return browser.New(browser.Options{Transport: r.rec})
}

// account is a tenant user with the password the rehearsal signs in with.
type account struct {
	directoryUser
	password string
}

// signIn plays the user signing in at RudderStack's /sso with a fresh
// browser, as lab.SignIn does: the work email, then Entra's pages.
func (r *rehearsal) signIn(ctx context.Context, flow string, u account) (lab.Outcome, error) {
	b, err := r.browser(flow)
	if err != nil {
		return lab.Outcome{}, err
	}
	email := u.Mail
	if email == "" {
		email = u.UserPrincipalName
	}
	return r.m.lab.SignIn(ctx, b, email, u.UserPrincipalName, u.password)
}
