package lab

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssowiz/ssowiz/sp"
)

// chromiumPath finds Debian's Chromium. CI installs it and sets
// SSOWIZ_REQUIRE_CHROMIUM=1, so there a missing browser fails the test
// instead of skipping it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SSOWIZ_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("Chromium is required (SSOWIZ_REQUIRE_CHROMIUM=1) but not installed: apt-get install chromium")
	}
	t.Skip("Chromium is not installed (apt-get install chromium); skipping the real-browser test")
	return ""
}

// TestRealBrowserSignsInAndLandsOnTheSP drives headless Chromium through
// the pages a person uses: RudderStack's SSO form, Entra's account picker
// and password page, the auto-posted response, and the SP's home page.
func TestRealBrowserSignsInAndLandsOnTheSP(t *testing.T) {
	if testing.Short() {
		t.Skip("real-browser test skipped in -short mode")
	}
	exe := chromiumPath(t)
	l := startLab(t, Options{})
	u := demoUser(t, l, "AdeleV")

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	fail := func(step string, err error) {
		t.Helper()
		shot, _ := chromedp.Run(ctx, chromedp.FullScreenshot(80))
		path := filepath.Join(t.TempDir(), "failure.jpg")
		_ = os.WriteFile(path, shot, 0o600)
		t.Fatalf("real-browser sign-in: %s: %v (screenshot: %s)", step, err, path)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(l.Info().SPLoginURL),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), u.UPN),
		chromedp.Click(chromedp.CSS("#sso-form button[type=submit]")),
		// Entra's account picker: Adele's tile.
		chromedp.WaitVisible(chromedp.ID("pickerHeading")),
		chromedp.Click(chromedp.CSS(`button[data-test-id="`+u.UPN+`"]`)),
		chromedp.WaitVisible(chromedp.ID("i0118")),
		chromedp.SendKeys(chromedp.ID("i0118"), u.Password),
		chromedp.Click(chromedp.CSS("#passwordForm #idSIButton9")),
	); err != nil {
		fail("sign in", err)
	}
	// The response page posts itself to the ACS; the SP lands on /.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("me"))); err != nil {
		fail("wait for the SP's home page", err)
	}
	landing, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		fail("read the location", err)
	}
	home, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		fail("read the home page", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(l.Info().SPBaseURL+sp.MePath)); err != nil {
		fail("open /api/me", err)
	}
	meJSON, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		fail("read /api/me", err)
	}
	if landing != l.Info().SPBaseURL+"/" {
		t.Fatalf("landed on %s, want the SP's home page", landing)
	}
	if !strings.Contains(home, u.DisplayName) || !strings.Contains(home, u.UPN) {
		t.Fatalf("the home page doesn't show %s (%s):\n%s", u.DisplayName, u.UPN, home)
	}
	var me sp.Me
	if err := json.Unmarshal([]byte(meJSON), &me); err != nil {
		t.Fatalf("/api/me: %v: %s", err, meJSON)
	}
	if !strings.EqualFold(me.Username, u.UPN) || me.Source != "jit" || me.Status != "active" {
		t.Fatalf("/api/me = %+v", me)
	}
}
