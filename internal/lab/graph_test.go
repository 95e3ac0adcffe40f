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
	if json.Unmarshal(body, &pair); status != 200 || !strings.HasPrefix(pair.Key, "Microsoft.Identity.Health") || !strings.Contains(pair.Value, "Perform action") {
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
