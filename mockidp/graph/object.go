package graph

import (
	"bytes"
	"encoding/json"
	"strings"
)

// field is one property of a Graph object.
type field struct {
	name  string
	value any
}

// object is a Graph object with its properties in Graph's order, which
// encoding/json's maps would sort.
type object []field

// MarshalJSON writes the properties in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := marshal(f.name)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// get returns a property by name (any case) or a nested one by a path
// like "status/errorCode".
func (o object) get(path string) (any, bool) {
	name, rest, nested := strings.Cut(path, "/")
	for _, f := range o {
		if !strings.EqualFold(f.name, name) {
			continue
		}
		if !nested {
			return f.value, true
		}
		if inner, ok := f.value.(object); ok {
			return inner.get(rest)
		}
		return nil, false
	}
	return nil, false
}

// pick keeps the named properties, in the object's order, and every
// annotation: $select chooses properties, and an item of a directoryObject
// collection (a group's members) keeps its "@odata.type", which OData's
// JSON format requires for a derived type and Graph's typed SDKs need to
// make a user of it.
func (o object) pick(names []string) object {
	out := make(object, 0, len(names)+1)
	for _, f := range o {
		if strings.HasPrefix(f.name, "@odata.") {
			out = append(out, f)
			continue
		}
		for _, n := range names {
			if strings.EqualFold(f.name, n) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// str is a string property: Graph writes null for an unset one.
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// marshal is json.Marshal without HTML escaping: Graph writes & and < in
// links and values as they are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
