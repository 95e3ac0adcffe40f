package provisioning

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// excludeMembers is on every group read: Entra never reads members back
// (reference §6.3, §8).
func excludeMembers(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	q.Set("excludedAttributes", "members")
	return q
}

// evalGroup brings one group in line (reference §8): match by displayName
// (or read by cached id), create with no members, rename, then add and
// remove members by their target ids. Only called when "Provision
// Microsoft Entra ID Groups" is on.
func (c *cycle) evalGroup(id string) {
	if c.ctx.Err() != nil {
		return
	}
	c.mu.Lock()
	c.eval++
	c.mu.Unlock()
	obj := c.object(kindGroup, id)
	g, err := c.e.dir.Group(c.ctx, id)
	gone := errors.Is(err, directory.ErrNotFound)
	if err != nil && !gone {
		c.internal(err)
		return
	}
	inScope := !gone
	if inScope && c.j.cfg.Scope != directory.ScopeAll {
		if inScope, err = c.groupAssigned(id); err != nil {
			c.internal(err)
			return
		}
	}
	if !inScope {
		c.groupOutOfScope(id, obj, gone)
		return
	}
	l := c.newLog(kindGroup, g.ObjectID, g.DisplayName)
	values := evaluate(c.j.rules.groups, groupSource(g))
	next := &object{kind: kindGroup, sourceID: strings.ToLower(g.ObjectID), sourceName: g.DisplayName, state: stateActive}
	var cur scim.Resource
	created, adopted := false, false
	if obj.anchored() {
		next.targetID, next.members = obj.targetID, obj.members
		r, f := c.send(http.MethodGet, "/Groups/"+obj.targetID, excludeMembers(nil), nil, false, l)
		if f != nil {
			c.failed(l, f, obj)
			return
		}
		if cur, err = scim.DecodeResource(r.body); err != nil {
			c.failed(l, c.j.client.incompatible(r, err.Error()), obj)
			return
		}
	} else {
		m, f := c.matchGroup(values, l)
		if f != nil {
			c.failed(l, f, nil)
			return
		}
		switch {
		case m != nil:
			cur, adopted = m, true
			next.targetID = m.ID()
		case !c.j.cfg.Actions.Create:
			l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
			l.Reason = "The group does not exist in the application and the Create action is off, so it was not created."
			c.recordLog(l, nil, nil)
			return
		default:
			l.Action = ActionCreate
			r, f := c.send(http.MethodPost, "/Groups", nil, createGroupBody(values), false, l)
			if f == nil && r.status != http.StatusCreated && r.status != http.StatusOK {
				f = c.j.client.incompatible(r, fmt.Sprintf("status %d to a POST instead of 201", r.status))
			}
			if f != nil {
				c.failed(l, f, nil)
				return
			}
			res, err := scim.DecodeResource(r.body)
			if err != nil || res.ID() == "" {
				c.failed(l, c.j.client.incompatible(r, "the created group has no id"), nil)
				return
			}
			created, next.targetID = true, res.ID()
		}
	}
	l.TargetID = next.targetID
	var ops []scim.Operation
	var changes []change
	if !created {
		changes = diff(c.j.rules.groupRT, values, cur)
		ops = c.dialect.updateOps(changes)
	}
	want, err := c.memberTargets(g.ObjectID)
	if err != nil {
		c.internal(err)
		return
	}
	adds, removes := setDiff(want, next.members), setDiff(next.members, want)
	if c.j.rules.hasMembers() {
		if len(adds) > 0 {
			ops = append(ops, c.dialect.addMembersOp(adds))
		}
		if len(removes) > 0 {
			ops = append(ops, c.dialect.removeMembersOps(removes)...)
		}
	}
	var did []string
	if created {
		did = append(did, "created the group")
	} else if adopted {
		did = append(did, "matched the existing group "+next.targetID+" by displayName")
	}
	if len(ops) > 0 && (c.j.cfg.Actions.Update || created) {
		if !created {
			l.Action = ActionUpdate
		}
		r, f := c.send(http.MethodPatch, "/Groups/"+next.targetID, nil, scim.NewPatchOp(ops...), false, l)
		if f == nil && r.status != http.StatusOK && r.status != http.StatusNoContent {
			f = c.j.client.incompatible(r, fmt.Sprintf("status %d to a PATCH instead of 204", r.status))
		}
		if f != nil {
			// Member failures are reference failures (reference §5.3).
			f.reference = len(changes) == 0
			if created || adopted {
				c.failed(l, f, next)
			} else {
				c.failed(l, f, nil)
			}
			return
		}
		if len(changes) > 0 {
			did = append(did, "updated "+changedNames(changes))
		}
		if c.j.rules.hasMembers() {
			if len(adds) > 0 {
				did = append(did, fmt.Sprintf("added %d member(s)", len(adds)))
			}
			if len(removes) > 0 {
				did = append(did, fmt.Sprintf("removed %d member(s)", len(removes)))
			}
			next.members = want
		}
	} else if len(ops) > 0 {
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
		l.Reason = "The group differs from the application's, but the Update action is off, so nothing was sent."
		c.recordLog(l, nil, next)
		return
	}
	l.Status = StatusSuccess
	switch {
	case created:
		l.Action = ActionCreate
	case len(ops) > 0:
		l.Action = ActionUpdate
	case adopted:
		l.Action = ActionOther
	default:
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeRedundantExport
		did = append(did, "the group is already in sync; nothing was sent")
	}
	l.Reason = capitalise(strings.Join(did, "; ")) + "."
	c.recordLog(l, nil, next)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// groupOutOfScope deletes a managed group that was unassigned or deleted,
// with the Delete box ticked: groups have no active flag to clear.
func (c *cycle) groupOutOfScope(id string, obj *object, gone bool) {
	if !obj.anchored() {
		return
	}
	l := c.newLog(kindGroup, id, obj.sourceName)
	l.TargetID = obj.targetID
	next := *obj
	next.state = stateDeleted
	why := "unassigned from the application"
	if gone {
		why = "deleted in Entra ID"
	}
	if !c.j.cfg.Actions.Delete {
		l.Action, l.Status, l.Code = ActionSkip, StatusSkipped, CodeActionDisabled
		l.Reason = "The group was " + why + ", but the Delete action is off, so it was not deleted in the application."
		c.recordLog(l, nil, &next)
		return
	}
	l.Action = ActionDelete
	r, f := c.send(http.MethodDelete, "/Groups/"+obj.targetID, nil, nil, false, l)
	if f != nil && (r == nil || r.status != http.StatusNotFound) {
		c.failed(l, f, nil)
		return
	}
	l.Action, l.Status = ActionDelete, StatusSuccess
	l.Reason = "Deleted the group because it was " + why + "."
	c.recordLog(l, nil, &next)
}

// matchGroup queries /Groups by the group matching attribute with
// excludedAttributes=members, as Entra does (reference §8 step 1).
func (c *cycle) matchGroup(values []value, l *LogEntry) (scim.Resource, *failure) {
	byTarget := map[string]string{}
	for _, v := range values {
		byTarget[strings.ToLower(v.r.Target)] = v.v
	}
	for _, r := range c.j.rules.groupMatch {
		v := byTarget[strings.ToLower(r.Target)]
		if v == "" {
			continue
		}
		q := excludeMembers(url.Values{"filter": {r.Target + " eq " + quoteFilter(v)}})
		resp, f := c.send(http.MethodGet, "/Groups", q, nil, true, l)
		if f != nil {
			return nil, f
		}
		list, err := scim.ParseListResponse(resp.body)
		if err != nil {
			return nil, c.j.client.incompatible(resp, err.Error())
		}
		switch {
		case len(list.Resources) == 0:
			continue
		case len(list.Resources) > 1 || list.TotalResults > 1:
			return nil, &failure{scope: failObject, code: CodeDuplicateTarget, ex: resp.ex,
				message: fmt.Sprintf("More than one group in the application matches %s eq %q; Entra cannot tell which one to manage.", r.Target, v)}
		}
		if list.Resources[0].ID() == "" {
			return nil, c.j.client.incompatible(resp, "the matched group has no id")
		}
		return list.Resources[0], nil
	}
	return nil, nil
}

// groupAssigned reports whether the group is assigned to the app.
func (c *cycle) groupAssigned(id string) (bool, error) {
	c.mu.Lock()
	m := c.assignedGroups
	c.mu.Unlock()
	if m == nil {
		ids, err := c.scopedGroups()
		if err != nil {
			return false, err
		}
		m = map[string]bool{}
		for _, g := range ids {
			m[g] = true
		}
		c.mu.Lock()
		c.assignedGroups = m
		c.mu.Unlock()
	}
	return m[strings.ToLower(id)], nil
}

// memberTargets is the target ids of the group's members the engine has
// provisioned and still manages. Members not provisioned are left out
// (reference §8, MS-KNOWN).
func (c *cycle) memberTargets(groupID string) ([]string, error) {
	members, err := c.e.dir.GroupMembers(c.ctx, groupID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range members {
		if o := c.object(kindUser, m.ObjectID); o.anchored() && (o.state == stateActive || o.state == stateDisabled) {
			out = append(out, o.targetID)
		}
	}
	slices.Sort(out)
	return out, nil
}

// setDiff returns the elements of a not in b, in a's order.
func setDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
