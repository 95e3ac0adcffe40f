package scimserver

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/ssowiz/ssowiz/internal/syncbuf"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// publicBase is the Tenant URL the server is configured with; requests go
// to the httptest server, whose paths are the same.
const publicBase = "https://api.rudderstack.com/scim/v2"

// start is the frozen time of every test's account store.
var start = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// harness is an SP account store with one SCIM-enabled org, its Org Admin
// and an Admin token, behind the SCIM server on a loopback httptest
// server.
type harness struct {
	t      testing.TB
	ctx    context.Context
	clock  *clockwork.FakeClock
	store  *accounts.Store
	org    accounts.Org
	admin  accounts.User
	token  string
	srv    *httptest.Server
	logs   *syncbuf.Buffer
	tokens []string   // every token made, to check none leaks
	mu     sync.Mutex // guards sent: tests send from many goroutines
	sent   []string   // the credential of every Authorization header sent
}

type harnessOptions struct {
	dir   string // data directory; "" keeps the database in memory
	wrap  func(Store) Store
	limit int64
}

func newHarness(t testing.TB, opts ...func(*harnessOptions)) *harness {
	t.Helper()
	var o harnessOptions
	for _, f := range opts {
		f(&o)
	}
	h := &harness{t: t, ctx: context.Background(), clock: clockwork.NewFakeClockAt(start), logs: &syncbuf.Buffer{}}
	st, err := accounts.Open(h.ctx, accounts.Options{Dir: o.dir, Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	h.org, err = st.CreateOrg(h.ctx, accounts.Org{Name: "Contoso", Domains: []string{"contoso.com"}, SCIMEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	h.admin, err = st.CreateUser(h.ctx, accounts.User{OrgID: h.org.ID, UserName: "admin@contoso.com", Role: accounts.RoleAdmin, Source: accounts.SourceInvite, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	h.token = h.newToken(h.admin.ID, accounts.PATRoleAdmin, nil)
	var store Store = st
	if o.wrap != nil {
		store = o.wrap(st)
	}
	handler := New(Config{
		Accounts: store, BaseURL: publicBase, MaxBodyBytes: o.limit,
		Now:    func() time.Time { return start },
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	h.srv = httptest.NewServer(handler)
	t.Cleanup(h.srv.Close)
	t.Cleanup(h.checkNoTokenLogged)
	return h
}

func (h *harness) newToken(ownerID string, role accounts.PATRole, expires *time.Time) string {
	h.t.Helper()
	tok, _, err := h.store.CreatePAT(h.ctx, h.org.ID, ownerID, "Entra SCIM", role, expires)
	if err != nil {
		h.t.Fatal(err)
	}
	h.tokens = append(h.tokens, tok)
	return tok
}

func (h *harness) checkNoTokenLogged() {
	logs := h.logs.String()
	for _, secret := range h.secrets() {
		if strings.Contains(logs, secret) {
			h.t.Errorf("a credential (or a token's secret) appears in the log")
		}
	}
}

// secrets is every string no response or log line may hold: each token
// made, its secret part alone, and the credential part of every
// Authorization header sent, whatever its scheme.
func (h *harness) secrets() []string {
	var out []string
	for _, tok := range h.tokens {
		out = append(out, tok, tok[len(accounts.TokenPrefix)+17:])
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return append(out, h.sent...)
}

// credential is the part of an Authorization header that may be secret:
// what follows the scheme, or the whole value when it has no scheme.
// Values too short to mean anything are left out, so the check does not
// trip on ordinary words.
func credential(header string) string {
	header = strings.TrimSpace(header)
	if _, rest, ok := strings.Cut(header, " "); ok {
		header = strings.TrimSpace(rest)
	}
	if first, rest, ok := strings.Cut(header, " "); ok && strings.EqualFold(first, "Bearer") {
		header = strings.TrimSpace(rest)
	}
	if len(header) < 8 {
		return ""
	}
	return header
}

// response is an HTTP answer with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body with numbers kept as json.Number.
func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("status %d body %q is not a JSON object: %v", r.status, r.body, err)
	}
	return m
}

// req describes a request; zero fields get the defaults: the harness's
// admin token, and Entra's Content-Type when there is a body.
type req struct {
	method, path, body string
	token              *string
	header             map[string]string
}

func (h *harness) do(r req) response {
	h.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, h.srv.URL+r.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	tok := h.token
	if r.token != nil {
		tok = *r.token
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	res, err := h.srv.Client().Do(hr)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if cred := credential(hr.Header.Get("Authorization")); cred != "" {
		h.mu.Lock()
		h.sent = append(h.sent, cred)
		h.mu.Unlock()
	}
	for _, secret := range h.secrets() {
		if bytes.Contains(data, []byte(secret)) {
			h.t.Errorf("%s %s: the response body repeats a credential", r.method, r.path)
		}
		for k, vs := range res.Header {
			for _, v := range vs {
				if strings.Contains(v, secret) {
					h.t.Errorf("%s %s: the response header %s repeats a credential", r.method, r.path, k)
				}
			}
		}
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

func (h *harness) get(path string) response { return h.do(req{method: "GET", path: path}) }

func (h *harness) send(method, path, body string) response {
	return h.do(req{method: method, path: path, body: body})
}

// mustStatus fails unless the response has the status and, for SCIM
// responses, the SCIM media type.
func mustStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
	if ct := r.header.Get("Content-Type"); len(r.body) > 0 && !strings.HasPrefix(ct, "application/scim+json") {
		t.Fatalf("Content-Type %q, want application/scim+json", ct)
	}
}

// scimError checks an error response: status, SCIM media type, the Error
// schema, status as a string, scimType; it returns the detail.
func scimError(t testing.TB, r response, status int, scimType string) string {
	t.Helper()
	mustStatus(t, r, status)
	m := r.json(t)
	if s, ok := m["status"].(string); !ok || s != strconv.Itoa(status) {
		t.Fatalf("status field %#v, want the string %q; body %s", m["status"], strconv.Itoa(status), r.body)
	}
	if got, _ := m["scimType"].(string); got != scimType {
		t.Fatalf("scimType %q, want %q; body %s", got, scimType, r.body)
	}
	if schemas, _ := m["schemas"].([]any); len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Fatalf("schemas %v, want the Error schema", m["schemas"])
	}
	detail, _ := m["detail"].(string)
	if detail == "" {
		t.Fatalf("error without detail: %s", r.body)
	}
	return detail
}

// created POSTs a user and returns its id.
func (h *harness) created(body string) string {
	h.t.Helper()
	r := h.send("POST", "/scim/v2/Users", body)
	mustStatus(h.t, r, http.StatusCreated)
	id, _ := r.json(h.t)["id"].(string)
	if id == "" {
		h.t.Fatalf("created user has no id: %s", r.body)
	}
	return id
}

// decode parses JSON text with numbers as json.Number, for comparisons.
func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return v
}

// without returns a copy of m without the keys.
func without(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func sameJSON(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

// golden compares a response body, ids replaced by placeholders, with
// testdata/name; -update rewrites it.
func golden(t testing.TB, name string, body []byte, ids map[string]string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for id, placeholder := range ids {
		s = strings.ReplaceAll(s, id, placeholder)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if s != string(want) {
		t.Fatalf("%s differs from the response (go test -update rewrites it):\n%s", path, s)
	}
}

func ptr[T any](v T) *T { return &v }

// jsonInt is n as decoded bodies hold numbers.
func jsonInt(n int) json.Number { return json.Number(strconv.Itoa(n)) }
