package cognito

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/ssowiz/ssowiz/sp/accounts"
)

// maxMetadataBytes bounds a metadata download. Entra's app metadata is
// about 20 KB; a megabyte leaves room for aggregates and keeps a wrong URL
// (a large page) from being read whole.
const maxMetadataBytes = 1 << 20

// metadataRetry is how soon a failed refresh is tried again while the
// stale metadata stays in use.
const metadataRetry = 5 * time.Minute

// providerEntry is an organisation's identity provider as the pool holds
// it: the parsed metadata and the crewjam ServiceProvider built on it, both
// reused for every sign-in until the metadata is due for a refresh.
type providerEntry struct {
	metadataURL string
	encrypted   bool
	fetchedAt   time.Time
	expires     time.Time
	entity      *saml.EntityDescriptor
	// sp validates SP-initiated responses; callers that need other
	// settings (IdP-initiated) copy it.
	sp *saml.ServiceProvider
	// ssoURL is the IdP's HTTP-Redirect SingleSignOnService.
	ssoURL string
	// sloURL is its HTTP-Redirect SingleLogoutService ("" when it has
	// none), where the sign-out flow sends LogoutRequests.
	sloURL string
	// certs are the metadata's signing certificates, for a signed
	// LogoutResponse.
	certs []*x509.Certificate
}

// ForgetMetadata drops an organisation's cached metadata, so the next
// sign-in fetches it again (what updating the IdP in Cognito's console
// does). Without it, a changed certificate is only seen after the cache
// time.
func (p *Pool) ForgetMetadata(orgID string) {
	p.metaMu.Lock()
	delete(p.meta, orgID)
	p.metaMu.Unlock()
}

// MetadataFetchedAt reports when the organisation's metadata was last
// fetched, and whether it is cached at all.
func (p *Pool) MetadataFetchedAt(orgID string) (time.Time, bool) {
	p.metaMu.Lock()
	defer p.metaMu.Unlock()
	e, ok := p.meta[orgID]
	if !ok {
		return time.Time{}, false
	}
	return e.fetchedAt, true
}

// provider returns the organisation's identity provider, fetching its
// metadata when it is not cached, is due for a refresh, or the
// configuration changed. Concurrent sign-ins of one org share one fetch.
func (p *Pool) provider(ctx context.Context, org accounts.Org) (*providerEntry, error) {
	if org.SSO.ProviderName == "" || org.SSO.MetadataURL == "" {
		return nil, fmt.Errorf("organisation %q: %w", org.Name, ErrSSONotConfigured)
	}
	now := p.now()
	p.metaMu.Lock()
	cached := p.meta[org.ID]
	p.metaMu.Unlock()
	usable := cached != nil && cached.metadataURL == org.SSO.MetadataURL && cached.encrypted == org.SSO.EncryptedResponses
	if usable && now.Before(cached.expires) {
		return cached, nil
	}
	key := org.ID + "\x00" + org.SSO.MetadataURL
	v, err, _ := p.metaGroup.Do(key, func() (any, error) {
		e, err := p.loadProvider(ctx, org)
		if err != nil {
			return nil, err
		}
		p.metaMu.Lock()
		p.meta[org.ID] = e
		p.metaMu.Unlock()
		return e, nil
	})
	if err != nil {
		if usable {
			// Keep signing users in with what we have, as a cache would,
			// and try again a little later.
			p.log.Warn("identity provider metadata refresh failed; using the cached copy",
				"org", org.ID, "url", org.SSO.MetadataURL, "err", err)
			stale := *cached
			stale.expires = now.Add(metadataRetry)
			p.metaMu.Lock()
			p.meta[org.ID] = &stale
			p.metaMu.Unlock()
			return &stale, nil
		}
		return nil, err
	}
	return v.(*providerEntry), nil
}

func (p *Pool) loadProvider(ctx context.Context, org accounts.Org) (*providerEntry, error) {
	entity, err := p.fetchMetadata(ctx, org.SSO.MetadataURL)
	if err != nil {
		return nil, err
	}
	ssoURL, certs, err := checkMetadata(entity, p.now())
	if err != nil {
		return nil, fmt.Errorf("metadata from %s: %w", org.SSO.MetadataURL, err)
	}
	acs, err := url.Parse(p.acsURL)
	if err != nil {
		return nil, fmt.Errorf("ACS URL %q: %w", p.acsURL, err)
	}
	sp := &saml.ServiceProvider{
		EntityID:    p.entityID,
		AcsURL:      *acs,
		IDPMetadata: entity,
		Clock:       dsigClock(p.now),
		ReplayCache: p.replay,
		// Unspecified, sent as no Format at all: the IdP uses its
		// configured NameID (Entra: the UPN as emailAddress). crewjam's
		// default, transient, would give a new NameID and so a new user at
		// every sign-in.
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat,
	}
	if org.SSO.EncryptedResponses {
		key, cert, err := p.encryptionKey(ctx, org.ID)
		if err != nil {
			return nil, err
		}
		sp.EncryptionKey, sp.EncryptionCertificate = key, cert
	}
	now := p.now()
	return &providerEntry{
		metadataURL: org.SSO.MetadataURL,
		encrypted:   org.SSO.EncryptedResponses,
		fetchedAt:   now,
		expires:     now.Add(p.metadataTTL),
		entity:      entity,
		sp:          sp,
		ssoURL:      ssoURL,
		sloURL:      sloLocation(entity),
		certs:       certs,
	}, nil
}

// checkMetadataURL applies Cognito's rules for a metadata URL: https on
// port 443 (plain http and any port when the pool allows it, for loopback).
func (p *Pool) checkMetadataURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL: %w", raw, ErrMetadataURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.allowHTTP:
	default:
		return nil, fmt.Errorf("%q: the metadata URL must use https: %w", raw, ErrMetadataURL)
	}
	if !p.allowHTTP {
		if port := u.Port(); port != "" && port != "443" && port != "80" {
			return nil, fmt.Errorf("%q: the metadata URL must use port 443 or 80, not %s: %w", raw, port, ErrMetadataURL)
		}
	}
	return u, nil
}

func (p *Pool) fetchMetadata(ctx context.Context, raw string) (*saml.EntityDescriptor, error) {
	u, err := p.checkMetadataURL(raw)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch metadata from %s: %v: %w", raw, err, ErrMetadata)
	}
	resp, err := p.httpClient.Do(req)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, fmt.Errorf("fetch metadata from %s: the host %s was not found: %w", raw, dnsErr.Name, ErrMetadata)
		}
		return nil, fmt.Errorf("fetch metadata from %s: %v: %w", raw, err, ErrMetadata)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxMetadataBytes))
		return nil, fmt.Errorf("fetch metadata from %s: HTTP %s: %w", raw, resp.Status, ErrMetadata)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch metadata from %s: %v: %w", raw, err, ErrMetadata)
	}
	if len(body) > maxMetadataBytes {
		return nil, fmt.Errorf("fetch metadata from %s: larger than %d bytes, so not IdP metadata: %w", raw, maxMetadataBytes, ErrMetadata)
	}
	// Entra serves its federation metadata with a UTF-8 byte order mark,
	// which encoding/xml does not skip.
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	entity, err := parseMetadata(body)
	if err != nil {
		return nil, fmt.Errorf("metadata from %s is not SAML metadata (%v): %w", raw, err, ErrMetadata)
	}
	return entity, nil
}

// parseMetadata reads an EntityDescriptor, or the first entity with an
// IDPSSODescriptor in an EntitiesDescriptor. (samlsp.ParseMetadata does the
// same but would pull samlsp's JWT dependency into the module; the
// metadata's signature is not relied on, so crewjam's round-trip check
// adds nothing here.)
func parseMetadata(data []byte) (*saml.EntityDescriptor, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "EntitiesDescriptor" {
		entity := &saml.EntityDescriptor{}
		if err := xml.Unmarshal(data, entity); err != nil {
			return nil, err
		}
		return entity, nil
	}
	entities := &saml.EntitiesDescriptor{}
	if err := xml.Unmarshal(data, entities); err != nil {
		return nil, err
	}
	if e := firstIDP(entities); e != nil {
		return e, nil
	}
	return nil, errors.New("no entity with an IDPSSODescriptor")
}

func firstIDP(entities *saml.EntitiesDescriptor) *saml.EntityDescriptor {
	for i := range entities.EntityDescriptors {
		if len(entities.EntityDescriptors[i].IDPSSODescriptors) > 0 {
			return &entities.EntityDescriptors[i]
		}
	}
	for i := range entities.EntitiesDescriptors {
		if e := firstIDP(&entities.EntitiesDescriptors[i]); e != nil {
			return e
		}
	}
	return nil
}

// checkMetadata makes sure the metadata describes a SAML IdP the pool can
// use: an HTTP-Redirect SingleSignOnService and at least one signing
// certificate that is valid now (Cognito refuses an IdP whose certificate
// has expired). It returns the SSO location and the signing certificates.
func checkMetadata(e *saml.EntityDescriptor, now time.Time) (string, []*x509.Certificate, error) {
	if len(e.IDPSSODescriptors) == 0 {
		return "", nil, fmt.Errorf("no IDPSSODescriptor: %w", ErrMetadata)
	}
	var ssoURL string
	var certs []*x509.Certificate
	for _, d := range e.IDPSSODescriptors {
		for _, s := range d.SingleSignOnServices {
			if s.Binding == saml.HTTPRedirectBinding && ssoURL == "" {
				ssoURL = s.Location
			}
		}
		for _, kd := range d.KeyDescriptors {
			if kd.Use != "" && kd.Use != "signing" {
				continue
			}
			for _, c := range kd.KeyInfo.X509Data.X509Certificates {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Data), ""))
				if err != nil {
					return "", nil, fmt.Errorf("a signing certificate is not base64: %w", ErrMetadata)
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return "", nil, fmt.Errorf("a signing certificate cannot be parsed (%v): %w", err, ErrMetadata)
				}
				certs = append(certs, cert)
			}
		}
	}
	if ssoURL == "" {
		return "", nil, fmt.Errorf("no SingleSignOnService with the HTTP-Redirect binding: %w", ErrMetadata)
	}
	if len(certs) == 0 {
		return "", nil, fmt.Errorf("no signing certificate: %w", ErrMetadata)
	}
	for _, c := range certs {
		if !now.Before(c.NotBefore) && now.Before(c.NotAfter) {
			return ssoURL, certs, nil
		}
	}
	return "", nil, fmt.Errorf("every signing certificate has expired or is not yet valid (the first ends %s): %w",
		certs[0].NotAfter.UTC().Format(time.DateOnly), ErrMetadata)
}

// sloLocation is the metadata's first HTTP-Redirect SingleLogoutService,
// the only binding Entra takes a LogoutRequest on; "" when there is none.
func sloLocation(e *saml.EntityDescriptor) string {
	for _, d := range e.IDPSSODescriptors {
		for _, s := range d.SingleLogoutServices {
			if s.Binding == saml.HTTPRedirectBinding {
				return s.Location
			}
		}
	}
	return ""
}
