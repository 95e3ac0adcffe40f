// Package lab starts the two mocks together — the mock Entra ID tenant
// and the mock RudderStack service provider — on loopback listeners,
// seeded with the demo tenant, its users and an app configured as the
// guide says, and an SP organisation federated with it.
//
// `ssowiz serve` runs one for a real browser; tests and benchmarks run one
// per test. Mode Loopback serves plain HTTP at the listeners' own
// addresses; mode Rehearsal serves TLS from a local CA under the
// production host names, reached through a host-routing client.
package lab

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ssowiz/ssowiz/internal/hostroute"
	"github.com/ssowiz/ssowiz/internal/localca"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/internal/tenantcache"
	"github.com/ssowiz/ssowiz/mockidp"
	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/graph"
	"github.com/ssowiz/ssowiz/mockidp/portal"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
	"github.com/ssowiz/ssowiz/sp"
	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/scimserver"
)

// Mode says how the mocks are reached.
type Mode int

const (
	// Loopback serves plain HTTP at http://<listener address>; what
	// `serve` does for a browser on the same machine.
	Loopback Mode = iota
	// Rehearsal serves TLS under the production host names
	// (login.microsoftonline.com, app/auth2/api.rudderstack.com), reached
	// with Lab.Client, which routes them to the listeners like a hosts
	// file; nothing leaves the machine.
	Rehearsal
	// LoopbackTLS serves TLS at https://<listener address> from a local CA
	// (CA, whose certificate the client must trust): `serve --tls-ca`, for
	// clients that refuse plain HTTP, such as Microsoft's msal and Graph
	// SDKs.
	LoopbackTLS
)

// The production hosts a rehearsal stands in for.
const (
	EntraHost = "login.microsoftonline.com"
	AppHost   = "app.rudderstack.com"
	AuthHost  = "auth2.rudderstack.com"
	APIHost   = "api.rudderstack.com"
	// GraphHost is Microsoft Graph, served by the mock Entra ID's listener.
	GraphHost = "graph.microsoft.com"
)

// Options configures Start.
type Options struct {
	Mode Mode
	// IDPAddr and SPAddr are the listen addresses; empty means a free port
	// on 127.0.0.1.
	IDPAddr, SPAddr string
	// DataDir keeps all state across restarts; empty keeps it in memory.
	DataDir string
	// Now is the clock for both mocks; nil means time.Now.
	Now func() time.Time
	// NewKey makes RSA keys for SAML signing certificates; nil makes fresh
	// RSA-2048 keys. Tests and repeated rehearsals pass a cached key,
	// because generating one takes a noticeable fraction of a second.
	NewKey func() (*rsa.PrivateKey, error)
	// Logger receives both mocks' diagnostics; nil discards.
	Logger *slog.Logger
	// Provision runs Entra's provisioning engine in the background and
	// switches the demo app's provisioning on. Off, the app's Provisioning
	// page is still filled in (Tenant URL, Secret Token) but its status is
	// Off, as Entra's is until an admin starts it.
	Provision bool
	// DemoUsersHint shows the mock-only demo users box on the mock
	// Entra's Sign in page (`serve` does, unless --no-demo-hint).
	DemoUsersHint bool
	// HideStaySignedIn skips Entra's "Stay signed in?" page, as the
	// tenant setting "Show option to remain signed in" = No does.
	HideStaySignedIn bool
	// SingleLogout turns on Cognito's sign-out flow for the SP
	// organisation's IdP (the app's Sign out also ends Entra's session by
	// SAML single logout) and, when the tenant file leaves the built-in
	// app's Logout Url empty, sets it to the user pool's /saml2/logout.
	// Off, as RudderStack runs: Sign out ends only the app's session.
	SingleLogout bool
	// ExtraRoutes are more handlers on the mock Entra ID's address, by path
	// (serve's control endpoint for `ssowiz check --app`).
	ExtraRoutes map[string]http.Handler
	// ProvisionInterval, when positive, replaces the 40-minute interval
	// between provisioning cycles.
	ProvisionInterval time.Duration
	// Tenant is the tenant file to serve; nil serves the guide's demo
	// tenant (or TenantSource).
	Tenant *tenant.File
	// TenantSource, when set instead of Tenant, is the tenant file as
	// read but not parsed: a restart on DataDir that already holds it,
	// applied with the same inputs, then does not parse it (see
	// tenant.Load).
	TenantSource *tenant.Source
	// SCIMURL, when set, aims the built-in app's provisioning at another
	// SCIM server (its Tenant URL), with SCIMToken as its Secret Token;
	// empty keeps the built-in SCIM server.
	SCIMURL, SCIMToken string
	// MetadataClient fetches the SP metadata a tenant file's apps give by
	// URL; nil uses a plain client with a timeout.
	MetadataClient *http.Client
	// TenantCache, without DataDir, keeps the applied tenant between
	// starts: a start with the same file restores it instead of parsing
	// and applying the file. nil applies the file at every start.
	TenantCache *tenantcache.Cache
}

// Lab is a running pair of mocks.
type Lab struct {
	// Directory is the mock Entra tenant's state.
	Directory *directory.Directory
	// Accounts is the mock SP's state.
	Accounts *accounts.Store
	// IDP is the mock Entra ID server.
	IDP *mockidp.Server
	// Graph is the mock Entra ID's Graph API and token endpoint, on the
	// IdP's listener.
	Graph *graph.Server
	// AuditLog is the mock Entra ID's sign-in log and the live feed of
	// sign-ins and provisioning actions.
	AuditLog *auditlog.Log
	// SP is the mock service provider.
	SP *sp.Server
	// Provisioning is Entra's provisioning engine, running in the
	// background when Options.Provision is set; nil otherwise.
	Provisioning *provisioning.Engine
	// Routes and CA exist in Rehearsal mode: the host table and the local
	// CA behind Client; CA also in LoopbackTLS mode.
	Routes *hostroute.Table
	CA     *localca.CA

	// stopEngine aborts a running provisioning cycle when Close can't wait
	// for it.
	stopEngine context.CancelFunc
	log        *slog.Logger
	applied    tenant.Applied
	info       Info
	client     *http.Client
	transport  *http.Transport
	servers    []*http.Server
	closers    []func() error
	wg         sync.WaitGroup
	errs       chan error
}

// Info is what a person or a script needs to use the lab. Its JSON is the
// stable shape `ssowiz serve --json` prints.
type Info struct {
	IDPMetadataURL string `json:"idp_metadata_url"`
	IDPSSOURL      string `json:"idp_sso_url"`
	SPLoginURL     string `json:"sp_login_url"`
	SPACSURL       string `json:"sp_acs_url"`
	SPEntityID     string `json:"sp_entity_id"`
	SCIMBaseURL    string `json:"scim_base_url"`
	AdminPAT       string `json:"admin_pat"`
	Users          []User `json:"users"`
	// GraphBaseURL is Microsoft Graph v1.0 on the mock Entra ID;
	// GraphClientID and GraphClientSecret are an app registration with the
	// application permissions the guide's steps need, for the
	// client-credentials grant at GraphTokenURL. The secret is new at each
	// start.
	GraphBaseURL      string `json:"graph_base_url"`
	GraphClientID     string `json:"graph_client_id"`
	GraphClientSecret string `json:"graph_client_secret"`
	GraphTokenURL     string `json:"graph_token_url"`
	// The rest is extra detail for people and tools; scripts can rely on
	// the fields above.
	TenantID        string `json:"tenant_id"`
	TenantDomain    string `json:"tenant_domain"`
	AppID           string `json:"app_id"`
	IDPInitiatedURL string `json:"idp_initiated_url"`
	UserAccessURL   string `json:"user_access_url"`
	IDPBaseURL      string `json:"idp_base_url"`
	SPBaseURL       string `json:"sp_base_url"`
	OrgID           string `json:"org_id"`
	// SPLogoutURL is the user pool's /saml2/logout, the Logout Url Entra
	// needs for single sign-out; SingleLogout says whether the
	// organisation's sign-out flow is on.
	SPLogoutURL  string `json:"sp_logout_url"`
	SingleLogout bool   `json:"single_logout"`
	// LogsURL is the mock Entra admin center's Sign-in logs page (with
	// Provisioning logs beside it).
	LogsURL string `json:"logs_url"`
	// Apps are the tenant's enterprise apps, each with what a developer
	// gives their SP to trust the mock Entra ID.
	Apps []App `json:"apps"`
}

// App is one enterprise app of the served tenant.
type App struct {
	Name  string `json:"name"`
	AppID string `json:"app_id"`
	// Builtin marks the built-in mock RudderStack's app.
	Builtin bool `json:"builtin"`
	// Identifier and ReplyURL are the app's default Entity ID and Reply
	// URL; SignOnURL its Sign on URL.
	Identifier string `json:"identifier"`
	ReplyURL   string `json:"reply_url"`
	SignOnURL  string `json:"sign_on_url,omitempty"`
	// LogoutURL is the app's own Logout Url (Basic SAML Configuration),
	// where Entra sends its LogoutResponse; empty when the app has none,
	// as Entra's field is optional. Entra's side of single logout is
	// SAMLEndpoint.
	LogoutURL string `json:"logout_url,omitempty"`
	// MetadataURL is the App Federation Metadata URL, SAMLEndpoint the
	// Login URL (SAML SSO and SLO endpoint), IDPInitiatedURL the
	// IdP-initiated launch and UserAccessURL the My Apps tile's link.
	MetadataURL     string `json:"app_federation_metadata_url"`
	SAMLEndpoint    string `json:"saml_endpoint"`
	EntraIdentifier string `json:"entra_identifier"`
	IDPInitiatedURL string `json:"idp_initiated_url"`
	UserAccessURL   string `json:"user_access_url"`
}

// User is a demo user's sign-in details.
type User struct {
	UPN         string `json:"upn"`
	Password    string `json:"password"`
	Assigned    bool   `json:"assigned"`
	DisplayName string `json:"display_name"`
	Enabled     bool   `json:"enabled"`
	HasMail     bool   `json:"has_mail"`
	// Purpose says what the user is there to rehearse.
	Purpose string `json:"purpose"`
}

// Info returns the lab's URLs, demo users and admin token.
func (l *Lab) Info() Info { return l.info }

// Tenant returns what the tenant file made in the directory at start.
func (l *Lab) Tenant() tenant.Applied { return l.applied }

// Client returns an HTTP client that reaches the lab's URLs: the routed
// TLS client in Rehearsal mode, one trusting the lab's CA in LoopbackTLS
// mode, a plain one otherwise. It follows no
// redirects; browsers built on its transport do their own.
func (l *Lab) Client() *http.Client { return l.client }

// Transport is the lab's shared transport (routed TLS in Rehearsal mode),
// for browsers and other clients that reach the mocks.
func (l *Lab) Transport() http.RoundTripper { return l.transport }

// Err reports a server that stopped serving unexpectedly.
func (l *Lab) Err() <-chan error { return l.errs }

// Start listens, opens (or creates) the state, seeds the demo, and serves
// both mocks until Close.
func Start(ctx context.Context, opts Options) (_ *Lab, err error) {
	l := &Lab{errs: make(chan error, 2)}
	defer func() {
		if err != nil {
			l.closeAll()
		}
	}()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l.log = logger

	idpLn, err := listen(opts.IDPAddr, "--idp-addr")
	if err != nil {
		return nil, err
	}
	l.closers = append(l.closers, idpLn.Close)
	spLn, err := listen(opts.SPAddr, "--sp-addr")
	if err != nil {
		return nil, err
	}
	l.closers = append(l.closers, spLn.Close)

	var idpBase, appBase, authBase, apiBase, graphBase string
	var metaClient *http.Client
	switch opts.Mode {
	case Loopback, LoopbackTLS:
		scheme := "http://"
		t := &http.Transport{
			Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second,
			// Buffers that hold a whole SAML POST (request or page) send and
			// read it in one system call instead of four; and nothing on a
			// loopback is worth compressing.
			WriteBufferSize: 16 << 10, ReadBufferSize: 16 << 10, DisableCompression: true,
		}
		if opts.Mode == LoopbackTLS {
			scheme = "https://"
			// With --data the CA is kept there, so that what was told to
			// trust it (NODE_EXTRA_CA_CERTS, a browser) still does after a
			// restart; otherwise it lives as long as the process.
			if opts.DataDir != "" {
				l.CA, _, err = localca.Open(opts.DataDir, localca.Options{Now: opts.Now})
			} else {
				l.CA, err = localca.New(localca.Options{Now: opts.Now})
			}
			if err != nil {
				return nil, fmt.Errorf("lab: make the local CA: %w", err)
			}
			// The system's roots too: an app's metadata URL may be on a
			// public host.
			roots, err := x509.SystemCertPool()
			if err != nil {
				roots = x509.NewCertPool()
			}
			roots.AppendCertsFromPEM(l.CA.CertPEM())
			t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		}
		idpBase = scheme + idpLn.Addr().String()
		graphBase = idpBase + "/v1.0"
		appBase = scheme + spLn.Addr().String()
		authBase, apiBase = appBase, appBase
		l.transport = t
		l.client = &http.Client{Transport: l.transport, CheckRedirect: noRedirects, Timeout: 30 * time.Second}
		metaClient = &http.Client{Transport: l.transport, Timeout: 30 * time.Second}
	case Rehearsal:
		idpBase, appBase, authBase, apiBase = "https://"+EntraHost, "https://"+AppHost, "https://"+AuthHost, "https://"+APIHost
		graphBase = "https://" + GraphHost + "/v1.0"
		if l.CA, err = localca.New(localca.Options{Now: opts.Now}); err != nil {
			return nil, fmt.Errorf("lab: make the local CA: %w", err)
		}
		l.Routes = hostroute.New()
		for host, ln := range map[string]net.Listener{EntraHost: idpLn, GraphHost: idpLn, AppHost: spLn, AuthHost: spLn, APIHost: spLn} {
			if err := l.Routes.Set(host, ln.Addr().String()); err != nil {
				return nil, fmt.Errorf("lab: route %s: %w", host, err)
			}
		}
		l.transport = hostroute.NewTransport(l.Routes, l.CA.ClientTLSConfig())
		l.client = &http.Client{Transport: l.transport, CheckRedirect: noRedirects, Timeout: 30 * time.Second}
		metaClient = &http.Client{Transport: l.transport, Timeout: 30 * time.Second}
	default:
		return nil, fmt.Errorf("lab: unknown mode %d", opts.Mode)
	}

	dirOpts := directory.Options{Dir: opts.DataDir, Now: opts.Now, NewKey: opts.NewKey, Logger: logger.With("component", "directory")}
	if l.Directory, err = directory.Open(ctx, dirOpts); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	if opts.TenantCache != nil && opts.DataDir == "" {
		if l.Directory, err = l.restoreTenant(ctx, opts, dirOpts, logger); err != nil {
			return nil, err
		}
	}
	l.closers = append(l.closers, l.Directory.Close)
	if l.Accounts, err = accounts.Open(ctx, accounts.Options{Dir: opts.DataDir, Now: opts.Now}); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l.closers = append(l.closers, l.Accounts.Close)

	scim := scimserver.New(scimserver.Config{
		Accounts: l.Accounts, BaseURL: apiBase + sp.SCIMPath, Now: opts.Now, Logger: logger.With("component", "scim"),
	})
	if l.SP, err = sp.New(sp.Config{
		Accounts: l.Accounts, AppURL: appBase, AuthURL: authBase, APIURL: apiBase, SCIM: scim,
		HTTPClient: metaClient, AllowHTTPMetadata: opts.Mode != Rehearsal,
		DataDir: opts.DataDir, Now: opts.Now, Logger: logger.With("component", "sp"),
	}); err != nil {
		return nil, fmt.Errorf("lab: start the service provider: %w", err)
	}
	l.closers = append(l.closers, l.SP.Close)
	if l.AuditLog, err = auditlog.Open(ctx, auditlog.Options{Dir: opts.DataDir, Now: opts.Now}); err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l.closers = append(l.closers, l.AuditLog.Close)
	if l.IDP, err = mockidp.New(mockidp.Config{Directory: l.Directory, BaseURL: idpBase, Now: opts.Now, Logger: logger.With("component", "idp"),
		SignIns: l.AuditLog, DemoUsersHint: opts.DemoUsersHint, HideStaySignedIn: opts.HideStaySignedIn}); err != nil {
		return nil, fmt.Errorf("lab: start the mock Entra ID: %w", err)
	}
	if err := l.applyTenant(ctx, opts); err != nil {
		return nil, err
	}
	if opts.Provision || l.applied.ProvisioningEnabled() {
		// Made now, so Graph serves its logs; started once both mocks
		// serve.
		if l.Provisioning, err = l.NewProvisioning(ctx, ProvisioningOptions{
			Now: opts.Now, DataDir: opts.DataDir, Logger: logger.With("component", "provisioning"), Interval: opts.ProvisionInterval,
		}); err != nil {
			return nil, err
		}
		l.closers = append(l.closers, l.Provisioning.Close)
	}
	gcfg := graph.Config{Directory: l.Directory, LoginURL: idpBase, GraphURL: graphBase, DataDir: opts.DataDir, Now: opts.Now,
		Logger: logger.With("component", "graph"), SignIns: l.AuditLog}
	if l.Provisioning != nil {
		gcfg.Provisioning, gcfg.Engine = l.Provisioning, l.Provisioning
	}
	if l.Graph, err = graph.New(ctx, gcfg); err != nil {
		return nil, fmt.Errorf("lab: start the Graph API: %w", err)
	}
	l.closers = append(l.closers, l.Graph.Close)

	if err := l.seed(ctx, opts); err != nil {
		return nil, err
	}
	l.info.IDPBaseURL, l.info.SPBaseURL = idpBase, appBase
	l.info.LogsURL = idpBase + portal.Path + "/signins"

	pcfg := portal.Config{Directory: l.Directory, SignIns: l.AuditLog, Logger: logger.With("component", "portal")}
	if l.Provisioning != nil {
		pcfg.Provisioning = l.Provisioning
	}
	pages, err := portal.New(pcfg)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	front := http.NewServeMux()
	front.Handle(portal.Path, pages.Handler())
	front.Handle(portal.Path+"/", pages.Handler())
	front.Handle("/", l.IDP.Handler())
	for path, h := range opts.ExtraRoutes {
		front.Handle(path, h)
	}
	l.serve(idpLn, l.Graph.Handler(front), opts.Mode)
	l.serve(spLn, l.SP.Handler(), opts.Mode)

	if l.Provisioning != nil {
		// The engine's cycles outlive Start's ctx; Close stops them.
		var engineCtx context.Context
		engineCtx, l.stopEngine = context.WithCancel(context.Background())
		if err := l.Provisioning.Start(engineCtx); err != nil {
			return nil, fmt.Errorf("lab: start provisioning: %w", err)
		}
	}
	return l, nil
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func listen(addr, flag string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (choose another address with %s)", addr, err, flag)
	}
	return ln, nil
}

func (l *Lab) serve(ln net.Listener, h http.Handler, mode Mode) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	if mode != Loopback {
		srv.TLSConfig = l.CA.ServerTLSConfig()
	}
	l.servers = append(l.servers, srv)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		var err error
		if mode != Loopback {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.errs <- fmt.Errorf("serve %s: %w", ln.Addr(), err)
		}
	}()
}

// Close shuts both servers down gracefully (finishing requests in flight
// until ctx is done) and closes the state.
func (l *Lab) Close(ctx context.Context) error {
	l.stopProvisioning(ctx)
	// Our own clients go first: an HTTP/2 connection they keep open would
	// hold Shutdown for a second after its GOAWAY.
	if l.transport != nil {
		l.transport.CloseIdleConnections()
	}
	var errs []error
	for _, srv := range l.servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	l.wg.Wait()
	errs = append(errs, l.closeAll())
	return errors.Join(errs...)
}

// stopProvisioning lets a running cycle finish, as Entra does when
// provisioning is stopped, unless ctx ends first.
func (l *Lab) stopProvisioning(ctx context.Context) {
	if l.Provisioning == nil {
		return
	}
	stopped := make(chan struct{})
	go func() {
		l.Provisioning.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
		l.stopEngine()
		<-stopped
	}
	l.stopEngine()
}

func (l *Lab) closeAll() error {
	if l.stopEngine != nil {
		l.stopEngine()
	}
	var errs []error
	for i := len(l.closers) - 1; i >= 0; i-- {
		if err := l.closers[i](); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	l.closers = nil
	return errors.Join(errs...)
}
