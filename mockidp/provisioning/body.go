package provisioning

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/filter"
)

// value is one mapping's result for an object. Empty values are never
// sent: Entra does not provision nulls (reference §4.2, MS-KNOWN).
type value struct {
	r *rule
	v string
}

// evaluate runs every rule's source expression.
func evaluate(rules []rule, attrs func(string) (string, bool)) []value {
	out := make([]value, 0, len(rules))
	for i := range rules {
		r := &rules[i]
		if r.isMembers {
			continue
		}
		out = append(out, value{r: r, v: r.src.eval(attrs)})
	}
	return out
}

// createBody is the POST body for a user (reference §4.2): schemas core
// and enterprise (a custom extension URN is never listed), every mapped
// attribute with a value, active as a JSON boolean, typed multi-valued
// entries with primary true on the work entry, meta.resourceType, and
// roles as an empty array as in the documented example. The manager is
// left out: it is set by a PATCH once both users exist.
func createUserBody(values []value) scim.Resource {
	doc := scim.Resource{"schemas": []any{scim.SchemaUser, scim.SchemaEnterpriseUser}}
	for _, v := range values {
		if v.v == "" || v.r.isManager {
			continue
		}
		var typed any = v.v
		if v.r.isActive {
			typed = parseBoolText(v.v)
		}
		setPath(doc, v.r.path, typed)
	}
	doc["meta"] = map[string]any{"resourceType": "User"}
	if _, ok := doc.Get("roles"); !ok {
		doc["roles"] = []any{}
	}
	return doc
}

// createGroupBody is the POST body for a group (reference §8): the core
// schema plus the extra ADSCIM URI Entra still lists, and no members (they
// are added by PATCH).
func createGroupBody(values []value) scim.Resource {
	doc := scim.Resource{"schemas": []any{scim.SchemaGroup, scim.SchemaEntraGroup}}
	for _, v := range values {
		if v.v != "" {
			setPath(doc, v.r.path, v.v)
		}
	}
	doc["meta"] = map[string]any{"resourceType": "Group"}
	return doc
}

func isCoreURI(uri string) bool {
	return uri == "" || strings.EqualFold(uri, scim.SchemaUser) || strings.EqualFold(uri, scim.SchemaGroup)
}

// setPath writes v at p in doc, creating containers and, for a value path
// such as emails[type eq "work"].value, the typed element.
func setPath(doc map[string]any, p filter.Path, v any) {
	c := doc
	if !isCoreURI(p.URI) {
		c = child(doc, p.URI)
	}
	if p.Filter != nil {
		pairs, _ := filter.Assignments(p.Filter)
		arr, _ := c[p.Attr].([]any)
		var elem map[string]any
		for _, e := range arr {
			if m, ok := e.(map[string]any); ok && hasPairs(m, pairs) {
				elem = m
				break
			}
		}
		if elem == nil {
			elem = map[string]any{}
			for _, pr := range pairs {
				elem[pr.Path.Attr] = pr.Value
			}
			if t, _ := elem["type"].(string); strings.EqualFold(t, "work") && primaryOnWork(p.Attr) {
				elem["primary"] = true
			}
			c[p.Attr] = append(arr, elem)
		}
		sub := p.Sub
		if sub == "" {
			sub = "value"
		}
		elem[sub] = v
		return
	}
	if p.Sub != "" {
		child(c, p.Attr)[p.Sub] = v
		return
	}
	c[p.Attr] = v
}

// primaryOnWork: Entra marks the work email primary (MS-DEV); the SCIM
// Validator does the same for the work address and phone, which we follow
// (reference §4.2, UNSURE for the production engine).
func primaryOnWork(attr string) bool {
	switch strings.ToLower(attr) {
	case "emails", "addresses", "phonenumbers":
		return true
	}
	return false
}

func child(m map[string]any, name string) map[string]any {
	if k, ok := scim.FindKey(m, name); ok {
		if c, ok := m[k].(map[string]any); ok {
			return c
		}
	}
	c := map[string]any{}
	m[name] = c
	return c
}

func hasPairs(m map[string]any, pairs []*filter.Compare) bool {
	for _, pr := range pairs {
		k, ok := scim.FindKey(m, pr.Path.Attr)
		if !ok || !strings.EqualFold(valueText(m[k]), valueText(pr.Value)) {
			return false
		}
	}
	return true
}

// readPath returns the value at p in a resource read from the target, and
// whether there is one (null and "" count as none).
func readPath(rt *scim.ResourceType, doc scim.Resource, p filter.Path) (any, bool) {
	v, def := rt.Find(doc, p.URI, p.Attr)
	if v == nil {
		return nil, false
	}
	if p.Filter != nil {
		arr, ok := v.([]any)
		if !ok {
			return nil, false
		}
		for _, e := range arr {
			if !filter.MatchValue(p.Filter, def, e) {
				continue
			}
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			sub := p.Sub
			if sub == "" {
				sub = "value"
			}
			k, ok := scim.FindKey(m, sub)
			if !ok || m[k] == nil || m[k] == "" {
				return nil, false
			}
			return m[k], true
		}
		return nil, false
	}
	if p.Sub != "" {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		k, ok := scim.FindKey(m, p.Sub)
		if !ok || m[k] == nil || m[k] == "" {
			return nil, false
		}
		return m[k], true
	}
	if v == "" {
		return nil, false
	}
	return v, true
}

// valueText renders a JSON value for comparison with a mapped string.
func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return boolText(v)
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case map[string]any:
		if k, ok := scim.FindKey(v, "value"); ok {
			return valueText(v[k])
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// parseBoolText reads "True"/"False" in any case; anything else is false.
func parseBoolText(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "true") }

// change is one attribute to send in an update PATCH.
type change struct {
	r   *rule
	v   string
	add bool // the target had no value: Add rather than Replace
}

// diff compares the mapped values with the target's current resource and
// returns what differs (reference §4.1: only differing attributes are
// sent). Empty source values are skipped, not removed: Entra does not
// provision nulls. The manager is handled by the reference pass.
// onCreate mappings are left out of updates.
func diff(rt *scim.ResourceType, values []value, cur scim.Resource) []change {
	var out []change
	for _, v := range values {
		if v.v == "" || v.r.isManager || v.r.Apply == ApplyOnCreate {
			continue
		}
		got, present := readPath(rt, cur, v.r.path)
		if v.r.isActive {
			if present && parseBoolText(valueText(got)) == parseBoolText(v.v) {
				continue
			}
		} else if present && valueText(got) == v.v {
			continue
		}
		out = append(out, change{r: v.r, v: v.v, add: !present})
	}
	return out
}
