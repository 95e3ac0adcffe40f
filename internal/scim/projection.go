package scim

import (
	"fmt"
	"net/url"
	"strings"
)

// Projection is a request's attributes or excludedAttributes parameter
// (RFC 7644 §3.4.2.5 and §3.9): which attributes of a resource to return.
// The zero value (neither parameter) returns the resource as it is.
//
// With attributes, only the named attributes are returned, plus those
// whose "returned" characteristic is "always" (RFC 7643 §7): id, and
// schemas, which says how to read the rest (RFC 7644 §3.9's example keeps
// it). With excludedAttributes, the named attributes are removed, except
// those always returned. Names ignore case and may be qualified with their
// schema URN ("urn:ietf:params:scim:schemas:core:2.0:User:userName",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
// or name a sub-attribute ("name.givenName", "emails.value", which applies
// to every email). A name the resource does not hold selects nothing.
// Filtering, sorting and paging see the whole resource; only what is sent
// back is projected.
type Projection struct {
	exclude bool
	names   []attrRef
}

// attrRef is one parsed attribute name: a top-level attribute (an
// extension's URN for a whole extension) and, when given, a sub-attribute.
type attrRef struct {
	top, sub string
}

// alwaysReturned are the attributes no projection removes.
var alwaysReturned = []string{"id", "schemas"}

// coreSchemas are the URNs that prefix core attribute names.
var coreSchemas = []string{SchemaUser, SchemaGroup}

// ParseProjection reads attributes and excludedAttributes (names ignore
// case, as all SCIM parameter names do). Both at once is 400
// invalidValue: RFC 7644 §3.9 makes them mutually exclusive.
func ParseProjection(q url.Values) (Projection, error) {
	attrs, hasAttrs := queryParam(q, "attributes")
	excl, hasExcl := queryParam(q, "excludedAttributes")
	switch {
	case hasAttrs && hasExcl:
		return Projection{}, fmt.Errorf("%w: attributes and excludedAttributes cannot be used together (RFC 7644 §3.9); send one of them", ErrInvalidValue)
	case hasAttrs:
		return Projection{names: parseAttrList(attrs)}, nil
	case hasExcl:
		return Projection{exclude: true, names: parseAttrList(excl)}, nil
	}
	return Projection{}, nil
}

func queryParam(q url.Values, name string) (string, bool) {
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return strings.Join(v, ","), true
		}
	}
	return "", false
}

func parseAttrList(s string) []attrRef {
	var out []attrRef
	for name := range strings.SplitSeq(s, ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, parseAttrRef(name))
		}
	}
	return out
}

// parseAttrRef splits a name into attribute and sub-attribute. A URN
// prefix is kept for the resource to resolve, because where an
// extension's URN ends and its attribute starts depends on the keys the
// resource holds; core URNs are dropped here.
func parseAttrRef(name string) attrRef {
	for _, urn := range coreSchemas {
		if len(name) > len(urn) && strings.EqualFold(name[:len(urn)+1], urn+":") {
			name = name[len(urn)+1:]
			break
		}
	}
	if strings.HasPrefix(strings.ToLower(name), "urn:") {
		return attrRef{top: name}
	}
	top, sub, _ := strings.Cut(name, ".")
	return attrRef{top: top, sub: sub}
}

// resolve finds ref's key in r and its sub-attribute, splitting an
// extension-qualified name on the longest URN key r holds.
func (ref attrRef) resolve(r Resource) (key, sub string, ok bool) {
	if !strings.HasPrefix(strings.ToLower(ref.top), "urn:") {
		key, ok = FindKey(r, ref.top)
		return key, ref.sub, ok
	}
	best := ""
	for k := range r {
		switch {
		case strings.EqualFold(k, ref.top):
			return k, "", true
		case len(ref.top) > len(k) && strings.EqualFold(ref.top[:len(k)+1], k+":") && len(k) > len(best):
			best = k
		}
	}
	if best == "" {
		return "", "", false
	}
	return best, ref.top[len(best)+1:], true
}

// IsZero reports whether the projection returns resources unchanged.
func (p Projection) IsZero() bool { return !p.exclude && p.names == nil }

// Apply returns the projected copy of r; r itself is not changed.
func (p Projection) Apply(r Resource) Resource {
	if p.IsZero() {
		return r
	}
	if p.exclude {
		out := r.Clone()
		for _, ref := range p.names {
			key, sub, ok := ref.resolve(out)
			if !ok || isAlways(key) {
				continue
			}
			if sub == "" {
				delete(out, key)
				continue
			}
			out[key] = withoutSub(out[key], sub)
		}
		return out
	}
	out := Resource{}
	for _, name := range alwaysReturned {
		if k, ok := FindKey(r, name); ok {
			out[k] = r[k]
		}
	}
	for _, ref := range p.names {
		key, sub, ok := ref.resolve(r)
		if !ok {
			continue
		}
		if sub == "" {
			out[key] = CloneValue(r[key])
			continue
		}
		if picked, ok := onlySub(r[key], sub); ok {
			out[key] = mergeSub(out[key], picked)
		}
	}
	return out
}

func isAlways(key string) bool {
	for _, a := range alwaysReturned {
		if strings.EqualFold(a, key) {
			return true
		}
	}
	return false
}

// onlySub keeps only sub in a complex value, or in each element of a
// multi-valued one. ok is false when the value holds no such
// sub-attribute.
func onlySub(v any, sub string) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		k, ok := FindKey(v, sub)
		if !ok {
			return nil, false
		}
		return map[string]any{k: CloneValue(v[k])}, true
	case []any:
		out := make([]any, 0, len(v))
		found := false
		for _, e := range v {
			m, isMap := e.(map[string]any)
			if !isMap {
				out = append(out, map[string]any{})
				continue
			}
			picked, ok := onlySub(m, sub)
			if !ok {
				picked = map[string]any{}
			}
			found = found || ok
			out = append(out, picked)
		}
		return out, found
	}
	return nil, false
}

// mergeSub adds the sub-attributes picked for one name to those already
// picked for another (name.givenName and name.familyName).
func mergeSub(have, add any) any {
	switch a := add.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return a
		}
		for k, v := range a {
			h[k] = v
		}
		return h
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(a) {
			return a
		}
		for i := range a {
			h[i] = mergeSub(h[i], a[i])
		}
		return h
	}
	return add
}

// withoutSub removes sub from a complex value, or from each element of a
// multi-valued one.
func withoutSub(v any, sub string) any {
	switch v := v.(type) {
	case map[string]any:
		if k, ok := FindKey(v, sub); ok {
			delete(v, k)
		}
		return v
	case []any:
		for _, e := range v {
			withoutSub(e, sub)
		}
		return v
	}
	return v
}
