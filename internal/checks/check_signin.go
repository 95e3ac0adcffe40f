package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// claimSource returns the source attribute of the claim sent under
// exactly the name RudderStack maps, or "".
func claimSource(s setup.Setup, name string) string {
	for _, c := range s.Claims.Additional {
		if c.WireName() == name {
			return c.Source
		}
	}
	return ""
}

// failedSignIn turns a sign-in that did not end signed in into a failed
// result: Entra's error, RudderStack's, or the browser's.
func (r *rehearsal) failedSignIn(ctx context.Context, res Result, u account, o lab.Outcome, err error) Result {
	var details []string
	var rs []Remediation
	switch {
	case err != nil:
		details, rs = r.browserFailure(err)
		res.Summary = fmt.Sprintf("%s's sign-in did not finish.", u.DisplayName)
	case o.EntraCode != "":
		details, rs = r.entraFailure(ctx, o)
		res.Summary = fmt.Sprintf("Entra refused %s's sign-in: %s.", u.DisplayName, o.EntraCode)
	case o.SPError != nil:
		details, rs = r.spFailure(ctx, o)
		res.Summary = fmt.Sprintf("RudderStack refused %s's sign-in: %q", u.DisplayName, o.SPError.Message)
	default:
		details = []string{"The sign-in " + describe(o) + "."}
		res.Summary = fmt.Sprintf("%s's sign-in did not reach RudderStack signed in.", u.DisplayName)
	}
	res.Status = Fail
	res.Details = append(res.Details, details...)
	res.Remediations = append(res.Remediations, rs...)
	return res
}

// checkSignIn is check 3: SP-initiated sign-in from /sso for an assigned
// user; RudderStack gets Email and LastName; JIT creates the account keyed
// on the UPN; a second sign-in updates it without a duplicate.
func checkSignIn(ctx context.Context, r *rehearsal) Result {
	var res Result
	u, ok, err := r.assignedUser(ctx)
	if err != nil {
		res.Status, res.Summary = Fail, "The assigned users could not be read: "+err.Error()
		return res
	}
	if !ok {
		res.Status, res.Summary = Fail, "No assigned user can sign in."
		res.Remediations = blame(r.s, "no enabled user is assigned to the app.", "Assign the people who need RudderStack under Users and groups.", "users.assigned")
		return res
	}
	acc := r.m.lab.Accounts
	before, err := acc.CountUsers(ctx, r.m.orgID)
	if err != nil {
		res.Status, res.Summary = Fail, "RudderStack's accounts could not be counted: "+err.Error()
		return res
	}
	_, lookupErr := acc.FindUserByUserName(ctx, r.m.orgID, u.UserPrincipalName)
	existed := lookupErr == nil

	r.progress("signing in as %s", u.UserPrincipalName)
	res.Details = append(res.Details, fmt.Sprintf("Sign-in by %s, starting at %s.", who(u), r.m.lab.Info().SPLoginURL))
	if group, ok, err := r.assignedThrough(ctx, u); err == nil && ok {
		res.Details = append(res.Details, fmt.Sprintf("%s is assigned through the group %s, not directly.", u.DisplayName, group.DisplayName))
	}
	o, err := r.signIn(ctx, "Sign-in 1: "+u.UserPrincipalName, u)
	if err != nil || !o.SignedIn {
		return r.failedSignIn(ctx, res, u, o, err)
	}
	me := o.Me
	res.Details = append(res.Details, fmt.Sprintf("RudderStack signed them in as %s (account %s, source %s): Email %q, LastName %q.",
		me.Username, me.UserID, me.Source, me.Email, me.LastName))

	// RudderStack keys the account on the Name ID, and SCIM's userName is
	// the UPN: anything else makes one person two accounts.
	if !strings.EqualFold(me.Username, u.UserPrincipalName) {
		res.Status = Fail
		res.Summary = fmt.Sprintf("RudderStack keyed the account on %q, not the UPN %s, so provisioning would make a second account.", me.Username, u.UserPrincipalName)
		res.Remediations = blame(r.s, fmt.Sprintf("the Name ID sent was %q, not the user's UPN.", me.Username), "Choose user.userprincipalname, format Email address.", "claims.name_id")
		return res
	}
	var missing []string
	for _, want := range []struct{ claim, got string }{{"Email", me.Email}, {"LastName", me.LastName}} {
		src := claimSource(r.s, want.claim)
		expected, _ := u.Attribute(src)
		switch {
		case src == "" || want.got == "":
			missing = append(missing, fmt.Sprintf("RudderStack received no %s.", want.claim))
		case want.got != expected:
			missing = append(missing, fmt.Sprintf("RudderStack received %s %q; the user's %s is %q.", want.claim, want.got, src, expected))
		}
	}
	if len(missing) > 0 {
		res.Status, res.Summary = Fail, strings.Join(missing, " ")
		res.Remediations = findings(r.s, "claims.additional")
		if len(res.Remediations) == 0 {
			res.Remediations = []Remediation{remedy(r.s, "claims.additional", strings.Join(missing, " "), "Send Email = user.mail and LastName = user.displayname, without namespace.")}
		}
		return res
	}

	after, _ := acc.CountUsers(ctx, r.m.orgID)
	var jitNote string
	switch {
	case existed:
		jitNote = fmt.Sprintf("%s already had a RudderStack account, so just-in-time creation could not be shown.", u.DisplayName)
	case me.Source != string(accounts.SourceJIT) || after != before+1:
		res.Status = Fail
		res.Summary = fmt.Sprintf("Just-in-time provisioning did not create one account: RudderStack has %d accounts, had %d; the account's source is %s.", after, before, me.Source)
		return res
	default:
		res.Details = append(res.Details, fmt.Sprintf("Just-in-time provisioning created the account (RudderStack had %s, now %d).", plural.Count(before, "account"), after))
	}

	// Second sign-in: Entra now sends a changed LastName; the same
	// account must carry it, with no second account.
	r.progress("signing in again as %s", u.UserPrincipalName)
	src := claimSource(r.s, "LastName")
	old, _ := u.Attribute(src)
	changed := old + " (changed)"
	restore, err := r.setAttribute(ctx, u, src, changed)
	if err != nil {
		// A LastName from an attribute the rehearsal does not change:
		// the second sign-in still must not duplicate the account.
		restore, changed = func() error { return nil }, me.LastName
	}
	o2, err := r.signIn(ctx, "Sign-in 2: "+u.UserPrincipalName, u)
	if rerr := restore(); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil || !o2.SignedIn {
		res = r.failedSignIn(ctx, res, u, o2, err)
		res.Summary = "The second sign-in failed: " + res.Summary
		return res
	}
	again, _ := acc.CountUsers(ctx, r.m.orgID)
	switch {
	case o2.Me.UserID != me.UserID || again != after:
		res.Status = Fail
		res.Summary = fmt.Sprintf("The second sign-in made another account (%s, first %s; %d accounts, were %d).", o2.Me.UserID, me.UserID, again, after)
		return res
	case o2.Me.LastName != changed:
		res.Status = Fail
		res.Summary = fmt.Sprintf("The second sign-in did not update LastName: RudderStack has %q, Entra sent %q.", o2.Me.LastName, changed)
		return res
	}
	if changed != me.LastName {
		res.Details = append(res.Details, fmt.Sprintf("A second sign-in, after %s changed to %q, updated the same account (still %d accounts).", src, changed, again))
	} else {
		res.Details = append(res.Details, fmt.Sprintf("A second sign-in used the same account (still %d accounts).", again))
	}
	if jitNote != "" {
		res.Details = append(res.Details, jitNote)
		res.Status, res.Summary = Warn, fmt.Sprintf("%s signed in; %s", u.DisplayName, jitNote)
		return res
	}
	res.Status = Pass
	res.Summary = fmt.Sprintf("%s signed in from /sso; RudderStack got Email and LastName, created the account just in time, and updated it on the next sign-in.", u.DisplayName)
	return res
}

// setAttribute changes a user's attribute in Entra, for a sign-in or a
// provisioning cycle to carry, and returns how to put it back.
func (r *rehearsal) setAttribute(ctx context.Context, u account, source, value string) (func() error, error) {
	var set func(*directory.User, string)
	switch source {
	case "user.displayname":
		set = func(d *directory.User, v string) { d.DisplayName = v }
	case "user.surname":
		set = func(d *directory.User, v string) { d.Surname = v }
	case "user.givenname":
		set = func(d *directory.User, v string) { d.GivenName = v }
	case "user.jobtitle":
		set = func(d *directory.User, v string) { d.JobTitle = v }
	case "user.department":
		set = func(d *directory.User, v string) { d.Department = v }
	default:
		return nil, errors.New("the rehearsal changes only names, job title and department")
	}
	old, _ := u.Attribute(source)
	if _, err := r.m.lab.Directory.UpdateUser(ctx, u.ObjectID, func(d *directory.User) { set(d, value) }); err != nil {
		return nil, err
	}
	return func() error {
		_, err := r.m.lab.Directory.UpdateUser(ctx, u.ObjectID, func(d *directory.User) { set(d, old) })
		return err
	}, nil
}
