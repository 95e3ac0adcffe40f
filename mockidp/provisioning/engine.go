package provisioning

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/store"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// StoreName is the engine's database name under the data directory
// ("provisioning.db").
const StoreName = "provisioning"

// Config configures New. Only Directory is required; the tunables default
// to Entra's documented values and exist so tests can run in seconds.
type Config struct {
	// Directory is the mock Entra tenant: apps, their provisioning
	// configuration, users, groups, assignments and the change sequence.
	Directory *directory.Directory
	// HTTPClient sends the SCIM requests. Rehearsals pass the routed TLS
	// client that maps production host names to the local mocks. Nil means
	// a client with a 60-second timeout that follows no redirects.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives diagnostics, never tokens or request bodies; nil
	// discards them.
	Logger *slog.Logger
	// DataDir keeps the engine's state (cached target ids, watermarks,
	// escrow, logs) across restarts; empty keeps it in memory.
	DataDir string
	// Workers is how many objects a cycle works on at once (Entra
	// provisions with some parallelism; reference §5.4 says how much is
	// not documented). Zero means 4.
	Workers int
	// Interval, when positive, replaces every app's cycle interval (40
	// minutes in Entra, at least a minute in the directory), so tests can
	// run cycles seconds apart.
	Interval time.Duration
	// PollInterval is how often the background loop looks for apps whose
	// provisioning was switched on or whose cycle is due. Zero means one
	// second.
	PollInterval time.Duration
	// Escrow is the retry schedule of failed objects.
	Escrow EscrowPolicy
	// Quarantine holds the quarantine thresholds.
	Quarantine QuarantinePolicy
	// NewGUID makes the random GUID of Test Connection; nil means a random
	// UUID. Tests pass a fixed one.
	NewGUID func() string
	// OnLog, when set, is called with each provisioning log entry once it
	// is stored (for a live feed). It must not block.
	OnLog func(LogEntry)
}

// EscrowPolicy is when an object that failed is tried again. Sources
// disagree on Entra's schedule (reference §5.2); the default follows
// Microsoft staff's "roughly 30m → 1h → 2h → 4h → 8h" and caps at a day.
type EscrowPolicy struct {
	// FirstRetry is the wait after the first failure; it doubles with
	// each further failure. Zero means 30 minutes; a negative value
	// retries on the very next cycle.
	FirstRetry time.Duration
	// MaxRetry caps the wait. Zero means 24 hours.
	MaxRetry time.Duration
}

// QuarantinePolicy holds the escrow thresholds of reference §5.3
// ("subject to change"), to be scaled down in tests.
type QuarantinePolicy struct {
	// MinFailures is the escrowed failures at which the proportion test
	// starts. Zero means 5,000.
	MinFailures int
	// Proportion: quarantine when more than this share of a cycle's
	// objects failed. Zero means 0.4.
	Proportion float64
	// MaxFailures: quarantine above this many escrowed failures (not
	// counting reference failures). Zero means 40,000.
	MaxFailures int
	// Cap: quarantine above this many escrowed failures, reference
	// failures included. Zero means 60,000.
	Cap int
	// Unreachable is how many requests in a row may get no response before
	// the cycle stops and the job is quarantined (reference §5.3: a server
	// that is down quarantines the job). Zero means 10.
	Unreachable int
	// MaxInterval caps the cycle interval while quarantined; it doubles
	// each quarantined cycle ("drops gradually to once a day"). Zero means
	// 24 hours.
	MaxInterval time.Duration
}

func (p EscrowPolicy) withDefaults() EscrowPolicy {
	if p.FirstRetry == 0 {
		p.FirstRetry = 30 * time.Minute
	}
	if p.MaxRetry == 0 {
		p.MaxRetry = 24 * time.Hour
	}
	return p
}

// backoff is the wait after the n-th failure (n ≥ 1).
func (p EscrowPolicy) backoff(n int) time.Duration {
	if p.FirstRetry < 0 {
		return 0
	}
	d := p.FirstRetry
	for i := 1; i < n && d < p.MaxRetry; i++ {
		d *= 2
	}
	return min(d, p.MaxRetry)
}

func (p QuarantinePolicy) withDefaults() QuarantinePolicy {
	if p.MinFailures == 0 {
		p.MinFailures = 5000
	}
	if p.Proportion == 0 {
		p.Proportion = 0.4
	}
	if p.MaxFailures == 0 {
		p.MaxFailures = 40000
	}
	if p.Cap == 0 {
		p.Cap = 60000
	}
	if p.Unreachable == 0 {
		p.Unreachable = 10
	}
	if p.MaxInterval == 0 {
		p.MaxInterval = 24 * time.Hour
	}
	return p
}

// Engine is the provisioning service of the mock tenant. It is safe for
// concurrent use; cycles of one app never overlap.
type Engine struct {
	dir        *directory.Directory
	hc         *http.Client
	db         *sql.DB
	stmts      *stmts
	now        func() time.Time
	log        *slog.Logger
	workers    int
	interval   time.Duration
	poll       time.Duration
	escrow     EscrowPolicy
	quarantine QuarantinePolicy
	newGUID    func() string
	onLog      func(LogEntry)

	locksMu sync.Mutex
	locks   map[string]*sync.Mutex
	// writeMu serialises the engine's own write transactions: SQLite
	// allows one writer, and contending writers wait in its busy handler,
	// which sleeps in steps of milliseconds; a Go mutex hands over at once.
	writeMu sync.Mutex

	loopMu sync.Mutex
	loop   *loop
}

// New opens the engine's store and returns an engine with no background
// loop running; call Start for one, or RunCycle to run cycles yourself.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Directory == nil {
		return nil, fmt.Errorf("%w: Directory is nil", ErrConfig)
	}
	db, err := store.Open(ctx, store.Options{Dir: cfg.DataDir, Name: StoreName}, migrations)
	if err != nil {
		return nil, fmt.Errorf("open the provisioning engine's store: %w", err)
	}
	st, err := prepare(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	e := &Engine{
		stmts:      st,
		dir:        cfg.Directory,
		hc:         cfg.HTTPClient,
		db:         db,
		now:        cfg.Now,
		log:        cfg.Logger,
		workers:    cfg.Workers,
		interval:   cfg.Interval,
		poll:       cfg.PollInterval,
		escrow:     cfg.Escrow.withDefaults(),
		quarantine: cfg.Quarantine.withDefaults(),
		newGUID:    cfg.NewGUID,
		onLog:      cfg.OnLog,
		locks:      map[string]*sync.Mutex{},
	}
	if e.hc == nil {
		// Like Entra's client, follow no redirects: a 302 to a sign-in
		// page is an answer to report, not a place to go.
		e.hc = &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.workers <= 0 {
		e.workers = 4
	}
	if e.poll <= 0 {
		e.poll = time.Second
	}
	if e.newGUID == nil {
		e.newGUID = uuid.NewString
	}
	return e, nil
}

// Close stops the background loop (letting a running cycle finish) and
// closes the store.
func (e *Engine) Close() error {
	e.Stop()
	e.stmts.close()
	return e.db.Close()
}

// lock serialises cycles and on-demand runs of one app.
func (e *Engine) lock(appID string) func() {
	e.locksMu.Lock()
	m, ok := e.locks[appID]
	if !ok {
		m = &sync.Mutex{}
		e.locks[appID] = m
	}
	e.locksMu.Unlock()
	m.Lock()
	return m.Unlock
}

// job is one app's provisioning configuration, resolved for a run.
type job struct {
	appID   string
	appName string
	cfg     directory.ProvisioningConfig
	ep      endpoint
	dialect Dialect
	rules   *ruleSet
	client  *scimClient
	// fingerprint changes when what was provisioned would change
	// (endpoint, scope, groups switch, mappings), which restarts the job
	// with an initial cycle, as Entra does (reference §3.1).
	fingerprint string
}

// loadJob resolves an app's saved provisioning configuration.
func (e *Engine) loadJob(ctx context.Context, appID string) (*job, error) {
	app, err := e.dir.App(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("provisioning of app %s: %w", appID, err)
	}
	cfg, err := e.dir.Provisioning(ctx, app.AppID)
	if err != nil {
		return nil, err
	}
	ep, err := parseTenantURL(cfg.TenantURL)
	if err != nil {
		return nil, fmt.Errorf("app %q: %w", app.Name, err)
	}
	m, err := ParseMappings(cfg.Mappings)
	if err != nil {
		return nil, fmt.Errorf("app %q: %w", app.Name, err)
	}
	rules, err := compileMappings(m)
	if err != nil {
		return nil, fmt.Errorf("app %q: %w", app.Name, err)
	}
	tenantID := ""
	if t, err := e.dir.Tenant(ctx); err == nil {
		tenantID = t.ID
	}
	canon, _ := json.Marshal(struct {
		Base   string
		Scope  directory.Scope
		Groups bool
		Map    Mappings
	}{ep.base.String(), cfg.Scope, cfg.ProvisionGroups, m})
	sum := sha256.Sum256(canon)
	return &job{
		appID:       app.AppID,
		appName:     app.Name,
		cfg:         cfg,
		ep:          ep,
		dialect:     ep.dialect,
		rules:       rules,
		client:      newClient(e.hc, ep, cfg.SecretToken.Reveal(), tenantID),
		fingerprint: hex.EncodeToString(sum[:]),
	}, nil
}

// intervalFor is the time between an app's cycles.
func (e *Engine) intervalFor(cfg directory.ProvisioningConfig) time.Duration {
	if e.interval > 0 {
		return e.interval
	}
	if cfg.Interval > 0 {
		return cfg.Interval
	}
	return directory.DefaultCycleInterval
}
