package setup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds a setup file; a real one is a couple of kilobytes.
const maxFileSize = 1 << 20

// FileError is a problem with a setup file, pointing at the field and line.
type FileError struct {
	// File is the file's name as given.
	File string
	// Line is 1-based; 0 when the problem isn't tied to a line.
	Line int
	// Field is the dotted path of the field, e.g. "saml.reply_url".
	Field string
	// Problem says what is wrong and what to do.
	Problem string
}

func (e *FileError) Error() string {
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

// ErrFormat is wrapped by every error about a setup file's syntax or
// fields, so callers can tell bad input (exit 2) from other failures.
var ErrFormat = errors.New("invalid setup file")

// Unwrap lets errors.Is(err, ErrFormat) find every FileError.
func (e *FileError) Unwrap() error { return ErrFormat }

// ReadFile reads and parses a setup file.
func ReadFile(path string) (Setup, error) {
	f, err := os.Open(path)
	if err != nil {
		return Setup{}, fmt.Errorf("read setup file: %w", err)
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a setup in YAML or JSON (JSON is read as YAML, which it is a
// subset of). Fields left out keep the guide's defaults; unknown fields,
// values of the wrong type and a missing or unknown version are errors
// naming the field and the line.
func Parse(r io.Reader, name string) (Setup, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return Setup{}, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return Setup{}, &FileError{File: name, Problem: fmt.Sprintf("the file is larger than %d bytes; a setup file is a few kilobytes", maxFileSize)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Setup{}, &FileError{File: name, Problem: "the file is empty; start from `ssowiz check --print-setup` or the README's example"}
		}
		return Setup{}, &FileError{File: name, Line: yamlErrorLine(err), Problem: "not valid YAML or JSON: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	s := Default()
	s.Version = 0
	s.lines = map[string]int{}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return Setup{}, &FileError{File: name, Line: root.Line, Problem: "the top level must be a mapping of fields (version, app, saml, ...)"}
	}
	w := walker{file: name, lines: s.lines}
	if err := w.decode(root, reflect.ValueOf(&s).Elem(), ""); err != nil {
		return Setup{}, err
	}
	switch {
	case s.Version == 0:
		return Setup{}, &FileError{File: name, Line: 1, Field: "version", Problem: fmt.Sprintf("missing; add `version: %d` at the top", Version)}
	case s.Version != Version:
		return Setup{}, &FileError{File: name, Line: s.lines["version"], Field: "version",
			Problem: fmt.Sprintf("%d is not a version this ssowiz reads; it reads version %d", s.Version, Version)}
	}
	return s, nil
}

type walker struct {
	file  string
	lines map[string]int
}

func (w walker) fail(n *yaml.Node, path, format string, args ...any) error {
	return &FileError{File: w.file, Line: n.Line, Field: path, Problem: fmt.Sprintf(format, args...)}
}

// decode fills v from n, field by field, so every error can name the field
// and the line, and fields absent from the file keep their defaults.
func (w walker) decode(n *yaml.Node, v reflect.Value, path string) error {
	if path != "" {
		w.lines[path] = n.Line
	}
	if n.Kind == yaml.AliasNode {
		return w.fail(n, path, "aliases (*name) are not supported; write the value out")
	}
	switch v.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return w.fail(n, path, "must be a mapping with the fields %s", strings.Join(fieldNames(v.Type()), ", "))
		}
		fields := fieldIndex(v.Type())
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			child := join(path, key.Value)
			idx, ok := fields[key.Value]
			if !ok {
				return w.fail(key, child, "unknown field%s; the fields here are %s", suggest(key.Value, fieldNames(v.Type())),
					strings.Join(fieldNames(v.Type()), ", "))
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

func fieldIndex(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		if name := yamlTag(t.Field(i)); name != "" && name != "-" && t.Field(i).IsExported() {
			m[name] = i
		}
	}
	return m
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for name := range fieldIndex(t) {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// suggest returns ` (did you mean "x"?)` for a near miss, so a typo in a
// field name says which field was meant.
func suggest(got string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(got), k); d < bestD {
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

func yamlErrorLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	return line
}

// Marshal writes the setup as a YAML setup file with a header saying what
// it is; Parse reads it back to the same Setup. A nil users.assigned (the
// directory's usual assignments) is left out, since an empty list means
// "no one is assigned".
func Marshal(s Setup) ([]byte, error) {
	s.Version = Version
	var doc yaml.Node
	if err := doc.Encode(&s); err != nil {
		return nil, fmt.Errorf("encode setup: %w", err)
	}
	if s.Users.Assigned == nil {
		if users := mappingValue(&doc, "users"); users != nil {
			deleteKey(users, "assigned")
		}
	}
	body, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, fmt.Errorf("encode setup: %w", err)
	}
	header := "# ssowiz setup file: the values typed into Entra ID and RudderStack.\n" +
		"# Check it with: ssowiz check --config <this file>\n"
	return append([]byte(header), body...), nil
}

// mappingValue returns the value of key in mapping node m.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}
