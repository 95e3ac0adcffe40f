// Package chromiumtest runs Debian's headless Chromium for tests, the way
// a person's browser meets the mocks, and records what it did as a HAR in
// the shapes real tools write: Chromium DevTools' "Export HAR" and
// Playwright's recordHar. The HARs are built from the DevTools protocol's
// network events, the same events both tools read.
package chromiumtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Path finds Chromium. CI installs it and sets SSOWIZ_REQUIRE_CHROMIUM=1,
// so there a missing browser fails the test instead of skipping it.
func Path(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SSOWIZ_REQUIRE_CHROMIUM") == "1" {
		tb.Fatal("Chromium is required (SSOWIZ_REQUIRE_CHROMIUM=1) but not installed: apt-get install chromium")
	}
	tb.Skip("Chromium is not installed (apt-get install chromium); skipping the real-browser test")
	return ""
}

// Options configures Start.
type Options struct {
	// HostRules maps host names to loopback addresses ("host" →
	// "127.0.0.1:port"), like a hosts file, so the browser reaches the
	// mocks under the production names.
	HostRules map[string]string
	// IgnoreCertErrors trusts any certificate (the mocks' local CA).
	IgnoreCertErrors bool
	// Timeout bounds the whole session; default 60 s.
	Timeout time.Duration
}

// Browser is one headless Chromium with a fresh profile, recording its
// network traffic from the start.
type Browser struct {
	tb  testing.TB
	ctx context.Context
	rec *recorder
}

// Start launches Chromium (skipping the test when it is missing, and in
// -short mode) and enables network recording. It is closed when the test
// ends.
func Start(tb testing.TB, opts Options) *Browser {
	tb.Helper()
	if testing.Short() {
		tb.Skip("real-browser test skipped in -short mode")
	}
	exe := Path(tb)
	flags := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1000, 800),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	}
	if len(opts.HostRules) > 0 {
		rules := ""
		for host, addr := range opts.HostRules {
			if rules != "" {
				rules += ","
			}
			rules += "MAP " + host + " " + addr
		}
		flags = append(flags, chromedp.Flag("host-resolver-rules", rules+",EXCLUDE localhost"))
	}
	if opts.IgnoreCertErrors {
		flags = append(flags, chromedp.Flag("ignore-certificate-errors", true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	rec := newRecorder()
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(rec.event))
	rec.ctx = ctx
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	tb.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	b := &Browser{tb: tb, ctx: ctx, rec: rec}
	// Bodies are kept in the browser, across the cross-site navigations
	// of a sign-in, until the HAR is written, as DevTools keeps them with
	// "Preserve log" on.
	buffer, postData, durable := int64(200<<20), int64(1<<20), true
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{
		MaxTotalBufferSize: &buffer, MaxPostDataSize: &postData, EnableDurableMessages: &durable,
	}); err != nil {
		tb.Fatalf("start Chromium: %v", err)
	}
	if v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{}); err == nil {
		rec.product = v.Product
	}
	return b
}

// Context is the browser tab's context, for chromedp actions.
func (b *Browser) Context() context.Context { return b.ctx }

// Run runs chromedp actions in the tab; on failure it saves a screenshot
// and says where.
func (b *Browser) Run(step string, actions ...chromedp.Action[chromedp.Void]) error {
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		path := filepath.Join(b.tb.TempDir(), "failure.png")
		if shot, serr := b.screenshot(); serr == nil {
			_ = os.WriteFile(path, shot, 0o600)
		}
		return fmt.Errorf("%s: %w (screenshot: %s)", step, err, path)
	}
	return nil
}

func (b *Browser) screenshot() ([]byte, error) {
	// A fresh context: the tab's may be the one that timed out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.FullScreenshot(100))
}

// Screenshot saves the whole page as it looks now (PNG) at path.
func (b *Browser) Screenshot(path string) error {
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	return os.WriteFile(path, shot, 0o600)
}

// Navigate opens u and waits for the page to load.
func (b *Browser) Navigate(u string) error {
	return b.Run("open "+u, chromedp.Navigate(u))
}

// Eval evaluates a JavaScript expression that yields a string.
func (b *Browser) Eval(expr string) (string, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
}

// Fill types v into the field sel.
func (b *Browser) Fill(sel, v string) error {
	return b.Run("type into "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), v))
}

// ClickAndWait clicks sel and waits until the next document has loaded,
// however many redirects and auto-posted forms lead to it.
func (b *Browser) ClickAndWait(sel string) error {
	if _, err := b.Eval(`(window.__ssowizOld = "1")`); err != nil {
		return fmt.Errorf("mark the page: %w", err)
	}
	if err := b.Run("click "+sel, chromedp.Click(chromedp.CSS(sel))); err != nil {
		return err
	}
	return b.WaitNewPage()
}

// WaitNewPage waits until the page marked by ClickAndWait was replaced and
// the new one (after any auto-posted forms) is complete.
func (b *Browser) WaitNewPage() error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		st, err := b.Eval(`(window.__ssowizOld ? "old" : document.readyState) + (document.forms.length && document.forms[0].name === "hiddenform" ? "-autopost" : "")`)
		if err != nil {
			continue // between documents
		}
		if st == "complete" {
			return nil
		}
	}
	return fmt.Errorf("the next page did not load within 20 s")
}

func clearField(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](`(document.querySelector(`+strconv.Quote(sel)+`).value = "")`)(ctx, t)
		return err
	})
}

// Cookie returns the browser's cookie name for URL u; nil when it has
// none.
func (b *Browser) Cookie(name, u string) (*network.Cookie, error) {
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
	if err != nil {
		return nil, fmt.Errorf("read cookies: %w", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, nil
}

// DeleteCookie removes the browser's cookie name for URL u.
func (b *Browser) DeleteCookie(name, u string) error {
	if _, err := chromedp.Call(b.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: name, URL: u}); err != nil {
		return fmt.Errorf("delete cookie %s: %w", name, err)
	}
	return nil
}
