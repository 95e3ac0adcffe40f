// Package setup is the setup plan: every value an admin types into Entra ID
// and RudderStack while following the guide, with the guide's defaults, a
// versioned file format, and static validation against the guide.
//
// The wizard edits a Setup and `ssowiz check` reads one from a file; the
// live checks then rehearse it verbatim against the mocks.
package setup

import (
	"fmt"
	"strings"
)

// Version is the setup file format this ssowiz reads and writes.
const Version = 1

// The guide's values (../shared/seed): what RudderStack tells the admin to
// type into Entra and where Entra's provisioning must point.
const (
	GuideIdentifier   = "urn:amazon:cognito:sp:us-east-1_ABZiTjXia"
	GuideReplyURL     = "https://auth2.rudderstack.com/saml2/idpresponse"
	GuideSignOnURL    = "https://auth2.rudderstack.com/saml2/idpresponse"
	GuideTenantURL    = "https://api.rudderstack.com/scim/v2"
	GuideLoginURL     = "https://app.rudderstack.com/sso"
	GuideAppName      = "RudderStack"
	GuidePATName      = "Entra ID SCIM"
	DefaultNameIDFrom = "user.userprincipalname"
)

// Setup is the whole plan. Field names in the file are the yaml tags.
type Setup struct {
	// Version is the file format version; it must be 1.
	Version int `yaml:"version" json:"version"`
	// App is the enterprise application as created in Entra.
	App App `yaml:"app" json:"app"`
	// SAML is the Basic SAML Configuration and the signing options.
	SAML SAML `yaml:"saml" json:"saml"`
	// Claims is Attributes & Claims.
	Claims Claims `yaml:"claims" json:"claims"`
	// Users is Users and groups.
	Users Users `yaml:"users" json:"users"`
	// RudderStack is what the admin does in RudderStack's dashboard.
	RudderStack RudderStack `yaml:"rudderstack" json:"rudderstack"`
	// Provisioning is the app's Provisioning page.
	Provisioning Provisioning `yaml:"provisioning" json:"provisioning"`
	// Wizard is where the wizard was when it saved the file, so it
	// resumes there; nil for a file written by hand or by `check`.
	Wizard *Wizard `yaml:"wizard,omitempty" json:"wizard,omitempty"`

	// lines maps a field path ("saml.reply_url") to its line in the file it
	// was read from, so findings can point at it.
	lines map[string]int
}

// Wizard is the wizard's progress, kept beside the values.
type Wizard struct {
	// Step is the furthest step reached, 1 to 10.
	Step int `yaml:"step" json:"step"`
	// Tenant is the tenant file (ssowiz --tenant) the rehearsal served,
	// as given; empty for the guide's demo tenant. A resume against
	// another says so.
	Tenant string `yaml:"tenant,omitempty" json:"tenant,omitempty"`
}

// App is step 1 of the guide: the non-gallery enterprise application.
type App struct {
	// Name is the application's display name in Entra.
	Name string `yaml:"name" json:"name"`
}

// SAML is step 2's Basic SAML Configuration plus the SAML Certificates
// section's signing options.
type SAML struct {
	// Identifier is "Identifier (Entity ID)".
	Identifier string `yaml:"identifier" json:"identifier"`
	// ReplyURL is "Reply URL (Assertion Consumer Service URL)".
	ReplyURL string `yaml:"reply_url" json:"reply_url"`
	// SignOnURL is "Sign on URL".
	SignOnURL string `yaml:"sign_on_url" json:"sign_on_url"`
	// RelayState is "Relay State (Optional)"; the guide leaves it empty.
	RelayState string `yaml:"relay_state" json:"relay_state"`
	// LogoutURL is "Logout Url (Optional)"; RudderStack doesn't use SLO.
	LogoutURL string `yaml:"logout_url" json:"logout_url"`
	// SigningOption is "Signing Option": assertion, response or both.
	SigningOption string `yaml:"signing_option" json:"signing_option"`
	// SigningAlgorithm is "Signing Algorithm": sha256 or sha1.
	SigningAlgorithm string `yaml:"signing_algorithm" json:"signing_algorithm"`
}

// Claims is the Attributes & Claims page.
type Claims struct {
	// NameID is the "Unique User Identifier (Name ID)" claim.
	NameID NameID `yaml:"name_id" json:"name_id"`
	// Additional are the additional claims, in order. The guide removes
	// Entra's defaults and adds Email and LastName.
	Additional []Claim `yaml:"additional" json:"additional"`
}

// NameID is the Unique User Identifier claim.
type NameID struct {
	// Source is the source attribute, e.g. user.userprincipalname.
	Source string `yaml:"source" json:"source"`
	// Format is the Name identifier format: emailAddress, persistent,
	// unspecified, WindowsDomainQualifiedName or default.
	Format string `yaml:"format" json:"format"`
}

// Claim is one additional claim.
type Claim struct {
	// Name is the claim name as sent (a bare name such as Email).
	Name string `yaml:"name" json:"name"`
	// Namespace is optional; with one, the wire name is namespace/name.
	Namespace string `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	// Source is the source attribute, e.g. user.mail.
	Source string `yaml:"source" json:"source"`
}

// WireName is the attribute Name Entra puts on the wire.
func (c Claim) WireName() string {
	if c.Namespace == "" {
		return c.Name
	}
	ns := c.Namespace
	for len(ns) > 0 && ns[len(ns)-1] == '/' {
		ns = ns[:len(ns)-1]
	}
	return ns + "/" + c.Name
}

// Users is the app's Users and groups page and its Properties switch.
type Users struct {
	// AssignmentRequired is Properties › "Assignment required?".
	AssignmentRequired bool `yaml:"assignment_required" json:"assignment_required"`
	// Assigned are the UPNs of the directory users assigned to the app
	// directly. With Groups, nil in both means the tenant's usual
	// assignments; once either is given, the two lists are the whole
	// page (a list left out is empty).
	Assigned []string `yaml:"assigned" json:"assigned"`
	// Groups are the names of the groups assigned to the app: their
	// direct members are assigned, members of groups nested in them are
	// not (as in Entra, where assigning groups needs Entra ID P1 or P2).
	Groups []string `yaml:"groups" json:"groups"`
}

// Explicit reports whether the setup lists the app's assignments, rather
// than keeping the tenant's usual ones.
func (u Users) Explicit() bool { return u.Assigned != nil || u.Groups != nil }

// String lists the assignments for a reader: "2 user(s): a@x, b@x; 1
// group(s): Sales", or "no one".
func (u Users) String() string {
	var parts []string
	if len(u.Assigned) > 0 {
		parts = append(parts, fmt.Sprintf("%d user(s): %s", len(u.Assigned), strings.Join(u.Assigned, ", ")))
	}
	if len(u.Groups) > 0 {
		parts = append(parts, fmt.Sprintf("%d group(s): %s", len(u.Groups), strings.Join(u.Groups, ", ")))
	}
	if len(parts) == 0 {
		return "no one"
	}
	return strings.Join(parts, "; ")
}

// RudderStack is what happens on RudderStack's side: the admin's own role
// and the personal access token they generate for SCIM.
type RudderStack struct {
	// OrgRole is the admin's role in the RudderStack organisation: "Org
	// Admin" or "Member". SCIM needs an Org Admin.
	OrgRole string `yaml:"org_role" json:"org_role"`
	// SCIMEnabled says whether RudderStack's team has enabled SCIM for the
	// organisation (off gives Test Connection's 403).
	SCIMEnabled bool `yaml:"scim_enabled" json:"scim_enabled"`
	// PAT is the personal access token generated under Settings › Your
	// Profile › Account › Personal access tokens.
	PAT PAT `yaml:"pat" json:"pat"`
}

// PAT is the token's name and role.
type PAT struct {
	// Name is the token's name.
	Name string `yaml:"name" json:"name"`
	// Role is the token's Role dropdown: Admin or Member.
	Role string `yaml:"role" json:"role"`
}

// Provisioning is the app's Provisioning page (Automatic mode).
type Provisioning struct {
	// TenantURL is "Tenant URL".
	TenantURL string `yaml:"tenant_url" json:"tenant_url"`
	// SecretToken is "Secret Token". Empty means "the token generated in
	// RudderStack", which a rehearsal creates fresh; any other value is
	// sent verbatim (to rehearse a wrong one).
	SecretToken string `yaml:"secret_token" json:"secret_token"`
	// ProvisionGroups is Mappings › "Provision Microsoft Entra ID Groups".
	ProvisionGroups bool `yaml:"provision_groups" json:"provision_groups"`
	// Actions are the Target Object Actions of the user mapping.
	Actions Actions `yaml:"actions" json:"actions"`
}

// Actions are the user mapping's Target Object Actions boxes.
type Actions struct {
	Create bool `yaml:"create" json:"create"`
	Update bool `yaml:"update" json:"update"`
	Delete bool `yaml:"delete" json:"delete"`
}

// Default returns the guide's setup: what an admin who follows it to the
// letter types.
func Default() Setup {
	return Setup{
		Version: Version,
		App:     App{Name: GuideAppName},
		SAML: SAML{
			Identifier:       GuideIdentifier,
			ReplyURL:         GuideReplyURL,
			SignOnURL:        GuideSignOnURL,
			SigningOption:    SigningAssertion,
			SigningAlgorithm: AlgorithmSHA256,
		},
		Claims: Claims{
			NameID: NameID{Source: DefaultNameIDFrom, Format: FormatEmailAddress},
			Additional: []Claim{
				{Name: "Email", Source: "user.mail"},
				{Name: "LastName", Source: "user.displayname"},
			},
		},
		Users:       Users{AssignmentRequired: true},
		RudderStack: RudderStack{OrgRole: OrgRoleAdmin, SCIMEnabled: true, PAT: PAT{Name: GuidePATName, Role: PATRoleAdmin}},
		Provisioning: Provisioning{
			TenantURL: GuideTenantURL,
			Actions:   Actions{Create: true, Update: true, Delete: false},
		},
	}
}

// EntraDefaultClaims are the additional claims a new non-gallery app
// starts with; the guide says to remove them.
func EntraDefaultClaims() []Claim {
	const ns = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
	return []Claim{
		{Name: "givenname", Namespace: ns, Source: "user.givenname"},
		{Name: "surname", Namespace: ns, Source: "user.surname"},
		{Name: "emailaddress", Namespace: ns, Source: "user.mail"},
		{Name: "name", Namespace: ns, Source: "user.userprincipalname"},
	}
}

// Line returns the line of a field in the file the setup was read from,
// or 0 when unknown.
func (s *Setup) Line(path string) int { return s.lines[path] }

// Signing options, algorithms, NameID formats and roles as the file spells them.
const (
	SigningAssertion = "assertion"
	SigningResponse  = "response"
	SigningBoth      = "both"

	AlgorithmSHA256 = "sha256"
	AlgorithmSHA1   = "sha1"

	FormatDefault      = "default"
	FormatEmailAddress = "emailAddress"
	FormatPersistent   = "persistent"
	FormatUnspecified  = "unspecified"
	FormatWindows      = "WindowsDomainQualifiedName"

	OrgRoleAdmin  = "Org Admin"
	OrgRoleMember = "Member"
	PATRoleAdmin  = "Admin"
	PATRoleMember = "Member"
)
