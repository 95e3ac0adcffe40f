package scim

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

func TestProjectionLeavesTheResourceAlone(t *testing.T) {
	r, err := DecodeResource([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"a",
		"name":{"givenName":"A","familyName":"B"},"emails":[{"value":"a@x","type":"work"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(r)
	for _, q := range []string{"attributes=name.givenName,emails", "excludedAttributes=name.givenName,emails.type,userName"} {
		v, _ := url.ParseQuery(q)
		p, err := ParseProjection(v)
		if err != nil {
			t.Fatal(err)
		}
		out := p.Apply(r)
		// Changing the projection must not reach the resource either.
		if n, ok := out["name"].(map[string]any); ok {
			n["givenName"] = "changed"
		}
		if after, _ := json.Marshal(r); string(after) != string(before) {
			t.Fatalf("%s changed the resource:\n%s\n%s", q, before, after)
		}
	}
	if p, _ := ParseProjection(url.Values{}); !p.IsZero() || p.Apply(r)["userName"] != "a" {
		t.Error("no parameter should return the resource as it is")
	}
	if _, err := ParseProjection(url.Values{"attributes": {"a"}, "excludedattributes": {"b"}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("both parameters: %v, want invalidValue", err)
	}
}
