package checks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// lifecycle is the state of check 7 as it goes: the result so far.
type lifecycle struct {
	r   *rehearsal
	res Result
}

func (l *lifecycle) fail(summary string, rs ...Remediation) Result {
	l.res.Status, l.res.Summary = Fail, summary
	l.res.Remediations = append(l.res.Remediations, rs...)
	return l.res
}

// cycle runs a provisioning cycle; a cycle that is quarantined, fails an
// object, or cannot run returns a failed result.
func (l *lifecycle) cycle(ctx context.Context, what string) (provisioning.CycleReport, *Result) {
	r := l.r
	r.progress("provisioning cycle: %s", what)
	rep, err := r.eng.RunCycle(ctx, r.m.appID)
	if err != nil {
		res := l.fail(fmt.Sprintf("The %s could not run: %v.", what, err))
		if errors.Is(err, provisioning.ErrNotConfigured) {
			res.Remediations = append(res.Remediations, findings(r.s, "provisioning.tenant_url")...)
		}
		return rep, &res
	}
	c := rep.Counts
	l.res.Details = append(l.res.Details, fmt.Sprintf("%s (%s): %d created, %d updated, %d disabled, %d deleted, %d skipped, %d failed; %s.",
		capitalize(what), rep.Kind, c.Created, c.Updated, c.Disabled, c.Deleted, c.Skipped, c.Failed, plural.Count(int(rep.Requests), "request")))
	logs, err := r.eng.Logs(ctx, r.m.appID, provisioning.LogQuery{CycleID: rep.ID})
	if err != nil {
		res := l.fail("The provisioning logs could not be read: " + err.Error())
		return rep, &res
	}
	var failed []provisioning.LogEntry
	for _, e := range logs {
		if e.Status == provisioning.StatusFailure {
			failed = append(failed, e)
		}
	}
	if rep.Outcome != provisioning.OutcomeQuarantined && len(failed) == 0 {
		return rep, nil
	}
	if q := rep.Quarantine; q != nil {
		l.res.Details = append(l.res.Details, fmt.Sprintf("Entra put the provisioning job in quarantine: %s: %s", q.Reason, firstSentence(q.Detail)))
	}
	for i, e := range failed {
		if i == 3 {
			l.res.Details = append(l.res.Details, fmt.Sprintf("… and %d more failures in the provisioning logs.", len(failed)-3))
			break
		}
		l.res.Details = append(l.res.Details, fmt.Sprintf("Provisioning log: %s %s %s failed: %s", e.Action, e.ObjectType, e.SourceName, e.Code))
		for _, x := range e.Requests {
			l.res.Details = append(l.res.Details, "  "+x.String())
		}
	}
	summary := fmt.Sprintf("The %s failed", what)
	if rep.Outcome == provisioning.OutcomeQuarantined {
		summary = fmt.Sprintf("The %s ended in quarantine", what)
	}
	res := l.fail(summary+": "+l.failureCause(ctx, failed, rep.Quarantine)+".", l.cycleRemedies(ctx, failed, rep.Quarantine)...)
	return rep, &res
}

// exchanges returns the failed requests of the log entries.
func exchanges(failed []provisioning.LogEntry) []provisioning.Exchange {
	var out []provisioning.Exchange
	for _, e := range failed {
		for _, x := range e.Requests {
			if x.Status == 0 || x.Status >= 400 {
				out = append(out, x)
			}
		}
	}
	return out
}

func (l *lifecycle) failureCause(_ context.Context, failed []provisioning.LogEntry, q *provisioning.Quarantine) string {
	for _, x := range exchanges(failed) {
		switch {
		case strings.Contains(x.Path, "/Groups"):
			return "RudderStack has no SCIM groups, and Entra's group requests fail"
		case x.Status == http.StatusUnauthorized, x.Status == http.StatusForbidden:
			return fmt.Sprintf("RudderStack refused the token (%d)", x.Status)
		case x.Status == http.StatusNotFound:
			return "the Tenant URL does not lead to RudderStack's SCIM API (404)"
		case x.Status == 0:
			return "Entra could not reach the Tenant URL"
		}
	}
	if q != nil {
		return firstLine(q.Detail)
	}
	if len(failed) > 0 {
		return failed[0].Code
	}
	return "see the provisioning logs"
}

// cycleRemedies says which fields explain a cycle's failures, from the
// requests that failed.
func (l *lifecycle) cycleRemedies(ctx context.Context, failed []provisioning.LogEntry, q *provisioning.Quarantine) []Remediation {
	r := l.r
	var out []Remediation
	add := func(rs []Remediation) {
		for _, rm := range rs {
			if !slices.ContainsFunc(out, func(x Remediation) bool { return x.Field == rm.Field && x.Problem == rm.Problem }) {
				out = append(out, rm)
			}
		}
	}
	for _, x := range exchanges(failed) {
		switch {
		case strings.Contains(x.Path, "/Groups"):
			add(blame(r.s, "RudderStack does not support groups over SCIM; Entra's group requests get 404 and put the job in quarantine.", "Set it to No.", "provisioning.provision_groups"))
		case x.Status == http.StatusForbidden:
			_, facts := r.tokenFacts(ctx)
			add(r.connectionRemedies(x.Status, facts))
		case x.Status == http.StatusNotImplemented && x.Method == http.MethodDelete:
			add(blame(r.s, "RudderStack does not remove users (501).", "Untick Delete.", "provisioning.actions.delete"))
		default:
			add(r.connectionRemedies(x.Status, nil))
		}
	}
	if len(out) == 0 && q != nil {
		_, facts := r.tokenFacts(ctx)
		if len(facts) > 0 {
			add(facts)
		} else {
			add(findings(r.s, "provisioning"))
		}
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// spUser is the RudderStack account with the user's UPN, if any.
func (r *rehearsal) spUser(ctx context.Context, upn string) (accounts.User, bool, error) {
	u, err := r.m.lab.Accounts.FindUserByUserName(ctx, r.m.orgID, upn)
	if errors.Is(err, accounts.ErrNotFound) {
		return accounts.User{}, false, nil
	}
	return u, err == nil, err
}

// checkProvisioning is check 7: a cycle creates the assigned users; an
// attribute change reaches RudderStack; unassigning deactivates (not
// deletes) the user and sign-in is then refused; assigning again restores
// them.
func checkProvisioning(ctx context.Context, r *rehearsal) Result {
	l := &lifecycle{r: r}
	if refused := r.app.refused["provisioning"]; len(refused) > 0 {
		return l.fail("Entra's portal refuses to save the Provisioning page, so provisioning never runs.", refused...)
	}
	s := r.s

	// 1. The initial cycle creates everyone assigned.
	rep, failed := l.cycle(ctx, "initial cycle")
	if failed != nil {
		return *failed
	}
	assigned, err := r.m.lab.Directory.AssignedUsers(ctx, r.m.appID)
	if err != nil {
		return l.fail("The assigned users could not be read: " + err.Error())
	}
	var missing, present []string
	for _, u := range assigned {
		if !u.AccountEnabled {
			continue
		}
		if _, ok, err := r.spUser(ctx, u.UserPrincipalName); err != nil {
			return l.fail("RudderStack's accounts could not be read: " + err.Error())
		} else if ok {
			present = append(present, u.UserPrincipalName)
		} else {
			missing = append(missing, u.UserPrincipalName)
		}
	}
	if len(missing) > 0 {
		var rs []Remediation
		if !s.Provisioning.Actions.Create {
			rs = blame(s, "Create is unticked, so Entra never creates assigned users in RudderStack.", "Tick Create.", "provisioning.actions.create")
		}
		return l.fail(fmt.Sprintf("After the initial cycle RudderStack has no account for %s.", strings.Join(missing, ", ")), rs...)
	}
	l.res.Details = append(l.res.Details, fmt.Sprintf("Every assigned user who can sign in has a RudderStack account after the %s cycle: %s.", rep.Kind, strings.Join(present, ", ")))

	// 2. One user goes through the lifecycle: a directly assigned one,
	// who is unassigned and assigned again, or else a member of an
	// assigned group, who is removed from it and added back, as an admin
	// takes away and gives back access that comes from a group.
	u, ok, err := r.directlyAssignedUser(ctx)
	if err != nil {
		return l.fail("The assigned users could not be read: " + err.Error())
	}
	d := r.m.lab.Directory
	unassigned, assignedAgain := "unassigned", "assigned again"
	remove := func() error { return d.Unassign(ctx, r.m.appID, u.ObjectID) }
	restore := func() error { return d.Assign(ctx, r.m.appID, u.ObjectID) }
	if !ok {
		var group directory.Assignment
		if u, group, ok, err = r.groupMemberUser(ctx); err != nil {
			return l.fail("The assigned groups' members could not be read: " + err.Error())
		}
		if !ok {
			l.res.Status, l.res.Summary = Warn, "Provisioning creates the assigned users; no assigned user who can sign in is left to rehearse updates and deactivation with."
			return l.res
		}
		unassigned, assignedAgain = "removed from the group "+group.DisplayName, "added back to the group "+group.DisplayName
		remove = func() error { return d.RemoveGroupMember(ctx, group.PrincipalID, u.ObjectID) }
		restore = func() error { return d.AddGroupMember(ctx, group.PrincipalID, u.ObjectID) }
	}
	acct, _, err := r.spUser(ctx, u.UserPrincipalName)
	if err != nil {
		return l.fail("RudderStack's accounts could not be read: " + err.Error())
	}
	l.res.Details = append(l.res.Details, fmt.Sprintf("Rehearsing the lifecycle with %s (RudderStack account %s, source %s).", who(u), acct.ID, acct.Source))

	// The provisioned user signs in with SAML: it must be the same
	// account. If SAML sign-in fails for a reason of its own (see check
	// 3), the SAML steps below cannot be shown and are left out.
	r.progress("%s signs in", u.UserPrincipalName)
	o, err := r.signIn(ctx, "Provisioned user signs in: "+u.UserPrincipalName, u)
	saml := err == nil && o.SignedIn
	switch {
	case saml && o.Me.UserID != acct.ID:
		return l.fail(fmt.Sprintf("%s signed in to another RudderStack account (%s, keyed %q) than provisioning made (%s, userName %s): one person, two accounts.",
			u.DisplayName, o.Me.UserID, o.Me.Username, acct.ID, acct.UserName),
			blame(s, "the Name ID is not the UPN that provisioning sends as userName.", "Choose user.userprincipalname, format Email address.", "claims.name_id")...)
	case saml:
		l.res.Details = append(l.res.Details, "SAML sign-in reaches the same account that provisioning manages.")
	default:
		l.res.Details = append(l.res.Details, fmt.Sprintf("SAML sign-in does not work (%s; see %s), so the sign-in steps of the lifecycle are left out.", describe(o), IDSignIn))
	}

	// 3. An attribute change reaches RudderStack.
	changed := u.Surname + " (changed)"
	if _, err := r.m.lab.Directory.UpdateUser(ctx, u.ObjectID, func(d *directory.User) { d.Surname = changed }); err != nil {
		return l.fail("The user's surname could not be changed: " + err.Error())
	}
	if _, failed := l.cycle(ctx, "cycle after a surname change"); failed != nil {
		return *failed
	}
	after, _, err := r.spUser(ctx, u.UserPrincipalName)
	if err != nil {
		return l.fail("RudderStack's accounts could not be read: " + err.Error())
	}
	if after.FamilyName != changed {
		var rs []Remediation
		if !s.Provisioning.Actions.Update {
			rs = blame(s, "Update is unticked, so changes never reach RudderStack.", "Tick Update.", "provisioning.actions.update")
		}
		return l.fail(fmt.Sprintf("The surname changed in Entra to %q, but RudderStack still has %q.", changed, after.FamilyName), rs...)
	}
	l.res.Details = append(l.res.Details, fmt.Sprintf("The surname changed in Entra reached RudderStack: %q.", after.FamilyName))

	// 4. Unassigning deactivates, and keeps the account.
	if err := remove(); err != nil {
		return l.fail(fmt.Sprintf("The user could not be %s: %v", unassigned, err))
	}
	if _, failed := l.cycle(ctx, "cycle after unassigning"); failed != nil {
		return *failed
	}
	after, exists, err := r.spUser(ctx, u.UserPrincipalName)
	switch {
	case err != nil:
		return l.fail("RudderStack's accounts could not be read: " + err.Error())
	case !exists:
		return l.fail(fmt.Sprintf("%s was %s, and that removed their RudderStack account; RudderStack deactivates instead.", u.DisplayName, unassigned))
	case after.Active:
		var rs []Remediation
		if !s.Provisioning.Actions.Update {
			rs = blame(s, "Update is unticked, and the deactivation rides on Update.", "Tick Update.", "provisioning.actions.update")
		}
		return l.fail(fmt.Sprintf("%s was %s in Entra but is still active in RudderStack.", u.DisplayName, unassigned), rs...)
	}
	l.res.Details = append(l.res.Details, fmt.Sprintf("%s in Entra, %s is deactivated in RudderStack; the account is kept.", capitalize(unassigned), u.DisplayName))

	if saml {
		r.progress("%s signs in after being unassigned", u.UserPrincipalName)
		o, err := r.signIn(ctx, "Unassigned user signs in: "+u.UserPrincipalName, u)
		switch {
		case err != nil:
			return l.fail("The sign-in after unassigning did not finish: " + err.Error())
		case o.SignedIn:
			return l.fail(fmt.Sprintf("%s signed in after being unassigned and deactivated.", u.DisplayName))
		}
		l.res.Details = append(l.res.Details, fmt.Sprintf("Their sign-in is refused: %s.", describe(o)))
	}

	// 5. Assigning again restores them at the next cycle; until then
	// RudderStack refuses the deactivated account itself.
	if err := restore(); err != nil {
		return l.fail(fmt.Sprintf("The user could not be %s: %v", assignedAgain, err))
	}
	if saml {
		o, err := r.signIn(ctx, "Assigned again, before a cycle: "+u.UserPrincipalName, u)
		switch {
		case err != nil:
			return l.fail("The sign-in after assigning again did not finish: " + err.Error())
		case o.SignedIn:
			return l.fail(fmt.Sprintf("RudderStack let %s sign in while deactivated.", u.DisplayName))
		}
		l.res.Details = append(l.res.Details, fmt.Sprintf("%s but not yet provisioned, RudderStack refuses the deactivated account: %s.", capitalize(assignedAgain), describe(o)))
	}
	if _, failed := l.cycle(ctx, "cycle after assigning again"); failed != nil {
		return *failed
	}
	after, _, err = r.spUser(ctx, u.UserPrincipalName)
	if err != nil {
		return l.fail("RudderStack's accounts could not be read: " + err.Error())
	}
	if !after.Active {
		return l.fail(fmt.Sprintf("%s was %s but is still deactivated in RudderStack.", u.DisplayName, assignedAgain))
	}
	if saml {
		o, err := r.signIn(ctx, "Restored user signs in: "+u.UserPrincipalName, u)
		if err != nil || !o.SignedIn || o.Me.UserID != acct.ID {
			return l.fail(fmt.Sprintf("%s was reactivated, but signing in did not reach their account: %s.", u.DisplayName, describe(o)))
		}
	}
	l.res.Details = append(l.res.Details, fmt.Sprintf("%s, %s is active in RudderStack and signs in to the same account.", capitalize(assignedAgain), u.DisplayName))
	l.res.Status = Pass
	l.res.Summary = "Provisioning creates the assigned users, carries changes, deactivates on unassignment (keeping the account) and restores on reassignment."
	if !saml {
		l.res.Summary = "Provisioning creates the assigned users, carries changes, deactivates on unassignment and restores on reassignment; sign-in steps left out (see " + IDSignIn + ")."
	}
	return l.res
}

// firstSentence shortens one of Entra's long log messages to its first
// sentence; the requests beside it carry the server's own words.
func firstSentence(s string) string {
	s = firstLine(s)
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
