// Package browser is a scripted web browser for live checks and tests. It
// keeps cookies, follows redirects, parses HTML, fills in and submits forms,
// and submits the auto-posting forms of the SAML HTTP-POST binding by
// itself, so a whole SAML round trip is one call. It runs no JavaScript.
//
// It speaks through whatever http.RoundTripper it is given: the routed
// transport of package hostroute (production host names to the local mocks,
// over TLS from package localca), a plain transport for loopback tests, or
// a HAR recorder wrapping either.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// DefaultUserAgent is a current desktop Chrome's User-Agent with "ssowiz"
// appended, so servers that look at it see a browser and logs show who it
// was.
const DefaultUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 ssowiz"

// Defaults for the zero values of Options.
const (
	// DefaultMaxRedirects is Chrome's limit per navigation.
	DefaultMaxRedirects = 20
	// DefaultMaxAutoPosts allows a SAML round trip (one auto-post) with
	// room for a chained IdP, and stops an IdP↔SP loop quickly.
	DefaultMaxAutoPosts = 5
	// DefaultMaxBodyBytes is far above any sign-in page or SAML response.
	DefaultMaxBodyBytes = 8 << 20
	// DefaultRequestTimeout bounds one request, body included.
	DefaultRequestTimeout = 15 * time.Second
)

const (
	acceptHTML     = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptLanguage = "en-US,en;q=0.9"
	formURLEncoded = "application/x-www-form-urlencoded"
)

// Options configures a Browser.
type Options struct {
	// Transport carries every request; required. Share one between
	// browsers so connections and TLS sessions are reused.
	Transport http.RoundTripper
	// UserAgent replaces DefaultUserAgent when set.
	UserAgent string
	// MaxRedirects bounds the redirects (and meta refreshes) of one
	// navigation; DefaultMaxRedirects when zero.
	MaxRedirects int
	// MaxAutoPosts bounds the forms auto-submitted in one call;
	// DefaultMaxAutoPosts when zero.
	MaxAutoPosts int
	// MaxBodyBytes bounds a response body; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// RequestTimeout bounds each request, body included;
	// DefaultRequestTimeout when zero.
	RequestTimeout time.Duration
	// NoAutoPost stops at auto-posting pages instead of submitting them, for
	// callers that want to inspect or alter the SAMLResponse first (see
	// Page.AutoPostForm).
	NoAutoPost bool
	// OnStep, when set, is called after every request, for progress
	// display or a HAR recorder's page boundaries.
	OnStep func(Step)
	// Logger receives one debug record per step, without query values or
	// form data; nil discards.
	Logger *slog.Logger
}

// Browser is one browsing session: a cookie jar of its own and a transport
// shared with others. Its methods may be called from several goroutines,
// but like a browser tab it is meant for one flow at a time.
type Browser struct {
	opts   Options
	client *http.Client
	jar    *cookiejar.Jar
	log    *slog.Logger
}

// New returns a browser with an empty cookie jar.
func New(opts Options) (*Browser, error) {
	if opts.Transport == nil {
		return nil, fmt.Errorf("%w: set Options.Transport, e.g. to hostroute.NewTransport(routes, ca.ClientTLSConfig())", ErrNoTransport)
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.MaxAutoPosts <= 0 {
		opts.MaxAutoPosts = DefaultMaxAutoPosts
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The public suffix list keeps a cookie for .com or .co.uk from being
	// accepted, while rudderstack.com cookies reach app, auth2 and api.
	jar, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		return nil, fmt.Errorf("browser: make the cookie jar: %w", err)
	}
	client := &http.Client{
		Transport: opts.Transport,
		Jar:       jar,
		// Redirects are followed here, not by net/http, so each one is a
		// step with its status and Location, and loops get a clear error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Browser{opts: opts, client: client, jar: jar, log: log}, nil
}

// Cookies returns the cookies the browser would send to rawURL.
func (b *Browser) Cookies(rawURL string) ([]*http.Cookie, error) {
	u, err := parseHTTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	return b.jar.Cookies(u), nil
}

// Get navigates to rawURL, as typing it in the address bar does, and
// returns the page it ends on after redirects and auto-posts.
func (b *Browser) Get(ctx context.Context, rawURL string) (*Page, error) {
	u, err := parseHTTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	return b.run(ctx, request{method: http.MethodGet, url: u}, StepNavigate)
}

// Post sends values to rawURL as a urlencoded form from no page, as a form
// on another site would, and returns the page it ends on. Tests use it to
// post crafted SAML responses.
func (b *Browser) Post(ctx context.Context, rawURL string, values url.Values) (*Page, error) {
	u, err := parseHTTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	req := request{
		method:      http.MethodPost,
		url:         u,
		body:        []byte(values.Encode()),
		contentType: formURLEncoded,
		sent:        cloneValues(values),
	}
	return b.run(ctx, req, StepNavigate)
}

// Submit submits form with values replacing the defaults of the fields
// they name, as a user who typed them would (for example "loginfmt" and
// "passwd" on the sign-in page). Every name in values must be a field of the
// form. The first submit button is pressed, unless values names another.
// The result is the page it ends on after redirects and auto-posts.
func (b *Browser) Submit(ctx context.Context, form *Form, values url.Values) (*Page, error) {
	if form == nil {
		return nil, fmt.Errorf("%w: the page had no matching form; look at Page.Forms() or Page.Text()", ErrNoForm)
	}
	req, err := formRequest(form, values)
	if err != nil {
		return nil, err
	}
	return b.run(ctx, req, StepSubmit)
}

// request is one request to make, before redirects.
type request struct {
	method      string
	url         *url.URL
	body        []byte
	contentType string
	referrer    *url.URL // the page the request comes from, nil for none
	sent        url.Values
}

func formRequest(form *Form, values url.Values) (request, error) {
	if form.Action == nil || (form.Action.Scheme != "http" && form.Action.Scheme != "https") {
		return request{}, fmt.Errorf("%w: the form's action %q cannot be submitted", ErrBadURL, form.Action)
	}
	pairs, err := form.dataSet(values)
	if err != nil {
		return request{}, err
	}
	req := request{method: form.Method, referrer: form.page, sent: valuesOf(pairs)}
	target := *form.Action
	target.Fragment = ""
	if form.Method == http.MethodGet {
		target.RawQuery = encodeURLForm(pairs)
		req.url = &target
		return req, nil
	}
	req.url = &target
	switch form.Enctype {
	case "", formURLEncoded:
		req.body, req.contentType = []byte(encodeURLForm(pairs)), formURLEncoded
	case "multipart/form-data":
		body, ct, err := encodeMultipart(pairs)
		if err != nil {
			return request{}, fmt.Errorf("browser: encode the form for %s: %w", redactURL(target.String()), err)
		}
		req.body, req.contentType = body, ct
	default:
		return request{}, fmt.Errorf("%w: %q (the form to %s); only urlencoded and multipart/form-data are implemented",
			ErrUnsupportedEnctype, form.Enctype, redactURL(target.String()))
	}
	return req, nil
}

// run makes req, follows its redirects, and submits auto-posting pages
// until a page stays put.
func (b *Browser) run(ctx context.Context, req request, kind StepKind) (*Page, error) {
	var steps []Step
	autoPosts := 0
	for {
		page, err := b.navigate(ctx, req, kind, &steps)
		if err != nil {
			return nil, err
		}
		form := page.AutoPostForm()
		if b.opts.NoAutoPost || form == nil {
			page.Steps = steps
			return page, nil
		}
		autoPosts++
		if autoPosts > b.opts.MaxAutoPosts {
			return nil, &LoopError{Kind: ErrAutoPostLoop, Limit: b.opts.MaxAutoPosts, Steps: steps, Cycle: findCycle(steps, lastAutoPost(steps))}
		}
		if req, err = formRequest(form, nil); err != nil {
			return nil, err
		}
		kind = StepAutoPost
	}
}

// lastAutoPost returns the index of the last auto-post step: an auto-post
// loop is the run of steps between two visits of that form's target.
func lastAutoPost(steps []Step) int {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Kind == StepAutoPost {
			return i
		}
	}
	return len(steps) - 1
}

// navigate makes req and follows redirects and meta refreshes.
func (b *Browser) navigate(ctx context.Context, req request, kind StepKind, steps *[]Step) (*Page, error) {
	redirects := 0
	for {
		resp, body, err := b.do(ctx, req)
		if err != nil {
			return nil, &RequestError{Method: req.method, URL: req.url.String(), Steps: clone(*steps), Err: err}
		}
		step := Step{Kind: kind, Method: req.method, URL: req.url.String(), Status: resp.StatusCode,
			Location: resp.Header.Get("Location"), Sent: req.sent}
		b.record(ctx, step, steps)

		var next *url.URL
		method, referrer := req.method, req.referrer
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			if step.Location != "" {
				if next, err = req.url.Parse(step.Location); err != nil {
					return nil, &RequestError{Method: req.method, URL: req.url.String(), Steps: clone(*steps),
						Err: fmt.Errorf("%w: the redirect to %q does not parse: %v", ErrBadURL, step.Location, err)}
				}
				// Browsers turn a redirected POST into a GET except on 307
				// and 308, which keep the method and body.
				if resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect {
					method = http.MethodGet
				}
			}
		}
		if next == nil {
			page, err := newPage(req.url, resp, body)
			if err != nil {
				return nil, &RequestError{Method: req.method, URL: req.url.String(), Steps: clone(*steps), Err: err}
			}
			if page.refresh == nil {
				return page, nil
			}
			// A refresh is a new navigation from the page itself.
			next, method, referrer = page.refresh, http.MethodGet, req.url
			kind = StepRefresh
		} else {
			kind = StepRedirect
		}
		redirects++
		if redirects > b.opts.MaxRedirects {
			return nil, &LoopError{Kind: ErrRedirectLoop, Limit: b.opts.MaxRedirects, Steps: clone(*steps), Cycle: findCycle(*steps, len(*steps)-1)}
		}
		if next.Scheme != "http" && next.Scheme != "https" {
			return nil, &RequestError{Method: req.method, URL: req.url.String(), Steps: clone(*steps),
				Err: fmt.Errorf("%w: redirected to %s", ErrBadURL, redactURL(next.String()))}
		}
		next.Fragment = ""
		// A redirect keeps the navigation's referrer; only 307 and 308 keep
		// the body.
		if method == http.MethodGet {
			req = request{method: method, url: next, referrer: referrer}
		} else {
			req = request{method: method, url: next, body: req.body, contentType: req.contentType, referrer: referrer, sent: req.sent}
		}
	}
}

// do makes one request and reads its body within the request timeout.
func (b *Browser) do(ctx context.Context, req request) (*http.Response, []byte, error) {
	origin := req.referrer
	rctx, cancel := context.WithTimeout(ctx, b.opts.RequestTimeout)
	defer cancel()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(rctx, req.method, req.url.String(), body)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	hreq.Header.Set("User-Agent", b.opts.UserAgent)
	hreq.Header.Set("Accept", acceptHTML)
	hreq.Header.Set("Accept-Language", acceptLanguage)
	if req.contentType != "" {
		hreq.Header.Set("Content-Type", req.contentType)
	}
	if ref := referrerFor(origin, req.url); ref != "" {
		hreq.Header.Set("Referer", ref)
	}
	if req.method == http.MethodPost {
		// Browsers send Origin on every form POST; "null" when the form
		// came from no page.
		o := "null"
		if origin != nil {
			o = origin.Scheme + "://" + origin.Host
		}
		hreq.Header.Set("Origin", o)
	}
	resp, err := b.client.Do(hreq)
	if err != nil {
		return nil, nil, b.cause(ctx, rctx, err)
	}
	defer resp.Body.Close()
	data, err := readAll(io.LimitReader(resp.Body, b.opts.MaxBodyBytes+1), resp.ContentLength)
	if err != nil {
		return nil, nil, b.cause(ctx, rctx, err)
	}
	if int64(len(data)) > b.opts.MaxBodyBytes {
		return nil, nil, fmt.Errorf("%w: more than %d bytes (Options.MaxBodyBytes)", ErrBodyTooLarge, b.opts.MaxBodyBytes)
	}
	return resp, data, nil
}

// readAll is io.ReadAll with a first buffer the size the server announced
// (plus room to see the end), so a page is read without regrowing.
func readAll(r io.Reader, size int64) ([]byte, error) {
	n := 512
	if size > 0 && size < DefaultMaxBodyBytes {
		n = int(size) + 1
	}
	buf := make([]byte, 0, n)
	for {
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// cause strips net/http's *url.Error, whose message repeats the full URL
// with its query (SAML messages, codes), and names a per-request timeout.
func (b *Browser) cause(ctx, rctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w after %v (Options.RequestTimeout): %w", ErrTimeout, b.opts.RequestTimeout, err)
	}
	return err
}

func (b *Browser) record(ctx context.Context, s Step, steps *[]Step) {
	*steps = append(*steps, s)
	if b.log.Enabled(ctx, slog.LevelDebug) {
		b.log.DebugContext(ctx, "browser step", "kind", string(s.Kind), "method", s.Method,
			"url", redactURL(s.URL), "status", s.Status, "location", redactURL(s.Location))
	}
	if b.opts.OnStep != nil {
		b.opts.OnStep(s)
	}
}

// referrerFor applies browsers' default referrer policy,
// strict-origin-when-cross-origin: the full URL within an origin, only the
// origin across origins, and nothing from https to http.
func referrerFor(from, to *url.URL) string {
	if from == nil {
		return ""
	}
	if from.Scheme == "https" && to.Scheme != "https" {
		return ""
	}
	if from.Scheme == to.Scheme && strings.EqualFold(from.Host, to.Host) {
		u := *from
		u.User, u.Fragment = nil, ""
		return u.String()
	}
	return from.Scheme + "://" + from.Host + "/"
}

func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadURL, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: %q; give an absolute URL such as https://app.rudderstack.com/sso", ErrBadURL, redactURL(raw))
	}
	u.Fragment = ""
	return u, nil
}

func clone(steps []Step) []Step { return append([]Step(nil), steps...) }

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
