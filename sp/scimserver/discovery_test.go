package scimserver

import (
	"net/http"
	"testing"
)

func TestServiceProviderConfigSaysWhatIsSupported(t *testing.T) {
	h := newHarness(t)
	r := h.get("/scim/v2/ServiceProviderConfig")
	mustStatus(t, r, http.StatusOK)
	m := r.json(t)
	for _, tc := range []struct {
		feature string
		want    string
	}{
		{"patch", `{"supported":true}`},
		{"bulk", `{"supported":false,"maxOperations":0,"maxPayloadSize":0}`},
		{"filter", `{"supported":true,"maxResults":200}`},
		{"changePassword", `{"supported":false}`},
		{"sort", `{"supported":false}`},
		{"etag", `{"supported":true}`},
		{SchemaLimits, `{"maxRequestBytes":1048576}`},
	} {
		sameJSON(t, tc.feature, m[tc.feature], decode(t, tc.want))
	}
	golden(t, "service_provider_config.json", r.body, nil)
}

func TestResourceTypesListOnlyUser(t *testing.T) {
	h := newHarness(t)
	r := h.get("/scim/v2/ResourceTypes")
	mustStatus(t, r, http.StatusOK)
	m := r.json(t)
	if m["totalResults"] != jsonInt(1) || m["Resources"].([]any)[0].(map[string]any)["endpoint"] != "/Users" {
		t.Fatalf("resource types: %s", r.body)
	}
	golden(t, "resource_types.json", r.body, nil)
	one := h.get("/scim/v2/ResourceTypes/User")
	mustStatus(t, one, http.StatusOK)
	sameJSON(t, "ResourceTypes/User", one.json(t), m["Resources"].([]any)[0])
}

func TestSchemasDescribeTheSupportedUser(t *testing.T) {
	h := newHarness(t)
	r := h.get("/scim/v2/Schemas")
	mustStatus(t, r, http.StatusOK)
	m := r.json(t)
	if m["totalResults"] != jsonInt(2) {
		t.Fatalf("schemas: %s", r.body)
	}
	user := m["Resources"].([]any)[0].(map[string]any)
	names := map[string]map[string]any{}
	for _, a := range user["attributes"].([]any) {
		names[a.(map[string]any)["name"].(string)] = a.(map[string]any)
	}
	for _, absent := range []string{"password", "groups", "id", "meta"} {
		if _, ok := names[absent]; ok {
			t.Errorf("the User schema lists %s, which the server does not offer", absent)
		}
	}
	if un := names["userName"]; un["uniqueness"] != "server" || un["caseExact"] != false || un["required"] != true {
		t.Errorf("userName: %v", un)
	}
	golden(t, "schemas.json", r.body, nil)
	one := h.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
	mustStatus(t, one, http.StatusOK)
	sameJSON(t, "Schemas/enterprise", one.json(t), m["Resources"].([]any)[1])
	scimError(t, h.get("/scim/v2/Schemas/urn:nope"), http.StatusNotFound, "")
}
