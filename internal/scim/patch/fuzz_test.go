package patch

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// FuzzApply: no document and body panic; the input is never modified; a
// failure is always a 400 SCIM error; a success yields a document that
// round-trips through JSON unchanged (and still has no two names equal
// ignoring case), and "unchanged" is reported truthfully. Seeds are in
// testdata/fuzz/FuzzApply: the stored user and group with every PATCH
// body of reference §4.4-§4.6 and §8, in both Entra dialects.
func FuzzApply(f *testing.F) {
	f.Fuzz(func(t *testing.T, docJSON, body []byte, group bool) {
		r, err := scim.DecodeResource(docJSON)
		if err != nil {
			return
		}
		rt := scim.UserType()
		if group {
			rt = scim.GroupType()
		}
		before := r.Clone()
		out, changed, err := ApplyJSON(rt, r, body)
		if !reflect.DeepEqual(r, before) {
			t.Fatalf("the input document was modified")
		}
		if err != nil {
			if e := scim.ErrorFrom(err); e.Status != 400 || e.ScimType == "" {
				t.Fatalf("failure %v became %d %q, want a 400 with a scimType", err, e.Status, e.ScimType)
			}
			return
		}
		data, err := json.Marshal(out)
		if err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
		back, err := scim.DecodeResource(data)
		if err != nil {
			t.Fatalf("result %s does not decode: %v", data, err)
		}
		if !reflect.DeepEqual(back, out) {
			t.Fatalf("result does not round-trip through JSON:\n%s", data)
		}
		if !changed && !reflect.DeepEqual(out, r) {
			t.Fatalf("changed=false but the document differs")
		}
	})
}

// FuzzApplyOp is FuzzApply with the operation split into fields, so the
// fuzzer mutates paths and values rather than breaking the JSON around
// them. Seeds are in testdata/fuzz/FuzzApplyOp.
func FuzzApplyOp(f *testing.F) {
	f.Fuzz(func(t *testing.T, docJSON []byte, op, path string, value []byte, group bool) {
		r, err := scim.DecodeResource(docJSON)
		if err != nil {
			return
		}
		var v any
		if len(value) > 0 {
			if v, err = scim.DecodeJSON(value); err != nil {
				return
			}
		}
		rt := scim.UserType()
		if group {
			rt = scim.GroupType()
		}
		before := r.Clone()
		out, changed, err := Apply(rt, r, scim.NewPatchOp(scim.Operation{Op: op, Path: path, Value: v}))
		if !reflect.DeepEqual(r, before) {
			t.Fatalf("the input document was modified")
		}
		if err != nil {
			if e := scim.ErrorFrom(err); e.Status != 400 || e.ScimType == "" {
				t.Fatalf("failure %v became %d %q, want a 400 with a scimType", err, e.Status, e.ScimType)
			}
			return
		}
		data, err := json.Marshal(out)
		if err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
		back, err := scim.DecodeResource(data)
		if err != nil || !reflect.DeepEqual(back, out) {
			t.Fatalf("result does not round-trip through JSON (%v):\n%s", err, data)
		}
		if !changed && !reflect.DeepEqual(out, r) {
			t.Fatalf("changed=false but the document differs")
		}
	})
}
