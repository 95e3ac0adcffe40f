package mockidp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// BenchmarkIssueResponse is the IdP's share of a sign-in: build the
// Response, sign the assertion (Entra's default), serialize. Compare it
// with BenchmarkRSA2048Sign: the budget for a whole sign-in (both mocks,
// HTTP) is about 3.3 signatures.
func BenchmarkIssueResponse(b *testing.B) {
	h := newHarness(&testing.T{})
	defer h.ts.Close()
	ctx := context.Background()
	app, _ := h.dir.App(ctx, h.appID())
	u, _ := h.dir.User(ctx, h.user("AdeleV").ObjectID)
	is := issue{tenant: h.demo.Tenant, app: app, user: u, acs: replyURL, inResponseTo: "_dd0a3436-bc64-4679-a0c2-cb4454f04184", audience: entityID, authnInstant: t0}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.srv.issueResponse(ctx, is); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRSA2048Sign is one RSA-2048 PKCS #1 v1.5 SHA-256 signature,
// the unit the sign-in budget is counted in.
func BenchmarkRSA2048Sign(b *testing.B) {
	key := testKey()
	digest := sha256.Sum256([]byte("signed info"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSAMLRequestWithSession is the IdP's whole HTTP round trip for
// an AuthnRequest when the session cookie skips the sign-in: decode and
// check the request, look up app, user and assignment, issue and post.
func BenchmarkSAMLRequestWithSession(b *testing.B) {
	t := &testing.T{}
	h := newHarness(t)
	defer h.ts.Close()
	q := h.defaultRequest()
	h.signIn(q, "AdeleV")
	u := h.redirectURL(q)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := h.client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}

// BenchmarkSignInWithPassword is the IdP's side of a full sign-in without
// a session: the AuthnRequest (account picker page), then one post of
// loginfmt, passwd and ctx that ends in the response page.
func BenchmarkSignInWithPassword(b *testing.B) {
	h := newHarness(&testing.T{})
	defer h.ts.Close()
	adele := h.user("AdeleV")
	u := h.redirectURL(h.defaultRequest())
	login := h.ts.URL + "/" + h.tenantID() + "/login"
	ctxRE := regexp.MustCompile(`name="ctx" value="([^"]+)"`)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := ctxRE.FindSubmatch(body)
		if m == nil {
			b.Fatalf("no ctx in %s", body)
		}
		resp, err = client.PostForm(login, url.Values{"ctx": {string(m[1])}, "loginfmt": {adele.UPN}, "passwd": {adele.Password}})
		if err != nil {
			b.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(body, []byte(`name="SAMLResponse"`)) {
			b.Fatalf("no response form: %s", body)
		}
	}
}
