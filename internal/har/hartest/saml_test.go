package hartest

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// The fixtures' signatures must really verify, with the signing key's
// certificate and not with another one, or the analysis of "which
// certificate signed" would be tested on nothing.
func TestSignaturesVerify(t *testing.T) {
	at := time.Date(2025, 6, 2, 15, 4, 5, 0, time.UTC)
	for _, signResponse := range []bool{false, true} {
		x, err := SAMLResponse{
			ID: "_r", AssertionID: "_a", InResponseTo: "_q", Issuer: "https://sts.windows.net/t/",
			Destination: ACSURL, Audience: EntityID, NameID: UserUPN,
			Attributes: []Attr{{"Email", []string{UserUPN}}}, IssueInstant: at,
			Signer: KeyA(), SignResponse: signResponse,
		}.XML()
		if err != nil {
			t.Fatal(err)
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromString(x); err != nil {
			t.Fatal(err)
		}
		el := doc.Root()
		if !signResponse {
			el = doc.Root().FindElement("./Assertion")
		}
		// The signature sits right after Issuer, as Entra places it.
		if kids := el.ChildElements(); len(kids) < 2 || kids[0].Tag != "Issuer" || kids[1].Tag != "Signature" {
			t.Errorf("signature not right after Issuer in %s", el.Tag)
		}
		for _, tc := range []struct {
			cert *x509.Certificate
			ok   bool
		}{{KeyA().Cert, true}, {KeyB().Cert, false}} {
			vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{tc.cert}})
			vc.Clock = dsig.NewFakeClockAt(tc.cert.NotBefore.Add(time.Hour)) // the test keys postdate the fixtures
			_, err := vc.Validate(el.Copy())
			if (err == nil) != tc.ok {
				t.Errorf("signResponse=%v, validate with %s: %v", signResponse, tc.cert.Subject, err)
			}
		}
	}
}

func TestFlowIsDeterministic(t *testing.T) {
	a, b := Flow{Noise: 6}.Bytes(), Flow{Noise: 6}.Bytes()
	if string(a) != string(b) {
		t.Error("the same Flow built twice differs; golden files would churn")
	}
}
