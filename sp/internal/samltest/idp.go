package samltest

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
)

// User is who the IdP signs in at its SSO endpoint.
type User struct {
	NameID string
	// Attrs are the configured claims (Email, LastName).
	Attrs []Attr
}

// IdP is an Entra-shaped identity provider for one tenant and app.
type IdP struct {
	// Tenant is the tenant GUID.
	Tenant string
	// BaseURL is where Handler is served, e.g. https://login.microsoftonline.com.
	BaseURL string
	// Key signs responses and metadata.
	Key *Key
	// ExtraCerts are published in the metadata too (certificate rollover).
	ExtraCerts []*Key
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu sync.Mutex
	// user is who the SSO endpoint signs in; tweak changes each response
	// before it is built.
	user  User
	tweak func(*Response)
	// requests are the AuthnRequests received, oldest first.
	requests []*saml.AuthnRequest
	// metadataHits counts metadata downloads; metadataDown makes them
	// fail.
	metadataHits int
	metadataDown bool
}

func (i *IdP) now() time.Time {
	if i.Now == nil {
		return time.Now()
	}
	return i.Now()
}

// EntityID is Entra's issuer for the tenant.
func (i *IdP) EntityID() string { return "https://sts.windows.net/" + i.Tenant + "/" }

// SSOURL is the tenant's SAML endpoint.
func (i *IdP) SSOURL() string { return i.BaseURL + "/" + i.Tenant + "/saml2" }

// MetadataURL is the App Federation Metadata URL.
func (i *IdP) MetadataURL() string {
	return i.BaseURL + "/" + i.Tenant + "/federationmetadata/2007-06/federationmetadata.xml?appid=00000000-0000-0000-0000-00000000a001"
}

// SetUser chooses who the SSO endpoint signs in, and an optional change
// to each response it builds.
func (i *IdP) SetUser(u User, tweak func(*Response)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.user, i.tweak = u, tweak
}

// Requests returns the AuthnRequests received so far.
func (i *IdP) Requests() []*saml.AuthnRequest {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]*saml.AuthnRequest(nil), i.requests...)
}

// SetKeys replaces the signing key and the extra certificates the
// metadata publishes (a certificate rotation), safely while serving.
func (i *IdP) SetKeys(key *Key, extra []*Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.Key, i.ExtraCerts = key, extra
}

func (i *IdP) keys() (*Key, []*Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.Key, i.ExtraCerts
}

// SetMetadataDown makes metadata downloads answer 503 (down) or work again.
func (i *IdP) SetMetadataDown(down bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.metadataDown = down
}

// MetadataHits is how many times the metadata was downloaded.
func (i *IdP) MetadataHits() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.metadataHits
}

// Metadata is the App Federation Metadata: a byte order mark, a signed
// EntityDescriptor with a WS-Fed RoleDescriptor before the IDPSSODescriptor,
// and every certificate as a signing KeyDescriptor.
func (i *IdP) Metadata() ([]byte, error) {
	key, extra := i.keys()
	var kds strings.Builder
	for _, k := range append([]*Key{key}, extra...) {
		kds.WriteString(`<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>` +
			base64.StdEncoding.EncodeToString(k.Cert.Raw) + `</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`)
	}
	ed, err := parse(`<EntityDescriptor ID="_` + i.Tenant + `" entityID="` + esc(i.EntityID()) + `" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
		`<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">` +
		kds.String() +
		`<fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>` + esc(i.BaseURL+"/"+i.Tenant+"/wsfed") + `</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint>` +
		`</RoleDescriptor>` +
		`<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + kds.String() +
		`<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + esc(i.SSOURL()) + `"/>` +
		`<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + esc(i.SSOURL()) + `"/>` +
		`<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + esc(i.SSOURL()) + `"/>` +
		`</IDPSSODescriptor></EntityDescriptor>`)
	if err != nil {
		return nil, err
	}
	signed, err := Sign(key, ed)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="utf-8"`)
	doc.AddChild(signed)
	b, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	return append([]byte("\xef\xbb\xbf"), b...), nil
}

// Handler serves the metadata and the HTTP-Redirect SSO endpoint. The SSO
// endpoint decodes the AuthnRequest, signs the current user in without a
// login page, and answers with the auto-posting form Entra sends, with the
// assertion signed (Entra's default signing option).
func (i *IdP) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+i.Tenant+"/federationmetadata/2007-06/federationmetadata.xml", func(w http.ResponseWriter, r *http.Request) {
		i.mu.Lock()
		i.metadataHits++
		down := i.metadataDown
		i.mu.Unlock()
		if down {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		b, err := i.Metadata()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		_, _ = w.Write(b)
	})
	mux.HandleFunc("GET /"+i.Tenant+"/saml2", func(w http.ResponseWriter, r *http.Request) {
		req, err := DecodeRedirectRequest(r.URL.Query().Get("SAMLRequest"))
		if err != nil {
			http.Error(w, "AADSTS750054: "+err.Error(), http.StatusBadRequest)
			return
		}
		i.mu.Lock()
		i.requests = append(i.requests, req)
		u, tweak := i.user, i.tweak
		i.mu.Unlock()
		resp := Response{
			InResponseTo: req.ID, ACS: req.AssertionConsumerServiceURL, Audience: req.Issuer.Value,
			NameID: u.NameID, Attrs: u.Attrs, SignAssertion: true,
		}
		if tweak != nil {
			tweak(&resp)
		}
		doc, err := i.Build(resp)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		WriteAutoPost(w, resp.ACS, Encode(doc), r.URL.Query().Get("RelayState"), r.URL.Query().Has("RelayState"))
	})
	return mux
}

// DecodeRedirectRequest reads an HTTP-Redirect SAMLRequest: base64, then
// raw DEFLATE, then XML.
func DecodeRedirectRequest(v string) (*saml.AuthnRequest, error) {
	if v == "" {
		return nil, fmt.Errorf("no SAMLRequest")
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("SAMLRequest is not base64: %w", err)
	}
	x, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), 1<<20))
	if err != nil {
		return nil, fmt.Errorf("SAMLRequest is not deflated: %w", err)
	}
	var req saml.AuthnRequest
	if err := xml.Unmarshal(x, &req); err != nil {
		return nil, fmt.Errorf("SAMLRequest is not an AuthnRequest: %w", err)
	}
	if req.Issuer == nil {
		return nil, fmt.Errorf("AuthnRequest has no Issuer")
	}
	return &req, nil
}

var autoPost = template.Must(template.New("post").Parse(`<html><head><title>Working...</title></head><body>` +
	`<form method="POST" name="hiddenform" action="{{.Action}}">` +
	`<input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}" />` +
	`{{if .HasRelayState}}<input type="hidden" name="RelayState" value="{{.RelayState}}" />{{end}}` +
	`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>` +
	`</form><script language="javascript">window.setTimeout(function(){document.forms[0].submit();}, 0);</script></body></html>`))

// WriteAutoPost writes Entra's auto-posting response form.
func WriteAutoPost(w http.ResponseWriter, action, samlResponse, relayState string, hasRelayState bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = autoPost.Execute(w, map[string]any{
		"Action": action, "SAMLResponse": samlResponse, "RelayState": relayState, "HasRelayState": hasRelayState,
	})
}
