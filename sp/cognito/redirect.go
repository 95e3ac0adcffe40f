package cognito

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
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
	fw, _ := p.deflaters.Get().(*flate.Writer)
	if fw == nil {
		var err error
		if fw, err = flate.NewWriter(nil, flate.BestSpeed); err != nil {
			return "", err
		}
	}
	fw.Reset(&deflated)
	if _, err := doc.WriteTo(fw); err != nil {
		return "", fmt.Errorf("deflate AuthnRequest: %w", err)
	}
	if err := fw.Close(); err != nil {
		return "", fmt.Errorf("deflate AuthnRequest: %w", err)
	}
	p.deflaters.Put(fw)
	q := "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflated.Bytes())) +
		"&RelayState=" + url.QueryEscape(relayState)
	if strings.Contains(dest, "?") {
		return dest + "&" + q, nil
	}
	return dest + "?" + q, nil
}
