package samlmsg

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Message summarises one SAML protocol message. Field names in JSON are
// part of `ssowiz har analyze --json` and are kept stable.
type Message struct {
	// Type is the root element: AuthnRequest, Response, LogoutRequest, …
	Type         string `json:"type"`
	ID           string `json:"id,omitempty"`
	InResponseTo string `json:"in_response_to,omitempty"`
	IssueInstant string `json:"issue_instant,omitempty"`
	Destination  string `json:"destination,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	// ACSURL is an AuthnRequest's AssertionConsumerServiceURL.
	ACSURL string `json:"acs_url,omitempty"`
	// ProtocolBinding is the response binding an AuthnRequest asks for.
	ProtocolBinding string `json:"protocol_binding,omitempty"`
	// NameIDPolicyFormat is the NameID format an AuthnRequest asks for.
	NameIDPolicyFormat string `json:"name_id_policy_format,omitempty"`
	// Status is a Response's status; nil for requests.
	Status *Status `json:"status,omitempty"`
	// Assertions are the readable assertions of a Response.
	Assertions []Assertion `json:"assertions,omitempty"`
	// EncryptedAssertions counts assertions that cannot be read without
	// the SP's key.
	EncryptedAssertions int `json:"encrypted_assertions,omitzero"`
	// Signatures lists every XML signature: which element it signs and
	// the certificate in its KeyInfo.
	Signatures []Signature `json:"signatures,omitempty"`
}

// Status is a Response's status code, nested code and message.
type Status struct {
	Code    string `json:"code"`
	SubCode string `json:"sub_code,omitempty"`
	Message string `json:"message,omitempty"`
}

// Success reports whether the status is urn:…:status:Success.
func (s *Status) Success() bool {
	return s == nil || strings.HasSuffix(s.Code, ":Success")
}

// Assertion summarises one assertion.
type Assertion struct {
	ID           string `json:"id,omitempty"`
	IssueInstant string `json:"issue_instant,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	NameID       string `json:"name_id,omitempty"`
	NameIDFormat string `json:"name_id_format,omitempty"`
	// Recipient, SubjectInResponseTo and SubjectNotOnOrAfter come from the
	// bearer SubjectConfirmationData.
	Recipient           string      `json:"recipient,omitempty"`
	SubjectInResponseTo string      `json:"subject_in_response_to,omitempty"`
	SubjectNotOnOrAfter string      `json:"subject_not_on_or_after,omitempty"`
	NotBefore           string      `json:"not_before,omitempty"`
	NotOnOrAfter        string      `json:"not_on_or_after,omitempty"`
	Audiences           []string    `json:"audiences,omitempty"`
	Attributes          []Attribute `json:"attributes,omitempty"`
	AuthnInstant        string      `json:"authn_instant,omitempty"`
	SessionIndex        string      `json:"session_index,omitempty"`
	AuthnContext        string      `json:"authn_context,omitempty"`
}

// Attribute is one SAML attribute with its values.
type Attribute struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Attribute returns the named attribute (exact, case-sensitive, as
// Cognito's mapping is).
func (a *Assertion) Attribute(name string) (Attribute, bool) {
	for _, at := range a.Attributes {
		if at.Name == name {
			return at, true
		}
	}
	return Attribute{}, false
}

// Signature is one ds:Signature and what it covers.
type Signature struct {
	// Element is the signed element's local name (Response, Assertion…).
	Element string `json:"element"`
	// ElementID is the signed element's ID attribute.
	ElementID string `json:"element_id,omitempty"`
	// Reference is the Reference URI; it should be "#"+ElementID.
	Reference       string       `json:"reference,omitempty"`
	SignatureMethod string       `json:"signature_method,omitempty"`
	DigestMethod    string       `json:"digest_method,omitempty"`
	Certificate     *Certificate `json:"certificate,omitempty"`
}

// Certificate identifies a signing certificate by thumbprint. SHA1 is the
// upper-case hex thumbprint that Entra shows on its SAML Certificates
// panel.
type Certificate struct {
	SHA1      string `json:"sha1"`
	SHA256    string `json:"sha256"`
	Subject   string `json:"subject,omitempty"`
	NotBefore string `json:"not_before,omitempty"`
	NotAfter  string `json:"not_after,omitempty"`
	// Redacted is true when the certificate was masked by `har redact`,
	// which keeps its thumbprints only.
	Redacted bool `json:"redacted,omitempty"`
}

// Parse reads a SAML protocol message's XML into a summary.
func Parse(xml []byte) (*Message, error) {
	if err := checkSize(len(xml)); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xml); err != nil {
		if strings.Contains(err.Error(), "EOF") {
			return nil, fmt.Errorf("%w: %v", ErrTruncated, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotSAML, err)
	}
	root := doc.Root()
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", ErrNotSAML)
	}
	m := &Message{
		Type:         root.Tag,
		ID:           root.SelectAttrValue("ID", ""),
		InResponseTo: root.SelectAttrValue("InResponseTo", ""),
		IssueInstant: root.SelectAttrValue("IssueInstant", ""),
		Destination:  root.SelectAttrValue("Destination", ""),
		Issuer:       childText(root, "Issuer"),
	}
	switch root.Tag {
	case "AuthnRequest":
		m.ACSURL = root.SelectAttrValue("AssertionConsumerServiceURL", "")
		m.ProtocolBinding = root.SelectAttrValue("ProtocolBinding", "")
		if p := child(root, "NameIDPolicy"); p != nil {
			m.NameIDPolicyFormat = p.SelectAttrValue("Format", "")
		}
	case "Response", "LogoutResponse", "ArtifactResponse":
		m.Status = &Status{}
		if st := child(root, "Status"); st != nil {
			if c := child(st, "StatusCode"); c != nil {
				m.Status.Code = c.SelectAttrValue("Value", "")
				if sc := child(c, "StatusCode"); sc != nil {
					m.Status.SubCode = sc.SelectAttrValue("Value", "")
				}
			}
			m.Status.Message = strings.TrimSpace(childText(st, "StatusMessage"))
		}
	case "AuthnStatement", "Assertion", "EntityDescriptor", "LogoutRequest", "AttributeQuery", "ArtifactResolve":
	default:
		return nil, fmt.Errorf("%w: root element <%s>", ErrNotSAML, root.Tag)
	}
	if root.Tag == "Assertion" {
		m.Assertions = append(m.Assertions, parseAssertion(root))
	}
	for _, c := range root.ChildElements() {
		switch c.Tag {
		case "Assertion":
			m.Assertions = append(m.Assertions, parseAssertion(c))
		case "EncryptedAssertion":
			m.EncryptedAssertions++
		}
	}
	walk(root, func(e *etree.Element) {
		if e.Tag == "Signature" && e.Parent() != nil {
			m.Signatures = append(m.Signatures, parseSignature(e))
		}
	})
	return m, nil
}

func parseAssertion(a *etree.Element) Assertion {
	out := Assertion{
		ID:           a.SelectAttrValue("ID", ""),
		IssueInstant: a.SelectAttrValue("IssueInstant", ""),
		Issuer:       childText(a, "Issuer"),
	}
	if s := child(a, "Subject"); s != nil {
		if n := child(s, "NameID"); n != nil {
			out.NameID = strings.TrimSpace(n.Text())
			out.NameIDFormat = n.SelectAttrValue("Format", "")
		}
		for _, sc := range s.ChildElements() {
			if sc.Tag != "SubjectConfirmation" {
				continue
			}
			if d := child(sc, "SubjectConfirmationData"); d != nil {
				out.Recipient = d.SelectAttrValue("Recipient", "")
				out.SubjectInResponseTo = d.SelectAttrValue("InResponseTo", "")
				out.SubjectNotOnOrAfter = d.SelectAttrValue("NotOnOrAfter", "")
				break
			}
		}
	}
	if c := child(a, "Conditions"); c != nil {
		out.NotBefore = c.SelectAttrValue("NotBefore", "")
		out.NotOnOrAfter = c.SelectAttrValue("NotOnOrAfter", "")
		for _, ar := range c.ChildElements() {
			if ar.Tag != "AudienceRestriction" {
				continue
			}
			for _, au := range ar.ChildElements() {
				if au.Tag == "Audience" {
					out.Audiences = append(out.Audiences, strings.TrimSpace(au.Text()))
				}
			}
		}
	}
	if st := child(a, "AttributeStatement"); st != nil {
		for _, at := range st.ChildElements() {
			if at.Tag != "Attribute" {
				continue
			}
			attr := Attribute{Name: at.SelectAttrValue("Name", ""), Values: []string{}}
			for _, v := range at.ChildElements() {
				if v.Tag == "AttributeValue" {
					attr.Values = append(attr.Values, v.Text())
				}
			}
			out.Attributes = append(out.Attributes, attr)
		}
	}
	if as := child(a, "AuthnStatement"); as != nil {
		out.AuthnInstant = as.SelectAttrValue("AuthnInstant", "")
		out.SessionIndex = as.SelectAttrValue("SessionIndex", "")
		if ac := child(as, "AuthnContext"); ac != nil {
			out.AuthnContext = strings.TrimSpace(childText(ac, "AuthnContextClassRef"))
		}
	}
	return out
}

func parseSignature(sig *etree.Element) Signature {
	p := sig.Parent()
	s := Signature{Element: p.Tag, ElementID: p.SelectAttrValue("ID", "")}
	if si := child(sig, "SignedInfo"); si != nil {
		if sm := child(si, "SignatureMethod"); sm != nil {
			s.SignatureMethod = sm.SelectAttrValue("Algorithm", "")
		}
		if ref := child(si, "Reference"); ref != nil {
			s.Reference = ref.SelectAttrValue("URI", "")
			if dm := child(ref, "DigestMethod"); dm != nil {
				s.DigestMethod = dm.SelectAttrValue("Algorithm", "")
			}
		}
	}
	walk(sig, func(e *etree.Element) {
		if e.Tag == "X509Certificate" && s.Certificate == nil {
			s.Certificate = CertificateFromText(e.Text())
		}
	})
	return s
}

// redactedCertPrefix starts the text that replaces a masked certificate:
// the thumbprints survive so certificate comparisons still work.
const redactedCertPrefix = "REDACTED;"

// CertificateFromText identifies a certificate from the base64 DER text of
// an X509Certificate element (or the masked form Redact leaves). It
// returns nil when the text is neither.
func CertificateFromText(text string) *Certificate {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, redactedCertPrefix) {
		c := &Certificate{Redacted: true}
		for _, kv := range strings.Split(strings.TrimPrefix(text, redactedCertPrefix), ";") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "sha1":
				c.SHA1 = strings.ToUpper(v)
			case "sha256":
				c.SHA256 = strings.ToUpper(v)
			}
		}
		if c.SHA1 == "" && c.SHA256 == "" {
			return nil
		}
		return c
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil || len(der) == 0 {
		return nil
	}
	return CertificateFromDER(der)
}

// CertificateFromDER identifies a DER-encoded certificate.
func CertificateFromDER(der []byte) *Certificate {
	s1 := sha1.Sum(der)
	s256 := sha256.Sum256(der)
	c := &Certificate{
		SHA1:   strings.ToUpper(hex.EncodeToString(s1[:])),
		SHA256: strings.ToUpper(hex.EncodeToString(s256[:])),
	}
	if x, err := x509.ParseCertificate(der); err == nil {
		c.Subject = x.Subject.String()
		c.NotBefore = x.NotBefore.UTC().Format(time.RFC3339)
		c.NotAfter = x.NotAfter.UTC().Format(time.RFC3339)
	}
	return c
}

// Same reports whether two certificates are the same, by thumbprint.
func (c *Certificate) Same(o *Certificate) bool {
	if c == nil || o == nil {
		return false
	}
	if c.SHA256 != "" && o.SHA256 != "" {
		return c.SHA256 == o.SHA256
	}
	return c.SHA1 != "" && c.SHA1 == o.SHA1
}

// ParseTime reads a SAML xs:dateTime.
func ParseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func child(e *etree.Element, tag string) *etree.Element {
	for _, c := range e.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

func childText(e *etree.Element, tag string) string {
	if c := child(e, tag); c != nil {
		return strings.TrimSpace(c.Text())
	}
	return ""
}

// walk visits e and its descendants depth first, iteratively, so a deeply
// nested hostile document cannot exhaust the stack here.
func walk(e *etree.Element, fn func(*etree.Element)) {
	stack := []*etree.Element{e}
	for len(stack) > 0 {
		n := len(stack) - 1
		cur := stack[n]
		stack = stack[:n]
		fn(cur)
		kids := cur.ChildElements()
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
}
