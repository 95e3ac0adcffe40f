package sp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/store"
	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/cognito"
)

// DefaultClientID is the app client ID of RudderStack's app in the pool
// (a made-up value in Cognito's 26-character shape).
const DefaultClientID = "5q2ngs0sldd1rlfr0kkfm8ekvu"

// Paths on the app host.
const (
	LoginPath    = "/sso"
	CallbackPath = "/sso/callback"
	MePath       = "/api/me"
	// LogoutPath signs the member out of the app and sends the browser
	// on to the user pool's /logout (cognito.LogoutPath, on the auth
	// host: a path of its own, so the two never meet when serve puts
	// every host on one address); SignedOutPath is the page after.
	LogoutPath    = "/sign-out"
	SignedOutPath = "/signed-out"
	// SCIMPath is where the SCIM API is mounted on the API host (Entra's
	// Tenant URL is APIURL + SCIMPath).
	SCIMPath = "/scim/v2"
)

// Config configures a Server.
type Config struct {
	// Accounts is the SP's account store (orgs, members, PATs). Required.
	Accounts *accounts.Store
	// AppURL, AuthURL and APIURL are the base URLs of the app
	// (https://app.rudderstack.com), the user pool's hosted endpoints
	// (https://auth2.rudderstack.com) and the API
	// (https://api.rudderstack.com), without paths. They may share a host
	// (serve puts all three on http://127.0.0.1:PORT).
	AppURL, AuthURL, APIURL string
	// PoolID is the user pool ID; cognito.DefaultPoolID when empty, which
	// makes the entity ID urn:amazon:cognito:sp:us-east-1_ABZiTjXia.
	PoolID string
	// ClientID is the app client ID; DefaultClientID when empty.
	ClientID string
	// HTTPClient fetches IdP metadata; rehearsals give one that routes
	// production hosts to the local mocks over TLS.
	HTTPClient *http.Client
	// AllowHTTPMetadata accepts http:// metadata URLs on any port (for
	// serve on loopback); Cognito itself wants https.
	AllowHTTPMetadata bool
	// MetadataTTL overrides how long IdP metadata is cached (6 h).
	MetadataTTL time.Duration
	// SCIM serves APIURL/scim/v2/...; it sees the full request path. Nil
	// answers every SCIM request with a SCIM-shaped 404.
	SCIM http.Handler
	// DataDir keeps the app's sessions and the user pool's state across
	// restarts; empty keeps them in memory.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives diagnostics; nil discards. Secrets, tokens and SAML
	// messages are never logged.
	Logger *slog.Logger
}

// Server is the mock service provider. It is safe for concurrent use.
type Server struct {
	accounts    *accounts.Store
	pool        *cognito.Pool
	db          *sql.DB
	appURL      string
	authURL     string
	apiURL      string
	clientID    string
	callbackURL string
	secure      bool
	scim        http.Handler
	now         func() time.Time
	log         *slog.Logger
	handler     http.Handler

	// signIns keeps each member's last sign-in for the landing page.
	signIns signInLog

	// Session statements, prepared once (see cognito.Pool for why).
	insertSession, selectSession *sql.Stmt
}

// New builds the service provider: it opens the app's and the pool's
// databases (under DataDir, or in memory) and the route table.
func New(cfg Config) (*Server, error) {
	if cfg.Accounts == nil {
		return nil, fmt.Errorf("Accounts is nil: %w", ErrConfig)
	}
	var bases [3]string
	for i, f := range []struct{ name, v string }{{"AppURL", cfg.AppURL}, {"AuthURL", cfg.AuthURL}, {"APIURL", cfg.APIURL}} {
		b, err := cognito.BaseURL(f.name, f.v)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		bases[i] = b
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	clientID := cfg.ClientID
	if clientID == "" {
		clientID = DefaultClientID
	}
	s := &Server{
		accounts:    cfg.Accounts,
		appURL:      bases[0],
		authURL:     bases[1],
		apiURL:      bases[2],
		clientID:    clientID,
		callbackURL: bases[0] + CallbackPath,
		secure:      strings.HasPrefix(bases[0], "https://"),
		scim:        cfg.SCIM,
		now:         now,
		log:         logger,
	}
	ctx := context.Background()
	pool, err := cognito.New(ctx, cognito.Config{
		Orgs:    cfg.Accounts,
		AuthURL: s.authURL,
		PoolID:  cfg.PoolID,
		Clients: []cognito.Client{{ID: clientID, CallbackURLs: []string{s.callbackURL},
			LogoutURLs: []string{s.appURL + SignedOutPath, s.appURL + SignedOutPath + signedOutViaIdP}}},
		HTTPClient:        cfg.HTTPClient,
		StartURL:          s.appURL + LoginPath,
		AllowHTTPMetadata: cfg.AllowHTTPMetadata,
		MetadataTTL:       cfg.MetadataTTL,
		DataDir:           cfg.DataDir,
		Now:               now,
		Logger:            logger.With("component", "cognito"),
	})
	if err != nil {
		if errors.Is(err, cognito.ErrConfig) {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{Dir: cfg.DataDir, Name: "app"}, migrations)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("sp: %w", err)
	}
	s.pool, s.db = pool, db
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Close releases the databases. The account store is the caller's.
func (s *Server) Close() error {
	return errors.Join(s.pool.Close(), s.db.Close())
}

// Handler serves every host of the service provider.
func (s *Server) Handler() http.Handler { return s.handler }

// Pool is the Cognito user pool, for what the wizard and checks need
// beyond HTTP: its entity ID and ACS, the metadata cache, an IdP's
// encryption certificate, and hints for its messages.
func (s *Server) Pool() *cognito.Pool { return s.pool }

// LoginURL is where users start signing in (RudderStack's SSO page).
func (s *Server) LoginURL() string { return s.appURL + LoginPath }

// EntityID is the SP's SAML entity ID (Entra's Identifier).
func (s *Server) EntityID() string { return s.pool.EntityID() }

// ACSURL is the SP's assertion consumer service (Entra's Reply URL).
func (s *Server) ACSURL() string { return s.pool.ACSURL() }

// SCIMBaseURL is the SCIM Tenant URL an admin enters in Entra.
func (s *Server) SCIMBaseURL() string { return s.apiURL + SCIMPath }

// CallbackURL is the app client's redirect_uri.
func (s *Server) CallbackURL() string { return s.callbackURL }

// ClientID is the app client ID.
func (s *Server) ClientID() string { return s.clientID }
