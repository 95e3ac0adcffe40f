package lab

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ssowiz/ssowiz/internal/chromiumtest"
	"github.com/ssowiz/ssowiz/sp"
)

// screenshotDir is where the real-browser tests keep their screenshots:
// $SSOWIZ_SCREENSHOTS when set (to look at them), else the test's
// temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SSOWIZ_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestRealBrowserSignsInAndLandsOnTheSP drives headless Chromium through
// the pages a person uses, in Entra's order: RudderStack's SSO form,
// Entra's "Sign in" (an email box, no directory listing), "Enter
// password", "Stay signed in?" (Yes), the auto-posted response, and the
// SP's home page. A second sign-in in the same browser after the session
// is gone offers the account it used. Each screen is photographed.
func TestRealBrowserSignsInAndLandsOnTheSP(t *testing.T) {
	l := startLab(t, Options{DemoUsersHint: true})
	u := demoUser(t, l, "AdeleV")
	b := chromiumtest.Start(t, chromiumtest.Options{})
	shots := screenshotDir(t)
	shoot := func(name string) {
		t.Helper()
		if err := b.Screenshot(filepath.Join(shots, name+".png")); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b.Context(), chromedp.Text(chromedp.CSS(sel)))
		must(err)
		return s
	}

	must(b.Navigate(l.Info().SPLoginURL))
	must(b.Fill("#email", u.UPN))
	must(b.ClickAndWait("#sso-form button[type=submit]"))
	// Entra's Sign in: the email box; the demo box is marked as the mock's.
	if h := text("h1"); h != "Sign in" {
		t.Fatalf("Entra's first screen is %q, want Sign in", h)
	}
	if note := text("#demoUsers"); !strings.Contains(note, "Not part of Entra") {
		t.Fatalf("the demo users box is not marked as the mock's: %q", note)
	}
	shoot("1-entra-sign-in")
	must(b.Fill("#i0116", u.UPN))
	must(b.ClickAndWait("#idSIButton9"))
	if h := text("h1"); h != "Enter password" {
		t.Fatalf("after the email: %q, want Enter password", h)
	}
	shoot("2-entra-enter-password")
	must(b.Fill("#i0118", u.Password))
	must(b.ClickAndWait("#idSIButton9"))
	if h := text("h1"); h != "Stay signed in?" {
		t.Fatalf("after the password: %q, want Stay signed in?", h)
	}
	shoot("3-entra-stay-signed-in")
	must(b.ClickAndWait("#idSIButton9")) // Yes
	if err := b.Run("wait for the SP's home page", chromedp.WaitVisible(chromedp.ID("me"))); err != nil {
		t.Fatal(err)
	}
	shoot("4-rudderstack-landing")
	landing, err := b.Eval("location.href")
	must(err)
	if landing != l.Info().SPBaseURL+"/" {
		t.Fatalf("landed on %s, want the SP's home page", landing)
	}
	home := text("body")
	if !strings.Contains(home, u.DisplayName) || !strings.Contains(home, u.UPN) {
		t.Fatalf("the home page doesn't show %s (%s):\n%s", u.DisplayName, u.UPN, home)
	}
	must(b.Navigate(l.Info().SPBaseURL + sp.MePath))
	var me sp.Me
	if err := json.Unmarshal([]byte(text("body")), &me); err != nil {
		t.Fatalf("/api/me: %v", err)
	}
	if !strings.EqualFold(me.Username, u.UPN) || me.Source != "jit" || me.Status != "active" {
		t.Fatalf("/api/me = %+v", me)
	}
	// "Yes" made Entra's session cookie outlive the browser session.
	c, err := b.Cookie("ESTSAUTH", l.Info().IDPBaseURL+"/")
	must(err)
	if c == nil || c.Session {
		t.Fatalf("after Stay signed in? Yes, Entra's session cookie is %+v, want a persistent one", c)
	}
}

// TestRealBrowserPicksTheAccountItUsed: with the tenant's "Show option to
// remain signed in" off there is no Stay signed in? page; after Entra's
// session is gone, the next sign-in in that browser offers the account it
// used, and only it, as "Pick an account".
func TestRealBrowserPicksTheAccountItUsed(t *testing.T) {
	l := startLab(t, Options{HideStaySignedIn: true})
	u := demoUser(t, l, "AdeleV")
	b := chromiumtest.Start(t, chromiumtest.Options{})
	signIn := func() []string {
		t.Helper()
		if err := b.Navigate(l.Info().SPLoginURL); err != nil {
			t.Fatal(err)
		}
		if err := b.Fill("#email", u.UPN); err != nil {
			t.Fatal(err)
		}
		if err := b.ClickAndWait("#sso-form button[type=submit]"); err != nil {
			t.Fatal(err)
		}
		end, screens, err := b.EntraSignIn(u.UPN, u.Password, false)
		if err != nil || end != chromiumtest.EndHome {
			t.Fatalf("sign-in ended on %s (%v): %v", end, screens, err)
		}
		return screens
	}
	if got := strings.Join(signIn(), ","); got != "email,password,home" {
		t.Fatalf("first sign-in screens %s, want email, password, home (no Stay signed in? when the tenant hides it)", got)
	}
	if err := b.DeleteCookie("ESTSAUTH", l.Info().IDPBaseURL+"/"); err != nil {
		t.Fatal(err)
	}
	if err := b.Navigate(l.Info().SPLoginURL); err != nil {
		t.Fatal(err)
	}
	if err := b.Fill("#email", u.UPN); err != nil {
		t.Fatal(err)
	}
	if err := b.ClickAndWait("#sso-form button[type=submit]"); err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(b.Context(), chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "Pick an account") || !strings.Contains(page, u.UPN) {
		t.Fatalf("the second sign-in does not offer the account used:\n%s", page)
	}
	for _, other := range l.Info().Users {
		if other.UPN != u.UPN && strings.Contains(page, other.UPN) {
			t.Errorf("the picker offers %s, whom this browser never used", other.UPN)
		}
	}
	if err := b.Screenshot(filepath.Join(screenshotDir(t), "5-entra-pick-an-account.png")); err != nil {
		t.Fatal(err)
	}
}

// TestRealBrowserSingleLogout: with the user pool's sign-out flow on
// (serve --single-logout), the landing page's Sign out in headless
// Chromium ends the app session, the user pool sends its own signed
// LogoutRequest to Entra, and Entra ends its session and answers by
// HTTP-Redirect, as it does; Cognito's /saml2/logout takes the answer by
// POST only, so the browser stops on Cognito's page, which says why. The
// next sign-in asks for the password again. Without the sign-out flow,
// Sign out never reaches Entra and the signed-out page says its session
// is still active. With the flow on but no Logout Url at Entra, Entra
// signs out and the browser stays on Entra's own signed-out page.
func TestRealBrowserSingleLogout(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		slo, noLogoutURL         bool
		screenshot               string
		wantEntraSignedOut       bool
		wantPage, wantPageMarker string
	}{
		{"sign-out flow on", true, false, "6-cognito-logout-response-by-redirect.png", true, "cognito:logout_response_by_redirect", "#error-code"},
		{"off, as RudderStack runs", false, false, "7-rudderstack-signed-out-entra-still-signed-in.png", false, "entra-still-signed-in", "#signed-out"},
		{"on, no Logout Url at Entra", true, true, "8-entra-signed-out-no-logout-url.png", true, "entra", "#signedOutHeading"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			l := startLab(t, Options{HideStaySignedIn: true, SingleLogout: tc.slo})
			info := l.Info()
			if tc.noLogoutURL {
				app, err := l.Directory.App(ctx, info.AppID)
				if err != nil {
					t.Fatal(err)
				}
				cfg := app.SAML
				cfg.LogoutURL = ""
				if _, err := l.Directory.UpdateSAMLConfig(ctx, info.AppID, cfg); err != nil {
					t.Fatal(err)
				}
			}
			u := demoUser(t, l, "AdeleV")
			b := chromiumtest.Start(t, chromiumtest.Options{})
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(b.Navigate(info.SPLoginURL))
			must(b.Fill("#email", u.UPN))
			must(b.ClickAndWait("#sso-form button[type=submit]"))
			if end, screens, err := b.EntraSignIn(u.UPN, u.Password, false); err != nil || end != chromiumtest.EndHome {
				t.Fatalf("sign-in ended on %s (%v): %v", end, screens, err)
			}
			must(b.ClickAndWait("#sign-out"))
			must(b.Run("wait for the signed-out page", chromedp.WaitVisible(chromedp.CSS(tc.wantPageMarker))))
			page, err := b.Eval(`document.querySelector('#entra-session') ? document.querySelector('#entra-session').className :
				document.querySelector('#signedOutHeading') ? 'entra' :
				document.querySelector('#error-code') ? 'cognito:' + document.querySelector('#error-code').textContent : location.href`)
			must(err)
			c, err := b.Cookie("ESTSAUTH", info.IDPBaseURL+"/")
			must(err)
			h, err := b.HAR(chromiumtest.DevTools)
			must(err)
			reachedEntra := false
			for _, e := range h.Log.Entries {
				if strings.HasPrefix(e.Request.URL, info.IDPSSOURL+"?") && strings.Contains(e.Request.URL, "SAMLRequest=") &&
					strings.Contains(e.Request.URL, "Signature=") {
					reachedEntra = true
				}
			}
			must(b.Screenshot(filepath.Join(screenshotDir(t), tc.screenshot)))
			if page != tc.wantPage || reachedEntra != tc.slo || (c == nil) != tc.wantEntraSignedOut {
				t.Fatalf("Sign out ended on %q, signed LogoutRequest sent %v, Entra session ended %v; want %q, %v, %v",
					page, reachedEntra, c == nil, tc.wantPage, tc.slo, tc.wantEntraSignedOut)
			}
			if !tc.wantEntraSignedOut {
				return
			}
			must(b.Navigate(info.SPLoginURL))
			must(b.Fill("#email", u.UPN))
			must(b.ClickAndWait("#sso-form button[type=submit]"))
			end, screens, err := b.EntraSignIn(u.UPN, u.Password, false)
			if err != nil || end != chromiumtest.EndHome || len(screens) < 2 || screens[len(screens)-2] != "password" {
				t.Fatalf("the sign-in after sign-out went %v to %s (%v); want the password asked again", screens, end, err)
			}
		})
	}
}
