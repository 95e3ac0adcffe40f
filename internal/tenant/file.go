// Package tenant is the tenant file: a mock Entra ID tenant described in
// one versioned YAML file — its users, groups and enterprise apps with
// everything Entra's screens hold for them (Basic SAML Configuration,
// Attributes & Claims with a group claim, signing, assignments,
// provisioning) — and the one code path that makes a directory hold it.
//
// The guide's demo tenant (the RudderStack app, six demo users, their
// group) is itself a tenant file, embedded as demo.yaml: `ssowiz tenant
// init` writes it out, and everything that seeds the mock Entra ID reads
// it, so the guide's app and a developer's own app are built the same way.
package tenant

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Version is the tenant file format this ssowiz reads and writes.
const Version = 1

// File is a tenant file. Field names in the file are the yaml tags.
type File struct {
	// Version is the file format version; it must be 1.
	Version int `yaml:"version"`
	// Tenant names the directory.
	Tenant Tenant `yaml:"tenant"`
	// Users are the tenant's member users.
	Users []User `yaml:"users"`
	// Groups are the security groups; members can also be given on the
	// users (User.Groups).
	Groups []Group `yaml:"groups"`
	// Apps are the enterprise applications.
	Apps []App `yaml:"apps"`

	// name is the file's name as given, and lines the line of each field,
	// so errors can point at them.
	name  string
	lines map[string]int
	// sum identifies the file's content, to tell whether it changed since
	// it was last applied to a kept directory.
	sum string
}

// Tenant is the directory's identity.
type Tenant struct {
	// Name is the initial domain's first label: contoso gives
	// contoso.onmicrosoft.com.
	Name string `yaml:"name"`
	// DisplayName is the organization name.
	DisplayName string `yaml:"display_name"`
	// ID is the tenant ID (a GUID); empty makes one.
	ID string `yaml:"id"`
	// Domains are verified custom domains user principal names may use.
	Domains []string `yaml:"domains"`
}

// User is a member user.
type User struct {
	// UPN is the user principal name, the sign-in name.
	UPN string `yaml:"upn"`
	// DisplayName is required.
	DisplayName string `yaml:"display_name"`
	// GivenName, Surname, Mail, JobTitle, Department and EmployeeID are
	// the user's properties; an empty Mail means the user has none (the
	// claims sourced from it are then omitted).
	GivenName  string `yaml:"given_name"`
	Surname    string `yaml:"surname"`
	Mail       string `yaml:"mail"`
	JobTitle   string `yaml:"job_title"`
	Department string `yaml:"department"`
	EmployeeID string `yaml:"employee_id"`
	// Attributes are the other properties, by the names in
	// AttributeNames (office, city, mobile, ...).
	Attributes map[string]string `yaml:"attributes"`
	// Manager is the manager's UPN.
	Manager string `yaml:"manager"`
	// Roles are Entra directory roles held, e.g. Global Administrator.
	Roles []string `yaml:"roles"`
	// Enabled is "Account enabled"; absent means true.
	Enabled *bool `yaml:"enabled"`
	// Password is the user's password; empty makes one, kept across
	// restarts with --data and printed at start.
	Password string `yaml:"password"`
	// Groups are the names of groups the user is a member of.
	Groups []string `yaml:"groups"`
	// Note says what the user is there to rehearse; `serve` prints it.
	Note string `yaml:"note"`
}

// Group is a security group.
type Group struct {
	// Name is the group's display name, unique in the file.
	Name string `yaml:"name"`
	// Description is optional.
	Description string `yaml:"description"`
	// Members are UPNs of member users (besides the users naming the group
	// in their own groups).
	Members []string `yaml:"members"`
}

// App is a non-gallery enterprise application with SAML single sign-on:
// what Entra's screens for it hold.
type App struct {
	// Name is the app's display name, unique in the file.
	Name string `yaml:"name"`
	// RudderStack, when present, makes this app ssowiz's built-in mock
	// RudderStack: SAML values left empty are filled with its own, and its
	// organisation is federated with the app.
	RudderStack *RudderStack `yaml:"rudderstack"`
	// Metadata is a file or URL of the SP's SAML metadata, as Entra's
	// "Upload metadata file": it gives the identifier, reply URLs and
	// logout URL, and the app gets the built-in app's claims and
	// assignments unless the file sets its own.
	Metadata string `yaml:"metadata"`
	// SAML is the Basic SAML Configuration.
	SAML SAML `yaml:"saml"`
	// NameID is the Unique User Identifier (Name ID) claim; absent means
	// Entra's default (user.userprincipalname as an email address).
	NameID *NameID `yaml:"name_id"`
	// Claims are the additional claims, in order; absent means Entra's
	// four defaults (or the built-in app's, for an app from metadata), an
	// empty list none.
	Claims []Claim `yaml:"claims"`
	// GroupClaim is Attributes & Claims › "Add a group claim".
	GroupClaim *GroupClaim `yaml:"group_claim"`
	// Signing is the SAML Certificates box's options.
	Signing Signing `yaml:"signing"`
	// AssignmentRequired is Properties › "Assignment required?"; absent
	// means yes.
	AssignmentRequired *bool `yaml:"assignment_required"`
	// Assigned are the users and groups on the Users and groups page;
	// absent means nobody (or the built-in app's, for an app from
	// metadata).
	Assigned *Assigned `yaml:"assigned"`
	// Provisioning is the Provisioning page; absent leaves it empty.
	Provisioning *Provisioning `yaml:"provisioning"`
	// SignIn says how `ssowiz check --app` tells a sign-in succeeded.
	SignIn SignIn `yaml:"sign_in"`
}

// RudderStack configures the built-in mock RudderStack's side.
type RudderStack struct {
	// OrgAdmin is the UPN of the user invited as the organisation's Org
	// Admin; `serve` gives them an Admin token for SCIM.
	OrgAdmin string `yaml:"org_admin"`
}

// SAML is the Basic SAML Configuration box.
type SAML struct {
	// Identifiers are "Identifier (Entity ID)" rows.
	Identifiers []Identifier `yaml:"identifiers"`
	// ReplyURLs are "Reply URL (Assertion Consumer Service URL)" rows.
	ReplyURLs []ReplyURL `yaml:"reply_urls"`
	// SignOnURL is "Sign on URL".
	SignOnURL string `yaml:"sign_on_url"`
	// RelayState is "Relay State (Optional)".
	RelayState string `yaml:"relay_state"`
	// LogoutURL is "Logout Url (Optional)".
	LogoutURL string `yaml:"logout_url"`
}

// Identifier is one Identifier (Entity ID) row.
type Identifier struct {
	Value   string `yaml:"value"`
	Default bool   `yaml:"default"`
}

// ReplyURL is one Reply URL row.
type ReplyURL struct {
	URL     string `yaml:"url"`
	Index   *int   `yaml:"index"`
	Default bool   `yaml:"default"`
}

// NameID is the Unique User Identifier claim.
type NameID struct {
	// Source is the source attribute, e.g. user.userprincipalname.
	Source string `yaml:"source"`
	// Format is default, emailAddress, persistent, unspecified or
	// WindowsDomainQualifiedName.
	Format string `yaml:"format"`
}

// Claim is one additional claim.
type Claim struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
	Source    string `yaml:"source"`
}

// GroupClaim is Entra's group claim.
type GroupClaim struct {
	// Groups is which groups: security, all or application (groups
	// assigned to the application).
	Groups string `yaml:"groups"`
	// Emit is object_ids (default) or names; names need groups:
	// application, as Entra emits cloud-only group names only for those.
	Emit string `yaml:"emit"`
	// Name and Namespace customise the claim's name; empty sends
	// http://schemas.microsoft.com/ws/2008/06/identity/claims/groups.
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
}

// Signing is the SAML Signing Certificate's options.
type Signing struct {
	// Option is assertion (default), response or both.
	Option string `yaml:"option"`
	// Algorithm is sha256 (default) or sha1.
	Algorithm string `yaml:"algorithm"`
}

// Assigned is the Users and groups page.
type Assigned struct {
	// Users are UPNs assigned directly.
	Users []string `yaml:"users"`
	// Groups are group names assigned (their direct members are).
	Groups []string `yaml:"groups"`
}

// Provisioning is the app's Provisioning page in Automatic mode.
type Provisioning struct {
	// TenantURL is the SCIM base URL. Empty on the built-in app means the
	// built-in SCIM server, with the Org Admin's token.
	TenantURL string `yaml:"tenant_url"`
	// SecretToken is the bearer token; prefer SecretTokenEnv.
	SecretToken string `yaml:"secret_token"`
	// SecretTokenEnv names an environment variable holding the token.
	SecretTokenEnv string `yaml:"secret_token_env"`
	// Scope is assigned (default) or all.
	Scope string `yaml:"scope"`
	// ProvisionGroups is "Provision Microsoft Entra ID Groups"; absent
	// means on, as in Entra.
	ProvisionGroups *bool `yaml:"provision_groups"`
	// Actions are the user mapping's Target Object Actions; absent means
	// all three ticked.
	Actions *Actions `yaml:"actions"`
	// Enabled is Provisioning Status On.
	Enabled bool `yaml:"enabled"`
	// Interval is the time between cycles; absent means 40m.
	Interval time.Duration `yaml:"interval"`
	// Mappings are the attribute mappings; absent means Entra's defaults.
	Mappings *Mappings `yaml:"mappings"`
}

// Actions are the Target Object Actions boxes.
type Actions struct {
	Create bool `yaml:"create"`
	Update bool `yaml:"update"`
	Delete bool `yaml:"delete"`
}

// Mappings are the attribute mappings of users and groups.
type Mappings struct {
	Users  []Mapping `yaml:"users"`
	Groups []Mapping `yaml:"groups"`
}

// Mapping is one attribute mapping row.
type Mapping struct {
	// Source is an Entra attribute, a "constant" or an expression.
	Source string `yaml:"source"`
	// Target is the SCIM attribute path.
	Target string `yaml:"target"`
	// MatchingPrecedence is 1, 2, ... for matching attributes.
	MatchingPrecedence int `yaml:"matching_precedence"`
	// Apply is Always (default) or OnlyDuringCreation.
	Apply string `yaml:"apply"`
}

// SignIn is how a check judges that a sign-in to the app worked: any
// condition given must hold.
type SignIn struct {
	// StartURL is where a user starts an SP-initiated sign-in; empty
	// means the Sign on URL.
	StartURL string `yaml:"start_url"`
	// FinalURLPrefix must prefix the URL the browser ends on.
	FinalURLPrefix string `yaml:"final_url_prefix"`
	// Status must be the final page's HTTP status; 0 means any 2xx.
	Status int `yaml:"status"`
	// Text must appear on the final page.
	Text string `yaml:"text"`
}

// Name is the file's name as it was read.
func (f *File) Name() string { return f.name }

// Digest identifies the file's content as it was read (a SHA-256 in
// hex), to tell whether two processes read the same version of it.
func (f *File) Digest() string { return f.sum }

// Line returns the line of a field ("apps[0].saml.reply_urls[1].url") in
// the file, or 0 when unknown.
func (f *File) Line(path string) int { return f.lines[path] }

// ReadFile reads, parses and validates a tenant file.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the tenant file: %w", err)
	}
	defer fh.Close()
	return Parse(fh, path)
}

// Parse reads a tenant file in YAML (or JSON) and validates it. Errors
// are *yamlfile.Error naming the file, the line, the field and the fix;
// several problems are joined.
func Parse(r io.Reader, name string) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return parse(data, name)
}

// builtin returns the app that is the built-in RudderStack, or nil.
func (f *File) builtin() *App {
	for i := range f.Apps {
		if f.Apps[i].RudderStack != nil {
			return &f.Apps[i]
		}
	}
	return nil
}

// ProvisioningEnabled reports whether any app's provisioning is on, so
// the provisioning engine must run. A nil file (the demo tenant) has none.
func (f *File) ProvisioningEnabled() bool {
	if f == nil {
		return false
	}
	for _, a := range f.Apps {
		if a.Provisioning != nil && a.Provisioning.Enabled {
			return true
		}
	}
	return false
}

// ProvisioningEnabled reports whether any app's provisioning is on in
// the file, so the provisioning engine must run.
func (a Applied) ProvisioningEnabled() bool {
	for _, app := range a.Apps {
		if p := app.Spec.Provisioning; p != nil && p.Enabled {
			return true
		}
	}
	return false
}

// Cacheable reports whether the applied tenant may be kept in the user's
// cache directory: not when an app's SCIM token comes from an environment
// variable, which is there so the token is written to no file.
func (a Applied) Cacheable() bool {
	for _, app := range a.Apps {
		if p := app.Spec.Provisioning; p != nil && p.SecretTokenEnv != "" {
			return false
		}
	}
	return true
}
