package scim

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParsePatchOp(t *testing.T) {
	p, err := ParsePatchOp([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp","urn:example:ignored"],
		"operations":[{"op":"Replace","path":"active","value":"False"},{"Op":"remove","Path":"members[value eq \"7f4b\"]"},{"op":"replace","value":{"name.givenName":"Kkom"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Operations) != 3 || p.Operations[0].Kind() != OpReplace || p.Operations[0].Op != "Replace" ||
		p.Operations[1].Kind() != OpRemove || p.Operations[1].Path != `members[value eq "7f4b"]` || p.Operations[2].Path != "" {
		t.Errorf("ParsePatchOp = %+v", p)
	}
	for _, tc := range []struct{ name, body, fragment string }{
		{"no schemas", `{"Operations":[{"op":"add","path":"a","value":1}]}`, "schemas must list urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		{"no Operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, "no Operations array"},
		{"empty Operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`, "non-empty array"},
		{"operation not an object", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":["x"]}`, "Operations[0]: invalid request syntax: an operation must be an object"},
		{"missing op", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"path":"a"}]}`, "op is missing"},
		{"unknown op", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"a","value":1},{"op":"Update","path":"a"}]}`, `Operations[1]: invalid request syntax: op "Update" is not add, replace or remove`},
		{"path not a string", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":1}]}`, "path must be a string"},
		{"not JSON", `{"schemas":`, "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePatchOp([]byte(tc.body))
			if !errors.Is(err, ErrInvalidSyntax) || !strings.Contains(err.Error(), tc.fragment) {
				t.Errorf("err = %v, want invalidSyntax mentioning %q", err, tc.fragment)
			}
		})
	}
	_, err = ParsePatchOp([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace"}]}`))
	if !errors.Is(err, ErrInvalidValue) {
		t.Errorf("path-less replace without a value: %v", err)
	}
}

func TestPatchOpMarshal(t *testing.T) {
	// The body Entra sends to add a group member (reference §8 step 5).
	op := NewPatchOp(Operation{Op: "Add", Path: "members", Value: []any{map[string]any{"$ref": nil, "value": "f648f8d5ea4e4cd38e9c"}}})
	data, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]}`
	if string(data) != want {
		t.Errorf("Marshal = %s\nwant %s", data, want)
	}
	data, _ = json.Marshal(PatchOp{Operations: []Operation{{Op: "replace", Path: "active", Value: false}}})
	if want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`; string(data) != want {
		t.Errorf("Marshal = %s\nwant %s", data, want)
	}
}
