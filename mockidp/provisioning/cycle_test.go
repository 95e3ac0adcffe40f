package provisioning

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

var dialects = []Dialect{DialectDefault, DialectSCIM}

func filterPath(attr, value string) string {
	return "/Users?" + url.Values{"filter": {attr + " eq " + quoteFilter(value)}}.Encode()
}

// An initial cycle matches each assigned user by userName, POSTs the full
// body, and then links managers with a PATCH (reference §4.1); an
// unassigned user is never touched. The second cycle sends nothing.
func TestInitialCycleRequestOrder(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, withDialect(d))
			bob := f.user("bob", true, nil)
			alice := f.user("alice", true, func(u *directory.User) { u.Manager = bob.ObjectID; u.JobTitle = "Engineer" })
			f.user("carol", false, nil)

			rep := f.cycle()
			if rep.Kind != CycleInitial || rep.Outcome != OutcomeCompleted || rep.Counts.Created != 2 || rep.Counts.Updated != 1 {
				t.Fatalf("report = %+v", rep)
			}
			reqs := f.srv.Requests()
			got := make([]string, len(reqs))
			for i, r := range reqs {
				got[i] = r.String()
			}
			aliceID, bobID := "u1", "u2"
			assertStrings(t, "requests", got, []string{
				"GET " + filterPath("userName", alice.UserPrincipalName),
				"POST /Users",
				"GET " + filterPath("userName", bob.UserPrincipalName),
				"POST /Users",
				"PATCH /Users/" + aliceID,
			})
			if ct := reqs[1].Header.Get("Content-Type"); ct != "application/scim+json; charset=utf-8" {
				t.Errorf("POST Content-Type = %q", ct)
			}
			assertJSON(t, "POST alice", reqs[1].Body, `{
				"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
				"externalId": "alice", "userName": "alice@contoso.onmicrosoft.com", "active": true, "displayName": "Alice", "title": "Engineer",
				"emails": [{"primary": true, "type": "work", "value": "alice@contoso.com"}],
				"name": {"formatted": "Alice Doe", "familyName": "Doe", "givenName": "Alice"},
				"meta": {"resourceType": "User"}, "roles": []}`)
			op := "Add"
			if d == DialectSCIM {
				op = "add"
			}
			assertJSON(t, "manager PATCH", reqs[4].Body, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
				"Operations":[{"op":%q,"path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":%q}]}`, op, bobID))
			if u, _ := f.srv.UserByName(alice.UserPrincipalName); u.ManagerID() != bobID {
				t.Errorf("alice's manager in the server = %q", u.ManagerID())
			}

			f.srv.ResetRequests()
			rep = f.cycle()
			if rep.Kind != CycleIncremental || rep.Requests != 0 || len(f.srv.Requests()) != 0 {
				t.Errorf("second cycle sent %d requests: %q", rep.Requests, f.requests())
			}
			st := f.status()
			if !st.InitialCycleDone || st.Users != 2 || st.Escrowed != 0 || st.Quarantine != nil {
				t.Errorf("status = %+v", st)
			}
		})
	}
}

// A user already in the target (made by JIT sign-in, say) is matched and
// only the differing attributes are PATCHed: Add for what the target
// lacks, Replace for what differs (reference §4.1, §4.4). No POST.
func TestExistingUserIsAdopted(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, withDialect(d))
			f.srv.PutUser(scim.Resource{"userName": "ALICE@contoso.onmicrosoft.com", "active": true, "displayName": "Alice J",
				"emails": []any{map[string]any{"type": "work", "value": "alice@contoso.com"}},
				"name":   map[string]any{"givenName": "Alice", "familyName": "Doe"}})
			alice := f.user("alice", true, func(u *directory.User) { u.Department = "Sales" })
			rep := f.cycle()
			reqs := f.srv.Requests()
			assertStrings(t, "requests", f.requests(), []string{"GET " + filterPath("userName", alice.UserPrincipalName), "PATCH /Users/u1"})
			if rep.Counts.Created != 0 || rep.Counts.Updated != 1 {
				t.Errorf("counts = %+v", rep.Counts)
			}
			want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"userName","value":"alice@contoso.onmicrosoft.com"},
				{"op":"Replace","path":"displayName","value":"Alice"},
				{"op":"Add","path":"name.formatted","value":"Alice Doe"},
				{"op":"Add","path":"externalId","value":"alice"},
				{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}]}`
			if d == DialectSCIM {
				want = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
					{"op":"add","value":{"name.formatted":"Alice Doe","externalId":"alice","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Sales"}},
					{"op":"replace","value":{"userName":"alice@contoso.onmicrosoft.com","displayName":"Alice"}}]}`
			}
			if len(reqs) == 2 {
				assertJSON(t, "PATCH", reqs[1].Body, want)
			}
			u, _ := f.srv.UserByName("alice@contoso.onmicrosoft.com")
			if u.DisplayName() != "Alice" || u.ExternalID() != "alice" {
				t.Errorf("server user after PATCH = %v", u)
			}
			logs := f.logs(LogQuery{SourceID: alice.ObjectID})
			if len(logs) != 1 || logs[0].Action != ActionUpdate || !strings.Contains(logs[0].Reason, "Matched the existing user") {
				t.Errorf("logs = %+v", logs)
			}
		})
	}
}
