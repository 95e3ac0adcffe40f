package graph

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// TestGuideSetupThroughGraph does the guide's Entra steps with Graph calls,
// as an admin script would, and checks the directory holds what the
// portal would: the app, its Basic SAML Configuration, claims, assignment,
// signing certificate and Provisioning page.
func TestGuideSetupThroughGraph(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	resp, body := h.call(http.MethodPost, "/applicationTemplates/"+NonGalleryTemplateID+"/instantiate", map[string]string{"displayName": "RudderStack (Graph)"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("instantiate: %s %s", resp.Status, body)
	}
	var made struct {
		Context     string `json:"@odata.context"`
		Application struct {
			ID, AppID string
		}
		ServicePrincipal struct {
			ID    string
			AppID string
		}
	}
	json.Unmarshal(body, &made)
	if !strings.HasSuffix(made.Context, "$metadata#microsoft.graph.applicationServicePrincipal") || made.Application.AppID == "" || made.ServicePrincipal.AppID != made.Application.AppID {
		t.Fatalf("instantiate answered %s", body)
	}
	app, sp := "/applications/"+made.Application.ID, "/servicePrincipals/"+made.ServicePrincipal.ID
	const entity, acs = "urn:amazon:cognito:sp:us-east-1_XYZ", "https://auth2.rudderstack.com/saml2/idpresponse"
	steps := []struct {
		method, path string
		body         any
		status       int
	}{
		{http.MethodPatch, sp, map[string]any{"preferredSingleSignOnMode": "saml", "appRoleAssignmentRequired": true}, 204},
		{http.MethodPatch, app, map[string]any{"identifierUris": []string{entity}, "web": map[string]any{"redirectUris": []string{acs}}}, 204},
		{http.MethodPatch, sp, map[string]any{"loginUrl": acs, "samlSingleSignOnSettings": map[string]any{"relayState": ""}}, 204},
		{http.MethodPost, sp + "/appRoleAssignedTo", map[string]any{"principalId": h.demoUser("AdeleV").ObjectID, "resourceId": made.ServicePrincipal.ID, "appRoleId": UserRoleID}, 201},
		{http.MethodPost, sp + "/synchronization/jobs", map[string]any{"templateId": "scim"}, 201},
		{http.MethodPut, sp + "/synchronization/secrets", map[string]any{"value": []map[string]string{
			{"key": "BaseAddress", "value": "https://api.rudderstack.com/scim/v2"}, {"key": "SecretToken", "value": "rspat_secret-token-for-the-test"}}}, 204},
	}
	for _, st := range steps {
		if resp, body := h.call(st.method, st.path, st.body); resp.StatusCode != st.status {
			t.Fatalf("%s %s: %s %s", st.method, st.path, resp.Status, body)
		}
	}
	policy := `{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"false","ClaimsSchema":[` +
		`{"Source":"user","ID":"mail","SamlClaimType":"Email"},{"Source":"user","ID":"displayname","SamlClaimType":"LastName"},` +
		`{"Source":"user","ID":"userprincipalname","SamlClaimType":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"}]}}`
	resp, body = h.call(http.MethodPost, "/policies/claimsMappingPolicies", map[string]any{"definition": []string{policy}, "displayName": "RudderStack claims"})
	if resp.StatusCode != 201 {
		t.Fatalf("claims policy: %s %s", resp.Status, body)
	}
	var pol struct{ ID string }
	json.Unmarshal(body, &pol)
	if resp, body := h.call(http.MethodPost, sp+"/claimsMappingPolicies/$ref", map[string]string{"@odata.id": "https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/" + pol.ID}); resp.StatusCode != 204 {
		t.Fatalf("assign the policy: %s %s", resp.Status, body)
	}
	// A second certificate, made active.
	resp, body = h.call(http.MethodPost, sp+"/addTokenSigningCertificate", map[string]any{"displayName": "CN=RudderStack", "endDateTime": t0.AddDate(2, 0, 0).Format(time.RFC3339)})
	var cert struct{ Thumbprint, Key string }
	if json.Unmarshal(body, &cert); resp.StatusCode != 200 || cert.Thumbprint == "" || cert.Key == "" {
		t.Fatalf("addTokenSigningCertificate: %s %s", resp.Status, body)
	}
	if resp, body := h.call(http.MethodPatch, sp, map[string]any{"preferredTokenSigningKeyThumbprint": cert.Thumbprint}); resp.StatusCode != 204 {
		t.Fatalf("activate the certificate: %s %s", resp.Status, body)
	}
	resp, body = h.call(http.MethodGet, sp+"/synchronization/jobs", nil)
	var jobs struct{ Value []struct{ ID string } }
	if json.Unmarshal(body, &jobs); len(jobs.Value) != 1 {
		t.Fatalf("jobs: %s", body)
	}
	job := sp + "/synchronization/jobs/" + jobs.Value[0].ID
	if resp, body := h.call(http.MethodPost, job+"/start", nil); resp.StatusCode != 204 {
		t.Fatalf("start: %s %s", resp.Status, body)
	}
	_, body = h.call(http.MethodGet, job, nil)
	if !strings.Contains(string(body), `"code":"Active"`) || strings.Contains(string(body), "rspat_") {
		t.Errorf("job after start: %s", body)
	}

	a, err := h.dir.App(ctx, made.Application.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if a.DefaultIdentifier() != entity || a.DefaultReplyURL() != acs || a.SAML.SignOnURL != acs || !a.AssignmentRequired {
		t.Errorf("Basic SAML Configuration: %+v", a.SAML)
	}
	if a.NameID.Source != "user.userprincipalname" || len(a.Claims) != 2 || a.Claims[0] != (directory.Claim{Name: "Email", Source: "user.mail"}) ||
		a.Claims[1] != (directory.Claim{Name: "LastName", Source: "user.displayname"}) {
		t.Errorf("claims: %+v %+v", a.NameID, a.Claims)
	}
	if ok, _ := h.dir.IsAssigned(ctx, a.AppID, h.demoUser("AdeleV").ObjectID); !ok {
		t.Error("Adele is not assigned")
	}
	certs, _ := h.dir.Certificates(ctx, a.AppID)
	for _, c := range certs {
		if c.Active != (c.Thumbprint == cert.Thumbprint) {
			t.Errorf("certificate %s active=%v", c.Thumbprint, c.Active)
		}
	}
	p, _ := h.dir.Provisioning(ctx, a.AppID)
	if p.TenantURL != "https://api.rudderstack.com/scim/v2" || p.SecretToken.Reveal() != "rspat_secret-token-for-the-test" || !p.Enabled {
		t.Errorf("provisioning: %+v", p)
	}
	// The alternate key finds the same service principal.
	resp, body = h.call(http.MethodGet, "/servicePrincipals(appId='"+a.AppID+"')", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"loginUrl":"`+acs+`"`) {
		t.Errorf("GET by appId: %s %s", resp.Status, body)
	}
}

// TestAppWritesRefuseWhatTheMockDoesNotHold: properties and templates the
// mock does not model are refused, never dropped.
func TestAppWritesRefuseWhatTheMockDoesNotHold(t *testing.T) {
	h := newHarness(t)
	sp := "/servicePrincipals/" + h.app().ServicePrincipalID
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		says         string
	}{
		{http.MethodPost, "/applicationTemplates/229946b9-a9fb-45b8-9531-efa47453ac9e/instantiate", map[string]string{"displayName": "x"}, 404, "only the non-gallery template"},
		{http.MethodPatch, sp, map[string]any{"preferredSingleSignOnMode": "oidc"}, 400, "SAML single sign-on only"},
		{http.MethodPatch, sp, map[string]any{"notes": "x"}, 400, "cannot change 'notes'"},
		{http.MethodPatch, sp, map[string]any{"preferredTokenSigningKeyThumbprint": "00"}, 400, "no signing certificate"},
		{http.MethodPatch, "/applications/" + applicationObjectID(h.app().AppID), map[string]any{"web": map[string]any{"redirectUris": []string{"http://rudderstack.example/acs"}}}, 400, "web.redirectUris"},
		{http.MethodPost, sp + "/appRoleAssignedTo", map[string]any{"principalId": h.demoUser("AdeleV").ObjectID, "resourceId": h.app().ServicePrincipalID, "appRoleId": UserRoleID}, 400, "already exists"},
		{http.MethodPut, sp + "/synchronization/secrets", map[string]any{"value": []map[string]string{{"key": "SyncAll", "value": "true"}}}, 400, "SyncAll"},
	} {
		resp, body := h.call(c.method, c.path, c.body)
		if e := graphErr(t, body); resp.StatusCode != c.status || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s %s: %s %q, want %d saying %q", c.method, c.path, resp.Status, e.Message, c.status, c.says)
		}
	}
}
