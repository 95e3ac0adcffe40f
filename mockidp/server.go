// Package mockidp serves a mock Microsoft Entra ID tenant over HTTP in
// Entra's shapes: the App Federation Metadata, the SAML endpoint
// /{tenant}/saml2 with AuthnRequest validation in Entra's order and its
// AADSTS error page, a sign-in page that works without JavaScript
// (loginfmt, passwd), an ESTSAUTH-like session cookie, responses in the
// captured wire shape, the My Apps tile and an explicit IdP-initiated
// launch.
//
// The tenant's state lives in mockidp/directory. Every URL the server
// prints or posts to is built from Config.BaseURL, never from the
// request's Host, so the same server can stand in for
// https://login.microsoftonline.com behind a host-routing client.
package mockidp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Config configures New.
type Config struct {
	// Directory is the tenant's state. Required.
	Directory *directory.Directory
	// BaseURL is where the server is reached, without a trailing slash,
	// e.g. https://login.microsoftonline.com in rehearsals or
	// http://127.0.0.1:8080 in `serve`. Required.
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of response, assertion, request and correlation
	// IDs and of the key that protects flow tokens and session cookies;
	// nil means crypto/rand. Tests pass a seeded reader.
	Rand io.Reader
	// Logger receives one line per sign-in outcome and error page (never
	// passwords, cookies or SAML messages); nil discards.
	Logger *slog.Logger
	// SessionLifetime is how long the session cookie lets a later
	// AuthnRequest skip the sign-in; zero means 24 hours.
	SessionLifetime time.Duration
	// HideStaySignedIn models the tenant's Company branding setting "Show
	// option to remain signed in" set to No: the "Stay signed in?" page is
	// skipped, saving a round trip per sign-in.
	HideStaySignedIn bool
	// DemoUsersHint adds to the "Sign in" page a box listing the tenant's
	// users to click, marked as ssowiz's and not Entra's, for demos.
	DemoUsersHint bool
	// SignIns, when set, receives every sign-in attempt: each AADSTS
	// failure with the correlation ID its page shows, and each success
	// with the response issued.
	SignIns SignInRecorder
}

// Server is the mock Entra ID HTTP server.
type Server struct {
	dir     *directory.Directory
	base    string
	now     func() time.Time
	rand    io.Reader
	log     *slog.Logger
	session time.Duration
	signIns SignInRecorder
	// hideKMSI and demoHint are Config.HideStaySignedIn and DemoUsersHint.
	hideKMSI, demoHint bool
	// macKey protects the ctx flow token and the ESTSAUTH cookie.
	macKey []byte
	// secure is true when BaseURL is https, so cookies get Secure and
	// SameSite=None as Entra's do.
	secure bool
	// inflaters keeps idle decompressors for Redirect-binding requests.
	inflaters chan io.ReadCloser
}

// flowLifetime bounds how long a sign-in page may sit before it is posted.
const flowLifetime = time.Hour

// New checks the configuration and makes a server.
func New(cfg Config) (*Server, error) {
	if cfg.Directory == nil {
		return nil, fmt.Errorf("mockidp: %w", ErrNoDirectory)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("mockidp: base URL %q: %w", cfg.BaseURL, ErrBadBaseURL)
	}
	s := &Server{
		dir:     cfg.Directory,
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		now:     cfg.Now,
		log:     cfg.Logger,
		session: cfg.SessionLifetime,
		signIns: cfg.SignIns,
		secure:  u.Scheme == "https",

		hideKMSI: cfg.HideStaySignedIn,
		demoHint: cfg.DemoUsersHint,

		inflaters: make(chan io.ReadCloser, idleInflaters),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.session == 0 {
		s.session = 24 * time.Hour
	}
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	s.rand = &lockedReader{r: r}
	s.macKey = make([]byte, 32)
	if _, err := io.ReadFull(s.rand, s.macKey); err != nil {
		return nil, fmt.Errorf("mockidp: make the session key: %w", err)
	}
	return s, nil
}

// Handler returns the server's routes (see routes.go).
func (s *Server) Handler() http.Handler { return s.routes() }

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

// guid returns a lowercase GUID from the server's random source.
func (s *Server) guid() string {
	u, err := uuid.NewRandomFromReader(s.rand)
	if err != nil {
		// A failing random source is a broken machine; there is no
		// sensible answer but to stop.
		panic(fmt.Sprintf("mockidp: random source failed: %v", err))
	}
	return u.String()
}

// samlID returns an ID in Entra's form: "_" and a lowercase GUID.
func (s *Server) samlID() string { return "_" + s.guid() }

// mac signs a token.
func (s *Server) mac(parts ...string) []byte {
	h := hmac.New(sha256.New, s.macKey)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// IssuerFor is the Microsoft Entra Identifier (entity ID and Issuer) of a
// tenant; it always names sts.windows.net, whatever BaseURL is.
func IssuerFor(tenantID string) string { return "https://sts.windows.net/" + tenantID + "/" }

func (s *Server) loginURL(tenantID string) string     { return s.base + "/" + tenantID + "/saml2" }
func (s *Server) postLoginURL(tenantID string) string { return s.base + "/" + tenantID + "/login" }
func (s *Server) wsfedURL(tenantID string) string     { return s.base + "/" + tenantID + "/wsfed" }

func (s *Server) metadataURL(tenantID, appID string) string {
	return s.base + "/" + tenantID + "/federationmetadata/2007-06/federationmetadata.xml?appid=" + url.QueryEscape(appID)
}
