package scimserver

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestDeleteDoesNotRemoveTheUser(t *testing.T) {
	h := newHarness(t)
	id := h.created(entraUser)
	before, _ := h.store.GetUser(h.ctx, h.org.ID, id)
	detail := scimError(t, h.send("DELETE", "/scim/v2/Users/"+id, ""), http.StatusNotImplemented, "")
	for _, w := range []string{"does not remove users", "left unchanged (active)", "untick Delete", "Target Object Actions"} {
		if !strings.Contains(detail, w) {
			t.Errorf("detail %q lacks %q", detail, w)
		}
	}
	after, err := h.store.GetUser(h.ctx, h.org.ID, id)
	if err != nil || after.Version != before.Version || !after.Active || !bytes.Equal(after.SCIM, before.SCIM) {
		t.Fatalf("DELETE changed the user: %+v %v", after, err)
	}
	mustStatus(t, h.get("/scim/v2/Users/"+id), http.StatusOK)
	scimError(t, h.send("DELETE", "/scim/v2/Users/no-such-id", ""), http.StatusNotFound, "")
}

func TestGroupsAreNotSupported(t *testing.T) {
	h := newHarness(t)
	for _, r := range []req{
		{method: "GET", path: "/scim/v2/Groups?excludedAttributes=members&filter=displayName+eq+%22Engineering%22"},
		{method: "POST", path: "/scim/v2/Groups", body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering"}`},
		{method: "PATCH", path: "/scim/v2/Groups/g1", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"}]}]}`},
		{method: "DELETE", path: "/scim/v2/Groups/g1"},
		{method: "GET", path: "/scim/v2/ResourceTypes/Group"},
	} {
		detail := scimError(t, h.do(r), http.StatusNotFound, "")
		for _, w := range []string{"push groups", `"Provision Microsoft Entra ID Groups"`, "Enabled to No"} {
			if !strings.Contains(detail, w) {
				t.Errorf("%s %s: detail %q lacks %q", r.method, r.path, detail, w)
			}
		}
	}
}

func TestOptionalEndpointsAreNotImplemented(t *testing.T) {
	h := newHarness(t)
	for _, r := range []req{
		{method: "POST", path: "/scim/v2/Bulk", body: `{}`},
		{method: "GET", path: "/scim/v2/Me"},
		{method: "POST", path: "/scim/v2/Users/.search", body: `{}`},
		{method: "POST", path: "/scim/v2/.search", body: `{}`},
	} {
		scimError(t, h.do(r), http.StatusNotImplemented, "")
	}
}
