package mockidp

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

const (
	nsMetadata   = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig       = "http://www.w3.org/2000/09/xmldsig#"
	nsXSI        = "http://www.w3.org/2001/XMLSchema-instance"
	nsFed        = "http://docs.oasis-open.org/wsfed/federation/200706"
	nsAuth       = "http://docs.oasis-open.org/wsfed/authorization/200706"
	nsAddressing = "http://www.w3.org/2005/08/addressing"

	bindingRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	bindingPOST     = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
)

// utf8BOM starts Entra's metadata documents; consumers must cope with it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// claimTypesOffered is the fixed catalogue Entra's metadata lists,
// whatever the app's claims are: URI, display name, description.
var claimTypesOffered = [][3]string{
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "Name", "The mutable display name of the user."},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", "Subject", "An immutable, globally unique, non-reusable identifier of the user that is unique to the application for which a token is issued."},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "Given Name", "First name of the user."},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "Surname", "Last name of the user."},
	{"http://schemas.microsoft.com/identity/claims/displayname", "Display Name", "Display name of the user."},
	{"http://schemas.microsoft.com/identity/claims/nickname", "Nick Name", "Nick name of the user."},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationinstant", "Authentication Instant", "The time (UTC) when the user is authenticated to Windows Azure Active Directory."},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod", "Authentication Method", "The method that Windows Azure Active Directory uses to authenticate users."},
	{"http://schemas.microsoft.com/identity/claims/objectidentifier", "ObjectIdentifier", "Primary identifier for the user in the directory. Immutable, globally unique, non-reusable."},
	{"http://schemas.microsoft.com/identity/claims/tenantid", "TenantId", "Identifier for the user's tenant."},
	{"http://schemas.microsoft.com/identity/claims/identityprovider", "IdentityProvider", "Identity provider for the user."},
	{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "Email", "Email address of the user."},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", "Groups", "Groups of the user."},
	{"http://schemas.microsoft.com/identity/claims/accesstoken", "External Access Token", "Access token issued by external identity provider."},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/expiration", "External Access Token Expiration", "UTC expiration time of access token issued by external identity provider."},
	{"http://schemas.microsoft.com/identity/claims/openid2_id", "External OpenID 2.0 Identifier", "OpenID 2.0 identifier issued by external identity provider."},
	{"http://schemas.microsoft.com/claims/groups.link", "GroupsOverageClaim", "Issued when number of user's group claims exceeds return limit."},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "Role Claim", "Roles that the user or Service Principal is attached to"},
	{"http://schemas.microsoft.com/ws/2008/06/identity/claims/wids", "RoleTemplate Id Claim", "Role template id of the Built-in Directory Roles that the user is a member of"},
}

// handleMetadata serves the App Federation Metadata. With an appid the
// document carries that app's valid signing certificates (active first,
// then any rollover certificate) and is signed with the active one.
// Without an appid, or with one the tenant does not hold, it is the tenant
// federation metadata with the tenant-wide token signing key, which does
// not sign the app's responses: what Entra serves there too (inferred), so
// a wrong appid in the metadata URL fails later, at signature validation.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, ok := s.tenant(w, r, r.PathValue("tenant"))
	if !ok {
		return
	}
	body, err := s.metadata(ctx, t, r.URL.Query().Get("appid"))
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(body)
}

// metadata builds and signs the federation metadata for a tenant and app
// ("" for the tenant's).
func (s *Server) metadata(ctx context.Context, t directory.Tenant, appID string) ([]byte, error) {
	now := s.now()
	var signer directory.SigningKey
	var certs []directory.Certificate
	app, err := s.dir.App(ctx, appID)
	switch {
	case err == nil:
		if signer, err = s.signingKey(ctx, app.AppID, now); err != nil {
			return nil, err
		}
		all, err := s.dir.Certificates(ctx, app.AppID)
		if err != nil {
			return nil, err
		}
		certs = append(certs, signer.Certificate)
		for _, c := range all {
			if c.Thumbprint != signer.Thumbprint && c.ValidAt(now) {
				certs = append(certs, c)
			}
		}
	case appID == "" || errors.Is(err, directory.ErrNotFound):
		if appID != "" {
			s.log.Info("metadata for an unknown appid: serving the tenant-wide keys", "appid", appID)
		}
		if signer, err = s.dir.TenantSigningKey(ctx); err != nil {
			return nil, err
		}
		certs = []directory.Certificate{signer.Certificate}
	default:
		return nil, err
	}

	issuer := IssuerFor(t.ID)
	wsfed := s.wsfedURL(t.ID)
	login := s.loginURL(t.ID)
	keyDescriptors := func(parent *etree.Element) {
		for _, c := range certs {
			kd := parent.CreateElement("KeyDescriptor")
			kd.CreateAttr("use", "signing")
			ki := kd.CreateElement("KeyInfo")
			ki.CreateAttr("xmlns", nsDSig)
			ki.CreateElement("X509Data").CreateElement("X509Certificate").SetText(c.Base64())
		}
	}
	endpoint := func(parent *etree.Element, tag, address string) {
		ref := parent.CreateElement(tag).CreateElement("wsa:EndpointReference")
		ref.CreateAttr("xmlns:wsa", nsAddressing)
		ref.CreateElement("wsa:Address").SetText(address)
	}
	roleDescriptor := func(parent *etree.Element, typ string) *etree.Element {
		rd := parent.CreateElement("RoleDescriptor")
		rd.CreateAttr("xmlns:xsi", nsXSI)
		rd.CreateAttr("xmlns:fed", nsFed)
		rd.CreateAttr("xsi:type", typ)
		rd.CreateAttr("protocolSupportEnumeration", nsFed)
		keyDescriptors(rd)
		return rd
	}

	ed := etree.NewElement("EntityDescriptor")
	ed.CreateAttr("xmlns", nsMetadata)
	ed.CreateAttr("ID", s.samlID())
	ed.CreateAttr("entityID", issuer)

	sts := roleDescriptor(ed, "fed:SecurityTokenServiceType")
	offered := sts.CreateElement("fed:ClaimTypesOffered")
	for _, c := range claimTypesOffered {
		ct := offered.CreateElement("auth:ClaimType")
		ct.CreateAttr("Uri", c[0])
		ct.CreateAttr("xmlns:auth", nsAuth)
		ct.CreateElement("auth:DisplayName").SetText(c[1])
		ct.CreateElement("auth:Description").SetText(c[2])
	}
	endpoint(sts, "fed:SecurityTokenServiceEndpoint", wsfed)
	endpoint(sts, "fed:PassiveRequestorEndpoint", wsfed)

	appSvc := roleDescriptor(ed, "fed:ApplicationServiceType")
	endpoint(appSvc, "fed:TargetScopes", issuer)
	endpoint(appSvc, "fed:ApplicationServiceEndpoint", wsfed)
	endpoint(appSvc, "fed:PassiveRequestorEndpoint", wsfed)

	idp := ed.CreateElement("IDPSSODescriptor")
	idp.CreateAttr("protocolSupportEnumeration", "urn:oasis:names:tc:SAML:2.0:protocol")
	keyDescriptors(idp)
	for _, svc := range [][2]string{
		{"SingleLogoutService", bindingRedirect},
		{"SingleSignOnService", bindingRedirect},
		{"SingleSignOnService", bindingPOST},
	} {
		el := idp.CreateElement(svc[0])
		el.CreateAttr("Binding", svc[1])
		el.CreateAttr("Location", login)
	}

	if _, err := signAfter(ed, 0, signer, directory.SHA256); err != nil {
		return nil, err
	}
	body, err := serialize(ed)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(body) + 64)
	out.Write(utf8BOM)
	out.WriteString(`<?xml version="1.0" encoding="utf-8"?>`)
	out.Write(body)
	return out.Bytes(), nil
}
