package cognito

import (
	"compress/flate"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/ssowiz/ssowiz/internal/store"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// DefaultPoolID is RudderStack's user pool, whose entity ID every
// RudderStack SSO guide gives.
const DefaultPoolID = "us-east-1_ABZiTjXia"

// EntityIDPrefix makes a pool's SAML entity ID: the prefix and the pool ID.
const EntityIDPrefix = "urn:amazon:cognito:sp:"

// The hosted endpoints' paths, as Cognito names them.
const (
	AuthorizePath = "/oauth2/authorize"
	ACSPath       = "/saml2/idpresponse"
	ErrorPath     = "/error"
)

// Time limits of the flow.
const (
	// PendingTTL is how long the pool waits for the IdP's response to an
	// AuthnRequest; Cognito cancels sign-ins that take longer.
	PendingTTL = 5 * time.Minute
	// CodeTTL is how long an authorization code can be exchanged.
	CodeTTL = 5 * time.Minute
	// DefaultMetadataTTL is how long fetched IdP metadata is used before it
	// is fetched again ("up to 6 hours" in Cognito's documentation), which is
	// why an IdP must publish old and new certificates during a rotation.
	DefaultMetadataTTL = 6 * time.Hour
	// MaxSAMLResponseChars is the largest SAMLResponse Cognito accepts.
	MaxSAMLResponseChars = 100000
)

// Orgs is what the pool needs from the SP's account store: the
// organisations, each holding its SAML identity provider configuration, and
// a user lookup to tell a first sign-in from a later one.
// *accounts.Store implements it.
type Orgs interface {
	GetOrg(ctx context.Context, id string) (accounts.Org, error)
	ListOrgs(ctx context.Context) ([]accounts.Org, error)
	FindOrgByDomain(ctx context.Context, domain string) (accounts.Org, error)
	FindUserByUserName(ctx context.Context, orgID, userName string) (accounts.User, error)
}

// Client is an app client of the pool.
type Client struct {
	// ID is the client_id.
	ID string
	// CallbackURLs are the allowed redirect_uri values, compared exactly.
	CallbackURLs []string
	// LogoutURLs are the allowed sign-out URLs (logout_uri of /logout),
	// compared exactly.
	LogoutURLs []string
}

// Config configures a Pool.
type Config struct {
	// Orgs holds the organisations and their SAML identity providers.
	Orgs Orgs
	// AuthURL is the base URL of the hosted endpoints, e.g.
	// https://auth2.rudderstack.com, without a path. Every URL the pool
	// issues (the ACS in AuthnRequests, error pages) is built from it, never
	// from a request's Host.
	AuthURL string
	// PoolID is the user pool ID; DefaultPoolID when empty.
	PoolID string
	// Clients are the app clients; at least one is required.
	Clients []Client
	// HTTPClient fetches IdP metadata; nil means a client with a 30-second
	// timeout. Rehearsals pass one that routes production hosts to the local
	// mocks.
	HTTPClient *http.Client
	// StartURL is where users start an SP-initiated sign-in (the app's
	// /sso); hints on error pages point there.
	StartURL string
	// AllowHTTPMetadata accepts http:// metadata URLs on any port, for
	// serving on loopback. Cognito itself wants https on port 443.
	AllowHTTPMetadata bool
	// MetadataTTL overrides DefaultMetadataTTL when positive.
	MetadataTTL time.Duration
	// DataDir keeps the pool's state (pending requests, seen assertion IDs,
	// encryption keys) in DataDir/cognito.db; empty keeps it in memory.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the private reasons for rejected responses; nil
	// discards. Assertions and tokens are never logged.
	Logger *slog.Logger
}

// Pool is the user pool's hosted endpoints. It is safe for concurrent use.
type Pool struct {
	orgs        Orgs
	db          *sql.DB
	authURL     string
	entityID    string
	acsURL      string
	startURL    string
	clients     map[string]Client
	httpClient  *http.Client
	allowHTTP   bool
	metadataTTL time.Duration
	now         func() time.Time
	log         *slog.Logger

	replay *replayCache
	codes  *codeStore
	// Hot statements are prepared once: parsing SQL costs more than
	// running these single-row statements.
	insertPending, selectPending *sql.Stmt
	upsertSession                *sql.Stmt

	metaMu    sync.Mutex
	meta      map[string]*providerEntry // by org ID
	metaGroup singleflight.Group

	// providers maps a provider name (identity_provider=) to the org ID
	// that last had it, so authorize need not scan every org.
	providersMu sync.Mutex
	providers   map[string]string

	sweepMu   sync.Mutex
	lastSweep time.Time

	// deflaters keeps a few idle compressors for AuthnRequests. Not a
	// sync.Pool: the garbage collector empties those, and at a sign-in's
	// allocation rate it runs every sign-in or two, so nearly every
	// AuthnRequest set up a new compressor (some 400 KB, a quarter of what
	// a whole sign-in allocated).
	deflaters chan *flate.Writer

	// orgSnaps holds each organisation as the last authorize request saw
	// it. The ACS uses it for a pending request, so a sign-in runs with
	// the configuration it started with and without another lookup.
	orgSnapsMu sync.Mutex
	orgSnaps   map[string]accounts.Org
}

// New opens the pool's database and returns the pool.
func New(ctx context.Context, cfg Config) (*Pool, error) {
	if cfg.Orgs == nil {
		return nil, fmt.Errorf("Orgs is nil: %w", ErrConfig)
	}
	authURL, err := BaseURL("AuthURL", cfg.AuthURL)
	if err != nil {
		return nil, err
	}
	if len(cfg.Clients) == 0 {
		return nil, fmt.Errorf("no app client: %w", ErrConfig)
	}
	clients := map[string]Client{}
	for _, c := range cfg.Clients {
		if c.ID == "" || len(c.CallbackURLs) == 0 {
			return nil, fmt.Errorf("app client %q needs an ID and at least one callback URL: %w", c.ID, ErrConfig)
		}
		clients[c.ID] = c
	}
	poolID := cfg.PoolID
	if poolID == "" {
		poolID = DefaultPoolID
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	ttl := cfg.MetadataTTL
	if ttl <= 0 {
		ttl = DefaultMetadataTTL
	}
	db, err := store.Open(ctx, store.Options{Dir: cfg.DataDir, Name: "cognito"}, migrations)
	if err != nil {
		return nil, fmt.Errorf("cognito: %w", err)
	}
	p := &Pool{
		orgs:        cfg.Orgs,
		db:          db,
		authURL:     authURL,
		entityID:    EntityIDPrefix + poolID,
		acsURL:      authURL + ACSPath,
		startURL:    cfg.StartURL,
		clients:     clients,
		httpClient:  httpClient,
		allowHTTP:   cfg.AllowHTTPMetadata,
		metadataTTL: ttl,
		now:         now,
		log:         logger,
		codes:       newCodeStore(now),
		meta:        map[string]*providerEntry{},
		providers:   map[string]string{},
		orgSnaps:    map[string]accounts.Org{},
		deflaters:   make(chan *flate.Writer, idleDeflaters),
	}
	if err := p.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return p, nil
}

func (p *Pool) prepare(ctx context.Context) error {
	var err error
	if p.insertPending, err = p.db.PrepareContext(ctx, `INSERT INTO pending_requests
		(relay_hash, request_id, org_id, client_id, redirect_uri, state, scope, created_at, browser_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return fmt.Errorf("cognito: prepare: %w", err)
	}
	if p.selectPending, err = p.db.PrepareContext(ctx, `SELECT request_id, org_id, client_id, redirect_uri, state, scope, created_at, browser_hash
		FROM pending_requests WHERE relay_hash = ?`); err != nil {
		return fmt.Errorf("cognito: prepare: %w", err)
	}
	if p.upsertSession, err = p.db.PrepareContext(ctx, `INSERT INTO saml_sessions
		(browser_hash, org_id, name_id, name_id_format, session_index, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(browser_hash) DO UPDATE SET org_id = excluded.org_id, name_id = excluded.name_id,
		name_id_format = excluded.name_id_format, session_index = excluded.session_index, created_at = excluded.created_at`); err != nil {
		return fmt.Errorf("cognito: prepare: %w", err)
	}
	consume, err := p.db.PrepareContext(ctx, `INSERT INTO seen_assertions (id, expires_at) VALUES (?, ?)
		ON CONFLICT(id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE seen_assertions.expires_at <= ?`)
	if err != nil {
		return fmt.Errorf("cognito: prepare: %w", err)
	}
	p.replay = &replayCache{db: p.db, consume: consume, now: p.now}
	return nil
}

// Close releases the database.
func (p *Pool) Close() error { return p.db.Close() }

// EntityID is the pool's SAML entity ID (the Identifier an admin enters in
// Entra's Basic SAML Configuration).
func (p *Pool) EntityID() string { return p.entityID }

// ACSURL is the pool's assertion consumer service (Entra's Reply URL).
func (p *Pool) ACSURL() string { return p.acsURL }

// AuthorizeURL is the pool's authorize endpoint.
func (p *Pool) AuthorizeURL() string { return p.authURL + AuthorizePath }

// BaseURL checks a configured base URL: absolute http(s), a host, no path,
// query or fragment. It returns scheme://host. Errors wrap ErrConfig.
func BaseURL(field, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s %q: %v: %w", field, raw, err, ErrConfig)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s %q must be an absolute http:// or https:// URL: %w", field, raw, ErrConfig)
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s %q must have no path, query or fragment: %w", field, raw, ErrConfig)
	}
	return u.Scheme + "://" + u.Host, nil
}
