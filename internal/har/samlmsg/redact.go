package samlmsg

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// Masked replaces a masked value.
const Masked = "REDACTED"

// Kinds of values Redact masks, as counted in its result.
const (
	KindNameID      = "saml-nameid"
	KindAttribute   = "saml-attribute-value"
	KindSignature   = "saml-signature"
	KindCertificate = "saml-certificate"
)

// Redact masks the NameID, attribute values, signature values and
// certificates of a SAML message, keeping everything else (IDs, issuers,
// destinations, audiences, times, attribute names, certificate
// thumbprints) so an analysis of the result diagnoses what the original
// would. keep, when not nil, is asked about "NameID", each attribute's
// Name, "SignatureValue" and "X509Certificate"; true leaves the value.
// Empty values stay empty: an empty attribute is a finding in itself.
func Redact(xml []byte, keep func(name string) bool) ([]byte, map[string]int, error) {
	if err := checkSize(len(xml)); err != nil {
		return nil, nil, err
	}
	if keep == nil {
		keep = func(string) bool { return false }
	}
	doc := etree.NewDocument()
	doc.WriteSettings.CanonicalText = true
	if err := doc.ReadFromBytes(xml); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotSAML, err)
	}
	if doc.Root() == nil {
		return nil, nil, fmt.Errorf("%w: no root element", ErrNotSAML)
	}
	counts := map[string]int{}
	mask := func(e *etree.Element, kind, with string) {
		if strings.TrimSpace(e.Text()) == "" || e.Text() == with {
			return
		}
		e.SetText(with)
		counts[kind]++
	}
	walk(doc.Root(), func(e *etree.Element) {
		switch e.Tag {
		case "NameID":
			if !keep("NameID") {
				mask(e, KindNameID, Masked)
			}
		case "Attribute":
			name := e.SelectAttrValue("Name", "")
			if keep(name) {
				return
			}
			for _, v := range e.ChildElements() {
				if v.Tag == "AttributeValue" {
					mask(v, KindAttribute, Masked)
				}
			}
		case "SignatureValue":
			if !keep("SignatureValue") {
				mask(e, KindSignature, Masked)
			}
		case "X509Certificate":
			if keep("X509Certificate") {
				return
			}
			c := CertificateFromText(e.Text())
			if c == nil || c.Redacted {
				if c == nil {
					mask(e, KindCertificate, Masked)
				}
				return
			}
			mask(e, KindCertificate, fmt.Sprintf("%ssha1=%s;sha256=%s", redactedCertPrefix, c.SHA1, c.SHA256))
		}
	})
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, nil, fmt.Errorf("re-encode SAML message: %w", err)
	}
	return out, counts, nil
}

// RedactValue decodes a SAMLRequest or SAMLResponse parameter value, masks
// it with Redact and encodes it the way it came. A value that cannot be
// decoded whole (truncated, corrupt) is replaced by Masked entirely, since
// what can be read of it may still hold personal data.
func RedactValue(value string, keep func(name string) bool) (string, map[string]int) {
	xml, enc, err := Decode(value)
	if err != nil {
		if strings.TrimSpace(value) == "" {
			return value, nil
		}
		return Masked, map[string]int{"saml-undecodable": 1}
	}
	out, counts, err := Redact(xml, keep)
	if err != nil {
		return Masked, map[string]int{"saml-undecodable": 1}
	}
	return Encode(out, enc), counts
}
