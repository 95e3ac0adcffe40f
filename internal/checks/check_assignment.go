package checks

import (
	"context"
	"fmt"
)

// checkAssignment is check 4: a user who is not assigned is stopped by
// Entra with AADSTS50105 while Assignment required is Yes.
func checkAssignment(ctx context.Context, r *rehearsal) Result {
	var res Result
	u, ok, err := r.unassignedUser(ctx)
	if err != nil {
		res.Status, res.Summary = Fail, "The tenant's users could not be read: "+err.Error()
		return res
	}
	if !ok {
		res.Status, res.Summary = Skip, "Every user of the rehearsal tenant is assigned, so there is no one to refuse."
		return res
	}
	r.progress("signing in as %s, who is not assigned", u.UserPrincipalName)
	how := "who is not assigned to the app"
	if len(r.s.Users.Groups) > 0 {
		how = "who is neither assigned to the app nor a member of a group assigned to it"
	}
	res.Details = append(res.Details, fmt.Sprintf("Sign-in by %s, %s, starting at %s.", who(u), how, r.m.lab.Info().SPLoginURL))
	o, err := r.signIn(ctx, "Unassigned user: "+u.UserPrincipalName, u)
	if err != nil {
		res.Details = append(res.Details, "The browser could not finish the flow: "+err.Error())
		res.Status, res.Summary = Skip, "The sign-in did not get as far as Entra's assignment check; see "+IDSignIn+"."
		return res
	}
	if o.EntraCode != "" {
		res.Details = append(res.Details, fmt.Sprintf("Entra showed %s: %s", o.EntraCode, firstLine(o.EntraMessage)))
	}
	switch {
	case o.EntraCode == "AADSTS50105" && r.s.Users.AssignmentRequired:
		res.Status = Pass
		res.Summary = fmt.Sprintf("Entra refused %s with AADSTS50105: only assigned users reach RudderStack.", u.DisplayName)
	case beforeAssignment[o.EntraCode]:
		res.Status = Skip
		res.Summary = fmt.Sprintf("Entra stopped the request with %s before it checks assignment; see %s.", o.EntraCode, IDSignIn)
	case o.EntraCode != "":
		res.Status = Fail
		res.Summary = fmt.Sprintf("Entra refused %s with %s, not AADSTS50105.", u.DisplayName, o.EntraCode)
	case !reachedEntra(o):
		res.Status = Skip
		res.Summary = fmt.Sprintf("The sign-in did not reach Entra (%s); see %s.", describe(o), IDSignIn)
	case !r.s.Users.AssignmentRequired:
		res.Status = Warn
		res.Summary = fmt.Sprintf("Assignment required? is No, so %s, who is not assigned, got through Entra to RudderStack (%s).", u.DisplayName, describe(o))
		res.Remediations = blame(r.s, "every user in the tenant can sign in to RudderStack.", "Set it to Yes and assign who needs access.", "users.assignment_required")
	default:
		res.Status = Fail
		res.Summary = fmt.Sprintf("Entra let %s, who is not assigned, through although Assignment required? is Yes (%s).", u.DisplayName, describe(o))
		res.Remediations = blame(r.s, "unassigned users get through.", "Set it to Yes.", "users.assignment_required")
	}
	return res
}
