package filter

import (
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// Term is an equality every resource matching a filter satisfies: the
// attribute Attr has a value equal to Value. A server with an index on Attr
// can fetch the candidates for Value and then run Match on them instead of
// scanning every resource.
type Term struct {
	// Attr is the attribute's canonical path: the schema's spelling
	// ("userName" for USERNAME), sub-attributes dotted ("emails.value",
	// "name.givenName"), extension attributes qualified with their URN
	// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber").
	// Attributes the schema does not define keep the filter's spelling.
	Attr string
	// Value is a string, bool or json.Number.
	Value any
	// CaseExact is false when strings compare ignoring case, so an index
	// lookup must use scim.FoldKey of both sides.
	CaseExact bool
}

// Terms returns the equality terms the filter requires: the "eq"
// comparisons joined to the rest by "and" at the top level, including the
// tests inside a value path. userName eq "x" and externalId eq "y" gives
// two terms; emails[type eq "work"].value eq "x" gives emails.value = x and
// emails.type = work; a filter with "or" or "not" at the top gives none.
// Matching resources satisfy every term, but not every resource satisfying
// the terms matches, so candidates must still go through Match.
func (f *Filter) Terms() []Term {
	var out []Term
	for _, c := range conjuncts(f.expr) {
		switch c := c.(type) {
		case *Compare:
			out = append(out, f.compareTerms(c)...)
		case *ValuePath:
			out = append(out, f.filterTerms(c.Path)...)
		}
	}
	return out
}

// Equal returns the string value the filter requires attr to equal (attr
// in canonical form, compared ignoring case), for the common index lookup
// "userName eq X". ok is false if no top-level term tests attr with a
// string.
func (f *Filter) Equal(attr string) (value string, ok bool) {
	for _, t := range f.Terms() {
		if s, isStr := t.Value.(string); isStr && strings.EqualFold(t.Attr, attr) {
			return s, true
		}
	}
	return "", false
}

func conjuncts(e Expr) []Expr {
	if l, ok := e.(*Logical); ok && !l.Or {
		return append(conjuncts(l.Left), conjuncts(l.Right)...)
	}
	return []Expr{e}
}

func (f *Filter) compareTerms(c *Compare) []Term {
	if c.Op != Eq || c.Value == nil {
		return nil
	}
	name, def := f.canonical(c.Path.URI, c.Path.Attr)
	var out []Term
	if c.Path.Filter != nil {
		out = f.filterTerms(c.Path)
	}
	if c.Path.Sub != "" {
		sub := c.Path.Sub
		if def != nil {
			def = def.Sub(sub)
			if def != nil {
				sub = def.Name
			}
		}
		name += "." + sub
	} else if def != nil && def.Type == scim.TypeComplex {
		if def.Sub("value") == nil {
			return out
		}
		name += ".value"
		def = def.Sub("value")
	}
	return append([]Term{{Attr: name, Value: c.Value, CaseExact: def != nil && def.CaseExact}}, out...)
}

// filterTerms returns the equality tests inside a value path's filter.
func (f *Filter) filterTerms(p Path) []Term {
	name, def := f.canonical(p.URI, p.Attr)
	var out []Term
	for _, c := range conjuncts(p.Filter) {
		cmp, ok := c.(*Compare)
		if !ok || cmp.Op != Eq || cmp.Value == nil || cmp.Path.Sub != "" {
			continue
		}
		sub, sdef := cmp.Path.Attr, (*scim.Attribute)(nil)
		if def != nil {
			if sdef = def.Sub(sub); sdef != nil {
				sub = sdef.Name
			}
		}
		out = append(out, Term{Attr: name + "." + sub, Value: cmp.Value, CaseExact: sdef != nil && sdef.CaseExact})
	}
	return out
}

// canonical returns the canonical name of a top-level attribute and its
// definition.
func (f *Filter) canonical(uri, attr string) (string, *scim.Attribute) {
	def, ext := f.rt.Lookup(uri, attr)
	if def == nil {
		if uri != "" {
			return uri + ":" + attr, nil
		}
		return attr, nil
	}
	if ext != "" {
		return ext + ":" + def.Name, def
	}
	return def.Name, def
}
