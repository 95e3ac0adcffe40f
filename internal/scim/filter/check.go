package filter

import (
	"encoding/json"
	"fmt"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// check walks a filter and reports comparisons the attributes cannot make.
// parent is nil at the top level and the multi-valued attribute inside a
// value filter.
func check(e Expr, rt *scim.ResourceType, parent *scim.Attribute) error {
	switch e := e.(type) {
	case *Logical:
		if err := check(e.Left, rt, parent); err != nil {
			return err
		}
		return check(e.Right, rt, parent)
	case *Not:
		return check(e.X, rt, parent)
	case *ValuePath:
		def := pathDef(rt, parent, e.Path)
		return checkValueFilter(e, e.Path, def, rt)
	case *Compare:
		def := pathDef(rt, parent, e.Path)
		if e.Path.Filter != nil {
			if err := checkValueFilter(e, e.Path, def, rt); err != nil {
				return err
			}
		}
		return checkCompare(e, def)
	}
	return nil
}

// CheckValueFilter checks a value filter against the multi-valued
// attribute it selects from (nil skips the schema checks), as New does for
// filters. Errors wrap scim.ErrInvalidFilter.
func CheckValueFilter(e Expr, attr *scim.Attribute) error {
	return check(e, nil, attr)
}

func pathDef(rt *scim.ResourceType, parent *scim.Attribute, p Path) *scim.Attribute {
	if parent != nil {
		return parent.Sub(p.Attr)
	}
	def, _ := rt.Lookup(p.URI, p.Attr)
	return def
}

func checkValueFilter(e Expr, p Path, def *scim.Attribute, rt *scim.ResourceType) error {
	if def != nil && !def.MultiValued {
		return &CheckError{Expr: e.String(), Msg: fmt.Sprintf("%s is not multi-valued; [...] filters select elements of multi-valued attributes such as emails", p.Attr)}
	}
	if def == nil {
		// Unknown attribute: still check the literals inside.
		return check(p.Filter, nil, &scim.Attribute{Name: p.Attr, Type: scim.TypeComplex, MultiValued: true})
	}
	return check(p.Filter, rt, def)
}

func checkCompare(c *Compare, def *scim.Attribute) error {
	name := c.Path.String()
	td := def
	if c.Path.Sub != "" && def != nil {
		if def.Type != scim.TypeComplex {
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s has no sub-attributes", def.Name)}
		}
		td = def.Sub(c.Path.Sub)
	}
	if td != nil && td.Type == scim.TypeComplex && c.Op != Pr {
		v := td.Sub("value")
		if v == nil {
			example := ""
			if len(td.SubAttributes) > 0 {
				example = fmt.Sprintf(", such as %s.%s", td.Name, td.SubAttributes[min(2, len(td.SubAttributes)-1)].Name)
			}
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s is complex; compare one of its sub-attributes%s", name, example)}
		}
		td = v
	}
	switch c.Op {
	case Pr:
		return nil
	case Co, Sw, Ew:
		if _, ok := c.Value.(string); !ok {
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s compares strings; give it a quoted string, not %s", c.Op, literal(c.Value))}
		}
		if td != nil && (td.Type == scim.TypeBoolean || td.Type == scim.TypeBinary) {
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s is a %s and cannot be compared with %s", name, td.Type, c.Op)}
		}
	case Gt, Ge, Lt, Le:
		switch c.Value.(type) {
		case bool, nil:
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s orders values; %s cannot be ordered", c.Op, literal(c.Value))}
		}
		if td != nil && (td.Type == scim.TypeBoolean || td.Type == scim.TypeBinary) {
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s is a %s and cannot be compared with %s", name, td.Type, c.Op)}
		}
	}
	if td == nil || c.Value == nil {
		return nil
	}
	switch td.Type {
	case scim.TypeBoolean:
		s, isStr := c.Value.(string)
		if _, ok := parseBool(s); !(isStr && ok) {
			if _, ok := c.Value.(bool); !ok {
				return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s is a boolean; compare it with true or false", name)}
			}
		}
	case scim.TypeInteger, scim.TypeDecimal:
		if _, ok := c.Value.(json.Number); !ok {
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s is a number; compare it with an unquoted number", name)}
		}
	default:
		if _, ok := c.Value.(string); !ok {
			return &CheckError{Expr: c.String(), Msg: fmt.Sprintf("%s is a %s; quote the value: %s %s \"%s\"", name, td.Type, name, c.Op, literal(c.Value))}
		}
	}
	return nil
}

// Assignments returns the attribute/value pairs of a value filter that is
// only equality tests joined by "and", such as type eq "work" (and
// primary eq true), in order. ok is false for any other filter. Package
// patch builds a new element from them when Entra addresses one that does
// not exist yet.
func Assignments(e Expr) (pairs []*Compare, ok bool) {
	switch e := e.(type) {
	case *Logical:
		if e.Or {
			return nil, false
		}
		l, ok1 := Assignments(e.Left)
		r, ok2 := Assignments(e.Right)
		return append(l, r...), ok1 && ok2
	case *Compare:
		if e.Op != Eq || e.Value == nil || e.Path.URI != "" || e.Path.Sub != "" || e.Path.Filter != nil {
			return nil, false
		}
		return []*Compare{e}, true
	}
	return nil, false
}
