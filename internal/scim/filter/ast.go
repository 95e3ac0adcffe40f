package filter

import (
	"encoding/json"
	"strings"
)

// Operator is a comparison operator, always lower case.
type Operator string

// The comparison operators of RFC 7644 §3.4.2.2.
const (
	Eq Operator = "eq"
	Ne Operator = "ne"
	Co Operator = "co"
	Sw Operator = "sw"
	Ew Operator = "ew"
	Gt Operator = "gt"
	Ge Operator = "ge"
	Lt Operator = "lt"
	Le Operator = "le"
	Pr Operator = "pr"
)

func operator(word string) (Operator, bool) {
	switch op := Operator(strings.ToLower(word)); op {
	case Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le, Pr:
		return op, true
	}
	return "", false
}

// Path addresses an attribute: name.sub, urn:...:name, or a value path
// name[filter].sub. Names keep the case they were written in.
type Path struct {
	// URI is the schema URN prefix, "" when the name is unqualified.
	URI string
	// Attr is the attribute name.
	Attr string
	// Filter selects elements of a multi-valued attribute, nil if none.
	Filter Expr
	// Sub is the sub-attribute: givenName in name.givenName, value in
	// emails[type eq "work"].value; "" if none.
	Sub string
}

// String renders the path in filter syntax.
func (p Path) String() string {
	var b strings.Builder
	if p.URI != "" {
		b.WriteString(p.URI)
		b.WriteByte(':')
	}
	b.WriteString(p.Attr)
	if p.Filter != nil {
		b.WriteByte('[')
		b.WriteString(p.Filter.String())
		b.WriteByte(']')
	}
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// Expr is a filter expression: *Compare, *Logical, *Not or *ValuePath.
type Expr interface {
	// String renders the expression in filter syntax; parsing it gives an
	// equal expression.
	String() string
	expr()
}

// Compare is "path op value", or "path pr" (Value nil).
type Compare struct {
	Path Path
	Op   Operator
	// Value is a string, bool, json.Number or nil (null, or absent for pr).
	Value any
}

// Logical is "left and right" or "left or right".
type Logical struct {
	// Or is true for "or", false for "and".
	Or          bool
	Left, Right Expr
}

// Not is "not (x)".
type Not struct {
	X Expr
}

// ValuePath is a value path used as a condition, such as
// emails[type eq "work"]: true when some element matches the filter.
type ValuePath struct {
	Path Path
}

func (*Compare) expr()   {}
func (*Logical) expr()   {}
func (*Not) expr()       {}
func (*ValuePath) expr() {}

// String renders the comparison.
func (c *Compare) String() string {
	if c.Op == Pr {
		return c.Path.String() + " pr"
	}
	return c.Path.String() + " " + string(c.Op) + " " + literal(c.Value)
}

func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case json.Number:
		return v.String()
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// String renders the expression, parenthesising children so the tree
// parses back unchanged.
func (l *Logical) String() string {
	op := " and "
	if l.Or {
		op = " or "
	}
	return wrap(l.Left, l.Or, false) + op + wrap(l.Right, l.Or, true)
}

func wrap(e Expr, parentOr, right bool) string {
	if c, ok := e.(*Logical); ok {
		// "and" binds tighter than "or", and both associate to the left.
		if (!parentOr && c.Or) || (right && c.Or == parentOr) {
			return "(" + c.String() + ")"
		}
	}
	return e.String()
}

// String renders "not (x)".
func (n *Not) String() string { return "not (" + n.X.String() + ")" }

// String renders the value path.
func (v *ValuePath) String() string { return v.Path.String() }
