package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Resource is a SCIM resource as a JSON attribute document: what
// encoding/json produces for an object, with numbers kept as json.Number so
// they come back exactly as sent. Nested objects are map[string]any and
// arrays []any.
//
// Attribute names are case-insensitive (RFC 7643 §2.1) but are stored in
// the case the client sent; use the accessors, which ignore case, rather
// than indexing the map with a literal name.
type Resource map[string]any

// DecodeJSON decodes one JSON value with numbers as json.Number and nothing
// after it. It is how request bodies and PATCH values enter this package.
// It refuses a name twice in one object, bytes that are not UTF-8 and lone
// UTF-16 surrogates, which encoding/json would otherwise accept by dropping
// a value or replacing text with U+FFFD.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: the body is not valid JSON: %v", ErrInvalidSyntax, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the body has data after its JSON value (offset %d)", ErrInvalidSyntax, dec.InputOffset())
	}
	if err := checkFaithful(data); err != nil {
		return nil, err
	}
	return v, nil
}

// DecodeResource decodes a resource body. It must be a JSON object, and no
// object in it may hold two names that differ only in case ("userName" and
// "UserName" name the same attribute, so the body would be ambiguous).
func DecodeResource(data []byte) (Resource, error) {
	v, err := DecodeJSON(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the body must be a JSON object, got %s", ErrInvalidSyntax, jsonKind(v))
	}
	if err := checkCaseDuplicates(m, ""); err != nil {
		return nil, err
	}
	return Resource(m), nil
}

// checkCaseDuplicates rejects objects with two keys equal ignoring case.
func checkCaseDuplicates(v any, where string) error {
	switch v := v.(type) {
	case map[string]any:
		seen := make(map[string]string, len(v))
		for k, sub := range v {
			fk := FoldKey(k)
			if other, dup := seen[fk]; dup {
				a, b := other, k
				if b < a {
					a, b = b, a
				}
				return fmt.Errorf("%w: %q and %q%s name the same attribute (names ignore case); send only one", ErrInvalidSyntax, a, b, where)
			}
			seen[fk] = k
			if err := checkCaseDuplicates(sub, fmt.Sprintf(" inside %q", k)); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := checkCaseDuplicates(e, where); err != nil {
				return err
			}
		}
	}
	return nil
}

// FoldKey returns a key under which strings equal ignoring case (as
// strings.EqualFold decides) and canonically equivalent in Unicode are
// identical, for comparing and indexing caseExact=false attributes such as
// userName. The string is put in Normalization Form C first, so "José"
// typed with a precomposed é and with e plus a combining accent (NFD) are
// one name; then each rune becomes the smallest rune of its simple
// case-folding orbit. This is how RFC 8265's UsernameCaseMapped profile
// compares user names (width mapping aside). Entra's userPrincipalNames
// are ASCII, where this is plain case folding; an email-based RudderStack
// login is compared ignoring case too. Values are stored as sent; only the
// comparison uses the key.
func FoldKey(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			min = minRune(min, f)
		}
		// ToLower can leave the orbit (U+0130 İ lowers to i, yet
		// EqualFold("İ", "i") is false), so lower only within it.
		if l := unicode.ToLower(min); orbitHas(min, l) {
			min = l
		}
		b.WriteRune(min)
	}
	return b.String()
}

func minRune(a, b rune) rune {
	if b < a {
		return b
	}
	return a
}

// orbitHas reports whether x is in r's simple case-folding orbit.
func orbitHas(r, x rune) bool {
	if r == x {
		return true
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == x {
			return true
		}
	}
	return false
}

// FindKey returns the key of m equal to name ignoring case. An exact match
// wins over a case-insensitive one.
func FindKey(m map[string]any, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// Get returns the top-level attribute named name, ignoring case.
func (r Resource) Get(name string) (any, bool) {
	k, ok := FindKey(r, name)
	if !ok {
		return nil, false
	}
	return r[k], true
}

// Set sets a top-level attribute, keeping the stored name's case if the
// attribute exists.
func (r Resource) Set(name string, v any) {
	if k, ok := FindKey(r, name); ok {
		name = k
	}
	r[name] = v
}

// Delete removes a top-level attribute, ignoring case.
func (r Resource) Delete(name string) {
	if k, ok := FindKey(r, name); ok {
		delete(r, k)
	}
}

// String returns a top-level string attribute, or "" if it is absent or
// not a string.
func (r Resource) String(name string) string {
	v, _ := r.Get(name)
	s, _ := v.(string)
	return s
}

// ID returns the server-assigned id.
func (r Resource) ID() string { return r.String("id") }

// ExternalID returns the client's identifier (Entra's mailNickname or
// object id).
func (r Resource) ExternalID() string { return r.String("externalId") }

// UserName returns a user's userName.
func (r Resource) UserName() string { return r.String("userName") }

// DisplayName returns displayName.
func (r Resource) DisplayName() string { return r.String("displayName") }

// Active returns a user's active flag and whether it is set. A resource
// that has been through Normalize holds a boolean here; the strings
// "True"/"False" are still understood in any case.
func (r Resource) Active() (active, ok bool) {
	v, _ := r.Get("active")
	b, err := toBool(v)
	if err != nil {
		return false, false
	}
	return b, true
}

// Schemas returns the schemas attribute.
func (r Resource) Schemas() []string {
	v, _ := r.Get("schemas")
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// HasSchema reports whether schemas lists urn, ignoring case.
func (r Resource) HasSchema(urn string) bool {
	return containsFold(r.Schemas(), urn)
}

// Extension returns the object held under an extension URN (such as
// SchemaEnterpriseUser), or nil.
func (r Resource) Extension(urn string) map[string]any {
	v, _ := r.Get(urn)
	m, _ := v.(map[string]any)
	return m
}

// ManagerID returns the enterprise manager's id, whether it was stored as
// {"value": id} or, as Entra sometimes sends it, a bare string.
func (r Resource) ManagerID() string {
	ext := r.Extension(SchemaEnterpriseUser)
	k, ok := FindKey(ext, "manager")
	if !ok {
		return ""
	}
	switch m := ext[k].(type) {
	case string:
		return m
	case map[string]any:
		vk, _ := FindKey(m, "value")
		s, _ := m[vk].(string)
		return s
	}
	return ""
}

// MemberIDs returns the value of each member of a group, in order.
func (r Resource) MemberIDs() []string {
	v, _ := r.Get("members")
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		k, _ := FindKey(m, "value")
		if s, ok := m[k].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Clone returns a deep copy of r, so changes to the copy never reach r.
func (r Resource) Clone() Resource {
	if r == nil {
		return nil
	}
	return Resource(CloneValue(map[string]any(r)).(map[string]any))
}

// CloneValue deep-copies a JSON value built of maps, slices and scalars.
func CloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = CloneValue(e)
		}
		return m
	case Resource:
		return map[string]any(v.Clone())
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = CloneValue(e)
		}
		return s
	default:
		return v
	}
}

// ToResource converts a typed value (a User, a Group, or any struct that
// marshals to a JSON object) into a Resource.
func ToResource(v any) (Resource, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("scim: encode %T: %w", v, err)
	}
	return DecodeResource(data)
}

// Decode fills a typed view (a *User, *Group, or any struct pointer) from
// the resource. Field names match ignoring case, as encoding/json does.
func (r Resource) Decode(dst any) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("scim: encode resource: %w", err)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("%w: resource does not fit %T: %v", ErrInvalidValue, dst, err)
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// jsonKind names a JSON value's type for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64, int:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any, Resource:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
