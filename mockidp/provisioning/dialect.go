package provisioning

import (
	"github.com/ssowiz/ssowiz/internal/scim"
)

// opName spells an operation as the dialect does: "Add"/"Replace"/"Remove"
// by default, lower case with aadOptscim062020 (reference §4.4).
func (d Dialect) opName(k scim.OpKind) string {
	if d == DialectSCIM {
		return k.String()
	}
	switch k {
	case scim.OpAdd:
		return "Add"
	case scim.OpReplace:
		return "Replace"
	case scim.OpRemove:
		return "Remove"
	}
	return k.String()
}

// activeValue is active as the dialect sends it in a PATCH: the mapping's
// string ("True"/"False", or whatever case the admin's expression
// produces) by default, a JSON boolean with aadOptscim062020.
func (d Dialect) activeValue(s string) any {
	if d == DialectSCIM {
		return parseBoolText(s)
	}
	return s
}

func addOrReplace(add bool) scim.OpKind {
	if add {
		return scim.OpAdd
	}
	return scim.OpReplace
}

// updateOps renders changed attributes as PATCH operations.
//
// Default dialect: one operation per attribute, in mapping order, each
// with its path (reference §4.4 "Without feature flag").
//
// aadOptscim062020: an operation with a path for active and for each
// value-path attribute (emails[type eq "work"].value), then one path-less
// add for newly populated attributes and one path-less replace for
// changed ones, whose value objects have dotted or URN-qualified keys
// (reference §4.4 "With aadOptscim062020").
func (d Dialect) updateOps(changes []change) []scim.Operation {
	var ops []scim.Operation
	if d != DialectSCIM {
		for _, c := range changes {
			var v any = c.v
			if c.r.isActive {
				v = d.activeValue(c.v)
			}
			ops = append(ops, scim.Operation{Op: d.opName(addOrReplace(c.add)), Path: c.r.Target, Value: v})
		}
		return ops
	}
	add, replace := map[string]any{}, map[string]any{}
	for _, c := range changes {
		switch {
		case c.r.isActive:
			ops = append(ops, scim.Operation{Op: d.opName(addOrReplace(c.add)), Path: c.r.Target, Value: d.activeValue(c.v)})
		case c.r.path.Filter != nil:
			ops = append(ops, scim.Operation{Op: d.opName(addOrReplace(c.add)), Path: c.r.Target, Value: c.v})
		case c.add:
			add[c.r.key] = c.v
		default:
			replace[c.r.key] = c.v
		}
	}
	if len(add) > 0 {
		ops = append(ops, scim.Operation{Op: d.opName(scim.OpAdd), Value: add})
	}
	if len(replace) > 0 {
		ops = append(ops, scim.Operation{Op: d.opName(scim.OpReplace), Value: replace})
	}
	return ops
}

// disableOps is the disable PATCH of reference §4.6, exactly:
// {"op":"Replace","path":"active","value":"False"} by default and
// {"op":"replace","path":"active","value":false} with aadOptscim062020.
// value is the active mapping's output for a soft-deleted user.
func (d Dialect) disableOps(target, value string) []scim.Operation {
	return []scim.Operation{{Op: d.opName(scim.OpReplace), Path: target, Value: d.activeValue(value)}}
}

// managerOps sets or clears the manager reference (reference §4.5): the
// manager's target id as a bare string, Add when the target had none and
// Replace when it had another; removal is a replace with an empty value.
func (d Dialect) managerOps(target, managerID string, had bool) []scim.Operation {
	if managerID == "" {
		return []scim.Operation{{Op: d.opName(scim.OpReplace), Path: target, Value: map[string]any{"value": ""}}}
	}
	return []scim.Operation{{Op: d.opName(addOrReplace(!had)), Path: target, Value: managerID}}
}

// addMembersOp adds group members with "$ref": null, as Entra literally
// sends (reference §8 step 5), the same in both dialects but for the op's
// case.
func (d Dialect) addMembersOp(ids []string) scim.Operation {
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = map[string]any{"$ref": nil, "value": id}
	}
	return scim.Operation{Op: d.opName(scim.OpAdd), Path: "members", Value: vals}
}

// removeMembersOps removes group members: one Remove with a value array by
// default, one remove per member with a members[value eq "id"] path and no
// value with aadOptscim062020 (reference §8 step 6).
func (d Dialect) removeMembersOps(ids []string) []scim.Operation {
	if d == DialectSCIM {
		ops := make([]scim.Operation, len(ids))
		for i, id := range ids {
			ops[i] = scim.Operation{Op: d.opName(scim.OpRemove), Path: `members[value eq ` + quoteFilter(id) + `]`}
		}
		return ops
	}
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = map[string]any{"value": id}
	}
	return []scim.Operation{{Op: d.opName(scim.OpRemove), Path: "members", Value: vals}}
}
