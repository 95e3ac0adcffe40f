// Package portal serves the mock Entra admin center's log blades for
// people: Sign-in logs (each attempt, filtered by user and app, with its
// claims and decoded SAML response one click away) and Provisioning logs
// (each action with the SCIM requests sent and the answers). The pages work
// without JavaScript.
package portal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// Path is where the pages live on the mock Entra ID's listener.
const Path = "/logs"

// SignInLog is where sign-ins are read (auditlog.Log).
type SignInLog interface {
	SignIns(ctx context.Context, q auditlog.Query) ([]auditlog.SignIn, error)
	SignIn(ctx context.Context, id string) (auditlog.SignIn, error)
}

// ProvisioningLog is where an app's provisioning log is read
// (provisioning.Engine).
type ProvisioningLog interface {
	Logs(ctx context.Context, appID string, q provisioning.LogQuery) ([]provisioning.LogEntry, error)
}

// Config configures New.
type Config struct {
	// Directory names the users and apps of the filters. Required.
	Directory *directory.Directory
	// SignIns is the sign-in log. Required.
	SignIns SignInLog
	// Provisioning is the provisioning engine; nil when provisioning is
	// off, and the blade says so.
	Provisioning ProvisioningLog
	// Logger receives internal errors; nil discards.
	Logger *slog.Logger
}

// Server serves the pages.
type Server struct {
	cfg  Config
	tmpl *template.Template
}

//go:embed templates/*.html
var templates embed.FS

// New makes the pages' server.
func New(cfg Config) (*Server, error) {
	if cfg.Directory == nil || cfg.SignIns == nil {
		return nil, errors.New("portal: a directory and a sign-in log are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	t, err := template.New("").Funcs(template.FuncMap{
		"when": func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") },
	}).ParseFS(templates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	return &Server{cfg: cfg, tmpl: t}, nil
}

// Handler serves Path/signins, Path/signins/{id} and Path/provisioning.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/signins", http.StatusFound)
	})
	mux.HandleFunc("GET "+Path, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"/signins", http.StatusFound)
	})
	mux.HandleFunc("GET "+Path+"/signins", s.signIns)
	mux.HandleFunc("GET "+Path+"/signins/{id}", s.signIn)
	mux.HandleFunc("GET "+Path+"/provisioning", s.provisioning)
	return mux
}

// option is one entry of a filter's drop-down.
type option struct {
	Value, Label string
	Selected     bool
}

// filters are the blade's "User" and "Application" drop-downs.
type filters struct {
	Users, Apps []option
}

func (s *Server) filters(ctx context.Context, userID, appID string) (filters, error) {
	var f filters
	users, err := s.cfg.Directory.Users(ctx)
	if err != nil {
		return f, err
	}
	for _, u := range users {
		f.Users = append(f.Users, option{u.ObjectID, u.DisplayName + " (" + u.UserPrincipalName + ")", strings.EqualFold(u.ObjectID, userID)})
	}
	apps, err := s.cfg.Directory.Apps(ctx)
	if err != nil {
		return f, err
	}
	for _, a := range apps {
		f.Apps = append(f.Apps, option{a.AppID, a.Name, strings.EqualFold(a.AppID, appID)})
	}
	return f, nil
}

type signInsPage struct {
	Tab      string
	Filters  filters
	Filtered bool
	Rows     []auditlog.SignIn
}

func (s *Server) signIns(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	userID, appID := r.URL.Query().Get("user"), r.URL.Query().Get("app")
	f, err := s.filters(ctx, userID, appID)
	if err != nil {
		s.internal(w, err)
		return
	}
	rows, err := s.cfg.SignIns.SignIns(ctx, auditlog.Query{UserID: userID, AppID: appID, Limit: 500})
	if err != nil {
		s.internal(w, err)
		return
	}
	s.render(w, http.StatusOK, "signins.html", signInsPage{Tab: "signins", Filters: f, Filtered: userID != "" || appID != "", Rows: rows})
}

type signInPage struct {
	Tab    string
	Entry  auditlog.SignIn
	Pretty string
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	e, err := s.cfg.SignIns.SignIn(r.Context(), r.PathValue("id"))
	if errors.Is(err, auditlog.ErrNotFound) {
		http.Error(w, "No sign-in with this ID: it may be from before the log was kept (a restart without --data).", http.StatusNotFound)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	s.render(w, http.StatusOK, "signin.html", signInPage{Tab: "signins", Entry: e, Pretty: pretty(e.SAMLResponse)})
}

// pretty indents a SAML response for reading.
func pretty(x string) string {
	if x == "" {
		return ""
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(x); err != nil {
		return x
	}
	doc.Indent(2)
	out, err := doc.WriteToString()
	if err != nil {
		return x
	}
	return out
}

// provisioningRow is one provisioning log entry with its app's name.
type provisioningRow struct {
	provisioning.LogEntry
	AppName string
}

type provisioningPage struct {
	Tab     string
	Filters filters
	Off     bool
	Rows    []provisioningRow
}

func (s *Server) provisioning(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	userID, appID := r.URL.Query().Get("user"), r.URL.Query().Get("app")
	f, err := s.filters(ctx, userID, appID)
	if err != nil {
		s.internal(w, err)
		return
	}
	page := provisioningPage{Tab: "provisioning", Filters: f, Off: s.cfg.Provisioning == nil}
	if !page.Off {
		apps, err := s.cfg.Directory.Apps(ctx)
		if err != nil {
			s.internal(w, err)
			return
		}
		for _, a := range apps {
			if appID != "" && !strings.EqualFold(a.AppID, appID) {
				continue
			}
			logs, err := s.cfg.Provisioning.Logs(ctx, a.AppID, provisioning.LogQuery{SourceID: userID, Limit: 5000})
			if err != nil {
				s.internal(w, err)
				return
			}
			for _, l := range logs {
				page.Rows = append(page.Rows, provisioningRow{l, a.Name})
			}
		}
		sort.SliceStable(page.Rows, func(i, j int) bool { return page.Rows[i].Time.After(page.Rows[j].Time) })
		if len(page.Rows) > 500 {
			page.Rows = page.Rows[:500]
		}
	}
	s.render(w, http.StatusOK, "provisioning.html", page)
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := s.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		s.internal(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.cfg.Logger.Error("log pages", "err", err)
	http.Error(w, "mock Entra ID internal error: "+err.Error(), http.StatusInternalServerError)
}
