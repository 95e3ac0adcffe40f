// Package hartest builds HAR files and SAML messages for tests: the
// RudderStack-on-Entra sign-in flow in Chrome's export shape, succeeding
// or failing in each of the ways `ssowiz har analyze` diagnoses, with known
// secrets planted so redaction can be checked, and large browser-shaped
// files for benchmarks. It signs SAML with goxmldsig and fixed test keys.
package hartest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Signer is a test IdP signing key and its certificate.
type Signer struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// KeyA and KeyB are two distinct signing keys: A is "the metadata's
// certificate", B a certificate the SP does not know.
func KeyA() *Signer { return mustSigner(keyAPEM, certAPEM) }

// KeyB is the second test key (see KeyA).
func KeyB() *Signer { return mustSigner(keyBPEM, certBPEM) }

func mustSigner(keyPEM, certPEM string) *Signer {
	kb, _ := pem.Decode([]byte(keyPEM))
	cb, _ := pem.Decode([]byte(certPEM))
	if kb == nil || cb == nil {
		panic("hartest: bad built-in PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		panic(err)
	}
	return &Signer{Key: k.(*rsa.PrivateKey), Cert: c}
}

// CertBase64 is the certificate as an X509Certificate element holds it.
func (s *Signer) CertBase64() string { return base64.StdEncoding.EncodeToString(s.Cert.Raw) }

// Metadata returns Entra-shaped app federation metadata (with its BOM)
// listing s's certificate.
func (s *Signer) Metadata(tenant string) []byte {
	c := s.CertBase64()
	return []byte("\xef\xbb\xbf" + `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="_m1" entityID="https://sts.windows.net/` + tenant + `/">` +
		`<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` + c +
		`</X509Certificate></X509Data></KeyInfo></KeyDescriptor>` +
		`<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/` + tenant + `/saml2"/></IDPSSODescriptor></EntityDescriptor>`)
}

// SAML namespaces.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
)

// samlTime formats as Entra does: UTC, three fractional digits.
func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// AuthnRequest is what Cognito sends Entra.
type AuthnRequest struct {
	ID, Issuer, ACSURL, Destination string
	IssueInstant                    time.Time
}

// XML renders the request.
func (r AuthnRequest) XML() string {
	return fmt.Sprintf(`<samlp:AuthnRequest xmlns:samlp="%s" xmlns:saml="%s" ID="%s" Version="2.0" IssueInstant="%s" Destination="%s" AssertionConsumerServiceURL="%s" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>%s</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="true"/></samlp:AuthnRequest>`,
		nsProtocol, nsAssertion, r.ID, samlTime(r.IssueInstant), r.Destination, r.ACSURL, r.Issuer)
}

// Attr is a SAML attribute.
type Attr struct {
	Name   string
	Values []string
}

// SAMLResponse describes the Response Entra posts.
type SAMLResponse struct {
	ID, AssertionID string
	// InResponseTo is empty for an IdP-initiated response.
	InResponseTo string
	Issuer       string
	// Destination and Recipient are the Reply URL Entra used.
	Destination string
	Audience    string
	NameID      string
	Attributes  []Attr
	// IssueInstant is Entra's clock; the window is −5/+60 minutes.
	IssueInstant time.Time
	// Signer signs the assertion (Entra's default); SignResponse signs
	// the Response instead.
	Signer       *Signer
	SignResponse bool
	// StatusCode, SubCode and Message make an error response when
	// StatusCode is not Success (no assertion then).
	StatusCode, StatusSubCode, StatusMessage string
}

// XML renders and signs the response.
func (r SAMLResponse) XML() (string, error) {
	t := r.IssueInstant
	status := r.StatusCode
	if status == "" {
		status = "urn:oasis:names:tc:SAML:2.0:status:Success"
	}
	irt := ""
	if r.InResponseTo != "" {
		irt = fmt.Sprintf(` InResponseTo="%s"`, r.InResponseTo)
	}
	resp := etree.NewDocument()
	if err := resp.ReadFromString(fmt.Sprintf(`<samlp:Response xmlns:samlp="%s" ID="%s" Version="2.0" IssueInstant="%s" Destination="%s"%s><Issuer xmlns="%s">%s</Issuer></samlp:Response>`,
		nsProtocol, r.ID, samlTime(t.Add(6*time.Millisecond)), r.Destination, irt, nsAssertion, r.Issuer)); err != nil {
		return "", err
	}
	root := resp.Root()
	st := root.CreateElement("samlp:Status")
	sc := st.CreateElement("samlp:StatusCode")
	sc.CreateAttr("Value", status)
	if r.StatusSubCode != "" {
		sc.CreateElement("samlp:StatusCode").CreateAttr("Value", r.StatusSubCode)
	}
	if r.StatusMessage != "" {
		st.CreateElement("samlp:StatusMessage").SetText(r.StatusMessage)
	}
	if strings.HasSuffix(status, ":Success") {
		a, err := r.assertion()
		if err != nil {
			return "", err
		}
		root.AddChild(a)
	}
	if r.SignResponse && r.Signer != nil {
		signed, err := sign(root, r.Signer)
		if err != nil {
			return "", err
		}
		resp.SetRoot(signed)
	}
	return resp.WriteToString()
}

func (r SAMLResponse) assertion() (*etree.Element, error) {
	t := r.IssueInstant
	base := t.Add(-150 * time.Millisecond)
	irt := ""
	if r.InResponseTo != "" {
		irt = fmt.Sprintf(` InResponseTo="%s"`, r.InResponseTo)
	}
	var attrs strings.Builder
	for _, a := range r.Attributes {
		fmt.Fprintf(&attrs, `<Attribute Name="%s">`, xmlEscape(a.Name))
		for _, v := range a.Values {
			fmt.Fprintf(&attrs, `<AttributeValue>%s</AttributeValue>`, xmlEscape(v))
		}
		attrs.WriteString(`</Attribute>`)
	}
	doc := etree.NewDocument()
	err := doc.ReadFromString(fmt.Sprintf(`<Assertion xmlns="%s" ID="%s" IssueInstant="%s" Version="2.0"><Issuer>%s</Issuer>`+
		`<Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">%s</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData%s NotOnOrAfter="%s" Recipient="%s"/></SubjectConfirmation></Subject>`+
		`<Conditions NotBefore="%s" NotOnOrAfter="%s"><AudienceRestriction><Audience>%s</Audience></AudienceRestriction></Conditions>`+
		`<AttributeStatement>%s</AttributeStatement>`+
		`<AuthnStatement AuthnInstant="%s" SessionIndex="%s"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>`,
		nsAssertion, r.AssertionID, samlTime(t), r.Issuer,
		xmlEscape(r.NameID), irt, samlTime(base.Add(time.Hour)), r.Destination,
		samlTime(base.Add(-5*time.Minute)), samlTime(base.Add(time.Hour)), r.Audience,
		attrs.String(), samlTime(t.Add(-7*time.Second)), r.AssertionID))
	if err != nil {
		return nil, err
	}
	a := doc.Root()
	if r.Signer != nil && !r.SignResponse {
		return sign(a, r.Signer)
	}
	return a, nil
}

// sign signs el enveloped (exclusive c14n, RSA-SHA256) and moves the
// Signature right after Issuer, where Entra puts it.
func sign(el *etree.Element, s *Signer) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(s.Key, [][]byte{s.Cert.Raw})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", el.Tag, err)
	}
	sig := signed.Child[len(signed.Child)-1]
	signed.RemoveChildAt(len(signed.Child) - 1)
	pos := 0
	for i, c := range signed.Child {
		if e, ok := c.(*etree.Element); ok && e.Tag == "Issuer" {
			pos = i + 1
			break
		}
	}
	signed.InsertChildAt(pos, sig)
	return signed, nil
}

func xmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}
