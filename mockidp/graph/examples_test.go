package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// fakeEngine answers provision on demand with a fixed result.
type fakeEngine struct{ res provisioning.OnDemandResult }

func (f fakeEngine) ProvisionOnDemand(context.Context, string, string) (provisioning.OnDemandResult, error) {
	return f.res, nil
}
func (fakeEngine) Restart(context.Context, string) error { return nil }

// TestRouteFamiliesAsDocumented replays the examples of Graph v1.0's
// reference pages for the guide's routes beyond users and groups
// (microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/api):
// applicationtemplate-instantiate, serviceprincipal-addtokensigningcertificate,
// serviceprincipal-post-approleassignedto, synchronization-synchronization-post-jobs,
// synchronization-synchronizationjob-get, synchronization-serviceprincipal-put-synchronization
// (secrets), synchronization-synchronizationjob-start and
// synchronization-synchronizationjob-provisionondemand. Each request is the
// page's, with the IDs of this tenant; each answer has the page's status
// and every property of its (shortened) example, with the same kinds.
// Where a request had to differ, the comment says why.
func TestRouteFamiliesAsDocumented(t *testing.T) {
	pod := provisioning.OnDemandResult{Action: provisioning.ActionOther, Status: provisioning.StatusSkipped,
		Steps: []provisioning.Step{
			{Name: provisioning.StepImport, Status: provisioning.StatusSuccess, Detail: "Retrieved User 'AdeleV@contoso.onmicrosoft.com' from Microsoft Entra ID"},
			{Name: provisioning.StepAction, Status: provisioning.StatusSkipped, Detail: "The state of the user in both the source and target systems already match."}},
		Logs: []provisioning.LogEntry{{Action: provisioning.ActionOther, Status: provisioning.StatusSkipped, Code: "RedundantExport",
			SourceName: "AdeleV@contoso.onmicrosoft.com", TargetID: "52507a19-96ec-4e73-9250-3e65ffd2d926"}}}
	h := newHarnessWith(t, func(c *Config) { c.Engine = fakeEngine{pod} })
	post := func(path, fixture string, status int) []byte {
		t.Helper()
		resp, body := h.call(http.MethodPost, path, readFixture(t, fixture))
		if resp.StatusCode != status {
			t.Fatalf("POST %s: %s %s, want %d", path, resp.Status, body, status)
		}
		return body
	}

	// applicationTemplate: instantiate (the non-gallery template's ID, as
	// the page says to use for non-gallery apps). The page says 201.
	body := post("/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate", "applicationtemplate-instantiate-request.json", http.StatusCreated)
	h.matchExample("applicationtemplate-instantiate-response.json", body, "$.application.signInAudience")
	var made struct {
		ServicePrincipal struct{ ID string }
	}
	json.Unmarshal(body, &made)
	spID := made.ServicePrincipal.ID
	sp := "/servicePrincipals/" + spID

	// addTokenSigningCertificate: the example's endDateTime (2024) is
	// before this test's clock; two years on instead.
	req := strings.Replace(readFixture(t, "serviceprincipal-addtokensigningcertificate-request.json"), "2024-01-25T00:00:00Z", t0.AddDate(2, 0, 0).Format(time.RFC3339), 1)
	resp, body := h.call(http.MethodPost, sp+"/addTokenSigningCertificate", req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("addTokenSigningCertificate: %s %s", resp.Status, body)
	}
	h.matchExample("serviceprincipal-addtokensigningcertificate-response.json", body, "$.displayName", "$.type", "$.usage")

	// appRoleAssignedTo: a group, as in the example, given the User role.
	var groups struct{ Value []struct{ ID string } }
	json.Unmarshal(h.mustCall(http.MethodGet, "/groups?$top=1&$select=id", nil, http.StatusOK), &groups)
	group := groups.Value[0].ID
	req = strings.NewReplacer("33ad69f9-da99-4bed-acd0-3f24235cb296", group, "9028d19c-26a9-4809-8e3f-20ff73e2d75e", spID,
		"ef7437e6-4f94-4a0a-a110-a439eb2aa8f7", UserRoleID).Replace(readFixture(t, "serviceprincipal-post-approleassignedto-request.json"))
	resp, body = h.call(http.MethodPost, sp+"/appRoleAssignedTo", req)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("appRoleAssignedTo: %s %s", resp.Status, body)
	}
	h.matchExample("serviceprincipal-post-approleassignedto-response.json", []byte(strings.ReplaceAll(string(body), spID, "9028d19c-26a9-4809-8e3f-20ff73e2d75e")), "$.principalType")

	// synchronization jobs: the example's template (BoxOutDelta) is
	// Box's; a non-gallery app's is scim (List templates says so).
	req = strings.Replace(readFixture(t, "synchronization-post-jobs-request.json"), "BoxOutDelta", syncTemplateID, 1)
	resp, body = h.call(http.MethodPost, sp+"/synchronization/jobs", req)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create the job: %s %s", resp.Status, body)
	}
	h.matchExample("synchronization-post-jobs-response.json", body, "$.status.code", "$.schedule.state")
	var job struct{ ID string }
	json.Unmarshal(body, &job)
	jobPath := sp + "/synchronization/jobs/" + job.ID

	// secrets: the example's four keys; its BaseAddress ("user@domain.com",
	// a placeholder) is a Tenant URL here, as the portal requires one.
	req = strings.Replace(readFixture(t, "synchronization-secrets-request.json"), "user@domain.com", "https://api.rudderstack.com/scim/v2", 1)
	if resp, body := h.call(http.MethodPut, sp+"/synchronization/secrets", req); resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("secrets: %s %s", resp.Status, body)
	}
	if resp, body := h.call(http.MethodPost, jobPath+"/start", nil); resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("start: %s %s", resp.Status, body)
	}
	resp, body = h.call(http.MethodGet, jobPath, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("get the job: %s %s", resp.Status, body)
	}
	h.matchExample("synchronizationjob-get-response.json", body)
	var got struct {
		Schedule struct{ State string }
		Status   struct{ Code string }
	}
	if json.Unmarshal(body, &got); got.Schedule.State != "Active" || got.Status.Code != "Active" {
		t.Errorf("a started job: schedule %q, status %q, want Active and Active", got.Schedule.State, got.Status.Code)
	}

	// provisionOnDemand: the example's body with a demo user's ID; the key
	// and value are JSON strings, each checked against the example's.
	req = strings.Replace(readFixture(t, "synchronizationjob-provisionondemand-request.json"), "9bb0f679-a883-4a6f-8260-35b491b8b8c8", h.demoUser("AdeleV").ObjectID, 1)
	resp, body = h.call(http.MethodPost, jobPath+"/provisionOnDemand", req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("provisionOnDemand: %s %s", resp.Status, body)
	}
	h.matchExample("synchronizationjob-provisionondemand-response.json", body)
	var pair struct{ Key, Value string }
	json.Unmarshal(body, &pair)
	h.matchExample("synchronizationjob-provisionondemand-key.json", []byte(pair.Key), "$.result", "$.details.errorCode")
	h.matchExample("synchronizationjob-provisionondemand-value.json", []byte(pair.Value), "$.action", "$.statusInfo.status",
		"$.provisioningSteps[0].type", "$.provisioningSteps[0].status", "$.targetSystem.name")
}
