package mockidp

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Each AADSTS error is reached for the reason it names.
func TestRequestErrors(t *testing.T) {
	h := newHarness(t)
	saml2 := h.ts.URL + "/" + h.tenantID() + "/saml2"
	base := h.defaultRequest()
	with := func(edit func(*request)) string {
		q := base
		edit(&q)
		return h.redirectURL(q)
	}
	for _, tc := range []struct {
		name      string
		do        func() page
		code      string
		fragments []string
	}{
		{"750054 no SAMLRequest on GET", func() page { return h.get(saml2) }, "AADSTS750054", []string{"SAMLRequest or SAMLResponse must be present"}},
		{"750054 no SAMLRequest on POST", func() page { return h.postForm(saml2, url.Values{"RelayState": {"x"}}) }, "AADSTS750054", nil},
		{"750056 not base64", func() page { return h.get(saml2 + "?SAMLRequest=%25%25%25") }, "AADSTS750056", []string{"SAML message was not properly base64-encoded."}},
		{"750056 not base64 on the POST binding", func() page { return h.postForm(saml2, url.Values{"SAMLRequest": {"%%%"}}) }, "AADSTS750056", nil},
		{"750055 not deflated on the Redirect binding", func() page {
			return h.get(saml2 + "?SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(base.xml()))))
		}, "AADSTS750055", []string{"SAML message was not properly DEFLATE-encoded."}},
		{"750055 zlib-wrapped on the Redirect binding", func() page {
			var b bytes.Buffer
			zw := zlib.NewWriter(&b)
			zw.Write([]byte(base.xml()))
			zw.Close()
			return h.get(saml2 + "?SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(b.Bytes())))
		}, "AADSTS750055", nil},
		{"75005 deflated on the POST binding", func() page {
			var b bytes.Buffer
			fw, _ := flate.NewWriter(&b, flate.DefaultCompression)
			fw.Write([]byte(base.xml()))
			fw.Close()
			return h.postForm(saml2, url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(b.Bytes())}})
		}, "AADSTS75005", []string{"not a valid Saml2 protocol message"}},
		{"75005 not an AuthnRequest", func() page {
			return h.get(with(func(q *request) {
				q.raw = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" Version="2.0" IssueInstant="2025-06-02T15:04:00Z"/>`
			}))
		}, "AADSTS75005", nil},
		{"75005 wrong version", func() page { return h.get(with(func(q *request) { q.Version = "1.1" })) }, "AADSTS75005", nil},
		{"75005 no issuer", func() page { return h.get(with(func(q *request) { q.Issuer = "" })) }, "AADSTS75005", nil},
		{"7500529 ID starts with a digit", func() page { return h.get(with(func(q *request) { q.ID = "123abc" })) }, "AADSTS7500529", []string{"'123abc'", "must not begin with a number"}},
		{"900236 Subject is rejected", func() page { return h.get(with(func(q *request) { q.Subject = true })) }, "AADSTS900236", []string{"'Subject'"}},
		{"90002 unknown tenant", func() page { return h.get(with(func(q *request) { q.Tenant = "fabrikam.onmicrosoft.com" })) }, "AADSTS90002", []string{"fabrikam.onmicrosoft.com"}},
		{"700016 Issuer is not an Identifier", func() page {
			return h.get(with(func(q *request) { q.Issuer = "amazon:cognito:sp:us-east-1_ABZiTjXia" }))
		}, "AADSTS700016", []string{"'amazon:cognito:sp:us-east-1_ABZiTjXia'", "'Contoso'"}},
		{"50011 trailing slash", func() page { return h.get(with(func(q *request) { q.ACS = replyURL + "/" })) }, "AADSTS50011", []string{"'" + replyURL + "/'", h.appID()}},
		{"50011 case differs", func() page {
			return h.get(with(func(q *request) { q.ACS = strings.Replace(replyURL, "idpresponse", "IdpResponse", 1) }))
		}, "AADSTS50011", []string{"case sensitivity"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			p := tc.do()
			h.wantError(p, tc.code, tc.fragments...)
			if !strings.Contains(p.body, "Sorry, but we’re having trouble signing you in.") || !strings.Contains(p.body, "Troubleshooting details") ||
				!strings.Contains(p.body, "Correlation Id") || !strings.Contains(p.body, "Request Id") || !strings.Contains(p.body, "Timestamp: </dt><dd id=\"timestamp\">2025-06-02T15:04:05Z") {
				t.Errorf("not Entra's error page:\n%s", p.body)
			}
			if p.header.Get("X-Ms-Request-Id") == "" {
				t.Error("no x-ms-request-id header")
			}
		})
	}
}

// TestSignInSequence follows Entra's screens: a fresh browser gets "Sign
// in" with an empty email box and no list of the directory's users, then
// "Enter password", then "Stay signed in?"; the next sign-in in that
// browser offers the account it used ("Pick an account"), and only it.
func TestSignInSequence(t *testing.T) {
	h := newHarness(t)
	adele := h.user("AdeleV")
	p := h.get(h.redirectURL(h.defaultRequest()))
	if !strings.Contains(p.body, `<h1 id="loginHeader">Sign in</h1>`) || strings.Contains(p.body, "<script") {
		t.Fatalf("not Entra's Sign in page, or it needs JavaScript:\n%s", p.body)
	}
	for _, u := range h.demo.Users {
		if strings.Contains(p.body, u.UPN) || strings.Contains(p.body, u.DisplayName) {
			t.Errorf("a fresh browser's Sign in page shows %s", u.UPN)
		}
	}
	f := h.formWith(p, func(f form) bool { return f.id == "i0281" })
	if _, ok := f.fields["loginfmt"]; !ok {
		t.Fatalf("the email box is not loginfmt: %v", f.fields)
	}
	p = h.typeUsername(p, adele.UPN)
	if !strings.Contains(p.body, "Enter password") || !strings.Contains(p.body, `name="passwd"`) {
		t.Fatalf("no password step:\n%s", p.body)
	}
	p = h.typePasswordOnly(p, adele.Password)
	if !strings.Contains(p.body, `<h1 id="kmsiTitle">Stay signed in?</h1>`) || !strings.Contains(p.body, `name="LoginOptions" value="1"`) ||
		!strings.Contains(p.body, `name="LoginOptions" value="3"`) || !strings.Contains(p.body, `name="type" value="28"`) {
		t.Fatalf("no Stay signed in? step after the password:\n%s", p.body)
	}
	if strings.Contains(p.body, "SAMLResponse") {
		t.Fatal("the response was posted before the Stay signed in? answer")
	}
	p = h.staySignedIn(p, false)
	got := h.posted(p)
	if got.action != replyURL || got.relayState != "cognito-opaque-relay-state" {
		t.Fatalf("posted to %q with RelayState %q", got.action, got.relayState)
	}
	if !strings.Contains(p.body, "<noscript>") || !strings.Contains(p.body, `type="submit"`) {
		t.Error("the response form needs JavaScript")
	}
	a := h.verify(h.sp(h.metadataBytes(h.appID()), false), got, "_dd0a3436-bc64-4679-a0c2-cb4454f04184")
	if a.Subject.NameID.Value != adele.UPN {
		t.Errorf("NameID = %q", a.Subject.NameID.Value)
	}

	// The next sign-in that must ask again (ForceAuthn) offers Adele only.
	q := h.defaultRequest()
	q.ID, q.ForceAuthn = "_second", true
	p = h.get(h.redirectURL(q))
	if !strings.Contains(p.body, "Pick an account") || !strings.Contains(p.body, `data-test-id="`+adele.UPN+`"`) {
		t.Fatalf("the browser's account is not offered:\n%s", p.body)
	}
	for _, u := range h.demo.Users {
		if u.UPN != adele.UPN && strings.Contains(p.body, u.UPN) {
			t.Errorf("the picker offers %s, whom this browser never used", u.UPN)
		}
	}
	p = h.typePassword(h.pickAccount(p, adele.UPN), adele.Password)
	h.verify(h.sp(h.metadataBytes(h.appID()), false), h.posted(p), "_second")
}

// TestStaySignedIn: Yes makes the session cookie persistent, No leaves
// it to the browser session; "Don't show this again" skips the question
// next time; a bad answer is refused.
func TestStaySignedIn(t *testing.T) {
	for _, tc := range []struct {
		name       string
		yes        bool
		persistent bool
	}{{"yes", true, true}, {"no", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			adele := h.user("AdeleV")
			p := h.typePasswordOnly(h.typeUsername(h.get(h.redirectURL(h.defaultRequest())), adele.UPN), adele.Password)
			f := h.formWith(p, func(f form) bool { return f.id == "kmsiForm" })
			f.fields.Set("LoginOptions", kmsiNo)
			if tc.yes {
				f.fields.Set("LoginOptions", kmsiYes)
			}
			resp, err := h.client.PostForm(f.action, f.fields)
			if err != nil {
				t.Fatal(err)
			}
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == sessionCookie {
					session = c
				}
			}
			p = h.read(resp)
			if session == nil {
				t.Fatal("no session cookie after Stay signed in?")
			}
			if got := !session.Expires.IsZero(); got != tc.persistent {
				t.Errorf("persistent = %v, want %v (%+v)", got, tc.persistent, session)
			}
			h.posted(p)
		})
	}
	t.Run("don't show again", func(t *testing.T) {
		h := newHarness(t)
		adele := h.user("AdeleV")
		p := h.typePasswordOnly(h.typeUsername(h.get(h.redirectURL(h.defaultRequest())), adele.UPN), adele.Password)
		f := h.formWith(p, func(f form) bool { return f.id == "kmsiForm" })
		f.fields.Set("LoginOptions", kmsiNo)
		f.fields.Set("DontShowAgain", "true")
		h.posted(h.postForm(f.action, f.fields))
		q := h.defaultRequest()
		q.ID, q.ForceAuthn = "_again", true
		p = h.typePasswordOnly(h.pickAccount(h.get(h.redirectURL(q)), adele.UPN), adele.Password)
		if strings.Contains(p.body, "kmsiForm") {
			t.Fatal("Stay signed in? asked again after Don't show this again")
		}
		h.posted(p)
	})
	t.Run("bad answer", func(t *testing.T) {
		h := newHarness(t)
		adele := h.user("AdeleV")
		p := h.typePasswordOnly(h.typeUsername(h.get(h.redirectURL(h.defaultRequest())), adele.UPN), adele.Password)
		f := h.formWith(p, func(f form) bool { return f.id == "kmsiForm" })
		f.fields.Set("LoginOptions", "7")
		h.wantError(h.postForm(f.action, f.fields), "AADSTS90100")
		f.fields.Set("LoginOptions", kmsiYes)
		f.fields.Set("ctx", "forged.ctx")
		h.wantError(h.postForm(f.action, f.fields), "AADSTS90100")
	})
}

// TestHideStaySignedIn models "Show option to remain signed in" = No: the
// response follows the password at once.
func TestHideStaySignedIn(t *testing.T) {
	h := newHarnessWith(t, func(c *Config) { c.HideStaySignedIn = true })
	adele := h.user("AdeleV")
	p := h.typePasswordOnly(h.typeUsername(h.get(h.redirectURL(h.defaultRequest())), adele.UPN), adele.Password)
	h.verify(h.sp(h.metadataBytes(h.appID()), false), h.posted(p), "_dd0a3436-bc64-4679-a0c2-cb4454f04184")
}

// TestDemoUsersHint: the mock-only box lists the tenant's users, says it
// is not Entra's, and signs in like typing the address; off, nothing.
func TestDemoUsersHint(t *testing.T) {
	h := newHarnessWith(t, func(c *Config) { c.DemoUsersHint = true })
	p := h.get(h.redirectURL(h.defaultRequest()))
	if !strings.Contains(p.body, `id="demoUsers" class="mock-only"`) || !strings.Contains(p.body, "Not part of Entra") ||
		!strings.Contains(p.body, "--no-demo-hint") {
		t.Fatalf("no marked demo users box:\n%s", p.body)
	}
	for _, u := range h.demo.Users {
		if !strings.Contains(p.body, `data-demo-upn="`+u.UPN+`"`) {
			t.Errorf("%s is not in the demo box", u.UPN)
		}
	}
	isaiah := h.user("IsaiahL")
	var f form
	for _, fm := range p.forms() {
		if fm.fields.Get("loginfmt") == isaiah.UPN {
			f = fm
		}
	}
	p = h.typePassword(h.postForm(f.action, f.fields), isaiah.Password)
	h.verify(h.sp(h.metadataBytes(h.appID()), false), h.posted(p), "_dd0a3436-bc64-4679-a0c2-cb4454f04184")
}

func TestSignInWithAnotherAccount(t *testing.T) {
	h := newHarness(t)
	isaiah := h.user("IsaiahL")
	p := h.get(h.redirectURL(h.defaultRequest()))
	p = h.typeUsername(p, strings.ToUpper(isaiah.UPN))
	p = h.typePassword(p, isaiah.Password)
	// Isaiah is assigned through a group.
	h.verify(h.sp(h.metadataBytes(h.appID()), false), h.posted(p), "_dd0a3436-bc64-4679-a0c2-cb4454f04184")
}

func TestSignInErrors(t *testing.T) {
	h := newHarness(t)
	q := h.defaultRequest()

	t.Run("50034 unknown user, inline", func(t *testing.T) {
		h.t = t
		p := h.typeUsername(h.get(h.redirectURL(q)), "nobody@contoso.onmicrosoft.com")
		h.wantError(p, "AADSTS50034", "does not exist in the 'Contoso' directory")
		if !strings.Contains(p.body, `id="usernameError"`) || !strings.Contains(p.body, "This username may be incorrect") {
			t.Errorf("not the inline username error:\n%s", p.body)
		}
	})
	t.Run("50126 wrong password, inline", func(t *testing.T) {
		h.t = t
		adele := h.user("AdeleV")
		p := h.pickAccount(h.get(h.redirectURL(q)), adele.UPN)
		p = h.typePassword(p, adele.Password+"x")
		h.wantError(p, "AADSTS50126", "invalid username or password")
		if !strings.Contains(p.body, "Your account or password is incorrect") || !strings.Contains(p.body, `id="passwordForm"`) {
			t.Errorf("the password form is not shown again with Entra's message:\n%s", p.body)
		}
		// The re-shown form still works.
		h.verify(h.sp(h.metadataBytes(h.appID()), false), h.posted(h.typePassword(p, adele.Password)), q.ID)
	})
	t.Run("50057 disabled account", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		h.wantError(h.signIn(q, "MeganB"), "AADSTS50057", "disabled")
	})
	t.Run("50105 not assigned", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		h.wantError(h.signIn(q, "AlexW"), "AADSTS50105", "'AlexW@contoso.onmicrosoft.com'", "RudderStack ('"+h.appID()+"')")
	})
	t.Run("not assigned is fine when assignment is not required", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		ctx := context.Background()
		if err := h.dir.SetAssignmentRequired(ctx, h.appID(), false); err != nil {
			t.Fatal(err)
		}
		defer h.dir.SetAssignmentRequired(ctx, h.appID(), true)
		h.verify(h.sp(h.metadataBytes(h.appID()), false), h.posted(h.signIn(q, "AlexW")), q.ID)
	})
	t.Run("75016 unsupported NameIDPolicy", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		bad := q
		bad.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
		h.wantError(h.signIn(bad, "AdeleV"), "AADSTS75016", "NameIDPolicy")
	})
	t.Run("501241 Name ID source empty", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		ctx := context.Background()
		app, _ := h.dir.App(ctx, h.appID())
		if _, err := h.dir.UpdateClaims(ctx, h.appID(), directory.NameIDConfig{Source: "user.mail", Format: directory.NameIDEmailAddress}, app.Claims); err != nil {
			t.Fatal(err)
		}
		defer h.dir.UpdateClaims(ctx, h.appID(), app.NameID, app.Claims)
		h.wantError(h.signIn(q, "LeeG"), "AADSTS501241", "'user.mail'")
	})
	t.Run("90100 tampered ctx", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		p := h.get(h.redirectURL(q))
		f := h.formWith(p, func(f form) bool { return f.id == "i0281" })
		ctxValue := f.fields.Get("ctx")
		f.fields.Set("ctx", ctxValue[:len(ctxValue)-2]+"AA")
		f.fields.Set("loginfmt", h.user("AdeleV").UPN)
		h.wantError(h.postForm(f.action, f.fields), "AADSTS90100")
	})
	t.Run("Destination is ignored", func(t *testing.T) {
		h.t = t
		h.newBrowser()
		odd := q
		odd.Destination = "https://login.microsoftonline.com/someone-else/saml2"
		h.verify(h.sp(h.metadataBytes(h.appID()), false), h.posted(h.signIn(odd, "AdeleV")), q.ID)
	})
}

func TestReplyURLSelection(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	one := 1
	second := "http://127.0.0.1:9999/saml2/idpresponse"
	app, err := h.dir.UpdateSAMLConfig(ctx, h.appID(), directory.SAMLConfig{
		Identifiers: []directory.Identifier{{Value: entityID}},
		ReplyURLs:   []directory.ReplyURL{{URL: replyURL}, {URL: second, Index: &one, Default: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if app.DefaultReplyURL() != second {
		t.Fatalf("default = %s", app.DefaultReplyURL())
	}
	q := h.defaultRequest()
	q.ACS = ""
	if got := h.posted(h.signIn(q, "AdeleV")); got.action != second {
		t.Errorf("no ACS in the request: posted to %s, want the default %s", got.action, second)
	}
	q.ACS = replyURL
	if got := h.posted(h.get(h.redirectURL(q))); got.action != replyURL {
		t.Errorf("listed ACS: posted to %s", got.action)
	}
}

func TestSessionCookie(t *testing.T) {
	h := newHarness(t)
	q := h.defaultRequest()
	first := h.signIn(q, "AdeleV")
	h.posted(first)
	u, _ := url.Parse(h.ts.URL)
	var cookie *http.Cookie
	for _, c := range h.client.Jar.Cookies(u) {
		if c.Name == "ESTSAUTH" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no ESTSAUTH cookie after sign-in")
	}
	if first.header.Get("Set-Cookie") != "" && !strings.Contains(first.header.Get("Set-Cookie"), "HttpOnly") {
		t.Error("the session cookie is not HttpOnly")
	}

	// A later AuthnRequest skips the sign-in.
	q.ID = "_second"
	p := h.get(h.redirectURL(q))
	got := h.posted(p)
	a := h.verify(h.sp(h.metadataBytes(h.appID()), false), got, "_second")
	if a.Subject.NameID.Value != h.user("AdeleV").UPN {
		t.Errorf("SSO as %s", a.Subject.NameID.Value)
	}
	// The AuthnInstant is the original sign-in, not this request.
	h.clock.Advance(10 * 60e9)
	q.ID = "_third"
	got = h.posted(h.get(h.redirectURL(q)))
	a = h.verify(h.sp(h.metadataBytes(h.appID()), false), got, "_third")
	if !a.AuthnStatements[0].AuthnInstant.Equal(t0) {
		t.Errorf("AuthnInstant = %s, want the first sign-in %s", a.AuthnStatements[0].AuthnInstant, t0)
	}

	// ForceAuthn shows the sign-in again.
	q.ID, q.ForceAuthn = "_fourth", true
	if p := h.get(h.redirectURL(q)); !strings.Contains(p.body, "Pick an account") {
		t.Errorf("ForceAuthn did not ask for credentials:\n%s", p.body)
	}

	// A user disabled since the sign-in is stopped (50057).
	q.ForceAuthn = false
	if _, err := h.dir.SetAccountEnabled(context.Background(), h.user("AdeleV").ObjectID, false); err != nil {
		t.Fatal(err)
	}
	h.wantError(h.get(h.redirectURL(q)), "AADSTS50057")

	// Without a session, IsPassive gets a NoPassive error response.
	h.newBrowser()
	q.IsPassive = true
	got = h.posted(h.get(h.redirectURL(q)))
	if !strings.Contains(string(got.xml), "urn:oasis:names:tc:SAML:2.0:status:NoPassive") || !strings.Contains(string(got.xml), "AADSTS50058") {
		t.Errorf("IsPassive without a session:\n%s", got.xml)
	}
}

func TestSessionCookieOnHTTPS(t *testing.T) {
	h := newHarness(t)
	srv, err := New(Config{Directory: h.dir, BaseURL: "https://login.microsoftonline.com", Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.setSession(rec, h.user("AdeleV").ObjectID, t0, false)
	c := rec.Result().Cookies()[0]
	if c.Name != "ESTSAUTH" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteNoneMode {
		t.Errorf("cookie %+v", c)
	}
}

func TestRoutesAreCaseInsensitive(t *testing.T) {
	h := newHarness(t)
	u := strings.Replace(h.redirectURL(h.defaultRequest()), "/saml2?", "/SAML2?", 1)
	u = strings.Replace(u, h.tenantID(), strings.ToUpper(h.tenantID()), 1)
	if p := h.get(u); !strings.Contains(p.body, `id="loginHeader"`) {
		t.Errorf("uppercase path: %d\n%s", p.status, p.body)
	}
	q := h.defaultRequest()
	q.Tenant = "Contoso.onmicrosoft.com"
	if p := h.get(h.redirectURL(q)); !strings.Contains(p.body, `id="loginHeader"`) {
		t.Errorf("tenant by domain: %d\n%s", p.status, p.body)
	}
}

func TestNew(t *testing.T) {
	h := newHarness(t)
	for _, base := range []string{"", "login.microsoftonline.com", "ftp://x", "https://login.microsoftonline.com/tenant"} {
		if _, err := New(Config{Directory: h.dir, BaseURL: base}); err == nil {
			t.Errorf("base URL %q accepted", base)
		}
	}
	if _, err := New(Config{BaseURL: "https://login.microsoftonline.com"}); err == nil {
		t.Error("no directory accepted")
	}
}

func TestParseErrorPage(t *testing.T) {
	for _, tc := range []struct {
		page, code, msg string
		ok              bool
	}{
		{`<p>AADSTS50011: The redirect URI &#39;https://x/&#39; specified</p>`, "AADSTS50011", "The redirect URI 'https://x/' specified", true},
		// Entra's real page carries the error in its JavaScript config.
		{`$Config={"strServiceExceptionMessage":"AADSTS700016: Application with identifier 'urn:x' was not found","iErrorCode":700016}`, "AADSTS700016", "Application with identifier 'urn:x' was not found", true},
		{`<p>Pick an account</p>`, "", "", false},
	} {
		code, msg, ok := ParseErrorPage(tc.page)
		if code != tc.code || msg != tc.msg || ok != tc.ok {
			t.Errorf("ParseErrorPage(%q) = %q, %q, %v", tc.page, code, msg, ok)
		}
	}
}

func TestPostBindingAndLimits(t *testing.T) {
	h := newHarness(t)
	q := h.defaultRequest()
	saml2 := h.ts.URL + "/" + h.tenantID() + "/saml2"
	// HTTP-POST: base64 without DEFLATE.
	p := h.postForm(saml2, url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString([]byte(q.xml()))}, "RelayState": {"rs"}})
	p = h.typePassword(h.pickAccount(p, h.user("AdeleV").UPN), h.user("AdeleV").Password)
	got := h.posted(p)
	if got.relayState != "rs" {
		t.Errorf("RelayState %q", got.relayState)
	}
	h.verify(h.sp(h.metadataBytes(h.appID()), false), got, q.ID)

	// A deflate bomb is refused as an invalid message, after reading at
	// most the limit.
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write([]byte(`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="2025-06-02T15:04:00Z">`))
	fw.Write(bytes.Repeat([]byte(" "), 1<<20))
	fw.Close()
	h.wantError(h.get(saml2+"?SAMLRequest="+url.QueryEscape(base64.StdEncoding.EncodeToString(buf.Bytes()))), "AADSTS75005")
}
