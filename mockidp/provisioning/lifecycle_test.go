package provisioning

import (
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

func patchOp(d Dialect, op string) string {
	if d == DialectSCIM {
		return strings.ToLower(op)
	}
	return op
}

// Unassigning sends the dialect's exact disable body; afterwards the user
// is no longer managed, so soft and hard deletes send nothing. Assigning a
// still-existing user again reads it by its cached id and re-enables it
// (reference §4.6, §4.7).
func TestUnassignDisablesReassignEnables(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, withDialect(d))
			alice := f.user("alice", true, nil)
			f.cycle()
			f.srv.ResetRequests()

			if err := f.dir.Unassign(f.ctx, f.app.AppID, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			rep := f.cycle()
			reqs := f.srv.Requests()
			assertStrings(t, "unassign", f.requests(), []string{"PATCH /Users/u1"})
			disable := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
			if d == DialectSCIM {
				disable = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
			}
			assertJSON(t, "disable body", reqs[0].Body, disable)
			if rep.Counts.Disabled != 1 {
				t.Errorf("counts = %+v", rep.Counts)
			}
			if u, _ := f.srv.UserByName(alice.UserPrincipalName); u == nil {
				t.Fatal("user gone from the server")
			} else if active, _ := u.Active(); active {
				t.Error("user still active in the server")
			}
			if f.cycle(); len(f.requests()) != 0 {
				t.Error("a cycle after the disable sent requests")
			}

			// Reassign: read by cached id, then re-enable.
			if err := f.dir.Assign(f.ctx, f.app.AppID, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			reqs = f.srv.Requests()
			assertStrings(t, "reassign", f.requests(), []string{"GET /Users/u1", "PATCH /Users/u1"})
			enable := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`
			if d == DialectSCIM {
				enable = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`
			}
			assertJSON(t, "enable body", reqs[1].Body, enable)

			// Unassign again, then delete for good: nothing after the
			// disable.
			if err := f.dir.Unassign(f.ctx, f.app.AppID, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			assertStrings(t, "second unassign", f.requests(), []string{"PATCH /Users/u1"})
			if err := f.dir.SoftDeleteUser(f.ctx, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			if err := f.dir.HardDeleteUser(f.ctx, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			if got := f.requests(); len(got) != 0 {
				t.Errorf("deletes after an unassign sent %q", got)
			}
		})
	}
}

// A blocked sign-in or a soft delete disables the user but keeps it
// managed; unblocking and restoring re-enable it; a hard delete then sends
// DELETE only with the Delete box ticked.
func TestBlockSoftAndHardDelete(t *testing.T) {
	for _, deleteOn := range []bool{true, false} {
		name := "Delete on"
		if !deleteOn {
			name = "Delete off"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.configure(func(c *directory.ProvisioningConfig) { c.Actions.Delete = deleteOn })
			alice := f.user("alice", true, nil)
			f.cycle()
			f.requests()

			if _, err := f.dir.SetAccountEnabled(f.ctx, alice.ObjectID, false); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			assertStrings(t, "block", f.requests(), []string{"PATCH /Users/u1"})
			if _, err := f.dir.SetAccountEnabled(f.ctx, alice.ObjectID, true); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			assertStrings(t, "unblock", f.requests(), []string{"GET /Users/u1", "PATCH /Users/u1"})

			if err := f.dir.SoftDeleteUser(f.ctx, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			assertStrings(t, "soft delete", f.requests(), []string{"PATCH /Users/u1"})
			if _, err := f.dir.RestoreUser(f.ctx, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			assertStrings(t, "restore", f.requests(), []string{"GET /Users/u1", "PATCH /Users/u1"})

			if err := f.dir.SoftDeleteUser(f.ctx, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			f.cycle()
			f.requests()
			if err := f.dir.HardDeleteUser(f.ctx, alice.ObjectID); err != nil {
				t.Fatal(err)
			}
			rep := f.cycle()
			got := f.requests()
			logs := f.logs(LogQuery{SourceID: alice.ObjectID})
			last := logs[len(logs)-1]
			if deleteOn {
				assertStrings(t, "hard delete", got, []string{"DELETE /Users/u1"})
				if rep.Counts.Deleted != 1 || last.Action != ActionDelete || last.Status != StatusSuccess {
					t.Errorf("counts %+v, last log %+v", rep.Counts, last)
				}
				if _, ok := f.srv.UserByName(alice.UserPrincipalName); ok {
					t.Error("user still in the server")
				}
			} else {
				assertStrings(t, "hard delete", got, nil)
				if last.Action != ActionSkip || last.Code != CodeActionDisabled {
					t.Errorf("last log %+v", last)
				}
			}
			if f.cycle(); len(f.requests()) != 0 {
				t.Error("requests after the hard delete was handled")
			}
		})
	}
}

// Changing attributes in Entra reads the user by its cached id and PATCHes
// only the differences; a user whose jobTitle is cleared keeps its title
// in the target, because Entra does not provision nulls.
func TestIncrementalUpdate(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, withDialect(d))
			alice := f.user("alice", true, func(u *directory.User) { u.JobTitle = "Engineer" })
			f.cycle()
			f.requests()
			f.update(alice.ObjectID, func(u *directory.User) { u.JobTitle = "Lead"; u.Department = "R&D"; u.Mail = "adele@contoso.com" })
			f.cycle()
			reqs := f.srv.Requests()
			assertStrings(t, "update", f.requests(), []string{"GET /Users/u1", "PATCH /Users/u1"})
			want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"title","value":"Lead"},
				{"op":"Replace","path":"emails[type eq \"work\"].value","value":"adele@contoso.com"},
				{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"R&D"}]}`
			if d == DialectSCIM {
				want = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
					{"op":"replace","path":"emails[type eq \"work\"].value","value":"adele@contoso.com"},
					{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"R&D"}},
					{"op":"replace","value":{"title":"Lead"}}]}`
			}
			assertJSON(t, "PATCH", reqs[1].Body, want)

			f.update(alice.ObjectID, func(u *directory.User) { u.JobTitle = "" })
			f.cycle()
			assertStrings(t, "cleared title", f.requests(), []string{"GET /Users/u1"})
			if u, _ := f.srv.UserByName(alice.UserPrincipalName); u.String("title") != "Lead" {
				t.Errorf("title = %q", u.String("title"))
			}
		})
	}
}

// The Create and Update boxes gate POST and PATCH.
func TestTargetObjectActions(t *testing.T) {
	f := newFixture(t)
	f.configure(func(c *directory.ProvisioningConfig) { c.Actions.Create = false })
	alice := f.user("alice", true, nil)
	rep := f.cycle()
	assertStrings(t, "Create off", f.requests(), []string{"GET " + filterPath("userName", alice.UserPrincipalName)})
	if rep.Counts.Skipped != 1 {
		t.Errorf("counts = %+v", rep.Counts)
	}
	if l := f.logs(LogQuery{SourceID: alice.ObjectID}); len(l) != 1 || l[0].Code != CodeActionDisabled {
		t.Errorf("logs = %+v", l)
	}

	// Turning Create on changes nothing that restarts the job (actions
	// are not part of what is provisioned), but the changed user is
	// evaluated again.
	f.configure(func(c *directory.ProvisioningConfig) { c.Actions.Create, c.Actions.Update = true, false })
	f.update(alice.ObjectID, func(u *directory.User) { u.JobTitle = "x" })
	f.cycle()
	assertStrings(t, "Create on", f.requests(), []string{"GET " + filterPath("userName", alice.UserPrincipalName), "POST /Users"})
	f.update(alice.ObjectID, func(u *directory.User) { u.JobTitle = "y" })
	f.cycle()
	assertStrings(t, "Update off", f.requests(), []string{"GET /Users/u1"})
	if err := f.dir.Unassign(f.ctx, f.app.AppID, alice.ObjectID); err != nil {
		t.Fatal(err)
	}
	f.cycle()
	assertStrings(t, "Update off, unassigned", f.requests(), nil)
}

// A blocked user who was never provisioned is skipped, not created.
func TestBlockedUserNotCreated(t *testing.T) {
	f := newFixture(t)
	bo := f.user("bo", true, func(u *directory.User) { u.AccountEnabled = false })
	f.cycle()
	assertStrings(t, "requests", f.requests(), nil)
	if l := f.logs(LogQuery{SourceID: bo.ObjectID}); len(l) != 1 || l[0].Action != ActionSkip || l[0].Code != CodeNotEffectivelyEntitled {
		t.Errorf("logs = %+v", l)
	}
}
