package setup

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssowiz/ssowiz/internal/yamlfile"
)

// Set changes one field, named by its dotted path as in the file
// ("saml.reply_url", "claims.additional[1].source", "users.assigned"), to
// a value given as text, with the file's rules: text fields take the text
// as is, true/false fields take true or false, lists take a comma-separated
// list or a YAML flow sequence ("[a, b]"). An index one past the end of a
// list appends an element. The field no longer points at a line of the
// file it was read from. Errors are *FileError with File "--set" and wrap
// ErrFormat.
func (s *Setup) Set(path, value string) error {
	fail := func(field, format string, args ...any) error {
		return &FileError{File: "--set", Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	v := reflect.ValueOf(s).Elem()
	done := ""
	for _, seg := range strings.Split(path, ".") {
		name, index, hasIndex, err := splitIndex(seg)
		if err != nil {
			return fail(join(done, seg), "%v", err)
		}
		if v.Kind() != reflect.Struct {
			return fail(join(done, seg), "%s has no fields", done)
		}
		idx, ok := fieldIndex(v.Type())[name]
		if !ok {
			return fail(join(done, name), "unknown field%s; the fields here are %s", suggest(name, fieldNames(v.Type())), strings.Join(fieldNames(v.Type()), ", "))
		}
		v, done = v.Field(idx), join(done, name)
		if hasIndex {
			if v.Kind() != reflect.Slice {
				return fail(done, "is not a list")
			}
			switch {
			case index == v.Len():
				v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
			case index > v.Len():
				return fail(done, "has %d entries; index %d would leave a gap (use %d to add one)", v.Len(), index, v.Len())
			}
			v, done = v.Index(index), fmt.Sprintf("%s[%d]", done, index)
		}
	}
	n, err := valueNode(v, value)
	if err != nil {
		return fail(done, "%v", err)
	}
	lines := map[string]int{}
	if err := yamlfile.DecodeNode(n, v, done, "--set", lines); err != nil {
		return err
	}
	for p := range s.lines {
		if p == done || strings.HasPrefix(p, done+".") || strings.HasPrefix(p, done+"[") {
			delete(s.lines, p)
		}
	}
	return nil
}

// splitIndex splits "additional[1]" into "additional" and 1.
func splitIndex(seg string) (name string, index int, ok bool, err error) {
	open := strings.IndexByte(seg, '[')
	if open < 0 {
		return seg, 0, false, nil
	}
	if !strings.HasSuffix(seg, "]") {
		return "", 0, false, fmt.Errorf("%q: an index is written name[N]", seg)
	}
	index, err = strconv.Atoi(seg[open+1 : len(seg)-1])
	if err != nil || index < 0 {
		return "", 0, false, fmt.Errorf("%q: the index must be a whole number from 0", seg)
	}
	return seg[:open], index, true, nil
}

// valueNode turns the text of a value into the YAML node the file would
// hold for the field: text stays text, a list may be comma-separated.
func valueNode(v reflect.Value, value string) (*yaml.Node, error) {
	switch v.Kind() {
	case reflect.String:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Line: 1}, nil
	case reflect.Slice:
		if strings.HasPrefix(strings.TrimSpace(value), "[") {
			break
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode, Line: 1}
		for _, item := range strings.Split(value, ",") {
			if item = strings.TrimSpace(item); item != "" {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: item, Line: 1})
			}
		}
		return seq, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return nil, fmt.Errorf("%q is not a value: %v", value, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: 1}, nil
	}
	return doc.Content[0], nil
}
