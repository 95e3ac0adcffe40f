package filter

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// Filter is a parsed filter checked against a resource type, ready to
// match resources. It is immutable and safe for concurrent use.
type Filter struct {
	expr Expr
	rt   *scim.ResourceType
}

// New parses a filter and checks it against rt (nil skips the schema
// checks): value filters only on multi-valued attributes, no ordering or
// substring comparisons on booleans, complex attributes compared through
// a sub-attribute, values of the attribute's type. Errors wrap
// scim.ErrInvalidFilter and say what is wrong and where. Attributes the
// schema does not define are allowed (they may be custom extension
// attributes) and compare as case-insensitive strings.
func New(text string, rt *scim.ResourceType) (*Filter, error) {
	e, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if err := check(e, rt, nil); err != nil {
		return nil, err
	}
	return &Filter{expr: e, rt: rt}, nil
}

// Expr returns the parsed expression.
func (f *Filter) Expr() Expr { return f.expr }

// String renders the filter in canonical syntax.
func (f *Filter) String() string { return f.expr.String() }

// Match reports whether r matches the filter. Strings of caseExact=false
// attributes (userName, emails, displayName...) compare ignoring case; a
// comparison on a multi-valued attribute is true when any value satisfies
// it; a complex multi-valued attribute without a sub-attribute compares
// its "value" sub-attribute (RFC 7644 §3.4.2.2).
func (f *Filter) Match(r scim.Resource) bool {
	return eval(f.expr, docScope{rt: f.rt, doc: r})
}

// MatchValue reports whether one element of a multi-valued attribute
// (described by attr, which may be nil) matches a value filter such as the
// type eq "work" of emails[type eq "work"]. Package patch uses it to select
// the elements an operation targets.
func MatchValue(e Expr, attr *scim.Attribute, elem any) bool {
	return eval(e, elemScope{attr: attr, elem: elem})
}

// item is one value reached by a path, with its definition (nil when the
// schema does not define it).
type item struct {
	v   any
	def *scim.Attribute
}

type scope interface {
	values(p Path) []item
}

type docScope struct {
	rt  *scim.ResourceType
	doc map[string]any
}

func (s docScope) values(p Path) []item {
	v, def := s.rt.Find(s.doc, p.URI, p.Attr)
	return expand(v, def, p)
}

type elemScope struct {
	attr *scim.Attribute
	elem any
}

func (s elemScope) values(p Path) []item {
	m, ok := s.elem.(map[string]any)
	if !ok {
		// A simple multi-valued attribute: "value" is the element itself.
		if strings.EqualFold(p.Attr, "value") && p.Sub == "" && p.Filter == nil {
			return []item{{v: s.elem, def: single(s.attr)}}
		}
		return nil
	}
	var def *scim.Attribute
	if s.attr != nil {
		def = s.attr.Sub(p.Attr)
	}
	k, ok := scim.FindKey(m, p.Attr)
	if !ok {
		return nil
	}
	return expand(m[k], def, p)
}

// single returns the definition of one element of a multi-valued
// attribute.
func single(a *scim.Attribute) *scim.Attribute {
	if a == nil || !a.MultiValued {
		return a
	}
	s := *a
	s.MultiValued = false
	return &s
}

// expand applies a path's value filter and sub-attribute to the value v
// of its attribute.
func expand(v any, def *scim.Attribute, p Path) []item {
	if v == nil {
		return nil
	}
	var elems []any
	if arr, ok := v.([]any); ok {
		elems = arr
	} else {
		elems = []any{v}
	}
	edef := single(def)
	if p.Filter != nil {
		kept := elems[:0:0]
		for _, e := range elems {
			if MatchValue(p.Filter, def, e) {
				kept = append(kept, e)
			}
		}
		elems = kept
	}
	if p.Sub == "" {
		out := make([]item, 0, len(elems))
		for _, e := range elems {
			out = append(out, item{v: e, def: edef})
		}
		return out
	}
	var sdef *scim.Attribute
	if edef != nil {
		sdef = edef.Sub(p.Sub)
	}
	var out []item
	for _, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if k, ok := scim.FindKey(m, p.Sub); ok && m[k] != nil {
			if arr, ok := m[k].([]any); ok {
				for _, x := range arr {
					out = append(out, item{v: x, def: sdef})
				}
			} else {
				out = append(out, item{v: m[k], def: sdef})
			}
		}
	}
	return out
}

func eval(e Expr, s scope) bool {
	switch e := e.(type) {
	case *Logical:
		if e.Or {
			return eval(e.Left, s) || eval(e.Right, s)
		}
		return eval(e.Left, s) && eval(e.Right, s)
	case *Not:
		return !eval(e.X, s)
	case *ValuePath:
		return len(s.values(Path{URI: e.Path.URI, Attr: e.Path.Attr, Filter: e.Path.Filter})) > 0
	case *Compare:
		return compareAll(e, s.values(e.Path))
	}
	return false
}

func compareAll(c *Compare, items []item) bool {
	switch {
	case c.Op == Pr || c.Op == Eq && c.Value == nil:
		present := false
		for _, it := range items {
			if !scim.IsUnassigned(it.v) {
				present = true
				break
			}
		}
		return present == (c.Op == Pr)
	case c.Op == Ne:
		if c.Value == nil {
			return compareAll(&Compare{Path: c.Path, Op: Pr}, items)
		}
		return !compareAll(&Compare{Path: c.Path, Op: Eq, Value: c.Value}, items)
	}
	for _, it := range items {
		if compareOne(c.Op, it, c.Value) {
			return true
		}
	}
	return false
}

// compareOne compares one attribute value with a filter literal.
func compareOne(op Operator, it item, want any) bool {
	v, def := it.v, it.def
	if m, ok := v.(map[string]any); ok {
		// A complex value without a sub-attribute compares its "value".
		k, ok := scim.FindKey(m, "value")
		if !ok {
			return false
		}
		v = m[k]
		if def != nil {
			def = def.Sub("value")
		}
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if compareOne(op, item{v: e, def: def}, want) {
				return true
			}
		}
		return false
	}
	caseExact := def != nil && def.CaseExact
	switch w := want.(type) {
	case string:
		switch a := v.(type) {
		case string:
			if def != nil && def.Type == scim.TypeDateTime {
				if r, ok := compareTimes(a, w); ok {
					return ordered(op, r)
				}
			}
			return compareStrings(op, a, w, caseExact)
		case bool:
			b, ok := parseBool(w)
			return ok && op == Eq && a == b
		}
	case bool:
		switch a := v.(type) {
		case bool:
			return op == Eq && a == w
		case string:
			b, ok := parseBool(a)
			return ok && op == Eq && b == w
		}
	case json.Number:
		if a, ok := v.(json.Number); ok {
			return ordered(op, compareNumbers(a, w))
		}
	}
	return false
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func compareStrings(op Operator, a, w string, caseExact bool) bool {
	if !caseExact {
		a, w = scim.FoldKey(a), scim.FoldKey(w)
	}
	switch op {
	case Co:
		return strings.Contains(a, w)
	case Sw:
		return strings.HasPrefix(a, w)
	case Ew:
		return strings.HasSuffix(a, w)
	}
	return ordered(op, strings.Compare(a, w))
}

// ordered turns a three-way comparison into the operator's answer.
func ordered(op Operator, r int) bool {
	switch op {
	case Eq:
		return r == 0
	case Gt:
		return r > 0
	case Ge:
		return r >= 0
	case Lt:
		return r < 0
	case Le:
		return r <= 0
	}
	return false
}

func compareTimes(a, w string) (int, bool) {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tw, err2 := time.Parse(time.RFC3339Nano, w)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return ta.Compare(tw), true
}

// compareNumbers compares exactly when both are integers that fit int64,
// and as float64 otherwise (never allocating for huge exponents).
func compareNumbers(a, w json.Number) int {
	ia, err1 := strconv.ParseInt(a.String(), 10, 64)
	iw, err2 := strconv.ParseInt(w.String(), 10, 64)
	if err1 == nil && err2 == nil {
		switch {
		case ia < iw:
			return -1
		case ia > iw:
			return 1
		}
		return 0
	}
	fa, _ := strconv.ParseFloat(a.String(), 64)
	fw, _ := strconv.ParseFloat(w.String(), 64)
	switch {
	case fa < fw:
		return -1
	case fa > fw:
		return 1
	}
	return 0
}
