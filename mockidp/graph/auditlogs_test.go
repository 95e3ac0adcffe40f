package graph

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

const edgeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"

func (h *harness) recordSignIns(t *testing.T) (adele, alex auditlog.SignIn) {
	t.Helper()
	app := h.app()
	var err error
	adele, err = h.signIns.Record(t.Context(), auditlog.SignIn{UserID: h.demo.Users[0].ObjectID, UserPrincipalName: h.demo.Users[0].UPN,
		UserDisplayName: "Adele Vance", AppID: app.AppID, AppDisplayName: app.Name, IPAddress: "203.0.113.7", UserAgent: edgeUA,
		CorrelationID: "0f5b3c8e-7a51-4b5e-9d63-1c1e5c6f4f10", Claims: []auditlog.Claim{{Name: "NameID", Value: h.demo.Users[0].UPN}},
		SAMLResponse: "<samlp:Response/>"})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Second)
	alexUser := h.demoUser("AlexW")
	alex, err = h.signIns.Record(t.Context(), auditlog.SignIn{UserID: alexUser.ObjectID, UserPrincipalName: alexUser.UPN,
		UserDisplayName: alexUser.DisplayName, AppID: app.AppID, AppDisplayName: app.Name, IPAddress: "203.0.113.7", UserAgent: edgeUA,
		CorrelationID: "d79f5bee-5860-4832-928f-3133e22ae912", ErrorCode: 50105,
		FailureReason: "Your administrator has configured the application RudderStack to block users unless they are specifically granted ('assigned') access to the application."})
	if err != nil {
		t.Fatal(err)
	}
	return adele, alex
}

// TestSignInLogsAsGraph: auditLogs/signIns in Graph's signIn shape,
// newest first, filtered by user, app, status and time, and paged.
func TestSignInLogsAsGraph(t *testing.T) {
	h := newHarness(t)
	if l := h.list("/auditLogs/signIns"); len(l.Value) != 0 || !strings.HasSuffix(l.Context, "$metadata#auditLogs/signIns") {
		t.Fatalf("empty log: %+v", l)
	}
	adele, alex := h.recordSignIns(t)
	_, body := h.call(http.MethodGet, "/auditLogs/signIns?$top=1", nil)
	h.matchFixture("signins.json", body)

	for filter, want := range map[string][]string{
		"userId eq '" + adele.UserID + "'":                        {adele.ID},
		"appId eq '" + h.app().AppID + "'":                        {alex.ID, adele.ID},
		"status/errorCode eq 0":                                   {adele.ID},
		"status/errorCode eq 50105":                               {alex.ID},
		"createdDateTime gt " + logTime(adele.CreatedAt):          {alex.ID},
		"startswith(userPrincipalName,'adele')":                   {adele.ID},
		"userPrincipalName eq 'AlexW@contoso.onmicrosoft.com'":    {alex.ID},
		"correlationId eq 'd79f5bee-5860-4832-928f-3133e22ae912'": {alex.ID},
	} {
		l := h.list("/auditLogs/signIns?$filter=" + url.QueryEscape(filter))
		var got []string
		for _, v := range l.Value {
			got = append(got, v["id"].(string))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %v, want %v", filter, got, want)
		}
	}
	resp, body := h.call(http.MethodGet, "/auditLogs/signIns?$filter="+url.QueryEscape("endswith(userPrincipalName,'x')"), nil)
	if e := graphErr(t, body); resp.StatusCode != 400 || e.Code != "Request_UnsupportedQuery" {
		t.Errorf("unsupported filter: %s %s", resp.Status, e.Code)
	}
	// The SAML response and claims are for the page, not Graph's shape.
	if strings.Contains(string(body), "samlp") {
		t.Error("the SAML response leaked into Graph's answer")
	}
	reader, err := h.srv.EnsureClient(t.Context(), "users only", []string{UserReadAll})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := h.callWith(h.tokenFor(reader), http.MethodGet, "/auditLogs/signIns", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without AuditLog.Read.All: %s", resp.Status)
	}
}

// TestProvisioningLogsAsGraph: the engine's entries as
// provisioningObjectSummary, newest first, with a step per SCIM request.
func TestProvisioningLogsAsGraph(t *testing.T) {
	h := newHarness(t)
	app := h.app()
	h.provisioning.entries = []provisioning.LogEntry{
		{ID: 1, AppID: app.AppID, CycleID: "c1", Time: t0, Action: provisioning.ActionCreate, Status: provisioning.StatusSuccess,
			ObjectType: "User", SourceID: h.demo.Users[0].ObjectID, SourceName: h.demo.Users[0].UPN, TargetID: "rs-1",
			Requests: []provisioning.Exchange{{Method: "GET", Path: "/scim/v2/Users?filter=userName+eq+%22a%22", Status: 200}, {Method: "POST", Path: "/scim/v2/Users", Status: 201}}},
		{ID: 2, AppID: app.AppID, CycleID: "c1", Time: t0.Add(time.Second), Action: provisioning.ActionUpdate, Status: provisioning.StatusFailure,
			ObjectType: "User", SourceID: h.demo.Users[1].ObjectID, SourceName: h.demo.Users[1].UPN, Code: "SystemForCrossDomainIdentityManagementBadRequest",
			Reason: "RudderStack refused the PATCH.", Requests: []provisioning.Exchange{{Method: "PATCH", Path: "/scim/v2/Users/rs-2", Status: 400, Detail: "Invalid value"}}},
	}
	l := h.list("/auditLogs/provisioning")
	if len(l.Value) != 2 || !strings.HasSuffix(l.Context, "$metadata#auditLogs/provisioning") {
		t.Fatalf("provisioning: %+v", l)
	}
	failed, created := l.Value[0], l.Value[1]
	b, _ := json.Marshal(failed)
	info := failed["provisioningStatusInfo"].(map[string]any)
	if errInfo, _ := info["errorInformation"].(map[string]any); failed["provisioningAction"] != "update" || info["status"] != "failure" ||
		errInfo["errorCode"] != "SystemForCrossDomainIdentityManagementBadRequest" {
		t.Errorf("failed entry: %s", b)
	}
	steps := created["provisioningSteps"].([]any)
	if created["provisioningAction"] != "create" || len(steps) != 3 ||
		steps[1].(map[string]any)["provisioningStepType"] != "matching" || steps[2].(map[string]any)["provisioningStepType"] != "export" {
		t.Errorf("created entry steps: %v", steps)
	}
	if sp := created["servicePrincipal"].(map[string]any); sp["id"] != app.ServicePrincipalID || sp["displayName"] != "RudderStack" {
		t.Errorf("servicePrincipal = %v", sp)
	}
	only := h.list("/auditLogs/provisioning?$filter=" + url.QueryEscape("provisioningStatusInfo/status eq 'failure'"))
	if len(only.Value) != 1 || only.Value[0]["id"] != failed["id"] {
		t.Errorf("filter by status: %v", only.Value)
	}
	bySource := h.list("/auditLogs/provisioning?$filter=" + url.QueryEscape("sourceIdentity/id eq '"+h.demo.Users[0].ObjectID+"'"))
	if len(bySource.Value) != 1 || bySource.Value[0]["id"] != created["id"] {
		t.Errorf("filter by user: %v", bySource.Value)
	}
}
