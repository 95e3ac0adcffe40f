package provisioning

import (
	"fmt"
	"strings"
)

// expr is a mapping's source expression: an attribute, a string constant,
// or one of the two functions the default mappings use, Join and Switch.
// Entra's expression language has many more functions; these are enough
// for the defaults of a non-gallery app (reference §7) and for the edit
// admins most often make, lower-casing the Switch outputs of active.
type expr interface {
	eval(attrs func(string) (string, bool)) string
	String() string
}

type attrExpr struct{ name string }
type constExpr struct{ value string }
type joinExpr struct {
	sep  expr
	args []expr
}
type switchExpr struct {
	source, fallback expr
	pairs            [][2]expr
}

func (a attrExpr) eval(attrs func(string) (string, bool)) string {
	v, _ := attrs(a.name)
	return v
}
func (a attrExpr) String() string { return "[" + a.name + "]" }

func (c constExpr) eval(func(string) (string, bool)) string { return c.value }
func (c constExpr) String() string                          { return quoteExpr(c.value) }

// Join skips empty values, so Join(" ", [givenName], [surname]) of a user
// with no given name is "Doe", not " Doe".
func (j joinExpr) eval(attrs func(string) (string, bool)) string {
	var parts []string
	for _, a := range j.args {
		if v := a.eval(attrs); v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, j.sep.eval(attrs))
}
func (j joinExpr) String() string {
	s := "Join(" + j.sep.String()
	for _, a := range j.args {
		s += ", " + a.String()
	}
	return s + ")"
}

func (s switchExpr) eval(attrs func(string) (string, bool)) string {
	v := s.source.eval(attrs)
	for _, p := range s.pairs {
		if p[0].eval(attrs) == v {
			return p[1].eval(attrs)
		}
	}
	return s.fallback.eval(attrs)
}
func (s switchExpr) String() string {
	out := "Switch(" + s.source.String() + ", " + s.fallback.String()
	for _, p := range s.pairs {
		out += ", " + p[0].String() + ", " + p[1].String()
	}
	return out + ")"
}

func quoteExpr(s string) string {
	if s == "" {
		return ""
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// parseExpr parses a mapping source: a bare attribute name
// (userPrincipalName), [attribute], "constant", Join(sep, args...) or
// Switch(source, default, key, value, ...). An empty argument (as the
// default of the active Switch) is the empty string.
func parseExpr(s string) (expr, error) {
	p := &exprParser{in: s}
	e, err := p.parse()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.in) {
		return nil, fmt.Errorf("unexpected %q at offset %d of %q", p.in[p.pos:], p.pos, s)
	}
	return e, nil
}

type exprParser struct {
	in  string
	pos int
}

func (p *exprParser) space() {
	for p.pos < len(p.in) && (p.in[p.pos] == ' ' || p.in[p.pos] == '\t') {
		p.pos++
	}
}

func (p *exprParser) parse() (expr, error) {
	p.space()
	if p.pos == len(p.in) || p.in[p.pos] == ',' || p.in[p.pos] == ')' {
		return constExpr{}, nil
	}
	switch c := p.in[p.pos]; {
	case c == '"':
		return p.str()
	case c == '[':
		end := strings.IndexByte(p.in[p.pos:], ']')
		if end < 0 {
			return nil, fmt.Errorf("%q: [ at offset %d is not closed", p.in, p.pos)
		}
		name := strings.TrimSpace(p.in[p.pos+1 : p.pos+end])
		p.pos += end + 1
		if name == "" {
			return nil, fmt.Errorf("%q: empty attribute name in []", p.in)
		}
		return attrExpr{name: name}, nil
	}
	start := p.pos
	for p.pos < len(p.in) && (isWordByte(p.in[p.pos])) {
		p.pos++
	}
	word := p.in[start:p.pos]
	if word == "" {
		return nil, fmt.Errorf("unexpected %q at offset %d of %q", p.in[p.pos:p.pos+1], p.pos, p.in)
	}
	p.space()
	if p.pos == len(p.in) || p.in[p.pos] != '(' {
		return attrExpr{name: word}, nil
	}
	p.pos++
	var args []expr
	for {
		a, err := p.parse()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		p.space()
		if p.pos == len(p.in) {
			return nil, fmt.Errorf("%q: %s( is not closed", p.in, word)
		}
		if p.in[p.pos] == ')' {
			p.pos++
			break
		}
		if p.in[p.pos] != ',' {
			return nil, fmt.Errorf("%q: expected , or ) at offset %d", p.in, p.pos)
		}
		p.pos++
	}
	switch strings.ToLower(word) {
	case "join":
		if len(args) < 2 {
			return nil, fmt.Errorf("%q: Join needs a separator and at least one value", p.in)
		}
		return joinExpr{sep: args[0], args: args[1:]}, nil
	case "switch":
		if len(args) < 2 || len(args)%2 != 0 {
			return nil, fmt.Errorf("%q: Switch needs a source, a default and key/value pairs", p.in)
		}
		s := switchExpr{source: args[0], fallback: args[1]}
		for i := 2; i < len(args); i += 2 {
			s.pairs = append(s.pairs, [2]expr{args[i], args[i+1]})
		}
		return s, nil
	}
	return nil, fmt.Errorf("%q: function %s is not supported by this mock (only Join and Switch)", p.in, word)
}

func (p *exprParser) str() (expr, error) {
	var b strings.Builder
	p.pos++ // opening quote
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		switch c {
		case '\\':
			if p.pos+1 < len(p.in) {
				b.WriteByte(p.in[p.pos+1])
				p.pos += 2
				continue
			}
		case '"':
			p.pos++
			return constExpr{value: b.String()}, nil
		}
		b.WriteByte(c)
		p.pos++
	}
	return nil, fmt.Errorf("%q: string is not closed", p.in)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}
