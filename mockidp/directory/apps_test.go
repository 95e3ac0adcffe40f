package directory

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // checking the thumbprint's definition
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCreateAppDefaults(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, err := d.CreateApp(ctx, "RudderStack")
	if err != nil {
		t.Fatal(err)
	}
	if !app.AssignmentRequired || app.SigningOption != SignAssertion || app.SigningAlgorithm != SHA256 {
		t.Errorf("defaults: assignment %v, option %s, algorithm %s", app.AssignmentRequired, app.SigningOption, app.SigningAlgorithm)
	}
	if app.NameID != DefaultNameID() || app.NameID.Format != NameIDEmailAddress {
		t.Errorf("Name ID = %+v", app.NameID)
	}
	if !reflect.DeepEqual(app.Claims, DefaultClaims()) {
		t.Errorf("claims = %+v", app.Claims)
	}
	wire := []string{}
	for _, c := range app.Claims {
		wire = append(wire, c.WireName())
	}
	if wire[2] != "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" {
		t.Errorf("wire names = %v", wire)
	}
	if app.AppID == app.ServicePrincipalID || len(app.AppID) != 36 {
		t.Errorf("ids %s %s", app.AppID, app.ServicePrincipalID)
	}
	if _, err := d.CreateApp(ctx, ""); err == nil {
		t.Error("an app without a name was created")
	}

	certs, err := d.Certificates(ctx, app.AppID)
	if err != nil || len(certs) != 1 || !certs[0].Active {
		t.Fatalf("certificates = %+v, %v", certs, err)
	}
	c := certs[0]
	x, err := c.X509()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(x.Raw) //nolint:gosec
	if c.Thumbprint != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Errorf("thumbprint %s is not the SHA-1 of the certificate", c.Thumbprint)
	}
	if x.Subject.String() != "CN="+SAMLCertCN || x.Issuer.String() != "CN="+SAMLCertCN {
		t.Errorf("subject %s issuer %s", x.Subject, x.Issuer)
	}
	if x.SignatureAlgorithm != x509.SHA256WithRSA || x.PublicKey.(*rsa.PublicKey).N.BitLen() != 2048 {
		t.Errorf("algorithm %s, %d bits", x.SignatureAlgorithm, x.PublicKey.(*rsa.PublicKey).N.BitLen())
	}
	if len(x.SerialNumber.Bytes()) != 16 || len(x.Extensions) != 0 || x.Version != 3 {
		t.Errorf("serial %d bytes, %d extensions, version %d", len(x.SerialNumber.Bytes()), len(x.Extensions), x.Version)
	}
	if !x.NotAfter.Equal(x.NotBefore.AddDate(3, 0, 0)) {
		t.Errorf("validity %s to %s", x.NotBefore, x.NotAfter)
	}
	if err := x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
}

func TestUpdateSAMLConfig(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, _ := d.CreateApp(ctx, "RudderStack")
	other, _ := d.CreateApp(ctx, "Other")
	const entity, acs = "urn:amazon:cognito:sp:us-east-1_ABZiTjXia", "https://auth2.rudderstack.com/saml2/idpresponse"
	good := func() SAMLConfig {
		return SAMLConfig{Identifiers: []Identifier{{Value: entity}}, ReplyURLs: []ReplyURL{{URL: acs}}}
	}
	one := 1
	for _, tc := range []struct {
		name      string
		edit      func(*SAMLConfig)
		field     string
		fragments []string
	}{
		{"no identifier", func(c *SAMLConfig) { c.Identifiers = nil }, "Identifier (Entity ID)", []string{"required"}},
		{"identifier with space", func(c *SAMLConfig) { c.Identifiers[0].Value = entity + " " }, "Identifier (Entity ID)", []string{"spaces"}},
		{"two default identifiers", func(c *SAMLConfig) {
			c.Identifiers = []Identifier{{Value: "a:1", Default: true}, {Value: "a:2", Default: true}}
		}, "Identifier (Entity ID)", []string{"only one"}},
		{"no reply URL", func(c *SAMLConfig) { c.ReplyURLs = nil }, "Reply URL (Assertion Consumer Service URL)", []string{"required"}},
		{"http reply URL", func(c *SAMLConfig) { c.ReplyURLs[0].URL = "http://auth2.rudderstack.com/saml2/idpresponse" }, "Reply URL (Assertion Consumer Service URL)", []string{"https"}},
		{"relative reply URL", func(c *SAMLConfig) { c.ReplyURLs[0].URL = "/saml2/idpresponse" }, "Reply URL (Assertion Consumer Service URL)", []string{"absolute URL"}},
		{"wildcard", func(c *SAMLConfig) { c.ReplyURLs[0].URL = "https://*.rudderstack.com/saml2" }, "Reply URL (Assertion Consumer Service URL)", []string{"wildcards"}},
		{"duplicate index", func(c *SAMLConfig) {
			c.ReplyURLs = []ReplyURL{{URL: acs, Index: &one}, {URL: acs + "2", Index: &one}}
		}, "Index", []string{"two reply URLs"}},
		{"bad sign on URL", func(c *SAMLConfig) { c.SignOnURL = "app.rudderstack.com/sso" }, "Sign on URL", []string{"absolute URL"}},
		{"bad logout URL", func(c *SAMLConfig) { c.LogoutURL = "ftp://x.example/slo" }, "Logout URL", []string{"https"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.edit(&c)
			_, err := d.UpdateSAMLConfig(ctx, app.AppID, c)
			wantFieldError(t, err, ErrInvalid, tc.field, tc.fragments...)
		})
	}

	// Values are stored verbatim, trailing slash and all; the first row
	// becomes the default.
	c := SAMLConfig{
		Identifiers: []Identifier{{Value: entity}, {Value: "https://app.rudderstack.com"}},
		ReplyURLs:   []ReplyURL{{URL: acs + "/"}, {URL: "http://127.0.0.1:8081/saml2/idpresponse", Index: &one}},
		SignOnURL:   "https://app.rudderstack.com/sso?domain=contoso.com",
		RelayState:  "state",
	}
	got, err := d.UpdateSAMLConfig(ctx, app.AppID, c)
	if err != nil {
		t.Fatal(err)
	}
	if got.DefaultIdentifier() != entity || got.DefaultReplyURL() != acs+"/" || *got.SAML.ReplyURLs[1].Index != 1 || got.SAML.SignOnURL != c.SignOnURL || got.SAML.RelayState != "state" {
		t.Fatalf("saved %+v", got.SAML)
	}
	if found, err := d.AppByIdentifier(ctx, entity); err != nil || found.AppID != app.AppID {
		t.Fatalf("AppByIdentifier: %v %v", found.AppID, err)
	}
	if _, err := d.AppByIdentifier(ctx, strings.ToUpper(entity)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("identifier matched case-insensitively: %v", err)
	}

	// An identifier belongs to one app in the tenant.
	_, err = d.UpdateSAMLConfig(ctx, other.AppID, good())
	wantFieldError(t, err, ErrConflict, "Identifier (Entity ID)", "RudderStack")
	if o, _ := d.App(ctx, other.AppID); len(o.SAML.Identifiers) != 0 {
		t.Fatal("a refused configuration was partly saved")
	}
}

func TestUpdateClaimsAndSigning(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, _ := d.CreateApp(ctx, "RudderStack")
	for _, tc := range []struct {
		name   string
		nameID NameIDConfig
		claims []Claim
		field  string
	}{
		{"unknown Name ID source", NameIDConfig{Source: "user.email", Format: NameIDEmailAddress}, nil, "Source attribute"},
		{"unknown format", NameIDConfig{Source: "user.mail", Format: "urn:x"}, nil, "Name identifier format"},
		{"transient is not offered", NameIDConfig{Source: "user.mail", Format: NameIDTransient}, nil, "Name identifier format"},
		{"claim without name", DefaultNameID(), []Claim{{Source: "user.mail"}}, "Name"},
		{"claim with user.email", DefaultNameID(), []Claim{{Name: "Email", Source: "user.email"}}, "Source attribute"},
		{"namespace not a URI", DefaultNameID(), []Claim{{Name: "Email", Namespace: "schemas", Source: "user.mail"}}, "Namespace"},
		{"restricted claim", DefaultNameID(), []Claim{{Name: "tenantid", Namespace: "http://schemas.microsoft.com/identity/claims", Source: "user.mail"}}, "Name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.UpdateClaims(ctx, app.AppID, tc.nameID, tc.claims)
			wantFieldError(t, err, ErrInvalid, tc.field)
		})
	}
	_, err := d.UpdateClaims(ctx, app.AppID, DefaultNameID(), []Claim{{Name: "Email", Source: "user.mail"}, {Name: "email", Source: "user.mail"}})
	wantFieldError(t, err, ErrConflict, "Name", "already exists")

	got, err := d.UpdateClaims(ctx, app.AppID, NameIDConfig{Source: "User.UserPrincipalName", Format: NameIDPersistent},
		[]Claim{{Name: "Email", Source: "user.mail"}, {Name: "LastName", Source: "user.displayname"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.NameID.Source != "user.userprincipalname" || got.Claims[1].WireName() != "LastName" || len(got.Claims) != 2 {
		t.Fatalf("saved %+v %+v", got.NameID, got.Claims)
	}
	if got, err := d.UpdateClaims(ctx, app.AppID, DefaultNameID(), nil); err != nil || len(got.Claims) != 0 {
		t.Fatalf("removing all claims: %+v %v", got.Claims, err)
	}

	if _, err := d.UpdateSigning(ctx, app.AppID, "both", SHA256); err == nil {
		t.Fatal("unknown signing option accepted")
	}
	if _, err := d.UpdateSigning(ctx, app.AppID, SignResponse, "SHA-512"); err == nil {
		t.Fatal("unknown algorithm accepted")
	}
	if got, err := d.UpdateSigning(ctx, app.AppID, SignResponseAndAssertion, SHA1); err != nil || !got.SigningOption.SignsResponse() || !got.SigningOption.SignsAssertion() || got.SigningAlgorithm != SHA1 {
		t.Fatalf("signing = %+v %v", got, err)
	}
	if err := d.SetAssignmentRequired(ctx, app.AppID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.App(ctx, app.AppID); got.AssignmentRequired {
		t.Fatal("assignment still required")
	}
}

func TestSourceAttributesResolve(t *testing.T) {
	u := User{ObjectID: "id", UserPrincipalName: "upn", Mail: "mail", DisplayName: "dn", Mobile: "m"}
	for _, a := range SourceAttributes() {
		if _, ok := u.Attribute(a.Name); !ok {
			t.Errorf("listed source %s does not resolve", a.Name)
		}
	}
	if v, _ := u.Attribute("USER.MAIL"); v != "mail" {
		t.Errorf("user.mail = %q", v)
	}
	if _, ok := u.Attribute("user.email"); ok {
		t.Error("user.email resolves, but Entra has no such attribute")
	}
}

func TestCertificateRollover(t *testing.T) {
	d, clk := newTestDirectory(t)
	ctx := context.Background()
	app, _ := d.CreateApp(ctx, "RudderStack")
	first, _ := d.Certificates(ctx, app.AppID)
	if _, err := d.AddCertificate(ctx, app.AppID, t0.AddDate(4, 0, 0)); err == nil {
		t.Fatal("a certificate valid for four years was made")
	}
	next, err := d.AddCertificate(ctx, app.AppID, t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if next.Active {
		t.Fatal("a new certificate started active")
	}
	key, err := d.SigningKey(ctx, app.AppID, clk.Now())
	if err != nil || key.Thumbprint != first[0].Thumbprint {
		t.Fatalf("signing key before rollover: %v %v", key.Thumbprint, err)
	}
	if err := d.DeleteCertificate(ctx, app.AppID, first[0].Thumbprint); !errors.Is(err, ErrWrongState) {
		t.Fatalf("deleting the active certificate: %v", err)
	}
	if err := d.ActivateCertificate(ctx, app.AppID, strings.ToLower(next.Thumbprint)); err != nil {
		t.Fatal(err)
	}
	certs, _ := d.Certificates(ctx, app.AppID)
	active := 0
	for _, c := range certs {
		if c.Active {
			active++
			if c.Thumbprint != next.Thumbprint {
				t.Fatalf("active = %s", c.Thumbprint)
			}
		}
	}
	if active != 1 || len(certs) != 2 {
		t.Fatalf("%d certificates, %d active", len(certs), active)
	}
	// When the active certificate has expired, a valid inactive one signs.
	clk.Advance(400 * 24 * time.Hour)
	key, err = d.SigningKey(ctx, app.AppID, clk.Now())
	if err != nil || key.Thumbprint != first[0].Thumbprint {
		t.Fatalf("fallback key: %v %v", key.Thumbprint, err)
	}
	if err := d.ActivateCertificate(ctx, app.AppID, next.Thumbprint); !errors.Is(err, ErrWrongState) {
		t.Fatalf("activating an expired certificate: %v", err)
	}
	clk.Advance(3 * 365 * 24 * time.Hour)
	if _, err := d.SigningKey(ctx, app.AppID, clk.Now()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("all expired: %v", err)
	}
}

func TestProvisioningConfig(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, _ := d.CreateApp(ctx, "RudderStack")
	c, err := d.Provisioning(ctx, app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Scope != ScopeAssigned || !c.ProvisionGroups || !c.Actions.Delete || c.Enabled || c.Interval != 40*time.Minute {
		t.Fatalf("defaults = %+v", c)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*ProvisioningConfig)
		field string
	}{
		{"on without URL", func(c *ProvisioningConfig) { c.Enabled = true }, "Tenant URL"},
		{"plain http", func(c *ProvisioningConfig) { c.TenantURL = "http://api.rudderstack.com/scim/v2" }, "Tenant URL"},
		{"not a URL", func(c *ProvisioningConfig) { c.TenantURL = "api.rudderstack.com" }, "Tenant URL"},
		{"scope", func(c *ProvisioningConfig) { c.Scope = "some" }, "Scope"},
		{"interval", func(c *ProvisioningConfig) { c.Interval = time.Second }, "Cycle interval"},
		{"token with newline", func(c *ProvisioningConfig) { c.SecretToken = NewSecret("a\nb") }, "Secret Token"},
		{"mappings", func(c *ProvisioningConfig) { c.Mappings = json.RawMessage("{") }, "Mappings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultProvisioning()
			tc.edit(&c)
			_, err := d.UpdateProvisioning(ctx, app.AppID, c)
			wantFieldError(t, err, ErrInvalid, tc.field)
		})
	}

	const token = "rudder-pat-0123456789abcdef"
	var logs bytes.Buffer
	d.log = slog.New(slog.NewTextHandler(&logs, nil))
	c = DefaultProvisioning()
	c.TenantURL = "https://api.rudderstack.com/scim/v2?aadOptscim062020"
	c.SecretToken = NewSecret(token)
	c.Enabled = true
	c.ProvisionGroups = false
	c.Interval = 5 * time.Minute
	c.Mappings = json.RawMessage(`{"user":[]}`)
	saved, err := d.UpdateProvisioning(ctx, app.AppID, c)
	if err != nil {
		t.Fatal(err)
	}
	if saved.SecretToken.Reveal() != token || saved.TenantURL != c.TenantURL || saved.ProvisionGroups || saved.Interval != 5*time.Minute || string(saved.Mappings) != `{"user":[]}` {
		t.Fatalf("saved %+v", saved)
	}
	js, _ := json.Marshal(saved)
	for _, s := range []string{fmt.Sprint(saved), fmt.Sprintf("%+v", saved), fmt.Sprintf("%#v", saved), string(js), logs.String()} {
		if strings.Contains(s, token) {
			t.Errorf("the secret token leaks: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "[redacted]") {
		t.Errorf("log does not show the redaction: %s", logs.String())
	}
}

// The read cache never serves a value older than the last write, even
// with readers racing writers.
func TestCacheFollowsWrites(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, _ := d.CreateApp(ctx, "RudderStack")
	u := mustUser(t, d, "adele")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			d.App(ctx, app.AppID)
			d.IsAssigned(ctx, app.AppID, u.ObjectID)
			d.Users(ctx)
		}
	}()
	for i := 0; i < 20; i++ {
		opt := []SigningOption{SignAssertion, SignResponse}[i%2]
		if _, err := d.UpdateSigning(ctx, app.AppID, opt, SHA256); err != nil {
			t.Fatal(err)
		}
		if got, _ := d.App(ctx, app.AppID); got.SigningOption != opt {
			t.Fatalf("read %s right after writing %s", got.SigningOption, opt)
		}
		assign := i%2 == 0
		if assign {
			d.Assign(ctx, app.AppID, u.ObjectID)
		} else {
			d.Unassign(ctx, app.AppID, u.ObjectID)
		}
		if ok, _ := d.IsAssigned(ctx, app.AppID, u.ObjectID); ok != assign {
			t.Fatalf("assigned = %v right after setting %v", ok, assign)
		}
	}
	<-done
	// A caller changing a returned App does not change the cached one.
	got, _ := d.App(ctx, app.AppID)
	got.Claims[0].Name = "changed"
	if again, _ := d.App(ctx, app.AppID); again.Claims[0].Name == "changed" {
		t.Fatal("the cache handed out its own copy")
	}
}
