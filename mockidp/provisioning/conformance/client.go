package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// json decodes the body as a resource (nil if it is not one).
func (a answer) resource() scim.Resource {
	r, err := scim.DecodeResource(a.body)
	if err != nil {
		return nil
	}
	return r
}

// client sends Entra-shaped requests and records them on the running
// case.
type client struct {
	hc    *http.Client
	base  *url.URL
	token string
	rec   *[]Exchange
}

// send makes one request. query values are form-encoded as Entra does
// (spaces as "+", quotes as %22). GETs carry no Accept header; bodies go
// as application/scim+json; charset=utf-8. token "" uses the suite's.
func (c *client) send(ctx context.Context, method, path string, query url.Values, body any, token string) answer {
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + path
	u.RawQuery = query.Encode()
	var data []byte
	if body != nil {
		switch b := body.(type) {
		case string:
			data = []byte(b)
		default:
			var err error
			if data, err = json.Marshal(b); err != nil {
				return answer{err: fmt.Errorf("encode the request body: %w", err)}
			}
		}
	}
	if token == "" {
		token = c.token
	}
	x := Exchange{Method: method, URL: u.String(), Headers: map[string]string{"Authorization": "Bearer [redacted]"}, Body: string(data)}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(data))
	if err != nil {
		return answer{err: err}
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	} else {
		req.Header.Set("Content-Type", scim.MediaType+"; charset=utf-8")
		x.Headers["Content-Type"] = scim.MediaType + "; charset=utf-8"
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.hc.Do(req)
	if err != nil {
		x.Response = err.Error()
		*c.rec = append(*c.rec, x)
		return answer{err: err}
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.body, a.err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	x.Status, x.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	// Scrub before anything quotes or cuts the body: a server that echoes
	// the token must not put it (or its start) in the report.
	a.body = []byte(scrub(scrub(string(a.body), c.token), token))
	x.Response = cut(string(a.body), 2000)
	*c.rec = append(*c.rec, x)
	return a
}

func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func scrub(s, token string) string {
	if len(token) < 4 {
		return s
	}
	return strings.ReplaceAll(s, token, "[redacted]")
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func filterQuery(attr, value string) url.Values {
	return url.Values{"filter": {attr + " eq " + quote(value)}}
}
