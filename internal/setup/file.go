package setup

import (
	"fmt"
	"io"
	"os"
	"reflect"

	"go.yaml.in/yaml/v3"

	"github.com/ssowiz/ssowiz/internal/yamlfile"
)

// maxFileSize bounds a setup file; a real one is a couple of kilobytes.
const maxFileSize = 1 << 20

// FileError is a problem with a setup file, pointing at the field and line.
type FileError = yamlfile.Error

// ErrFormat is wrapped by every error about a setup file's syntax or
// fields, so callers can tell bad input (exit 2) from other failures.
var ErrFormat = yamlfile.ErrFormat

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
	s := Default()
	s.Version = 0
	s.lines = map[string]int{}
	if err := yamlfile.Decode(r, &s, yamlfile.Options{Name: name, MaxSize: maxFileSize, Lines: s.lines,
		EmptyHint: "start from `ssowiz check --print-setup` or the README's example"}); err != nil {
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

// Marshal writes the setup as a YAML setup file with a header saying what
// it is; Parse reads it back to the same Setup. A nil users.assigned or
// users.groups is left out, since an empty list means "no one is
// assigned" (and a setup with neither keeps the tenant's assignments).
func Marshal(s Setup) ([]byte, error) {
	s.Version = Version
	var doc yaml.Node
	if err := doc.Encode(&s); err != nil {
		return nil, fmt.Errorf("encode setup: %w", err)
	}
	if users := mappingValue(&doc, "users"); users != nil {
		if s.Users.Assigned == nil {
			deleteKey(users, "assigned")
		}
		if s.Users.Groups == nil {
			deleteKey(users, "groups")
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

func suggest(got string, known []string) string { return yamlfile.Suggest(got, known) }

func fieldNames(t reflect.Type) []string { return yamlfile.FieldNames(t) }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldIndex(t reflect.Type) map[string]int { return yamlfile.FieldIndex(t) }
