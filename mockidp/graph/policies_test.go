package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// TestClaimsMappingPoliciesAsDocumented replays the examples of Graph
// v1.0's claimsMappingPolicy pages (create, update, get, list; assign to,
// list on and remove from a service principal; delete), with the status
// each page gives and responses shaped as its example (testdata/
// claimsmappingpolicy-*.json, serviceprincipal-*-claimsmappingpolicies-*),
// and the policy's appliesTo.
func TestClaimsMappingPoliciesAsDocumented(t *testing.T) {
	h := newHarness(t)
	sp := "/servicePrincipals/" + h.app().ServicePrincipalID

	resp, body := h.call(http.MethodPost, "/policies/claimsMappingPolicies", readFixture(t, "claimsmappingpolicy-create-request.json"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %s %s", resp.Status, body)
	}
	h.matchFixture("claimsmappingpolicy-create-response.json", body)
	var first struct{ ID string }
	json.Unmarshal(body, &first)

	if resp, body := h.call(http.MethodPatch, "/policies/claimsMappingPolicies/"+first.ID, readFixture(t, "claimsmappingpolicy-update-request.json")); resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("update: %s %s", resp.Status, body)
	}
	resp, body = h.call(http.MethodGet, "/policies/claimsMappingPolicies/"+first.ID, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("get: %s %s", resp.Status, body)
	}
	h.matchFixture("claimsmappingpolicy-get-response.json", body)
	// The update example changes the name only: so does the mock.
	var got struct{ Definition []string }
	json.Unmarshal(body, &got)
	var req struct{ Definition []string }
	json.Unmarshal([]byte(readFixture(t, "claimsmappingpolicy-create-request.json")), &req)
	if len(got.Definition) != 1 || got.Definition[0] != req.Definition[0] {
		t.Errorf("a displayName update changed the definition: %v", got.Definition)
	}
	h.call(http.MethodPatch, "/policies/claimsMappingPolicies/"+first.ID, map[string]string{"displayName": "Test1234"})

	resp, body = h.call(http.MethodPost, "/policies/claimsMappingPolicies", map[string]any{"displayName": "TestclaimsPolicy", "definition": []string{
		`{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[{"Source":"user","ID":"mail","SamlClaimType":"Email"},{"Source":"user","ID":"surname","SamlClaimType":"LastName"}]}}`}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create the second: %s %s", resp.Status, body)
	}
	var second struct{ ID string }
	json.Unmarshal(body, &second)
	_, body = h.call(http.MethodGet, "/policies/claimsMappingPolicies", nil)
	h.matchFixture("claimsmappingpolicy-list-response.json", body)

	ref := strings.Replace(readFixture(t, "serviceprincipal-post-claimsmappingpolicies-request.json"), "{id}", second.ID, 1)
	if resp, body := h.call(http.MethodPost, sp+"/claimsMappingPolicies/$ref", ref); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("assign: %s %s", resp.Status, body)
	}
	resp, body = h.call(http.MethodGet, sp+"/claimsMappingPolicies", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list on the service principal: %s %s", resp.Status, body)
	}
	h.matchFixture("serviceprincipal-list-claimsmappingpolicies-response.json", body)
	resp, body = h.call(http.MethodGet, "/policies/claimsMappingPolicies/"+second.ID+"/appliesTo", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), h.app().ServicePrincipalID) {
		t.Fatalf("appliesTo: %s %s", resp.Status, body)
	}
	h.matchExample("claimsmappingpolicy-list-appliesto-response.json", body, "$.value[0].servicePrincipalType")
	// By appId too, as the reference allows.
	if resp, body := h.call(http.MethodGet, "/servicePrincipals(appId='"+h.app().AppID+"')/claimsMappingPolicies", nil); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), second.ID) {
		t.Errorf("list by appId: %s %s", resp.Status, body)
	}

	if resp, body := h.call(http.MethodDelete, sp+"/claimsMappingPolicies/"+second.ID+"/$ref", nil); resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("remove: %s %s", resp.Status, body)
	}
	if l := h.list(sp + "/claimsMappingPolicies"); len(l.Value) != 0 {
		t.Errorf("still listed after removal: %+v", l)
	}
	if l := h.list("/policies/claimsMappingPolicies/" + second.ID + "/appliesTo"); len(l.Value) != 0 {
		t.Errorf("appliesTo still lists it after removal: %+v", l)
	}
	for _, id := range []string{first.ID, second.ID} {
		if resp, body := h.call(http.MethodDelete, "/policies/claimsMappingPolicies/"+id, nil); resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Fatalf("delete: %s %s", resp.Status, body)
		}
	}
	resp, body = h.call(http.MethodGet, "/policies/claimsMappingPolicies/"+first.ID, nil)
	if e := graphErr(t, body); resp.StatusCode != http.StatusNotFound || e.Code != codeNotFound || !strings.Contains(e.Message, first.ID) {
		t.Fatalf("get after delete: %s %s", resp.Status, body)
	}
}

// TestClaimsMappingPolicyChangesTheAppsClaims: assigning makes the
// policy's claims the app's, an update of an assigned policy reaches the
// app, and removing gives back what the app had (the Name ID's format
// included).
func TestClaimsMappingPolicyChangesTheAppsClaims(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	app := h.app()
	sp := "/servicePrincipals/" + app.ServicePrincipalID
	before := h.appClaims(app.AppID)
	def := func(schema string) []string {
		return []string{`{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[` + schema + `]}}`}
	}
	id := h.createPolicy("Surname", def(`{"Source":"user","ID":"mail","SamlClaimType":"Email"},{"Source":"user","ID":"surname","SamlClaimType":"LastName"},`+
		`{"Source":"user","ID":"mail","SamlClaimType":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"}`))
	h.mustCall(http.MethodPost, sp+"/claimsMappingPolicies/$ref", map[string]string{"@odata.id": "https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/" + id}, http.StatusNoContent)
	a := h.appClaims(app.AppID)
	if a.NameID.Source != "user.mail" || a.NameID.Format != before.NameID.Format || len(a.Claims) != 2 || a.Claims[1].Source != "user.surname" {
		t.Fatalf("assigned: %+v", a)
	}

	h.mustCall(http.MethodPatch, "/policies/claimsMappingPolicies/"+id, map[string]any{"definition": def(`{"Source":"user","ID":"mail","SamlClaimType":"Email"}`)}, http.StatusNoContent)
	a = h.appClaims(app.AppID)
	// The new definition has no Name ID entry: the app's own comes back,
	// not the one the policy set before.
	if a.NameID != before.NameID || len(a.Claims) != 1 || a.Claims[0].Name != "Email" {
		t.Fatalf("after the update: %+v (before the policy %+v)", a, before)
	}

	h.mustCall(http.MethodDelete, sp+"/claimsMappingPolicies/"+id+"/$ref", nil, http.StatusNoContent)
	if a := h.appClaims(app.AppID); a.NameID != before.NameID || len(a.Claims) != len(before.Claims) || a.Claims[1] != before.Claims[1] {
		t.Fatalf("after removal: %+v, want %+v", a, before)
	}
	if _, err := h.dir.App(ctx, app.AppID); err != nil {
		t.Fatal(err)
	}
}

// TestClaimsMappingPolicyRefusals: each wrong request gets Graph's status
// and error code, and changes nothing.
func TestClaimsMappingPolicyRefusals(t *testing.T) {
	h := newHarness(t)
	app := h.app()
	sp := "/servicePrincipals/" + app.ServicePrincipalID
	def := []string{`{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[{"Source":"user","ID":"mail","SamlClaimType":"Email"}]}}`}
	a := h.createPolicy("A", def)
	b := h.createPolicy("B", def)
	refTo := func(id string) map[string]string {
		return map[string]string{"@odata.id": "https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/" + id}
	}
	h.mustCall(http.MethodPost, sp+"/claimsMappingPolicies/$ref", refTo(a), http.StatusNoContent)
	claims := h.appClaims(app.AppID)
	missing := "6b33aa8e-51f3-41a6-a0fd-d660d276197a"

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code, message      string
	}{
		{"get an unknown policy", http.MethodGet, "/policies/claimsMappingPolicies/" + missing, nil, 404, codeNotFound, "Resource '" + missing + "' does not exist"},
		{"update an unknown policy", http.MethodPatch, "/policies/claimsMappingPolicies/" + missing, map[string]string{"displayName": "x"}, 404, codeNotFound, missing},
		{"delete an unknown policy", http.MethodDelete, "/policies/claimsMappingPolicies/" + missing, nil, 404, codeNotFound, missing},
		{"a property the type lacks", http.MethodPatch, "/policies/claimsMappingPolicies/" + b, map[string]string{"colour": "blue"}, 400, "BadRequest", "The property 'colour' does not exist on type 'microsoft.graph.claimsMappingPolicy'"},
		{"an empty displayName", http.MethodPatch, "/policies/claimsMappingPolicies/" + b, map[string]string{"displayName": ""}, 400, "Request_BadRequest", "'displayName'"},
		{"a definition that is not a policy", http.MethodPatch, "/policies/claimsMappingPolicies/" + b, map[string]any{"definition": []string{`{"Version":1}`}}, 400, "Request_BadRequest", "Property definition has an invalid value"},
		{"an organization default", http.MethodPatch, "/policies/claimsMappingPolicies/" + b, map[string]bool{"isOrganizationDefault": true}, 400, "Request_BadRequest", "isOrganizationDefault"},
		{"create without a name", http.MethodPost, "/policies/claimsMappingPolicies", map[string]any{"definition": def}, 400, "Request_BadRequest", "A value is required for property 'displayName' of resource 'ClaimsMappingPolicy'."},
		{"create without a definition", http.MethodPost, "/policies/claimsMappingPolicies", map[string]any{"displayName": "x"}, 400, "Request_BadRequest", "A value is required for property 'definition'"},
		{"delete a policy still assigned", http.MethodDelete, "/policies/claimsMappingPolicies/" + a, nil, 400, "Request_BadRequest", "remove it from each with DELETE /servicePrincipals/{id}/claimsMappingPolicies/" + a + "/$ref"},
		{"assign the same policy again", http.MethodPost, sp + "/claimsMappingPolicies/$ref", refTo(a), 400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'claimsMappingPolicies'."},
		{"assign a second policy", http.MethodPost, sp + "/claimsMappingPolicies/$ref", refTo(b), 400, "Request_BadRequest", "a service principal holds one"},
		{"assign an unknown policy", http.MethodPost, sp + "/claimsMappingPolicies/$ref", refTo(missing), 404, codeNotFound, missing},
		{"remove a policy not assigned", http.MethodDelete, sp + "/claimsMappingPolicies/" + b + "/$ref", nil, 404, codeNotFound, b},
		{"list on an unknown service principal", http.MethodGet, "/servicePrincipals/" + missing + "/claimsMappingPolicies", nil, 404, codeNotFound, missing},
		{"a query option the list lacks", http.MethodGet, "/policies/claimsMappingPolicies?$orderby=displayName", nil, 400, codeUnsupportedQuery, "Sorting not supported"},
		{"a method the route lacks", http.MethodPut, "/policies/claimsMappingPolicies/" + a, map[string]string{}, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.call(tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s: %s %s, want %d", tc.method, tc.path, resp.Status, body, tc.status)
			}
			if e := graphErr(t, body); e.Code != tc.code || !strings.Contains(e.Message, tc.message) {
				t.Errorf("error %s %q, want %s containing %q", e.Code, e.Message, tc.code, tc.message)
			}
		})
	}
	if got := h.appClaims(app.AppID); got.NameID != claims.NameID || len(got.Claims) != len(claims.Claims) {
		t.Errorf("a refused request changed the claims: %+v, was %+v", got, claims)
	}
	var p struct{ DisplayName string }
	json.Unmarshal(h.mustCall(http.MethodGet, "/policies/claimsMappingPolicies/"+b, nil, http.StatusOK), &p)
	if p.DisplayName != "B" {
		t.Errorf("a refused update renamed the policy to %q", p.DisplayName)
	}
}

// TestClaimsMappingPolicyPermissions: reading policies takes
// Policy.Read.All (or the write permission); a service principal's
// policies need an application permission as well, as the reference's
// pairs say.
func TestClaimsMappingPolicyPermissions(t *testing.T) {
	h := newHarness(t)
	sp := "/servicePrincipals/" + h.app().ServicePrincipalID
	token := func(name string, perms ...string) string {
		c, err := h.srv.EnsureClient(context.Background(), name, perms)
		if err != nil {
			t.Fatal(err)
		}
		return h.tokenFor(c)
	}
	reader := token("policy reader", PolicyReadAll)
	appsOnly := token("apps only", ApplicationReadWriteAll)
	both := token("apps and policy reader", ApplicationReadWriteAll, PolicyReadAll)
	for _, tc := range []struct {
		name, token, method, path string
		body                      any
		status                    int
	}{
		{"Policy.Read.All lists", reader, http.MethodGet, "/policies/claimsMappingPolicies", nil, 200},
		{"Policy.Read.All cannot create", reader, http.MethodPost, "/policies/claimsMappingPolicies", map[string]any{"displayName": "x"}, 403},
		{"Policy.Read.All alone cannot list a service principal's", reader, http.MethodGet, sp + "/claimsMappingPolicies", nil, 403},
		{"Application.ReadWrite.All alone cannot either", appsOnly, http.MethodGet, sp + "/claimsMappingPolicies", nil, 403},
		{"the two together can", both, http.MethodGet, sp + "/claimsMappingPolicies", nil, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp, body := h.callWith(tc.token, tc.method, tc.path, tc.body); resp.StatusCode != tc.status {
				t.Fatalf("%s: %s %s, want %d", tc.path, resp.Status, body, tc.status)
			}
		})
	}
}

func (h *harness) createPolicy(name string, definition []string) string {
	h.t.Helper()
	var p struct{ ID string }
	json.Unmarshal(h.mustCall(http.MethodPost, "/policies/claimsMappingPolicies", map[string]any{"displayName": name, "definition": definition}, http.StatusCreated), &p)
	return p.ID
}

func (h *harness) mustCall(method, path string, body any, status int) []byte {
	h.t.Helper()
	resp, b := h.call(method, path, body)
	if resp.StatusCode != status {
		h.t.Fatalf("%s %s: %s %s, want %d", method, path, resp.Status, b, status)
	}
	return b
}

// appClaims is the app's Attributes & Claims as the directory holds them,
// what the next sign-in issues.
func (h *harness) appClaims(appID string) appClaims {
	h.t.Helper()
	a, err := h.dir.App(context.Background(), appID)
	if err != nil {
		h.t.Fatal(err)
	}
	return appClaims{NameID: a.NameID, Claims: append([]directory.Claim(nil), a.Claims...)}
}
