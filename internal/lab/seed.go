package lab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/ssowiz/ssowiz/internal/loopback"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/internal/yamlfile"
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

// seed federates the SP organisation with the applied tenant's built-in
// app, gives its Org Admin a fresh Admin token, and registers the Graph
// automation app.
func (l *Lab) seed(ctx context.Context, opts Options) error {
	if err := l.seedTenant(ctx, opts); err != nil {
		return err
	}
	creds, err := l.Graph.EnsureClient(ctx, GraphClientName, graph.AutomationPermissions())
	if err != nil {
		return fmt.Errorf("lab: register the Graph automation app: %w", err)
	}
	l.info.GraphBaseURL, l.info.GraphClientID, l.info.GraphClientSecret = l.Graph.GraphURL(), creds.ClientID, creds.ClientSecret
	l.info.GraphTokenURL = l.Graph.TokenURL(l.info.TenantID)
	return l.describeApps(ctx)
}

// describeApps lists every app of the tenant file in the lab's Info, as
// the directory now holds it (the built-in app repointed at this SP).
func (l *Lab) describeApps(ctx context.Context) error {
	apps, err := l.Directory.Apps(ctx)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	byID := make(map[string]directory.App, len(apps))
	for _, app := range apps {
		byID[app.AppID] = app
	}
	for _, a := range l.applied.Apps {
		app, ok := byID[a.AppID]
		if !ok {
			return fmt.Errorf("lab: app %s was deleted while serve started", a.Name)
		}
		setup := l.IDP.SetupURLs(l.info.TenantID, app.AppID)
		l.info.Apps = append(l.info.Apps, App{Name: app.Name, AppID: app.AppID, Builtin: a.Builtin,
			Identifier: app.DefaultIdentifier(), ReplyURL: app.DefaultReplyURL(), SignOnURL: app.SAML.SignOnURL, LogoutURL: app.SAML.LogoutURL,
			MetadataURL: setup.AppFederationMetadataURL, SAMLEndpoint: setup.LoginURL, EntraIdentifier: setup.MicrosoftEntraIdentifier,
			IDPInitiatedURL: l.IDP.IDPInitiatedURL(l.info.TenantID, app.AppID), UserAccessURL: setup.UserAccessURL})
	}
	return nil
}

// applyTenant makes the directory hold the tenant file (the guide's demo
// tenant unless one is given), its built-in RudderStack app pointed at
// this SP. The file's own errors are returned as they are: they name the
// file, the line and the field.
func (l *Lab) applyTenant(ctx context.Context, opts Options) error {
	src := tenantSource(opts)
	builtinSP := tenant.BuiltinSP{EntityID: l.SP.EntityID(), ReplyURL: l.SP.ACSURL(), SignOnURL: l.SP.ACSURL()}
	if opts.SingleLogout {
		builtinSP.LogoutURL = l.SP.Pool().SLOURL()
	}
	applied, err := tenant.Load(ctx, l.Directory, src, tenant.Options{
		RudderStack: builtinSP,
		HTTPClient:  opts.MetadataClient,
	})
	if errors.Is(err, yamlfile.ErrFormat) {
		return err
	}
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	l.applied = applied
	if c := opts.TenantCache; c != nil && opts.DataDir == "" && applied.Parsed && applied.Cacheable() {
		// Kept as applied, before this start's own changes (the SP's
		// ports, tokens, sessions).
		if err := c.Store(src.CacheKey(), func(path string) error { return l.Directory.SaveImage(ctx, path) }); err != nil {
			l.log.Warn("the tenant was not cached; the next start applies it again", "err", err)
		}
	}
	return nil
}

// tenantSource is the tenant file the lab serves.
func tenantSource(opts Options) *tenant.Source {
	switch {
	case opts.TenantSource != nil:
		return opts.TenantSource
	case opts.Tenant != nil:
		return tenant.SourceOf(opts.Tenant)
	}
	return tenant.DemoSource()
}

// restoreTenant fills a directory just opened in memory with the tenant
// the cache kept for this file, if it has one; the apply then finds it
// there, as on a kept --data directory, and checks the other inputs. An
// image that cannot be restored leaves a new, empty directory.
func (l *Lab) restoreTenant(ctx context.Context, opts Options, dirOpts directory.Options, logger *slog.Logger) (*directory.Directory, error) {
	d := l.Directory
	path, ok := opts.TenantCache.Load(tenantSource(opts).CacheKey())
	if !ok {
		return d, nil
	}
	err := d.RestoreImage(ctx, path)
	if err == nil {
		return d, nil
	}
	logger.Warn("the cached tenant could not be restored; applying the file", "err", err)
	d.Close()
	d, err = directory.Open(ctx, dirOpts)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	return d, nil
}

// seedTenant puts the applied tenant in the lab's Info, federates the SP
// organisation with the built-in app and fills in its provisioning.
func (l *Lab) seedTenant(ctx context.Context, opts Options) error {
	applied := l.applied
	l.info = Info{TenantID: applied.Tenant.ID, TenantDomain: applied.Tenant.InitialDomain, SPLoginURL: l.SP.LoginURL(),
		SPACSURL: l.SP.ACSURL(), SPEntityID: l.SP.EntityID(), SCIMBaseURL: l.SP.SCIMBaseURL(),
		SPLogoutURL: l.SP.Pool().SLOURL(), SingleLogout: opts.SingleLogout}
	for _, du := range applied.Users {
		if du.Exists {
			l.info.Users = append(l.info.Users, User{UPN: du.UPN, Password: du.Password, Assigned: du.Assigned,
				DisplayName: du.DisplayName, Enabled: du.Enabled, HasMail: du.HasMail, Purpose: du.Note})
		}
	}
	app, ok := applied.Builtin()
	if !ok {
		// No app is the built-in RudderStack: the SP runs unfederated, and
		// the first app stands for the tenant's URLs.
		if len(applied.Apps) > 0 {
			return l.describeApp(ctx, applied.Apps[0].App)
		}
		return nil
	}
	if err := l.repointApp(ctx, app.App, opts.SingleLogout); err != nil {
		return err
	}
	if err := l.describeApp(ctx, app.App); err != nil {
		return err
	}

	org, err := l.Accounts.FindOrgByDomain(ctx, applied.Tenant.InitialDomain)
	switch {
	case errors.Is(err, accounts.ErrNotFound):
		org, err = l.Accounts.CreateOrg(ctx, accounts.Org{
			Name: applied.Tenant.DisplayName, Domains: applied.Tenant.Domains, SCIMEnabled: true,
			SSO: accounts.SSOConfig{ProviderName: ProviderName, MetadataURL: l.info.IDPMetadataURL,
				AttributeMapping: accounts.DefaultAttributeMapping(), IDPSignout: opts.SingleLogout},
		})
	case err == nil && (org.SSO.IDPSignout != opts.SingleLogout ||
		org.SSO.MetadataURL != l.info.IDPMetadataURL && loopback.URL(org.SSO.MetadataURL)):
		// `serve` moved to another port since the org was made, or was
		// started with single sign-out on where it was off (or off where
		// it was on).
		org, err = l.Accounts.UpdateOrg(ctx, org.ID, func(o *accounts.Org) error {
			if loopback.URL(o.SSO.MetadataURL) {
				o.SSO.MetadataURL = l.info.IDPMetadataURL
			}
			o.SSO.IDPSignout = opts.SingleLogout
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("lab: seed the service provider's organisation: %w", err)
	}
	l.info.OrgID = org.ID

	for _, du := range applied.Users {
		if !du.OrgAdmin || !du.Exists {
			continue
		}
		if l.info.AdminPAT, err = l.seedAdmin(ctx, org.ID, du.ObjectID); err != nil {
			return err
		}
	}
	on := opts.Provision || app.Spec.Provisioning != nil && app.Spec.Provisioning.Enabled
	if opts.SCIMURL != "" {
		return l.aimProvisioning(ctx, app.AppID, opts.SCIMURL, opts.SCIMToken, on)
	}
	return l.seedProvisioning(ctx, app.AppID, l.info.AdminPAT, on)
}

// describeApp puts the app's URLs in the lab's Info.
func (l *Lab) describeApp(ctx context.Context, app directory.App) error {
	setup, err := l.IDP.Setup(ctx, app.AppID)
	if err != nil {
		return fmt.Errorf("lab: read the app's SAML setup: %w", err)
	}
	l.info.IDPMetadataURL, l.info.IDPSSOURL, l.info.UserAccessURL = setup.AppFederationMetadataURL, setup.LoginURL, setup.UserAccessURL
	l.info.AppID = app.AppID
	l.info.IDPInitiatedURL = l.IDP.IDPInitiatedURL(l.info.TenantID, app.AppID)
	return nil
}

// seedAdmin makes the demo Org Admin a member of the SP org (once) and
// gives them a fresh Admin token, revoking the one a previous start made.
func (l *Lab) seedAdmin(ctx context.Context, orgID, objectID string) (string, error) {
	u, err := l.Directory.User(ctx, objectID)
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
//
// With single sign-out on, an app without a Logout Url (a tenant kept with
// --data from a start without it) gets the user pool's /saml2/logout; a
// loopback Logout Url on that path follows the port like the others.
func (l *Lab) repointApp(ctx context.Context, app directory.App, singleLogout bool) error {
	acs := l.SP.ACSURL()
	cfg := app.SAML
	changed := false
	for i, r := range cfg.ReplyURLs {
		if r.URL != acs && loopback.URL(r.URL) && samePath(r.URL, acs) {
			cfg.ReplyURLs[i].URL = acs
			changed = true
		}
	}
	if cfg.SignOnURL != acs && loopback.URL(cfg.SignOnURL) && samePath(cfg.SignOnURL, acs) {
		cfg.SignOnURL = acs
		changed = true
	}
	slo := l.SP.Pool().SLOURL()
	if singleLogout && cfg.LogoutURL == "" || cfg.LogoutURL != slo && loopback.URL(cfg.LogoutURL) && samePath(cfg.LogoutURL, slo) {
		cfg.LogoutURL = slo
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

func samePath(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Path == ub.Path
}

// aimProvisioning points the built-in app's provisioning at another SCIM
// server, as an admin who types its Tenant URL and Secret Token does; the
// rest of the Provisioning page stays as the tenant file says.
func (l *Lab) aimProvisioning(ctx context.Context, appID, tenantURL, token string, on bool) error {
	cfg, err := l.Directory.Provisioning(ctx, appID)
	if err != nil {
		return fmt.Errorf("lab: read the app's provisioning: %w", err)
	}
	cfg.TenantURL, cfg.SecretToken, cfg.Enabled = tenantURL, directory.NewSecret(token), on
	if _, err := l.Directory.UpdateProvisioning(ctx, appID, cfg); err != nil {
		return fmt.Errorf("lab: --scim-url: %w", err)
	}
	return nil
}

// seedProvisioning fills in the built-in app's Provisioning page the way
// the guide says — this SP's Tenant URL and the Org Admin's Admin token;
// the tenant file sets the rest — and sets its status. A Tenant URL the admin pointed elsewhere is kept with its token;
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
		cfg.TenantURL, cfg.SecretToken = own, directory.NewSecret(token)
	case loopback.URL(cfg.TenantURL) && samePath(cfg.TenantURL, own):
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
