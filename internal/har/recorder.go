package har

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// harTime is the startedDateTime layout browsers write.
const harTime = "2006-01-02T15:04:05.000Z07:00"

// maxRecordedBody bounds a body kept in the HAR; the exchange itself is
// not limited.
const maxRecordedBody = 8 << 20

// Recorder is http.RoundTripper middleware that records every exchange
// as a HAR entry. It is safe for concurrent use. Use it as the scripted
// browser's transport, call StartPage before each navigation the script
// makes (so DevTools groups the entries by page), and Write the HAR at the
// end: redacted unless WriteOptions.Raw.
type Recorder struct {
	next    http.RoundTripper
	now     func() time.Time
	creator Creator

	mu      sync.Mutex
	pages   []Page
	page    string
	entries []Entry
}

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	// Now is the clock; nil means time.Now. Tests freeze it.
	Now func() time.Time
	// Creator names the program in the HAR; default "ssowiz".
	Creator Creator
}

// NewRecorder wraps next (nil means http.DefaultTransport).
func NewRecorder(next http.RoundTripper, opts RecorderOptions) *Recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Creator.Name == "" {
		opts.Creator = Creator{Name: "ssowiz", Version: "dev"}
	}
	return &Recorder{next: next, now: opts.Now, creator: opts.Creator}
}

// StartPage begins a page; entries recorded from now on refer to it.
func (r *Recorder) StartPage(title string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := fmt.Sprintf("page_%d", len(r.pages)+1)
	r.pages = append(r.pages, Page{
		StartedDateTime: r.now().UTC().Format(harTime),
		ID:              id,
		Title:           title,
	})
	r.page = id
}

// timer collects the connection's milestones through httptrace.
type timer struct {
	now                       func() time.Time
	mu                        sync.Mutex
	dnsStart, dnsDone         time.Time
	connStart, connDone       time.Time
	tlsStart, tlsDone         time.Time
	gotConn, wrote, firstByte time.Time
	remote                    string
}

func (t *timer) mark(p *time.Time) {
	t.mu.Lock()
	*p = t.now()
	t.mu.Unlock()
}

func (t *timer) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { t.mark(&t.dnsStart) },
		DNSDone:           func(httptrace.DNSDoneInfo) { t.mark(&t.dnsDone) },
		ConnectStart:      func(string, string) { t.mark(&t.connStart) },
		ConnectDone:       func(string, string, error) { t.mark(&t.connDone) },
		TLSHandshakeStart: func() { t.mark(&t.tlsStart) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { t.mark(&t.tlsDone) },
		GotConn: func(ci httptrace.GotConnInfo) {
			t.mark(&t.gotConn)
			if ci.Conn != nil {
				if a := ci.Conn.RemoteAddr(); a != nil {
					host, _, err := net.SplitHostPort(a.String())
					if err == nil {
						t.mu.Lock()
						t.remote = host
						t.mu.Unlock()
					}
				}
			}
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.mark(&t.wrote) },
		GotFirstResponseByte: func() { t.mark(&t.firstByte) },
	}
}

func ms(a, b time.Time) float64 {
	if a.IsZero() || b.IsZero() {
		return -1
	}
	d := b.Sub(a)
	if d < 0 {
		d = 0
	}
	return float64(d.Microseconds()) / 1000
}

func ptr(f float64) *float64 { return &f }

// RoundTrip sends req through the wrapped transport and records it.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	started := r.now()
	var reqBody []byte
	out := req
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("har recorder: read request body: %w", err)
		}
		reqBody = b
		out = req.Clone(req.Context())
		out.Body = io.NopCloser(bytes.NewReader(b))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	t := &timer{now: r.now}
	out = out.WithContext(httptrace.WithClientTrace(out.Context(), t.trace()))

	r.mu.Lock()
	pageref := r.page
	r.mu.Unlock()

	e := Entry{
		Pageref:         pageref,
		StartedDateTime: started.UTC().Format(harTime),
		Request:         recordRequest(req, reqBody),
	}
	resp, err := r.next.RoundTrip(out)
	if err != nil {
		e.Response = Response{HTTPVersion: "", Cookies: []Cookie{}, Headers: []NameValue{}, Content: Content{MimeType: "x-unknown"}, HeadersSize: -1, BodySize: -1}
		e.Response.Extra = errorExtra(err)
		e.Timings = Timings{Send: 0, Wait: -1, Receive: -1}
		r.add(e)
		return nil, err
	}
	body, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	done := r.now()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if readErr != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))
	}

	e.Response = recordResponse(resp, body)
	e.Extra = resourceType(e.Response.Content.MimeType)
	t.mu.Lock()
	e.ServerIPAddress = t.remote
	tm := Timings{
		Blocked: ptr(-1), DNS: ptr(ms(t.dnsStart, t.dnsDone)), Connect: ptr(ms(t.connStart, t.connDone)),
		SSL:  ptr(ms(t.tlsStart, t.tlsDone)),
		Send: ms(t.gotConn, t.wrote), Wait: ms(t.wrote, t.firstByte), Receive: ms(t.firstByte, done),
	}
	if !t.gotConn.IsZero() {
		tm.Blocked = ptr(ms(started, t.gotConn))
	}
	t.mu.Unlock()
	// A transport that does not report milestones (a test's RoundTripper)
	// still gives a total: everything counts as waiting.
	if tm.Send < 0 && tm.Wait < 0 {
		tm.Send, tm.Wait, tm.Receive = 0, ms(started, done), 0
	}
	if tm.Send < 0 {
		tm.Send = 0
	}
	if tm.Wait < 0 {
		tm.Wait = 0
	}
	if tm.Receive < 0 {
		tm.Receive = 0
	}
	e.Timings = tm
	total := tm.Send + tm.Wait + tm.Receive
	for _, p := range []*float64{tm.Blocked, tm.DNS, tm.Connect} {
		if p != nil && *p > 0 {
			total += *p
		}
	}
	e.Time = total
	r.add(e)
	return resp, nil
}

// resourceType sets Chrome's _resourceType, which DevTools uses to file an
// imported entry under Doc, JS, Img and so on.
func resourceType(mimeType string) jsontext.Value {
	mt := strings.ToLower(mimeType)
	kind := "fetch"
	switch {
	case strings.Contains(mt, "html"):
		kind = "document"
	case strings.Contains(mt, "javascript"):
		kind = "script"
	case strings.Contains(mt, "css"):
		kind = "stylesheet"
	case strings.HasPrefix(mt, "image/"):
		kind = "image"
	case strings.HasPrefix(mt, "font/"):
		kind = "font"
	}
	b, _ := json.Marshal(map[string]string{"_resourceType": kind})
	return b
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// errorExtra records a failed exchange the way Chrome does (_error).
func errorExtra(err error) jsontext.Value {
	b, _ := json.Marshal(map[string]string{"_error": err.Error()})
	return b
}

func (r *Recorder) add(e Entry) {
	r.mu.Lock()
	r.entries = append(r.entries, e)
	r.mu.Unlock()
}

func recordRequest(req *http.Request, body []byte) Request {
	out := Request{
		Method:      req.Method,
		URL:         req.URL.String(),
		HTTPVersion: protoOr(req.Proto, "HTTP/1.1"),
		Cookies:     []Cookie{},
		Headers:     []NameValue{},
		QueryString: orderedQuery(req.URL.RawQuery),
		HeadersSize: -1,
		BodySize:    int64(len(body)),
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	out.Headers = append(out.Headers, NameValue{Name: "Host", Value: host})
	out.Headers = append(out.Headers, headerList(req.Header)...)
	for _, c := range req.Cookies() {
		out.Cookies = append(out.Cookies, Cookie{Name: c.Name, Value: c.Value})
	}
	if body != nil {
		ct := req.Header.Get("Content-Type")
		pd := &PostData{MimeType: ct}
		if IsText(ct) && utf8.Valid(body) {
			pd.Text = string(body)
		} else {
			pd.Text = base64Std(body)
			pd.Comment = "base64"
		}
		if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-www-form-urlencoded" {
			for _, q := range orderedQuery(string(body)) {
				pd.Params = append(pd.Params, Param{Name: q.Name, Value: q.Value})
			}
		}
		out.PostData = pd
	}
	return out
}

func recordResponse(resp *http.Response, body []byte) Response {
	out := Response{
		Status:      resp.StatusCode,
		StatusText:  strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode))),
		HTTPVersion: protoOr(resp.Proto, "HTTP/1.1"),
		Cookies:     []Cookie{},
		Headers:     headerList(resp.Header),
		RedirectURL: resp.Header.Get("Location"),
		HeadersSize: -1,
		BodySize:    int64(len(body)),
	}
	if out.StatusText == "" {
		out.StatusText = http.StatusText(resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		hc := Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain}
		if !c.Expires.IsZero() {
			hc.Expires = c.Expires.UTC().Format(harTime)
		}
		httpOnly, secure := c.HttpOnly, c.Secure
		hc.HTTPOnly, hc.Secure = &httpOnly, &secure
		out.Cookies = append(out.Cookies, hc)
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" && len(body) > 0 {
		ct = http.DetectContentType(body)
	}
	out.Content = Content{Size: int64(len(body)), MimeType: ct}
	kept := body
	if len(kept) > maxRecordedBody {
		kept = kept[:maxRecordedBody]
		out.Content.Comment = "truncated by the recorder"
	}
	if len(kept) > 0 {
		if IsText(ct) && utf8.Valid(kept) {
			out.Content.Text = string(kept)
		} else {
			out.Content.Text = base64Std(kept)
			out.Content.Encoding = "base64"
		}
	}
	return out
}

// headerList flattens headers in name order, one entry a value.
func headerList(h http.Header) []NameValue {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out := []NameValue{}
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, NameValue{Name: k, Value: v})
		}
	}
	return out
}

// orderedQuery splits a query keeping the parameters' order, as browsers
// record them.
func orderedQuery(q string) []NameValue {
	out := []NameValue{}
	if q == "" {
		return out
	}
	for _, p := range strings.Split(q, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, NameValue{Name: k, Value: v})
	}
	return out
}

func protoOr(p, d string) string {
	if p == "" {
		return d
	}
	return p
}

// HAR returns a copy of what was recorded so far, entries in start order,
// with nothing redacted.
func (r *Recorder) HAR() *HAR {
	r.mu.Lock()
	h := &HAR{Log: Log{
		Version: "1.2",
		Creator: r.creator,
		Pages:   append([]Page{}, r.pages...),
		Entries: append([]Entry{}, r.entries...),
	}}
	r.mu.Unlock()
	sort.SliceStable(h.Log.Entries, func(i, j int) bool {
		return h.Log.Entries[i].StartedDateTime < h.Log.Entries[j].StartedDateTime
	})
	// A deep copy, so later redaction cannot reach the recorder's state.
	b, err := json.Marshal(h)
	if err == nil {
		var c HAR
		if json.Unmarshal(b, &c) == nil {
			return &c
		}
	}
	return h
}

// WriteOptions say how a Recorder writes its HAR.
type WriteOptions struct {
	// Raw keeps secrets (cookies, tokens, passwords, SAML values); by
	// default the HAR is redacted.
	Raw bool
	// Keep is passed to Redact.
	Keep []string
}

// Write writes the recorded HAR, redacted unless opts.Raw, and returns
// what was redacted.
func (r *Recorder) Write(w io.Writer, opts WriteOptions) (Counts, error) {
	h := r.HAR()
	counts := Counts{}
	if !opts.Raw {
		counts = Redact(h, RedactOptions{Keep: opts.Keep})
	}
	return counts, Write(w, h)
}

func base64Std(b []byte) string {
	return base64.StdEncoding.EncodeToString(b)
}
