package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// SetupError lists the values of a setup that no rehearsal can represent:
// options the portal's drop-downs do not offer, and users the rehearsal
// tenant does not have. It wraps ErrBadSetup.
type SetupError struct {
	Problems []FieldProblem
}

// FieldProblem is one value a rehearsal cannot represent.
type FieldProblem struct {
	// Field is the setup path, e.g. "saml.signing_option".
	Field string
	// Line is its line in the setup file, 0 when unknown.
	Line int
	// Value is what the setup holds.
	Value string
	// Problem says what is wrong and which values are allowed.
	Problem string
}

func (e *SetupError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		where := p.Field
		if p.Line > 0 {
			where = fmt.Sprintf("%s (line %d)", p.Field, p.Line)
		}
		parts[i] = where + ": " + p.Problem
	}
	return "the setup cannot be rehearsed: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.Is find ErrBadSetup.
func (e *SetupError) Unwrap() error { return ErrBadSetup }

// The drop-downs' options, as the setup file spells them, and what the
// mocks store for each.
var (
	signingOptions = map[string]directory.SigningOption{
		setup.SigningAssertion: directory.SignAssertion,
		setup.SigningResponse:  directory.SignResponse,
		setup.SigningBoth:      directory.SignResponseAndAssertion,
	}
	signingAlgorithms = map[string]directory.SigningAlgorithm{
		setup.AlgorithmSHA256: directory.SHA256,
		setup.AlgorithmSHA1:   directory.SHA1,
	}
	nameIDFormats = map[string]directory.NameIDFormat{
		setup.FormatDefault:      directory.NameIDDefault,
		setup.FormatEmailAddress: directory.NameIDEmailAddress,
		setup.FormatPersistent:   directory.NameIDPersistent,
		setup.FormatUnspecified:  directory.NameIDUnspecified,
		setup.FormatWindows:      directory.NameIDWindowsDomainQualifiedName,
	}
	orgRoles = map[string]accounts.Role{
		setup.OrgRoleAdmin:  accounts.RoleAdmin,
		setup.OrgRoleMember: accounts.RoleMember,
	}
	patRoles = map[string]accounts.PATRole{
		setup.PATRoleAdmin:  accounts.PATRoleAdmin,
		setup.PATRoleMember: accounts.PATRoleMember,
	}
)

func keys[V any](m map[string]V) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ", ")
}

// mockSource reports whether the mock directory can source a claim from
// attr.
func mockSource(attr string) bool {
	for _, a := range directory.SourceAttributes() {
		if a.Name == strings.ToLower(attr) {
			return true
		}
	}
	return false
}

// rehearsable returns the values of s that are not options of a
// drop-down: the portal cannot hold them, so neither can a rehearsal.
func rehearsable(s setup.Setup) []FieldProblem {
	var out []FieldProblem
	add := func(field, value, problem string) {
		out = append(out, FieldProblem{Field: field, Line: s.Line(field), Value: value, Problem: problem})
	}
	check := func(field, value string, ok bool, allowed string) {
		if !ok {
			add(field, value, fmt.Sprintf("%q is not an option; choose one of %s", value, allowed))
		}
	}
	_, ok := signingOptions[s.SAML.SigningOption]
	check("saml.signing_option", s.SAML.SigningOption, ok, keys(signingOptions))
	_, ok = signingAlgorithms[s.SAML.SigningAlgorithm]
	check("saml.signing_algorithm", s.SAML.SigningAlgorithm, ok, keys(signingAlgorithms))
	_, ok = nameIDFormats[s.Claims.NameID.Format]
	check("claims.name_id.format", s.Claims.NameID.Format, ok, keys(nameIDFormats))
	if !mockSource(s.Claims.NameID.Source) {
		add("claims.name_id.source", s.Claims.NameID.Source,
			fmt.Sprintf("%q is not a source attribute the rehearsal tenant has; choose one such as user.userprincipalname or user.mail", s.Claims.NameID.Source))
	}
	for i, c := range s.Claims.Additional {
		if !mockSource(c.Source) {
			add(fmt.Sprintf("claims.additional[%d].source", i), c.Source,
				fmt.Sprintf("%q is not a source attribute Entra offers; choose one such as user.mail or user.displayname", c.Source))
		}
	}
	_, ok = orgRoles[s.RudderStack.OrgRole]
	check("rudderstack.org_role", s.RudderStack.OrgRole, ok, keys(orgRoles))
	_, ok = patRoles[s.RudderStack.PAT.Role]
	check("rudderstack.pat.role", s.RudderStack.PAT.Role, ok, keys(patRoles))
	return out
}

// mocks are the handles of one lab that a setup is applied to.
type mocks struct {
	lab      *lab.Lab
	tenantID string
	appID    string
	orgID    string
	// metadataURL is the app's App Federation Metadata URL, which
	// RudderStack holds.
	metadataURL string
	// admin is "you" in RudderStack: the seeded Org Admin, whose role the
	// setup sets and who generates the token.
	admin accounts.User
}

func openMocks(ctx context.Context, l *lab.Lab) (mocks, error) {
	info := l.Info()
	a, err := l.Accounts.AuthenticatePAT(ctx, info.AdminPAT)
	if err != nil {
		return mocks{}, fmt.Errorf("find the rehearsal's RudderStack admin: %w", err)
	}
	return mocks{lab: l, tenantID: info.TenantID, appID: info.AppID, orgID: info.OrgID, metadataURL: info.IDPMetadataURL, admin: a.Owner}, nil
}

// applied is what applying a setup left behind.
type applied struct {
	// refused holds, per part of the Entra app ("saml" for Basic SAML
	// Configuration, "claims", "provisioning"), the values the portal
	// would not save. A refused Basic SAML Configuration leaves the app
	// without one, so the sign-in checks report the refusal instead of
	// signing in.
	refused map[string][]Remediation
	// notes are what the rehearsal could not reproduce exactly.
	notes []string
}

func (a *applied) refuse(section string, r Remediation) {
	if a.refused == nil {
		a.refused = map[string][]Remediation{}
	}
	a.refused[section] = append(a.refused[section], r)
}

// fieldErrors returns the portal's field errors inside err.
func fieldErrors(err error) []*directory.FieldError {
	var out []*directory.FieldError
	var walk func(error)
	walk = func(e error) {
		var fe *directory.FieldError
		switch x := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		default:
			if errors.As(e, &fe) {
				out = append(out, fe)
			}
		}
	}
	walk(err)
	return out
}

// samlFields maps the portal's labels in Basic SAML Configuration to setup
// fields.
var samlFields = map[string]string{
	"Identifier (Entity ID)":                     "saml.identifier",
	"Reply URL (Assertion Consumer Service URL)": "saml.reply_url",
	"Sign on URL":                                "saml.sign_on_url",
	"Logout URL":                                 "saml.logout_url",
	"Relay State":                                "saml.relay_state",
}

// refusal turns the portal's refusal of a value into a remediation.
func refusal(s setup.Setup, field string, fe *directory.FieldError) Remediation {
	r := remedy(s, field, "Entra's portal refuses to save it: "+fe.Problem+".", "")
	for _, f := range findings(s, field) {
		r.Fix = f.Fix
		break
	}
	if r.Fix == "" && r.Expected != "" {
		r.Fix = "Enter " + r.Expected + "."
	}
	return r
}

// applyEntra configures the Entra app as the setup says, verbatim: Basic
// SAML Configuration, Attributes & Claims, signing, Assignment required and
// the assigned users. Values the portal refuses are recorded, not errors;
// the error is for setups that cannot be rehearsed and for failures of
// the mocks themselves.
func (m mocks) applyEntra(ctx context.Context, s setup.Setup, a *applied) error {
	if ps := rehearsable(s); len(ps) > 0 {
		return &SetupError{Problems: ps}
	}
	d := m.lab.Directory

	cfg := directory.SAMLConfig{SignOnURL: s.SAML.SignOnURL, RelayState: s.SAML.RelayState, LogoutURL: s.SAML.LogoutURL}
	if s.SAML.Identifier != "" {
		cfg.Identifiers = []directory.Identifier{{Value: s.SAML.Identifier, Default: true}}
	}
	if s.SAML.ReplyURL != "" {
		cfg.ReplyURLs = []directory.ReplyURL{{URL: s.SAML.ReplyURL, Default: true}}
	}
	if _, err := d.UpdateSAMLConfig(ctx, m.appID, cfg); err != nil {
		fes := fieldErrors(err)
		if len(fes) == 0 {
			return fmt.Errorf("save Basic SAML Configuration: %w", err)
		}
		for _, fe := range fes {
			field, ok := samlFields[fe.Field]
			if !ok {
				field = "saml"
			}
			a.refuse("saml", refusal(s, field, fe))
		}
	}

	nameID := directory.NameIDConfig{Source: s.Claims.NameID.Source, Format: nameIDFormats[s.Claims.NameID.Format]}
	var claims []directory.Claim
	for i, c := range s.Claims.Additional {
		if !mockSource(c.Source) {
			a.notes = append(a.notes, fmt.Sprintf("The claim %s (source %s) is not rehearsed: the rehearsal tenant's users have no such attribute.", c.WireName(), c.Source))
			continue
		}
		dc := directory.Claim{Name: c.Name, Namespace: c.Namespace, Source: c.Source}
		// The portal saves claims one at a time, so a claim it refuses
		// leaves the others in place.
		if _, err := d.UpdateClaims(ctx, m.appID, directory.DefaultNameID(), []directory.Claim{dc}); err != nil {
			fes := fieldErrors(err)
			if len(fes) == 0 {
				return fmt.Errorf("save claim %s: %w", c.WireName(), err)
			}
			for _, fe := range fes {
				field := fmt.Sprintf("claims.additional[%d].%s", i, strings.ToLower(strings.Fields(fe.Field)[0]))
				a.refuse("claims", refusal(s, field, fe))
			}
			continue
		}
		claims = append(claims, dc)
	}
	if _, err := d.UpdateClaims(ctx, m.appID, nameID, claims); err != nil {
		return fmt.Errorf("save Attributes & Claims: %w", err)
	}
	if _, err := d.UpdateSigning(ctx, m.appID, signingOptions[s.SAML.SigningOption], signingAlgorithms[s.SAML.SigningAlgorithm]); err != nil {
		return fmt.Errorf("save the signing options: %w", err)
	}
	if err := d.SetAssignmentRequired(ctx, m.appID, s.Users.AssignmentRequired); err != nil {
		return err
	}
	return m.assign(ctx, s)
}

// assign makes the app's assignments the setup's users and groups, as
// the Users and groups page lists them; a setup that lists neither keeps
// the tenant's usual assignments. A name the tenant does not have is a
// SetupError naming it and what to do.
func (m mocks) assign(ctx context.Context, s setup.Setup) error {
	if !s.Users.Explicit() {
		return nil
	}
	d := m.lab.Directory
	var ids []string
	var bad []FieldProblem
	for i, upn := range s.Users.Assigned {
		u, err := d.UserByUPN(ctx, upn)
		if errors.Is(err, directory.ErrNotFound) {
			field := fmt.Sprintf("users.assigned[%d]", i)
			bad = append(bad, FieldProblem{Field: field, Line: s.Line(field), Value: upn,
				Problem: fmt.Sprintf("%q is not a user of the rehearsal tenant; its users are %s", upn, m.someUPNs())})
			continue
		}
		if err != nil {
			return err
		}
		ids = append(ids, u.ObjectID)
	}
	if len(s.Users.Groups) > 0 {
		groups, err := d.Groups(ctx)
		if err != nil {
			return err
		}
		names := make([]string, len(groups))
		for i, g := range groups {
			names[i] = g.DisplayName
		}
		for i, name := range s.Users.Groups {
			at, matches := setup.FindGroup(name, names)
			if matches != 1 {
				field := fmt.Sprintf("users.groups[%d]", i)
				bad = append(bad, FieldProblem{Field: field, Line: s.Line(field), Value: name, Problem: setup.GroupProblem(name, names, matches)})
				continue
			}
			ids = append(ids, groups[at].ObjectID)
		}
	}
	if len(bad) > 0 {
		return &SetupError{Problems: bad}
	}
	return d.SetAssignments(ctx, m.appID, ids)
}

// someUPNs names the tenant's users for an error: all of a small tenant,
// the first few of a large one (a tenant file may hold thousands).
func (m mocks) someUPNs() string {
	const most = 10
	users := m.lab.Info().Users
	var names []string
	for _, u := range users[:min(len(users), most)] {
		names = append(names, u.UPN)
	}
	out := strings.Join(names, ", ")
	if len(users) > most {
		out += fmt.Sprintf(" and %d more", len(users)-most)
	}
	return out
}

// applyRudderStack sets your role in the organisation and the SCIM switch
// RudderStack's team controls.
func (m *mocks) applyRudderStack(ctx context.Context, s setup.Setup) error {
	role := orgRoles[s.RudderStack.OrgRole]
	u, err := m.lab.Accounts.UpdateUser(ctx, m.orgID, m.admin.ID, func(u *accounts.User) error {
		u.Role = role
		return nil
	})
	if err != nil {
		return fmt.Errorf("set your RudderStack role: %w", err)
	}
	m.admin = u
	if _, err := m.lab.Accounts.UpdateOrg(ctx, m.orgID, func(o *accounts.Org) error {
		o.SCIMEnabled = s.RudderStack.SCIMEnabled
		return nil
	}); err != nil {
		return fmt.Errorf("set the organization's SCIM switch: %w", err)
	}
	return nil
}

// generatePAT is "Generate new token" under Personal access tokens: a
// token owned by you, with the name and role given.
func (m mocks) generatePAT(ctx context.Context, name, role string) (string, accounts.PAT, error) {
	r, ok := patRoles[role]
	if !ok {
		return "", accounts.PAT{}, &SetupError{Problems: []FieldProblem{{Field: "rudderstack.pat.role", Value: role,
			Problem: fmt.Sprintf("%q is not an option; choose one of %s", role, keys(patRoles))}}}
	}
	token, pat, err := m.lab.Accounts.CreatePAT(ctx, m.orgID, m.admin.ID, name, r, nil)
	if err != nil {
		if errors.Is(err, accounts.ErrInvalid) {
			return "", accounts.PAT{}, &SetupError{Problems: []FieldProblem{{Field: "rudderstack.pat.name", Value: name, Problem: err.Error()}}}
		}
		return "", accounts.PAT{}, fmt.Errorf("generate the personal access token: %w", err)
	}
	return token, pat, nil
}

// applyProvisioning saves the Provisioning page: Automatic mode with the
// Tenant URL and token, the groups switch and Target Object Actions, and
// Provisioning Status On.
func (m mocks) applyProvisioning(ctx context.Context, s setup.Setup, token string, a *applied) error {
	p := s.Provisioning
	cfg := directory.DefaultProvisioning()
	cfg.TenantURL, cfg.SecretToken = p.TenantURL, directory.NewSecret(token)
	cfg.Scope, cfg.ProvisionGroups, cfg.Enabled = directory.ScopeAssigned, p.ProvisionGroups, true
	cfg.Actions = directory.TargetActions{Create: p.Actions.Create, Update: p.Actions.Update, Delete: p.Actions.Delete}
	if _, err := m.lab.Directory.UpdateProvisioning(ctx, m.appID, cfg); err != nil {
		fes := fieldErrors(err)
		if len(fes) == 0 {
			return fmt.Errorf("save the Provisioning page: %w", err)
		}
		for _, fe := range fes {
			field := "provisioning.tenant_url"
			if fe.Field == "Secret Token" {
				field = "provisioning.secret_token"
			}
			a.refuse("provisioning", refusal(s, field, fe))
		}
	}
	return nil
}

// createApp is step 1 of the guide, "Create your own application": a new
// non-gallery app with Entra's defaults (no Basic SAML Configuration,
// the default claims), given the users the tenant's previous app had, in
// place of that app. RudderStack's team then holds its App Federation
// Metadata URL, as the guide's "share it with the RudderStack team" has
// it.
func (m *mocks) createApp(ctx context.Context, name string) (directory.App, error) {
	d := m.lab.Directory
	app, err := d.CreateApp(ctx, name)
	if err != nil {
		return directory.App{}, err
	}
	if m.appID != "" {
		current, err := d.Assignments(ctx, m.appID)
		if err != nil {
			return directory.App{}, err
		}
		for _, as := range current {
			if err := d.Assign(ctx, app.AppID, as.PrincipalID); err != nil {
				return directory.App{}, fmt.Errorf("assign %s to the new app: %w", as.DisplayName, err)
			}
		}
		// The previous app holds RudderStack's Identifier, which must be
		// unique in the tenant.
		if err := d.DeleteApp(ctx, m.appID); err != nil {
			return directory.App{}, fmt.Errorf("delete the previous app: %w", err)
		}
	}
	if err := m.adopt(ctx, app.AppID); err != nil {
		return directory.App{}, err
	}
	return app, nil
}

// adopt makes appID the app RudderStack trusts: its App Federation
// Metadata URL goes to the SP's organisation, as the guide's last Entra
// step sends it.
func (m *mocks) adopt(ctx context.Context, appID string) error {
	m.appID = appID
	vals, err := m.lab.IDP.Setup(ctx, appID)
	if err != nil {
		return fmt.Errorf("read the new app's SAML values: %w", err)
	}
	m.metadataURL = vals.AppFederationMetadataURL
	if _, err := m.lab.Accounts.UpdateOrg(ctx, m.orgID, func(o *accounts.Org) error {
		o.SSO.MetadataURL = vals.AppFederationMetadataURL
		return nil
	}); err != nil {
		return fmt.Errorf("give RudderStack the new app's metadata URL: %w", err)
	}
	m.lab.SP.Pool().ForgetMetadata(m.orgID)
	return nil
}
