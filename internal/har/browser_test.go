package har_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/ssowiz/ssowiz/internal/chromiumtest"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
	"github.com/ssowiz/ssowiz/internal/lab"
)

var updateBrowserHARs = flag.Bool("update-browser-hars", false, "record testdata/browser/*.har again with headless Chromium")

// browserDir holds HARs that headless Chromium recorded against the mocks
// (TestRecordBrowserHARs), in DevTools' and Playwright's shapes, and
// expect.json, what the analysis must find in each.
const browserDir = "testdata/browser"

// expectation is what the analysis of one browser HAR must find.
type expectation struct {
	// Outcome is the one flow's outcome.
	Outcome string `json:"outcome"`
	// Diagnoses are the diagnosis IDs, sorted.
	Diagnoses []string `json:"diagnoses"`
	// Code is a code one diagnosis must carry (AADSTS50105, invalid_state…).
	Code string `json:"code,omitempty"`
	// FirstStep is the first step's kind: the timeline keeps the launch.
	FirstStep string `json:"first_step,omitempty"`
	// Text must appear in the text report (a whole AADSTS message, say).
	Text string `json:"text,omitempty"`
	// Absent must not appear in the text report.
	Absent string `json:"absent,omitempty"`
}

// browserFlow is a sign-in a person does in a real browser.
type browserFlow struct {
	name string
	mode lab.Mode
	// demoHint shows the mock's demo users box, as `serve` does: the
	// redaction must mask every person it lists.
	demoHint bool
	// singleLogout turns the user pool's sign-out flow on (serve
	// --single-logout).
	singleLogout bool
	want         expectation
	run          func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser)
}

func browserFlows() []browserFlow {
	signIn := func(alias, password, wantEnd string) func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser) {
		return func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser) {
			u := labUser(t, l, alias)
			if password == "" {
				password = u.Password
			}
			mustDo(t, b.Navigate(l.Info().SPLoginURL))
			mustDo(t, b.Fill("#email", u.UPN))
			mustDo(t, b.ClickAndWait("#sso-form button[type=submit]"))
			end, screens, err := b.EntraSignIn(u.UPN, password, false)
			mustDo(t, err)
			if end != wantEnd {
				t.Fatalf("the sign-in ended on %s (%v), want %s", end, screens, wantEnd)
			}
		}
	}
	return []browserFlow{
		{name: "signed-in", mode: lab.Rehearsal, run: signIn("AdeleV", "", chromiumtest.EndHome),
			want: expectation{Outcome: har.OutcomeSignedIn, Diagnoses: []string{}, FirstStep: har.StepStart}},
		{name: "wrong-password", mode: lab.Rehearsal, run: signIn("AdeleV", "not-her-password", chromiumtest.EndFormError),
			want: expectation{Outcome: har.OutcomeFailed, Diagnoses: []string{har.DiagAADSTS}, Code: "AADSTS50126"}},
		{name: "not-assigned", mode: lab.Rehearsal, demoHint: true, run: signIn("AlexW", "", chromiumtest.EndEntraError),
			want: expectation{Outcome: har.OutcomeFailed, Diagnoses: []string{har.DiagAADSTS}, Code: "AADSTS50105",
				Text: "Please contact your administrator to assign access to this application.", Absent: "Plea\n"}},
		{name: "my-apps-launch", mode: lab.Rehearsal,
			run: func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser) {
				u := labUser(t, l, "AdeleV")
				mustDo(t, b.Navigate(l.Info().UserAccessURL))
				end, screens, err := b.EntraSignIn(u.UPN, u.Password, false)
				mustDo(t, err)
				if end != chromiumtest.EndSPError {
					t.Fatalf("the launch ended on %s (%v), want the SP's error page", end, screens)
				}
			},
			want: expectation{Outcome: har.OutcomeFailed, Diagnoses: []string{har.DiagNotAtSSO, har.DiagSignOnURL},
				FirstStep: har.StepLaunch, Absent: har.DiagReplyURL}},
		{name: "stale-authorize", mode: lab.Rehearsal,
			run: func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser) {
				// Another browser starts the sign-in; its authorize URL is
				// then opened in this fresh one (a bookmark, a shared link).
				first := chromiumtest.Start(t, chromeOptions(l))
				u := labUser(t, l, "AdeleV")
				mustDo(t, first.Navigate(l.Info().SPLoginURL))
				mustDo(t, first.Fill("#email", u.UPN))
				mustDo(t, first.ClickAndWait("#sso-form button[type=submit]"))
				h, err := first.HAR(chromiumtest.DevTools)
				mustDo(t, err)
				authorize := ""
				for _, e := range h.Log.Entries {
					if strings.Contains(e.Request.URL, "/oauth2/authorize") {
						authorize = e.Request.URL
					}
				}
				if authorize == "" {
					t.Fatal("the first browser never opened /oauth2/authorize")
				}
				mustDo(t, b.Navigate(authorize))
				end, screens, err := b.EntraSignIn(u.UPN, u.Password, false)
				mustDo(t, err)
				if end != chromiumtest.EndSPError {
					t.Fatalf("the stale sign-in ended on %s (%v), want the SP's error page", end, screens)
				}
			},
			want: expectation{Outcome: har.OutcomeFailed, Diagnoses: []string{har.DiagCognito, har.DiagNotAtSSO},
				Text: "another browser"}},
		{name: "serve-idp-initiated", mode: lab.Loopback, demoHint: true,
			run: func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser) {
				u := labUser(t, l, "AdeleV")
				mustDo(t, b.Navigate(l.Info().IDPInitiatedURL))
				end, screens, err := b.EntraSignIn(u.UPN, u.Password, false)
				mustDo(t, err)
				if end != chromiumtest.EndSPError {
					t.Fatalf("the IdP-initiated sign-in ended on %s (%v), want Cognito's error page", end, screens)
				}
			},
			want: expectation{Outcome: har.OutcomeFailed, Diagnoses: []string{har.DiagIdPInitiated, har.DiagRelayState},
				FirstStep: har.StepLaunch, Absent: "auth2.rudderstack.com"}},
		{name: "serve-signed-in", mode: lab.Loopback, demoHint: true, run: signIn("AdeleV", "", chromiumtest.EndHome),
			want: expectation{Outcome: har.OutcomeSignedIn, Diagnoses: []string{}, FirstStep: har.StepStart}},
		{name: "single-logout", mode: lab.Rehearsal, singleLogout: true,
			run: func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser) {
				// Signed in, the person clears the network log and
				// clicks Sign out: the app's sign-out, the user pool's
				// /logout and its signed LogoutRequest to Entra, Entra's
				// LogoutResponse by HTTP-Redirect to /saml2/logout, and
				// Cognito's page refusing it (POST only).
				signIn("AdeleV", "", chromiumtest.EndHome)(t, l, b)
				b.ClearHAR()
				mustDo(t, b.ClickAndWait("#sign-out"))
				if c, err := b.Eval(`document.querySelector('#error-code') ? document.querySelector('#error-code').textContent : location.href`); err != nil || c != "logout_response_by_redirect" {
					t.Fatalf("Sign out ended on %q (%v), want Cognito's page for a LogoutResponse by redirect", c, err)
				}
			},
			want: expectation{Outcome: har.OutcomeFailed, Diagnoses: []string{har.DiagLogoutBinding}, FirstStep: har.StepLogout, Text: "POST only"}},
		{name: "logout-no-logout-url", mode: lab.Rehearsal, singleLogout: true,
			run: func(t *testing.T, l *lab.Lab, b *chromiumtest.Browser) {
				// The sign-out flow is on at the user pool, but Entra's
				// app has no Logout Url: Entra signs out and stays on its
				// own page.
				ctx := context.Background()
				app, err := l.Directory.App(ctx, l.Info().AppID)
				mustDo(t, err)
				cfg := app.SAML
				cfg.LogoutURL = ""
				_, err = l.Directory.UpdateSAMLConfig(ctx, app.AppID, cfg)
				mustDo(t, err)
				signIn("AdeleV", "", chromiumtest.EndHome)(t, l, b)
				b.ClearHAR()
				mustDo(t, b.ClickAndWait("#sign-out"))
				if c, err := b.Eval(`document.querySelector('#signedOutHeading') ? 'entra' : location.href`); err != nil || c != "entra" {
					t.Fatalf("Sign out ended on %q (%v), want Entra's signed-out page", c, err)
				}
			},
			want: expectation{Outcome: har.OutcomeIncomplete, Diagnoses: []string{har.DiagNoLogoutURL}, FirstStep: har.StepLogout, Text: "Logout Url"}},
	}
}

var shapes = []chromiumtest.Shape{chromiumtest.DevTools, chromiumtest.Playwright}

// TestRecordBrowserHARs signs in with headless Chromium in each flow, and
// checks that the HAR it recorded, in each writer's shape, is diagnosed as
// expected, raw and redacted. With -update-browser-hars it keeps the HARs
// as the fixtures of TestBrowserHARs (only those of the flows -run
// selects).
func TestRecordBrowserHARs(t *testing.T) {
	chromiumtest.Path(t)
	expect := map[string]expectation{}
	for _, fl := range browserFlows() {
		t.Run(fl.name, func(t *testing.T) {
			l := startBrowserLab(t, fl.mode, fl.demoHint, fl.singleLogout)
			b := chromiumtest.Start(t, chromeOptions(l))
			fl.run(t, l, b)
			for _, shape := range shapes {
				h, err := b.HAR(shape)
				mustDo(t, err)
				var buf bytes.Buffer
				mustDo(t, har.Write(&buf, h))
				name := fl.name + "." + string(shape) + ".har"
				checkBrowserHAR(t, name, buf.Bytes(), fl.want)
				expect[name] = fl.want
				if *updateBrowserHARs {
					mustDo(t, os.MkdirAll(browserDir, 0o755))
					mustDo(t, os.WriteFile(filepath.Join(browserDir, name), buf.Bytes(), 0o644))
				}
			}
		})
	}
	if *updateBrowserHARs && !t.Failed() {
		// Flows left out by -run keep their fixtures and expectations.
		if raw, err := os.ReadFile(filepath.Join(browserDir, "expect.json")); err == nil {
			var kept map[string]expectation
			mustDo(t, json.Unmarshal(raw, &kept))
			for name, want := range kept {
				if _, ok := expect[name]; !ok {
					expect[name] = want
				}
			}
		}
		out, err := json.Marshal(expect, json.Deterministic(true))
		mustDo(t, err)
		mustDo(t, os.WriteFile(filepath.Join(browserDir, "expect.json"), append(out, '\n'), 0o644))
	}
}

// TestBrowserHARs analyses the HARs Chromium recorded (see
// TestRecordBrowserHARs), raw and redacted, against expect.json.
func TestBrowserHARs(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(browserDir, "expect.json"))
	mustDo(t, err)
	var expect map[string]expectation
	mustDo(t, json.Unmarshal(raw, &expect))
	if len(expect) < 2*len(browserFlows()) {
		t.Fatalf("expect.json lists %d HARs, want %d: run go test -run TestRecordBrowserHARs -update-browser-hars", len(expect), 2*len(browserFlows()))
	}
	for name, want := range expect {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(browserDir, name))
			mustDo(t, err)
			checkBrowserHAR(t, name, b, want)
		})
	}
}

func checkBrowserHAR(t *testing.T, name string, raw []byte, want expectation) {
	t.Helper()
	h, err := har.Read(bytes.NewReader(raw))
	mustDo(t, err)
	har.Redact(h, har.RedactOptions{})
	var red bytes.Buffer
	mustDo(t, har.Write(&red, h))
	for _, v := range []struct {
		kind string
		b    []byte
	}{{"raw", raw}, {"redacted", red.Bytes()}} {
		rep := analyzeBytes(t, v.b, har.Options{})
		var text bytes.Buffer
		mustDo(t, rep.WriteText(&text))
		if got := ids(rep.Diagnoses); !slices.Equal(got, want.Diagnoses) {
			t.Fatalf("%s %s: diagnoses %v, want %v\n%s", name, v.kind, got, want.Diagnoses, text.String())
		}
		if len(rep.Flows) != 1 || rep.Flows[0].Outcome != want.Outcome {
			t.Fatalf("%s %s: %d flows, want one %s\n%s", name, v.kind, len(rep.Flows), want.Outcome, text.String())
		}
		if want.Code != "" && !slices.ContainsFunc(rep.Diagnoses, func(d har.Diagnosis) bool { return d.Code == want.Code }) {
			t.Errorf("%s %s: no diagnosis with code %s", name, v.kind, want.Code)
		}
		if want.FirstStep != "" && !slices.Contains(rep.Flows[0].Steps[0].Kinds, want.FirstStep) {
			t.Errorf("%s %s: the first step is %v, want %s", name, v.kind, rep.Flows[0].Steps[0].Kinds, want.FirstStep)
		}
		if want.Text != "" && !strings.Contains(text.String(), want.Text) {
			t.Errorf("%s %s: the report does not say %q:\n%s", name, v.kind, want.Text, text.String())
		}
		if want.Absent != "" && strings.Contains(text.String(), want.Absent) {
			t.Errorf("%s %s: the report says %q:\n%s", name, v.kind, want.Absent, text.String())
		}
	}
}

func startBrowserLab(t *testing.T, mode lab.Mode, demoHint, singleLogout bool) *lab.Lab {
	t.Helper()
	l, err := lab.Start(context.Background(), lab.Options{
		Mode: mode, DemoUsersHint: demoHint, SingleLogout: singleLogout,
		NewKey: func() (*rsa.PrivateKey, error) { return hartest.KeyA().Key, nil },
	})
	mustDo(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.Close(ctx)
	})
	return l
}

// chromeOptions routes the production host names to a rehearsal's
// listeners, as a hosts file would.
func chromeOptions(l *lab.Lab) chromiumtest.Options {
	if l.Routes == nil {
		return chromiumtest.Options{}
	}
	rules := map[string]string{}
	for _, r := range l.Routes.Routes() {
		rules[r.Host] = r.Addr
	}
	return chromiumtest.Options{HostRules: rules, IgnoreCertErrors: true}
}

func labUser(t *testing.T, l *lab.Lab, alias string) lab.User {
	t.Helper()
	for _, u := range l.Info().Users {
		if strings.HasPrefix(u.UPN, alias+"@") {
			return u
		}
	}
	t.Fatalf("no demo user %s", alias)
	return lab.User{}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// demoPeople are the demo tenant's people (mockidp/directory's seed).
var demoPeople = []string{"Adele Vance", "Isaiah Langer", "Alex Wilber", "Megan Bowen", "Lee Gu", "Diego Siciliani"}

var addressLike = regexp.MustCompile(`[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)

// TestBrowserHARsLeakNothing: no name, UPN, address, password, cookie,
// OAuth code or state, RelayState or Entra ctx of any browser HAR
// survives redaction, anywhere in the file (page titles, initiators and
// Referers included) — the HARs of another app (foreignDir, whose page
// prints the claims it got) too.
func TestBrowserHARsLeakNothing(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(browserDir, "*.har"))
	mustDo(t, err)
	foreign, err := filepath.Glob(filepath.Join(foreignDir, "*.har"))
	mustDo(t, err)
	files = append(files, foreign...)
	if len(files) == 0 {
		t.Fatal("no browser HARs")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			mustDo(t, err)
			h, err := har.Read(bytes.NewReader(raw))
			mustDo(t, err)
			secrets := map[string]string{}
			for _, p := range demoPeople {
				secrets[p] = "name"
			}
			// Addresses inside SAML messages (a LogoutRequest's NameID is
			// deflated into the URL) count too.
			for _, a := range addressLike.FindAllString(string(raw)+strings.Join(samlMessages(h), "\n"), -1) {
				secrets[a] = "address"
			}
			cookies := 0
			value := func(kind, v string) {
				if len(v) >= 6 {
					secrets[v] = kind
					if kind == "cookie" {
						cookies++
					}
				}
			}
			for _, e := range h.Log.Entries {
				for _, q := range e.Request.QueryString {
					switch q.Name {
					case "state", "code", "RelayState":
						value(q.Name, q.Value)
					}
				}
				if pd := e.Request.PostData; pd != nil {
					form, _ := url.ParseQuery(pd.Text)
					for _, name := range []string{"passwd", "ctx", "RelayState", "loginfmt", "code", "state"} {
						value(name, form.Get(name))
					}
				}
				for _, hd := range append(append([]har.NameValue{}, e.Request.Headers...), e.Response.Headers...) {
					switch strings.ToLower(hd.Name) {
					case "cookie":
						for _, c := range strings.Split(hd.Value, ";") {
							_, v, _ := strings.Cut(c, "=")
							value("cookie", strings.TrimSpace(v))
						}
					case "set-cookie":
						for _, line := range strings.Split(hd.Value, "\n") {
							first, _, _ := strings.Cut(line, ";")
							_, v, _ := strings.Cut(first, "=")
							value("cookie", v)
						}
					}
				}
			}
			if cookies == 0 {
				t.Fatalf("%s holds no cookie: the leak test would prove nothing", file)
			}
			har.Redact(h, har.RedactOptions{})
			var red bytes.Buffer
			mustDo(t, har.Write(&red, h))
			red.WriteString(strings.Join(samlMessages(h), "\n"))
			for s, kind := range secrets {
				for _, form := range []string{s, url.QueryEscape(s)} {
					if i := bytes.Index(red.Bytes(), []byte(form)); i >= 0 {
						lo, hi := max(0, i-80), min(red.Len(), i+len(form)+40)
						t.Errorf("a %s survives redaction: …%s…", kind, red.Bytes()[lo:hi])
						break
					}
				}
			}
		})
	}
}

// samlMessages decodes every SAMLRequest and SAMLResponse a HAR carries,
// in URLs (base64 of DEFLATE, the Redirect binding) and in posted forms
// (base64, the POST binding).
func samlMessages(h *har.HAR) []string {
	var out []string
	decode := func(v string, inflate bool) {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return
		}
		if inflate {
			if b, err = io.ReadAll(flate.NewReader(bytes.NewReader(b))); err != nil {
				return
			}
		}
		out = append(out, string(b))
	}
	for _, e := range h.Log.Entries {
		for _, q := range e.Request.QueryString {
			if q.Name == "SAMLRequest" || q.Name == "SAMLResponse" {
				decode(q.Value, true)
			}
		}
		if u, err := url.Parse(e.Request.URL); err == nil {
			for _, name := range []string{"SAMLRequest", "SAMLResponse"} {
				if v := u.Query().Get(name); v != "" {
					decode(v, true)
				}
			}
		}
		if pd := e.Request.PostData; pd != nil {
			form, _ := url.ParseQuery(pd.Text)
			for _, p := range pd.Params {
				if v, err := url.QueryUnescape(p.Value); err == nil {
					form.Add(p.Name, v)
				}
			}
			for _, name := range []string{"SAMLRequest", "SAMLResponse"} {
				for _, v := range form[name] {
					decode(v, false)
				}
			}
		}
	}
	return out
}
