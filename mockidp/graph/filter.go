package graph

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// filterExpr is a parsed $filter.
type filterExpr interface {
	eval(o object) bool
}

type andExpr struct{ l, r filterExpr }
type orExpr struct{ l, r filterExpr }

func (e andExpr) eval(o object) bool { return e.l.eval(o) && e.r.eval(o) }
func (e orExpr) eval(o object) bool  { return e.l.eval(o) || e.r.eval(o) }

// cmpExpr is "property op literal".
type cmpExpr struct {
	prop, op string
	value    any
}

// inExpr is "property in ('a', 'b')".
type inExpr struct {
	prop   string
	values []any
}

// startsWithExpr is "startswith(property, 'prefix')".
type startsWithExpr struct{ prop, prefix string }

func (e cmpExpr) eval(o object) bool {
	v, _ := o.get(e.prop)
	c, ok := compare(v, e.value)
	switch e.op {
	case "eq":
		return ok && c == 0
	case "ne":
		return !ok || c != 0
	case "gt":
		return ok && c > 0
	case "ge":
		return ok && c >= 0
	case "lt":
		return ok && c < 0
	case "le":
		return ok && c <= 0
	}
	return false
}

func (e inExpr) eval(o object) bool {
	v, _ := o.get(e.prop)
	return slices.ContainsFunc(e.values, func(x any) bool { c, ok := compare(v, x); return ok && c == 0 })
}

func (e startsWithExpr) eval(o object) bool {
	v, _ := o.get(e.prop)
	s, ok := v.(string)
	return ok && strings.HasPrefix(strings.ToLower(s), strings.ToLower(e.prefix))
}

// compare orders a property's value against a literal: strings without
// regard to case (directory properties compare that way), times as times,
// numbers as numbers, booleans and null by equality.
func compare(v, lit any) (int, bool) {
	switch l := lit.(type) {
	case nil:
		if v == nil {
			return 0, true
		}
		return 1, true
	case bool:
		b, ok := v.(bool)
		if !ok {
			return 0, false
		}
		if b == l {
			return 0, true
		}
		return 1, true
	case float64:
		var f float64
		switch n := v.(type) {
		case int:
			f = float64(n)
		case float64:
			f = n
		default:
			return 0, false
		}
		switch {
		case f < l:
			return -1, true
		case f > l:
			return 1, true
		}
		return 0, true
	case time.Time:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, false
		}
		return t.Compare(l), true
	case string:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(strings.ToLower(s), strings.ToLower(l)), true
	}
	return 0, false
}

// token is a lexeme of a $filter.
type token struct {
	kind byte // 'w' word, 's' string, '(' ')' ','
	text string
}

func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',':
			out = append(out, token{kind: c, text: string(c)})
			i++
		case c == '\'':
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("there is an unterminated string literal at position %d", i)
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			out = append(out, token{kind: 's', text: b.String()})
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t(),'", rune(s[j])) {
				j++
			}
			out = append(out, token{kind: 'w', text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

// filterParser parses OData's $filter subset: comparisons, in,
// startswith, and, or, parentheses.
type filterParser struct {
	toks []token
	pos  int
	set  entitySet
}

func parseFilter(s string, set entitySet) (filterExpr, *apiError) {
	toks, err := lex(s)
	if err != nil {
		return nil, invalidFilter(err.Error())
	}
	if len(toks) == 0 {
		return nil, invalidFilter("the filter is empty")
	}
	p := &filterParser{toks: toks, set: set}
	e, ae := p.or()
	if ae != nil {
		return nil, ae
	}
	if p.pos < len(p.toks) {
		return nil, invalidFilter(fmt.Sprintf("unexpected '%s' at the end", p.toks[p.pos].text))
	}
	return e, nil
}

func invalidFilter(detail string) *apiError {
	return &apiError{http.StatusBadRequest, "BadRequest", "Invalid filter clause: " + detail + ".", nil}
}

func (p *filterParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == 'w' && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *filterParser) next() (token, bool) {
	if p.pos >= len(p.toks) {
		return token{}, false
	}
	t := p.toks[p.pos]
	p.pos++
	return t, true
}

func (p *filterParser) expect(kind byte) *apiError {
	t, ok := p.next()
	if !ok || t.kind != kind {
		return invalidFilter(fmt.Sprintf("expected '%c'", kind))
	}
	return nil
}

func (p *filterParser) or() (filterExpr, *apiError) {
	l, e := p.and()
	for e == nil && p.peekWord("or") {
		p.pos++
		var r filterExpr
		if r, e = p.and(); e == nil {
			l = orExpr{l, r}
		}
	}
	return l, e
}

func (p *filterParser) and() (filterExpr, *apiError) {
	l, e := p.primary()
	for e == nil && p.peekWord("and") {
		p.pos++
		var r filterExpr
		if r, e = p.primary(); e == nil {
			l = andExpr{l, r}
		}
	}
	return l, e
}

func (p *filterParser) primary() (filterExpr, *apiError) {
	t, ok := p.next()
	if !ok {
		return nil, invalidFilter("the expression ends too early")
	}
	if t.kind == '(' {
		e, ae := p.or()
		if ae != nil {
			return nil, ae
		}
		return e, p.expect(')')
	}
	if t.kind != 'w' {
		return nil, invalidFilter(fmt.Sprintf("expected a property name, found '%s'", t.text))
	}
	fn := strings.ToLower(t.text)
	if p.pos < len(p.toks) && p.toks[p.pos].kind == '(' {
		return p.function(fn)
	}
	if fn == "not" {
		return nil, p.unsupported("", "not")
	}
	prop, ae := p.property(t.text)
	if ae != nil {
		return nil, ae
	}
	opTok, ok := p.next()
	if !ok || opTok.kind != 'w' {
		return nil, invalidFilter(fmt.Sprintf("expected an operator after '%s'", t.text))
	}
	op := strings.ToLower(opTok.text)
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le":
		if !p.allows(prop, op) {
			return nil, p.unsupported(prop, op)
		}
		v, ae := p.literal()
		if ae != nil {
			return nil, ae
		}
		return cmpExpr{prop, op, v}, nil
	case "in":
		if !p.allows(prop, "in") {
			return nil, p.unsupported(prop, "in")
		}
		if ae := p.expect('('); ae != nil {
			return nil, ae
		}
		var vals []any
		for {
			v, ae := p.literal()
			if ae != nil {
				return nil, ae
			}
			vals = append(vals, v)
			t, ok := p.next()
			if ok && t.kind == ')' {
				return inExpr{prop, vals}, nil
			}
			if !ok || t.kind != ',' {
				return nil, invalidFilter("expected ',' or ')' in the list after 'in'")
			}
		}
	}
	return nil, invalidFilter(fmt.Sprintf("'%s' is not an operator", opTok.text))
}

func (p *filterParser) function(fn string) (filterExpr, *apiError) {
	p.pos++ // (
	name, ok := p.next()
	if !ok || name.kind != 'w' {
		return nil, invalidFilter("expected a property name in " + fn + "()")
	}
	prop, ae := p.property(name.text)
	if ae != nil {
		return nil, ae
	}
	if fn != "startswith" || !p.allows(prop, "startswith") {
		return nil, p.unsupported(prop, fn)
	}
	if ae := p.expect(','); ae != nil {
		return nil, ae
	}
	v, ae := p.literal()
	if ae != nil {
		return nil, ae
	}
	s, ok := v.(string)
	if !ok {
		return nil, invalidFilter("startswith() needs a string")
	}
	return startsWithExpr{prop, s}, p.expect(')')
}

// property resolves a property name (any case) to the set's spelling.
func (p *filterParser) property(name string) (string, *apiError) {
	for k := range p.set.filters {
		if strings.EqualFold(k, name) {
			return k, nil
		}
	}
	head, _, _ := strings.Cut(name, "/")
	if slices.ContainsFunc(p.set.properties, func(s string) bool { return strings.EqualFold(s, head) }) {
		return name, nil
	}
	return "", &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Could not find a property named '%s' on type '%s'.", name, p.set.typeName), nil}
}

func (p *filterParser) allows(prop, op string) bool {
	return slices.Contains(p.set.filters[prop], op)
}

// unsupported is Graph's answer to a filter on a property or with an
// operator the collection does not support.
func (p *filterParser) unsupported(prop, op string) *apiError {
	if prop == "" {
		return unsupportedQuery(fmt.Sprintf("Unsupported query: the '%s' operator is not supported on %s.", op, p.set.name))
	}
	return unsupportedQuery(fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, p.set.resource))
}

func (p *filterParser) literal() (any, *apiError) {
	t, ok := p.next()
	if !ok {
		return nil, invalidFilter("expected a value")
	}
	if t.kind == 's' {
		return t.text, nil
	}
	if t.kind != 'w' {
		return nil, invalidFilter(fmt.Sprintf("expected a value, found '%s'", t.text))
	}
	switch strings.ToLower(t.text) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if tm, err := time.Parse(time.RFC3339Nano, t.text); err == nil {
		return tm, nil
	}
	if f, err := strconv.ParseFloat(t.text, 64); err == nil {
		return f, nil
	}
	return nil, invalidFilter(fmt.Sprintf("'%s' is not a value: quote strings as 'text'", t.text))
}
