package patch

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/filter"
)

// Apply applies req's operations in order to a copy of r and returns the
// copy and whether anything changed (so a server can leave
// meta.lastModified alone for a no-op, RFC 7644 §3.5.2). It is all or
// nothing: on error r is untouched and nothing is returned. r itself is
// never modified, and the result shares no memory with r or req.
//
// Attributes the operations do not touch keep their exact values and
// names; new attributes take the case the client wrote them in; existing
// ones keep the case they were stored with. The result of a failed
// operation is an *OpError. A nil rt applies without a schema: every
// attribute is treated as unknown and stored as sent.
func Apply(rt *scim.ResourceType, r scim.Resource, req scim.PatchOp) (scim.Resource, bool, error) {
	if rt == nil {
		rt = &scim.ResourceType{Schema: &scim.Schema{}}
	}
	a := &applier{rt: rt, doc: r.Clone(), had: map[string]bool{}}
	if a.doc == nil {
		a.doc = scim.Resource{}
	}
	for _, ext := range rt.Extensions {
		if _, ok := scim.FindKey(a.doc, ext.ID); ok {
			a.had[ext.ID] = true
		}
	}
	for i, op := range req.Operations {
		if err := a.apply(op); err != nil {
			return nil, false, &OpError{Index: i, Op: op.Op, Path: op.Path, Err: err}
		}
		if err := rt.CheckRequired(a.doc); err != nil {
			return nil, false, &OpError{Index: i, Op: op.Op, Path: op.Path, Err: err}
		}
	}
	a.listExtensions()
	changed := !reflect.DeepEqual(map[string]any(a.doc), map[string]any(r))
	return a.doc, changed, nil
}

// ApplyJSON parses a PATCH body and applies it, as ParsePatchOp and Apply
// do.
func ApplyJSON(rt *scim.ResourceType, r scim.Resource, body []byte) (scim.Resource, bool, error) {
	req, err := scim.ParsePatchOp(body)
	if err != nil {
		return nil, false, err
	}
	return Apply(rt, r, req)
}

type applier struct {
	rt  *scim.ResourceType
	doc scim.Resource
	// had records the extensions present before the request, so only the
	// ones it creates are added to schemas.
	had map[string]bool
}

// listExtensions adds to schemas the URN of each known extension the
// request created, as RFC 7643 §3 wants schemas to list the extensions in
// use.
func (a *applier) listExtensions() {
	k, ok := scim.FindKey(a.doc, "schemas")
	if !ok {
		return
	}
	list, ok := a.doc[k].([]any)
	if !ok {
		return
	}
	for _, ext := range a.rt.Extensions {
		if _, present := scim.FindKey(a.doc, ext.ID); !present || a.had[ext.ID] || a.doc.HasSchema(ext.ID) {
			continue
		}
		list = append(list, ext.ID)
	}
	a.doc[k] = list
}

func (a *applier) apply(op scim.Operation) error {
	kind := op.Kind()
	if kind == scim.OpInvalid {
		return fmt.Errorf("%w: op %q is not add, replace or remove", scim.ErrInvalidSyntax, op.Op)
	}
	value := scim.CloneValue(op.Value)
	if strings.TrimSpace(op.Path) == "" {
		if kind == scim.OpRemove {
			return fmt.Errorf("%w: remove needs a path naming what to remove", scim.ErrNoTarget)
		}
		m, ok := value.(map[string]any)
		if !ok {
			return fmt.Errorf("%w: %s without a path needs a value object of attributes, got %s", scim.ErrInvalidValue, kind, kindOf(value))
		}
		return a.applyPathless(kind, m)
	}
	p, err := filter.ParsePath(strings.TrimSpace(op.Path))
	if err != nil {
		return err
	}
	if kind == scim.OpAdd && value == nil {
		return fmt.Errorf("%w: add needs a value", scim.ErrInvalidValue)
	}
	return a.applyPath(kind, p, value)
}

// applyPathless applies a path-less add or replace: each key of the value
// object is an attribute, a dotted sub-attribute ("name.givenName"), a
// URN-qualified attribute, or an extension URN holding an object of its
// attributes. Keys are taken in sorted order so the outcome never depends
// on map order.
func (a *applier) applyPathless(kind scim.OpKind, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		if strings.EqualFold(k, "schemas") || strings.EqualFold(k, "meta") {
			continue // RFC 7643 §3.1: clients do not set these
		}
		if ext := a.rt.Extension(k); ext != nil {
			if err := a.applyContainer(kind, ext.ID, v); err != nil {
				return err
			}
			continue
		}
		p, err := filter.ParsePath(k)
		if err != nil {
			return fmt.Errorf("value key %q: %w", k, err)
		}
		if a.isUnknownContainer(p, v) {
			if err := a.applyContainer(kind, p.URI+":"+p.Attr, v); err != nil {
				return err
			}
			continue
		}
		if err := a.applyPath(kind, p, v); err != nil {
			return err
		}
	}
	return nil
}

// isUnknownContainer decides whether a URN-qualified key names an
// extension the schema does not know (its value an object of attributes)
// rather than an attribute inside one.
func (a *applier) isUnknownContainer(p filter.Path, v any) bool {
	if p.URI == "" || p.Sub != "" || p.Filter != nil || a.rt.IsCore(p.URI) || a.rt.Extension(p.URI) != nil {
		return false
	}
	if _, ok := scim.FindKey(a.doc, p.URI); ok {
		return false
	}
	if _, ok := scim.FindKey(a.doc, p.URI+":"+p.Attr); ok {
		return true
	}
	_, isObj := v.(map[string]any)
	return isObj && strings.HasPrefix(strings.ToLower(p.URI), "urn:")
}

// applyContainer applies an add or replace whose value is an object of an
// extension's attributes, or a remove of the whole extension.
func (a *applier) applyContainer(kind scim.OpKind, urn string, v any) error {
	if kind == scim.OpRemove || v == nil {
		a.doc.Delete(urn)
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%w: %s must be an object of its attributes, got %s", scim.ErrInvalidValue, urn, kindOf(v))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p, err := filter.ParsePath(k)
		if err != nil {
			return fmt.Errorf("%s key %q: %w", urn, k, err)
		}
		if p.URI != "" {
			return fmt.Errorf("%w: %s key %q must be an attribute name, not a qualified path", scim.ErrInvalidPath, urn, k)
		}
		p.URI = urn
		if err := a.applyPath(kind, p, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// target is where an operation's attribute lives.
type target struct {
	container map[string]any // the resource, or an extension object
	ext       string         // the extension's key in the resource, "" for top level
	key       string         // the attribute's key in container (existing case, or as written)
	def       *scim.Attribute
	name      string // the path as written, for messages
}

func (a *applier) applyPath(kind scim.OpKind, p filter.Path, v any) error {
	// A path naming an extension itself: "urn:...:enterprise:2.0:User",
	// or its attribute in the pre-2018 dotted form "urn:...:User.department".
	if p.URI != "" && p.Filter == nil {
		full := p.URI + ":" + p.Attr
		if a.rt.IsCore(full) {
			return fmt.Errorf("%w: %s is the core schema, not an attribute; name an attribute, or leave the path out to address the whole resource", scim.ErrInvalidPath, full)
		}
		if ext := a.rt.Extension(full); ext != nil {
			if p.Sub == "" {
				return a.applyContainer(kind, ext.ID, v)
			}
			p = filter.Path{URI: ext.ID, Attr: p.Sub}
		} else if _, ok := scim.FindKey(a.doc, full); ok && p.Sub == "" && !a.rt.IsCore(p.URI) {
			return a.applyContainer(kind, full, v)
		}
	}
	def, ext := a.rt.Lookup(p.URI, p.Attr)
	if ext == "" && (strings.EqualFold(p.Attr, "meta") || strings.EqualFold(p.Attr, "schemas")) {
		return nil // set by the server; ignored in requests
	}
	t := target{def: def, ext: ext, name: p.String()}
	if err := a.checkMutability(kind, p, def, v); err != nil || isSameID(a.doc, p, def, v) {
		return err
	}
	if ext == "" {
		t.container = a.doc
	} else {
		k, ok := scim.FindKey(a.doc, ext)
		switch {
		case ok:
			m, isMap := a.doc[k].(map[string]any)
			if !isMap {
				return fmt.Errorf("%w: the stored %s is %s, not an object of its attributes", scim.ErrInvalidPath, ext, kindOf(a.doc[k]))
			}
			t.container, t.ext = m, k
		case kind == scim.OpRemove:
			return nil // removing from an absent extension: nothing to do
		default:
			t.container, t.ext = map[string]any{}, ext
			a.doc[ext] = t.container
		}
	}
	t.key = p.Attr
	if k, ok := scim.FindKey(t.container, p.Attr); ok {
		t.key = k
	}
	var err error
	switch {
	case p.Filter != nil:
		err = a.applyFiltered(kind, t, p, v)
	case p.Sub != "":
		err = a.applySub(kind, t, p.Sub, v)
	default:
		err = a.applyWhole(kind, t, v)
	}
	if t.ext != "" && len(t.container) == 0 {
		delete(a.doc, t.ext)
	}
	return err
}

// checkMutability refuses writes to read-only attributes. id may be
// "replaced" with its own value (clients echo it); meta never reaches here.
func (a *applier) checkMutability(kind scim.OpKind, p filter.Path, def *scim.Attribute, v any) error {
	if def == nil {
		return nil
	}
	sub := def
	if p.Sub != "" {
		if s := def.Sub(p.Sub); s != nil {
			sub = s
		}
	}
	if def.Mutability != scim.ReadOnly && sub.Mutability != scim.ReadOnly {
		return nil
	}
	if strings.EqualFold(def.Name, "id") {
		if isSameID(a.doc, p, def, v) && kind != scim.OpRemove {
			return nil
		}
		return fmt.Errorf("%w: id is assigned by the service provider and cannot be changed or removed", scim.ErrMutability)
	}
	return fmt.Errorf("%w: %s is read-only", scim.ErrMutability, p)
}

func isSameID(doc scim.Resource, p filter.Path, def *scim.Attribute, v any) bool {
	s, ok := v.(string)
	return ok && def != nil && strings.EqualFold(def.Name, "id") && p.Sub == "" && p.Filter == nil && p.URI == "" && s == doc.ID()
}

// isMulti reports whether the target is multi-valued: by schema, or for an
// attribute the schema does not know, by the stored or new value's shape.
func isMulti(def *scim.Attribute, cur, v any) bool {
	if def != nil {
		return def.MultiValued
	}
	_, curArr := cur.([]any)
	_, vArr := v.([]any)
	return curArr || cur == nil && vArr
}

func isComplex(def *scim.Attribute, cur, v any) bool {
	if def != nil {
		return def.Type == scim.TypeComplex
	}
	_, curMap := cur.(map[string]any)
	_, vMap := v.(map[string]any)
	return curMap && vMap
}

// applyWhole handles a path naming a whole attribute.
func (a *applier) applyWhole(kind scim.OpKind, t target, v any) error {
	cur, exists := t.container[t.key]
	multi := isMulti(t.def, cur, v)
	if kind == scim.OpRemove {
		if !exists {
			return nil
		}
		if v != nil && multi {
			return a.removeValues(t, v)
		}
		delete(t.container, t.key)
		return nil
	}
	switch {
	case multi:
		return a.writeMulti(kind, t, v)
	case isComplex(t.def, cur, v):
		return a.writeComplex(t, v)
	}
	nv, err := scim.NormalizeValue(t.def, t.name, v)
	if err != nil {
		return err
	}
	setOrDelete(t.container, t.key, nv)
	return nil
}

// writeMulti adds values to a multi-valued attribute, or replaces them all.
func (a *applier) writeMulti(kind scim.OpKind, t target, v any) error {
	arr, ok := v.([]any)
	if !ok {
		if v == nil {
			delete(t.container, t.key)
			return nil
		}
		arr = []any{v}
	}
	nv, err := scim.NormalizeValue(t.def, t.name, arr)
	if err != nil {
		return err
	}
	added, _ := nv.([]any)
	if t.def == nil {
		added = arr
	}
	var list []any
	if kind == scim.OpAdd {
		list, _ = t.container[t.key].([]any)
		list = slices.Clone(list)
	}
	var touched []int
	for _, e := range added {
		if i := indexOf(list, e, t.def); i >= 0 {
			continue // already there: add is a no-op (RFC 7644 §3.5.2.1)
		}
		list = append(list, e)
		touched = append(touched, len(list)-1)
	}
	if len(list) == 0 {
		delete(t.container, t.key)
		return nil
	}
	onePrimary(list, touched)
	t.container[t.key] = list
	return nil
}

// indexOf finds a value already in list: a member with the same value, or
// an equal element.
func indexOf(list []any, e any, def *scim.Attribute) int {
	byValue := def != nil && (strings.EqualFold(def.Name, "members") || strings.EqualFold(def.Name, "groups"))
	for i, x := range list {
		if byValue {
			if id, ok := valueOf(e); ok {
				if xid, ok := valueOf(x); ok && xid == id {
					return i
				}
				continue
			}
		}
		if reflect.DeepEqual(x, e) {
			return i
		}
	}
	return -1
}

func valueOf(e any) (string, bool) {
	m, ok := e.(map[string]any)
	if !ok {
		return "", false
	}
	k, ok := scim.FindKey(m, "value")
	if !ok {
		return "", false
	}
	s, ok := m[k].(string)
	return s, ok
}

// onePrimary keeps "primary": true on at most one element (RFC 7643 §2.4):
// if an element just written is primary, the others stop being primary.
func onePrimary(list []any, touched []int) {
	winner := -1
	for _, i := range touched {
		if isPrimary(list[i]) {
			winner = i
		}
	}
	if winner < 0 {
		return
	}
	for i, e := range list {
		if i == winner || !isPrimary(e) {
			continue
		}
		m := e.(map[string]any)
		k, _ := scim.FindKey(m, "primary")
		m[k] = false
	}
}

func isPrimary(e any) bool {
	m, ok := e.(map[string]any)
	if !ok {
		return false
	}
	k, ok := scim.FindKey(m, "primary")
	b, _ := m[k].(bool)
	return ok && b
}

// removeValues removes the given elements from a multi-valued attribute:
// Entra's default dialect removes members with
// {"op":"Remove","path":"members","value":[{"value":"id"}]}. An element
// is removed when it has every sub-attribute the given one names, with
// the same value.
func (a *applier) removeValues(t target, v any) error {
	given, ok := v.([]any)
	if !ok {
		given = []any{v}
	}
	list, ok := t.container[t.key].([]any)
	if !ok {
		return nil
	}
	single := t.def
	if single != nil {
		s := *single
		s.MultiValued = false
		single = &s
	}
	var pats []any
	for i, g := range given {
		ng, err := scim.NormalizeValue(single, fmt.Sprintf("%s value[%d]", t.name, i), g)
		if err != nil {
			return err
		}
		if ng == nil {
			return fmt.Errorf("%w: %s value[%d] names nothing to remove; give e.g. {\"value\": \"<id>\"}", scim.ErrInvalidValue, t.name, i)
		}
		pats = append(pats, ng)
	}
	kept := list[:0:0]
	for _, e := range list {
		if !slices.ContainsFunc(pats, func(p any) bool { return covers(e, p, single) }) {
			kept = append(kept, e)
		}
	}
	setOrDelete(t.container, t.key, nonEmpty(kept))
	return nil
}

// covers reports whether element e has every sub-attribute of pattern p
// with an equal value (strings compared as the schema says).
func covers(e, p any, def *scim.Attribute) bool {
	pm, ok := p.(map[string]any)
	if !ok {
		return reflect.DeepEqual(e, p)
	}
	em, ok := e.(map[string]any)
	if !ok {
		return false
	}
	for k, pv := range pm {
		ek, ok := scim.FindKey(em, k)
		if !ok {
			return false
		}
		ps, pIsStr := pv.(string)
		es, eIsStr := em[ek].(string)
		if pIsStr && eIsStr {
			sub := def.Sub(k)
			if sub != nil && sub.CaseExact && ps != es || (sub == nil || !sub.CaseExact) && !strings.EqualFold(ps, es) {
				return false
			}
			continue
		}
		if !reflect.DeepEqual(em[ek], pv) {
			return false
		}
	}
	return true
}

// writeComplex adds or replaces sub-attributes of a single-valued complex
// attribute: those given change, the others stay (RFC 7644 §3.5.2.3); a
// sub-attribute given as "" or null is cleared. A reference such as
// manager, whose new value carries "value" (or is a bare id string), is
// replaced whole so no stale $ref or displayName survives.
func (a *applier) writeComplex(t target, v any) error {
	raw, isMap := v.(map[string]any)
	if !isMap {
		nv, err := scim.NormalizeValue(t.def, t.name, v)
		if err != nil {
			return err
		}
		if _, ok := nv.(map[string]any); !ok && nv != nil {
			return fmt.Errorf("%w: %s is complex and needs an object of sub-attributes, got %s", scim.ErrInvalidValue, t.name, kindOf(v))
		}
		setOrDelete(t.container, t.key, nv)
		return nil
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// NormalizeValue drops "" and null sub-attributes from raw in place.
	nv, err := scim.NormalizeValue(t.def, t.name, raw)
	if err != nil {
		return err
	}
	m, _ := nv.(map[string]any)
	cur, _ := t.container[t.key].(map[string]any)
	if cur == nil {
		setOrDelete(t.container, t.key, nv)
		return nil
	}
	if _, hasValue := scim.FindKey(m, "value"); hasValue && t.def.Sub("value") != nil {
		t.container[t.key] = m
		return nil
	}
	for _, k := range keys {
		setSub(cur, k, m[k])
	}
	a.dropEmptyReference(t, cur)
	return nil
}

// dropEmptyReference removes a complex attribute left empty, or a
// reference (manager) left without its value.
func (a *applier) dropEmptyReference(t target, cur map[string]any) {
	_, hasValue := scim.FindKey(cur, "value")
	if len(cur) == 0 || !hasValue && t.def != nil && t.def.Sub("value") != nil {
		delete(t.container, t.key)
	}
}

// applySub handles name.givenName, manager.value, or emails.value (every
// element of a multi-valued attribute).
func (a *applier) applySub(kind scim.OpKind, t target, sub string, v any) error {
	if t.def != nil && t.def.Type != scim.TypeComplex {
		return fmt.Errorf("%w: %s has no sub-attributes", scim.ErrInvalidPath, t.def.Name)
	}
	var sdef *scim.Attribute
	if t.def != nil {
		sdef = t.def.Sub(sub)
	}
	cur, exists := t.container[t.key]
	if kind == scim.OpRemove && !exists {
		return nil
	}
	var nv any
	if kind != scim.OpRemove {
		var err error
		if nv, err = scim.NormalizeValue(sdef, t.name, v); err != nil {
			return err
		}
	}
	if list, ok := cur.([]any); ok || isMulti(t.def, cur, nil) {
		if len(list) == 0 {
			if nv != nil {
				t.container[t.key] = []any{map[string]any{sub: nv}}
			}
			return nil
		}
		list = slices.Clone(list)
		for i, e := range list {
			if m, ok := e.(map[string]any); ok {
				list[i] = setSub(m, sub, nv)
			}
		}
		setOrDelete(t.container, t.key, nonEmpty(dropHollow(list)))
		return nil
	}
	m, ok := cur.(map[string]any)
	if exists && !ok {
		return fmt.Errorf("%w: the stored %s is %s, which has no sub-attributes", scim.ErrInvalidPath, t.key, kindOf(cur))
	}
	if m == nil {
		if nv == nil {
			return nil
		}
		m = map[string]any{}
		t.container[t.key] = m
	}
	setSub(m, sub, nv)
	a.dropEmptyReference(t, m)
	return nil
}

// setSub sets (nv non-nil) or removes a sub-attribute, keeping the stored
// key's case.
func setSub(m map[string]any, sub string, nv any) map[string]any {
	if k, ok := scim.FindKey(m, sub); ok {
		sub = k
	}
	setOrDelete(m, sub, nv)
	return m
}

// applyFiltered handles a value path: emails[type eq "work"].value,
// members[value eq "id"], addresses[type eq "work"].formatted.
func (a *applier) applyFiltered(kind scim.OpKind, t target, p filter.Path, v any) error {
	if t.def != nil && !t.def.MultiValued {
		return fmt.Errorf("%w: %s is not multi-valued, so it cannot take a [...] filter", scim.ErrInvalidPath, t.def.Name)
	}
	if err := filter.CheckValueFilter(p.Filter, t.def); err != nil {
		return fmt.Errorf("%w: %v", scim.ErrInvalidPath, err)
	}
	cur, exists := t.container[t.key]
	list, ok := cur.([]any)
	if exists && !ok {
		return fmt.Errorf("%w: the stored %s is %s, not a list to filter", scim.ErrInvalidPath, t.key, kindOf(cur))
	}
	var matches []int
	for i, e := range list {
		if filter.MatchValue(p.Filter, t.def, e) {
			matches = append(matches, i)
		}
	}
	if kind == scim.OpRemove {
		if len(matches) == 0 {
			return nil
		}
		list = slices.Clone(list)
		kept := list[:0:0]
		for i, e := range list {
			switch {
			case !slices.Contains(matches, i):
				kept = append(kept, e)
			case p.Sub != "":
				if m, ok := e.(map[string]any); ok {
					kept = append(kept, setSub(m, p.Sub, nil))
				}
			}
		}
		setOrDelete(t.container, t.key, nonEmpty(dropHollow(kept)))
		return nil
	}
	elemDef := t.def
	if elemDef != nil {
		s := *elemDef
		s.MultiValued = false
		elemDef = &s
	}
	// The new content: one sub-attribute, or sub-attributes to merge.
	var subVal any
	var merge map[string]any
	if p.Sub != "" {
		var sdef *scim.Attribute
		if elemDef != nil {
			sdef = elemDef.Sub(p.Sub)
		}
		nv, err := scim.NormalizeValue(sdef, p.String(), v)
		if err != nil {
			return err
		}
		subVal = nv
	} else {
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("%w: %s selects whole elements, so the value must be an object of sub-attributes, got %s", scim.ErrInvalidValue, p, kindOf(v))
		}
		nv, err := scim.NormalizeValue(elemDef, p.String(), v)
		if err != nil {
			return err
		}
		if elemDef == nil {
			nv = v
		}
		merge, _ = nv.(map[string]any)
	}
	list = slices.Clone(list)
	if len(matches) == 0 {
		if p.Sub != "" && subVal == nil || p.Sub == "" && merge == nil {
			return nil // clearing something absent
		}
		pairs, ok := filter.Assignments(p.Filter)
		if !ok {
			return fmt.Errorf("%w: no element of %s matches [%s], and only a filter of \"eq\" tests joined by \"and\" tells the server what new element to create", scim.ErrNoTarget, p.Attr, p.Filter)
		}
		elem := map[string]any{}
		for _, c := range pairs {
			var sdef *scim.Attribute
			if elemDef != nil {
				sdef = elemDef.Sub(c.Path.Attr)
			}
			nv, err := scim.NormalizeValue(sdef, p.Attr+"."+c.Path.Attr, c.Value)
			if err != nil {
				return fmt.Errorf("the filter of %s: %w", p, err)
			}
			setSub(elem, c.Path.Attr, nv)
		}
		list = append(list, elem)
		matches = []int{len(list) - 1}
	}
	for _, i := range matches {
		m, ok := list[i].(map[string]any)
		if !ok {
			return fmt.Errorf("%w: element %d of %s is %s, not an object", scim.ErrInvalidPath, i, t.key, kindOf(list[i]))
		}
		if p.Sub != "" {
			setSub(m, p.Sub, subVal)
			continue
		}
		for k, sv := range merge {
			setSub(m, k, sv)
		}
	}
	onePrimary(list, matches)
	setOrDelete(t.container, t.key, nonEmpty(dropHollow(list)))
	return nil
}

// dropHollow removes elements left with nothing but type, primary or
// display after a sub-attribute was cleared: an e-mail entry without its
// address means nothing.
func dropHollow(list []any) []any {
	out := list[:0:0]
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			hollow := true
			for k := range m {
				if !strings.EqualFold(k, "type") && !strings.EqualFold(k, "primary") && !strings.EqualFold(k, "display") {
					hollow = false
					break
				}
			}
			if hollow {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// nonEmpty returns nil for an empty list, so the attribute is removed
// (RFC 7643 §2.5: an empty array is unassigned).
func nonEmpty(list []any) any {
	if len(list) == 0 {
		return nil
	}
	return list
}

func setOrDelete(m map[string]any, k string, v any) {
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a number"
}
