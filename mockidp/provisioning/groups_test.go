package provisioning

import (
	"net/url"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

func groupFilterPath(name string) string {
	return "/Groups?" + url.Values{"excludedAttributes": {"members"}, "filter": {"displayName eq " + quoteFilter(name)}}.Encode()
}

// With "Provision Microsoft Entra ID Groups" off, nothing is sent to
// /Groups even though a group is assigned (reference §8).
func TestGroupsOffNoGroupRequests(t *testing.T) {
	f := newFixture(t)
	g, err := f.dir.CreateGroup(f.ctx, "Sales", "")
	if err != nil {
		t.Fatal(err)
	}
	alice := f.user("alice", false, nil)
	if err := f.dir.AddGroupMember(f.ctx, g.ObjectID, alice.ObjectID); err != nil {
		t.Fatal(err)
	}
	if err := f.dir.Assign(f.ctx, f.app.AppID, g.ObjectID); err != nil {
		t.Fatal(err)
	}
	f.cycle()
	if _, err := f.dir.RenameGroup(f.ctx, g.ObjectID, "Sales EMEA"); err != nil {
		t.Fatal(err)
	}
	f.cycle()
	got := f.requests()
	assertStrings(t, "requests", got, []string{"GET " + filterPath("userName", alice.UserPrincipalName), "POST /Users"})
	for _, r := range got {
		if strings.Contains(r, "/Groups") {
			t.Errorf("group request with groups off: %s", r)
		}
	}
}

// With groups on: match by displayName excluding members, create with the
// ADSCIM schema and no members, add members with "$ref": null, and remove
// a member in the dialect's form (reference §8).
func TestGroupsOn(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, withDialect(d))
			f.configure(func(c *directory.ProvisioningConfig) { c.ProvisionGroups = true })
			g, err := f.dir.CreateGroup(f.ctx, "Sales", "")
			if err != nil {
				t.Fatal(err)
			}
			alice := f.user("alice", false, nil)
			bob := f.user("bob", false, nil)
			for _, u := range []directory.User{alice, bob} {
				if err := f.dir.AddGroupMember(f.ctx, g.ObjectID, u.ObjectID); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.dir.Assign(f.ctx, f.app.AppID, g.ObjectID); err != nil {
				t.Fatal(err)
			}
			rep := f.cycle()
			reqs := f.srv.Requests()
			assertStrings(t, "requests", f.requests(), []string{
				"GET " + filterPath("userName", alice.UserPrincipalName), "POST /Users",
				"GET " + filterPath("userName", bob.UserPrincipalName), "POST /Users",
				"GET " + groupFilterPath("Sales"), "POST /Groups", "PATCH /Groups/g3",
			})
			if rep.Counts.Created != 3 {
				t.Errorf("counts = %+v", rep.Counts)
			}
			assertJSON(t, "group POST", reqs[5].Body, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
				"displayName":"Sales","externalId":"`+g.ObjectID+`","meta":{"resourceType":"Group"}}`)
			assertJSON(t, "members PATCH", reqs[6].Body, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
				"Operations":[{"op":"`+patchOp(d, "Add")+`","path":"members","value":[{"$ref":null,"value":"u1"},{"$ref":null,"value":"u2"}]}]}`)
			if gs := f.srv.Groups(); len(gs) != 1 || len(gs[0].MemberIDs()) != 2 {
				t.Fatalf("server groups = %v", gs)
			}

			if err := f.dir.RemoveGroupMember(f.ctx, g.ObjectID, bob.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			reqs = f.srv.Requests()
			assertStrings(t, "member removed", f.requests(), []string{"PATCH /Users/u2", "GET /Groups/g3?excludedAttributes=members", "PATCH /Groups/g3"})
			remove := `{"op":"Remove","path":"members","value":[{"value":"u2"}]}`
			if d == DialectSCIM {
				remove = `{"op":"remove","path":"members[value eq \"u2\"]"}`
			}
			assertJSON(t, "remove PATCH", reqs[2].Body, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+remove+`]}`)
			if gs := f.srv.Groups(); len(gs[0].MemberIDs()) != 1 {
				t.Errorf("members after removal = %v", gs[0].MemberIDs())
			}

			if _, err := f.dir.RenameGroup(f.ctx, g.ObjectID, "Sales EMEA"); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			assertStrings(t, "rename", f.requests(), []string{"GET /Groups/g3?excludedAttributes=members", "PATCH /Groups/g3"})
			if gs := f.srv.Groups(); gs[0].DisplayName() != "Sales EMEA" {
				t.Errorf("group name = %q", gs[0].DisplayName())
			}

			if err := f.dir.DeleteGroup(f.ctx, g.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			got := f.requests()
			if !contains(got, "DELETE /Groups/g3") || !contains(got, "PATCH /Users/u1") {
				t.Errorf("group deleted: %q", got)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A server without /Groups answers the group query with 404, which Entra
// treats as a quarantine reason (reference §5.3, §11): the risk of leaving
// groups on against RudderStack.
func TestGroupsUnsupportedQuarantines(t *testing.T) {
	f := newFixture(t)
	f.srv.GroupsUnsupported = true
	f.configure(func(c *directory.ProvisioningConfig) { c.ProvisionGroups = true })
	g, _ := f.dir.CreateGroup(f.ctx, "Sales", "")
	alice := f.user("alice", true, nil)
	f.dir.AddGroupMember(f.ctx, g.ObjectID, alice.ObjectID)
	f.dir.Assign(f.ctx, f.app.AppID, g.ObjectID)
	rep := f.cycle()
	if rep.Outcome != OutcomeQuarantined || rep.Quarantine == nil || rep.Quarantine.Reason != CodeQuarantineException ||
		!strings.Contains(rep.Quarantine.Detail, "An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response") {
		t.Fatalf("report = %+v %+v", rep, rep.Quarantine)
	}
	if st := f.status(); st.InitialCycleDone || st.Quarantine == nil {
		t.Errorf("status = %+v", st)
	}
	// Switching groups off is a configuration change: the job restarts
	// and the next cycle leaves quarantine.
	f.configure(func(c *directory.ProvisioningConfig) { c.ProvisionGroups = false })
	f.requests()
	rep = f.cycle()
	if rep.Outcome != OutcomeCompleted || rep.Kind != CycleInitial || f.status().Quarantine != nil {
		t.Errorf("after turning groups off: %+v", rep)
	}
	for _, r := range f.requests() {
		if strings.Contains(r, "/Groups") {
			t.Errorf("group request after turning groups off: %s", r)
		}
	}
}
