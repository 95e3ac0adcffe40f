package setup

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ssowiz/ssowiz/internal/entra"
)

// Severity says whether a finding breaks the setup or only deserves a look.
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem with one field, in the admin's terms: which field
// on which screen, what it holds, what it should hold, and what to do.
type Finding struct {
	// Field is the setup file's dotted path, e.g. "saml.reply_url".
	Field string `json:"field"`
	// Line is the field's line in the setup file, 0 when not from a file.
	Line int `json:"line,omitempty"`
	// Screen is where the field lives, e.g. "Entra admin center › … ›
	// Basic SAML Configuration".
	Screen string `json:"screen"`
	// Label is the field's label on that screen.
	Label string `json:"label"`
	// Value is what the setup holds (never a secret).
	Value string `json:"value"`
	// Expected is what it should hold, when one value is right.
	Expected string   `json:"expected,omitempty"`
	Severity Severity `json:"severity"`
	// Problem says what is wrong.
	Problem string `json:"problem"`
	// Fix says what to do about it.
	Fix string `json:"fix"`
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s › %s: %s", f.Screen, f.Label, f.Problem)
	if f.Fix != "" {
		s += " " + f.Fix
	}
	return s
}

// Where each field lives, as the admin sees it.
const (
	ScreenCreateApp    = "Entra admin center › Enterprise applications › New application › Create your own application"
	ScreenBasicSAML    = "Entra admin center › Enterprise applications › %s › Single sign-on › Basic SAML Configuration"
	ScreenCertificates = "Entra admin center › Enterprise applications › %s › Single sign-on › SAML Certificates"
	ScreenClaims       = "Entra admin center › Enterprise applications › %s › Single sign-on › Attributes & Claims"
	ScreenUsers        = "Entra admin center › Enterprise applications › %s › Users and groups"
	ScreenProperties   = "Entra admin center › Enterprise applications › %s › Properties"
	ScreenProvisioning = "Entra admin center › Enterprise applications › %s › Provisioning"
	ScreenMappings     = "Entra admin center › Enterprise applications › %s › Provisioning › Mappings"
	ScreenPAT          = "RudderStack › Settings › Your Profile › Account › Personal access tokens"
	ScreenOrgRole      = "RudderStack › Settings › Organization › Members"
	ScreenRudderTeam   = "RudderStack team (SCIM must be enabled for the organization)"
)

var (
	cognitoEntityID = regexp.MustCompile(`^urn:amazon:cognito:sp:[a-z]{2}-[a-z]+-\d_[A-Za-z0-9]+$`)
)

// Validate checks a setup against the guide without running anything and
// returns one finding per field that is off, in the order the guide visits
// them. No findings means the setup is what the guide says.
func Validate(s Setup) []Finding {
	v := validator{s: s, app: s.App.Name}
	if v.app == "" {
		v.app = "<your app>"
	}
	v.app_()
	v.saml()
	v.claims()
	v.users()
	v.rudderstack()
	v.provisioning()
	return v.out
}

type validator struct {
	s   Setup
	app string
	out []Finding
}

func (v *validator) add(sev Severity, field, screen, label, value, expected, problem, fix string) {
	if strings.Contains(screen, "%s") {
		screen = fmt.Sprintf(screen, v.app)
	}
	v.out = append(v.out, Finding{Field: field, Line: v.s.Line(field), Screen: screen, Label: label,
		Value: value, Expected: expected, Severity: sev, Problem: problem, Fix: fix})
}

func (v *validator) app_() {
	if strings.TrimSpace(v.s.App.Name) == "" {
		v.add(SeverityError, "app.name", ScreenCreateApp, "Input name", "", GuideAppName,
			"the application has no name.", fmt.Sprintf("Name it, for example %q.", GuideAppName))
	}
}

func (v *validator) saml() {
	const field = "saml."
	s := v.s.SAML
	switch {
	case s.Identifier == "":
		v.add(SeverityError, field+"identifier", ScreenBasicSAML, "Identifier (Entity ID)", "", GuideIdentifier,
			"is empty; Entra needs it to find the app (AADSTS700016 otherwise).", fmt.Sprintf("Enter %s.", GuideIdentifier))
	case s.Identifier != GuideIdentifier:
		problem := fmt.Sprintf("is %q, but RudderStack's sign-in requests come from %q, so Entra won't find the app (AADSTS700016).", s.Identifier, GuideIdentifier)
		if strings.EqualFold(strings.TrimSpace(s.Identifier), GuideIdentifier) {
			problem = fmt.Sprintf("is %q; it differs from %q only in case or spaces, and Entra compares it exactly (AADSTS700016).", s.Identifier, GuideIdentifier)
		} else if !cognitoEntityID.MatchString(s.Identifier) {
			problem = fmt.Sprintf("is %q, which is not a Cognito entity ID (urn:amazon:cognito:sp:<pool>); RudderStack's requests come from %q (AADSTS700016).", s.Identifier, GuideIdentifier)
		}
		v.add(SeverityError, field+"identifier", ScreenBasicSAML, "Identifier (Entity ID)", s.Identifier, GuideIdentifier,
			problem, fmt.Sprintf("Set it to %s.", GuideIdentifier))
	}
	v.replyURL(s.ReplyURL)
	v.signOnURL(s.SignOnURL)
	if s.RelayState != "" {
		v.add(SeverityWarning, field+"relay_state", ScreenBasicSAML, "Relay State (Optional)", s.RelayState, "",
			"is set; the guide leaves it empty, and RudderStack ignores it (it keeps its own RelayState for SP-initiated sign-in).", "Clear the field.")
	}
	if s.LogoutURL != "" {
		if msg := checkURL(s.LogoutURL); msg != "" {
			v.add(SeverityError, field+"logout_url", ScreenBasicSAML, "Logout Url (Optional)", s.LogoutURL, "", msg, "Fix the URL or clear the field; RudderStack doesn't use SAML logout.")
		}
	}
	switch s.SigningOption {
	case SigningAssertion:
	case SigningResponse, SigningBoth:
		v.add(SeverityWarning, field+"signing_option", ScreenCertificates, "Signing Option", signingLabel(s.SigningOption), signingLabel(SigningAssertion),
			"differs from Entra's default; Cognito-based RudderStack is known to work with the assertion signed.", "Use \"Sign SAML assertion\" unless RudderStack asked otherwise.")
	default:
		v.add(SeverityError, field+"signing_option", ScreenCertificates, "Signing Option", s.SigningOption, SigningAssertion,
			fmt.Sprintf("%q is not one of assertion, response, both.", s.SigningOption), "Choose \"Sign SAML assertion\".")
	}
	switch s.SigningAlgorithm {
	case AlgorithmSHA256:
	case AlgorithmSHA1:
		v.add(SeverityWarning, field+"signing_algorithm", ScreenCertificates, "Signing Algorithm", "SHA-1", "SHA-256",
			"SHA-1 is weak and some service providers refuse it.", "Choose SHA-256.")
	default:
		v.add(SeverityError, field+"signing_algorithm", ScreenCertificates, "Signing Algorithm", s.SigningAlgorithm, AlgorithmSHA256,
			fmt.Sprintf("%q is not sha256 or sha1.", s.SigningAlgorithm), "Choose SHA-256.")
	}
}

func signingLabel(opt string) string {
	switch opt {
	case SigningAssertion:
		return "Sign SAML assertion"
	case SigningResponse:
		return "Sign SAML response"
	case SigningBoth:
		return "Sign SAML response and assertion"
	}
	return opt
}

// checkURL returns why u is not an absolute https URL, or "".
func checkURL(u string) string {
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a URL: %v.", u, err)
	case strings.TrimSpace(u) != u:
		return fmt.Sprintf("%q has spaces around it.", u)
	case p.Scheme != "https" && p.Scheme != "http":
		return fmt.Sprintf("%q is not an http(s) URL.", u)
	case p.Host == "":
		return fmt.Sprintf("%q has no host.", u)
	case p.Scheme != "https":
		return fmt.Sprintf("%q uses http; Entra requires https here.", u)
	}
	return ""
}

func (v *validator) replyURL(got string) {
	const field, label = "saml.reply_url", "Reply URL (Assertion Consumer Service URL)"
	if got == GuideReplyURL {
		return
	}
	fix := fmt.Sprintf("Set it to exactly %s.", GuideReplyURL)
	if got == "" {
		v.add(SeverityError, field, ScreenBasicSAML, label, "", GuideReplyURL, "is empty; Entra has nowhere to send the response.", fix)
		return
	}
	problem := ""
	if msg := checkURL(got); msg != "" {
		problem = msg
	}
	switch {
	case problem != "":
	case strings.TrimRight(got, "/") == GuideReplyURL:
		problem = fmt.Sprintf("%q ends with a slash; Entra matches reply URLs exactly, so RudderStack's request for %s fails with AADSTS50011.", got, GuideReplyURL)
	case strings.EqualFold(got, GuideReplyURL):
		problem = fmt.Sprintf("%q differs from %s in case; Entra matches reply URLs case-sensitively (AADSTS50011).", got, GuideReplyURL)
	default:
		problem = fmt.Sprintf("%q is not RudderStack's assertion consumer service; its requests name %s, so Entra answers AADSTS50011.", got, GuideReplyURL)
	}
	v.add(SeverityError, field, ScreenBasicSAML, label, got, GuideReplyURL, problem, fix)
}

// SignOnURLCaveat is the one story about the Sign on URL, told wherever
// it comes up: the guide's value, and what it means for My Apps.
const SignOnURLCaveat = "The guide's Sign on URL is the Reply URL, so a My Apps tile lands on RudderStack's error page: RudderStack doesn't support sign-in started from Entra. Users sign in at " + GuideLoginURL + "."

func (v *validator) signOnURL(got string) {
	const field, label = "saml.sign_on_url", "Sign on URL"
	switch {
	case got == "":
		v.add(SeverityWarning, field, ScreenBasicSAML, label, "", GuideSignOnURL,
			"is empty, so the My Apps tile starts an IdP-initiated sign-in, which RudderStack refuses (\"Invalid samlResponse or relayState from identity provider\").",
			fmt.Sprintf("Enter %s as the guide says; users sign in at %s.", GuideSignOnURL, GuideLoginURL))
	case checkURL(got) != "":
		v.add(SeverityError, field, ScreenBasicSAML, label, got, GuideSignOnURL, checkURL(got), fmt.Sprintf("Enter %s.", GuideSignOnURL))
	case got == GuideSignOnURL:
	default:
		v.add(SeverityWarning, field, ScreenBasicSAML, label, got, GuideSignOnURL,
			fmt.Sprintf("%q is not the guide's Sign on URL; the My Apps tile will open it. %s", got, SignOnURLCaveat),
			fmt.Sprintf("Enter the guide's %s.", GuideSignOnURL))
	}
}

func (v *validator) claims() {
	c := v.s.Claims
	if !entra.IsSourceAttribute(c.NameID.Source) {
		v.add(SeverityError, "claims.name_id.source", ScreenClaims, "Unique User Identifier (Name ID) › Source attribute", c.NameID.Source, DefaultNameIDFrom,
			fmt.Sprintf("%q is not an Entra source attribute%s.", c.NameID.Source, suggest(c.NameID.Source, entra.SourceAttributeNames())), "Choose user.userprincipalname.")
	} else if c.NameID.Source != DefaultNameIDFrom {
		v.add(SeverityError, "claims.name_id.source", ScreenClaims, "Unique User Identifier (Name ID) › Source attribute", c.NameID.Source, DefaultNameIDFrom,
			fmt.Sprintf("is %s; RudderStack keys accounts on the Name ID and SCIM's userName is the UPN, so anything but user.userprincipalname splits one person into two accounts.", c.NameID.Source),
			"Choose user.userprincipalname.")
	}
	switch c.NameID.Format {
	case FormatEmailAddress, FormatDefault, FormatUnspecified:
	case FormatPersistent, FormatWindows:
		// Entra still sends the source attribute's value; only the Format
		// attribute changes, which RudderStack doesn't read.
		v.add(SeverityWarning, "claims.name_id.format", ScreenClaims, "Unique User Identifier (Name ID) › Name identifier format", c.NameID.Format, "Email address",
			"the guide's Name ID is in email address format; sign-in still works, since the value stays the UPN.", "Choose Email address.")
	default:
		v.add(SeverityError, "claims.name_id.format", ScreenClaims, "Unique User Identifier (Name ID) › Name identifier format", c.NameID.Format, "Email address",
			fmt.Sprintf("%q is not one of emailAddress, persistent, unspecified, WindowsDomainQualifiedName, default.", c.NameID.Format), "Choose Email address.")
	}

	defaults := EntraDefaultClaims()
	names := map[string]bool{}
	for i, cl := range c.Additional {
		path := fmt.Sprintf("claims.additional[%d]", i)
		label := fmt.Sprintf("Additional claims › %s", cl.WireName())
		if slices.Contains(defaults, cl) {
			v.add(SeverityError, path, ScreenClaims, label, cl.Source, "",
				"is one of Entra's default claims, which the guide says to remove.", "Delete it from Additional claims.")
			continue
		}
		if names[cl.WireName()] {
			v.add(SeverityError, path, ScreenClaims, label, cl.Source, "", "is listed twice.", "Keep one.")
		}
		names[cl.WireName()] = true
		if !entra.IsSourceAttribute(cl.Source) {
			v.add(SeverityError, path+".source", ScreenClaims, label+" › Source attribute", cl.Source, "",
				fmt.Sprintf("%q is not an Entra source attribute%s.", cl.Source, suggest(cl.Source, entra.SourceAttributeNames())), "Choose one from the list.")
		}
	}
	v.requiredClaim("Email", []string{"user.mail"})
	v.requiredClaim("LastName", []string{"user.displayname", "user.surname"})
}

// requiredClaim checks that a claim RudderStack maps is sent under exactly
// its name, with no namespace, from an allowed source.
func (v *validator) requiredClaim(name string, sources []string) {
	label := "Additional claims › " + name
	for i, cl := range v.s.Claims.Additional {
		path := fmt.Sprintf("claims.additional[%d]", i)
		switch {
		case cl.Name == name && cl.Namespace == "":
			if name == "Email" && cl.Source == "user.userprincipalname" {
				// It signs in wherever the UPN is a mailbox, so it is worth a
				// look rather than wrong.
				v.add(SeverityWarning, path+".source", ScreenClaims, label+" › Source attribute", cl.Source, sources[0],
					"is user.userprincipalname; the guide says user.mail. Sign-in works where every UPN is also the user's mail address (as in the rehearsal's tenant), but where they differ RudderStack stores an address no one reads.",
					fmt.Sprintf("Set the source attribute to %s unless your UPNs are your mail addresses.", sources[0]))
				return
			}
			if !slices.Contains(sources, cl.Source) {
				v.add(SeverityError, path+".source", ScreenClaims, label+" › Source attribute", cl.Source, strings.Join(sources, " or "),
					fmt.Sprintf("is %s; RudderStack expects %s here.", cl.Source, strings.Join(sources, " or ")),
					fmt.Sprintf("Set the source attribute to %s.", sources[0]))
			}
			return
		case cl.Name == name:
			v.add(SeverityError, path+".namespace", ScreenClaims, label+" › Namespace", cl.Namespace, "",
				fmt.Sprintf("has a namespace, so Entra sends it as %q; RudderStack maps the attribute named exactly %q.", cl.WireName(), name),
				"Clear the Namespace field.")
			return
		case strings.EqualFold(cl.Name, name) && cl.Namespace == "":
			v.add(SeverityError, path+".name", ScreenClaims, "Additional claims › "+cl.Name+" › Name", cl.Name, name,
				fmt.Sprintf("is %q; RudderStack maps the attribute named exactly %q (case matters), so sign-in fails with \"Invalid user attributes\".", cl.Name, name),
				fmt.Sprintf("Rename the claim to %s.", name))
			return
		}
	}
	v.add(SeverityError, "claims.additional", ScreenClaims, label, "", name+" = "+sources[0],
		fmt.Sprintf("there is no %s claim; RudderStack needs it to create the account.", name),
		fmt.Sprintf("Add new claim: Name %s, Source attribute %s, Namespace empty.", name, sources[0]))
}

func (v *validator) users() {
	u := v.s.Users
	if !u.AssignmentRequired {
		v.add(SeverityWarning, "users.assignment_required", ScreenProperties, "Assignment required?", "No", "Yes",
			"every user in the tenant can sign in to RudderStack, and provisioning scope follows assignments anyway.", "Set it to Yes and assign who needs access.")
	}
	if u.Explicit() && len(u.Assigned) == 0 && len(u.Groups) == 0 {
		v.add(SeverityError, "users.assigned", ScreenUsers, "Users and groups", "none", "",
			"no one is assigned, so no one can sign in and nothing is provisioned.", "Add user/group and assign the people who need RudderStack.")
	}
}

func (v *validator) rudderstack() {
	r := v.s.RudderStack
	switch r.OrgRole {
	case OrgRoleAdmin:
	case OrgRoleMember:
		v.add(SeverityError, "rudderstack.org_role", ScreenOrgRole, "Your role", r.OrgRole, OrgRoleAdmin,
			"SCIM needs a token whose owner is an Org Admin; a Member's token is refused.", "Ask an Org Admin to make you one, or to generate the token.")
	default:
		v.add(SeverityError, "rudderstack.org_role", ScreenOrgRole, "Your role", r.OrgRole, OrgRoleAdmin,
			fmt.Sprintf("%q is not Org Admin or Member.", r.OrgRole), "Use Org Admin.")
	}
	if strings.TrimSpace(r.PAT.Name) == "" {
		v.add(SeverityError, "rudderstack.pat.name", ScreenPAT, "Name", "", GuidePATName, "the token has no name.", fmt.Sprintf("Name it, for example %q.", GuidePATName))
	}
	switch r.PAT.Role {
	case PATRoleAdmin:
	case PATRoleMember:
		v.add(SeverityError, "rudderstack.pat.role", ScreenPAT, "Role", r.PAT.Role, PATRoleAdmin,
			"SCIM needs a token with the Admin role; provisioning fails otherwise.", "Generate a new token with Role Admin.")
	default:
		v.add(SeverityError, "rudderstack.pat.role", ScreenPAT, "Role", r.PAT.Role, PATRoleAdmin,
			fmt.Sprintf("%q is not Admin or Member.", r.PAT.Role), "Choose Admin.")
	}
	if !r.SCIMEnabled {
		v.add(SeverityWarning, "rudderstack.scim_enabled", ScreenRudderTeam, "SCIM for the organization", "off", "on",
			"SCIM is not enabled for the organization, so Test Connection gets 403 Forbidden.", "Contact the RudderStack team to enable SCIM for your organization.")
	}
}

func (v *validator) provisioning() {
	p := v.s.Provisioning
	const field, label = "provisioning.tenant_url", "Tenant URL"
	if p.TenantURL == "" {
		v.add(SeverityError, field, ScreenProvisioning, label, "", GuideTenantURL, "is empty.", fmt.Sprintf("Enter %s.", GuideTenantURL))
	} else if msg := checkURL(p.TenantURL); msg != "" {
		v.add(SeverityError, field, ScreenProvisioning, label, p.TenantURL, GuideTenantURL, msg, fmt.Sprintf("Enter %s.", GuideTenantURL))
	} else if u, _ := url.Parse(p.TenantURL); u.Scheme+"://"+u.Host+strings.TrimSuffix(u.Path, "/") != GuideTenantURL {
		problem := fmt.Sprintf("%q is not RudderStack's SCIM endpoint %s.", p.TenantURL, GuideTenantURL)
		if u.Host == "api.rudderstack.com" && strings.TrimSuffix(u.Path, "/") == "/scim" {
			problem = fmt.Sprintf("%q is missing /v2; Entra appends /Users to the Tenant URL, so requests reach %s/Users, which doesn't exist.", p.TenantURL, strings.TrimSuffix(p.TenantURL, "/"))
		}
		v.add(SeverityError, field, ScreenProvisioning, label, p.TenantURL, GuideTenantURL, problem, fmt.Sprintf("Enter %s.", GuideTenantURL))
	}
	v.secretToken(p.SecretToken)
	if p.ProvisionGroups {
		v.add(SeverityWarning, "provisioning.provision_groups", ScreenMappings, "Provision Microsoft Entra ID Groups", "Yes", "No",
			"RudderStack doesn't support pushing groups yet; Entra's group calls will fail and can put the job in quarantine.", "Set it to No.")
	}
	if p.Actions.Delete {
		v.add(SeverityWarning, "provisioning.actions.delete", ScreenMappings, "Provision Microsoft Entra ID Users › Target Object Actions › Delete", "ticked", "unticked",
			"RudderStack doesn't remove users; a hard-deleted user's DELETE is refused (they are deactivated instead).", "Untick Delete.")
	}
	if !p.Actions.Create {
		v.add(SeverityError, "provisioning.actions.create", ScreenMappings, "Provision Microsoft Entra ID Users › Target Object Actions › Create", "unticked", "ticked",
			"without Create, Entra never creates assigned users in RudderStack.", "Tick Create.")
	}
	if !p.Actions.Update {
		v.add(SeverityWarning, "provisioning.actions.update", ScreenMappings, "Provision Microsoft Entra ID Users › Target Object Actions › Update", "unticked", "ticked",
			"without Update, attribute changes and deactivations never reach RudderStack.", "Tick Update.")
	}
}

// FixedToken is the Value of the finding on a typed Secret Token; a
// wizard that knows the token is the one it generated drops that finding.
const FixedToken = "(a typed token)"

// secretToken says what a typed Secret Token does. Entra sends it exactly
// as typed, spaces included ("Authorization: Bearer <Secret Token>",
// reference entra-scim §6.1), so ssowiz does too and says so.
func (v *validator) secretToken(tok string) {
	const field, label = "provisioning.secret_token", "Secret Token"
	if tok == "" {
		return
	}
	trimmed := strings.TrimSpace(tok)
	if trimmed == "" {
		v.add(SeverityError, field, ScreenProvisioning, label, "(only spaces)", "the token generated in RudderStack",
			"holds only spaces; Entra sends them as the token, and RudderStack refuses it (401).", "Paste the personal access token generated in RudderStack.")
		return
	}
	if trimmed != tok {
		lead := len(tok) - len(strings.TrimLeft(tok, " \t"))
		trail := len(tok) - len(strings.TrimRight(tok, " \t"))
		var where []string
		if lead > 0 {
			where = append(where, fmt.Sprintf("%d at the start", lead))
		}
		if trail > 0 {
			where = append(where, fmt.Sprintf("%d at the end", trail))
		}
		v.add(SeverityWarning, field, ScreenProvisioning, label, "(spaces around it: "+strings.Join(where, ", ")+")", "the token alone",
			"has spaces around it ("+strings.Join(where, ", ")+"). Entra sends the Secret Token exactly as typed, spaces included; RudderStack ignores spaces around a bearer token, so it still works (Test Connection and the checks send it as typed too).",
			"Paste the token again without the spaces, to be safe with servers that don't ignore them.")
	}
	v.add(SeverityWarning, field, ScreenProvisioning, label, FixedToken, "the token generated in RudderStack",
		"is sent exactly as typed. A rehearsal knows only the tokens generated in it (step 7 of the wizard), so any other token fails checks 6 and 7 as not RudderStack's.",
		"Leave it empty, or paste the token generated in step 7.")
}

// Errors returns the findings of error severity.
func Errors(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// FindGroup finds the group a setup's users.groups names among the
// tenant's group names (any case): its index (-1 when none) and how many
// groups have the name (Entra allows several; a setup names groups, so it
// cannot tell them apart).
func FindGroup(name string, groups []string) (at, matches int) {
	at = -1
	for i, g := range groups {
		if strings.EqualFold(strings.TrimSpace(g), strings.TrimSpace(name)) {
			if at < 0 {
				at = i
			}
			matches++
		}
	}
	return at, matches
}

// GroupProblem says why a setup's group cannot be assigned when FindGroup
// finds matches groups of that name other than one: the tenant file
// renamed or dropped it (say since the setup was saved), or several share
// the name; each with the fix.
func GroupProblem(name string, groups []string, matches int) string {
	if matches == 0 {
		return fmt.Sprintf("the tenant has no group %q (%s). If the tenant file renamed it, put the new name in users.groups; if it dropped it, remove the entry.", name, someGroups(groups))
	}
	return fmt.Sprintf("the tenant has %d groups named %q. Rename all but one in the tenant file, so the setup names one group.", matches, name)
}

// someGroups names a tenant's groups for FindGroup: the first few of many.
func someGroups(groups []string) string {
	const most = 3
	if len(groups) == 0 {
		return "it has no groups"
	}
	var names []string
	for _, g := range groups[:min(len(groups), most)] {
		names = append(names, strconv.Quote(g))
	}
	out := "its groups are " + strings.Join(names, ", ")
	if len(groups) > most {
		out += fmt.Sprintf(" and %d more", len(groups)-most)
	}
	return out
}
