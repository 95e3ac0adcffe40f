package checks

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// A group assigned in the setup lets its members in and provisions them;
// with the group removed, its member is the one Entra refuses.
func TestAGroupAssignmentDecidesWhoSignsIn(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := context.Background()
	only := RunOptions{Only: []string{IDSignIn, IDAssignment, IDProvisioning}}

	// Only the demo's group: Isaiah Langer, its one member, is the one
	// assigned user, and everyone else is refused.
	s := setup.Default()
	s.Users.Assigned, s.Users.Groups = []string{}, []string{"rudderstack users"}
	rep, err := e.Run(ctx, s, only)
	if err != nil {
		t.Fatal(err)
	}
	signIn := result(t, rep, IDSignIn)
	if details := strings.Join(signIn.Details, "\n"); signIn.Status != Pass ||
		!strings.Contains(details, "IsaiahL@contoso.onmicrosoft.com") || !strings.Contains(details, "assigned through the group RudderStack Users") {
		t.Errorf("a group member's sign-in: %s %s\n%s", signIn.Status, signIn.Summary, details)
	}
	refused := result(t, rep, IDAssignment)
	if details := strings.Join(refused.Details, "\n"); refused.Status != Pass || !strings.Contains(details, "nor a member of a group assigned to it") {
		t.Errorf("a non-member's sign-in: %s %s\n%s", refused.Status, refused.Summary, details)
	}
	// Provisioning creates the group's member, and with no one assigned
	// directly, rehearses the lifecycle by removing him from the group and
	// adding him back.
	prov := result(t, rep, IDProvisioning)
	details := strings.Join(prov.Details, "\n")
	for _, want := range []string{
		"has a RudderStack account after the initial cycle: IsaiahL@contoso.onmicrosoft.com.",
		"Removed from the group RudderStack Users in Entra, Isaiah Langer is deactivated in RudderStack",
		"Added back to the group RudderStack Users, Isaiah Langer is active in RudderStack",
	} {
		if prov.Status != Pass || !strings.Contains(details, want) {
			t.Errorf("provisioning of the group's member: %s %s; want %q in\n%s", prov.Status, prov.Summary, want, details)
		}
	}

	// The group removed, Adele assigned directly: Isaiah is refused.
	s.Users.Assigned, s.Users.Groups = []string{"AdeleV@contoso.onmicrosoft.com"}, nil
	rep, err = e.Run(ctx, s, RunOptions{Only: []string{IDAssignment}})
	if err != nil {
		t.Fatal(err)
	}
	refused = result(t, rep, IDAssignment)
	if details := strings.Join(refused.Details, "\n"); refused.Status != Pass || !strings.Contains(details, "IsaiahL@contoso.onmicrosoft.com") {
		t.Errorf("the group's member after the group is removed: %s %s\n%s", refused.Status, refused.Summary, details)
	}
}

// A setup naming a group the tenant does not have (renamed or dropped in
// the tenant file since it was saved) is a SetupError naming the group,
// its line, the tenant's groups and the fix.
func TestAGroupTheTenantLacksIsBadInput(t *testing.T) {
	e := newEnv(t, Options{})
	s, err := setup.Parse(strings.NewReader("version: 1\nusers:\n  groups: [RudderStack Users, Sales]\n"), "setup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Run(context.Background(), s, RunOptions{})
	var se *SetupError
	if !errors.As(err, &se) || !errors.Is(err, ErrBadSetup) || rep != nil {
		t.Fatalf("Run = %v, %v; want a SetupError", rep, err)
	}
	if len(se.Problems) != 1 {
		t.Fatalf("problems %+v; want one, for Sales", se.Problems)
	}
	p := se.Problems[0]
	for _, want := range []string{`no group "Sales"`, `its groups are "RudderStack Users"`, "put the new name in users.groups", "remove the entry"} {
		if p.Field != "users.groups[1]" || p.Line != 3 || !strings.Contains(p.Problem, want) {
			t.Errorf("problem %+v; want users.groups[1] at line 3 saying %q", p, want)
		}
	}
}

// With "Provision Microsoft Entra ID Groups" on, the engine provisions an
// assigned group itself, not only its members: RudderStack has no /Groups,
// so the group's request fails and the job goes into quarantine, as the
// known issue says.
func TestAnAssignedGroupIsProvisionedWhenGroupsAreOn(t *testing.T) {
	e := newEnv(t, Options{})
	s := setup.Default()
	s.Users.Assigned, s.Users.Groups = []string{}, []string{"RudderStack Users"}
	s.Provisioning.ProvisionGroups = true
	rep, err := e.Run(context.Background(), s, RunOptions{Only: []string{IDProvisioning}})
	if err != nil {
		t.Fatal(err)
	}
	prov := result(t, rep, IDProvisioning)
	details := strings.Join(prov.Details, "\n")
	if prov.Status != Fail || !strings.Contains(details, "Group RudderStack Users failed") || !strings.Contains(details, "/scim/v2/Groups") {
		t.Errorf("the assigned group with groups on: %s %s\n%s", prov.Status, prov.Summary, details)
	}
}
