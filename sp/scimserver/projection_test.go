package scimserver

import (
	"net/http"
	"net/url"
	"sort"
	"testing"
)

// keysOf lists an object's attribute names, sorted.
func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := keysOf(m); !equalStrings(got, want) {
		t.Errorf("%s: attributes %q, want %q", what, got, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Babs Jensen as RFC 7643 §8.2 has her, trimmed.
const bjensen = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"externalId":"701984","userName":"bjensen@example.com",
	"name":{"formatted":"Ms. Barbara J Jensen, III","familyName":"Jensen","givenName":"Barbara"},
	"displayName":"Smith, Barbara",
	"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"}}`

// The examples of RFC 7644 §3.9 and §3.4.2, and the rest of §3.4.2.5:
// attributes returns only what is named plus id and schemas;
// excludedAttributes removes what is named except those; names ignore
// case, take schema URNs and sub-attributes; filters see the whole user.
func TestAttributesAndExcludedAttributes(t *testing.T) {
	h := newHarness(t)
	id := h.created(bjensen)
	h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ssmith@example.com","displayName":"Smiley, Sam","title":"Tour Guide"}`)
	h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jdoe@example.com","displayName":"Doe, Jane"}`)
	one := "/scim/v2/Users/" + id

	t.Run("RFC 7644 §3.9: GET /Users/{id}?attributes=userName", func(t *testing.T) {
		r := h.get(one + "?attributes=userName")
		mustStatus(t, r, http.StatusOK)
		got := r.json(t)
		sameJSON(t, "body", got, decode(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"`+id+`","userName":"bjensen@example.com"}`))
		if r.header.Get("ETag") == "" {
			t.Error("no ETag on a projected GET")
		}
	})

	t.Run("RFC 7644 §3.4.2: attributes=displayName with a filter", func(t *testing.T) {
		r := h.get("/scim/v2/Users?attributes=displayName&filter=" + url.QueryEscape(`displayName sw "smi"`))
		mustStatus(t, r, http.StatusOK)
		list := r.json(t)
		if list["totalResults"] != jsonInt(2) {
			t.Fatalf("totalResults %v, want 2", list["totalResults"])
		}
		// The RFC's example shows id and displayName; schemas is kept too,
		// as in §3.9's example, so each resource says what it is.
		for _, res := range list["Resources"].([]any) {
			sameKeys(t, "resource", res.(map[string]any), "schemas", "id", "displayName")
		}
	})

	t.Run("names ignore case, take URNs and sub-attributes", func(t *testing.T) {
		q := url.Values{"ATTRIBUTES": {"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:USERNAME,name.GIVENNAME,emails.value," +
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}}
		got := h.get(one + "?" + q.Encode()).json(t)
		sameJSON(t, "body", got, decode(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"`+id+`",
			"userName":"bjensen@example.com","name":{"givenName":"Barbara"},
			"emails":[{"value":"bjensen@example.com"},{"value":"babs@jensen.org"}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations"}}`))
	})

	t.Run("a whole extension and two sub-attributes of one attribute", func(t *testing.T) {
		got := h.get(one + "?attributes=" + url.QueryEscape("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,emails.type,emails.primary,meta")).json(t)
		sameKeys(t, "body", got, "schemas", "id", "emails", "meta", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
		sameJSON(t, "emails", got["emails"], decode(t, `[{"type":"work","primary":true},{"type":"home"}]`))
		sameKeys(t, "extension", got["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any), "employeeNumber", "department")
	})

	t.Run("excludedAttributes", func(t *testing.T) {
		got := h.get(one + "?excludedAttributes=" + url.QueryEscape("emails,meta,id,schemas,name.familyName,name.formatted,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber")).json(t)
		sameKeys(t, "body", got, "schemas", "id", "externalId", "userName", "name", "displayName", "active", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
		sameJSON(t, "name", got["name"], decode(t, `{"givenName":"Barbara"}`))
		sameJSON(t, "extension", got["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], decode(t, `{"department":"Tour Operations"}`))
		// The stored user is whole.
		sameKeys(t, "unprojected", h.get(one).json(t), "schemas", "id", "externalId", "userName", "name", "displayName", "emails", "active", "meta",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
	})

	t.Run("the filter sees what the projection leaves out", func(t *testing.T) {
		list := h.get("/scim/v2/Users?excludedAttributes=emails&filter=" + url.QueryEscape(`emails.value eq "babs@jensen.org"`)).json(t)
		if list["totalResults"] != jsonInt(1) {
			t.Fatalf("totalResults %v, want 1", list["totalResults"])
		}
		if _, ok := list["Resources"].([]any)[0].(map[string]any)["emails"]; ok {
			t.Error("emails returned despite excludedAttributes")
		}
	})

	t.Run("unknown names select nothing", func(t *testing.T) {
		sameKeys(t, "body", h.get(one+"?attributes=favouriteColour").json(t), "schemas", "id")
	})

	t.Run("POST, PUT and PATCH answers are projected", func(t *testing.T) {
		r := h.send("POST", "/scim/v2/Users?attributes=userName", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com","displayName":"New"}`)
		mustStatus(t, r, http.StatusCreated)
		created := r.json(t)
		sameKeys(t, "POST", created, "schemas", "id", "userName")
		if r.header.Get("Location") == "" {
			t.Error("no Location on a projected POST")
		}
		newOne := "/scim/v2/Users/" + created["id"].(string)
		r = h.send("PUT", newOne+"?excludedAttributes=meta,name", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com","displayName":"Renamed","name":{"givenName":"N"}}`)
		mustStatus(t, r, http.StatusOK)
		sameKeys(t, "PUT", r.json(t), "schemas", "id", "userName", "displayName", "active")
		r = h.send("PATCH", newOne+"?attributes=displayName", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Patched"}]}`)
		mustStatus(t, r, http.StatusOK)
		sameJSON(t, "PATCH", without(r.json(t), "id", "schemas"), decode(t, `{"displayName":"Patched"}`))
		// What was stored is the whole user.
		if got := h.get(newOne).json(t); got["name"] == nil || got["meta"] == nil {
			t.Errorf("the projection changed what was stored: %v", got)
		}
	})
}
