package samltest

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/google/uuid"
)

// Attr is one SAML attribute, sent with a bare Name and no NameFormat, as
// Entra sends its claims.
type Attr struct {
	Name   string
	Values []string
}

// Response describes one SAML Response. Build fills the defaults Entra
// would use for what is left empty.
type Response struct {
	// ID and AssertionID default to "_" and a new UUID.
	ID, AssertionID string
	// Issuer defaults to the IdP's entity ID.
	Issuer string
	// InResponseTo is the AuthnRequest ID; empty for an unsolicited
	// (IdP-initiated) response.
	InResponseTo string
	// Destination is the Response Destination; Recipient the
	// SubjectConfirmationData Recipient. Both default to ACS.
	ACS, Destination, Recipient string
	// Audience is the AudienceRestriction's Audience.
	Audience string
	// NameID and its Format (default emailAddress).
	NameID, NameIDFormat string
	// Attrs follow the five fixed Microsoft claims.
	Attrs []Attr
	// IssueInstant defaults to the IdP's clock; NotBefore to 5 minutes
	// before it, NotOnOrAfter to 60 minutes after.
	IssueInstant, NotBefore, NotOnOrAfter time.Time
	// Status defaults to Success.
	Status string
	// SignAssertion and SignResponse choose Entra's signing option; with
	// neither, the response is unsigned.
	SignAssertion, SignResponse bool
	// Key signs; the IdP's key when nil.
	Key *Key
	// EncryptTo, when set, encrypts the (signed) assertion to this
	// certificate, as Entra's token encryption does.
	EncryptTo *x509.Certificate
}

const samlTime = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(samlTime) }

func esc(s string) string { return html.EscapeString(s) }

// AssertionXML returns the unsigned Assertion element for r (defaults
// already applied by Build).
func (i *IdP) assertionXML(r Response) string {
	irt := ""
	if r.InResponseTo != "" {
		irt = ` InResponseTo="` + esc(r.InResponseTo) + `"`
	}
	var attrs strings.Builder
	attr := func(name string, values ...string) {
		attrs.WriteString(`<Attribute Name="` + esc(name) + `">`)
		for _, v := range values {
			attrs.WriteString(`<AttributeValue>` + esc(v) + `</AttributeValue>`)
		}
		attrs.WriteString(`</Attribute>`)
	}
	attr("http://schemas.microsoft.com/identity/claims/tenantid", i.Tenant)
	attr("http://schemas.microsoft.com/identity/claims/objectidentifier", uuid.NewSHA1(uuid.NameSpaceOID, []byte(r.NameID)).String())
	attr("http://schemas.microsoft.com/identity/claims/displayname", r.NameID)
	attr("http://schemas.microsoft.com/identity/claims/identityprovider", i.EntityID())
	attr("http://schemas.microsoft.com/claims/authnmethodsreferences", "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password")
	for _, a := range r.Attrs {
		attr(a.Name, a.Values...)
	}
	base := r.IssueInstant.Add(-150 * time.Millisecond)
	return `<Assertion ID="` + esc(r.AssertionID) + `" IssueInstant="` + ts(r.IssueInstant) + `" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion">` +
		`<Issuer>` + esc(r.Issuer) + `</Issuer>` +
		`<Subject><NameID Format="` + esc(r.NameIDFormat) + `">` + esc(r.NameID) + `</NameID>` +
		`<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData` + irt +
		` NotOnOrAfter="` + ts(r.NotOnOrAfter) + `" Recipient="` + esc(r.Recipient) + `"/></SubjectConfirmation></Subject>` +
		`<Conditions NotBefore="` + ts(r.NotBefore) + `" NotOnOrAfter="` + ts(r.NotOnOrAfter) + `"><AudienceRestriction><Audience>` + esc(r.Audience) + `</Audience></AudienceRestriction></Conditions>` +
		`<AttributeStatement>` + attrs.String() + `</AttributeStatement>` +
		`<AuthnStatement AuthnInstant="` + ts(base.Add(-7*time.Second)) + `" SessionIndex="` + esc(r.AssertionID) + `"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement>` +
		`</Assertion>`
}

func (i *IdP) defaults(r Response) Response {
	if r.ID == "" {
		r.ID = "_" + uuid.NewString()
	}
	if r.AssertionID == "" {
		r.AssertionID = "_" + uuid.NewString()
	}
	if r.Issuer == "" {
		r.Issuer = i.EntityID()
	}
	if r.Destination == "" {
		r.Destination = r.ACS
	}
	if r.Recipient == "" {
		r.Recipient = r.ACS
	}
	if r.NameIDFormat == "" {
		r.NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	}
	if r.IssueInstant.IsZero() {
		r.IssueInstant = i.now()
	}
	if r.NotBefore.IsZero() {
		r.NotBefore = r.IssueInstant.Add(-5 * time.Minute)
	}
	if r.NotOnOrAfter.IsZero() {
		r.NotOnOrAfter = r.IssueInstant.Add(60 * time.Minute)
	}
	if r.Status == "" {
		r.Status = "urn:oasis:names:tc:SAML:2.0:status:Success"
	}
	if r.Key == nil {
		r.Key, _ = i.keys()
	}
	return r
}

// Build returns the Response document.
func (i *IdP) Build(r Response) ([]byte, error) {
	r = i.defaults(r)
	irt := ""
	if r.InResponseTo != "" {
		irt = ` InResponseTo="` + esc(r.InResponseTo) + `"`
	}
	resp, err := parse(`<samlp:Response ID="` + esc(r.ID) + `" Version="2.0" IssueInstant="` + ts(r.IssueInstant.Add(6*time.Millisecond)) +
		`" Destination="` + esc(r.Destination) + `"` + irt + ` xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">` + esc(r.Issuer) + `</Issuer>` +
		`<samlp:Status><samlp:StatusCode Value="` + esc(r.Status) + `"/></samlp:Status></samlp:Response>`)
	if err != nil {
		return nil, err
	}
	assertion, err := parse(i.assertionXML(r))
	if err != nil {
		return nil, err
	}
	if r.SignAssertion {
		if assertion, err = Sign(r.Key, assertion); err != nil {
			return nil, err
		}
	}
	if r.EncryptTo != nil {
		if assertion, err = Encrypt(assertion, r.EncryptTo); err != nil {
			return nil, err
		}
	}
	resp.AddChild(assertion)
	if r.SignResponse {
		if resp, err = Sign(r.Key, resp); err != nil {
			return nil, err
		}
	}
	doc := etree.NewDocument()
	doc.SetRoot(resp)
	return doc.WriteToBytes()
}

// Encode is the SAMLResponse form value for a document.
func Encode(doc []byte) string { return base64.StdEncoding.EncodeToString(doc) }

func parse(s string) (*etree.Element, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		return nil, fmt.Errorf("samltest: %w", err)
	}
	return doc.Root(), nil
}
