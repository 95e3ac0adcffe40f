package checks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/browser"
	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/sp/cognito"
)

// beforeAssignment are the AADSTS codes Entra raises while checking the
// request, before it looks at who signs in or whether they are assigned
// (reference entra-saml.md §2.3): with one of these, no user gets further.
var beforeAssignment = map[string]bool{
	"AADSTS750054": true, "AADSTS75005": true, "AADSTS750055": true, "AADSTS750056": true, "AADSTS7500529": true, "AADSTS90002": true,
	"AADSTS700016": true, "AADSTS50011": true, "AADSTS900971": true, "AADSTS900236": true, "AADSTS75016": true,
}

// entraFailure explains an AADSTS error: the evidence, and the setup
// fields that cause it.
func (r *rehearsal) entraFailure(ctx context.Context, o lab.Outcome) ([]string, []Remediation) {
	details := []string{fmt.Sprintf("Entra showed %s: %s", o.EntraCode, firstLine(o.EntraMessage))}
	var rs []Remediation
	s := r.s
	switch o.EntraCode {
	case "AADSTS700016":
		rs = r.refusedOr("saml", blame(s, fmt.Sprintf("Entra found no application whose Identifier (Entity ID) is RudderStack's request Issuer %s.", r.entityID()),
			"Set it to "+r.entityID()+".", "saml.identifier"), "saml.identifier")
	case "AADSTS50011", "AADSTS900971":
		rs = r.refusedOr("saml", blame(s, fmt.Sprintf("RudderStack's request asks for the response at %s, which is not a Reply URL of the app.", r.m.lab.SP.ACSURL()),
			"Set it to exactly "+r.m.lab.SP.ACSURL()+".", "saml.reply_url"), "saml.reply_url")
	case "AADSTS50105":
		rs = blame(s, "the user is not assigned to the app.", "Add them under Users and groups.", "users.assigned")
	case "AADSTS501241":
		rs = blame(s, "the Name ID's source attribute is empty for this user.", "Choose user.userprincipalname.", "claims.name_id.source")
	case "AADSTS50003":
		rs = []Remediation{r.certificate(ctx).fix}
	}
	return details, rs
}

const screenCertificates = "Entra admin center › Enterprise applications › %s › Single sign-on › SAML Certificates"

// entityID is the Identifier RudderStack's requests carry.
func (r *rehearsal) entityID() string { return r.m.lab.SP.EntityID() }

// refusedOr returns rs when the portal saved the section. When it refused
// some of it, nothing of the section reached the app, which is why the
// request failed: the refused values must be fixed for the save to go
// through, and the fields the error names (blamed), when they are off
// too, must be fixed as well, so both are returned, the named ones first.
func (r *rehearsal) refusedOr(section string, rs []Remediation, blamed ...string) []Remediation {
	refused := r.app.refused[section]
	if len(refused) == 0 {
		return rs
	}
	var out []Remediation
	if len(blamed) > 0 {
		out = findings(r.s, blamed...)
	}
	for _, rf := range refused {
		if !slices.ContainsFunc(out, func(x Remediation) bool { return x.Field == rf.Field }) {
			out = append(out, rf)
		}
	}
	return out
}

// spFailure explains an error page of RudderStack (Cognito's or the
// app's): its words, its hint, and the setup fields that cause it.
func (r *rehearsal) spFailure(ctx context.Context, o lab.Outcome) ([]string, []Remediation) {
	ep := o.SPError
	source := "RudderStack"
	if ep.Source == "cognito" {
		source = "RudderStack's user pool (Cognito)"
	}
	details := []string{fmt.Sprintf("%s answered: %q", source, ep.Message)}
	s := r.s
	var rs []Remediation
	msg := ep.Message
	switch {
	case strings.HasPrefix(msg, cognito.InvalidResponsePrefix+"Invalid user attributes: "):
		rs = r.refusedOr("claims", findings(s, "claims.additional"))
		if len(rs) == 0 {
			rs = []Remediation{remedy(s, "claims.additional", "RudderStack did not receive an attribute it requires: "+strings.TrimPrefix(msg, cognito.InvalidResponsePrefix),
				"Send Email = user.mail and LastName = user.displayname, without namespace, and make sure the user has an email address.")}
		}
	case msg == cognito.MsgAudience:
		rs = blame(s, "the assertion's Audience is not RudderStack's entity ID.", "Set it to "+r.entityID()+".", "saml.identifier")
	case msg == cognito.MsgRecipient:
		rs = blame(s, "the response's Destination is not RudderStack's ACS.", "Set it to exactly "+r.m.lab.SP.ACSURL()+".", "saml.reply_url")
	case msg == cognito.MsgNameIDMissing:
		rs = blame(s, "the assertion has no Name ID.", "Choose user.userprincipalname.", "claims.name_id")
	case msg == cognito.MsgMetadataUnavailable:
		if c := r.certificate(ctx); c.state == "invalid" {
			rs = []Remediation{c.fix}
		} else {
			rs = []Remediation{r.metadataRemedy("RudderStack could not fetch or use the App Federation Metadata URL it holds.")}
		}
	case msg == cognito.MsgResponseSignatureInvalid || msg == cognito.MsgAssertionSignatureInvalid:
		rs = []Remediation{r.metadataRemedy("the signature does not verify with the certificate in the metadata RudderStack holds.")}
	}
	if ep.Hint != "" && len(rs) == 0 {
		details = append(details, "RudderStack's hint: "+ep.Hint)
	}
	return details, rs
}

// metadataRemedy points at the metadata URL RudderStack holds, which no
// setup field has: the admin sends it to RudderStack's team.
func (r *rehearsal) metadataRemedy(problem string) Remediation {
	return Remediation{Screen: "RudderStack team (your SSO configuration)", Label: "App Federation Metadata URL",
		Expected: r.m.metadataURL, Problem: problem,
		Fix: "Copy App Federation Metadata Url from " + appScreen(r.s, screenCertificates) + " and send it to the RudderStack team."}
}

// browserFailure explains a flow the browser could not finish: usually a
// host that does not exist, typed into a URL field.
func (r *rehearsal) browserFailure(err error) ([]string, []Remediation) {
	details := []string{"The browser could not finish the flow: " + err.Error()}
	var re *browser.RequestError
	if !errors.As(err, &re) {
		return details, nil
	}
	failed, perr := url.Parse(re.URL)
	if perr != nil {
		return details, nil
	}
	// Whichever URL field names the host that failed is the one to fix.
	for _, f := range []struct{ field, value string }{
		{"saml.reply_url", r.s.SAML.ReplyURL}, {"saml.sign_on_url", r.s.SAML.SignOnURL}, {"saml.logout_url", r.s.SAML.LogoutURL},
	} {
		u, err := url.Parse(f.value)
		if err == nil && f.value != "" && strings.EqualFold(u.Host, failed.Host) {
			return details, blame(r.s, fmt.Sprintf("%s is not reachable: the host %s does not answer.", f.value, u.Host), "", f.field)
		}
	}
	return details, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// reachedEntra reports whether a sign-in got as far as Entra (or past it):
// one refused by RudderStack before it sent the browser to Entra did not.
func reachedEntra(o lab.Outcome) bool {
	if o.SignedIn || o.EntraCode != "" {
		return true
	}
	if o.Page == nil {
		return false
	}
	for _, st := range o.Page.Steps {
		if u, err := url.Parse(st.URL); err == nil && u.Host == lab.EntraHost {
			return true
		}
	}
	return false
}

// describe says in a few words where a sign-in ended, for details.
func describe(o lab.Outcome) string {
	switch {
	case o.SignedIn && o.Me != nil:
		return "signed in as " + o.Me.Username
	case o.EntraCode != "":
		return "Entra showed " + o.EntraCode
	case o.SPError != nil:
		return fmt.Sprintf("RudderStack showed %q", o.SPError.Message)
	case o.Page != nil:
		return fmt.Sprintf("stopped at %s (%d)", o.Page.URL.Redacted(), o.Page.StatusCode)
	}
	return "no page"
}
