// Package scimtest is an in-memory SCIM 2.0 server that records every
// request, for testing SCIM clients such as the provisioning engine and
// the conformance suite. It is lenient where Entra needs it (both PATCH
// dialects, through internal/scim/patch) and lets a test inject failures,
// drop connections after storing, and switch groups off.
package scimtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/filter"
	"github.com/ssowiz/ssowiz/internal/scim/patch"
)

// BasePath is where the SCIM API is mounted on the test server.
const BasePath = "/scim/v2"

// Request is one recorded request.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the request URI relative to the SCIM base (e.g.
	// /Users?filter=userName+eq+%22x%22), as the client sent it.
	Path string
	// Header is the request's header.
	Header http.Header
	// Body is the raw request body.
	Body []byte
}

// JSON decodes the body into a generic value (nil for no body).
func (r Request) JSON() any {
	if len(r.Body) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return string(r.Body)
	}
	return v
}

// Filter is the decoded filter query parameter, "" if none.
func (r Request) Filter() string {
	u, err := url.Parse(r.Path)
	if err != nil {
		return ""
	}
	return u.Query().Get("filter")
}

// String is "METHOD /path".
func (r Request) String() string { return r.Method + " " + r.Path }

// Response is an injected answer.
type Response struct {
	// Status is the HTTP status.
	Status int
	// Body is sent as is.
	Body string
	// ContentType defaults to application/scim+json.
	ContentType string
	// Drop closes the connection without answering.
	Drop bool
}

// Server is the test SCIM server. Configure its fields before the first
// request; they are read under its lock.
type Server struct {
	// Token is the bearer token required; empty accepts any.
	Token string
	// Intercept, when it returns non-nil, answers the request instead of
	// the server (nothing is stored).
	Intercept func(Request) *Response
	// DropAfter, when it returns true, makes the server handle and store
	// the request and then close the connection without answering: the
	// client never learns that the server acknowledged it.
	DropAfter func(Request) bool
	// GroupsUnsupported answers every /Groups request with 404 and a SCIM
	// error, as a server without groups does.
	GroupsUnsupported bool
	// PatchNoContent answers PATCH with 204 instead of 200 and the
	// resource.
	PatchNoContent bool
	// ContentType overrides the Content-Type of normal answers.
	ContentType string

	mu       sync.Mutex
	users    map[string]scim.Resource
	groups   map[string]scim.Resource
	order    []string
	nextID   int
	requests []Request
	srv      *httptest.Server
}

// New starts a server; Close it when done.
func New() *Server {
	s := &Server{users: map[string]scim.Resource{}, groups: map[string]scim.Resource{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the SCIM base URL (the Tenant URL), e.g. http://127.0.0.1:1234/scim/v2.
func (s *Server) URL() string { return s.srv.URL + BasePath }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Configure runs fn under the server's lock, to change its settings
// while requests may be in flight.
func (s *Server) Configure(fn func(*Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// Requests returns the requests recorded so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests (not the data).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Users returns the stored users in creation order.
func (s *Server) Users() []scim.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []scim.Resource
	for _, id := range s.order {
		if u, ok := s.users[id]; ok {
			out = append(out, u.Clone())
		}
	}
	return out
}

// UserByName returns the stored user with this userName (any case).
func (s *Server) UserByName(userName string) (scim.Resource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if strings.EqualFold(u.UserName(), userName) {
			return u.Clone(), true
		}
	}
	return nil, false
}

// Groups returns the stored groups sorted by displayName.
func (s *Server) Groups() []scim.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []scim.Resource
	for _, g := range s.groups {
		out = append(out, g.Clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DisplayName() < out[j].DisplayName() })
	return out
}

// PutUser stores a user directly (as if made by JIT sign-in), returning
// its id.
func (s *Server) PutUser(r scim.Resource) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := "u" + strconv.Itoa(s.nextID)
	r = r.Clone()
	r["id"] = id
	s.users[id] = r
	s.order = append(s.order, id)
	return id
}

type recorder struct {
	status int
	header http.Header
	body   bytes.Buffer
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rel := strings.TrimPrefix(r.URL.RequestURI(), BasePath)
	req := Request{Method: r.Method, Path: rel, Header: r.Header.Clone(), Body: body}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	intercept, dropAfter := s.Intercept, s.DropAfter
	s.mu.Unlock()
	if intercept != nil {
		if resp := intercept(req); resp != nil {
			if resp.Drop {
				drop(w)
				return
			}
			ct := resp.ContentType
			if ct == "" {
				ct = scim.MediaType
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(resp.Status)
			io.WriteString(w, resp.Body)
			return
		}
	}
	rec := &recorder{status: http.StatusOK, header: http.Header{}}
	s.handle(rec, r.Method, r.URL, r.Header, body)
	if dropAfter != nil && dropAfter(req) {
		drop(w)
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}

func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) write(rec *recorder, status int, v any) {
	ct := s.ContentType
	if ct == "" {
		ct = scim.MediaType + "; charset=utf-8"
	}
	rec.header.Set("Content-Type", ct)
	rec.status = status
	if status == http.StatusNoContent {
		return
	}
	data, _ := json.Marshal(v)
	rec.body.Write(data)
}

func (s *Server) writeErr(rec *recorder, err error) {
	e := scim.ErrorFrom(err)
	s.write(rec, e.Status, e)
}

func (s *Server) handle(rec *recorder, method string, u *url.URL, h http.Header, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Token != "" && h.Get("Authorization") != "Bearer "+s.Token {
		s.writeErr(rec, scim.NewError(http.StatusUnauthorized, "", "The bearer token is missing or not valid."))
		return
	}
	path := strings.TrimPrefix(u.Path, BasePath)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 0 || len(parts) > 2 || (parts[0] != "Users" && parts[0] != "Groups") {
		s.writeErr(rec, scim.NewError(http.StatusNotFound, "", "No endpoint at "+u.Path))
		return
	}
	rt, store := scim.UserType(), s.users
	if parts[0] == "Groups" {
		if s.GroupsUnsupported {
			s.writeErr(rec, scim.NewError(http.StatusNotFound, "", "Groups are not supported."))
			return
		}
		rt, store = scim.GroupType(), s.groups
	}
	if len(body) > 0 {
		if err := scim.CheckContentType(h.Get("Content-Type")); err != nil {
			s.writeErr(rec, err)
			return
		}
	}
	exclude := strings.EqualFold(u.Query().Get("excludedAttributes"), "members")
	out := func(r scim.Resource) scim.Resource {
		r = r.Clone()
		if exclude {
			r.Delete("members")
		}
		return r
	}
	id := ""
	if len(parts) == 2 {
		id = parts[1]
	}
	switch {
	case method == http.MethodGet && id == "":
		var f *filter.Filter
		if text := u.Query().Get("filter"); text != "" {
			var err error
			if f, err = filter.New(text, rt); err != nil {
				s.writeErr(rec, err)
				return
			}
		}
		var found []scim.Resource
		for _, key := range s.sortedIDs(store) {
			if f == nil || f.Match(store[key]) {
				found = append(found, out(store[key]))
			}
		}
		s.write(rec, http.StatusOK, scim.NewListResponse(len(found), scim.Page{StartIndex: 1, Count: len(found)}, found))
	case method == http.MethodGet:
		r, ok := store[id]
		if !ok {
			s.writeErr(rec, scim.NewError(http.StatusNotFound, "", fmt.Sprintf("Resource %s not found", id)))
			return
		}
		s.write(rec, http.StatusOK, out(r))
	case method == http.MethodPost && id == "":
		r, err := scim.DecodeResource(body)
		if err == nil {
			err = rt.NormalizeRequest(r)
		}
		if err != nil {
			s.writeErr(rec, err)
			return
		}
		key := "userName"
		if rt.Name == "Group" {
			key = "displayName"
		}
		for _, other := range store {
			if strings.EqualFold(other.String(key), r.String(key)) {
				s.writeErr(rec, scim.NewError(http.StatusConflict, scim.TypeUniqueness, fmt.Sprintf("A %s with %s %q already exists.", strings.ToLower(rt.Name), key, r.String(key))))
				return
			}
		}
		s.nextID++
		prefix := "u"
		if rt.Name == "Group" {
			prefix = "g"
		}
		r["id"] = prefix + strconv.Itoa(s.nextID)
		r["meta"] = map[string]any{"resourceType": rt.Name, "location": BasePath + "/" + parts[0] + "/" + r.ID()}
		store[r.ID()] = r
		s.order = append(s.order, r.ID())
		s.write(rec, http.StatusCreated, r)
	case method == http.MethodPatch && id != "":
		r, ok := store[id]
		if !ok {
			s.writeErr(rec, scim.NewError(http.StatusNotFound, "", fmt.Sprintf("Resource %s not found", id)))
			return
		}
		nr, _, err := patch.ApplyJSON(rt, r, body)
		if err != nil {
			s.writeErr(rec, err)
			return
		}
		store[id] = nr
		if s.PatchNoContent {
			s.write(rec, http.StatusNoContent, nil)
			return
		}
		s.write(rec, http.StatusOK, out(nr))
	case method == http.MethodDelete && id != "":
		if _, ok := store[id]; !ok {
			s.writeErr(rec, scim.NewError(http.StatusNotFound, "", fmt.Sprintf("Resource %s not found", id)))
			return
		}
		delete(store, id)
		s.write(rec, http.StatusNoContent, nil)
	default:
		s.writeErr(rec, scim.NewError(http.StatusMethodNotAllowed, "", method+" is not supported on "+u.Path))
	}
}

func (s *Server) sortedIDs(store map[string]scim.Resource) []string {
	var ids []string
	for _, id := range s.order {
		if _, ok := store[id]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}
