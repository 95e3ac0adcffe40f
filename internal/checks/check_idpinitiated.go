package checks

import (
	"context"
	"fmt"

	"github.com/ssowiz/ssowiz/sp/cognito"
)

// checkIdPInitiated is check 5: a sign-in started at Entra is refused by
// RudderStack with Cognito's message, which is expected: users start at
// RudderStack's /sso.
func checkIdPInitiated(ctx context.Context, r *rehearsal) Result {
	var res Result
	u, ok, err := r.assignedUser(ctx)
	if err != nil || !ok {
		res.Status, res.Summary = Skip, "No assigned user can sign in to start from Entra; see "+IDSignIn+"."
		return res
	}
	start := r.m.lab.Info().SPLoginURL
	launch := r.m.lab.IDP.IDPInitiatedURL(r.m.tenantID, r.m.appID)
	r.progress("launching the app from Entra as %s", u.UserPrincipalName)
	b, err := r.browser("IdP-initiated launch: " + u.UserPrincipalName)
	if err != nil {
		res.Status, res.Summary = Fail, "The browser could not start: "+err.Error()
		return res
	}
	res.Details = append(res.Details, fmt.Sprintf("Launched the app from Entra (the Test button's IdP-initiated mode) as %s.", who(u)))
	p, err := b.Get(ctx, launch)
	if err != nil {
		res.Status, res.Summary = Skip, "Entra's launch page did not answer: "+err.Error()
		return res
	}
	o, err := r.m.lab.Continue(ctx, b, p, u.UserPrincipalName, u.password)
	switch {
	case err != nil:
		details, rs := r.browserFailure(err)
		res.Details, res.Remediations = append(res.Details, details...), rs
		res.Status, res.Summary = Skip, "Entra's response did not reach RudderStack, so its refusal cannot be shown; see "+IDSignIn+"."
		return res
	case o.SPError != nil && (o.SPError.Message == cognito.MsgRelayStateMissing || o.SPError.Message == cognito.MsgUnsolicited):
		res.Status = Pass
		res.Summary = fmt.Sprintf("RudderStack refused the IdP-initiated sign-in with Cognito's %q. That is expected: users must start at %s.", o.SPError.Message, start)
		res.Details = append(res.Details,
			fmt.Sprintf("Entra posted an unsolicited response to the Reply URL; RudderStack's user pool (Cognito) answered %q.", o.SPError.Message),
			fmt.Sprintf("RudderStack supports only SP-initiated sign-in: tell users to start at %s, not at My Apps or Entra's Test button.", start))
	case o.SignedIn:
		res.Status = Warn
		res.Summary = "RudderStack accepted an IdP-initiated sign-in, which its guide says it does not support."
	case o.EntraCode != "":
		res.Details = append(res.Details, fmt.Sprintf("Entra showed %s: %s", o.EntraCode, firstLine(o.EntraMessage)))
		res.Status, res.Summary = Skip, fmt.Sprintf("Entra sent no response (%s), so RudderStack's refusal cannot be shown; see %s.", o.EntraCode, IDSignIn)
		return res
	default:
		if o.SPError != nil {
			res.Details = append(res.Details, fmt.Sprintf("RudderStack answered %q.", o.SPError.Message))
		}
		res.Status, res.Summary = Skip, fmt.Sprintf("Entra's response did not reach RudderStack's assertion consumer service (%s); see %s.", describe(o), IDSignIn)
		res.Remediations = findings(r.s, "saml.reply_url")
		return res
	}

	// The My Apps tile uses the Entra session just made: it opens the Sign
	// on URL when there is one, or posts like the launch above.
	if tile, err := b.Get(ctx, r.m.userAccessURL(ctx)); err == nil {
		to, _ := r.m.lab.Continue(ctx, b, tile, u.UserPrincipalName, u.password)
		where := "an unsolicited response to the Reply URL"
		if r.s.SAML.SignOnURL != "" {
			where = "the Sign on URL " + r.s.SAML.SignOnURL
		}
		res.Details = append(res.Details, fmt.Sprintf("The My Apps tile opens %s: %s.", where, describe(to)))
	}
	return res
}

// userAccessURL is the app's My Apps link, or "" when unknown.
func (m mocks) userAccessURL(ctx context.Context) string {
	v, err := m.lab.IDP.Setup(ctx, m.appID)
	if err != nil {
		return ""
	}
	return v.UserAccessURL
}
