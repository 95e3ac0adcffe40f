package lab

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/graph"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// ProviderName is the demo org's identity provider name in the user pool.
const ProviderName = "EntraID"

// servePATName names the Admin token `serve` makes at each start; the
// previous one is revoked, since its secret was only ever printed.
const servePATName = "ssowiz serve"

// GraphClientName names the app registration the lab makes for scripts
// that call its Graph API; its secret is replaced at each start, as the
// admin token is.
const GraphClientName = "ssowiz automation"

// seed makes (or finds) the demo tenant, its RudderStack app pointed at
// this SP, the SP organisation federated with that app, and its Org Admin
// with a fresh Admin token.
func (l *Lab) seed(ctx context.Context, provision bool) error {
	demo, err := l.Directory.Seed(ctx, directory.SeedOptions{
		EntityID: l.SP.EntityID(), ReplyURL: l.SP.ACSURL(), SignOnURL: l.SP.ACSURL(),
	})
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	if err := l.repointApp(ctx, demo.App); err != nil {
		return err
	}
	setup, err := l.IDP.Setup(ctx, demo.App.AppID)
	if err != nil {
		return fmt.Errorf("lab: read the app's SAML setup: %w", err)
	}

	org, err := l.Accounts.FindOrgByDomain(ctx, demo.Tenant.InitialDomain)
	switch {
	case errors.Is(err, accounts.ErrNotFound):
		org, err = l.Accounts.CreateOrg(ctx, accounts.Org{
			Name: demo.Tenant.DisplayName, Domains: demo.Tenant.Domains, SCIMEnabled: true,
			SSO: accounts.SSOConfig{ProviderName: ProviderName, MetadataURL: setup.AppFederationMetadataURL,
				AttributeMapping: accounts.DefaultAttributeMapping()},
		})
	case err == nil && org.SSO.MetadataURL != setup.AppFederationMetadataURL && isLocal(org.SSO.MetadataURL):
		// `serve` moved to another port since the org was made.
		org, err = l.Accounts.UpdateOrg(ctx, org.ID, func(o *accounts.Org) error {
			o.SSO.MetadataURL = setup.AppFederationMetadataURL
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("lab: seed the service provider's organisation: %w", err)
	}

	var adminPAT string
	for _, du := range demo.Users {
		if !du.SPOrgAdmin || !du.Exists {
			continue
		}
		if adminPAT, err = l.seedAdmin(ctx, org.ID, du); err != nil {
			return err
		}
	}

	if err := l.seedProvisioning(ctx, demo.App.AppID, adminPAT, provision); err != nil {
		return err
	}

	creds, err := l.Graph.EnsureClient(ctx, GraphClientName, graph.AutomationPermissions())
	if err != nil {
		return fmt.Errorf("lab: register the Graph automation app: %w", err)
	}

	l.info = Info{
		IDPMetadataURL:  setup.AppFederationMetadataURL,
		IDPSSOURL:       setup.LoginURL,
		SPLoginURL:      l.SP.LoginURL(),
		SPACSURL:        l.SP.ACSURL(),
		SPEntityID:      l.SP.EntityID(),
		SCIMBaseURL:     l.SP.SCIMBaseURL(),
		AdminPAT:        adminPAT,
		TenantID:        demo.Tenant.ID,
		TenantDomain:    demo.Tenant.InitialDomain,
		AppID:           demo.App.AppID,
		IDPInitiatedURL: l.IDP.IDPInitiatedURL(demo.Tenant.ID, demo.App.AppID),
		UserAccessURL:   setup.UserAccessURL,
		OrgID:           org.ID,

		GraphBaseURL:      l.Graph.GraphURL(),
		GraphClientID:     creds.ClientID,
		GraphClientSecret: creds.ClientSecret,
		GraphTokenURL:     l.Graph.TokenURL(demo.Tenant.ID),
	}
	for _, du := range demo.Users {
		if !du.Exists {
			continue
		}
		l.info.Users = append(l.info.Users, User{UPN: du.UPN, Password: du.Password, Assigned: du.Assigned,
			DisplayName: du.DisplayName, Enabled: du.Enabled, HasMail: du.HasMail, Purpose: du.Purpose})
	}
	return nil
}

// seedAdmin makes the demo Org Admin a member of the SP org (once) and
// gives them a fresh Admin token, revoking the one a previous start made.
func (l *Lab) seedAdmin(ctx context.Context, orgID string, du directory.DemoUser) (string, error) {
	u, err := l.Directory.User(ctx, du.ObjectID)
	if err != nil {
		return "", fmt.Errorf("lab: read the demo admin: %w", err)
	}
	admin, err := l.Accounts.FindUserByUserName(ctx, orgID, u.UserPrincipalName)
	if errors.Is(err, accounts.ErrNotFound) {
		admin, err = l.Accounts.CreateUser(ctx, accounts.User{
			OrgID: orgID, UserName: u.UserPrincipalName, Email: u.Mail, GivenName: u.GivenName,
			FamilyName: u.Surname, DisplayName: u.DisplayName, Role: accounts.RoleAdmin,
			Source: accounts.SourceInvite, Active: true,
		})
	}
	if err != nil {
		return "", fmt.Errorf("lab: seed the SP's Org Admin: %w", err)
	}
	pats, err := l.Accounts.ListPATs(ctx, orgID, admin.ID)
	if err != nil {
		return "", fmt.Errorf("lab: %w", err)
	}
	for _, p := range pats {
		if p.Name == servePATName && p.RevokedAt == nil {
			if err := l.Accounts.RevokePAT(ctx, orgID, p.ID); err != nil {
				return "", fmt.Errorf("lab: revoke the previous serve token: %w", err)
			}
		}
	}
	token, _, err := l.Accounts.CreatePAT(ctx, orgID, admin.ID, servePATName, accounts.PATRoleAdmin, nil)
	if err != nil {
		return "", fmt.Errorf("lab: make the admin token: %w", err)
	}
	return token, nil
}

// repointApp keeps a kept app pointing at this SP when `serve` restarts on
// other ports: a Reply URL or Sign on URL on a loopback address other than
// the current one is rewritten; anything else the admin set is left alone.
func (l *Lab) repointApp(ctx context.Context, app directory.App) error {
	acs := l.SP.ACSURL()
	cfg := app.SAML
	changed := false
	for i, r := range cfg.ReplyURLs {
		if r.URL != acs && isLocal(r.URL) && samePath(r.URL, acs) {
			cfg.ReplyURLs[i].URL = acs
			changed = true
		}
	}
	if cfg.SignOnURL != acs && isLocal(cfg.SignOnURL) && samePath(cfg.SignOnURL, acs) {
		cfg.SignOnURL = acs
		changed = true
	}
	if !changed {
		return nil
	}
	if _, err := l.Directory.UpdateSAMLConfig(ctx, app.AppID, cfg); err != nil {
		return fmt.Errorf("lab: point the app at this service provider: %w", err)
	}
	return nil
}

func isLocal(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

func samePath(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Path == ub.Path
}

// seedProvisioning fills in the demo app's Provisioning page the way the
// guide says — this SP's Tenant URL and the Org Admin's Admin token — with
// the known issues avoided (groups off, Delete unticked), and sets its
// status. A Tenant URL the admin pointed elsewhere is kept with its token;
// one pointing at an earlier `serve` gets this one's URL and token, since
// that token was revoked.
func (l *Lab) seedProvisioning(ctx context.Context, appID, token string, on bool) error {
	cfg, err := l.Directory.Provisioning(ctx, appID)
	if err != nil {
		return fmt.Errorf("lab: read the app's provisioning: %w", err)
	}
	own := l.SP.SCIMBaseURL()
	switch {
	case cfg.TenantURL == "":
		cfg.ProvisionGroups = false
		cfg.Actions = directory.TargetActions{Create: true, Update: true, Delete: false}
		cfg.TenantURL, cfg.SecretToken = own, directory.NewSecret(token)
	case isLocal(cfg.TenantURL) && samePath(cfg.TenantURL, own):
		if u, err := url.Parse(cfg.TenantURL); err == nil && u.RawQuery != "" {
			own += "?" + u.RawQuery // keep a dialect flag such as aadOptscim062020
		}
		cfg.TenantURL, cfg.SecretToken = own, directory.NewSecret(token)
	}
	cfg.Enabled = on
	if _, err := l.Directory.UpdateProvisioning(ctx, appID, cfg); err != nil {
		return fmt.Errorf("lab: fill in the app's provisioning: %w", err)
	}
	return nil
}
