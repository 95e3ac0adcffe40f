package graph

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestGroupsAndMembers replays the "Create group" example (a security
// group), then adds, lists and removes a member with $ref.
func TestGroupsAndMembers(t *testing.T) {
	h := newHarness(t)
	resp, body := h.call(http.MethodPost, "/groups", map[string]any{
		"description": "Self help community for library", "displayName": "Library Assist",
		"mailEnabled": false, "mailNickname": "library", "securityEnabled": true,
	})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create group: %s %s", resp.Status, body)
	}
	h.matchFixture("create-group-response.json", body)
	var g struct{ ID string }
	json.Unmarshal(body, &g)

	adele := h.demo.Users[0]
	ref := map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + adele.ObjectID}
	if resp, body := h.call(http.MethodPost, "/groups/"+g.ID+"/members/$ref", ref); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("add member: %s %s", resp.Status, body)
	}
	resp, body = h.call(http.MethodPost, "/groups/"+g.ID+"/members/$ref", ref)
	if e := graphErr(t, body); resp.StatusCode != 400 || e.Message != "One or more added object references already exist for the following modified properties: 'members'." {
		t.Errorf("add twice: %s %q", resp.Status, e.Message)
	}
	l := h.list("/groups/" + g.ID + "/members")
	if len(l.Value) != 1 || l.Value[0]["@odata.type"] != "#microsoft.graph.user" || l.Value[0]["id"] != adele.ObjectID {
		t.Fatalf("members = %v", l.Value)
	}
	// $select picks properties; the type annotation stays, as typed SDKs
	// (Kiota's) need it to make a user of a directoryObject.
	l = h.list("/groups/" + g.ID + "/members?$select=id,displayName")
	if len(l.Value) != 1 || l.Value[0]["@odata.type"] != "#microsoft.graph.user" || l.Value[0]["displayName"] != adele.DisplayName || len(l.Value[0]) != 3 {
		t.Fatalf("members with $select = %v", l.Value)
	}
	if members, _ := h.dir.GroupMembers(t.Context(), g.ID); len(members) != 1 {
		t.Errorf("the directory has %d members", len(members))
	}

	if resp, body := h.call(http.MethodPatch, "/groups/"+g.ID, map[string]any{"description": "Library helpers", "displayName": "Library"}); resp.StatusCode != 204 {
		t.Fatalf("PATCH group: %s %s", resp.Status, body)
	}
	if got, _ := h.dir.Group(t.Context(), g.ID); got.DisplayName != "Library" || got.Description != "Library helpers" {
		t.Errorf("after PATCH: %+v", got)
	}

	if resp, body := h.call(http.MethodDelete, "/groups/"+g.ID+"/members/"+adele.ObjectID+"/$ref", nil); resp.StatusCode != 204 {
		t.Fatalf("remove member: %s %s", resp.Status, body)
	}
	if resp, _ := h.call(http.MethodDelete, "/groups/"+g.ID+"/members/"+adele.ObjectID+"/$ref", nil); resp.StatusCode != 404 {
		t.Errorf("remove a non-member: %s", resp.Status)
	}
	l = h.list("/groups?$filter=startswith(displayName,'Lib')")
	if len(l.Value) != 1 || l.Value[0]["mailNickname"] != "library" {
		t.Errorf("filtered groups = %v", l.Value)
	}
	if resp, _ := h.call(http.MethodDelete, "/groups/"+g.ID, nil); resp.StatusCode != 204 {
		t.Fatalf("delete group: %s", resp.Status)
	}
	if resp, _ := h.call(http.MethodGet, "/groups/"+g.ID, nil); resp.StatusCode != 404 {
		t.Errorf("GET deleted group: %s", resp.Status)
	}

	resp, body = h.call(http.MethodPost, "/groups", map[string]any{"displayName": "Sales", "mailEnabled": true,
		"mailNickname": "sales", "securityEnabled": false, "groupTypes": []string{"Unified"}})
	if e := graphErr(t, body); resp.StatusCode != 400 || e.Code != "Request_BadRequest" {
		t.Errorf("a Microsoft 365 group: %s %s", resp.Status, e.Message)
	}
}
