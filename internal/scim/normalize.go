package scim

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// NormalizeRequest prepares a resource received in a POST or PUT body for
// storage, in place:
//
//   - readOnly attributes (id, meta, groups) are dropped, since RFC 7643 §7
//     says a service provider ignores them in requests;
//   - null, "" and {} values are dropped: RFC 7643 §2.5 treats null as
//     unassigned, and Entra clears an attribute by sending "";
//   - booleans sent as the strings "True"/"False" (any case), as Entra's
//     mappings produce, become JSON booleans;
//   - a complex attribute with a value sub-attribute given as a bare string
//     (Entra's manager) becomes {"value": ...};
//   - every known attribute must have its schema type, and required
//     attributes (userName, a group's displayName) must be present.
//
// Attributes the schema does not define, including unknown extension
// objects, are kept exactly as sent. Unknown URIs in schemas are kept too.
func (rt *ResourceType) NormalizeRequest(r Resource) error {
	for k, v := range r {
		if strings.EqualFold(k, "schemas") {
			if err := checkSchemas(v); err != nil {
				return err
			}
			continue
		}
		if ext := rt.Extension(k); ext != nil {
			nv, err := normalizeExtension(ext, k, v)
			if err != nil {
				return err
			}
			setOrDelete(r, k, nv)
			continue
		}
		a := rt.Schema.Attribute(k)
		if a != nil && a.Mutability == ReadOnly {
			delete(r, k)
			continue
		}
		nv, err := NormalizeValue(a, k, v)
		if err != nil {
			return err
		}
		setOrDelete(r, k, nv)
	}
	return rt.CheckRequired(r)
}

// CheckRequired reports the first required attribute r lacks, wrapping
// ErrInvalidValue.
func (rt *ResourceType) CheckRequired(r Resource) error {
	for _, a := range rt.Schema.Attributes {
		if !a.Required {
			continue
		}
		if v, ok := r.Get(a.Name); !ok || IsUnassigned(v) {
			return fmt.Errorf("%w: %s is required for a %s", ErrInvalidValue, a.Name, rt.Name)
		}
	}
	return nil
}

func checkSchemas(v any) error {
	arr, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%w: schemas must be an array of URIs, got %s", ErrInvalidValue, jsonKind(v))
	}
	for i, e := range arr {
		if _, ok := e.(string); !ok {
			return fmt.Errorf("%w: schemas[%d] must be a URI string, got %s", ErrInvalidValue, i, jsonKind(e))
		}
	}
	return nil
}

// normalizeExtension normalizes the object held under an extension URN,
// dropping its read-only attributes as NormalizeRequest does.
func normalizeExtension(ext *Schema, name string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s must be an object of %s attributes, got %s", ErrInvalidValue, name, ext.Name, jsonKind(v))
	}
	for k, sv := range m {
		a := ext.Attribute(k)
		if a != nil && a.Mutability == ReadOnly {
			delete(m, k)
			continue
		}
		nv, err := NormalizeValue(a, name+":"+k, sv)
		if err != nil {
			return nil, err
		}
		setOrDelete(m, k, nv)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

func setOrDelete(m map[string]any, k string, v any) {
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
}

// IsUnassigned reports whether v counts as no value: null, "", an empty
// array or an empty object (RFC 7643 §2.5).
func IsUnassigned(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// NormalizeValue brings one attribute value to its schema type, as
// NormalizeRequest describes; name is the attribute's path, for errors. A
// nil result means the value is unassigned and the attribute should be
// removed. A nil a (an attribute the schema does not define) returns v
// unchanged. Sub-objects of v may be modified in place.
func NormalizeValue(a *Attribute, name string, v any) (any, error) {
	if v == nil || a == nil {
		return v, nil
	}
	if a.MultiValued {
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%w: %s is multi-valued and needs an array, got %s", ErrInvalidValue, name, jsonKind(v))
		}
		single := *a
		single.MultiValued = false
		out := make([]any, 0, len(arr))
		for i, e := range arr {
			ne, err := NormalizeValue(&single, fmt.Sprintf("%s[%d]", name, i), e)
			if err != nil {
				return nil, err
			}
			if ne != nil {
				out = append(out, ne)
			}
		}
		return out, nil
	}
	switch a.Type {
	case TypeComplex:
		return normalizeComplex(a, name, v)
	case TypeBoolean:
		b, err := toBool(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %s must be a boolean (true or false, or the strings \"True\"/\"False\"), got %s", ErrInvalidValue, name, describe(v))
		}
		return b, nil
	case TypeInteger, TypeDecimal:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%w: %s must be a number, got %s", ErrInvalidValue, name, jsonKind(v))
		}
		if a.Type == TypeInteger {
			if _, ok := new(big.Int).SetString(n.String(), 10); !ok {
				return nil, fmt.Errorf("%w: %s must be a whole number, got %s", ErrInvalidValue, name, n)
			}
		}
		return n, nil
	default:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s must be a string, got %s", ErrInvalidValue, name, jsonKind(v))
		}
		if s == "" {
			return nil, nil
		}
		if a.Type == TypeDateTime {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return nil, fmt.Errorf("%w: %s must be an xsd:dateTime such as 2026-01-02T15:04:05Z, got %q", ErrInvalidValue, name, s)
			}
		}
		return s, nil
	}
}

func normalizeComplex(a *Attribute, name string, v any) (any, error) {
	switch t := v.(type) {
	case string:
		// Entra sends manager as the manager's id alone.
		if a.Sub("value") != nil {
			if t == "" {
				return nil, nil
			}
			return map[string]any{"value": t}, nil
		}
	case []any:
		// The legacy Entra manager form: [{"$ref": ..., "value": ...}].
		if len(t) == 1 {
			return normalizeComplex(a, name, t[0])
		}
		if len(t) == 0 {
			return nil, nil
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is complex and needs an object of sub-attributes, got %s", ErrInvalidValue, name, jsonKind(v))
	}
	for k, sv := range m {
		sub := a.Sub(k)
		if sub == nil {
			if sv == nil {
				delete(m, k)
			}
			continue
		}
		nv, err := NormalizeValue(sub, name+"."+k, sv)
		if err != nil {
			return nil, err
		}
		setOrDelete(m, k, nv)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// toBool accepts a JSON boolean or the strings "true"/"false" in any case.
func toBool(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		switch {
		case strings.EqualFold(v, "true"):
			return true, nil
		case strings.EqualFold(v, "false"):
			return false, nil
		}
	}
	return false, fmt.Errorf("%w: not a boolean", ErrInvalidValue)
}

// describe names a value for an error message without echoing long or
// structured content.
func describe(v any) string {
	if s, ok := v.(string); ok {
		if len(s) > 40 {
			return fmt.Sprintf("a %d-character string", len(s))
		}
		return fmt.Sprintf("the string %q", s)
	}
	return jsonKind(v)
}
