package checks

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// Options configures an Env.
type Options struct {
	// NewKey makes the RSA keys of SAML signing certificates. Nil makes
	// one RSA-2048 key on first use and reuses it for every app this Env
	// creates: generating a key takes a noticeable fraction of a second,
	// more than a whole rehearsal.
	NewKey func() (*rsa.PrivateKey, error)
	// Now is the mocks' clock, and times the checks; nil means time.Now.
	// Tests freeze it.
	Now func() time.Time
	// Logger receives the mocks' diagnostics (never secrets); nil
	// discards.
	Logger *slog.Logger
	// Tenant is the rehearsal's directory: the admin's own tenant file,
	// with the app being set up (see tenant.File.WithGuideApp); nil is the
	// guide's demo tenant.
	Tenant *tenant.File
}

// Env is a rehearsal environment: what the wizard keeps open while the
// admin types, and what `ssowiz check` uses once. Its live operations
// (CreateApp, Apply, GeneratePAT, TestConnection) act on one pair of mocks
// started on first use, as the admin's steps act on Entra and RudderStack;
// Run rehearses a whole setup on a fresh pair. It is safe for concurrent
// use.
type Env struct {
	opts   Options
	newKey func() (*rsa.PrivateKey, error)
	now    func() time.Time
	logger *slog.Logger

	mu     sync.Mutex
	closed bool
	live   *liveMocks
	// generated holds, by SHA-256, the name and role of each token
	// GeneratePAT returned, so a setup whose Secret Token is one of them
	// rehearses that token (a fresh one with its name and role) rather
	// than a fixed value.
	generated map[[32]byte]heldPAT
	lastToken string
}

// liveMocks are the mocks the live operations act on.
type liveMocks struct {
	m   mocks
	eng *provisioning.Engine
}

// New returns an environment; nothing starts until it is used.
func New(opts Options) *Env {
	e := &Env{opts: opts, newKey: opts.NewKey, now: opts.Now, logger: opts.Logger, generated: map[[32]byte]heldPAT{}}
	if e.newKey == nil {
		e.newKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	return e
}

// Close stops the live mocks. Runs in progress finish on their own mocks.
func (e *Env) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	if e.live == nil {
		return nil
	}
	err := errors.Join(e.live.eng.Close(), e.live.m.lab.CloseNow())
	e.live = nil
	return err
}

// startMocks starts a pair of mocks in Rehearsal mode with Entra's
// provisioning engine, and finds the handles a setup is applied through.
func (e *Env) startMocks(ctx context.Context) (mocks, *provisioning.Engine, error) {
	l, err := lab.Start(ctx, lab.Options{Mode: lab.Rehearsal, Now: e.opts.Now, NewKey: e.newKey, Logger: e.logger, Tenant: e.opts.Tenant})
	if err != nil {
		return mocks{}, nil, fmt.Errorf("start the mocks: %w", err)
	}
	eng, err := l.NewProvisioning(ctx, lab.ProvisioningOptions{Now: e.opts.Now, Logger: e.logger.With("component", "provisioning")})
	if err != nil {
		l.CloseNow()
		return mocks{}, nil, err
	}
	m, err := openMocks(ctx, l)
	if err != nil {
		eng.Close()
		l.CloseNow()
		return mocks{}, nil, err
	}
	return m, eng, nil
}

// liveLocked returns the live mocks, starting them on first use. e.mu is
// held.
func (e *Env) liveLocked(ctx context.Context) (*liveMocks, error) {
	if e.closed {
		return nil, ErrClosed
	}
	if e.live != nil {
		return e.live, nil
	}
	m, eng, err := e.startMocks(ctx)
	if err != nil {
		return nil, err
	}
	e.live = &liveMocks{m: m, eng: eng}
	return e.live, nil
}

// App is an enterprise app as Entra shows it once created, with the values
// its Single sign-on page offers to copy.
type App struct {
	// Name is the display name.
	Name string
	// ApplicationID is the "Application ID" (client ID); ObjectID the
	// enterprise app's "Object ID"; TenantID the directory's ID.
	ApplicationID, ObjectID, TenantID string
	// AppFederationMetadataURL is what the guide says to share with
	// RudderStack.
	AppFederationMetadataURL string
	// LoginURL and EntraIdentifier are "Login URL" and "Microsoft Entra
	// Identifier" under "Set up <app>".
	LoginURL, EntraIdentifier string
	// CertificateThumbprint and CertificateExpiry describe the active SAML
	// signing certificate.
	CertificateThumbprint string
	CertificateExpiry     time.Time
	// UserAccessURL is the My Apps tile's link (Properties).
	UserAccessURL string
}

func (m mocks) app(ctx context.Context) (App, error) {
	a, err := m.lab.Directory.App(ctx, m.appID)
	if err != nil {
		return App{}, err
	}
	v, err := m.lab.IDP.Setup(ctx, m.appID)
	if err != nil {
		return App{}, err
	}
	return App{Name: a.Name, ApplicationID: a.AppID, ObjectID: a.ServicePrincipalID, TenantID: m.tenantID,
		AppFederationMetadataURL: v.AppFederationMetadataURL, LoginURL: v.LoginURL, EntraIdentifier: v.MicrosoftEntraIdentifier,
		CertificateThumbprint: v.CertificateThumbprint, CertificateExpiry: v.CertificateExpiry, UserAccessURL: v.UserAccessURL}, nil
}

// CreateApp is step 1 of the guide: Enterprise applications › New
// application › Create your own application, with the given name. The new
// app has Entra's defaults (no Basic SAML Configuration, the default
// claims) and replaces the one created before; RudderStack holds its
// App Federation Metadata URL.
func (e *Env) CreateApp(ctx context.Context, name string) (App, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lm, err := e.liveLocked(ctx)
	if err != nil {
		return App{}, err
	}
	if _, err := lm.m.createApp(ctx, name); err != nil {
		var fe *directory.FieldError
		if errors.As(err, &fe) {
			return App{}, &SetupError{Problems: []FieldProblem{{Field: "app.name", Value: name, Problem: fe.Error()}}}
		}
		return App{}, err
	}
	return lm.m.app(ctx)
}

// CurrentApp returns the live app: the one CreateApp made, or the
// tenant's demo app before that.
func (e *Env) CurrentApp(ctx context.Context) (App, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lm, err := e.liveLocked(ctx)
	if err != nil {
		return App{}, err
	}
	return lm.m.app(ctx)
}

// User is a user of the rehearsal tenant, for the Users and groups step.
type User struct {
	UPN, DisplayName string
	// Assigned says whether the live app has the user, directly or
	// through a group; Direct, whether directly.
	Assigned, Direct bool
	Enabled          bool
	HasMail          bool
	// Purpose says what the user is there to rehearse.
	Purpose string
}

// Users lists the rehearsal tenant's users: the names setup.Users.Assigned
// may hold.
func (e *Env) Users(ctx context.Context) ([]User, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lm, err := e.liveLocked(ctx)
	if err != nil {
		return nil, err
	}
	// One query for the app's assigned users, not one per user: a tenant
	// file may hold thousands.
	assigned, err := lm.m.lab.Directory.AssignedUserIDs(ctx, lm.m.appID)
	if err != nil {
		return nil, err
	}
	as, err := lm.m.lab.Directory.Assignments(ctx, lm.m.appID)
	if err != nil {
		return nil, err
	}
	direct := map[string]bool{}
	for _, a := range as {
		if a.PrincipalType == directory.PrincipalUser {
			direct[a.PrincipalID] = true
		}
	}
	var out []User
	for _, u := range lm.m.lab.Tenant().Users {
		if !u.Exists {
			continue
		}
		id := strings.ToLower(u.ObjectID)
		out = append(out, User{UPN: u.UPN, DisplayName: u.DisplayName, Assigned: assigned[id], Direct: direct[id],
			Enabled: u.Enabled, HasMail: u.HasMail, Purpose: u.Note})
	}
	return out, nil
}

// Group is a group of the rehearsal tenant, for the Users and groups step.
type Group struct {
	Name, Description string
	// Members are the UPNs of its direct members who are users (groups
	// nested in it are not assigned with it, as in Entra).
	Members []string
	// Assigned says whether the live app has the group.
	Assigned bool
}

// Groups lists the rehearsal tenant's groups by name: the names
// setup.Users.Groups may hold.
func (e *Env) Groups(ctx context.Context) ([]Group, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lm, err := e.liveLocked(ctx)
	if err != nil {
		return nil, err
	}
	d := lm.m.lab.Directory
	groups, err := d.Groups(ctx)
	if err != nil {
		return nil, err
	}
	as, err := d.Assignments(ctx, lm.m.appID)
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		members, err := d.GroupMembers(ctx, g.ObjectID)
		if err != nil {
			return nil, err
		}
		og := Group{Name: g.DisplayName, Description: g.Description, Members: make([]string, len(members))}
		for i, u := range members {
			og.Members[i] = u.UserPrincipalName
		}
		og.Assigned = slices.ContainsFunc(as, func(a directory.Assignment) bool {
			return a.PrincipalType == directory.PrincipalGroup && strings.EqualFold(a.PrincipalID, g.ObjectID)
		})
		out = append(out, og)
	}
	return out, nil
}

// Applied says what applying a setup could not do as written.
type Applied struct {
	// Refused are the values Entra's portal would not save, each with
	// the field it is in; the app keeps what it had there.
	Refused []Remediation
	// Notes are what the rehearsal cannot reproduce exactly.
	Notes []string
}

// Apply configures the live app and RudderStack as the setup says,
// verbatim: Basic SAML Configuration, Attributes & Claims, signing,
// assignment, your role, the SCIM switch, and the Provisioning page. An
// empty Secret Token means the last token GeneratePAT made. A *SetupError
// names values no rehearsal can represent.
func (e *Env) Apply(ctx context.Context, s setup.Setup) (Applied, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lm, err := e.liveLocked(ctx)
	if err != nil {
		return Applied{}, err
	}
	var a applied
	if err := lm.m.applyEntra(ctx, s, &a); err != nil {
		return Applied{}, err
	}
	if err := lm.m.applyRudderStack(ctx, s); err != nil {
		return Applied{}, err
	}
	token := s.Provisioning.SecretToken
	if token == "" {
		token = e.lastToken
	}
	if err := lm.m.applyProvisioning(ctx, s, token, &a); err != nil {
		return Applied{}, err
	}
	out := Applied{Notes: a.notes}
	for _, section := range []string{"saml", "claims", "provisioning"} {
		out.Refused = append(out.Refused, a.refused[section]...)
	}
	return out, nil
}

// PAT is a personal access token as RudderStack shows it once generated.
type PAT struct {
	Name string
	// Role is Admin or Member, as the Role drop-down says.
	Role string
	// Hint shows enough of the token to recognise it later.
	Hint string
	// Secret is the token itself, shown once: "It will not be visible
	// again once you close this window."
	Secret string
}

// GeneratePAT is Settings › Your Profile › Account › Personal access
// tokens › Generate new token, by you (with the role the last Apply gave
// you), with the name and role given.
func (e *Env) GeneratePAT(ctx context.Context, name, role string) (PAT, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lm, err := e.liveLocked(ctx)
	if err != nil {
		return PAT{}, err
	}
	token, pat, err := lm.m.generatePAT(ctx, name, role)
	if err != nil {
		return PAT{}, err
	}
	e.generated[sha256.Sum256([]byte(token))] = heldPAT{name: pat.Name, role: role}
	e.lastToken = token
	return PAT{Name: pat.Name, Role: role, Hint: pat.Hint, Secret: token}, nil
}

// heldPAT is what a rehearsal needs to know of a token the admin holds:
// the name and role it was generated with.
type heldPAT struct{ name, role string }

// held returns the name and role of a token GeneratePAT returned; ok is
// false for any other value.
func (e *Env) held(token string) (heldPAT, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.generated[sha256.Sum256([]byte(token))]
	return p, ok
}

// heldLast is the token GeneratePAT made last: the one an empty Secret
// Token stands for.
func (e *Env) heldLast() (heldPAT, bool) {
	e.mu.Lock()
	last := e.lastToken
	e.mu.Unlock()
	if last == "" {
		return heldPAT{}, false
	}
	return e.held(last)
}

// Connection is Entra's answer to Test Connection, with ssowiz's
// remediation beside it.
type Connection struct {
	// OK is true when Entra would say the credentials are authorized.
	OK bool
	// Title is the notification's heading; Code Entra's error code;
	// Message its text, as the portal shows them.
	Title, Code, Message string
	// Hint says what to change and where.
	Hint string
	// Warnings are problems that do not fail the test.
	Warnings []string
	// Request is the probe and its answer, e.g. "GET /scim/v2/Users?... → 200".
	Request string
}

func connection(r provisioning.TestResult) Connection {
	return Connection{OK: r.OK, Title: r.Title, Code: r.Code, Message: r.Message, Hint: r.Hint, Warnings: r.Warnings, Request: r.Request.String()}
}

// TestConnection is the Provisioning page's Test Connection with the
// Tenant URL and Secret Token as typed, saved or not. An empty token means
// the last one GeneratePAT made; with none, Entra sends a token of its own,
// as it does for a blank Secret Token.
func (e *Env) TestConnection(ctx context.Context, tenantURL, token string) (Connection, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	lm, err := e.liveLocked(ctx)
	if err != nil {
		return Connection{}, err
	}
	if token == "" {
		token = e.lastToken
	}
	res := lm.eng.TestConnection(ctx, provisioning.Connection{TenantURL: tenantURL, SecretToken: directory.NewSecret(token)})
	return connection(res), nil
}
