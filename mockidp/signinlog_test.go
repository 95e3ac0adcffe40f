package mockidp

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// signatureValue finds a signature value, whatever its namespace prefix.
var signatureValue = regexp.MustCompile(`(?s)<(?:\w+:)?SignatureValue>(.*?)</(?:\w+:)?SignatureValue>`)

// TestSignInLog: every attempt is logged with its app, user, IP, status
// and correlation ID; a success with the claims and the response issued.
func TestSignInLog(t *testing.T) {
	h := newHarness(t)
	q := h.defaultRequest()

	adele := h.user("AdeleV")
	ok := h.posted(h.signIn(q, "AdeleV"))

	h.newBrowser()
	denied := h.signIn(q, "AlexW")
	h.wantError(denied, "AADSTS50105")

	h.newBrowser()
	p := h.pickAccount(h.get(h.redirectURL(q)), adele.UPN)
	h.wantError(h.typePassword(p, "Wrong-Passw0rd"), "AADSTS50126")

	h.newBrowser()
	h.wantError(h.typeUsername(h.get(h.redirectURL(q)), "nobody@contoso.onmicrosoft.com"), "AADSTS50034")

	h.newBrowser()
	bad := q
	bad.ACS = replyURL + "/"
	h.wantError(h.get(h.redirectURL(bad)), "AADSTS50011")

	entries, err := h.signIns.SignIns(t.Context(), auditlog.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		for _, e := range entries {
			t.Logf("%s", auditlog.Event{SignIn: &e})
		}
		t.Fatalf("%d entries, want 5 (newest first)", len(entries))
	}
	// Newest first.
	want := []struct {
		code int
		upn  string
		app  bool
	}{
		{50011, "", true}, {50034, "nobody@contoso.onmicrosoft.com", true}, {50126, adele.UPN, true},
		{50105, h.user("AlexW").UPN, true}, {0, adele.UPN, true},
	}
	for i, w := range want {
		e := entries[i]
		if e.ErrorCode != w.code || !strings.EqualFold(e.UserPrincipalName, w.upn) || (e.AppID == h.appID()) != w.app ||
			e.AppDisplayName != "RudderStack" || e.IPAddress != "127.0.0.1" || e.CorrelationID == "" || e.ID == "" {
			t.Errorf("entry %d = %+v, want code %d user %q app RudderStack from 127.0.0.1", i, e, w.code, w.upn)
		}
		if w.code != 0 && (e.FailureReason == "" || e.SAMLResponse != "" || len(e.Claims) != 0) {
			t.Errorf("failure %d: reason %q, response kept %v, claims %v", w.code, e.FailureReason, e.SAMLResponse != "", e.Claims)
		}
	}
	success := entries[4]
	if success.UserDisplayName != "Adele Vance" || success.UserID != adele.ObjectID || success.ReplyURL != replyURL {
		t.Errorf("success entry: %+v", success)
	}
	// The log keeps what the response said, not a response that would
	// still sign someone in: every signature value is elided.
	if !strings.Contains(success.SAMLResponse, "Assertion") || !strings.Contains(success.SAMLResponse, signatureElided) {
		t.Errorf("the logged response lacks the assertion or the elided signature:\n%s", success.SAMLResponse)
	}
	for _, sv := range signatureValue.FindAllStringSubmatch(string(ok.xml), -1) {
		if strings.Contains(success.SAMLResponse, strings.TrimSpace(sv[1])) {
			t.Errorf("the sign-in log keeps the response's signature value %.20s...", strings.TrimSpace(sv[1]))
		}
	}
	if n := len(signatureValue.FindAllString(string(ok.xml), -1)); n == 0 {
		t.Fatalf("the issued response has no signature to elide:\n%s", ok.xml)
	}
	claims := map[string]string{}
	for _, c := range success.Claims {
		claims[c.Name] = c.Value
	}
	if claims["NameID"] != adele.UPN || claims["http://schemas.microsoft.com/identity/claims/tenantid"] != h.tenantID() {
		t.Errorf("claims = %v", success.Claims)
	}
	// The error page's correlation ID is the entry's, so a screenshot
	// finds its entry.
	if !strings.Contains(denied.body, entries[3].CorrelationID) {
		t.Errorf("the AADSTS50105 page does not show the entry's correlation ID %s", entries[3].CorrelationID)
	}
	if got := (auditlog.Event{SignIn: &success}).String(); got != "Adele Vance signed in to RudderStack" {
		t.Errorf("sentence = %q", got)
	}
	if got := (auditlog.Event{SignIn: &entries[3]}).String(); !strings.HasPrefix(got, "Entra refused Alex Wilber's sign-in to RudderStack: AADSTS50105 ") {
		t.Errorf("sentence = %q", got)
	}
}

// TestIssuedLogView: the log's view of an issued response, written from
// the tree the response was written from, is that response with only its
// signature values replaced, and its claims are the Name ID and every
// attribute value the response carries, in order — what reading the
// response back would give — for each signing option, with a group claim.
func TestIssuedLogView(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	if _, err := h.dir.UpdateGroupClaim(ctx, h.appID(), directory.GroupClaim{Groups: directory.GroupsAll}); err != nil {
		t.Fatal(err)
	}
	for _, option := range []directory.SigningOption{directory.SignAssertion, directory.SignResponse, directory.SignResponseAndAssertion} {
		t.Run(string(option), func(t *testing.T) {
			app, err := h.dir.UpdateSigning(ctx, h.appID(), option, directory.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			u, err := h.dir.User(ctx, h.user("IsaiahL").ObjectID) // in the RudderStack Users group
			if err != nil {
				t.Fatal(err)
			}
			got, err := h.srv.issueResponse(ctx, issue{tenant: h.demo.Tenant, app: app, user: u, acs: replyURL,
				inResponseTo: "_req", audience: entityID, authnInstant: t0})
			if err != nil {
				t.Fatal(err)
			}
			body := string(got.body)
			want := signatureValue.ReplaceAllStringFunc(body, func(sv string) string {
				m := signatureValue.FindStringSubmatchIndex(sv)
				return sv[:m[2]] + signatureElided + sv[m[3]:]
			})
			if n := len(signatureValue.FindAllString(body, -1)); n != 1+strings.Count(string(option), "And") {
				t.Fatalf("%d signatures in the response", n)
			}
			if got.logXML != want {
				t.Errorf("log view:\n%s\nwant the response with its signature values elided:\n%s", got.logXML, want)
			}

			doc := etree.NewDocument()
			if err := doc.ReadFromString(body); err != nil {
				t.Fatal(err)
			}
			wantClaims := []auditlog.Claim{{Name: "NameID", Value: doc.FindElement("//Subject/NameID").Text()}}
			for _, a := range doc.FindElements("//AttributeStatement/Attribute") {
				for _, v := range a.SelectElements("AttributeValue") {
					wantClaims = append(wantClaims, auditlog.Claim{Name: a.SelectAttrValue("Name", ""), Value: v.Text()})
				}
			}
			if !slices.Equal(got.claims, wantClaims) {
				t.Errorf("claims:\n%v\nwant\n%v", got.claims, wantClaims)
			}
			if !slices.ContainsFunc(got.claims, func(c auditlog.Claim) bool { return c.Name == directory.GroupClaimDefaultName }) {
				t.Errorf("no group claim among %v", got.claims)
			}
		})
	}
}

// TestElideSignatureValuesRewritesWhenNotVerbatim: when a signature value
// does not stand in the written response exactly once as written (here a
// writer that wrapped it), the log's copy is the tree written again with
// the values replaced, never the response with a live signature value.
func TestElideSignatureValuesRewritesWhenNotVerbatim(t *testing.T) {
	resp := etree.NewElement("Response")
	sig := resp.CreateElement("Signature")
	sig.CreateElement("SignatureValue").SetText("c2lnbmF0dXJl")
	body := []byte(`<Response><Signature><SignatureValue>c2ln&#xA;bmF0dXJl</SignatureValue></Signature></Response>`)
	got, err := elideSignatureValues(body, resp, []*etree.Element{sig})
	if err != nil {
		t.Fatal(err)
	}
	want := `<Response><Signature><SignatureValue>` + signatureElided + `</SignatureValue></Signature></Response>`
	if got != want {
		t.Errorf("log view = %s\nwant %s", got, want)
	}
	// Written verbatim, the value is replaced in place.
	body = []byte(`<Response a="1"><Signature><SignatureValue>c2lnbmF0dXJl</SignatureValue></Signature></Response>`)
	sig.SelectElement("SignatureValue").SetText("c2lnbmF0dXJl")
	if got, err = elideSignatureValues(body, resp, []*etree.Element{sig}); err != nil {
		t.Fatal(err)
	}
	if want := `<Response a="1"><Signature><SignatureValue>` + signatureElided + `</SignatureValue></Signature></Response>`; got != want {
		t.Errorf("log view = %s\nwant %s", got, want)
	}
}
