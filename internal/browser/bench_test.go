package browser

import (
	"context"
	"net/url"
	"testing"
)

// BenchmarkSignIn is the browser's share of a full SP-initiated sign-in over
// TLS: a fresh Browser (empty jar) each time, sharing one transport, with
// mock servers that sign nothing. The real sign-in adds the IdP's and SP's
// RSA work on top.
func BenchmarkSignIn(b *testing.B) {
	f := newFixture(b, true)
	ctx := context.Background()
	creds := url.Values{"loginfmt": {testUPN}, "passwd": {testPassword}}
	b.ReportAllocs()
	for b.Loop() {
		br := f.browser(b, Options{})
		page, err := br.Get(ctx, f.url("app.rudderstack.com", "/sso"))
		if err != nil {
			b.Fatal(err)
		}
		page, err = br.Submit(ctx, page.FormWithField("loginfmt"), creds)
		if err != nil || page.StatusCode != 200 {
			b.Fatalf("sign-in: %v", err)
		}
	}
}
