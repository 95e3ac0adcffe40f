package tui

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// flatten lists a setup's values by their file paths ("saml.reply_url",
// "claims.additional[0].source"), so two setups can be compared field by
// field.
func flatten(s setup.Setup) map[string]string {
	out := map[string]string{}
	flattenValue(reflect.ValueOf(s), "", out)
	return out
}

func flattenValue(v reflect.Value, path string, out map[string]string) {
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || (path == "" && name == "wizard") {
				// The wizard's progress is not a value the admin types.
				continue
			}
			child := name
			if path != "" {
				child = path + "." + name
			}
			flattenValue(v.Field(i), child, out)
		}
	case reflect.Slice:
		if v.IsNil() {
			out[path] = "<nil>"
			return
		}
		out[path+".len"] = fmt.Sprint(v.Len())
		for i := range v.Len() {
			flattenValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		out[path] = fmt.Sprint(v.Interface())
	}
}

// changedFields lists the paths whose values differ between a and b,
// sorted.
func changedFields(a, b setup.Setup) []string {
	fa, fb := flatten(a), flatten(b)
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		p = strings.TrimSuffix(p, ".len")
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for p, v := range fa {
		if fb[p] != v {
			add(p)
		}
	}
	for p := range fb {
		if _, ok := fa[p]; !ok {
			add(p)
		}
	}
	sort.Strings(out)
	return out
}

// sameSetup reports whether two setups hold the same values.
func sameSetup(a, b setup.Setup) bool { return len(changedFields(a, b)) == 0 }
