package mockidp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
)

// authnRequest holds what Entra reads from an AuthnRequest. Destination,
// Consent, ProviderName, Conditions and IssueInstant are read but ignored,
// as Entra documents.
type authnRequest struct {
	XMLName                       xml.Name      `xml:"urn:oasis:names:tc:SAML:2.0:protocol AuthnRequest"`
	ID                            string        `xml:"ID,attr"`
	Version                       string        `xml:"Version,attr"`
	IssueInstant                  string        `xml:"IssueInstant,attr"`
	Destination                   string        `xml:"Destination,attr"`
	ForceAuthn                    bool          `xml:"ForceAuthn,attr"`
	IsPassive                     bool          `xml:"IsPassive,attr"`
	AssertionConsumerServiceURL   string        `xml:"AssertionConsumerServiceURL,attr"`
	AssertionConsumerServiceIndex *int          `xml:"AssertionConsumerServiceIndex,attr"`
	Issuer                        *issuerEl     `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	Subject                       *struct{}     `xml:"urn:oasis:names:tc:SAML:2.0:assertion Subject"`
	NameIDPolicy                  *nameIDPolicy `xml:"urn:oasis:names:tc:SAML:2.0:protocol NameIDPolicy"`
}

type issuerEl struct {
	Value string `xml:",chardata"`
}

type nameIDPolicy struct {
	Format          string `xml:"Format,attr"`
	SPNameQualifier string `xml:"SPNameQualifier,attr"`
}

// maxInflated bounds a Redirect-binding request after inflation, so a
// deflate bomb costs nothing.
const maxInflated = 256 << 10

// requestError is a request-level failure with its AADSTS code.
type requestError struct {
	code    int
	message string
}

func (e *requestError) Error() string { return e.message }

// readAuthnRequest extracts and decodes the AuthnRequest and RelayState
// from either binding, and checks the message itself: step 1 of Entra's
// order (AADSTS750054, 75005, 7500529, 900236).
func (s *Server) readAuthnRequest(r *http.Request) (*authnRequest, string, error) {
	var encoded, relayState string
	deflated := r.Method == http.MethodGet
	if deflated {
		q := r.URL.Query()
		encoded, relayState = q.Get("SAMLRequest"), q.Get("RelayState")
	} else {
		if err := r.ParseForm(); err != nil {
			return nil, "", &requestError{codeInvalidSAML, msgInvalidSAML}
		}
		encoded, relayState = r.PostForm.Get("SAMLRequest"), r.PostForm.Get("RelayState")
	}
	if encoded == "" {
		return nil, relayState, &requestError{codeNoSAMLRequest, msgNoSAMLRequest}
	}
	// Entra names the layer that failed: AADSTS750056 for the base64,
	// AADSTS750055 for the DEFLATE (the messages SPs report from Entra,
	// e.g. a zlib-wrapped or uncompressed request on the Redirect binding).
	raw, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, encoded))
	if err != nil {
		return nil, relayState, &requestError{codeNotBase64, msgNotBase64}
	}
	if deflated {
		// The Redirect binding requires raw DEFLATE; Entra rejects a
		// request that is merely base64-encoded.
		out, err := s.inflate(raw)
		if err != nil {
			return nil, relayState, &requestError{codeNotDeflated, msgNotDeflated}
		}
		if len(out) > maxInflated {
			return nil, relayState, &requestError{codeInvalidSAML, msgInvalidSAML}
		}
		raw = out
	}
	if isLogoutRequest(raw) {
		return nil, relayState, &logoutMessage{raw: raw}
	}
	req, err := parseAuthnRequest(raw)
	return req, relayState, err
}

// logoutMessage is what readAuthnRequest returns for a LogoutRequest: the
// same endpoint takes both, and the caller signs the browser out.
type logoutMessage struct{ raw []byte }

func (*logoutMessage) Error() string { return "a LogoutRequest, not an AuthnRequest" }

// idleInflaters is how many idle decompressors the server keeps: one per
// AuthnRequest being read at the same moment.
const idleInflaters = 4

// inflate decompresses a Redirect-binding request, up to one byte past
// maxInflated. Decompressors are kept for reuse rather than in a
// sync.Pool, which the garbage collector empties every sign-in or two.
func (s *Server) inflate(raw []byte) ([]byte, error) {
	var fr io.ReadCloser
	select {
	case fr = <-s.inflaters:
		if err := fr.(flate.Resetter).Reset(bytes.NewReader(raw), nil); err != nil {
			return nil, err
		}
	default:
		fr = flate.NewReader(bytes.NewReader(raw))
	}
	out, err := io.ReadAll(io.LimitReader(fr, maxInflated+1))
	if err != nil {
		return nil, err
	}
	select {
	case s.inflaters <- fr:
	default:
	}
	return out, nil
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
		return -1
	}
	return r
}

func parseAuthnRequest(raw []byte) (*authnRequest, error) {
	var req authnRequest
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = true
	if err := dec.Decode(&req); err != nil {
		return nil, &requestError{codeInvalidSAML, msgInvalidSAML}
	}
	// Trailing content after the root is not a protocol message either.
	if tok, err := dec.Token(); !errors.Is(err, io.EOF) {
		if _, isSpace := tok.(xml.CharData); !isSpace || !allSpace(tok.(xml.CharData)) {
			return nil, &requestError{codeInvalidSAML, msgInvalidSAML}
		}
	}
	if req.ID == "" || req.Version != "2.0" || req.IssueInstant == "" {
		return nil, &requestError{codeInvalidSAML, msgInvalidSAML}
	}
	if c := req.ID[0]; c >= '0' && c <= '9' {
		return nil, &requestError{codeIDStartsWithNumber, msgIDStartsWithNumber(req.ID)}
	}
	if req.Subject != nil {
		return nil, &requestError{codeUnsupportedProperty, msgUnsupportedProperty("Subject")}
	}
	if req.Issuer == nil || strings.TrimSpace(req.Issuer.Value) == "" {
		return nil, &requestError{codeInvalidSAML, msgInvalidSAML}
	}
	return &req, nil
}

func allSpace(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }
