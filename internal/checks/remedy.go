package checks

import (
	"fmt"
	"strings"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// fieldInfo says where a setup field lives and what the guide puts there.
type fieldInfo struct {
	screen, label, expected string
	value                   func(setup.Setup) string
}

// fieldTable is every setup field a live check can blame, for remediations
// the static validation has no finding for (a value the guide allows that
// still failed, or a refusal by Entra's portal).
var fieldTable = map[string]fieldInfo{
	"saml.identifier": {setup.ScreenBasicSAML, "Identifier (Entity ID)", setup.GuideIdentifier,
		func(s setup.Setup) string { return s.SAML.Identifier }},
	"saml.reply_url": {setup.ScreenBasicSAML, "Reply URL (Assertion Consumer Service URL)", setup.GuideReplyURL,
		func(s setup.Setup) string { return s.SAML.ReplyURL }},
	"saml.sign_on_url": {setup.ScreenBasicSAML, "Sign on URL", setup.GuideSignOnURL,
		func(s setup.Setup) string { return s.SAML.SignOnURL }},
	"saml.relay_state": {setup.ScreenBasicSAML, "Relay State (Optional)", "",
		func(s setup.Setup) string { return s.SAML.RelayState }},
	"saml.logout_url": {setup.ScreenBasicSAML, "Logout Url (Optional)", "",
		func(s setup.Setup) string { return s.SAML.LogoutURL }},
	"saml.signing_option": {setup.ScreenCertificates, "Signing Option", setup.SigningAssertion,
		func(s setup.Setup) string { return s.SAML.SigningOption }},
	"saml.signing_algorithm": {setup.ScreenCertificates, "Signing Algorithm", setup.AlgorithmSHA256,
		func(s setup.Setup) string { return s.SAML.SigningAlgorithm }},
	"claims.name_id.source": {setup.ScreenClaims, "Unique User Identifier (Name ID) › Source attribute", setup.DefaultNameIDFrom,
		func(s setup.Setup) string { return s.Claims.NameID.Source }},
	"claims.name_id.format": {setup.ScreenClaims, "Unique User Identifier (Name ID) › Name identifier format", setup.FormatEmailAddress,
		func(s setup.Setup) string { return s.Claims.NameID.Format }},
	"claims.additional": {setup.ScreenClaims, "Additional claims", "Email = user.mail, LastName = user.displayname",
		func(s setup.Setup) string { return claimList(s.Claims.Additional) }},
	"users.assignment_required": {setup.ScreenProperties, "Assignment required?", "Yes",
		func(s setup.Setup) string { return yesNo(s.Users.AssignmentRequired) }},
	"users.assigned": {setup.ScreenUsers, "Users and groups", "",
		func(s setup.Setup) string { return s.Users.String() }},
	"rudderstack.org_role": {setup.ScreenOrgRole, "Your role", setup.OrgRoleAdmin,
		func(s setup.Setup) string { return s.RudderStack.OrgRole }},
	"rudderstack.scim_enabled": {setup.ScreenRudderTeam, "SCIM for the organization", "on",
		func(s setup.Setup) string { return onOff(s.RudderStack.SCIMEnabled) }},
	"rudderstack.pat.role": {setup.ScreenPAT, "Role", setup.PATRoleAdmin,
		func(s setup.Setup) string { return s.RudderStack.PAT.Role }},
	"provisioning.tenant_url": {setup.ScreenProvisioning, "Tenant URL", setup.GuideTenantURL,
		func(s setup.Setup) string { return s.Provisioning.TenantURL }},
	"provisioning.secret_token": {setup.ScreenProvisioning, "Secret Token", "the token generated in RudderStack",
		func(s setup.Setup) string {
			if s.Provisioning.SecretToken == "" {
				return "the token generated in RudderStack"
			}
			return setup.FixedToken
		}},
	"provisioning.provision_groups": {setup.ScreenMappings, "Provision Microsoft Entra ID Groups", "No",
		func(s setup.Setup) string { return yesNo(s.Provisioning.ProvisionGroups) }},
	"provisioning.actions.create": {setup.ScreenMappings, "Provision Microsoft Entra ID Users › Target Object Actions › Create", "ticked",
		func(s setup.Setup) string { return ticked(s.Provisioning.Actions.Create) }},
	"provisioning.actions.update": {setup.ScreenMappings, "Provision Microsoft Entra ID Users › Target Object Actions › Update", "ticked",
		func(s setup.Setup) string { return ticked(s.Provisioning.Actions.Update) }},
	"provisioning.actions.delete": {setup.ScreenMappings, "Provision Microsoft Entra ID Users › Target Object Actions › Delete", "unticked",
		func(s setup.Setup) string { return ticked(s.Provisioning.Actions.Delete) }},
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func ticked(b bool) string {
	if b {
		return "ticked"
	}
	return "unticked"
}

func claimList(cs []setup.Claim) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.WireName() + " = " + c.Source
	}
	return strings.Join(parts, ", ")
}

// appScreen fills the app's name into a screen path.
func appScreen(s setup.Setup, screen string) string {
	if !strings.Contains(screen, "%s") {
		return screen
	}
	name := s.App.Name
	if name == "" {
		name = "<your app>"
	}
	return fmt.Sprintf(screen, name)
}

// remedy builds a remediation for a field from the table: where it is,
// what it holds and what the guide wants, with the problem a live check
// found and what to do.
func remedy(s setup.Setup, field, problem, fix string) Remediation {
	base := field
	if i := strings.IndexByte(base, '['); i >= 0 {
		base = base[:i]
	}
	info, ok := fieldTable[base]
	r := Remediation{Field: field, Line: s.Line(field), Problem: problem, Fix: fix}
	if ok {
		r.Screen, r.Label, r.Expected = appScreen(s, info.screen), info.label, info.expected
		r.Value = info.value(s)
	}
	return r
}

// findings returns the static validation's findings for the fields named
// (a field matches itself and everything below it), as remediations. The
// live checks blame the same fields the validation does, with its words
// for what is wrong and what to do.
func findings(s setup.Setup, fields ...string) []Remediation {
	var out []Remediation
	for _, f := range setup.Validate(s) {
		for _, want := range fields {
			if f.Field == want || strings.HasPrefix(f.Field, want+".") || strings.HasPrefix(f.Field, want+"[") {
				out = append(out, fromFinding(f))
				break
			}
		}
	}
	return out
}

// blame returns the validation's findings for the fields named, or, when
// it has none (the value passes the static rules yet failed live), one
// remediation for the first field built from the table.
func blame(s setup.Setup, problem, fix string, fields ...string) []Remediation {
	if rs := findings(s, fields...); len(rs) > 0 {
		return rs
	}
	return []Remediation{remedy(s, fields[0], problem, fix)}
}
