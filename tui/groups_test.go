package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/internal/tenant"
)

// largeTenantWithGroups is largeTenant with 60 groups of 100 users each
// (user i in group i/100); "Group 07" is assigned, so its members are
// assigned through it.
func largeTenantWithGroups() *fakeRehearsal {
	f := largeTenant()
	for g := range 60 {
		grp := Group{Name: fmt.Sprintf("Group %02d", g), Description: fmt.Sprintf("Team %d", g), Assigned: g == 7}
		for i := g * 100; i < (g+1)*100; i++ {
			grp.Members = append(grp.Members, f.users[i].UPN)
			if g == 7 {
				f.users[i].Assigned = true
			}
		}
		f.groups = append(f.groups, grp)
	}
	return f
}

// With 10,000 users and 60 groups at 80×24 the list starts with the groups,
// marked as groups with their member count; / finds a group, space
// assigns it and space again removes it, and its members show as assigned
// through it ([g]) meanwhile.
func TestUsersStepAssignsAndRemovesGroups(t *testing.T) {
	t.Chdir(t.TempDir())
	f := largeTenantWithGroups()
	h := startWizard(t, 80, 24, Options{SetupPath: "ssowiz-setup.yaml", Tenant: tenantOpts, Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	h.waitFor("Your tenant", "rehearsal ready")
	h.keys("alt+6")
	snapshot(t, "01-users-and-groups", h.waitFor("of 10,060 · 1 group, 102 users assigned", "› [ ] Group 00", "group · 100 members", "Saved to ssowiz-setup.yaml"))
	h.keys("/")
	h.typeText("group 1")
	h.keys("enter", "down", "down")
	snapshot(t, "02-filtered", h.waitFor("Matching", "of 10 ·", "› [ ] Group 12"))
	h.keys("space")
	snapshot(t, "03-assigned", h.waitFor("› [x] Group 12", "changed from the tenant", "2 groups, 202 users assigned"))
	h.keys("esc", "/")
	h.typeText("user0123")
	h.keys("enter")
	snapshot(t, "04-member", h.waitFor("› [g] User 01230", "assigned through the group Group 12"))
	h.keys("esc", "/")
	h.typeText("group 12")
	h.keys("enter", "space")
	h.waitFor("› [ ] Group 12", "1 group, 102 users assigned")
	h.keys("esc", "/")
	h.typeText("user0123")
	h.keys("enter")
	snapshot(t, "05-removed", h.waitFor("› [ ] User 01230", "User 01230 is not assigned."))
	h.keys("ctrl+s")
	h.waitFor("Saved to ssowiz-setup.yaml")
	s, err := setup.ReadFile("ssowiz-setup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Users.Groups, []string{"Group 07"}) || !slices.Equal(s.Users.Assigned, []string{"user00007@contoso.onmicrosoft.com", "user05007@contoso.onmicrosoft.com"}) {
		t.Errorf("saved groups %q and users %q; want Group 07 and the two users assigned directly", s.Users.Groups, s.Users.Assigned)
	}
}

// A user assigned through a group can be assigned directly too, and
// unassigning them directly leaves them assigned through the group.
func TestAUserInAnAssignedGroup(t *testing.T) {
	f := largeTenantWithGroups()
	u := newUnit(t, Options{Tenant: tenantOpts, Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	u.goTo(StepUsers)
	u.keys("/")
	u.typeText("user00701")
	u.keys("enter")
	u.wantFrame("› [g] User 00701", "is assigned through the group Group 07; space assigns them directly too")
	u.keys("space")
	u.wantFrame("› [x] User 00701", "is assigned, and through the group Group 07 too")
	if s := u.m.Setup(); !slices.Contains(s.Users.Assigned, "user00701@contoso.onmicrosoft.com") || !slices.Equal(s.Users.Groups, []string{"Group 07"}) {
		t.Errorf("assigned %d users and groups %q after assigning User 00701 directly", len(s.Users.Assigned), s.Users.Groups)
	}
	u.keys("space")
	u.wantFrame("› [g] User 00701")
}

// Resuming a setup that assigns a group the tenant file no longer has
// (renamed or dropped) says so on Users and groups, naming the group and
// the fix, lists it so space can drop it, and blocks the step until then;
// nothing else of the setup is lost.
func TestResumeWithAGroupTheTenantLacks(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("ssowiz-setup.yaml", []byte("version: 1\nwizard: {step: 6}\nusers:\n  assignment_required: true\n  assigned: [user00007@contoso.onmicrosoft.com]\n  groups: [Group 07, Sales team]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := largeTenantWithGroups()
	h := startWizard(t, 80, 24, Options{SetupPath: "ssowiz-setup.yaml", Tenant: tenantOpts, Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	h.waitFor("A saved setup was found")
	h.keys("enter")
	h.waitFor("rehearsal ready")
	h.keys("alt+6")
	frame := h.waitFor(`no group "Sales team"`, "› [x] Sales team", "group not in the tenant file", "✓1  ✓2  ✓3  ✓4  ✓5")
	flat := strings.Join(strings.Fields(frame), " ")
	for _, want := range []string{"if the tenant file renamed it, assign the new name", "space on its row below unassigns it"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the message lacks %q:\n%s", want, frame)
		}
	}
	snapshot(t, "01-missing", frame)
	h.keys("space")
	snapshot(t, "02-dropped", h.waitFor("› [ ] Group 00", "1 group, 101 users assigned"))
	h.keys("ctrl+s")
	h.waitFor("Saved to ssowiz-setup.yaml")
	s, err := setup.ReadFile("ssowiz-setup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Users.Groups, []string{"Group 07"}) || !slices.Equal(s.Users.Assigned, []string{"user00007@contoso.onmicrosoft.com"}) {
		t.Errorf("saved groups %q and users %q; want Group 07 and user00007 kept", s.Users.Groups, s.Users.Assigned)
	}
}

// groupTenant is a tenant file whose guide app is assigned to nobody:
// Ann (the Org Admin) and Bob, the one member of the group Data team.
const groupTenant = `version: 1
tenant: {name: fabrikam, display_name: Fabrikam}
users:
  - {upn: ann@fabrikam.onmicrosoft.com, display_name: Ann Admin, surname: Admin, mail: ann@fabrikam.onmicrosoft.com, password: "Ann-Passw0rd!"}
  - {upn: bob@fabrikam.onmicrosoft.com, display_name: Bob Builder, surname: Builder, mail: bob@fabrikam.onmicrosoft.com, password: "Bob-Passw0rd!", groups: [Data team]}
groups:
  - name: Data team
`

// End to end on the real mocks: Bob, a member of the group Data team, is
// refused (AADSTS50105) until the wizard assigns the group, and then his
// sign-in to RudderStack passes, through the group.
func TestAGroupMemberSignsInOnceTheWizardAssignsTheGroup(t *testing.T) {
	t.Chdir(t.TempDir())
	path := filepath.Join(t.TempDir(), "tenant.yaml")
	if err := os.WriteFile(path, []byte(groupTenant), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := tenant.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := f.WithGuideApp()
	if err != nil {
		t.Fatal(err)
	}
	frozen := time.Now().UTC().Truncate(time.Second)
	start := StartEnv(EnvOptions{Checks: checks.Options{NewKey: testKey, Now: func() time.Time { return frozen }, Tenant: g}, HARDir: t.TempDir()})
	u := newUnit(t, Options{Tenant: Tenant{File: path}, Start: start})
	run := func() *checks.Report {
		t.Helper()
		rep, err := u.m.reh.Run(context.Background(), u.m.Setup(), []string{checks.IDSignIn, checks.IDAssignment}, func(checks.Event) {})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	find := func(rep *checks.Report, id string) (checks.Result, string) {
		t.Helper()
		for _, r := range rep.Results {
			if r.ID == id {
				return r, strings.Join(r.Details, "\n")
			}
		}
		t.Fatalf("no %s result", id)
		return checks.Result{}, ""
	}

	u.goTo(StepUsers)
	u.wantFrame("[ ] Data team", "group · 1 member", "[ ] Bob Builder")
	before := run()
	if r, details := find(before, checks.IDSignIn); r.Status == checks.Pass {
		t.Errorf("a sign-in passed with no one assigned:\n%s", details)
	}
	if r, details := find(before, checks.IDAssignment); r.Status != checks.Pass || !strings.Contains(details, "bob@fabrikam.onmicrosoft.com") {
		t.Errorf("Bob was not the one refused before the group was assigned: %s %s\n%s", r.Status, r.Summary, details)
	}

	u.keys("space") // the first row: Data team
	u.wantFrame("› [x] Data team", "[g] Bob Builder")
	if s := u.m.Setup(); !slices.Equal(s.Users.Groups, []string{"Data team"}) || len(s.Users.Assigned) != 0 {
		t.Fatalf("setup users %+v after assigning the group", s.Users)
	}
	after := run()
	if r, details := find(after, checks.IDSignIn); r.Status != checks.Pass || !strings.Contains(details, "Bob Builder is assigned through the group Data team") {
		t.Errorf("Bob's sign-in after the group was assigned: %s %s\n%s", r.Status, r.Summary, details)
	}
	if r, details := find(after, checks.IDAssignment); r.Status != checks.Pass || !strings.Contains(details, "ann@fabrikam.onmicrosoft.com") {
		t.Errorf("Ann, who is in no assigned group, was not refused: %s %s\n%s", r.Status, r.Summary, details)
	}
}

// The summary's checklist names the users and the groups to assign, as
// the setup records them.
func TestSummaryNamesTheAssignedGroups(t *testing.T) {
	f := &fakeRehearsal{groups: []Group{{Name: "Sales", Members: []string{"b@x.test"}}}}
	u := newUnit(t, Options{Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	u.goTo(StepUsers)
	u.keys("space") // Sales, the first row
	u.goTo(StepSummary)
	u.wantFrame("Users and groups: assign 1 user(s): a@x.test; 1 group(s): Sales.")
}
