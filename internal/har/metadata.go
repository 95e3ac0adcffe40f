package har

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/beevik/etree"
	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
)

// maxMetadata bounds a metadata document; Entra's is a few kilobytes.
const maxMetadata = 4 << 20

// LoadMetadata reads SAML metadata from a file path or an http(s) URL and
// returns its signing certificates (KeyDescriptors without use, or with
// use="signing"). client may be nil for http.DefaultClient.
func LoadMetadata(ctx context.Context, src string, client *http.Client) ([]*samlmsg.Certificate, error) {
	var data []byte
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		if client == nil {
			client = http.DefaultClient
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMetadata, src, err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%w: fetch %s: %v", ErrMetadata, src, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%w: fetch %s: HTTP %d; check the App Federation Metadata URL", ErrMetadata, src, resp.StatusCode)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxMetadata))
		if err != nil {
			return nil, fmt.Errorf("%w: fetch %s: %v", ErrMetadata, src, err)
		}
	} else {
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
		}
		defer f.Close()
		data, err = io.ReadAll(io.LimitReader(f, maxMetadata))
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrMetadata, src, err)
		}
	}
	certs, err := ParseMetadataCerts(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	return certs, nil
}

// ParseMetadataCerts returns the signing certificates of a SAML metadata
// document (Entra's comes with a byte-order mark, which is accepted).
func ParseMetadataCerts(data []byte) ([]*samlmsg.Certificate, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, fmt.Errorf("%w: not XML: %v", ErrMetadata, err)
	}
	if doc.Root() == nil || doc.Root().Tag != "EntityDescriptor" && doc.Root().Tag != "EntitiesDescriptor" {
		return nil, fmt.Errorf("%w: the document is not SAML metadata (no EntityDescriptor)", ErrMetadata)
	}
	var out []*samlmsg.Certificate
	for _, kd := range doc.FindElements("//KeyDescriptor") {
		if use := kd.SelectAttrValue("use", ""); use != "" && use != "signing" {
			continue
		}
		for _, x := range kd.FindElements(".//X509Certificate") {
			c := samlmsg.CertificateFromText(x.Text())
			if c != nil && !inCerts(c, out) {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no signing certificate in the metadata", ErrMetadata)
	}
	return out, nil
}
