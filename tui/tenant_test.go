package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// largeTenant is a fake rehearsal serving a tenant file of 10,000 users,
// two of them assigned.
func largeTenant() *fakeRehearsal {
	f := &fakeRehearsal{}
	for i := range 10000 {
		f.users = append(f.users, User{UPN: fmt.Sprintf("user%05d@contoso.onmicrosoft.com", i), DisplayName: fmt.Sprintf("User %05d", i), Assigned: i%5000 == 7, Direct: i%5000 == 7})
	}
	return f
}

var tenantOpts = Tenant{File: "/home/admin/tenant.yaml", About: "It holds 10,000 users, 1 group and 0 other apps. It has no app marked rudderstack, so the guide's \"RudderStack\" app is added, assigned to nobody, with user00000@contoso.onmicrosoft.com (its first enabled user) as RudderStack's Org Admin: you."}

// With a tenant file of 10,000 users the users step shows a window of
// them, says where it is, filters as the admin types, pages, and assigns
// the user selected in the filtered list.
func TestUsersStepWithTenThousandUsers(t *testing.T) {
	t.Chdir(t.TempDir())
	f := largeTenant()
	h := startWizard(t, 80, 24, Options{Tenant: tenantOpts, Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	snapshot(t, "01-welcome", h.waitFor("Your tenant", "rehearsal ready"))
	h.keys("alt+6")
	snapshot(t, "02-users", h.waitFor("of 10,000 · 2 assigned"))
	h.keys("/")
	h.typeText("user0421")
	snapshot(t, "03-filtered", h.waitFor("Filter: user0421", "of 10 · 2 of 10,000 assigned"))
	h.keys("enter", "down", "down", "space")
	frame := h.waitFor("3 of 10,000 assigned", "› [x] User 04212")
	if strings.Contains(frame, "User 00000") {
		t.Errorf("the filter shows users it should hide:\n%s", frame)
	}
	h.keys("esc")
	snapshot(t, "04-cleared", h.waitFor("of 10,000 · 3 assigned"))
	h.keys("end")
	h.waitFor("› [ ] User 09999")
}

// The setup file records the tenant file; resuming it with another (or
// the demo tenant) says so on the welcome screen.
func TestSetupFileRecordsTheTenantFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ssowiz-setup.yaml")
	u, _ := withFake(t, Options{SetupPath: path, Tenant: tenantOpts})
	u.keys("enter")
	u.run(u.m.saveCmd())
	saved, err := setup.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Wizard == nil || saved.Wizard.Tenant != tenantOpts.File {
		t.Fatalf("saved wizard %+v, want the tenant file %s", saved.Wizard, tenantOpts.File)
	}
	for _, tc := range []struct {
		name   string
		tenant Tenant
		want   string
	}{
		{"same", tenantOpts, ""},
		{"other", Tenant{File: "/home/admin/other.yaml"}, "That setup was rehearsed against the tenant file /home/admin/tenant.yaml, and this run serves the tenant file /home/admin/other.yaml"},
		{"demo", Tenant{}, "That setup was rehearsed against the tenant file /home/admin/tenant.yaml, and this run serves the demo tenant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := withFake(t, Options{SetupPath: path, Tenant: tc.tenant})
			u.wantFrame("A saved setup was found")
			frame := strings.Join(strings.Fields(u.frame()), " ")
			if tc.want == "" && strings.Contains(frame, "That setup was rehearsed") || tc.want != "" && !strings.Contains(frame, tc.want) {
				t.Errorf("want %q:\n%s", tc.want, u.frame())
			}
		})
	}
	// A file saved against the demo tenant resumed with a tenant file.
	if err := os.WriteFile(path, []byte("version: 1\nwizard: {step: 3}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	u, _ = withFake(t, Options{SetupPath: path, Tenant: tenantOpts})
	u.wantFrame("That setup was rehearsed against the demo tenant, and this run serves the tenant file /home/admin/tenant.yaml")
}

// pgdn and pgup move the selection a window of the list; home and end go
// to its ends.
func TestUsersStepPages(t *testing.T) {
	f := largeTenant()
	u := newUnit(t, Options{Tenant: tenantOpts, Start: func(context.Context) (Rehearsal, error) { return f, nil }})
	u.goTo(StepUsers)
	u.frame()
	s := u.m.steps[StepUsers].(*usersStep)
	rows := s.rows()
	if rows < 3 || rows >= 10 {
		t.Fatalf("a window of %d users at 80×24", rows)
	}
	u.keys("pgdown", "pgdown")
	u.wantFrame(fmt.Sprintf("User %05d  user", 2*rows))
	if s.sel != 2*rows {
		t.Errorf("two pages down selects user %d, want %d", s.sel, 2*rows)
	}
	u.keys("pgup")
	if s.sel != rows {
		t.Errorf("a page up selects user %d, want %d", s.sel, rows)
	}
	u.keys("end")
	u.wantFrame("› [ ] User 09999", "of 10,000")
	u.keys("home")
	u.wantFrame("› [ ] User 00000")
	u.keys("/")
	u.typeText("zzz")
	u.wantFrame("No user's name or UPN holds \"zzz\"")
	u.keys("space")
	if u.m.Setup().Users.Assigned != nil {
		t.Errorf("space with nothing listed changed the assignments: %v", u.m.Setup().Users.Assigned)
	}
}

// The accessible mode reads out a long list a few users at a time: the
// assigned ones, or those a /filter names, numbered as in the whole list.
func TestAccessibleLongUserListFilters(t *testing.T) {
	const users = 1 + 4 + 1 + 2 + 1 // the index of the users prompt's answer in guideWalk
	walk := slices.Replace(append([]string{}, guideWalk...), users, users+1, "/user0421", "4213", "")
	f := largeTenant()
	var out bytes.Buffer
	s, err := RunAccessible(context.Background(), Options{Tenant: tenantOpts, Start: func(context.Context) (Rehearsal, error) { return f, nil }, Now: fixedNow},
		strings.NewReader(answers(walk...)), &out, nil)
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"The rehearsal serves your tenant file /home/admin/tenant.yaml.",
		"The tenant has 10000 users. Assigned users:\n  8. User 00007 (user00007@contoso.onmicrosoft.com) is assigned.\n  5008. User 05007",
		"Users whose name or UPN holds \"user0421\":\n  4211. User 04210",
		"  4213. User 04212 (user04212@contoso.onmicrosoft.com) is assigned.",
		"/text to list the users whose name or UPN holds text",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(text, "\n"); n > 400 {
		t.Errorf("%d lines of output for a walk: the list was read out whole", n)
	}
	if want := []string{"user00007@contoso.onmicrosoft.com", "user04212@contoso.onmicrosoft.com", "user05007@contoso.onmicrosoft.com"}; !slices.Equal(s.Users.Assigned, want) {
		t.Errorf("assigned %v, want %v", s.Users.Assigned, want)
	}
}
