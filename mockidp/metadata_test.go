package mockidp

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

func certsOf(t *testing.T, b64s ...string) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for _, s := range b64s {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func TestMetadataShape(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	raw := h.metadataBytes(h.appID())
	if !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><EntityDescriptor ")) {
		t.Fatalf("metadata does not start with a BOM, the declaration and EntityDescriptor: %q", raw[:60])
	}
	if bytes.Contains(raw, []byte("validUntil")) || bytes.Contains(raw, []byte("cacheDuration")) || bytes.Contains(raw, []byte("NameIDFormat")) || bytes.Contains(raw, []byte(`use="encryption"`)) {
		t.Error("metadata carries validUntil, cacheDuration, NameIDFormat or an encryption key, which Entra's does not")
	}
	ed := parseXML(t, bytes.TrimPrefix(raw, utf8BOM))
	if g := strings.Join(attrKeys(ed), " "); g != "xmlns ID entityID" {
		t.Errorf("EntityDescriptor attributes %s", g)
	}
	issuer := "https://sts.windows.net/" + h.tenantID() + "/"
	if ed.SelectAttrValue("entityID", "") != issuer || !strings.HasPrefix(ed.SelectAttrValue("ID", ""), "_") {
		t.Errorf("entityID %s ID %s", ed.SelectAttrValue("entityID", ""), ed.SelectAttrValue("ID", ""))
	}
	kids := ed.ChildElements()
	if g := strings.Join(childTags(ed), " "); g != "Signature RoleDescriptor RoleDescriptor IDPSSODescriptor" {
		t.Fatalf("EntityDescriptor children %s", g)
	}
	if kids[1].SelectAttrValue("xsi:type", "") != "fed:SecurityTokenServiceType" || kids[2].SelectAttrValue("xsi:type", "") != "fed:ApplicationServiceType" {
		t.Errorf("RoleDescriptor types %s, %s", kids[1].SelectAttrValue("xsi:type", ""), kids[2].SelectAttrValue("xsi:type", ""))
	}
	if g := strings.Join(childTags(kids[1]), " "); g != "KeyDescriptor fed:ClaimTypesOffered fed:SecurityTokenServiceEndpoint fed:PassiveRequestorEndpoint" {
		t.Errorf("STS RoleDescriptor children %s", g)
	}
	if n := len(kids[1].FindElements("./fed:ClaimTypesOffered/auth:ClaimType")); n != 19 {
		t.Errorf("%d offered claim types", n)
	}
	if g := strings.Join(childTags(kids[2]), " "); g != "KeyDescriptor fed:TargetScopes fed:ApplicationServiceEndpoint fed:PassiveRequestorEndpoint" {
		t.Errorf("application RoleDescriptor children %s", g)
	}
	wsfed := h.ts.URL + "/" + h.tenantID() + "/wsfed"
	for _, a := range ed.FindElements("//wsa:Address") {
		if a.Text() != wsfed && a.Text() != issuer {
			t.Errorf("WS-Fed address %s", a.Text())
		}
	}
	login := h.ts.URL + "/" + h.tenantID() + "/saml2"
	var services []string
	for _, s := range kids[3].ChildElements()[1:] {
		services = append(services, s.Tag+" "+strings.TrimPrefix(s.SelectAttrValue("Binding", ""), "urn:oasis:names:tc:SAML:2.0:bindings:")+" "+s.SelectAttrValue("Location", ""))
	}
	want := []string{"SingleLogoutService HTTP-Redirect " + login, "SingleSignOnService HTTP-Redirect " + login, "SingleSignOnService HTTP-POST " + login}
	if strings.Join(services, "\n") != strings.Join(want, "\n") {
		t.Errorf("IDPSSODescriptor services:\n%s", strings.Join(services, "\n"))
	}

	// The same (active) certificate in all three KeyDescriptors and in the
	// signature.
	certs, _ := h.dir.Certificates(ctx, h.appID())
	active := certs[0].Base64()
	kds := ed.FindElements("//KeyDescriptor")
	if len(kds) != 3 {
		t.Fatalf("%d KeyDescriptors", len(kds))
	}
	for _, kd := range append(kds, kids[0]) {
		if c := kd.FindElement(".//X509Certificate").Text(); c != active {
			t.Errorf("%s carries another certificate", kd.Tag)
		}
		if kd.Tag == "KeyDescriptor" && kd.SelectAttrValue("use", "") != "signing" {
			t.Error("KeyDescriptor use is not signing")
		}
	}

	// crewjam parses it, BOM and all, and its signature verifies with the
	// app's certificate and not with another.
	md, err := samlsp.ParseMetadata(raw)
	if err != nil {
		t.Fatalf("ParseMetadata: %v", err)
	}
	if md.EntityID != issuer || len(md.IDPSSODescriptors) != 1 {
		t.Errorf("crewjam read %s with %d IDP descriptors", md.EntityID, len(md.IDPSSODescriptors))
	}
	if _, err := saml.VerifyMetadataSignature(bytes.TrimPrefix(raw, utf8BOM), certsOf(t, active)); err != nil {
		t.Errorf("the metadata signature does not verify: %v", err)
	}
	tk, _ := h.dir.TenantSigningKey(ctx)
	if _, err := saml.VerifyMetadataSignature(bytes.TrimPrefix(raw, utf8BOM), certsOf(t, tk.Base64())); err == nil {
		t.Error("the metadata signature verifies with an unrelated certificate")
	}
	if _, err := samlsp.ParseSignedMetadata(bytes.TrimPrefix(raw, utf8BOM), certsOf(t, active)); err != nil {
		t.Errorf("ParseSignedMetadata: %v", err)
	}
}

func TestMetadataRollover(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	next, err := h.dir.AddCertificate(ctx, h.appID(), t0.AddDate(2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	raw := h.metadataBytes(h.appID())
	ed := parseXML(t, bytes.TrimPrefix(raw, utf8BOM))
	certs, _ := h.dir.Certificates(ctx, h.appID())
	for _, section := range ed.ChildElements()[1:] {
		var got []string
		for _, c := range section.FindElements("./KeyDescriptor//X509Certificate") {
			got = append(got, c.Text())
		}
		if len(got) != 2 || got[0] != certs[0].Base64() || got[1] != next.Base64() {
			t.Errorf("%s: certificates are not the active then the new one", section.Tag)
		}
	}
	if sig := ed.FindElement("./Signature//X509Certificate").Text(); sig != certs[0].Base64() {
		t.Error("metadata not signed with the active certificate")
	}
	// An SP that loaded the metadata before the switch keeps working after
	// "Make certificate active".
	sp := h.sp(raw, false)
	if err := h.dir.ActivateCertificate(ctx, h.appID(), next.Thumbprint); err != nil {
		t.Fatal(err)
	}
	q := h.defaultRequest()
	got := h.posted(h.signIn(q, "AdeleV"))
	if !strings.Contains(string(got.xml), next.Base64()) {
		t.Fatal("the response is not signed with the newly active certificate")
	}
	h.verify(sp, got, q.ID)
}

// Without an appid, or with one the tenant does not hold, Entra serves the
// tenant metadata with the tenant-wide key: it parses, but the app's
// responses do not verify against it.
func TestMetadataTenantFallback(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	tk, _ := h.dir.TenantSigningKey(ctx)
	for _, appid := range []string{"", "00000000-1111-2222-3333-444444444444"} {
		raw := h.metadataBytes(appid)
		ed := parseXML(t, bytes.TrimPrefix(raw, utf8BOM))
		if c := ed.FindElement("./IDPSSODescriptor/KeyDescriptor//X509Certificate").Text(); c != tk.Base64() {
			t.Errorf("appid %q: not the tenant key", appid)
		}
		x, _ := tk.X509()
		if x.Subject.CommonName != "accounts.accesscontrol.windows.net" {
			t.Errorf("tenant certificate CN %s", x.Subject.CommonName)
		}
		if _, err := saml.VerifyMetadataSignature(bytes.TrimPrefix(raw, utf8BOM), certsOf(t, tk.Base64())); err != nil {
			t.Errorf("tenant metadata signature: %v", err)
		}
		q := h.defaultRequest()
		h.newBrowser()
		got := h.posted(h.signIn(q, "AdeleV"))
		sp := h.sp(raw, false)
		if _, err := sp.ParseXMLResponse(got.xml, []string{q.ID}, sp.AcsURL); err == nil {
			t.Errorf("appid %q: the app's response verified against the tenant keys", appid)
		}
	}
}

func TestMetadataURLs(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{
		"/" + strings.ToUpper(h.tenantID()) + "/FederationMetadata/2007-06/FederationMetadata.xml?appid=" + h.appID(),
		"/contoso.onmicrosoft.com/federationmetadata/2007-06/federationmetadata.xml?appid=" + strings.ToUpper(h.appID()),
	} {
		p := h.get(h.ts.URL + path)
		if p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "application/xml") {
			t.Errorf("%s: %d %s", path, p.status, p.header.Get("Content-Type"))
		}
		if _, err := samlsp.ParseMetadata([]byte(p.body)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		// Whatever the path says, the URLs inside are the canonical ones.
		if !strings.Contains(p.body, h.ts.URL+"/"+h.tenantID()+"/saml2") {
			t.Errorf("%s: the SSO URL is not built from BaseURL and the tenant ID", path)
		}
	}
	p := h.get(h.ts.URL + "/fabrikam.onmicrosoft.com/federationmetadata/2007-06/federationmetadata.xml?appid=" + h.appID())
	h.wantError(p, "AADSTS90002", "fabrikam.onmicrosoft.com")
}

func TestSetupValues(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	v, err := h.srv.Setup(ctx, h.appID())
	if err != nil {
		t.Fatal(err)
	}
	tid := h.tenantID()
	want := SetupValues{
		AppFederationMetadataURL: h.ts.URL + "/" + tid + "/federationmetadata/2007-06/federationmetadata.xml?appid=" + h.appID(),
		LoginURL:                 h.ts.URL + "/" + tid + "/saml2",
		MicrosoftEntraIdentifier: "https://sts.windows.net/" + tid + "/",
		LogoutURL:                h.ts.URL + "/" + tid + "/saml2",
		UserAccessURL:            h.ts.URL + "/api/signin/" + h.appID() + "?tenantId=" + tid,
	}
	certs, _ := h.dir.Certificates(ctx, h.appID())
	want.CertificateThumbprint, want.CertificateExpiry = certs[0].Thumbprint, certs[0].NotAfter
	if v != want {
		t.Errorf("setup values\n%+v\nwant\n%+v", v, want)
	}
	if _, err := h.srv.Setup(ctx, "00000000-1111-2222-3333-444444444444"); err == nil {
		t.Error("setup values for an unknown app")
	}
	// The metadata URL it gives is served.
	if _, err := samlsp.ParseMetadata([]byte(h.get(v.AppFederationMetadataURL).body)); err != nil {
		t.Error(err)
	}
}
