package export

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"

	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// ErrNoSuchApp means the tenant file has no app of the name asked for.
var ErrNoSuchApp = errors.New("the tenant file has no such app")

// PlanFromTenant is the Entra side of one app of a tenant file, as
// `ssowiz serve --tenant` holds it: the file is applied to a scratch
// in-memory directory, so its defaults (an app from SP metadata, the
// built-in RudderStack app's values, which are the guide's production
// URLs here) come out as Entra stores them.
func PlanFromTenant(ctx context.Context, f *tenant.File, appName string) (Plan, error) {
	key := sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	d, err := directory.Open(ctx, directory.Options{NewKey: key})
	if err != nil {
		return Plan{}, err
	}
	defer d.Close()
	applied, err := tenant.Apply(ctx, d, f, tenant.Options{
		RudderStack: tenant.BuiltinSP{EntityID: setup.GuideIdentifier, ReplyURL: setup.GuideReplyURL, SignOnURL: setup.GuideSignOnURL},
		// The script never carries the Secret Token: whatever a
		// secret_token_env holds stays out of the export.
		Getenv: func(string) string { return "" },
	})
	if err != nil {
		return Plan{}, err
	}
	app, ok := applied.App(appName)
	if !ok {
		names := ""
		for i, a := range applied.Apps {
			if i > 0 {
				names += ", "
			}
			names += fmt.Sprintf("%q", a.Name)
		}
		return Plan{}, fmt.Errorf("%w: %q (its apps: %s)", ErrNoSuchApp, appName, names)
	}
	p := Plan{Name: app.Name, SignOnURL: app.SAML.SignOnURL, RelayState: app.SAML.RelayState, LogoutURL: app.SAML.LogoutURL,
		NameIDSource: app.NameID.Source, AssignmentRequired: app.AssignmentRequired, AssignUsers: []string{}}
	for _, id := range app.SAML.Identifiers {
		if id.Default {
			p.Identifiers = append([]string{id.Value}, p.Identifiers...)
		} else {
			p.Identifiers = append(p.Identifiers, id.Value)
		}
	}
	for _, r := range app.SAML.ReplyURLs {
		if r.Default {
			p.ReplyURLs = append([]string{r.URL}, p.ReplyURLs...)
		} else {
			p.ReplyURLs = append(p.ReplyURLs, r.URL)
		}
	}
	for _, c := range app.Claims {
		p.Claims = append(p.Claims, Claim{c.WireName(), c.Source})
	}
	if _, err := claimsPolicy(p); err != nil {
		return Plan{}, err
	}
	assigned, err := d.Assignments(ctx, app.AppID)
	if err != nil {
		return Plan{}, err
	}
	for _, as := range assigned {
		if as.PrincipalType == directory.PrincipalGroup {
			p.AssignGroups = append(p.AssignGroups, as.DisplayName)
			continue
		}
		u, err := d.User(ctx, as.PrincipalID)
		if err != nil {
			return Plan{}, err
		}
		p.AssignUsers = append(p.AssignUsers, u.UserPrincipalName)
	}
	prov, err := d.Provisioning(ctx, app.AppID)
	if err != nil {
		return Plan{}, err
	}
	p.TenantURL = prov.TenantURL
	if app.NameID.Format != directory.DefaultNameID().Format {
		p.PortalNotes = append(p.PortalNotes, fmt.Sprintf("Attributes & Claims > Unique User Identifier > Name identifier format %q", app.NameID.Format))
	}
	if app.GroupClaim.Groups != "" {
		p.PortalNotes = append(p.PortalNotes, fmt.Sprintf("Attributes & Claims > Add a group claim: %s", app.GroupClaim.Groups))
	}
	if app.SigningOption != directory.SignAssertion || app.SigningAlgorithm != directory.SHA256 {
		p.PortalNotes = append(p.PortalNotes, fmt.Sprintf("Single sign-on > SAML Certificates > Signing Option %q, Signing Algorithm %q", app.SigningOption, app.SigningAlgorithm))
	}
	if p.TenantURL != "" {
		p.PortalNotes = append(p.PortalNotes,
			"Provisioning > Mappings > Provision Microsoft Entra ID Groups: "+yesNo(prov.ProvisionGroups),
			fmt.Sprintf("Provisioning > Mappings > Provision Microsoft Entra ID Users > Target Object Actions: Create %s, Update %s, Delete %s",
				yesNo(prov.Actions.Create), yesNo(prov.Actions.Update), yesNo(prov.Actions.Delete)))
	}
	return p, nil
}
