package mockidp

import (
	"context"
	"net/url"
	"time"
)

// SetupValues are what the portal's "Set up <app>" and "SAML
// Certificates" boxes show for an app: the values the admin copies to the
// service provider.
type SetupValues struct {
	// AppFederationMetadataURL is the URL the RudderStack guide says to
	// send to RudderStack.
	AppFederationMetadataURL string
	// LoginURL is the SAML SSO endpoint.
	LoginURL string
	// MicrosoftEntraIdentifier is the IdP entity ID (Issuer).
	MicrosoftEntraIdentifier string
	// LogoutURL is the SAML SLO endpoint (the same URL as LoginURL).
	LogoutURL string
	// UserAccessURL is the My Apps tile link (Properties page).
	UserAccessURL string
	// CertificateThumbprint is the active certificate's thumbprint.
	CertificateThumbprint string
	// CertificateExpiry is the active certificate's expiration.
	CertificateExpiry time.Time
}

// Setup returns the app's "Set up <app>" values, built from BaseURL.
func (s *Server) Setup(ctx context.Context, appID string) (SetupValues, error) {
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		return SetupValues{}, err
	}
	app, err := s.dir.App(ctx, appID)
	if err != nil {
		return SetupValues{}, err
	}
	v := s.SetupURLs(t.ID, app.AppID)
	certs, err := s.dir.Certificates(ctx, app.AppID)
	if err != nil {
		return SetupValues{}, err
	}
	for _, c := range certs {
		if c.Active {
			v.CertificateThumbprint, v.CertificateExpiry = c.Thumbprint, c.NotAfter
		}
	}
	return v, nil
}

// SetupURLs are Setup's URLs of an app the caller knows exists, without
// its certificate: what `serve` prints for each of fifty apps costs no
// read of the directory.
func (s *Server) SetupURLs(tenantID, appID string) SetupValues {
	return SetupValues{
		AppFederationMetadataURL: s.metadataURL(tenantID, appID),
		LoginURL:                 s.loginURL(tenantID),
		MicrosoftEntraIdentifier: IssuerFor(tenantID),
		LogoutURL:                s.loginURL(tenantID),
		UserAccessURL:            s.base + "/api/signin/" + appID + "?tenantId=" + url.QueryEscape(tenantID),
	}
}

// IDPInitiatedURL is the explicit IdP-initiated launch for an app, the
// portal's Test button in IdP mode.
func (s *Server) IDPInitiatedURL(tenantID, appID string) string {
	return s.base + "/" + tenantID + "/saml2/idpinitiated?appid=" + url.QueryEscape(appID)
}
