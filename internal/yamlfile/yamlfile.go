// Package yamlfile reads the YAML (or JSON) files people write by hand —
// the setup file and the tenant file — into Go structs field by field, so
// every mistake is an error naming the file, the line, the field's dotted
// path and the fix, and fields left out keep the defaults the caller
// filled in first.
//
// Struct fields are named by their yaml tags. Supported field types are
// text, true/false, whole numbers, durations (time.Duration, written as
// "40m"), pointers to those (nil when absent, so "not given" differs from
// the zero value), lists, maps from text to text, and nested structs.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Error is a problem with a file, pointing at the field and line.
type Error struct {
	// File is the file's name as given.
	File string
	// Line is 1-based; 0 when the problem isn't tied to a line.
	Line int
	// Field is the dotted path of the field, e.g. "saml.reply_url".
	Field string
	// Problem says what is wrong and what to do.
	Problem string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Problem)
	return b.String()
}

// ErrFormat is wrapped by every *Error, so callers can tell bad input
// (exit 2) from other failures.
var ErrFormat = errors.New("invalid file")

// Unwrap lets errors.Is(err, ErrFormat) find every *Error.
func (e *Error) Unwrap() error { return ErrFormat }

// Options configures Decode.
type Options struct {
	// Name is the file's name as the user gave it, for errors.
	Name string
	// MaxSize bounds the file; 0 means 1 MiB.
	MaxSize int64
	// EmptyHint is said after "the file is empty", e.g. where to start
	// from.
	EmptyHint string
	// Lines, when not nil, receives the line of every field read, by
	// dotted path ("apps[0].saml.reply_urls[1].url").
	Lines map[string]int
}

// Decode reads r into v, a pointer to a struct already holding the
// defaults. Unknown fields, values of the wrong type and fields given
// twice are errors naming the field and the line.
func Decode(r io.Reader, v any, opts Options) error {
	max := opts.MaxSize
	if max <= 0 {
		max = 1 << 20
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", opts.Name, err)
	}
	if int64(len(data)) > max {
		return &Error{File: opts.Name, Problem: fmt.Sprintf("the file is larger than %d bytes; split it or remove what you don't need", max)}
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Error{File: opts.Name, Problem: strings.TrimSpace("the file is empty; " + opts.EmptyHint)}
		}
		return &Error{File: opts.Name, Line: errorLine(err), Problem: "not valid YAML or JSON: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	rv := reflect.ValueOf(v).Elem()
	if root.Kind != yaml.MappingNode {
		return &Error{File: opts.Name, Line: root.Line, Problem: fmt.Sprintf("the top level must be a mapping of fields (%s)", strings.Join(FieldNames(rv.Type()), ", "))}
	}
	lines := opts.Lines
	if lines == nil {
		lines = map[string]int{}
	}
	return walker{file: opts.Name, lines: lines, fields: map[reflect.Type]map[string]int{}}.decode(root, rv, "")
}

// DecodeNode fills v from one parsed node, as Decode does for a whole
// file; path is the node's dotted path and file names it in errors. It
// serves edits of a single field, such as a --set flag.
func DecodeNode(n *yaml.Node, v reflect.Value, path, file string, lines map[string]int) error {
	if lines == nil {
		lines = map[string]int{}
	}
	return walker{file: file, lines: lines, fields: map[reflect.Type]map[string]int{}}.decode(n, v, path)
}

type walker struct {
	file  string
	lines map[string]int
	// fields caches FieldIndex by struct type: a file of thousands of
	// users would otherwise reflect over the user type for each.
	fields map[reflect.Type]map[string]int
}

func (w walker) fieldIndex(t reflect.Type) map[string]int {
	m, ok := w.fields[t]
	if !ok {
		m = FieldIndex(t)
		w.fields[t] = m
	}
	return m
}

func (w walker) fail(n *yaml.Node, path, format string, args ...any) error {
	return &Error{File: w.file, Line: n.Line, Field: path, Problem: fmt.Sprintf(format, args...)}
}

var durationType = reflect.TypeFor[time.Duration]()

// decode fills v from n, field by field, so every error can name the field
// and the line, and fields absent from the file keep their defaults.
func (w walker) decode(n *yaml.Node, v reflect.Value, path string) error {
	if path != "" {
		w.lines[path] = n.Line
	}
	if n.Kind == yaml.AliasNode {
		return w.fail(n, path, "aliases (*name) are not supported; write the value out")
	}
	if v.Type() == durationType {
		return w.duration(n, v, path)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			p.Elem().Set(v.Elem())
		}
		if err := w.decode(n, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return w.fail(n, path, "must be a mapping with the fields %s", strings.Join(FieldNames(v.Type()), ", "))
		}
		fields := w.fieldIndex(v.Type())
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			child := join(path, key.Value)
			idx, ok := fields[key.Value]
			if !ok {
				return w.fail(key, child, "unknown field%s; the fields here are %s", Suggest(key.Value, FieldNames(v.Type())),
					strings.Join(FieldNames(v.Type()), ", "))
			}
			if seen[key.Value] {
				return w.fail(key, child, "given twice; keep one")
			}
			seen[key.Value] = true
			if err := w.decode(val, v.Field(idx), child); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return w.fail(n, path, "must be a list")
		}
		out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := w.decode(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return w.fail(n, path, "unsupported field type %s", v.Type())
		}
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return w.fail(n, path, "must be a mapping of names to text values")
		}
		out := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			child := join(path, key.Value)
			if out.MapIndex(reflect.ValueOf(key.Value)).IsValid() {
				return w.fail(key, child, "given twice; keep one")
			}
			s := reflect.New(v.Type().Elem()).Elem()
			if err := w.decode(val, s, child); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), s)
		}
		v.Set(out)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return w.fail(n, path, "must be a single %s value", kindName(v.Kind()))
	}
	switch v.Kind() {
	case reflect.String:
		if n.Tag == "!!null" {
			v.SetString("")
			return nil
		}
		if n.Tag != "!!str" && n.Style == 0 && (n.Tag == "!!bool" || n.Tag == "!!int" || n.Tag == "!!float") {
			return w.fail(n, path, "must be text; put %s in quotes if you mean it as text", n.Value)
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if n.Tag != "!!bool" {
			return w.fail(n, path, "must be true or false, not %q", n.Value)
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			return w.fail(n, path, "must be true or false: %v", err)
		}
		v.SetBool(b)
	case reflect.Int:
		if n.Tag != "!!int" {
			return w.fail(n, path, "must be a whole number, not %q", n.Value)
		}
		var i int
		if err := n.Decode(&i); err != nil {
			return w.fail(n, path, "must be a whole number: %v", err)
		}
		v.SetInt(int64(i))
	default:
		return w.fail(n, path, "unsupported field type %s", v.Kind())
	}
	return nil
}

func (w walker) duration(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return w.fail(n, path, "must be a duration such as 40m or 1h30m")
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		return w.fail(n, path, "%q is not a duration; write it like 40m, 90s or 1h30m", n.Value)
	}
	v.SetInt(int64(d))
	return nil
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true/false"
	case reflect.Int:
		return "number"
	}
	return k.String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func yamlTag(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	return name
}

// FieldIndex maps a struct type's field names, as a file spells them, to
// field indexes.
func FieldIndex(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		if name := yamlTag(t.Field(i)); name != "" && name != "-" && t.Field(i).IsExported() {
			m[name] = i
		}
	}
	return m
}

// FieldNames lists a struct type's field names as a file spells them,
// sorted.
func FieldNames(t reflect.Type) []string {
	var names []string
	for name := range FieldIndex(t) {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Suggest returns ` (did you mean "x"?)` for a near miss among known, so
// a typo says what was meant; "" when nothing is close.
func Suggest(got string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(got), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func errorLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	return line
}
