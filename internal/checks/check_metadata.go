package checks

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/mockidp"
)

// expiryWarning is how long before its expiry a signing certificate is
// worth a warning: Entra starts e-mailing expiry notices 60 days ahead.
const expiryWarning = 60 * 24 * time.Hour

// maxMetadata bounds the metadata read; Entra's is a few kilobytes.
const maxMetadata = 1 << 20

// certificate is the app's active signing certificate as the SAML
// Certificates section shows it, and what to do when it is (about to be)
// unusable.
type certificate struct {
	thumbprint       string
	notBefore, until time.Time
	// state is "ok", "expiring" (within expiryWarning) or "invalid" (none
	// active, expired or not yet valid).
	state string
	fix   Remediation
}

func (r *rehearsal) certificate(ctx context.Context) certificate {
	c := certificate{state: "invalid"}
	c.fix = Remediation{Screen: appScreen(r.s, screenCertificates), Label: "SAML Signing Certificate › Expiration",
		Fix: "Add a new certificate, make it active, and let RudderStack fetch the metadata again (it caches it for up to 6 hours) before the old one expires."}
	certs, err := r.m.lab.Directory.Certificates(ctx, r.m.appID)
	if err != nil {
		c.fix.Problem = "the app's certificates could not be read: " + err.Error()
		return c
	}
	now := r.now()
	for _, cert := range certs {
		if !cert.Active {
			continue
		}
		c.thumbprint, c.notBefore, c.until = cert.Thumbprint, cert.NotBefore, cert.NotAfter
		c.fix.Value = cert.NotAfter.UTC().Format(time.DateOnly)
		switch left := cert.NotAfter.Sub(now); {
		case !cert.ValidAt(now):
			c.fix.Problem = "the active signing certificate is not valid now, so Entra cannot sign responses (AADSTS50003) or publish usable metadata, and RudderStack refuses it."
		case left < expiryWarning:
			c.state = "expiring"
			c.fix.Problem = fmt.Sprintf("the active signing certificate expires in %d days; sign-in stops working then.", int(left.Hours()/24))
		default:
			c.state = "ok"
		}
		return c
	}
	c.fix.Problem = "the app has no active signing certificate."
	return c
}

// checkMetadata is check 2: the App Federation Metadata URL serves this
// app's Entra metadata, RudderStack holds the URL and accepts the
// metadata, and the certificate is valid and not close to expiry.
func checkMetadata(ctx context.Context, r *rehearsal) Result {
	var res Result
	fail := func(summary string, rs ...Remediation) Result {
		res.Status, res.Summary, res.Remediations = Fail, summary, append(res.Remediations, rs...)
		return res
	}
	app, err := r.m.app(ctx)
	if err != nil {
		return fail("The app's SAML values could not be read: " + err.Error())
	}
	res.Details = append(res.Details, "App Federation Metadata URL: "+app.AppFederationMetadataURL)
	cert := r.certificate(ctx)
	if cert.thumbprint != "" {
		res.Details = append(res.Details, fmt.Sprintf("Active signing certificate %s: valid %s to %s.", cert.thumbprint,
			cert.notBefore.UTC().Format(time.DateOnly), cert.until.UTC().Format(time.DateOnly)))
	}
	if cert.state == "invalid" {
		return fail("The app has no valid signing certificate: "+cert.fix.Problem, cert.fix)
	}

	r.progress("fetching the App Federation Metadata")
	entity, err := fetchMetadata(ctx, r.m.lab.Client(), app.AppFederationMetadataURL)
	if err != nil {
		return fail("The App Federation Metadata URL does not serve usable metadata: " + err.Error())
	}
	if entity.EntityID != app.EntraIdentifier {
		return fail(fmt.Sprintf("The metadata's entityID is %q, not this tenant's Microsoft Entra Identifier %q.", entity.EntityID, app.EntraIdentifier))
	}
	sso, certs := idpEndpoints(entity)
	if sso != app.LoginURL {
		return fail(fmt.Sprintf("The metadata's HTTP-Redirect sign-on URL is %q, not the app's Login URL %q.", sso, app.LoginURL))
	}
	res.Details = append(res.Details, fmt.Sprintf("Entra's metadata: entityID %s, sign-on URL %s, %s.", entity.EntityID, sso, plural.Count(len(certs), "signing certificate")))
	found := false
	for _, c := range certs {
		sum := sha1.Sum(c.Raw)
		found = found || strings.EqualFold(hex.EncodeToString(sum[:]), cert.thumbprint)
	}
	if !found {
		return fail(fmt.Sprintf("The active signing certificate (thumbprint %s) is not in the metadata.", cert.thumbprint))
	}

	org, err := r.m.lab.Accounts.GetOrg(ctx, r.m.orgID)
	if err != nil {
		return fail("RudderStack's organisation could not be read: " + err.Error())
	}
	if org.SSO.MetadataURL != app.AppFederationMetadataURL {
		rm := r.metadataRemedy("RudderStack holds another metadata URL than this app's.")
		rm.Value = org.SSO.MetadataURL
		return fail("RudderStack holds another App Federation Metadata URL than this app's.", rm)
	}
	r.progress("RudderStack loading the metadata")
	summary, details, ok := r.spAcceptsMetadata(ctx, sso)
	res.Details = append(res.Details, details...)
	if !ok {
		return fail(summary, r.metadataRemedy("RudderStack does not accept the metadata."))
	}

	until := cert.until.UTC().Format(time.DateOnly)
	if cert.state == "expiring" {
		res.Status, res.Summary = Warn, fmt.Sprintf("RudderStack accepts this app's metadata, but the signing certificate expires on %s, %s.", until, strings.TrimSuffix(strings.TrimPrefix(cert.fix.Problem, "the active signing certificate expires "), "; sign-in stops working then."))
		res.Remediations = append(res.Remediations, cert.fix)
		return res
	}
	res.Status = Pass
	res.Summary = fmt.Sprintf("RudderStack accepts this app's metadata; the signing certificate is valid until %s.", until)
	return res
}

// fetchMetadata GETs a metadata URL as RudderStack's user pool does and
// reads the EntityDescriptor.
func fetchMetadata(ctx context.Context, client *http.Client, url string) (*saml.EntityDescriptor, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata))
	if err != nil {
		return nil, err
	}
	if code, msg, ok := mockidp.ParseErrorPage(string(body)); ok {
		return nil, fmt.Errorf("Entra answered %s: %s", code, firstLine(msg))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	// Entra serves its metadata with a UTF-8 byte order mark.
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var e saml.EntityDescriptor
	if err := xml.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("not SAML metadata: %w", err)
	}
	return &e, nil
}

// idpEndpoints returns the IdP's HTTP-Redirect sign-on URL and its signing
// certificates.
func idpEndpoints(e *saml.EntityDescriptor) (string, []*x509.Certificate) {
	var sso string
	var certs []*x509.Certificate
	for _, d := range e.IDPSSODescriptors {
		for _, s := range d.SingleSignOnServices {
			if s.Binding == saml.HTTPRedirectBinding && sso == "" {
				sso = s.Location
			}
		}
		for _, kd := range d.KeyDescriptors {
			if kd.Use != "" && kd.Use != "signing" {
				continue
			}
			for _, xc := range kd.KeyInfo.X509Data.X509Certificates {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(xc.Data), ""))
				if err != nil {
					continue
				}
				if c, err := x509.ParseCertificate(der); err == nil {
					certs = append(certs, c)
				}
			}
		}
	}
	return sso, certs
}

// spAcceptsMetadata starts a sign-in at RudderStack's /sso and sees where
// it is sent: RudderStack loads the metadata it holds and redirects to the
// sign-on URL in it, or shows an error page when it cannot use it.
func (r *rehearsal) spAcceptsMetadata(ctx context.Context, sso string) (string, []string, bool) {
	b, err := r.browser("RudderStack loads the metadata")
	if err != nil {
		return "The browser could not start: " + err.Error(), nil, false
	}
	p, err := b.Get(ctx, r.m.lab.Info().SPLoginURL)
	if err != nil {
		return "RudderStack's /sso did not answer: " + err.Error(), nil, false
	}
	form := p.FormWithField("email")
	if form == nil {
		return "RudderStack's /sso has no email field.", nil, false
	}
	email := r.m.admin.Email
	if email == "" {
		email = r.m.admin.UserName
	}
	if p, err = b.Submit(ctx, form, map[string][]string{"email": {email}}); err != nil {
		return "Starting a sign-in at /sso failed: " + err.Error(), nil, false
	}
	o := r.m.lab.Read(ctx, b, p)
	switch {
	case o.SPError != nil:
		return fmt.Sprintf("RudderStack could not use the metadata: %q", o.SPError.Message), []string{"RudderStack answered: " + o.SPError.Message}, false
	case strings.HasPrefix(p.URL.String(), strings.TrimSuffix(sso, "/")) || p.URL.Host == lab.EntraHost:
		return "", []string{fmt.Sprintf("RudderStack accepted the metadata: /sso sent the browser to Entra's sign-on URL (%s).", p.URL.Scheme+"://"+p.URL.Host+p.URL.Path)}, true
	}
	return fmt.Sprintf("RudderStack's /sso did not send the browser to Entra: it stopped at %s.", p.URL.Redacted()), nil, false
}
