package samlmsg_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/har/hartest"
	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
)

var t0 = time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC)

func responseXML(t testing.TB, signResponse bool) string {
	t.Helper()
	x, err := hartest.SAMLResponse{
		ID: "_r1", AssertionID: "_a1", InResponseTo: "_q1", Issuer: "https://sts.windows.net/t/",
		Destination: hartest.ACSURL, Audience: hartest.EntityID, NameID: "alice@contoso.com",
		Attributes:   []hartest.Attr{{Name: "Email", Values: []string{"alice@contoso.com"}}, {Name: "LastName", Values: []string{"Alice Example"}}},
		IssueInstant: t0, Signer: hartest.KeyA(), SignResponse: signResponse,
	}.XML()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func requestXML() string {
	return hartest.AuthnRequest{ID: "_q1", Issuer: hartest.EntityID, ACSURL: hartest.ACSURL, Destination: "https://login.microsoftonline.com/t/saml2", IssueInstant: t0}.XML()
}

func deflate(s string) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, 9)
	w.Write([]byte(s))
	w.Close()
	return buf.Bytes()
}

func TestDecodeEncodings(t *testing.T) {
	req := requestXML()
	deflated := base64.StdEncoding.EncodeToString(deflate(req))
	plain := base64.StdEncoding.EncodeToString([]byte(req))
	tests := []struct {
		name     string
		value    string
		deflated bool
	}{
		{"redirect binding", deflated, true},
		{"redirect binding still URL-escaped", url.QueryEscape(deflated), true},
		{"plus signs turned to spaces by form decoding", strings.ReplaceAll(deflated, "+", " "), true},
		{"URL-safe base64 without padding", strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(deflated), "="), true},
		{"post binding", plain, false},
		{"post binding wrapped in lines", plain[:40] + "\r\n" + plain[40:], false},
		{"bare XML", req, false},
	}
	for _, tt := range tests {
		x, enc, err := samlmsg.Decode(tt.value)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(x) != req || enc.Deflated != tt.deflated {
			t.Errorf("%s: got %q deflated=%v", tt.name, x, enc.Deflated)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		value string
		want  error
	}{
		{"", samlmsg.ErrNotSAML},
		{"!!!", samlmsg.ErrNotSAML},
		{base64.StdEncoding.EncodeToString([]byte("hello world, not xml")), samlmsg.ErrNotSAML},
		{base64.StdEncoding.EncodeToString(deflate(strings.Repeat("<a>", samlmsg.MaxXML))), samlmsg.ErrTooLarge},
		{base64.StdEncoding.EncodeToString(deflate(requestXML()))[:60], samlmsg.ErrTruncated},
	}
	for _, tt := range tests {
		if _, _, err := samlmsg.Decode(tt.value); !errors.Is(err, tt.want) {
			t.Errorf("Decode(%.30q) = %v, want %v", tt.value, err, tt.want)
		}
	}
}

func TestParseResponse(t *testing.T) {
	for _, signResponse := range []bool{false, true} {
		m, err := samlmsg.Parse([]byte(responseXML(t, signResponse)))
		if err != nil {
			t.Fatal(err)
		}
		if m.Type != "Response" || m.ID != "_r1" || m.InResponseTo != "_q1" || !m.Status.Success() || len(m.Assertions) != 1 {
			t.Fatalf("message = %+v", m)
		}
		a := m.Assertions[0]
		if a.NameID != "alice@contoso.com" || a.Audiences[0] != hartest.EntityID || a.Recipient != hartest.ACSURL || a.SubjectInResponseTo != "_q1" {
			t.Errorf("assertion = %+v", a)
		}
		if at, ok := a.Attribute("LastName"); !ok || at.Values[0] != "Alice Example" {
			t.Errorf("LastName = %+v", at)
		}
		if _, ok := a.Attribute("lastname"); ok {
			t.Error("attribute names must match case-sensitively")
		}
		want := "Assertion"
		if signResponse {
			want = "Response"
		}
		if len(m.Signatures) != 1 || m.Signatures[0].Element != want || m.Signatures[0].Reference != "#"+m.Signatures[0].ElementID {
			t.Errorf("signatures = %+v", m.Signatures)
		}
		c := m.Signatures[0].Certificate
		if c == nil || !c.Same(samlmsg.CertificateFromDER(hartest.KeyA().Cert.Raw)) || c.Same(samlmsg.CertificateFromDER(hartest.KeyB().Cert.Raw)) {
			t.Errorf("certificate = %+v", c)
		}
		if !strings.Contains(c.Subject, "Microsoft Azure Federated SSO Certificate") {
			t.Errorf("subject = %q", c.Subject)
		}
	}
}

func TestParseRequest(t *testing.T) {
	m, err := samlmsg.Parse([]byte(requestXML()))
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != "AuthnRequest" || m.ID != "_q1" || m.Issuer != hartest.EntityID || m.ACSURL != hartest.ACSURL || m.Status != nil {
		t.Errorf("request = %+v", m)
	}
	if _, err := samlmsg.Parse([]byte("<html><body/></html>")); !errors.Is(err, samlmsg.ErrNotSAML) {
		t.Errorf("an HTML page parsed as SAML: %v", err)
	}
	if _, err := samlmsg.Parse([]byte(requestXML()[:50])); !errors.Is(err, samlmsg.ErrTruncated) {
		t.Errorf("a cut message: %v", err)
	}
}

func TestRedactKeepsStructure(t *testing.T) {
	orig := responseXML(t, false)
	out, counts, err := samlmsg.Redact([]byte(orig), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"alice@contoso.com", "Alice Example", hartest.KeyA().CertBase64()[:30]} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("redacted message holds %q", s)
		}
	}
	if counts[samlmsg.KindNameID] != 1 || counts[samlmsg.KindAttribute] != 2 || counts[samlmsg.KindSignature] != 1 || counts[samlmsg.KindCertificate] != 1 {
		t.Errorf("counts = %v", counts)
	}
	before, _ := samlmsg.Parse([]byte(orig))
	after, err := samlmsg.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	a, b := before.Assertions[0], after.Assertions[0]
	if b.NameID != samlmsg.Masked || b.Audiences[0] != a.Audiences[0] || b.NotOnOrAfter != a.NotOnOrAfter || b.Recipient != a.Recipient ||
		b.Attributes[0].Name != "Email" || b.Attributes[0].Values[0] != samlmsg.Masked {
		t.Errorf("redacted assertion = %+v", b)
	}
	ca, cb := before.Signatures[0].Certificate, after.Signatures[0].Certificate
	if !cb.Redacted || !ca.Same(cb) {
		t.Errorf("certificate thumbprints lost: %+v vs %+v", ca, cb)
	}
	// Keep leaves named values alone.
	out, _, _ = samlmsg.Redact([]byte(orig), func(n string) bool { return n == "NameID" })
	if !bytes.Contains(out, []byte(">alice@contoso.com</NameID>")) {
		t.Error("keep NameID did not keep it")
	}
}

func TestRedactValueRoundTrip(t *testing.T) {
	v := base64.StdEncoding.EncodeToString(deflate(requestXML()))
	out, _ := samlmsg.RedactValue(v, nil)
	x, enc, err := samlmsg.Decode(out)
	if err != nil || !enc.Deflated || !bytes.Contains(x, []byte(hartest.EntityID)) {
		t.Errorf("re-encoded request: %q, %+v, %v", x, enc, err)
	}
	if out, counts := samlmsg.RedactValue(v[:50], nil); out != samlmsg.Masked || counts["saml-undecodable"] != 1 {
		t.Errorf("a truncated value became %q, %v", out, counts)
	}
}
