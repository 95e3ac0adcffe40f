package scimserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// DefaultMaxBodyBytes is the largest request body the server reads, 1 MiB:
// a User from Entra is well under 10 KiB, so anything near this is a
// mistake or an abuse. A larger body is refused with 413.
const DefaultMaxBodyBytes = 1 << 20

// DefaultMaxResults is the most resources one query returns (the
// ServiceProviderConfig's filter.maxResults) and the page size when the
// client gives no count.
const DefaultMaxResults = 200

// Store is what the server needs of the SP's account store;
// *accounts.Store has it. It is an interface so tests can make the store
// fail.
type Store interface {
	AuthenticatePAT(ctx context.Context, token string) (accounts.Authenticated, error)
	CreateUser(ctx context.Context, u accounts.User) (accounts.User, error)
	GetUser(ctx context.Context, orgID, id string) (accounts.User, error)
	FindUserByUserName(ctx context.Context, orgID, userName string) (accounts.User, error)
	FindUsers(ctx context.Context, orgID string, q accounts.UserQuery) ([]accounts.User, int, error)
	UpdateUser(ctx context.Context, orgID, id string, fn func(*accounts.User) error) (accounts.User, error)
}

// Config configures the server.
type Config struct {
	// Accounts is the SP's account store. Required.
	Accounts Store
	// BaseURL is the public SCIM base URL, {APIURL}/scim/v2: it prefixes
	// meta.location, and its path is the prefix of the request paths the
	// handler serves (it sees the full path, /scim/v2/Users/...). Required.
	BaseURL string
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxResults caps a query's page; 0 means DefaultMaxResults.
	MaxResults int
	// Now is the clock, used to time requests for the log; nil means
	// time.Now. Resource timestamps come from the account store's clock.
	Now func() time.Time
	// Logger receives one line per request (method, path, status,
	// organisation and token name) and store failures; nil discards.
	// Tokens, request bodies and query strings are never logged.
	Logger *slog.Logger
}

// server is the SCIM handler.
type server struct {
	store      Store
	base       string // BaseURL without a trailing slash
	prefix     string // the path of BaseURL, without a trailing slash
	maxBody    int64
	maxResults int
	now        func() time.Time
	log        *slog.Logger
	users      *scim.ResourceType
}

// New returns the SCIM server's handler. It panics, with an error wrapping
// ErrConfig, when Accounts is nil or BaseURL is not an absolute http(s)
// URL: that is a wiring mistake, found at start-up.
func New(cfg Config) http.Handler {
	if cfg.Accounts == nil {
		panic(fmt.Errorf("%w: Accounts is nil", ErrConfig))
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		panic(fmt.Errorf("%w: BaseURL %q must be an absolute http(s) URL without query, such as https://api.rudderstack.com/scim/v2", ErrConfig, cfg.BaseURL))
	}
	s := &server{
		store:      cfg.Accounts,
		base:       strings.TrimRight(cfg.BaseURL, "/"),
		prefix:     strings.TrimRight(u.Path, "/"),
		maxBody:    cfg.MaxBodyBytes,
		maxResults: cfg.MaxResults,
		now:        cfg.Now,
		log:        cfg.Logger,
		users:      scim.UserType(),
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.maxResults <= 0 {
		s.maxResults = DefaultMaxResults
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP authenticates the request, routes it and logs one line.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	sw := &statusWriter{ResponseWriter: w}
	var who *caller
	defer func() {
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path), // no query: filters hold user names
			slog.Int("status", sw.status),
			slog.Duration("elapsed", s.now().Sub(start)),
		}
		if who != nil {
			attrs = append(attrs, slog.String("org", who.org.ID), slog.String("token", who.token.Name))
		}
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		} else if sw.status == http.StatusUnauthorized || sw.status == http.StatusForbidden {
			level = slog.LevelWarn
		}
		s.log.LogAttrs(r.Context(), level, "scim request", attrs...)
	}()
	c, err := s.authenticate(r)
	if err != nil {
		s.writeError(sw, r, err)
		return
	}
	who = c
	s.route(sw, r, c)
}

// writeError sends err as a SCIM Error. Errors that are not SCIM errors
// nor wrap a SCIM sentinel become a 500 whose detail hides the cause; the
// cause is logged (store errors name no secrets).
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := scim.ErrorFrom(err)
	if e.Status == http.StatusInternalServerError {
		s.log.LogAttrs(r.Context(), slog.LevelError, "scim request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="SCIM"`)
	}
	_ = scim.WriteJSON(w, e.Status, e)
}

// write sends v with status; a failed write (the client went away) has no
// one to tell.
func write(w http.ResponseWriter, status int, v any) {
	_ = scim.WriteJSON(w, status, v)
}
