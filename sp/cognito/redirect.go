package cognito

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// redirectURL encodes an AuthnRequest for the HTTP-Redirect binding:
// DEFLATE, base64, and SAMLRequest and RelayState appended to the IdP's SSO
// URL. The request is unsigned, as Cognito's are unless request signing is
// turned on. crewjam's AuthnRequest.Redirect does the same with a new
// level-9 compressor per call, whose set-up costs more than the rest of
// the authorize endpoint together; the pool reuses fast compressors.
func (p *Pool) redirectURL(dest string, req *saml.AuthnRequest, relayState string) (string, error) {
	doc := etree.NewDocument()
	doc.SetRoot(req.Element())
	var deflated bytes.Buffer
	fw, err := p.deflater(&deflated)
	if err != nil {
		return "", err
	}
	if _, err := doc.WriteTo(fw); err != nil {
		return "", fmt.Errorf("deflate AuthnRequest: %w", err)
	}
	if err := fw.Close(); err != nil {
		return "", fmt.Errorf("deflate AuthnRequest: %w", err)
	}
	p.putDeflater(fw)
	q := "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflated.Bytes())) +
		"&RelayState=" + url.QueryEscape(relayState)
	if strings.Contains(dest, "?") {
		return dest + "&" + q, nil
	}
	return dest + "?" + q, nil
}

// idleDeflaters is how many idle compressors the pool keeps: one per
// AuthnRequest being encoded at the same moment, which on a laptop is
// rarely more than one.
const idleDeflaters = 4

// deflater returns an idle fast compressor writing to w, or a new one.
func (p *Pool) deflater(w io.Writer) (*flate.Writer, error) {
	select {
	case fw := <-p.deflaters:
		fw.Reset(w)
		return fw, nil
	default:
		fw, err := flate.NewWriter(w, flate.BestSpeed)
		if err != nil {
			return nil, fmt.Errorf("make a compressor: %w", err)
		}
		return fw, nil
	}
}

// putDeflater keeps fw for the next AuthnRequest, unless enough are idle.
func (p *Pool) putDeflater(fw *flate.Writer) {
	select {
	case p.deflaters <- fw:
	default:
	}
}
