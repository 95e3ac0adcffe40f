package sp_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/ssowiz/ssowiz/sp"
	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/cognito"
	"github.com/ssowiz/ssowiz/sp/internal/errpage"
	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

// expectRefused checks that a sign-in ended on an error page with the
// message, from the expected part of the SP, and that it made no session
// and no user (beyond the usersBefore and sessionsBefore that existed).
func (h *harness) expectRefused(b *samltest.Browser, page *samltest.Page, source, message string, usersBefore, sessionsBefore int) {
	h.t.Helper()
	p, ok := sp.ReadErrorPage(page.Body)
	if !ok {
		h.t.Fatalf("ended on %s (%d) without an error page: %s", page.URL, page.Status, page.Body)
	}
	if p.Message != message {
		h.t.Errorf("message = %q\nwant      %q", p.Message, message)
	}
	if p.Source != source {
		h.t.Errorf("page from %q (%s), want %q", p.Source, page.URL, source)
	}
	if source == errpage.SourceApp && p.Code == "server_error" && page.URL.Path != "/sso/callback" {
		h.t.Errorf("server_error shown at %s, want the app's callback", page.URL)
	}
	if p.Hint == "" {
		h.t.Error("the page gives no hint")
	}
	if page.Status < 400 {
		h.t.Errorf("status %d, want an error status", page.Status)
	}
	if n := h.sessionCount(); n != sessionsBefore {
		h.t.Errorf("%d sessions, want %d", n, sessionsBefore)
	}
	if n := h.userCount(); n != usersBefore {
		h.t.Errorf("%d users, want %d", n, usersBefore)
	}
	if _, status := getMe(h.t, b); status != http.StatusUnauthorized {
		h.t.Errorf("/api/me = %d after a refused sign-in, want 401", status)
	}
}

func withResponse(fields url.Values, doc []byte) url.Values {
	out := url.Values{"SAMLResponse": {samltest.Encode(doc)}}
	if rs, ok := fields["RelayState"]; ok {
		out["RelayState"] = rs
	}
	return out
}

func parseDoc(t *testing.T, doc []byte) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		t.Fatal(err)
	}
	return d.Root()
}

func writeDoc(t *testing.T, root *etree.Element) []byte {
	t.Helper()
	d := etree.NewDocument()
	d.SetRoot(root)
	b, err := d.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signedAssertion returns the signed Assertion element of a response.
func signedAssertion(t *testing.T, doc []byte) *etree.Element {
	t.Helper()
	a := parseDoc(t, doc).SelectElement("Assertion")
	if a == nil || a.SelectElement("Signature") == nil {
		t.Fatal("no signed assertion")
	}
	return a
}

func TestACSRejections(t *testing.T) {
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	const (
		page   = errpage.SourceCognito
		app    = errpage.SourceApp
		noMail = "no-mail@contoso.com"
	)
	tests := []struct {
		name    string
		setup   func(h *harness)
		post    func(t *testing.T, h *harness, req *saml.AuthnRequest, fields url.Values) url.Values
		source  string
		message string
		users   int
	}{
		{
			name: "unsigned response",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.SignAssertion = false }))
			},
			source: app, message: cognito.MsgAssertionSignatureInvalid,
		},
		{
			name: "NameID changed after signing",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				doc := h.response(req, nil)
				changed := bytes.Replace(doc, []byte(">alice@contoso.com</NameID>"), []byte(">mallory@contoso.com</NameID>"), 1)
				if bytes.Equal(changed, doc) {
					t.Fatal("NameID not found")
				}
				return withResponse(f, changed)
			},
			source: app, message: cognito.MsgAssertionSignatureInvalid,
		},
		{
			name: "XSW: unsigned assertion before the signed one",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				root := parseDoc(t, h.response(req, nil))
				orig := root.SelectElement("Assertion")
				evil := orig.Copy()
				evil.RemoveChild(evil.SelectElement("Signature"))
				evil.CreateAttr("ID", "_evil")
				evil.FindElement("./Subject/NameID").SetText("mallory@contoso.com")
				root.InsertChildAt(orig.Index(), evil)
				return withResponse(f, writeDoc(t, root))
			},
			source: app, message: cognito.MsgOneAssertion,
		},
		{
			name: "XSW: signed assertion wrapped inside an unsigned one",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				root := parseDoc(t, h.response(req, nil))
				orig := root.SelectElement("Assertion")
				evil := orig.Copy()
				evil.CreateAttr("ID", "_evil")
				evil.FindElement("./Subject/NameID").SetText("mallory@contoso.com")
				// The original signature stays on the evil assertion, and
				// the original assertion hides in its Object.
				sig := evil.SelectElement("Signature")
				obj := sig.CreateElement("Object")
				obj.AddChild(orig.Copy())
				root.RemoveChild(orig)
				root.AddChild(evil)
				return withResponse(f, writeDoc(t, root))
			},
			source: app, message: cognito.MsgAssertionSignatureInvalid,
		},
		{
			name: "expired",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.IssueInstant = t0.Add(-2 * time.Hour) }))
			},
			source: app, message: cognito.MsgExpired,
		},
		{
			name: "not yet valid",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.IssueInstant = t0.Add(time.Hour) }))
			},
			source: app, message: cognito.MsgNotYetValid,
		},
		{
			name: "wrong Audience",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.Audience = "urn:amazon:cognito:sp:us-east-1_WRONGPOOL" }))
			},
			source: app, message: cognito.MsgAudience,
		},
		{
			name: "wrong Recipient",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.Recipient = acsURL + "/" }))
			},
			source: app, message: cognito.MsgRecipient,
		},
		{
			name: "wrong Destination",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) {
					r.Destination = "https://auth2.rudderstack.com/saml2/idpresponse"
				}))
			},
			source: app, message: cognito.MsgRecipient,
		},
		{
			name: "wrong Issuer",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) {
					r.Issuer = "https://sts.windows.net/ffffffff-0000-0000-0000-000000000000/"
				}))
			},
			source: app, message: cognito.MsgIssuer,
		},
		{
			name: "error status",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) {
					r.Status = "urn:oasis:names:tc:SAML:2.0:status:Requester"
				}))
			},
			source: app, message: cognito.MsgStatus("urn:oasis:names:tc:SAML:2.0:status:Requester"),
		},
		{
			name: "answers another request",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.InResponseTo = "_other-request" }))
			},
			source: app, message: cognito.MsgInResponseTo,
		},
		{
			name: "unsolicited response with this sign-in's RelayState",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.InResponseTo = "" }))
			},
			source: app, message: cognito.MsgInResponseTo,
		},
		{
			name: "unsolicited (IdP-initiated) response",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				doc := h.response(req, func(r *samltest.Response) { r.InResponseTo = "" })
				return url.Values{"SAMLResponse": {samltest.Encode(doc)}, "RelayState": {""}}
			},
			source: page, message: cognito.MsgUnsolicited,
		},
		{
			name: "no RelayState",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return url.Values{"SAMLResponse": {samltest.Encode(h.response(req, nil))}}
			},
			source: page, message: cognito.MsgRelayStateMissing,
		},
		{
			name: "signed by another key",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.Key = keys[1] }))
			},
			source: app, message: cognito.MsgAssertionSignatureInvalid,
		},
		{
			name: "response signed by another key",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) {
					r.Key, r.SignAssertion, r.SignResponse = keys[1], false, true
				}))
			},
			source: app, message: cognito.MsgResponseSignatureInvalid,
		},
		{
			name: "two assertions",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				root := parseDoc(t, h.response(req, nil))
				root.AddChild(signedAssertion(t, h.response(req, nil)))
				return withResponse(f, writeDoc(t, root))
			},
			source: app, message: cognito.MsgOneAssertion,
		},
		{
			name: "two assertions in a signed response",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				root := parseDoc(t, h.response(req, nil))
				root.AddChild(signedAssertion(t, h.response(req, nil)))
				signed, err := samltest.Sign(keys[0], root)
				if err != nil {
					t.Fatal(err)
				}
				return withResponse(f, writeDoc(t, signed))
			},
			source: app, message: cognito.MsgOneAssertion,
		},
		{
			name: "missing Email",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) {
					r.NameID = noMail
					r.Attrs = []samltest.Attr{{Name: "LastName", Values: []string{"No Mail"}}}
				}))
			},
			source: app, message: cognito.MsgAttributeRequired("email"),
		},
		{
			name: "Email claim under its URI name",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) {
					r.Attrs = []samltest.Attr{{Name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", Values: []string{"alice@contoso.com"}}}
				}))
			},
			source: app, message: cognito.MsgAttributeRequired("email"),
		},
		{
			name: "Email no longer sent for an existing user",
			setup: func(h *harness) {
				mustCreateUser(h, accounts.User{UserName: "alice@contoso.com", Email: "alice@contoso.com", Active: true})
			},
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, func(r *samltest.Response) { r.Attrs = nil }))
			},
			source: app, message: cognito.MsgAttributeCannotBeDeleted("email"), users: 1,
		},
		{
			name: "deactivated user",
			setup: func(h *harness) {
				mustCreateUser(h, accounts.User{UserName: "alice@contoso.com", Email: "alice@contoso.com", Active: false})
			},
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, nil))
			},
			source: app, message: "Your access to Contoso has been removed (alice@contoso.com is deactivated).", users: 1,
		},
		{
			name: "sign-in slower than five minutes",
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				h.clock.Advance(cognito.PendingTTL + time.Second)
				return withResponse(f, h.response(req, nil))
			},
			source: page, message: cognito.MsgSomethingWentWrong,
		},
		{
			name: "plain assertion when encrypted responses are required",
			setup: func(h *harness) {
				if _, err := h.accounts.UpdateOrg(context.Background(), h.org.ID, func(o *accounts.Org) error {
					o.SSO.EncryptedResponses = true
					return nil
				}); err != nil {
					h.t.Fatal(err)
				}
			},
			post: func(t *testing.T, h *harness, req *saml.AuthnRequest, f url.Values) url.Values {
				return withResponse(f, h.response(req, nil))
			},
			source: app, message: cognito.MsgEncryptedAssertionRequired,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			if tc.setup != nil {
				tc.setup(h)
			}
			b := h.browser()
			fields, req := h.begin(b)
			page := h.post(b, tc.post(t, h, req, fields))
			h.expectRefused(b, page, tc.source, tc.message, tc.users, 0)
		})
	}
}

func mustCreateUser(h *harness, u accounts.User) {
	h.t.Helper()
	u.OrgID, u.Role, u.Source = h.org.ID, accounts.RoleMember, accounts.SourceSCIM
	if _, err := h.accounts.CreateUser(context.Background(), u); err != nil {
		h.t.Fatal(err)
	}
}

func TestACSGetShowsCognitoPage(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := h.browser()
	page, err := b.Get(acsURL)
	if err != nil {
		t.Fatal(err)
	}
	if page.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET %s = %d, want 405", acsURL, page.Status)
	}
	if msg, ok := sp.ParseErrorPage(page.Body); !ok || msg != cognito.MsgPageError {
		t.Errorf("GET on the ACS shows %q (ok %v), want %q", msg, ok, cognito.MsgPageError)
	}
}

func TestACSAcceptsEntraSigningOptions(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		signAssertion, signResp bool
		encrypted               bool
	}{
		{"assertion signed (Entra's default)", true, false, false},
		{"response signed", false, true, false},
		{"both signed", true, true, false},
		{"assertion signed and encrypted", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{sso: func(c *accounts.SSOConfig) { c.EncryptedResponses = tc.encrypted }})
			b := h.browser()
			fields, req := h.begin(b)
			doc := h.response(req, func(r *samltest.Response) {
				r.SignAssertion, r.SignResponse = tc.signAssertion, tc.signResp
				if tc.encrypted {
					cert, err := h.srv.Pool().EncryptionCertificate(context.Background(), h.org.ID)
					if err != nil {
						t.Fatal(err)
					}
					r.EncryptTo = cert
				}
			})
			page := h.post(b, withResponse(fields, doc))
			if page.URL.String() != appURL+"/" {
				msg, _ := sp.ParseErrorPage(page.Body)
				t.Fatalf("ended at %s: %q", page.URL, msg)
			}
			if me, _ := getMe(t, b); me.Username != "alice@contoso.com" {
				t.Errorf("signed in as %q", me.Username)
			}
		})
	}
}

func TestReplayIsRejected(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	b := h.browser()
	fields, _ := h.begin(b)
	if page := h.post(b, fields); page.URL.String() != appURL+"/" {
		t.Fatalf("first post ended at %s: %s", page.URL, page.Body)
	}
	// The same browser posts the captured response and RelayState again
	// (from another browser it would not get as far: see
	// TestResponseFromAnotherBrowserLeavesTheAssertionUnspent).
	h.clock.Advance(10 * time.Second)
	page := h.post(b, fields)
	p, _ := sp.ReadErrorPage(page.Body)
	if p.Message != cognito.MsgReplayed {
		t.Errorf("replay: %q, want %q", p.Message, cognito.MsgReplayed)
	}
	if n := h.sessionCount(); n != 1 {
		t.Errorf("%d sessions after the replay, want the first one only", n)
	}
	if n := h.userCount(); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}

func TestReplayIsRejectedAfterRestart(t *testing.T) {
	h := newHarness(t, harnessOptions{dir: t.TempDir()})
	b := h.browser()
	fields, _ := h.begin(b)
	if page := h.post(b, fields); page.URL.String() != appURL+"/" {
		t.Fatalf("first post ended at %s: %s", page.URL, page.Body)
	}
	h.restart()
	h.clock.Advance(10 * time.Second)
	page := h.post(b, fields)
	if msg, _ := sp.ParseErrorPage(page.Body); msg != cognito.MsgReplayed {
		t.Errorf("replay after restart: %q, want %q", msg, cognito.MsgReplayed)
	}
	// The first session survived the restart; the replay added none.
	if n := h.sessionCount(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	if me, status := getMe(t, b); status != http.StatusOK || me.Username != "alice@contoso.com" {
		t.Errorf("first browser after restart: %d %+v", status, me)
	}
}

// A response posted from a browser that did not start the sign-in is
// refused before its assertion is read, so the browser that did start it
// still signs in with the same response, after a restart too.
func TestResponseFromAnotherBrowserLeavesTheAssertionUnspent(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(map[bool]string{false: "running", true: "after a restart"}[restart], func(t *testing.T) {
			h := newHarness(t, harnessOptions{dir: t.TempDir()})
			owner := h.browser()
			fields, _ := h.begin(owner)
			if restart {
				h.restart()
			}
			// Another cookie jar (an attacker holding the captured form, or
			// the user's other browser) posts it first.
			page := h.post(h.browser(), fields)
			p, _ := sp.ReadErrorPage(page.Body)
			if page.Status != http.StatusBadRequest || p.Code != "other_browser" || p.Message != cognito.MsgUnsolicited {
				t.Fatalf("other browser: status %d, %+v", page.Status, p)
			}
			if !strings.Contains(p.Hint, "was not used") || !strings.Contains(p.Hint, cognito.BrowserCookie) {
				t.Errorf("hint %q should say the response was not used and name the cookie", p.Hint)
			}
			if n := h.sessionCount(); n != 0 {
				t.Fatalf("%d sessions after the other browser's post", n)
			}
			// A forged cookie of the right shape is no better than none.
			forger := h.browser()
			acs, _ := url.Parse(h.acsURL)
			forger.Client.Jar.SetCookies(acs, []*http.Cookie{{Name: cognito.BrowserCookie, Value: strings.Repeat("A", 43)}})
			if page := h.post(forger, fields); page.Status != http.StatusBadRequest {
				t.Fatalf("forged cookie: status %d", page.Status)
			}
			// The owner's post still works: the assertion was not spent.
			if page := h.post(owner, fields); page.URL.String() != appURL+"/" {
				t.Fatalf("owner's post ended at %s: %s", page.URL, page.Body)
			}
			if me, _ := getMe(t, owner); me.Username != "alice@contoso.com" {
				t.Errorf("owner signed in as %q", me.Username)
			}
		})
	}
}
