package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// tokenFacts checks the Secret Token as RudderStack sees it: one of its
// tokens, with the Admin role, owned by an Org Admin, in an organisation
// with SCIM enabled. It returns what it found and, for each problem, the
// field to change.
func (r *rehearsal) tokenFacts(ctx context.Context) ([]string, []Remediation) {
	s := r.s
	// RudderStack reads the token after "Bearer " without the spaces
	// around it, as its SCIM API does.
	a, err := r.m.lab.Accounts.AuthenticatePAT(ctx, strings.TrimSpace(r.token))
	switch {
	case errors.Is(err, accounts.ErrInvalidToken), errors.Is(err, accounts.ErrTokenRevoked), errors.Is(err, accounts.ErrTokenExpired):
		return []string{"The Secret Token is not a valid RudderStack personal access token: " + err.Error() + "."},
			blame(s, "the Secret Token is not a RudderStack token.", "Paste the personal access token generated in RudderStack.", "provisioning.secret_token")
	case err != nil:
		return []string{"RudderStack could not check the token: " + err.Error()}, nil
	}
	var details []string
	var rs []Remediation
	details = append(details, fmt.Sprintf("The Secret Token is RudderStack token %q (%s), role %s, owned by %s (%s).",
		a.Token.Name, a.Token.Hint, a.Token.Role.Label(), a.Owner.UserName, a.Owner.Role.Label()))
	if a.Token.Role != accounts.PATRoleAdmin {
		rs = append(rs, blame(s, "the token has the Member role; SCIM needs the Admin role.", "Generate a new token with Role Admin.", "rudderstack.pat.role")...)
	}
	if a.Owner.Role != accounts.RoleAdmin {
		rs = append(rs, blame(s, "the token's owner is not an Org Admin; SCIM needs one.", "Have an Org Admin generate the token.", "rudderstack.org_role")...)
	}
	if !a.Org.SCIMEnabled {
		details = append(details, "SCIM is not enabled for the organization.")
		rs = append(rs, blame(s, "SCIM is off for the organization, so RudderStack answers 403 Forbidden.", "Contact the RudderStack team to enable SCIM for your organization.", "rudderstack.scim_enabled")...)
	}
	return details, rs
}

// connectionRemedies says which fields explain a failed request to the
// SCIM API, from its status: 401 the token, 403 what RudderStack checks of
// it, anything else (404, no answer) the Tenant URL.
func (r *rehearsal) connectionRemedies(status int, facts []Remediation) []Remediation {
	switch status {
	case http.StatusUnauthorized:
		return blame(r.s, "RudderStack does not accept the Secret Token (401 Unauthorized).", "Paste the personal access token generated in RudderStack.", "provisioning.secret_token")
	case http.StatusForbidden:
		if len(facts) > 0 {
			return facts
		}
		return findings(r.s, "rudderstack")
	}
	return blame(r.s, fmt.Sprintf("Entra's request to %s did not reach RudderStack's SCIM API.", r.s.Provisioning.TenantURL),
		"Enter "+r.m.lab.SP.SCIMBaseURL()+".", "provisioning.tenant_url")
}

// checkSCIMConnection is check 6: the token has the Admin role and an Org
// Admin owner, and Test Connection succeeds, or shows Entra's error with
// the guide's remedy.
func checkSCIMConnection(ctx context.Context, r *rehearsal) Result {
	var res Result
	if r.generated {
		what := "Secret Token: the token generated in RudderStack for this rehearsal"
		if r.heldRole != "" {
			what = fmt.Sprintf("Secret Token: the token you generated in RudderStack (role %s), made afresh for this rehearsal with the same name and role", r.heldRole)
		}
		res.Details = append(res.Details, what+".")
		if r.spaces {
			res.Details = append(res.Details, "It was typed with spaces around it. Entra sends the Secret Token exactly as typed; RudderStack ignores spaces around a bearer token, so they do no harm here.")
		}
	} else {
		res.Details = append(res.Details, "Secret Token: the fixed value from the setup.")
	}
	details, facts := r.tokenFacts(ctx)
	res.Details = append(res.Details, details...)

	r.progress("Test Connection to %s", r.s.Provisioning.TenantURL)
	tr := r.eng.TestConnection(ctx, provisioning.Connection{TenantURL: r.s.Provisioning.TenantURL, SecretToken: directory.NewSecret(r.token)})
	res.Details = append(res.Details, fmt.Sprintf("Test Connection: %s", tr.Request))
	if tr.OK {
		res.Details = append(res.Details, "Entra: "+tr.Message)
	} else {
		res.Details = append(res.Details, fmt.Sprintf("Entra: %s. Error code %s.", tr.Title, tr.Code))
		for _, line := range strings.Split(strings.TrimSpace(tr.Message), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				res.Details = append(res.Details, "  "+line)
			}
		}
	}
	res.Details = append(res.Details, tr.Warnings...)
	switch {
	case !tr.OK:
		res.Status = Fail
		res.Summary = fmt.Sprintf("Test Connection failed with %s.", tr.Code)
		if tr.Request.Status == http.StatusForbidden {
			res.Summary += " The guide's remedy for 403 Forbidden: check the token's role and your role, and contact the RudderStack team to enable SCIM for your organization."
		}
		res.Remediations = r.connectionRemedies(tr.Request.Status, facts)
		if tr.Hint != "" && len(res.Remediations) == 0 {
			res.Details = append(res.Details, "Hint: "+tr.Hint)
		}
	case len(facts) > 0:
		res.Status, res.Summary, res.Remediations = Fail, "Test Connection succeeded, but the token would not keep working for SCIM.", facts
	case len(tr.Warnings) > 0:
		res.Status, res.Summary = Warn, "Test Connection succeeded, with warnings."
	default:
		res.Status = Pass
		res.Summary = "The Admin token of an Org Admin passes Entra's Test Connection to " + r.s.Provisioning.TenantURL + "."
	}
	return res
}
