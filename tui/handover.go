package tui

import (
	"fmt"
	"strings"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// handover is the summary's content: what to enter in Entra, what to do
// in and send to RudderStack, and how users sign in. The summary screen,
// the Markdown export and the accessible mode all print it.
type handover struct {
	sections []section
	checks   *checks.Report
}

type section struct {
	title string
	items []item
}

// item is one line of the checklist; step is where it is edited (-1 for
// none), and state is "ok", "error", "warning" or "" (nothing to check).
type item struct {
	text  string
	step  StepID
	state string
	// values are the values to carry over, each on a line of its own
	// (never broken, nothing stuck to it) and offered by the copy key.
	values []value
}

// value is one value the admin types or pastes elsewhere.
type value struct{ label, text string }

// copyValues are the values of the whole checklist, in order, that have
// something to copy.
func (h handover) copyValues() []value {
	var out []value
	for _, sec := range h.sections {
		for _, it := range sec.items {
			for _, v := range it.values {
				if v.text != "" {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// buildHandover assembles the checklist from the setup, the rehearsal's
// app and the findings.
func buildHandover(s setup.Setup, findings []setup.Finding, app *App, token *Token, report *checks.Report) handover {
	state := func(prefixes ...string) string {
		st := "ok"
		for _, f := range findings {
			if !owns(prefixes, f.Field) {
				continue
			}
			if f.Severity == setup.SeverityError {
				return "error"
			}
			st = "warning"
		}
		return st
	}
	var claims []string
	for _, c := range s.Claims.Additional {
		claims = append(claims, fmt.Sprintf("%s = %s", c.WireName(), c.Source))
	}
	claimText := "no additional claims"
	if len(claims) > 0 {
		claimText = strings.Join(claims, ", ")
	}
	assigned := "the users and groups who need RudderStack"
	if s.Users.Explicit() {
		assigned = s.Users.String()
	}
	actions := []string{}
	for _, a := range []struct {
		on   bool
		name string
	}{{s.Provisioning.Actions.Create, "Create"}, {s.Provisioning.Actions.Update, "Update"}, {s.Provisioning.Actions.Delete, "Delete"}} {
		if a.on {
			actions = append(actions, a.name)
		}
	}
	secret := "the personal access token from RudderStack"
	if s.Provisioning.SecretToken != "" {
		secret = "the token you typed in (not the generated one)"
	}
	entra := section{title: "Enter in Entra (Entra admin center › Enterprise applications)", items: []item{
		{fmt.Sprintf("New application › Create your own application › Non-gallery, named %q.", s.App.Name), StepApp, state("app"), nil},
		{"Single sign-on › SAML › Basic SAML Configuration" + relayText(s.SAML.RelayState) + ":", StepSAML,
			state("saml.identifier", "saml.reply_url", "saml.sign_on_url", "saml.relay_state", "saml.logout_url"),
			[]value{{"Identifier (Entity ID)", s.SAML.Identifier}, {"Reply URL", s.SAML.ReplyURL}, {"Sign on URL", s.SAML.SignOnURL}}},
		{fmt.Sprintf("Attributes & Claims: remove Entra's default claims; Unique User Identifier = %s (%s); add %s.",
			s.Claims.NameID.Source, formatLabel(s.Claims.NameID.Format), claimText), StepClaims, state("claims"), nil},
		{fmt.Sprintf("SAML Certificates: Signing Option %s, %s.", signingText(s.SAML.SigningOption), algorithmText(s.SAML.SigningAlgorithm)), StepCertificate, state("saml.signing_option", "saml.signing_algorithm"), nil},
		{fmt.Sprintf("Properties › Assignment required? %s; Users and groups: assign %s.", yesNo(s.Users.AssignmentRequired), assigned), StepUsers, state("users"), nil},
		{fmt.Sprintf("Provisioning › Automatic: the Tenant URL below; Secret Token: %s; then Test Connection:", secret), StepSCIM,
			state("provisioning.tenant_url", "provisioning.secret_token"), []value{{"Tenant URL", s.Provisioning.TenantURL}}},
		{fmt.Sprintf("Provisioning › Mappings: Provision Microsoft Entra ID Groups %s; Target Object Actions: %s.", yesNo(s.Provisioning.ProvisionGroups), strings.Join(actions, ", ")), StepSCIM, state("provisioning.provision_groups", "provisioning.actions"), nil},
	}}
	rudder := section{title: "Do in RudderStack", items: []item{
		{fmt.Sprintf("Settings › Your Profile › Account › Personal access tokens › Generate new token: name %q, Role %s (you must be %s; you are %s).",
			s.RudderStack.PAT.Name, s.RudderStack.PAT.Role, setup.OrgRoleAdmin, s.RudderStack.OrgRole), StepToken, state("rudderstack.org_role", "rudderstack.pat"), nil},
	}}
	sendMetadata := item{text: "Send the App Federation Metadata URL from the app's Single sign-on page (SAML Certificates).", step: StepCertificate}
	if app != nil {
		sendMetadata = item{text: "Send the App Federation Metadata URL:", step: StepCertificate,
			values: []value{{"App Federation Metadata URL", app.MetadataURL}}}
	}
	send := section{title: "Send to RudderStack", items: []item{
		sendMetadata,
		{text: "If Test Connection answers 403 Forbidden, ask the RudderStack team to enable SCIM for your organization.", step: StepSCIM, state: state("rudderstack.scim_enabled")},
	}}
	signin := section{title: "Sign in", items: []item{
		{text: "Users sign in at " + setup.GuideLoginURL + " (not from My Apps): RudderStack doesn't support sign-in started from Entra (IdP-initiated).", step: -1},
		{text: "If a sign-in fails, capture a HAR: start at " + setup.GuideLoginURL + " in a private window with the browser's developer tools recording, go until the error, export the HAR, and redact it (`ssowiz har redact FILE`) before sending it to RudderStack.", step: -1},
	}}
	return handover{sections: []section{entra, rudder, send, signin}, checks: report}
}

// relayText says what Relay State holds: the guide leaves it empty.
func relayText(v string) string {
	if v == "" {
		return ", Relay State left empty"
	}
	return fmt.Sprintf(", Relay State %q", v)
}

// emptyOr is v, or "(empty)".
func emptyOr(v string) string {
	if v == "" {
		return "(empty)"
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func signingText(v string) string {
	switch v {
	case setup.SigningAssertion:
		return "Sign SAML assertion"
	case setup.SigningResponse:
		return "Sign SAML response"
	case setup.SigningBoth:
		return "Sign SAML response and assertion"
	}
	return v
}

func algorithmText(v string) string {
	switch v {
	case setup.AlgorithmSHA256:
		return "SHA-256"
	case setup.AlgorithmSHA1:
		return "SHA-1"
	}
	return v
}

// markdown renders the handover as a Markdown checklist.
func (h handover) markdown(s setup.Setup) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# SSO and SCIM setup: %s on Microsoft Entra ID\n\n", s.App.Name)
	b.WriteString("Generated by ssowiz from the values rehearsed against its mock Entra ID and RudderStack.\n")
	for _, sec := range h.sections {
		fmt.Fprintf(&b, "\n## %s\n\n", sec.title)
		for _, it := range sec.items {
			box := "[ ]"
			note := ""
			switch it.state {
			case "error":
				note = " **(ssowiz: this value is off — see the checks)**"
			case "warning":
				note = " _(ssowiz: worth a second look)_"
			}
			fmt.Fprintf(&b, "- %s %s%s\n", box, it.text, note)
			for _, v := range it.values {
				fmt.Fprintf(&b, "  - %s: `%s`\n", v.label, emptyOr(v.text))
			}
		}
	}
	if h.checks != nil {
		c := h.checks.Counts()
		fmt.Fprintf(&b, "\n## Live checks\n\n%s.\n\n", countsText(c.Pass, c.Fail, c.Warn, c.Skip))
		for _, r := range h.checks.Results {
			fmt.Fprintf(&b, "- %s %d. %s — %s\n", strings.ToUpper(string(r.Status)), r.Number, r.Title, r.Summary)
			for _, rem := range r.Remediations {
				text := strings.TrimSpace(rem.Screen + " › " + rem.Label + ": " + rem.Problem + " " + rem.Fix)
				fmt.Fprintf(&b, "  - %s\n", text)
			}
		}
	}
	return b.String()
}
