package browser

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/hostroute"
)

func signIn(t *testing.T, f *fixture, b *Browser) *Page {
	t.Helper()
	ctx := context.Background()
	page, err := b.Get(ctx, f.url("app.rudderstack.com", "/sso"))
	if err != nil {
		t.Fatalf("GET /sso: %v", err)
	}
	if page.Title() != "Sign in to your account" {
		t.Fatalf("after /sso the page is %q (%s), want Entra's sign-in page", page.Title(), page.URL)
	}
	page, err = b.Submit(ctx, page.FormWithField("loginfmt"), url.Values{"loginfmt": {testUPN}, "passwd": {testPassword}})
	if err != nil {
		t.Fatalf("submit the sign-in form: %v", err)
	}
	return page
}

func stepsString(steps []Step) string {
	var lines []string
	for _, s := range steps {
		u, _ := url.Parse(s.URL)
		lines = append(lines, fmt.Sprintf("%s %s %s%s %d", s.Kind, s.Method, u.Host, u.Path, s.Status))
	}
	return strings.Join(lines, "\n")
}

func TestSAMLRoundTripOnProductionNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		tls  bool
	}{{"plain HTTP", false}, {"TLS from the local CA", true}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.tls)
			b := f.browser(t, Options{})
			page := signIn(t, f, b)

			if got := page.Text(); got != "Signed in as alice@contoso.com\nLog out" {
				t.Errorf("final page text = %q", got)
			}
			if page.URL.String() != f.url("app.rudderstack.com", "/") || page.StatusCode != http.StatusOK {
				t.Errorf("final page = %d %s", page.StatusCode, page.URL)
			}
			want := strings.Join([]string{
				"submit POST login.microsoftonline.com/" + tenant + "/login 200",
				"auto-post POST auth2.rudderstack.com/saml2/idpresponse 302",
				"redirect GET app.rudderstack.com/callback 302",
				"redirect GET app.rudderstack.com/ 200",
			}, "\n")
			if got := stepsString(page.Steps); got != want {
				t.Errorf("steps:\n%s\nwant:\n%s", got, want)
			}
			post := page.Steps[1]
			assertion, _ := base64.StdEncoding.DecodeString(post.Sent.Get("SAMLResponse"))
			if string(assertion) != "<Assertion>NameID=alice@contoso.com</Assertion>" || post.Sent.Get("RelayState") != "relay-42" {
				t.Errorf("auto-post sent %v", post.Sent)
			}
			if post.Location != f.url("app.rudderstack.com", "/callback?code="+secretCode+"&state=st-1") {
				t.Errorf("auto-post Location = %q", post.Location)
			}

			// With the Entra session cookie, a second sign-in is one call.
			page, err := b.Get(context.Background(), f.url("app.rudderstack.com", "/sso"))
			if err != nil {
				t.Fatal(err)
			}
			want = strings.Join([]string{
				"navigate GET app.rudderstack.com/sso 302",
				"redirect GET auth2.rudderstack.com/oauth2/authorize 302",
				"redirect GET login.microsoftonline.com/" + tenant + "/saml2 200",
				"auto-post POST auth2.rudderstack.com/saml2/idpresponse 302",
				"redirect GET app.rudderstack.com/callback 302",
				"redirect GET app.rudderstack.com/ 200",
			}, "\n")
			if got := stepsString(page.Steps); got != want {
				t.Errorf("second sign-in steps:\n%s\nwant:\n%s", got, want)
			}

			var me struct{ Email string }
			page, err = b.Get(context.Background(), f.url("api.rudderstack.com", "/api/me"))
			if err != nil || page.JSON(&me) != nil || me.Email != testUPN {
				t.Errorf("GET /api/me = %v, %+v; want the domain cookie to reach api", err, me)
			}
		})
	}
}

func TestCookiesPerHostAndPerBrowser(t *testing.T) {
	f := newFixture(t, true)
	b := f.browser(t, Options{})
	signIn(t, f, b)
	names := func(b *Browser, host string) string {
		cs, err := b.Cookies(f.url(host, "/"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return strings.Join(out, ",")
	}
	for host, want := range map[string]string{
		"app.rudderstack.com":       "app_flow,pending_user,session",
		"auth2.rudderstack.com":     "cognito_state,pending_user",
		"api.rudderstack.com":       "pending_user",
		"login.microsoftonline.com": "ESTSAUTH",
		"rudderstack.com":           "pending_user",
		"evil-rudderstack.com":      "",
	} {
		if got := names(b, host); got != want {
			t.Errorf("cookies for %s = %q, want %q", host, got, want)
		}
	}
	// Secure cookies never go over plain HTTP.
	if cs, _ := b.Cookies("http://app.rudderstack.com/"); len(cs) != 0 {
		t.Errorf("secure cookies offered over http: %v", cs)
	}
	// A fresh browser sharing the transport starts with no cookies, so it
	// sees the sign-in page again.
	fresh := f.browser(t, Options{})
	if got := names(fresh, "login.microsoftonline.com"); got != "" {
		t.Errorf("fresh browser has cookies %q", got)
	}
	signIn(t, f, fresh)
}

func TestWrongPasswordShowsTheErrorPage(t *testing.T) {
	f := newFixture(t, false)
	b := f.browser(t, Options{})
	page, err := b.Get(context.Background(), f.url("app.rudderstack.com", "/sso"))
	if err != nil {
		t.Fatal(err)
	}
	page, err = b.Submit(context.Background(), page.FormWithField("passwd"), url.Values{"loginfmt": {testUPN}, "passwd": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	if el := page.ElementByID("usernameError"); el == nil || !strings.HasPrefix(el.Text, "AADSTS50126") {
		t.Errorf("usernameError element = %+v, want the AADSTS50126 message", el)
	}
	if page.AutoPostForm() != nil {
		t.Errorf("the sign-in page was taken for an auto-posting page")
	}
}

func TestNoAutoPostStopsAtTheSAMLPage(t *testing.T) {
	f := newFixture(t, false)
	b := f.browser(t, Options{NoAutoPost: true})
	page := signIn(t, f, b)
	form := page.AutoPostForm()
	if form == nil {
		t.Fatalf("stopped on %q without an auto-post form", page.Title())
	}
	if form.Action.String() != f.url("auth2.rudderstack.com", "/saml2/idpresponse") || form.Method != "POST" {
		t.Errorf("auto-post form = %s %s", form.Method, form.Action)
	}
	// The caller may tamper with the response and submit it itself.
	page, err := b.Submit(context.Background(), form, url.Values{"SAMLResponse": {"not base64!"}})
	if err != nil {
		t.Fatal(err)
	}
	if page.StatusCode != http.StatusBadRequest || !strings.Contains(string(page.Body), "Error in SAML response processing") {
		t.Errorf("tampered response gave %d %q", page.StatusCode, page.Body)
	}
}

func TestUnknownHostFailsLikeDNS(t *testing.T) {
	f := newFixture(t, true)
	b := f.browser(t, Options{})
	_, err := b.Get(context.Background(), "https://acme-typo.example/scim/v2?token=s3cr3t")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("error = %v, want a not-found DNS error", err)
	}
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Method != "GET" {
		t.Errorf("error is not a *RequestError: %T", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "lookup acme-typo.example: no such host") || strings.Contains(msg, "s3cr3t") {
		t.Errorf("message = %q, want the DNS failure and no query values", msg)
	}

	// The same after a redirect: the steps before the failure are kept.
	f.routes.Set("start.example", f.routes.Routes()[0].Addr)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://gone.example/next", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f.routes.Set("start.example", srv.Listener.Addr().String())
	_, err = b.Get(context.Background(), "http://start.example/")
	if !errors.As(err, &reqErr) || len(reqErr.Steps) != 1 || !errors.Is(err, hostroute.ErrNoRoute) {
		t.Errorf("error after a redirect = %v (%d steps before)", err, len(reqErr.Steps))
	}
}

func TestTLSNeedsTheCA(t *testing.T) {
	f := newFixture(t, true)
	untrusting := hostroute.NewTransport(f.routes, nil)
	b, err := New(Options{Transport: untrusting})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Get(context.Background(), "https://app.rudderstack.com/sso")
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		t.Errorf("without the CA: %v, want a certificate verification error", err)
	}
	// The same browser type with the CA's transport signs in.
	signIn(t, f, f.browser(t, Options{}))
}

// loopServer serves /a → /b → /a … for redirect loops, and a SAML page that
// posts to /acs, which redirects back to it, for auto-post loops.
func loopServer(t *testing.T) (*http.Transport, string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/b?state=s3cr3t-"+r.URL.Query().Get("n")+"x", http.StatusFound)
	})
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/a?state=s3cr3t", http.StatusSeeOther)
	})
	mux.HandleFunc("/idp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<form id="SAMLResponseForm" method="post" action="/acs"><input type="hidden" name="SAMLResponse" value="s3cr3t"></form>
<script>document.getElementById('SAMLResponseForm').submit();</script>`)
	})
	mux.HandleFunc("/acs", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/idp?SAMLRequest=s3cr3t", http.StatusFound)
	})
	mux.HandleFunc("/refresh", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, `<meta http-equiv="refresh" content="0; URL='/done'">`)
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "referer=%s", r.Header.Get("Referer"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tab := hostroute.New()
	tab.Set("loop.example", srv.Listener.Addr().String())
	tr := hostroute.NewTransport(tab, nil)
	t.Cleanup(tr.CloseIdleConnections)
	return tr, "http://loop.example"
}

func TestLoopsAreCaught(t *testing.T) {
	tr, base := loopServer(t)
	b, _ := New(Options{Transport: tr, MaxRedirects: 6})

	_, err := b.Get(context.Background(), base+"/a")
	var loop *LoopError
	if !errors.As(err, &loop) || !errors.Is(err, ErrRedirectLoop) {
		t.Fatalf("redirect loop: error = %v", err)
	}
	if len(loop.Steps) != 7 || len(loop.Cycle) != 2 {
		t.Errorf("redirect loop: %d steps, cycle of %d; want 7 and 2", len(loop.Steps), len(loop.Cycle))
	}
	want := "browser: redirect loop: more than 6 redirects; the cycle is GET http://loop.example/a?state=… (302) → " +
		"GET http://loop.example/b?state=… (303) → back to http://loop.example/a?state=…"
	if err.Error() != want {
		t.Errorf("redirect loop message:\n%s\nwant\n%s", err, want)
	}

	_, err = b.Get(context.Background(), base+"/idp")
	if !errors.As(err, &loop) || !errors.Is(err, ErrAutoPostLoop) {
		t.Fatalf("auto-post loop: error = %v", err)
	}
	if loop.Limit != DefaultMaxAutoPosts || len(loop.Cycle) != 2 || loop.Cycle[0].Kind != StepAutoPost {
		t.Errorf("auto-post loop: limit %d, cycle %v", loop.Limit, loop.Cycle)
	}
	if msg := err.Error(); strings.Contains(msg, "s3cr3t") || !strings.Contains(msg, "POST http://loop.example/acs (302) → GET http://loop.example/idp?SAMLRequest=… (200)") {
		t.Errorf("auto-post loop message = %q", msg)
	}
}

func TestMetaRefreshIsFollowed(t *testing.T) {
	tr, base := loopServer(t)
	b, _ := New(Options{Transport: tr})
	page, err := b.Get(context.Background(), base+"/refresh")
	if err != nil {
		t.Fatal(err)
	}
	if string(page.Body) != "referer="+base+"/refresh" || page.Steps[1].Kind != StepRefresh {
		t.Errorf("after refresh: %q, steps %v", page.Body, page.Steps)
	}
}

// echoHandler reports the request it got.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "%s %s\nbody=%s\nct=%s\nreferer=%s\norigin=%s\nua=%s",
		r.Method, r.URL.RequestURI(), body, r.Header.Get("Content-Type"), r.Header.Get("Referer"), r.Header.Get("Origin"), r.Header.Get("User-Agent"))
}

func TestRedirectMethodsAndHeaders(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", echoHandler)
	for _, code := range []int{301, 302, 303, 307, 308} {
		mux.HandleFunc(fmt.Sprintf("/r%d", code), func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://other.example/echo", code)
		})
	}
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<form method="post" action="%s"><input name="q" value="a b&amp;c"></form>`, r.URL.Query().Get("to"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tab := hostroute.New()
	tab.Set("site.example", srv.Listener.Addr().String())
	tab.Set("other.example", srv.Listener.Addr().String())
	b, _ := New(Options{Transport: hostroute.NewTransport(tab, nil)})

	const post = "POST /echo\nbody=q=a+b%26c\nct=application/x-www-form-urlencoded\n"
	tests := []struct {
		to, want string
	}{
		{"/echo", post + "referer=http://site.example/form?to=/echo\norigin=http://site.example"},
		{"http://other.example/echo", post + "referer=http://site.example/\norigin=http://site.example"},
		// A redirected POST becomes a GET without a body, except on 307
		// and 308; the referrer stays the form's page, cut to its origin
		// across origins.
		{"/r301", "GET /echo\nbody=\nct=\nreferer=http://site.example/\norigin="},
		{"/r302", "GET /echo\nbody=\nct=\nreferer=http://site.example/\norigin="},
		{"/r303", "GET /echo\nbody=\nct=\nreferer=http://site.example/\norigin="},
		{"/r307", post + "referer=http://site.example/\norigin=http://site.example"},
		{"/r308", post + "referer=http://site.example/\norigin=http://site.example"},
	}
	for _, tt := range tests {
		page, err := b.Get(context.Background(), "http://site.example/form?to="+tt.to)
		if err != nil {
			t.Fatal(err)
		}
		page, err = b.Submit(context.Background(), page.Forms()[0], nil)
		if err != nil {
			t.Fatalf("submit to %s: %v", tt.to, err)
		}
		got, ua, _ := strings.Cut(string(page.Body), "\nua=")
		if got != tt.want {
			t.Errorf("form to %s: server got\n%s\nwant\n%s", tt.to, got, tt.want)
		}
		if ua != DefaultUserAgent || !strings.HasPrefix(ua, "Mozilla/5.0") || !strings.HasSuffix(ua, " ssowiz") {
			t.Errorf("User-Agent = %q", ua)
		}
	}

	// Post comes from no page: Origin null, no Referer.
	page, err := b.Post(context.Background(), "http://site.example/echo", url.Values{"SAMLResponse": {"PHNhbWw+"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := strings.Cut(string(page.Body), "\nua="); got != "POST /echo\nbody=SAMLResponse=PHNhbWw%2B\nct=application/x-www-form-urlencoded\nreferer=\norigin=null" {
		t.Errorf("Post: server got %q", got)
	}
}

func TestReferrerPolicy(t *testing.T) {
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	tests := []struct{ from, to, want string }{
		{"", "https://a.example/", ""},
		{"https://login.microsoftonline.com/t/saml2?x=1#frag", "https://login.microsoftonline.com/t/login", "https://login.microsoftonline.com/t/saml2?x=1"},
		{"https://login.microsoftonline.com/t/saml2?x=1", "https://auth2.rudderstack.com/saml2/idpresponse", "https://login.microsoftonline.com/"},
		{"https://login.microsoftonline.com/t/saml2", "http://auth2.rudderstack.com/saml2/idpresponse", ""},
		{"http://a.example/p", "https://a.example/p", "http://a.example/"},
	}
	for _, tt := range tests {
		var from *url.URL
		if tt.from != "" {
			from = u(tt.from)
		}
		if got := referrerFor(from, u(tt.to)); got != tt.want {
			t.Errorf("referrerFor(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestGuards(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 2048))
	})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 1024))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tab := hostroute.New()
	tab.Set("guard.example", srv.Listener.Addr().String())
	tr := hostroute.NewTransport(tab, nil)
	b, _ := New(Options{Transport: tr, MaxBodyBytes: 1024, RequestTimeout: 100 * time.Millisecond})

	if _, err := b.Get(context.Background(), "http://guard.example/big"); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("2 KiB body with a 1 KiB limit: %v", err)
	}
	if p, err := b.Get(context.Background(), "http://guard.example/exact"); err != nil || len(p.Body) != 1024 {
		t.Errorf("body at the limit: %v", err)
	}
	if _, err := b.Get(context.Background(), "http://guard.example/slow"); !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow server: %v, want ErrTimeout", err)
	}

	// Cancelling the caller's context is not a timeout.
	patient, _ := New(Options{Transport: tr})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := patient.Get(ctx, "http://guard.example/slow")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
	if _, err := patient.Get(ctx, "http://guard.example/exact"); !errors.Is(err, context.Canceled) {
		t.Errorf("already-cancelled context: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := New(Options{}); !errors.Is(err, ErrNoTransport) {
		t.Errorf("New without a transport: %v", err)
	}
	b, _ := New(Options{Transport: hostroute.NewTransport(hostroute.New(), nil)})
	for _, raw := range []string{"", "app.rudderstack.com/sso", "ftp://x.example/", "https:///path", "http://[::1"} {
		if _, err := b.Get(context.Background(), raw); !errors.Is(err, ErrBadURL) {
			t.Errorf("Get(%q) = %v, want ErrBadURL", raw, err)
		}
	}
	if _, err := b.Submit(context.Background(), nil, nil); !errors.Is(err, ErrNoForm) {
		t.Errorf("Submit(nil) = %v, want ErrNoForm", err)
	}
}

func TestLogsHoldNoSecrets(t *testing.T) {
	f := newFixture(t, true)
	var buf bytes.Buffer
	var steps []Step
	b := f.browser(t, Options{
		Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnStep: func(s Step) { steps = append(steps, s) },
	})
	page := signIn(t, f, b)
	if len(steps) != 3+len(page.Steps) { // /sso, authorize, saml2, then the submit
		t.Errorf("OnStep saw %d steps, want %d", len(steps), 3+len(page.Steps))
	}
	logs := buf.String()
	if strings.Count(logs, "browser step") != len(steps) {
		t.Errorf("want one log record per step:\n%s", logs)
	}
	samlResponse := page.Steps[1].Sent.Get("SAMLResponse")
	for _, secret := range []string{testPassword, samlResponse, secretCode, "relay-42"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
		for _, s := range steps {
			if strings.Contains(s.String(), secret) {
				t.Errorf("Step.String holds %q: %s", secret, s)
			}
		}
	}
	if !strings.Contains(logs, "code=…") {
		t.Errorf("the log should name redacted query keys:\n%s", logs)
	}
}
