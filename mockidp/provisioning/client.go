package provisioning

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// Exchange is one request and its answer in short, as a provisioning log
// shows them. It never holds the Secret Token or a request body.
type Exchange struct {
	// Method is the HTTP method.
	Method string `json:"method"`
	// Path is the request's path and query as sent, e.g.
	// /scim/v2/Users?filter=userName+eq+%22adele%40contoso.com%22.
	Path string `json:"path"`
	// Status is the response status; 0 when no response came back.
	Status int `json:"status,omitempty"`
	// Detail is the SCIM error's detail (or the start of a non-SCIM error
	// body), or why no response came back.
	Detail string `json:"detail,omitempty"`
	// Sent is the request's body and Received the response's, each cut
	// at maxLogged bytes, so a developer testing their own SCIM server
	// sees what was sent and what came back. The Secret Token is never in
	// either.
	Sent     string `json:"sent,omitempty"`
	Received string `json:"received,omitempty"`
}

// maxLogged bounds each body kept in a provisioning log entry.
const maxLogged = 2048

// String renders "GET /scim/v2/Users?... → 200".
func (x Exchange) String() string {
	s := x.Method + " " + x.Path + " → "
	if x.Status == 0 {
		s += "no response"
	} else {
		s += strconv.Itoa(x.Status)
	}
	if x.Detail != "" {
		s += " (" + x.Detail + ")"
	}
	return s
}

// maxBody bounds how much of a response is read; SCIM answers are small.
const maxBody = 4 << 20

// reply is a response read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
	url    string
	ex     Exchange
}

// scimClient sends Entra-shaped requests to one Tenant URL.
type scimClient struct {
	hc *http.Client
	ep endpoint
	// auth is the Authorization header value; secret is the token, kept
	// only to scrub it from anything a server echoes back.
	auth, secret string
}

func newClient(hc *http.Client, ep endpoint, token, tenantID string) *scimClient {
	c := &scimClient{hc: hc, ep: ep, secret: token}
	if token != "" {
		c.auth = "Bearer " + token
	} else {
		// A blank Secret Token makes Entra send a token it issues itself
		// (reference §1); servers expecting their own token refuse it.
		c.auth = "Bearer " + entraIssuedToken(tenantID)
	}
	return c
}

// entraIssuedToken is a JWT-shaped stand-in for the token Entra issues
// when the Secret Token is blank: issuer sts.windows.net/<tenant>/,
// audience the fixed application ID for custom apps. It is not signed;
// it exists so a server sees what it would see from Entra, a bearer token
// that is not one of its own.
func entraIssuedToken(tenantID string) string {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]string{
		"aud": "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
		"iss": "https://sts.windows.net/" + tenantID + "/",
	})
	return head + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString([]byte("mock-entra-signature"))
}

// do sends one request. GETs carry no Accept header (reference §2.1: a
// server that insists on one breaks Test Connection); bodies are sent as
// application/scim+json; charset=utf-8 (§6.1). A transport failure is
// returned as an error along with the reply holding the Exchange.
func (c *scimClient) do(ctx context.Context, method, path string, query url.Values, body any) (*reply, error) {
	u := c.ep.url(path, query)
	var rd io.Reader
	var sent string
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode the %s body for %s: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
		sent = truncate(string(data), maxLogged)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", method, u, err)
	}
	req.Header.Set("Authorization", c.auth)
	if body != nil {
		req.Header.Set("Content-Type", scim.MediaType+"; charset=utf-8")
	}
	r := &reply{url: u, ex: Exchange{Method: method, Path: req.URL.RequestURI(), Sent: sent}}
	resp, err := c.hc.Do(req)
	if err != nil {
		r.ex.Detail = c.scrub(transportDetail(err))
		return r, err
	}
	defer resp.Body.Close()
	r.status, r.header = resp.StatusCode, resp.Header
	r.ex.Status = resp.StatusCode
	r.body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	// A server that echoes the token (in its body or a header) must not
	// put it in Test Connection's text or the provisioning logs: scrub it
	// before anything reads, truncates or quotes the reply.
	r.body = []byte(c.scrub(string(r.body)))
	for k, vs := range r.header {
		for i, v := range vs {
			vs[i] = c.scrub(v)
		}
		r.header[k] = vs
	}
	r.ex.Received = truncate(strings.TrimSpace(string(r.body)), maxLogged)
	if err != nil {
		r.ex.Detail = c.scrub("reading the response failed: " + transportDetail(err))
		return r, err
	}
	if resp.StatusCode >= 300 {
		r.ex.Detail = c.scrub(errorDetail(r.body))
	}
	return r, nil
}

// scrub removes the Secret Token from text a server sent back, in case a
// server echoes the Authorization header into an error.
func (c *scimClient) scrub(s string) string { return scrubSecret(s, c.secret) }

func scrubSecret(s, secret string) string {
	// The token as typed, and as a server may echo it: without the spaces
	// around it or a "Bearer " the admin pasted in front of it.
	for _, v := range []string{secret, strings.TrimSpace(secret), bearerless(secret)} {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

func bearerless(secret string) string {
	t := strings.TrimSpace(secret)
	if len(t) > 7 && strings.EqualFold(t[:7], "bearer ") {
		return strings.TrimSpace(t[7:])
	}
	return t
}

// errorDetail is the SCIM error's detail, or the start of a body that is
// not a SCIM error.
func errorDetail(body []byte) string {
	if e, err := scim.ParseError(body); e != nil && (err == nil || e.Detail != "") {
		return e.Detail
	}
	return truncate(strings.TrimSpace(string(body)), 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// transportDetail says why no response came back, in an admin's terms.
func transportDetail(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "the request timed out"
	case errors.Is(err, context.Canceled):
		return "the request was cancelled"
	case errors.As(err, &dns):
		return "the host name " + dns.Name + " could not be resolved"
	case errors.As(err, &op) && op.Op == "dial":
		return "could not connect: " + op.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// quoteFilter quotes a string for a SCIM filter (RFC 7644 §3.4.2.2).
func quoteFilter(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// statusName is a status as .NET's HttpStatusCode names it, which is how
// Entra prints it ("Unauthorized", "NotFound", "Conflict").
func statusName(code int) string {
	switch code {
	case http.StatusFound:
		return "Redirect"
	case http.StatusRequestEntityTooLarge:
		return "RequestEntityTooLarge"
	case http.StatusUnprocessableEntity:
		return "UnprocessableEntity"
	}
	var b strings.Builder
	for _, r := range http.StatusText(code) {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return strconv.Itoa(code)
	}
	return b.String()
}

// headerText renders response headers on one line, sorted, leaving out
// the ones that change on every request or could carry a session.
func headerText(h http.Header) string {
	var keys []string
	for k := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Date", "Set-Cookie", "Content-Length":
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+strings.Join(h[k], ", "))
	}
	return strings.Join(parts, "; ")
}
