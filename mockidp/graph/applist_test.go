package graph

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestListServicePrincipalsByAppID: a script (or Graph's SDKs) holding an
// Application ID finds the service principal with
// GET /servicePrincipals?$filter=appId eq '…', the app registration with
// GET /applications?$filter=appId eq '…'; an unsupported filter is Graph's
// 400, never every app.
func TestListServicePrincipalsByAppID(t *testing.T) {
	h := newHarness(t)
	app := h.app()
	for _, tc := range []struct {
		path, wantID string
		wantContext  string
	}{
		{"/servicePrincipals?$filter=appId eq '" + app.AppID + "'", app.ServicePrincipalID, (h.ts.URL + "/v1.0") + "/$metadata#servicePrincipals"},
		{"/servicePrincipals?$filter=startswith(displayName,'Rudder')&$select=id,appId", app.ServicePrincipalID, (h.ts.URL + "/v1.0") + "/$metadata#servicePrincipals(id,appId)"},
		{"/applications?$filter=appId eq '" + app.AppID + "'", applicationObjectID(app.AppID), (h.ts.URL + "/v1.0") + "/$metadata#applications"},
	} {
		l := h.list(strings.ReplaceAll(tc.path, " ", "%20"))
		if len(l.Value) != 1 || l.Value[0]["id"] != tc.wantID || l.Value[0]["appId"] != app.AppID || l.Context != tc.wantContext {
			t.Errorf("GET %s = %s %v, want the one with id %s", tc.path, l.Context, l.Value, tc.wantID)
		}
	}
	if l := h.list("/servicePrincipals?$filter=appId%20eq%20'00000000-0000-0000-0000-000000000000'"); len(l.Value) != 0 {
		t.Errorf("an unknown appId matched %v", l.Value)
	}
	// Every property a service principal has can be selected.
	l := h.list("/servicePrincipals?$top=1")
	for name := range l.Value[0] {
		if !slices.Contains(servicePrincipalsSet.properties, name) {
			t.Errorf("servicePrincipalsSet lacks the property %q", name)
		}
	}
	resp, body := h.call(http.MethodGet, "/servicePrincipals?$filter=tags/any(t:t%20eq%20'x')", nil)
	if e := graphErr(t, body); resp.StatusCode != http.StatusBadRequest || e.Code == "" {
		t.Errorf("an unsupported filter: %s %s", resp.Status, body)
	}
}
