package provisioning

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// userResult is what evaluating one user leaves for the manager pass and
// for provision on demand.
type userResult struct {
	user directory.User
	obj  *object
	// needsManager: the user is provisioned and active and the manager
	// reference may need setting.
	needsManager bool
	// match says how the user was found in the target, for on demand's
	// "Match user" step; empty when no match was needed.
	match string
	// scope describes the scoping decision, for on demand.
	scope string
	// inScope is the scoping decision.
	inScope bool
	log     *LogEntry
}

// evalUser decides what the user needs in the target and does it: create,
// update, disable, delete, or nothing. It returns nil when the cycle
// stopped or when the engine itself failed.
func (c *cycle) evalUser(it userItem) *userResult {
	if c.ctx.Err() != nil {
		return nil
	}
	c.mu.Lock()
	c.eval++
	c.mu.Unlock()
	obj := c.object(kindUser, it.id)
	u := it.user
	if u == nil {
		got, err := c.e.dir.User(c.ctx, it.id)
		if errors.Is(err, directory.ErrNotFound) {
			return c.sourceDeleted(it.id, obj)
		}
		if err != nil {
			c.internal(err)
			return nil
		}
		u = &got
	}
	why, state, err := c.scopeOf(u, it.inScope)
	if err != nil {
		c.internal(err)
		return nil
	}
	if why != "" {
		return c.deprovision(u, obj, why, state)
	}
	return c.syncUser(u, obj, it.force)
}

// scopeOf decides whether a live or soft-deleted user is in scope. When it
// is not, it says why and which state a managed user moves to: blocked and
// deleted users stay managed (disabled); unassigned ones are disabled and
// then left alone (reference §4.7).
func (c *cycle) scopeOf(u *directory.User, known *bool) (string, objState, error) {
	if u.Status == directory.UserSoftDeleted {
		return "the user was deleted in Entra ID (IsSoftDeleted)", stateDisabled, nil
	}
	if c.j.cfg.Scope != directory.ScopeAll {
		assigned := false
		if known != nil {
			assigned = *known
		} else {
			var err error
			if assigned, err = c.e.dir.IsAssigned(c.ctx, c.j.appID, u.ObjectID); err != nil {
				return "", "", err
			}
		}
		if !assigned {
			return "the user is not assigned to the application (NotEffectivelyEntitled)", stateOutOfScope, nil
		}
	}
	if !u.AccountEnabled {
		return "the user is blocked from signing in (accountEnabled is false)", stateDisabled, nil
	}
	return "", "", nil
}

func (c *cycle) newLog(k objKind, id, name string) *LogEntry {
	return &LogEntry{ObjectType: objectType(k), SourceID: strings.ToLower(id), SourceName: name}
}

// failed records a failure. The entry keeps the action that was being
// attempted (Create, Update...), or Other when it failed before one.
func (c *cycle) failed(l *LogEntry, f *failure, obj *object) {
	if l.Action == "" {
		l.Action = ActionOther
	}
	l.Status, l.Code, l.Reason = StatusFailure, f.code, f.message
	if l.TargetID == "" && obj != nil {
		l.TargetID = obj.targetID
	}
	c.recordLog(l, f, obj)
}

// matchUser queries the target by each matching attribute in precedence
// order, stopping at the first match (reference §3.3). It returns the
// matched resource (nil when none), a description, and whether any
// matching attribute had a value to query by.
func (c *cycle) matchUser(rules []rule, values []value, l *LogEntry) (scim.Resource, string, bool, *failure) {
	byTarget := map[string]string{}
	for _, v := range values {
		byTarget[strings.ToLower(v.r.Target)] = v.v
	}
	tried := false
	var notes []string
	for i := range rules {
		r := &rules[i]
		v := byTarget[strings.ToLower(r.Target)]
		if v == "" {
			continue
		}
		tried = true
		q := url.Values{"filter": {r.Target + " eq " + quoteFilter(v)}}
		resp, f := c.send(http.MethodGet, "/Users", q, nil, true, l)
		if f != nil {
			return nil, "", true, f
		}
		list, err := scim.ParseListResponse(resp.body)
		if err != nil {
			return nil, "", true, c.j.client.incompatible(resp, err.Error())
		}
		switch {
		case list.TotalResults == 0 && len(list.Resources) == 0:
			notes = append(notes, fmt.Sprintf("no user with %s eq %q", r.Target, v))
			continue
		case list.TotalResults > 1 || len(list.Resources) > 1:
			return nil, "", true, &failure{scope: failObject, code: CodeDuplicateTarget, ex: resp.ex,
				message: fmt.Sprintf("More than one user in the application matches %s eq %q (%d results); Entra cannot tell which one to manage. Remove the duplicates or change the matching attribute.", r.Target, v, list.TotalResults)}
		case len(list.Resources) == 0:
			return nil, "", true, c.j.client.incompatible(resp, "totalResults is 1 but Resources is empty")
		}
		res := list.Resources[0]
		if res.ID() == "" {
			return nil, "", true, c.j.client.incompatible(resp, "the matched user has no id")
		}
		return res, fmt.Sprintf("matched the existing user %s by %s eq %q", res.ID(), r.Target, v), true, nil
	}
	return nil, strings.Join(notes, "; "), tried, nil
}

// syncUser brings an in-scope user's target account in line: match (or
// read by cached id), create or update, and mark it active.
func (c *cycle) syncUser(u *directory.User, obj *object, force bool) *userResult {
	res := &userResult{user: *u, inScope: true, scope: "in scope"}
	l := c.newLog(kindUser, u.ObjectID, u.UserPrincipalName)
	res.log = l
	if obj.anchored() && obj.state == stateActive && !force && obj.syncedSeq == u.ChangeSeq {
		// Unchanged since it was last in sync: Entra only writes objects
		// that need it (reference §3.1).
		res.obj, res.log = obj, nil
		return res
	}
	values := evaluate(c.j.rules.users, userSource(*u, false))
	var cur scim.Resource
	adopted := false
	if obj.anchored() {
		r, f := c.send(http.MethodGet, "/Users/"+obj.targetID, nil, nil, false, l)
		if f != nil {
			c.failed(l, f, obj)
			return nil
		}
		var err error
		if cur, err = scim.DecodeResource(r.body); err != nil {
			c.failed(l, c.j.client.incompatible(r, err.Error()), obj)
			return nil
		}
		res.match = "found by its cached target id " + obj.targetID
	} else {
		m, note, tried, f := c.matchUser(c.j.rules.userMatch, values, l)
		if f != nil {
			c.failed(l, f, obj)
			return nil
		}
		if !tried {
			l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeImportSkipped
			l.Reason = "The user has no value for any matching attribute (" + c.j.rules.userMatch[0].Source + "), so it cannot be matched or provisioned."
			c.recordLog(l, nil, nil)
			return nil
		}
		res.match = note
		if m == nil {
			return c.createUser(u, values, res)
		}
		cur, adopted = m, true
	}
	id := cur.ID()
	if id == "" {
		id = obj.targetID
	}
	l.TargetID = id
	next := &object{kind: kindUser, sourceID: strings.ToLower(u.ObjectID), sourceName: u.UserPrincipalName, targetID: id,
		state: stateActive, targetManager: cur.ManagerID()}
	if active, ok := cur.Active(); ok && !active {
		next.state = stateDisabled
	}
	changes := diff(c.j.rules.userRT, values, cur)
	switch {
	case len(changes) == 0:
		next.state = stateActive
		if adopted {
			l.Action, l.Status = ActionOther, StatusSuccess
			l.Reason = "Matched the existing user in the application (" + res.match + "); no attribute differs."
		} else {
			l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeRedundantExport
			l.Reason = "The user is already in sync; nothing was sent."
		}
	case !c.j.cfg.Actions.Update:
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
		l.Reason = "The Update action is off (Target Object Actions), so these differing attributes were not sent: " + changedNames(changes) + "."
	default:
		l.Action = ActionUpdate
		r, f := c.send(http.MethodPatch, "/Users/"+id, nil, scim.NewPatchOp(c.dialect.updateOps(changes)...), false, l)
		if f != nil {
			c.failed(l, f, next)
			return nil
		}
		if r.status != http.StatusOK && r.status != http.StatusNoContent {
			c.failed(l, c.j.client.incompatible(r, fmt.Sprintf("status %d to a PATCH instead of 200 or 204", r.status)), next)
			return nil
		}
		next.state = stateActive
		l.Action, l.Status = ActionUpdate, StatusSuccess
		l.Reason = "Updated " + changedNames(changes) + "."
		if adopted {
			l.Reason = "Matched the existing user in the application (" + res.match + ") and updated " + changedNames(changes) + "."
		}
	}
	c.finishSync(u, next, res)
	return res
}

// createUser POSTs a user that the match did not find.
func (c *cycle) createUser(u *directory.User, values []value, res *userResult) *userResult {
	l := res.log
	if !c.j.cfg.Actions.Create {
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
		l.Reason = "The user does not exist in the application and the Create action is off (Target Object Actions), so it was not created."
		c.recordLog(l, nil, nil)
		return nil
	}
	l.Action = ActionCreate
	r, f := c.send(http.MethodPost, "/Users", nil, createUserBody(values), false, l)
	if f != nil {
		c.failed(l, f, nil)
		return nil
	}
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		c.failed(l, c.j.client.incompatible(r, fmt.Sprintf("status %d to a POST instead of 201", r.status)), nil)
		return nil
	}
	// Only the id is needed: a user just created has no manager yet.
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.body, &created); err != nil || created.ID == "" {
		why := "the created user has no id"
		if err != nil {
			why = "the body is not a JSON resource: " + err.Error()
		}
		c.failed(l, c.j.client.incompatible(r, why), nil)
		return nil
	}
	l.TargetID = created.ID
	l.Action, l.Status = ActionCreate, StatusSuccess
	l.Reason = "Created the user (" + res.match + " before)."
	next := &object{kind: kindUser, sourceID: strings.ToLower(u.ObjectID), sourceName: u.UserPrincipalName, targetID: created.ID,
		state: stateActive}
	c.finishSync(u, next, res)
	return res
}

// finishSync records a user now active in the target. Its change sequence
// is recorded as in sync only when the manager needs no work; otherwise the
// manager pass records it.
func (c *cycle) finishSync(u *directory.User, next *object, res *userResult) {
	if old := c.object(kindUser, u.ObjectID); old == nil || old.state != stateActive {
		c.touch(u.ObjectID)
	}
	mgr := c.j.rules.manager()
	res.needsManager = mgr != nil && next.state == stateActive && (u.Manager != "" || next.targetManager != "")
	if !res.needsManager {
		next.syncedSeq = u.ChangeSeq
	}
	c.recordLog(res.log, nil, next)
	res.obj = next
}

func (c *cycle) touch(id string) {
	c.mu.Lock()
	c.touched = append(c.touched, strings.ToLower(id))
	c.mu.Unlock()
}

func changedNames(cs []change) string {
	names := make([]string, len(cs))
	for i, ch := range cs {
		names[i] = ch.r.Target
	}
	return strings.Join(names, ", ")
}

// deprovision handles an out-of-scope user: a managed, active account is
// disabled with the dialect's disable PATCH (reference §4.6); nothing is
// sent for users never provisioned or already disabled.
func (c *cycle) deprovision(u *directory.User, obj *object, why string, state objState) *userResult {
	res := &userResult{user: *u, scope: why}
	l := c.newLog(kindUser, u.ObjectID, u.UserPrincipalName)
	if !obj.anchored() {
		if state == stateDisabled && u.Status == directory.UserActive {
			// Assigned but blocked: Entra cannot provision disabled users
			// (reference §3.2).
			l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeNotEffectivelyEntitled
			l.Reason = "The user is not provisioned because " + why + "; users must be able to sign in before they are provisioned."
			res.log = l
			c.recordLog(l, nil, nil)
		}
		return res
	}
	res.obj = obj
	switch obj.state {
	case stateDisabled, stateOutOfScope:
		if obj.state == stateDisabled && state == stateOutOfScope {
			next := *obj
			next.state = stateOutOfScope
			c.recordLog(nil, nil, &next)
			res.obj = &next
		}
		return res
	}
	l.TargetID = obj.targetID
	res.log = l
	next := *obj
	next.state = state
	if !c.disable(u, l, &next, why) {
		return nil
	}
	c.touch(u.ObjectID)
	res.obj = &next
	return res
}

// disable sends the disable PATCH and records the result. It reports
// whether it succeeded (or was skipped cleanly).
func (c *cycle) disable(u *directory.User, l *LogEntry, next *object, why string) bool {
	if !c.j.cfg.Actions.Update {
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
		l.Reason = "The user should be disabled because " + why + ", but the Update action is off (Target Object Actions), so nothing was sent."
		c.recordLog(l, nil, nil)
		return true
	}
	ar := c.j.rules.active()
	if ar == nil {
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, "NoActiveMapping"
		l.Reason = "The user should be disabled because " + why + ", but no mapping targets active, so Entra cannot disable it."
		c.recordLog(l, nil, nil)
		return true
	}
	val := ar.src.eval(userSource(*u, true))
	l.Action = ActionDisable
	r, f := c.send(http.MethodPatch, "/Users/"+next.targetID, nil, scim.NewPatchOp(c.dialect.disableOps(ar.Target, val)...), false, l)
	if f != nil {
		c.failed(l, f, nil)
		return false
	}
	if r.status != http.StatusOK && r.status != http.StatusNoContent {
		c.failed(l, c.j.client.incompatible(r, fmt.Sprintf("status %d to a PATCH instead of 200 or 204", r.status)), nil)
		return false
	}
	l.Action, l.Status = ActionDisable, StatusSuccess
	l.Reason = "Disabled the user because " + why + "."
	c.recordLog(l, nil, next)
	return true
}

// sourceDeleted handles a user permanently deleted in Entra: DELETE only
// with the Delete box ticked (reference §4.7). With Delete off, a user
// still active in the target is disabled instead, as the soft delete
// before it would have done had a cycle run in between.
func (c *cycle) sourceDeleted(id string, obj *object) *userResult {
	res := &userResult{user: directory.User{ObjectID: id}, scope: "the user was permanently deleted in Entra ID"}
	if !obj.anchored() || obj.state == stateOutOfScope {
		// Never provisioned, or no longer managed since it was unassigned:
		// nothing is sent (reference §4.7).
		return res
	}
	u := directory.User{ObjectID: id, UserPrincipalName: obj.sourceName}
	res.user = u
	l := c.newLog(kindUser, id, obj.sourceName)
	l.TargetID = obj.targetID
	res.log = l
	next := *obj
	next.state = stateDeleted
	switch {
	case c.j.cfg.Actions.Delete:
		l.Action = ActionDelete
		r, f := c.send(http.MethodDelete, "/Users/"+obj.targetID, nil, nil, false, l)
		if f != nil && (r == nil || r.status != http.StatusNotFound) {
			c.failed(l, f, nil)
			return nil
		}
		l.Action, l.Status = ActionDelete, StatusSuccess
		l.Reason = "Deleted the user because it was permanently deleted in Entra ID."
		if r.status == http.StatusNotFound {
			l.Reason += " The application no longer had it."
		}
		c.recordLog(l, nil, &next)
	case obj.state == stateActive:
		if !c.disable(&u, l, &next, "it was permanently deleted in Entra ID and the Delete action is off") {
			return nil
		}
	default:
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
		l.Reason = "The user was permanently deleted in Entra ID, but the Delete action is off (Target Object Actions), so it was not deleted in the application."
		c.recordLog(l, nil, &next)
	}
	res.obj = &next
	return res
}

// evalManager sets or clears the manager reference of a user the cycle
// evaluated (reference §4.5), once both users exist in the target. A
// manager the engine has not provisioned is left alone: Entra sets it only
// after a restart (MS-KNOWN).
func (c *cycle) evalManager(res *userResult) {
	if c.ctx.Err() != nil || res.obj == nil {
		return
	}
	mr := c.j.rules.manager()
	next := *res.obj
	next.syncedSeq = res.user.ChangeSeq
	want := ""
	if res.user.Manager != "" {
		m := c.object(kindUser, res.user.Manager)
		if !m.anchored() || m.state == stateOutOfScope {
			c.recordLog(nil, nil, &next)
			return
		}
		want = m.targetID
	}
	if want == next.targetManager {
		c.recordLog(nil, nil, &next)
		return
	}
	l := c.newLog(kindUser, res.user.ObjectID, res.user.UserPrincipalName)
	l.TargetID = next.targetID
	if !c.j.cfg.Actions.Update {
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
		l.Reason = "The manager reference differs, but the Update action is off (Target Object Actions)."
		c.recordLog(l, nil, &next)
		return
	}
	l.Action = ActionUpdate
	r, f := c.send(http.MethodPatch, "/Users/"+next.targetID, nil, scim.NewPatchOp(c.dialect.managerOps(mr.Target, want, next.targetManager != "")...), false, l)
	if f == nil && r.status != http.StatusOK && r.status != http.StatusNoContent {
		f = c.j.client.incompatible(r, fmt.Sprintf("status %d to a PATCH instead of 200 or 204", r.status))
	}
	if f != nil {
		f.reference = true
		c.failed(l, f, nil)
		return
	}
	l.Action, l.Status = ActionUpdate, StatusSuccess
	if want == "" {
		l.Reason = "Cleared the manager reference."
	} else {
		l.Reason = "Set the manager reference to " + want + "."
	}
	next.targetManager = want
	c.recordLog(l, nil, &next)
}
