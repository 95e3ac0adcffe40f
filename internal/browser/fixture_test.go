package browser

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/hostroute"
	"github.com/ssowiz/ssowiz/internal/localca"
)

// The fixture plays a much simplified RudderStack (app, auth2) and Entra
// (login) on the production host names, enough to exercise what the
// browser must do in a real SP-initiated SAML sign-in: cookies per host
// across redirects, a sign-in form, an auto-posting SAML response, a code
// callback. Each server checks what a real one would need from a browser.

const (
	testUPN      = "alice@contoso.com"
	testPassword = "Corr3ct-horse!"
	secretCode   = "code-7f3a-SECRET"
	tenant       = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490"
)

type fixture struct {
	scheme string
	routes *hostroute.Table
	tr     *http.Transport
	ca     *localca.CA
}

// newFixture starts the IdP and SP on loopback, over TLS from a fresh CA
// when tls is set, and routes the production names to them.
func newFixture(t testing.TB, useTLS bool) *fixture {
	t.Helper()
	f := &fixture{scheme: "http", routes: hostroute.New()}
	var clientTLS *tls.Config // plain HTTP needs none
	if useTLS {
		ca, err := localca.New(localca.Options{})
		if err != nil {
			t.Fatal(err)
		}
		f.ca, f.scheme = ca, "https"
		clientTLS = ca.ClientTLSConfig()
	}
	start := func(h http.Handler) string {
		srv := httptest.NewUnstartedServer(h)
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		if useTLS {
			srv.TLS = f.ca.ServerTLSConfig()
			srv.StartTLS()
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		return srv.Listener.Addr().String()
	}
	idp := start(http.HandlerFunc(f.idp))
	sp := start(http.HandlerFunc(f.sp))
	f.routes.Set("login.microsoftonline.com", idp)
	for _, h := range []string{"app.rudderstack.com", "auth2.rudderstack.com", "api.rudderstack.com"} {
		f.routes.Set(h, sp)
	}
	f.tr = hostroute.NewTransport(f.routes, clientTLS)
	t.Cleanup(f.tr.CloseIdleConnections)
	return f
}

func (f *fixture) url(host, path string) string { return f.scheme + "://" + host + path }

func (f *fixture) browser(t testing.TB, opts Options) *Browser {
	t.Helper()
	opts.Transport = f.tr
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) cookie(w http.ResponseWriter, name, value, domain string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", Domain: domain,
		Secure: f.scheme == "https", HttpOnly: true})
}

func (f *fixture) sp(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	switch host + " " + r.URL.Path {
	case "app.rudderstack.com /sso":
		f.cookie(w, "app_flow", "started", "")
		http.Redirect(w, r, f.url("auth2.rudderstack.com", "/oauth2/authorize?identity_provider=entra&state=st-1"), http.StatusFound)
	case "auth2.rudderstack.com /oauth2/authorize":
		f.cookie(w, "cognito_state", r.URL.Query().Get("state"), "")
		http.Redirect(w, r, f.url("login.microsoftonline.com", "/"+tenant+"/saml2?SAMLRequest=fZJRT8Iw&RelayState=relay-42"), http.StatusFound)
	case "auth2.rudderstack.com /saml2/idpresponse":
		if r.Method != http.MethodPost {
			http.Error(w, "ACS is POST only", http.StatusMethodNotAllowed)
			return
		}
		if c, err := r.Cookie("cognito_state"); err != nil || c.Value != "st-1" {
			http.Error(w, "Invalid state: the cognito_state cookie did not come back", http.StatusBadRequest)
			return
		}
		if got := r.Header.Get("Origin"); got != f.url("login.microsoftonline.com", "") {
			http.Error(w, "Origin "+got, http.StatusBadRequest)
			return
		}
		assertion, err := base64.StdEncoding.DecodeString(r.PostFormValue("SAMLResponse"))
		if err != nil || r.PostFormValue("RelayState") != "relay-42" {
			http.Error(w, "Error in SAML response processing", http.StatusBadRequest)
			return
		}
		user := strings.TrimPrefix(string(assertion), "<Assertion>NameID=")
		user = strings.TrimSuffix(user, "</Assertion>")
		f.cookie(w, "pending_user", user, "rudderstack.com")
		http.Redirect(w, r, f.url("app.rudderstack.com", "/callback?code="+secretCode+"&state=st-1"), http.StatusFound)
	case "app.rudderstack.com /callback":
		flow, err1 := r.Cookie("app_flow")
		user, err2 := r.Cookie("pending_user")
		if err1 != nil || err2 != nil || flow.Value != "started" || r.URL.Query().Get("code") != secretCode {
			http.Error(w, "callback without the flow cookie, user or code", http.StatusBadRequest)
			return
		}
		f.cookie(w, "session", user.Value, "")
		http.Redirect(w, r, "/", http.StatusFound)
	case "app.rudderstack.com /":
		s, err := r.Cookie("session")
		if err != nil {
			http.Redirect(w, r, "/sso", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>RudderStack</title></head><body>
<h1>Signed in as %s</h1><a href="/logout">Log out</a></body></html>`, template.HTMLEscapeString(s.Value))
	case "api.rudderstack.com /api/me":
		s, err := r.Cookie("pending_user")
		if err != nil {
			http.Error(w, `{"error":"no session"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"email":%q}`, s.Value)
	default:
		http.NotFound(w, r)
	}
}

var signInPage = template.Must(template.New("signin").Parse(`<!DOCTYPE html>
<html><head><title>Sign in to your account</title><style>.x{color:red}</style>
<script>var $Config={"sCtx":"ctx"};</script></head>
<body><div id="lightbox"><div role="heading">Sign in</div>
<form name="f1" id="i0281" method="post" action="/{{.Tenant}}/login" autocomplete="off">
<input type="hidden" name="ctx" value="{{.Ctx}}">
<input type="hidden" name="flowToken" value="ft-1">
<div hidden>secret hint</div>
<input type="email" name="loginfmt" id="i0116" placeholder="Email, phone, or Skype">
<input type="password" name="passwd" id="i0118" placeholder="Password">
<label><input type="checkbox" name="KMSI" value="true"> Stay signed in</label>
<input type="submit" id="idSIButton9" value="Sign in">
</form>{{if .Error}}<div id="usernameError" role="alert">{{.Error}}</div>{{end}}
</div></body></html>`))

// samlPostPage is Entra's HTTP-POST binding page as captured: body onload,
// a form of hidden inputs, and a Submit button inside <noscript>.
var samlPostPage = template.Must(template.New("post").Parse(`<html><head><title>Working...</title></head>
<body onload="javascript:document.forms[0].submit()"><form method="POST" name="hiddenform" action="{{.ACS}}">
<input type="hidden" name="SAMLResponse" value="{{.Response}}" /><input type="hidden" name="RelayState" value="{{.Relay}}" />
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form></body></html>`))

func (f *fixture) idp(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	postResponse := func(user, relay string) {
		samlPostPage.Execute(w, map[string]string{
			"ACS":      f.url("auth2.rudderstack.com", "/saml2/idpresponse"),
			"Response": base64.StdEncoding.EncodeToString([]byte("<Assertion>NameID=" + user + "</Assertion>")),
			"Relay":    relay,
		})
	}
	switch r.URL.Path {
	case "/" + tenant + "/saml2":
		relay := r.URL.Query().Get("RelayState")
		if c, err := r.Cookie("ESTSAUTH"); err == nil {
			postResponse(c.Value, relay)
			return
		}
		signInPage.Execute(w, map[string]string{"Tenant": tenant, "Ctx": relay})
	case "/" + tenant + "/login":
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		if r.PostFormValue("loginfmt") != testUPN || r.PostFormValue("passwd") != testPassword || r.PostFormValue("flowToken") != "ft-1" {
			w.WriteHeader(http.StatusOK)
			signInPage.Execute(w, map[string]string{"Tenant": tenant, "Ctx": r.PostFormValue("ctx"),
				"Error": "AADSTS50126: Error validating credentials due to invalid username or password."})
			return
		}
		f.cookie(w, "ESTSAUTH", r.PostFormValue("loginfmt"), "")
		postResponse(r.PostFormValue("loginfmt"), r.PostFormValue("ctx"))
	default:
		http.NotFound(w, r)
	}
}
