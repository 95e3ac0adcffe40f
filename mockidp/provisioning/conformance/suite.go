package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// Config says which server to test.
type Config struct {
	// BaseURL is the SCIM base URL (Entra's Tenant URL). A query string,
	// such as ?aadOptscim062020, is dropped: the suite tries both dialects.
	BaseURL string
	// Token is the bearer token (Entra's Secret Token).
	Token string
	// HTTPClient sends the requests; nil means one with a 30-second
	// timeout.
	HTTPClient *http.Client
	// NewID makes the unique part of the test users' and group's names;
	// nil means a random UUID's first 12 hex digits.
	NewID func() string
}

// ErrBadURL means BaseURL is not an absolute http(s) URL.
var ErrBadURL = errors.New("the SCIM base URL must be an absolute http(s) URL such as https://api.rudderstack.com/scim/v2")

const enterprise = scim.SchemaEnterpriseUser

// suite is one run.
type suite struct {
	ctx    context.Context
	c      *client
	id     string
	report Report
	// cur is the running case.
	cur *Case
	// made are ids of users the suite created, for the clean-up.
	made []string
	// user is the main test user; manager the second one.
	userName, userID, externalID string
	managerID                    string
}

// Run runs the suite. It fails only for a malformed BaseURL; everything
// the server does is in the report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Report{}, fmt.Errorf("%w (got %q)", ErrBadURL, cfg.BaseURL)
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	newID := cfg.NewID
	if newID == nil {
		newID = func() string { return strings.ReplaceAll(uuid.NewString(), "-", "")[:12] }
	}
	s := &suite{ctx: ctx, id: newID(), report: Report{BaseURL: u.String()}}
	s.c = &client{hc: hc, base: u, token: cfg.Token}
	s.userName = "ssowiz.validate." + s.id + "@example.com"
	s.externalID = "ssowiz.validate." + s.id
	s.runAll()
	return s.report, nil
}

// step runs one case. fn returns "" to pass or what was wrong; it may
// mark the case unsupported or skipped itself.
func (s *suite) step(name string, needs bool, why string, fn func(c *Case) string) bool {
	c := Case{Name: name}
	var rec []Exchange
	s.c.rec = &rec
	s.cur = &c
	switch {
	case s.ctx.Err() != nil:
		c.Status, c.Detail = Skipped, "the run was cancelled"
	case !needs:
		c.Status, c.Detail = Skipped, why
	default:
		if msg := fn(&c); msg != "" {
			c.Status, c.Detail = Fail, msg
		} else if c.Status == "" {
			c.Status = Pass
		}
	}
	if c.Status == Fail || c.Status == Unsupported {
		c.Exchanges = rec
	}
	s.report.Cases = append(s.report.Cases, c)
	switch c.Status {
	case Pass:
		s.report.Passed++
	case Fail:
		s.report.Failed++
	case Unsupported:
		s.report.Unsupported++
	case Skipped:
		s.report.Skipped++
	}
	return c.Status == Pass
}

func (s *suite) get(path string, q url.Values) answer {
	return s.c.send(s.ctx, http.MethodGet, path, q, nil, "")
}

func (s *suite) do(method, path string, body any) answer {
	return s.c.send(s.ctx, method, path, nil, body, "")
}

// expect checks a status and notes a non-SCIM Content-Type.
func (s *suite) expect(a answer, what string, statuses ...int) string {
	if a.err != nil && a.status == 0 {
		return fmt.Sprintf("%s: no response: %v", what, a.err)
	}
	for _, st := range statuses {
		if a.status == st {
			if st != http.StatusNoContent {
				s.noteMediaType(a)
			}
			return ""
		}
	}
	want := make([]string, len(statuses))
	for i, st := range statuses {
		want[i] = fmt.Sprint(st)
	}
	return fmt.Sprintf("%s answered %d, Entra expects %s", what, a.status, strings.Join(want, " or "))
}

func (s *suite) noteMediaType(a answer) {
	if ct := a.header.Get("Content-Type"); !scim.IsSCIMMediaType(ct) {
		s.note(fmt.Sprintf("the Content-Type is %q, not application/scim+json: Entra reads it, Microsoft's SCIM validator fails it", ct))
	}
}

func (s *suite) note(n string) {
	for _, x := range s.cur.Notes {
		if x == n {
			return
		}
	}
	s.cur.Notes = append(s.cur.Notes, n)
}

// list parses a ListResponse answer.
func (s *suite) list(a answer, what string) (*scim.ListResponse, string) {
	if msg := s.expect(a, what, http.StatusOK); msg != "" {
		return nil, msg
	}
	l, err := scim.ParseListResponse(a.body)
	if err != nil {
		return nil, fmt.Sprintf("%s: %v (Entra reports SystemForCrossDomainIdentityManagementServiceIncompatible)", what, err)
	}
	return l, ""
}

// scimError checks an error answer's body: a SCIM Error with status as a
// string (RFC 7644 §3.12). A number is noted, not failed: Entra copes.
func (s *suite) scimError(a answer, what string) string {
	e, err := scim.ParseError(a.body)
	if e == nil {
		return fmt.Sprintf("%s: the body is not a SCIM Error (%v)", what, err)
	}
	if e.StatusNotString {
		s.note("the error's status is a JSON number; RFC 7644 §3.12 says a string such as \"409\"")
	}
	if err != nil {
		s.note(err.Error())
	}
	return ""
}

// read GETs the test user by id.
func (s *suite) read(id string) (scim.Resource, string) {
	a := s.get("/Users/"+url.PathEscape(id), nil)
	if msg := s.expect(a, "GET /Users/{id}", http.StatusOK); msg != "" {
		return nil, msg
	}
	r := a.resource()
	if r == nil {
		return nil, "GET /Users/{id} did not return a JSON resource"
	}
	return r, ""
}

// patch sends a PatchOp and accepts 200 or 204 (reference §4.4).
func (s *suite) patch(path string, ops ...map[string]any) string {
	body := map[string]any{"schemas": []string{scim.SchemaPatchOp}, "Operations": ops}
	a := s.do(http.MethodPatch, path, body)
	return s.expect(a, "PATCH "+path[:strings.LastIndexByte(path, '/')]+"/{id}", http.StatusOK, http.StatusNoContent)
}

func op(name, path string, value any) map[string]any {
	m := map[string]any{"op": name}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}

// userBody is the POST body Entra sends for a user with the default
// mappings (reference §4.2).
func userBody(userName, externalID, given, family string) map[string]any {
	return map[string]any{
		"schemas":     []string{scim.SchemaUser, enterprise},
		"externalId":  externalID,
		"userName":    userName,
		"active":      true,
		"displayName": given + " " + family,
		"title":       "Conformance tester",
		"emails":      []any{map[string]any{"primary": true, "type": "work", "value": externalID + "@example.com"}},
		"meta":        map[string]any{"resourceType": "User"},
		"name":        map[string]any{"formatted": given + " " + family, "familyName": family, "givenName": given},
		enterprise:    map[string]any{"employeeNumber": "E-" + externalID[len(externalID)-4:], "department": "QA"},
		"roles":       []any{},
	}
}

// valueAt reads a simple, sub-attribute or typed-entry value for checks.
func valueAt(r scim.Resource, path string) string {
	switch {
	case strings.HasPrefix(path, enterprise+":"):
		ext := r.Extension(enterprise)
		k, ok := scim.FindKey(ext, strings.TrimPrefix(path, enterprise+":"))
		if !ok {
			return ""
		}
		return text(ext[k])
	case strings.Contains(path, "[type eq "):
		attr, rest, _ := strings.Cut(path, "[type eq \"")
		typ, sub, _ := strings.Cut(rest, "\"].")
		v, _ := r.Get(attr)
		arr, _ := v.([]any)
		for _, e := range arr {
			m, _ := e.(map[string]any)
			tk, _ := scim.FindKey(m, "type")
			if t, _ := m[tk].(string); strings.EqualFold(t, typ) {
				sk, _ := scim.FindKey(m, sub)
				return text(m[sk])
			}
		}
		return ""
	case strings.Contains(path, "."):
		attr, sub, _ := strings.Cut(path, ".")
		v, _ := r.Get(attr)
		m, _ := v.(map[string]any)
		k, ok := scim.FindKey(m, sub)
		if !ok {
			return ""
		}
		return text(m[k])
	}
	v, _ := r.Get(path)
	return text(v)
}

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

// checkValues compares values read back with what was sent.
func checkValues(r scim.Resource, want map[string]string) string {
	var bad []string
	for _, p := range sortedKeys(want) {
		if got := valueAt(r, p); got != want[p] {
			bad = append(bad, fmt.Sprintf("%s is %q, want %q", p, got, want[p]))
		}
	}
	if len(bad) > 0 {
		return "after the PATCH, " + strings.Join(bad, "; ") + " (Entra needs values stored and returned exactly as sent, or it PATCHes them again every cycle)"
	}
	return ""
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
