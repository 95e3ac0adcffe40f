package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// graphCall sends a Graph request through the lab's client.
func graphCall(t testing.TB, l *Lab, token, method, u string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := l.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func graphToken(t testing.TB, l *Lab) string {
	t.Helper()
	info := l.Info()
	resp, err := l.Client().PostForm(info.GraphTokenURL, url.Values{"client_id": {info.GraphClientID}, "client_secret": {info.GraphClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %s %v", resp.Status, err)
	}
	return tok.AccessToken
}

// TestGraphChangesWhatSignInSees runs a script's steps through Graph under
// the production host names (login.microsoftonline.com for the token,
// graph.microsoft.com for the calls): a user created and added to the
// assigned group signs in to RudderStack; disabled, Entra refuses them.
func TestGraphChangesWhatSignInSees(t *testing.T) {
	l := startLab(t, Options{Mode: Rehearsal})
	info := l.Info()
	if info.GraphBaseURL != "https://graph.microsoft.com/v1.0" || !strings.HasPrefix(info.GraphTokenURL, "https://login.microsoftonline.com/"+info.TenantID+"/oauth2/v2.0/token") {
		t.Fatalf("Graph URLs: %s %s", info.GraphBaseURL, info.GraphTokenURL)
	}
	tok := graphToken(t, l)
	upn := "NestorW@" + info.TenantDomain
	status, body := graphCall(t, l, tok, http.MethodPost, info.GraphBaseURL+"/users", map[string]any{
		"accountEnabled": true, "displayName": "Nestor Wilke", "mailNickname": "NestorW", "userPrincipalName": upn,
		"mail": upn, "passwordProfile": map[string]any{"forceChangePasswordNextSignIn": false, "password": "Nestor-Pa55word"},
	})
	if status != http.StatusCreated {
		t.Fatalf("create user: %d %s", status, body)
	}
	var user struct{ ID string }
	json.Unmarshal(body, &user)
	if o := signIn(t, l, upn, "Nestor-Pa55word"); o.SignedIn || o.EntraCode != "AADSTS50105" {
		t.Fatalf("an unassigned user: %s", o)
	}
	status, body = graphCall(t, l, tok, http.MethodGet, info.GraphBaseURL+"/groups?$filter="+url.QueryEscape("displayName eq 'RudderStack Users'")+"&$select=id", nil)
	var groups struct{ Value []struct{ ID string } }
	if json.Unmarshal(body, &groups); status != 200 || len(groups.Value) != 1 {
		t.Fatalf("find the assigned group: %d %s", status, body)
	}
	if status, body := graphCall(t, l, tok, http.MethodPost, info.GraphBaseURL+"/groups/"+groups.Value[0].ID+"/members/$ref",
		map[string]string{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + user.ID}); status != http.StatusNoContent {
		t.Fatalf("add to group: %d %s", status, body)
	}
	if o := signIn(t, l, upn, "Nestor-Pa55word"); !o.SignedIn {
		t.Fatalf("a user assigned through the group: %s", o)
	}
	if status, body := graphCall(t, l, tok, http.MethodPatch, info.GraphBaseURL+"/users/"+upn, map[string]any{"accountEnabled": false}); status != http.StatusNoContent {
		t.Fatalf("disable: %d %s", status, body)
	}
	if o := signIn(t, l, upn, "Nestor-Pa55word"); o.SignedIn || o.EntraCode != "AADSTS50057" {
		t.Fatalf("a disabled user: %s", o)
	}
}

// TestGraphClientSurvivesRestartWithANewSecret: with a data directory the
// automation app keeps its client ID; the previous start's secret stops
// working, as the admin token does.
func TestGraphClientSurvivesRestartWithANewSecret(t *testing.T) {
	dir := t.TempDir()
	l1 := startLab(t, Options{DataDir: dir})
	info1 := l1.Info()
	if err := l1.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	l2 := startLab(t, Options{DataDir: dir})
	info2 := l2.Info()
	if info2.GraphClientID != info1.GraphClientID || info2.GraphClientSecret == info1.GraphClientSecret || info2.GraphClientSecret == "" {
		t.Fatalf("restart: client %s→%s, secret changed %v", info1.GraphClientID, info2.GraphClientID, info2.GraphClientSecret != info1.GraphClientSecret)
	}
	resp, err := l2.Client().PostForm(info2.GraphTokenURL, url.Values{"client_id": {info1.GraphClientID}, "client_secret": {info1.GraphClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the previous secret: %s, want 401", resp.Status)
	}
	graphToken(t, l2)
}

// TestGraphProvisionOnDemand provisions one user through Graph's
// provisionOnDemand on the demo app's job, then restarts the job; without
// the engine both say how to start it.
func TestGraphProvisionOnDemand(t *testing.T) {
	ctx := context.Background()
	l := startLab(t, Options{Provision: true, ProvisionInterval: time.Hour})
	info := l.Info()
	tok := graphToken(t, l)
	app, err := l.Directory.App(ctx, info.AppID)
	if err != nil {
		t.Fatal(err)
	}
	sp := info.GraphBaseURL + "/servicePrincipals/" + app.ServicePrincipalID
	status, body := graphCall(t, l, tok, http.MethodGet, sp+"/synchronization/jobs", nil)
	var jobs struct {
		Value []struct {
			ID     string
			Status struct{ Code string }
		}
	}
	if json.Unmarshal(body, &jobs); status != 200 || len(jobs.Value) != 1 || jobs.Value[0].Status.Code != "Active" {
		t.Fatalf("the demo app's job: %d %s", status, body)
	}
	job := sp + "/synchronization/jobs/" + jobs.Value[0].ID
	adele := demoUser(t, l, "AdeleV")
	u, err := l.Directory.UserByUPN(ctx, adele.UPN)
	if err != nil {
		t.Fatal(err)
	}
	status, body = graphCall(t, l, tok, http.MethodPost, job+"/provisionOnDemand", map[string]any{"parameters": []map[string]any{{
		"subjects": []map[string]string{{"objectId": u.ObjectID, "objectTypeName": "User"}}, "ruleId": "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8"}}})
	var pair struct{ Key, Value string }
	var result struct{ Result string }
	var run struct {
		Action            string
		ProvisioningSteps []struct{ Name, Status string }
	}
	json.Unmarshal(body, &pair)
	json.Unmarshal([]byte(pair.Key), &result)
	json.Unmarshal([]byte(pair.Value), &run)
	// Adele is created, or was already by the first cycle (Skipped, action
	// Other, as Graph's example for a user in sync).
	created := result.Result == "Success" && run.Action == "Create"
	inSync := result.Result == "Skipped" && run.Action == "Other"
	if n := len(run.ProvisioningSteps); status != 200 || !created && !inSync || n == 0 || run.ProvisioningSteps[n-1].Name != "Perform action" {
		t.Fatalf("provisionOnDemand: %d %s", status, body)
	}
	if _, err := l.Accounts.FindUserByUserName(ctx, info.OrgID, adele.UPN); err != nil {
		t.Fatalf("Adele is not in RudderStack after provision on demand: %v", err)
	}
	if status, body := graphCall(t, l, tok, http.MethodPost, job+"/restart", map[string]any{"criteria": map[string]string{"resetScope": "Full"}}); status != 204 {
		t.Fatalf("restart: %d %s", status, body)
	}

	plain := startLab(t, Options{})
	ptok := graphToken(t, plain)
	papp, _ := plain.Directory.App(ctx, plain.Info().AppID)
	_, body = graphCall(t, plain, ptok, http.MethodGet, plain.Info().GraphBaseURL+"/servicePrincipals/"+papp.ServicePrincipalID+"/synchronization/jobs", nil)
	json.Unmarshal(body, &jobs)
	pjob := plain.Info().GraphBaseURL + "/servicePrincipals/" + papp.ServicePrincipalID + "/synchronization/jobs/" + jobs.Value[0].ID
	if status, body := graphCall(t, plain, ptok, http.MethodPost, pjob+"/restart", map[string]any{}); status != 400 || !strings.Contains(string(body), "--provision") {
		t.Errorf("restart without an engine: %d %s", status, body)
	}
}

// TestClaimsPolicyThroughGraphIsWhatSignInIssues drives a claims mapping
// policy's whole life through Graph and signs in after each step: the
// claims a policy holds are the claims RudderStack receives, an update
// reaches the next sign-in, a policy still assigned cannot be deleted, and
// removing it gives the app back the claims it had.
func TestClaimsPolicyThroughGraphIsWhatSignInIssues(t *testing.T) {
	l := startLab(t, Options{})
	info := l.Info()
	g := info.GraphBaseURL
	tok := graphToken(t, l)
	call := func(method, path string, body any, want int) []byte {
		t.Helper()
		status, b := graphCall(t, l, tok, method, g+path, body)
		if status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, b)
		}
		return b
	}
	var sp struct{ ID string }
	json.Unmarshal(call(http.MethodGet, "/servicePrincipals(appId='"+info.AppID+"')", nil, http.StatusOK), &sp)
	definition := func(schema string) []string {
		return []string{`{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[` +
			`{"Source":"user","ID":"userprincipalname","SamlClaimType":"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"}` + schema + `]}}`}
	}
	var policy struct{ ID string }
	json.Unmarshal(call(http.MethodPost, "/policies/claimsMappingPolicies", map[string]any{
		"displayName": "Surname only", "definition": definition(`,{"Source":"user","ID":"surname","SamlClaimType":"LastName"}`)}, http.StatusCreated), &policy)
	ref := map[string]string{"@odata.id": g + "/policies/claimsMappingPolicies/" + policy.ID}
	call(http.MethodPost, "/servicePrincipals/"+sp.ID+"/claimsMappingPolicies/$ref", ref, http.StatusNoContent)

	adele := demoUser(t, l, "AdeleV")
	if o := signIn(t, l, adele.UPN, adele.Password); o.SignedIn || o.SPError == nil || !strings.Contains(o.SPError.Message, "email: The attribute is required") {
		t.Fatalf("a policy without Email: %s", o)
	}

	call(http.MethodPatch, "/policies/claimsMappingPolicies/"+policy.ID, map[string]any{
		"definition": definition(`,{"Source":"user","ID":"mail","SamlClaimType":"Email"},{"Source":"user","ID":"surname","SamlClaimType":"LastName"}`)}, http.StatusNoContent)
	o := signIn(t, l, adele.UPN, adele.Password)
	if !o.SignedIn || o.Me == nil || o.Me.LastName != "Vance" {
		t.Fatalf("the updated policy (LastName from surname): %s, %+v", o, o.Me)
	}

	if status, b := graphCall(t, l, tok, http.MethodDelete, g+"/policies/claimsMappingPolicies/"+policy.ID, nil); status != http.StatusBadRequest || !strings.Contains(string(b), "/claimsMappingPolicies/"+policy.ID+"/$ref") {
		t.Fatalf("deleting an assigned policy: %d %s", status, b)
	}
	var assigned struct {
		Value []struct{ ID, DisplayName string }
	}
	json.Unmarshal(call(http.MethodGet, "/servicePrincipals/"+sp.ID+"/claimsMappingPolicies", nil, http.StatusOK), &assigned)
	if len(assigned.Value) != 1 || assigned.Value[0].ID != policy.ID {
		t.Fatalf("the service principal's policies: %+v", assigned)
	}

	call(http.MethodDelete, "/servicePrincipals/"+sp.ID+"/claimsMappingPolicies/"+policy.ID+"/$ref", nil, http.StatusNoContent)
	o = signIn(t, l, adele.UPN, adele.Password)
	if !o.SignedIn || o.Me == nil || o.Me.LastName != "Adele Vance" {
		t.Fatalf("after removing the policy, the app's own claims (LastName from the display name): %s, %+v", o, o.Me)
	}
	call(http.MethodDelete, "/policies/claimsMappingPolicies/"+policy.ID, nil, http.StatusNoContent)
	call(http.MethodGet, "/policies/claimsMappingPolicies/"+policy.ID, nil, http.StatusNotFound)
}
