package filter

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// maxDepth bounds nesting of parentheses, "not" and brackets, so a hostile
// filter cannot exhaust the stack.
const maxDepth = 32

type tokKind int

const (
	tkEOF tokKind = iota
	tkWord
	tkString
	tkNumber
	tkLParen
	tkRParen
	tkLBrack
	tkRBrack
	tkDot
)

type token struct {
	kind tokKind
	text string
	off  int
	// spaceBefore is true when whitespace precedes the token.
	spaceBefore bool
}

func (t token) describe() string {
	switch t.kind {
	case tkEOF:
		return "the end"
	case tkString:
		return "the string " + t.text
	case tkNumber:
		return "the number " + t.text
	case tkWord:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

type parser struct {
	in    string
	kind  error // scim.ErrInvalidFilter or scim.ErrInvalidPath
	noun  string
	toks  []token
	pos   int
	depth int
}

func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '$'
}

func isWordChar(c byte) bool {
	return isWordStart(c) || c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':' || c == '.'
}

func (p *parser) errAt(off int, format string, args ...any) error {
	return &SyntaxError{Input: p.in, Offset: off, Msg: fmt.Sprintf(format, args...), Kind: p.kind}
}

func (p *parser) lex() error {
	s := p.in
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			space = true
			i++
			continue
		case c == '(' || c == ')' || c == '[' || c == ']' || c == '.':
			k := map[byte]tokKind{'(': tkLParen, ')': tkRParen, '[': tkLBrack, ']': tkRBrack, '.': tkDot}[c]
			p.toks = append(p.toks, token{kind: k, text: string(c), off: i, spaceBefore: space})
			i++
		case c == '"':
			j, err := p.scanString(i)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, token{kind: tkString, text: s[i:j], off: i, spaceBefore: space})
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := scanNumber(s, i)
			if j == i || j < len(s) && isWordChar(s[j]) && s[j] != '.' {
				return p.errAt(i, "%q is not a number; quote string values, as in \"%s\"", wordAt(s, i), wordAt(s, i))
			}
			p.toks = append(p.toks, token{kind: tkNumber, text: s[i:j], off: i, spaceBefore: space})
			i = j
		case isWordStart(c):
			j := i
			for j < len(s) && isWordChar(s[j]) {
				j++
			}
			p.toks = append(p.toks, token{kind: tkWord, text: s[i:j], off: i, spaceBefore: space})
			i = j
		case c == '+':
			return p.errAt(i, "unexpected '+'; the %s looks form-encoded: decode the query string first (url.ParseQuery turns '+' into a space)", p.noun)
		case c == '%':
			return p.errAt(i, "unexpected '%%'; the %s looks URL-encoded: decode the query string first", p.noun)
		default:
			return p.errAt(i, "unexpected character %q", rune(c))
		}
		space = false
	}
	p.toks = append(p.toks, token{kind: tkEOF, off: len(s), spaceBefore: space})
	return nil
}

// wordAt returns the run of non-space, non-bracket characters at i, for
// error messages about unquoted values.
func wordAt(s string, i int) string {
	j := i
	for j < len(s) && !strings.ContainsRune(" \t()[]\"", rune(s[j])) {
		j++
	}
	return s[i:j]
}

// scanString returns the offset just past the JSON string starting at i.
func (p *parser) scanString(i int) (int, error) {
	s := p.in
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, p.errAt(i, "the string starting here has no closing '\"'")
}

// scanNumber returns the offset just past the JSON number at i, or i when
// there is none.
func scanNumber(s string, i int) int {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	digits := func() bool {
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(s) && s[j] == '0' {
		j++
	} else if !digits() {
		return i
	}
	if j < len(s) && s[j] == '.' {
		save := j
		j++
		if !digits() {
			j = save
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		save := j
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if !digits() {
			j = save
		}
	}
	return j
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tkEOF {
		p.pos++
	}
	return t
}

// Parse parses a filter (RFC 7644 §3.4.2.2), already URL-decoded. Errors
// are *SyntaxError wrapping scim.ErrInvalidFilter. Parse checks syntax
// only; New also checks the filter against a resource type.
func Parse(filter string) (Expr, error) {
	p := &parser{in: filter, kind: scim.ErrInvalidFilter, noun: "filter"}
	if strings.TrimSpace(filter) == "" {
		return nil, p.errAt(0, "the filter is empty")
	}
	if err := p.lex(); err != nil {
		return nil, err
	}
	e, err := p.parseOr(false)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tkEOF {
		return nil, p.unexpected(t, "\"and\", \"or\" or the end of the filter")
	}
	return e, nil
}

// ParsePath parses a PATCH path (RFC 7644 §3.5.2): attrPath, or valuePath
// with an optional sub-attribute. Errors are *SyntaxError wrapping
// scim.ErrInvalidPath.
func ParsePath(path string) (Path, error) {
	p := &parser{in: path, kind: scim.ErrInvalidPath, noun: "path"}
	if strings.TrimSpace(path) == "" {
		return Path{}, p.errAt(0, "the path is empty")
	}
	if err := p.lex(); err != nil {
		return Path{}, err
	}
	t := p.next()
	if t.kind != tkWord {
		return Path{}, p.unexpected(t, "an attribute name")
	}
	pa, err := p.parsePath(t, false)
	if err != nil {
		return Path{}, err
	}
	if t := p.peek(); t.kind != tkEOF {
		return Path{}, p.unexpected(t, "the end of the path")
	}
	return pa, nil
}

func (p *parser) unexpected(t token, want string) error {
	if t.kind == tkEOF {
		return p.errAt(t.off, "expected %s but the %s ends", want, p.noun)
	}
	return p.errAt(t.off, "expected %s, found %s", want, t.describe())
}

func (p *parser) enter(off int) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(off, "the %s nests deeper than %d levels", p.noun, maxDepth)
	}
	return nil
}

func (p *parser) isKeyword(t token, kw string) bool {
	return t.kind == tkWord && strings.EqualFold(t.text, kw)
}

func (p *parser) parseOr(inValue bool) (Expr, error) {
	left, err := p.parseAnd(inValue)
	if err != nil {
		return nil, err
	}
	for p.isKeyword(p.peek(), "or") {
		p.next()
		right, err := p.parseAnd(inValue)
		if err != nil {
			return nil, err
		}
		left = &Logical{Or: true, Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) parseAnd(inValue bool) (Expr, error) {
	left, err := p.parseUnary(inValue)
	if err != nil {
		return nil, err
	}
	for p.isKeyword(p.peek(), "and") {
		p.next()
		right, err := p.parseUnary(inValue)
		if err != nil {
			return nil, err
		}
		left = &Logical{Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) parseUnary(inValue bool) (Expr, error) {
	t := p.next()
	switch {
	case t.kind == tkLParen:
		return p.parseGroup(t, inValue)
	case p.isKeyword(t, "not") && p.peek().kind == tkLParen:
		x, err := p.parseGroup(p.next(), inValue)
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	case t.kind == tkWord:
		return p.parseTerm(t, inValue)
	}
	return nil, p.unexpected(t, "an attribute name, \"not\" or \"(\"")
}

// parseGroup parses the inside of "( ... )" after the opening parenthesis.
func (p *parser) parseGroup(open token, inValue bool) (Expr, error) {
	if err := p.enter(open.off); err != nil {
		return nil, err
	}
	e, err := p.parseOr(inValue)
	if err != nil {
		return nil, err
	}
	if t := p.next(); t.kind != tkRParen {
		if t.kind == tkEOF {
			return nil, p.errAt(open.off, "the '(' here is never closed")
		}
		return nil, p.unexpected(t, "\"and\", \"or\" or ')'")
	}
	p.depth--
	return e, nil
}

func (p *parser) parseTerm(word token, inValue bool) (Expr, error) {
	path, err := p.parsePath(word, inValue)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	op, isOp := Operator(""), false
	if t.kind == tkWord {
		op, isOp = operator(t.text)
	}
	if !isOp {
		if path.Filter != nil && path.Sub == "" {
			return &ValuePath{Path: path}, nil
		}
		return nil, p.unexpected(t, fmt.Sprintf("an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr) after %s", path))
	}
	p.next()
	if op == Pr {
		return &Compare{Path: path, Op: Pr}, nil
	}
	v, err := p.parseValue(op)
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: v}, nil
}

func (p *parser) parseValue(op Operator) (any, error) {
	t := p.next()
	switch t.kind {
	case tkString:
		var s string
		if err := json.Unmarshal([]byte(t.text), &s); err != nil {
			return nil, p.errAt(t.off, "the string %s is not a valid JSON string (check its backslash escapes)", t.text)
		}
		return s, nil
	case tkNumber:
		return json.Number(t.text), nil
	case tkWord:
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return nil, p.errAt(t.off, "the value %s after %q must be quoted: %s \"%s\"", t.text, op, op, t.text)
	case tkEOF:
		return nil, p.errAt(t.off, "expected a value after %q but the %s ends", op, p.noun)
	}
	return nil, p.unexpected(t, fmt.Sprintf("a value (a quoted string, number, true, false or null) after %q", op))
}

// parsePath parses an attribute path starting with word, with an optional
// [filter] and .sub after it. Inside a value filter, paths are relative
// to the element and may not carry their own filter.
func (p *parser) parsePath(word token, inValue bool) (Path, error) {
	path, err := p.splitWord(word)
	if err != nil {
		return Path{}, err
	}
	if p.peek().kind != tkLBrack {
		return path, nil
	}
	open := p.next()
	if inValue {
		return Path{}, p.errAt(open.off, "value filters cannot be nested")
	}
	if path.Sub != "" {
		return Path{}, p.errAt(open.off, "a value filter must follow the attribute name, as in emails[type eq \"work\"].value, not %s[...]", path)
	}
	if err := p.enter(open.off); err != nil {
		return Path{}, err
	}
	f, err := p.parseOr(true)
	if err != nil {
		return Path{}, err
	}
	if t := p.next(); t.kind != tkRBrack {
		if t.kind == tkEOF {
			return Path{}, p.errAt(open.off, "the '[' here is never closed")
		}
		return Path{}, p.unexpected(t, "\"and\", \"or\" or ']'")
	}
	p.depth--
	path.Filter = f
	if dot := p.peek(); dot.kind == tkDot && !dot.spaceBefore {
		p.next()
		sub := p.next()
		if sub.kind != tkWord || sub.spaceBefore || !validName(sub.text) {
			return Path{}, p.unexpected(sub, "a sub-attribute name after ']. '")
		}
		path.Sub = sub.text
	}
	return path, nil
}

// splitWord splits "urn:...:name.sub" into URI, attribute and
// sub-attribute.
func (p *parser) splitWord(t token) (Path, error) {
	w := t.text
	var path Path
	rest := w
	if i := strings.LastIndexByte(w, ':'); i >= 0 {
		path.URI, rest = w[:i], w[i+1:]
		for _, seg := range strings.Split(path.URI, ":") {
			if seg == "" || strings.ContainsRune(seg, '$') {
				return Path{}, p.errAt(t.off, "%q is not a valid schema URI prefix", path.URI)
			}
		}
		if rest == "" {
			return Path{}, p.errAt(t.off+len(w), "expected an attribute name after the schema URI %s:", path.URI)
		}
	}
	parts := strings.Split(rest, ".")
	if len(parts) > 2 {
		return Path{}, p.errAt(t.off, "%q has more than one sub-attribute; paths go at most one level deep, as in name.givenName", w)
	}
	for _, part := range parts {
		if !validName(part) {
			return Path{}, p.errAt(t.off, "%q is not a valid attribute name (a letter, then letters, digits, '-' or '_')", part)
		}
	}
	path.Attr = parts[0]
	if len(parts) == 2 {
		path.Sub = parts[1]
	}
	return path, nil
}

// validName checks ATTRNAME = [$] ALPHA *(ALPHA / DIGIT / "-" / "_").
func validName(s string) bool {
	s = strings.TrimPrefix(s, "$")
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
