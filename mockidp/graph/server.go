// Package graph is the mock Entra ID's admin API in Microsoft Graph's
// shapes, so a script written against the mock runs against a real tenant:
//
//   - Entra's v2.0 token endpoint, /{tenant}/oauth2/v2.0/token, with the
//     client-credentials grant for app registrations made by EnsureClient;
//     access tokens are RS256 JWTs shaped like the ones Entra issues for
//     Microsoft Graph (aud https://graph.microsoft.com, roles, tid, appid),
//     signed with the tenant's token signing key, and the OpenID
//     configuration and JWKS that verify them. Failures answer with the
//     AADSTS codes and OAuth error bodies Entra returns.
//   - Microsoft Graph v1.0 under Config.GraphURL: users, groups and their
//     members, over mockidp/directory, with Graph's status codes, @odata
//     fields, paging and error bodies. A query option the mock does not
//     support is answered as Graph answers an unsupported query (400 with
//     Graph's error), never ignored.
//
// The app registrations and their secrets (salted hashes) live in the
// package's own SQLite database (store name "graph").
package graph

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/store"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Audience is the aud of every access token the mock issues: Microsoft
// Graph's application ID URI.
const Audience = "https://graph.microsoft.com"

// GraphAppID is Microsoft Graph's well-known application ID, the
// resourceId of its service principal.
const GraphAppID = "00000003-0000-0000-c000-000000000000"

// Config configures New.
type Config struct {
	// Directory is the tenant's state. Required.
	Directory *directory.Directory
	// LoginURL is where the mock Entra ID is reached, without a trailing
	// slash: https://login.microsoftonline.com in rehearsals,
	// http://127.0.0.1:8080 in `serve`. Required.
	LoginURL string
	// GraphURL is the Graph v1.0 base URL, without a trailing slash:
	// https://graph.microsoft.com/v1.0 in rehearsals,
	// http://127.0.0.1:8080/v1.0 in `serve`. @odata.nextLink and
	// @odata.context are built on it. Required.
	GraphURL string
	// DataDir keeps the app registrations across restarts; empty keeps
	// them in memory.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of IDs and secrets; nil means crypto/rand.
	Rand io.Reader
	// Logger receives one line per token issued or refused and per write
	// (never secrets or tokens); nil discards.
	Logger *slog.Logger
	// SignIns is the sign-in log behind auditLogs/signIns; nil serves an
	// empty log.
	SignIns SignInLog
	// Provisioning is the provisioning engine whose logs are
	// auditLogs/provisioning; nil (provisioning never ran) serves an empty
	// log.
	Provisioning ProvisioningLog
	// Engine runs provision on demand and restarts jobs; nil (no engine in
	// this process) refuses both with a message saying how to start one.
	Engine ProvisioningEngine
}

// Server serves the token endpoint, the discovery documents and Graph.
type Server struct {
	dir      *directory.Directory
	db       *sql.DB
	login    string
	graph    string
	graphURL *url.URL
	now      func() time.Time
	rand     io.Reader
	log      *slog.Logger

	signIns      SignInLog
	provisioning ProvisioningLog
	engine       ProvisioningEngine

	// verified caches tokens already checked.
	verified tokenCache

	// keyMu guards the cached public half of the tenant's signing key.
	keyMu sync.Mutex
	key   *signingKey
}

// New opens the package's database and makes a server.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Directory == nil {
		return nil, fmt.Errorf("graph: %w", ErrNoDirectory)
	}
	if err := checkBase(cfg.LoginURL, false); err != nil {
		return nil, fmt.Errorf("graph: login URL %q: %w", cfg.LoginURL, err)
	}
	if err := checkBase(cfg.GraphURL, true); err != nil {
		return nil, fmt.Errorf("graph: Graph URL %q: %w", cfg.GraphURL, err)
	}
	db, err := store.Open(ctx, store.Options{Dir: cfg.DataDir, Name: StoreName}, migrations)
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	s := &Server{
		dir: cfg.Directory, db: db,
		login: strings.TrimRight(cfg.LoginURL, "/"), graph: strings.TrimRight(cfg.GraphURL, "/"),
		now: cfg.Now, rand: cfg.Rand, log: cfg.Logger,
		signIns: cfg.SignIns, provisioning: cfg.Provisioning, engine: cfg.Engine,
	}
	s.graphURL, _ = url.Parse(s.graph)
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	} else {
		s.rand = &lockedReader{r: s.rand}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// Close closes the database.
func (s *Server) Close() error { return s.db.Close() }

// GraphURL is the Graph v1.0 base URL, e.g. http://127.0.0.1:8080/v1.0.
func (s *Server) GraphURL() string { return s.graph }

// TokenURL is the tenant's v2.0 token endpoint.
func (s *Server) TokenURL(tenant string) string { return s.login + "/" + tenant + "/oauth2/v2.0/token" }

func checkBase(raw string, pathAllowed bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || (!pathAllowed && u.Path != "" && u.Path != "/") {
		return ErrBadURL
	}
	return nil
}

func (s *Server) newGUID() (string, error) {
	u, err := uuid.NewRandomFromReader(s.rand)
	if err != nil {
		return "", fmt.Errorf("make an ID: %w", err)
	}
	return u.String(), nil
}

// guid is newGUID for IDs on a response (request IDs): a failing random
// source is a broken machine, with no sensible answer but to stop.
func (s *Server) guid() string {
	id, err := s.newGUID()
	if err != nil {
		panic(fmt.Sprintf("graph: %v", err))
	}
	return id
}

// lockedReader lets a reader that is not safe for concurrent use (a
// seeded test source) serve concurrent requests.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
