package mockidp

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func childTags(el *etree.Element) []string {
	var out []string
	for _, c := range el.ChildElements() {
		out = append(out, c.FullTag())
	}
	return out
}

func attrKeys(el *etree.Element) []string {
	var out []string
	for _, a := range el.Attr {
		out = append(out, a.FullKey())
	}
	return out
}

func parseXML(t *testing.T, b []byte) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

// Each signing option and algorithm, checked by crewjam's SP and by
// where the signatures sit.
func TestSigningOptions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	q := h.defaultRequest()
	h.posted(h.signIn(q, "AdeleV")) // start a session
	for i, tc := range []struct {
		option                       directory.SigningOption
		alg                          directory.SigningAlgorithm
		responseSigned, assertSigned bool
		method, digest               string
	}{
		{directory.SignAssertion, directory.SHA256, false, true, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256"},
		{directory.SignResponse, directory.SHA256, true, false, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256"},
		{directory.SignResponseAndAssertion, directory.SHA256, true, true, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256"},
		{directory.SignAssertion, directory.SHA1, false, true, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"},
		{directory.SignResponseAndAssertion, directory.SHA1, true, true, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"},
	} {
		t.Run(fmt.Sprintf("%s %s", tc.option, tc.alg), func(t *testing.T) {
			h.t = t
			if _, err := h.dir.UpdateSigning(ctx, h.appID(), tc.option, tc.alg); err != nil {
				t.Fatal(err)
			}
			q.ID = fmt.Sprintf("_req%d", i)
			got := h.posted(h.get(h.redirectURL(q)))
			h.verify(h.sp(h.metadataBytes(h.appID()), false), got, q.ID)

			resp := parseXML(t, got.xml)
			a := resp.SelectElement("Assertion")
			wantResp := []string{"Issuer", "samlp:Status", "Assertion"}
			if tc.responseSigned {
				wantResp = []string{"Issuer", "Signature", "samlp:Status", "Assertion"}
			}
			wantAssert := []string{"Issuer", "Subject", "Conditions", "AttributeStatement", "AuthnStatement"}
			if tc.assertSigned {
				wantAssert = []string{"Issuer", "Signature", "Subject", "Conditions", "AttributeStatement", "AuthnStatement"}
			}
			if g := strings.Join(childTags(resp), " "); g != strings.Join(wantResp, " ") {
				t.Errorf("Response children: %s", g)
			}
			if g := strings.Join(childTags(a), " "); g != strings.Join(wantAssert, " ") {
				t.Errorf("Assertion children: %s", g)
			}
			for _, sig := range resp.FindElements("//Signature") {
				if sig.SelectAttrValue("xmlns", "") != "http://www.w3.org/2000/09/xmldsig#" || sig.Space != "" {
					t.Errorf("Signature is prefixed or in the wrong namespace: %s", sig.FullTag())
				}
				if m := sig.FindElement("./SignedInfo/SignatureMethod").SelectAttrValue("Algorithm", ""); m != tc.method {
					t.Errorf("SignatureMethod %s", m)
				}
				if d := sig.FindElement("./SignedInfo/Reference/DigestMethod").SelectAttrValue("Algorithm", ""); d != tc.digest {
					t.Errorf("DigestMethod %s", d)
				}
				if c := sig.FindElement("./SignedInfo/CanonicalizationMethod").SelectAttrValue("Algorithm", ""); c != "http://www.w3.org/2001/10/xml-exc-c14n#" {
					t.Errorf("CanonicalizationMethod %s", c)
				}
				ref := sig.FindElement("./SignedInfo/Reference").SelectAttrValue("URI", "")
				if ref != "#"+sig.Parent().SelectAttrValue("ID", "") {
					t.Errorf("Reference %s does not name its parent", ref)
				}
				if sig.FindElement("./KeyInfo/X509Data/X509Certificate") == nil {
					t.Error("no certificate in KeyInfo")
				}
			}
		})
	}
}

// A response signed with another key must not pass the independent
// verifier: the test above would be worthless if it accepted anything.
func TestVerifierRejectsTampering(t *testing.T) {
	h := newHarness(t)
	q := h.defaultRequest()
	got := h.posted(h.signIn(q, "AdeleV"))
	got.xml = []byte(strings.Replace(string(got.xml), "AdeleV@contoso.onmicrosoft.com</NameID>", "DiegoS@contoso.onmicrosoft.com</NameID>", 1))
	sp := h.sp(h.metadataBytes(h.appID()), false)
	if _, err := sp.ParseXMLResponse(got.xml, []string{q.ID}, sp.AcsURL); err == nil {
		t.Fatal("crewjam accepted a tampered response")
	}
}

func TestResponseWireShape(t *testing.T) {
	h := newHarness(t)
	q := h.defaultRequest()
	got := h.posted(h.signIn(q, "AdeleV"))
	raw := string(got.xml)
	if strings.HasPrefix(raw, "<?xml") || strings.Contains(raw, ">\n<") || strings.Contains(raw, "> <") {
		t.Error("the response is not a single line without an XML declaration")
	}
	resp := parseXML(t, got.xml)
	if g := strings.Join(attrKeys(resp), " "); g != "ID Version IssueInstant Destination InResponseTo xmlns:samlp" {
		t.Errorf("Response attributes: %s", g)
	}
	a := resp.SelectElement("Assertion")
	if g := strings.Join(attrKeys(a), " "); g != "ID IssueInstant Version xmlns" {
		t.Errorf("Assertion attributes: %s", g)
	}
	idRE := regexp.MustCompile(`^_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !idRE.MatchString(resp.SelectAttrValue("ID", "")) || !idRE.MatchString(a.SelectAttrValue("ID", "")) {
		t.Errorf("IDs %s %s are not _GUIDs", resp.SelectAttrValue("ID", ""), a.SelectAttrValue("ID", ""))
	}
	issuer := "https://sts.windows.net/" + h.tenantID() + "/"
	for _, is := range []*etree.Element{resp.SelectElement("Issuer"), a.SelectElement("Issuer")} {
		if is.Text() != issuer || is.SelectAttr("Format") != nil {
			t.Errorf("Issuer %q with attributes %v", is.Text(), attrKeys(is))
		}
	}
	nameID := a.FindElement("./Subject/NameID")
	if nameID.Text() != "AdeleV@contoso.onmicrosoft.com" || nameID.SelectAttrValue("Format", "") != string(directory.NameIDEmailAddress) || len(nameID.Attr) != 1 {
		t.Errorf("NameID %q %v", nameID.Text(), nameID.Attr)
	}
	scd := a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData")
	if g := strings.Join(attrKeys(scd), " "); g != "InResponseTo NotOnOrAfter Recipient" {
		t.Errorf("SubjectConfirmationData attributes: %s (no Address, no NotBefore)", g)
	}
	if scd.SelectAttrValue("Recipient", "") != replyURL || scd.SelectAttrValue("InResponseTo", "") != q.ID {
		t.Errorf("SubjectConfirmationData %v", scd.Attr)
	}

	ts := func(el *etree.Element, attr string) time.Time {
		v := el.SelectAttrValue(attr, "")
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(v) {
			t.Errorf("%s/@%s = %q is not a 3-digit-ms UTC timestamp", el.Tag, attr, v)
		}
		p, _ := time.Parse(time.RFC3339Nano, v)
		return p
	}
	cond := a.SelectElement("Conditions")
	notBefore, notOnOrAfter := ts(cond, "NotBefore"), ts(cond, "NotOnOrAfter")
	if notOnOrAfter.Sub(notBefore) != 65*time.Minute {
		t.Errorf("Conditions window %s, want -5/+60 minutes", notOnOrAfter.Sub(notBefore))
	}
	if !ts(scd, "NotOnOrAfter").Equal(notOnOrAfter) {
		t.Error("SubjectConfirmationData NotOnOrAfter differs from Conditions NotOnOrAfter")
	}
	respAt, assertAt := ts(resp, "IssueInstant"), ts(a, "IssueInstant")
	if d := respAt.Sub(assertAt); d <= 0 || d > 50*time.Millisecond {
		t.Errorf("Response IssueInstant is %s after the Assertion's, want a few ms", d)
	}
	if d := assertAt.Sub(notBefore.Add(5 * time.Minute)); d < 0 || d > time.Second {
		t.Errorf("NotBefore is not ~5 minutes before the IssueInstant (%s)", d)
	}
	if aud := a.FindElement("./Conditions/AudienceRestriction/Audience").Text(); aud != entityID {
		t.Errorf("Audience %q", aud)
	}
	authn := a.SelectElement("AuthnStatement")
	if authn.SelectAttrValue("SessionIndex", "") != a.SelectAttrValue("ID", "") {
		t.Error("SessionIndex is not the assertion ID")
	}
	if c := authn.FindElement("./AuthnContext/AuthnContextClassRef").Text(); c != "urn:oasis:names:tc:SAML:2.0:ac:classes:Password" {
		t.Errorf("class %s", c)
	}
	for _, at := range a.FindElements("./AttributeStatement/Attribute") {
		if len(at.Attr) != 1 || at.SelectElement("AttributeValue").SelectAttr("xsi:type") != nil {
			t.Errorf("attribute %s has more than a Name: %v", at.SelectAttrValue("Name", ""), at.Attr)
		}
	}

	// The whole document against the golden file, with IDs, times,
	// digests, signatures and certificates normalised.
	golden := filepath.Join("testdata", "response_assertion_signed.golden")
	norm := normalize(t, raw, map[string]string{
		h.tenantID():              "TENANT-ID",
		h.user("AdeleV").ObjectID: "ADELE-OBJECT-ID",
	})
	if *update {
		if err := os.WriteFile(golden, []byte(norm), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if norm != string(want) {
		t.Errorf("wire shape differs from %s (go test -update rewrites it):\n%s", golden, norm)
	}
}

// normalize replaces known values, then _GUID IDs, timestamps and
// base64 blobs, and indents the result for reading.
func normalize(t *testing.T, raw string, known map[string]string) string {
	t.Helper()
	for k, v := range known {
		raw = strings.ReplaceAll(raw, k, v)
	}
	ids := map[string]string{}
	raw = regexp.MustCompile(`_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).ReplaceAllStringFunc(raw, func(id string) string {
		if _, ok := ids[id]; !ok {
			ids[id] = fmt.Sprintf("_ID%d", len(ids)+1)
		}
		return ids[id]
	})
	raw = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`).ReplaceAllString(raw, "TIMESTAMP")
	for _, tag := range []string{"DigestValue", "SignatureValue", "X509Certificate"} {
		raw = regexp.MustCompile(`<`+tag+`>[^<]*</`+tag+`>`).ReplaceAllString(raw, "<"+tag+">"+strings.ToUpper(tag)+"</"+tag+">")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(raw); err != nil {
		t.Fatal(err)
	}
	doc.Indent(2)
	s, _ := doc.WriteToString()
	return s
}

func TestClaims(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	q := h.defaultRequest()
	sp := h.sp(h.metadataBytes(h.appID()), false)
	fixed := directory.FixedClaims()

	names, values := attributes(h.verify(sp, h.posted(h.signIn(q, "AdeleV")), q.ID))
	if want := append(append([]string{}, fixed...), "Email", "LastName"); strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("attribute order:\n%v\nwant\n%v", names, want)
	}
	if values["Email"] != "AdeleV@contoso.onmicrosoft.com" || values["LastName"] != "Adele Vance" ||
		values[fixed[0]] != h.tenantID() || values[fixed[1]] != h.user("AdeleV").ObjectID ||
		values[fixed[3]] != "https://sts.windows.net/"+h.tenantID()+"/" ||
		values[fixed[4]] != "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password" {
		t.Errorf("values %v", values)
	}

	// Lee Gu has no mail: the Email claim is omitted, as Entra does.
	h.newBrowser()
	names, _ = attributes(h.verify(sp, h.posted(h.signIn(q, "LeeG")), q.ID))
	for _, n := range names {
		if n == "Email" {
			t.Error("an empty Email claim was sent")
		}
	}

	// A new app's default claims go out with their namespaces.
	if _, err := h.dir.UpdateClaims(ctx, h.appID(), directory.DefaultNameID(), directory.DefaultClaims()); err != nil {
		t.Fatal(err)
	}
	h.newBrowser()
	names, values = attributes(h.verify(sp, h.posted(h.signIn(q, "AdeleV")), q.ID))
	if names[5] != "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname" || values[names[8]] != "AdeleV@contoso.onmicrosoft.com" || len(names) != 9 {
		t.Errorf("default claims: %v", names)
	}
}

func TestNameIDPolicy(t *testing.T) {
	h := newHarness(t)
	q := h.defaultRequest()
	sp := h.sp(h.metadataBytes(h.appID()), false)
	h.posted(h.signIn(q, "AdeleV"))
	adele := h.user("AdeleV").UPN
	nameID := func(format, spnq string) (value, gotFormat, gotSPNQ string) {
		t.Helper()
		q.ID = "_" + strings.ReplaceAll(format, ":", "-")
		q.NameIDFormat, q.SPNameQualifier = format, spnq
		a := h.verify(sp, h.posted(h.get(h.redirectURL(q))), q.ID)
		return a.Subject.NameID.Value, a.Subject.NameID.Format, a.Subject.NameID.SPNameQualifier
	}
	for _, tc := range []struct {
		name, format, wantFormat, wantValue string
	}{
		{"none: the configured format", "", string(directory.NameIDEmailAddress), adele},
		{"emailAddress", string(directory.NameIDEmailAddress), string(directory.NameIDEmailAddress), adele},
		{"unspecified: the configured value", string(directory.NameIDUnspecified), string(directory.NameIDUnspecified), adele},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, f, _ := nameID(tc.format, "")
			if v != tc.wantValue || f != tc.wantFormat {
				t.Errorf("NameID %q %q, want %q %q", v, f, tc.wantValue, tc.wantFormat)
			}
		})
	}
	t.Run("persistent: a stable pairwise identifier", func(t *testing.T) {
		v1, f, _ := nameID(string(directory.NameIDPersistent), "")
		v2, _, _ := nameID(string(directory.NameIDPersistent), "")
		if f != string(directory.NameIDPersistent) || v1 != v2 || v1 == adele || len(v1) != 44 {
			t.Errorf("persistent %q %q then %q", f, v1, v2)
		}
	})
	t.Run("transient: random each time", func(t *testing.T) {
		v1, f, _ := nameID(string(directory.NameIDTransient), "")
		v2, _, _ := nameID(string(directory.NameIDTransient), "")
		if f != string(directory.NameIDTransient) || v1 == v2 || v1 == adele {
			t.Errorf("transient %q %q then %q", f, v1, v2)
		}
	})
	t.Run("SPNameQualifier is echoed", func(t *testing.T) {
		if _, _, spnq := nameID(string(directory.NameIDEmailAddress), entityID); spnq != entityID {
			t.Errorf("SPNameQualifier %q", spnq)
		}
	})
	t.Run("configured Default format", func(t *testing.T) {
		app, _ := h.dir.App(context.Background(), h.appID())
		if _, err := h.dir.UpdateClaims(context.Background(), h.appID(), directory.NameIDConfig{Source: "user.objectid", Format: directory.NameIDDefault}, app.Claims); err != nil {
			t.Fatal(err)
		}
		v, f, _ := nameID("", "")
		if v != h.user("AdeleV").ObjectID || f != string(directory.NameIDUnspecified) {
			t.Errorf("Default: %q %q", v, f)
		}
	})
}
