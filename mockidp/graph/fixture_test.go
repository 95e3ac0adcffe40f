package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// orderedObject keeps a JSON object's keys in order.
type orderedObject struct {
	keys   []string
	values map[string]any
}

func decodeOrdered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := orderedObject{values: map[string]any{}}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k.(string))
				o.values[k.(string)] = v
			}
			_, err := dec.Token()
			return o, err
		case '[':
			var a []any
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
	}
	return tok, nil
}

var (
	guidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
)

func diffOrdered(path string, want, got any) string {
	if s, ok := want.(string); ok {
		g, isStr := got.(string)
		switch s {
		case "<any>":
			return ""
		case "<guid>":
			if !isStr || !guidRE.MatchString(g) {
				return fmt.Sprintf("%s: want a GUID, got %v", path, got)
			}
			return ""
		case "<datetime>":
			if !isStr || !dateTimeRE.MatchString(g) {
				return fmt.Sprintf("%s: want a UTC DateTimeOffset, got %v", path, got)
			}
			return ""
		case "<url>":
			if !isStr || !strings.HasPrefix(g, "http") {
				return fmt.Sprintf("%s: want a URL, got %v", path, got)
			}
			return ""
		}
		if strings.HasPrefix(s, "<prefix>") {
			if !isStr || !strings.HasPrefix(g, strings.TrimPrefix(s, "<prefix>")) {
				return fmt.Sprintf("%s: want a string starting %q, got %v", path, strings.TrimPrefix(s, "<prefix>"), got)
			}
			return ""
		}
	}
	switch w := want.(type) {
	case orderedObject:
		g, ok := got.(orderedObject)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %v", path, got)
		}
		if strings.Join(w.keys, ",") != strings.Join(g.keys, ",") {
			return fmt.Sprintf("%s: want keys %v, got %v", path, w.keys, g.keys)
		}
		for _, k := range w.keys {
			if msg := diffOrdered(path+"."+k, w.values[k], g.values[k]); msg != "" {
				return msg
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: want %d items, got %v", path, len(w), got)
		}
		for i := range w {
			if msg := diffOrdered(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); msg != "" {
				return msg
			}
		}
		return ""
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return fmt.Sprintf("%s: want %v, got %v", path, want, got)
	}
	return ""
}

// subsetOf checks a response against one of Microsoft's examples, which
// the reference marks "shortened for readability": every property of the
// example is in the response with a value of the same JSON kind (an
// example's null stands for any value), objects recursively, an array's
// first item against the response's first; a response's null answers any
// scalar (Graph nulls what is not set, where an example shows a value).
// Values are compared only for @odata.context and @odata.type, and at the
// paths exact names.
func subsetOf(path string, want, got any, exact map[string]bool) string {
	if exact[path] || strings.HasSuffix(path, ".@odata.context") || strings.HasSuffix(path, ".@odata.type") {
		return diffOrdered(path, want, got)
	}
	switch w := want.(type) {
	case nil:
		return ""
	case orderedObject:
		g, ok := got.(orderedObject)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %v", path, got)
		}
		for _, k := range w.keys {
			gv, ok := g.values[k]
			if !ok {
				return fmt.Sprintf("%s: the example has %q, the response does not (it has %v)", path, k, g.keys)
			}
			if msg := subsetOf(path+"."+k, w.values[k], gv, exact); msg != "" {
				return msg
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: want an array, got %v", path, got)
		}
		if len(w) > 0 && len(g) > 0 {
			return subsetOf(path+"[0]", w[0], g[0], exact)
		}
		return ""
	case string:
		if got == nil {
			return ""
		}
		if _, ok := got.(string); !ok {
			return fmt.Sprintf("%s: want a string, got %v", path, got)
		}
	case bool:
		if got == nil {
			return ""
		}
		if _, ok := got.(bool); !ok {
			return fmt.Sprintf("%s: want true or false, got %v", path, got)
		}
	case json.Number:
		if got == nil {
			return ""
		}
		if _, ok := got.(json.Number); !ok {
			return fmt.Sprintf("%s: want a number, got %v", path, got)
		}
	}
	return ""
}
