package tenant

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SPMetadata is what Entra's "Upload metadata file" takes from a service
// provider's SAML metadata.
type SPMetadata struct {
	// EntityID becomes the Identifier (Entity ID).
	EntityID string
	// ReplyURLs are the HTTP-POST assertion consumer services, with their
	// index and default flag: Entra posts responses only.
	ReplyURLs []ReplyURL
	// LogoutURL is the first single logout service's location.
	LogoutURL string
}

const (
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	bindingPOST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
)

type mdEntity struct {
	XMLName  xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID string   `xml:"entityID,attr"`
	SPs      []struct {
		ACS []struct {
			Binding   string `xml:"Binding,attr"`
			Location  string `xml:"Location,attr"`
			Index     *int   `xml:"index,attr"`
			IsDefault *bool  `xml:"isDefault,attr"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:metadata AssertionConsumerService"`
		SLO []struct {
			Binding  string `xml:"Binding,attr"`
			Location string `xml:"Location,attr"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleLogoutService"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:metadata SPSSODescriptor"`
}

// ParseSPMetadata reads an SP's SAML metadata: an EntityDescriptor with an
// SPSSODescriptor, or an EntitiesDescriptor holding exactly one SP.
func ParseSPMetadata(data []byte) (SPMetadata, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			return SPMetadata{}, fmt.Errorf("not SAML metadata: no XML element found (%v)", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	var entities []mdEntity
	switch {
	case root.Name.Space == nsMetadata && root.Name.Local == "EntityDescriptor":
		var e mdEntity
		if err := dec.DecodeElement(&e, &root); err != nil {
			return SPMetadata{}, fmt.Errorf("not SAML metadata: %w", err)
		}
		entities = append(entities, e)
	case root.Name.Space == nsMetadata && root.Name.Local == "EntitiesDescriptor":
		var es struct {
			Entities []mdEntity `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
		}
		if err := dec.DecodeElement(&es, &root); err != nil {
			return SPMetadata{}, fmt.Errorf("not SAML metadata: %w", err)
		}
		for _, e := range es.Entities {
			if len(e.SPs) > 0 {
				entities = append(entities, e)
			}
		}
		if len(entities) != 1 {
			return SPMetadata{}, fmt.Errorf("the metadata lists %d service providers; give the file of one", len(entities))
		}
	default:
		return SPMetadata{}, fmt.Errorf("not SAML metadata: the root element is <%s>, not an md:EntityDescriptor", root.Name.Local)
	}
	e := entities[0]
	if len(e.SPs) == 0 {
		return SPMetadata{}, errors.New("the metadata has no SPSSODescriptor: it describes an identity provider, not a service provider")
	}
	m := SPMetadata{EntityID: strings.TrimSpace(e.EntityID)}
	if m.EntityID == "" {
		return SPMetadata{}, errors.New("the EntityDescriptor has no entityID")
	}
	var others []string
	for _, acs := range e.SPs[0].ACS {
		if acs.Binding != bindingPOST {
			others = append(others, acs.Binding)
			continue
		}
		r := ReplyURL{URL: strings.TrimSpace(acs.Location), Index: acs.Index}
		if acs.IsDefault != nil && *acs.IsDefault {
			r.Default = true
		}
		m.ReplyURLs = append(m.ReplyURLs, r)
	}
	if len(m.ReplyURLs) == 0 {
		return SPMetadata{}, fmt.Errorf("the metadata has no AssertionConsumerService with the HTTP-POST binding (found %v); Entra sends responses by POST only", others)
	}
	for _, slo := range e.SPs[0].SLO {
		if l := strings.TrimSpace(slo.Location); l != "" {
			m.LogoutURL = l
			break
		}
	}
	return m, nil
}

// Name suggests an app name for the metadata: the entity ID's host, or
// the entity ID itself when it is not a URL.
func (m SPMetadata) Name() string {
	if u, err := url.Parse(m.EntityID); err == nil && u.Host != "" {
		return u.Host + strings.TrimRight(u.Path, "/")
	}
	return m.EntityID
}

// metadataTimeout bounds fetching an SP's metadata from a URL.
const metadataTimeout = 15 * time.Second

// LoadMetadata reads SAML metadata from a file (relative to dir unless
// absolute) or an http(s) URL.
func LoadMetadata(ctx context.Context, client *http.Client, ref, dir string) ([]byte, error) {
	const max = 1 << 20
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		if client == nil {
			client = &http.Client{Timeout: metadataTimeout}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", ref, err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", ref, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetch %s: the server answered %s", ref, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, max))
	}
	path := ref
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the metadata file: %w", err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max))
}

// AddMetadataApp adds an app made from an SP's metadata, as `serve
// --sp-metadata` does: named after its entity ID (made unique), with the
// built-in app's claims and assignments.
func (f *File) AddMetadataApp(ref string, m SPMetadata) string {
	name := m.Name()
	taken := func(n string) bool {
		for _, a := range f.Apps {
			if strings.EqualFold(a.Name, n) {
				return true
			}
		}
		return false
	}
	for i := 2; taken(name); i++ {
		name = fmt.Sprintf("%s (%d)", m.Name(), i)
	}
	f.Apps = append(f.Apps, App{Name: name, Metadata: ref})
	f.sum += "+" + ref
	return name
}
