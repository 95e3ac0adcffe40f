package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCreateUserValidation(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	manager := mustUser(t, d, "boss")
	good := User{UserPrincipalName: "adele@contoso.onmicrosoft.com", DisplayName: "Adele", AccountEnabled: true}
	for _, tc := range []struct {
		name      string
		edit      func(*User)
		password  string
		field     string
		fragments []string
	}{
		{"missing UPN", func(u *User) { u.UserPrincipalName = "" }, "", "User principal name", []string{"required"}},
		{"no at sign", func(u *User) { u.UserPrincipalName = "adele" }, "", "User principal name", []string{"name@contoso.onmicrosoft.com"}},
		{"unverified domain", func(u *User) { u.UserPrincipalName = "adele@fabrikam.com" }, "", "User principal name", []string{"fabrikam.com", "not a verified domain", "contoso.onmicrosoft.com"}},
		{"bad characters", func(u *User) { u.UserPrincipalName = "ad%ele@contoso.onmicrosoft.com" }, "", "User principal name", []string{"may contain only"}},
		{"leading period", func(u *User) { u.UserPrincipalName = ".adele@contoso.onmicrosoft.com" }, "", "User principal name", []string{"period"}},
		{"no display name", func(u *User) { u.DisplayName = " " }, "", "Display name", []string{"required"}},
		{"bad mail", func(u *User) { u.Mail = "adele at contoso" }, "", "Email", []string{"not an email address"}},
		{"bad nickname", func(u *User) { u.MailNickname = "a b" }, "", "Mail nickname", []string{"without spaces"}},
		{"unknown manager", func(u *User) { u.Manager = "00000000-0000-0000-0000-000000000000" }, "", "Manager", []string{"no user"}},
		{"short password", nil, "Ab1!", "Password", []string{"8 to 256"}},
		{"two kinds only", nil, "abcdefgh1", "Password", []string{"three of"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := good
			if tc.edit != nil {
				tc.edit(&u)
			}
			pw := tc.password
			if pw == "" {
				pw = "Passw0rd!"
			}
			_, err := d.CreateUser(ctx, u, pw)
			wantFieldError(t, err, ErrInvalid, tc.field, tc.fragments...)
		})
	}
	// A valid user with a real manager goes through, and the nickname
	// defaults to the UPN's alias.
	u := good
	u.Manager = strings.ToUpper(manager.ObjectID)
	got, err := d.CreateUser(ctx, u, "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if got.MailNickname != "adele" || got.Manager != manager.ObjectID || got.Status != UserActive || len(got.ObjectID) != 36 {
		t.Fatalf("created %+v", got)
	}
}

func TestUserLifecycle(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	u := mustUser(t, d, "adele")

	// UPN uniqueness ignores case.
	_, err := d.CreateUser(ctx, User{UserPrincipalName: "ADELE@contoso.onmicrosoft.com", DisplayName: "Other"}, "Passw0rd!")
	wantFieldError(t, err, ErrConflict, "User principal name", "already uses")

	if got, err := d.UserByUPN(ctx, "Adele@Contoso.OnMicrosoft.com"); err != nil || got.ObjectID != u.ObjectID {
		t.Fatalf("UserByUPN: %v, %v", got.ObjectID, err)
	}

	// Edit: properties change, identity fields do not.
	got, err := d.UpdateUser(ctx, u.ObjectID, func(x *User) {
		x.JobTitle = "Retail Manager"
		x.ObjectID = "ignored"
		x.Status = UserHardDeleted
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.JobTitle != "Retail Manager" || got.ObjectID != u.ObjectID || got.Status != UserActive || got.ChangeSeq <= u.ChangeSeq {
		t.Fatalf("after update: %+v", got)
	}
	if _, err := d.UpdateUser(ctx, u.ObjectID, func(x *User) { x.Manager = u.ObjectID }); err == nil {
		t.Fatal("a user became their own manager")
	}
	if got, _ := d.SetAccountEnabled(ctx, u.ObjectID, false); got.AccountEnabled {
		t.Fatal("still enabled")
	}

	// Hard delete needs a soft delete first.
	if err := d.HardDeleteUser(ctx, u.ObjectID); !errors.Is(err, ErrWrongState) {
		t.Fatalf("hard delete of a live user: %v", err)
	}
	if err := d.SoftDeleteUser(ctx, u.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UserByUPN(ctx, "adele@contoso.onmicrosoft.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("soft-deleted user still signs in by UPN: %v", err)
	}
	if del, _ := d.DeletedUsers(ctx); len(del) != 1 || del[0].ObjectID != u.ObjectID {
		t.Fatalf("Deleted users = %+v", del)
	}
	if _, err := d.UpdateUser(ctx, u.ObjectID, func(x *User) {}); !errors.Is(err, ErrWrongState) {
		t.Fatalf("editing a deleted user: %v", err)
	}

	// The UPN is free while the user is deleted, so restoring conflicts.
	other := mustUser(t, d, "adele")
	_, err = d.RestoreUser(ctx, u.ObjectID)
	wantFieldError(t, err, ErrConflict, "User principal name")
	if err := d.SoftDeleteUser(ctx, other.ObjectID); err != nil {
		t.Fatal(err)
	}
	if got, err := d.RestoreUser(ctx, u.ObjectID); err != nil || got.Status != UserActive {
		t.Fatalf("restore: %+v, %v", got, err)
	}

	// Permanent deletion leaves only a tombstone.
	if err := d.HardDeleteUser(ctx, other.ObjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.User(ctx, other.ObjectID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("hard-deleted user readable: %v", err)
	}
	if _, err := d.RestoreUser(ctx, other.ObjectID); !errors.Is(err, ErrWrongState) {
		t.Fatalf("restore of a hard-deleted user: %v", err)
	}
}

func TestVerifyPassword(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	u := mustUser(t, d, "adele")
	if got, err := d.VerifyPassword(ctx, "ADELE@contoso.onmicrosoft.com", "Passw0rd!"); err != nil || got.ObjectID != u.ObjectID {
		t.Fatalf("right password: %v", err)
	}
	if _, err := d.VerifyPassword(ctx, u.UserPrincipalName, "passw0rd!"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := d.VerifyPassword(ctx, "nobody@contoso.onmicrosoft.com", "Passw0rd!"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	if err := d.SetPassword(ctx, u.ObjectID, "N3w-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.VerifyPassword(ctx, u.UserPrincipalName, "Passw0rd!"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := d.VerifyPassword(ctx, u.UserPrincipalName, "N3w-password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	// The stored hash is salted: two users with one password differ.
	var h1, h2 string
	mustUser(t, d, "isaiah")
	rows, err := d.db.QueryContext(ctx, `SELECT password_hash FROM users WHERE upn IN ('isaiah@contoso.onmicrosoft.com', 'adele@contoso.onmicrosoft.com') ORDER BY upn`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	rows.Scan(&h1)
	rows.Next()
	rows.Scan(&h2)
	rows.Close()
	if h1 == h2 || strings.Contains(h1, "Passw0rd") || !strings.HasPrefix(h1, "sha256$") {
		t.Fatalf("hashes %q %q", h1, h2)
	}
}

func TestGroupsAndAssignments(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, err := d.CreateApp(ctx, "RudderStack")
	if err != nil {
		t.Fatal(err)
	}
	direct := mustUser(t, d, "adele")
	member := mustUser(t, d, "isaiah")
	nobody := mustUser(t, d, "alex")
	g, err := d.CreateGroup(ctx, "RudderStack Users", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateGroup(ctx, " ", ""); err == nil {
		t.Fatal("a group without a name was created")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.AddGroupMember(ctx, g.ObjectID, member.ObjectID))
	must(d.AddGroupMember(ctx, g.ObjectID, member.ObjectID)) // idempotent
	must(d.Assign(ctx, app.AppID, direct.ObjectID))
	must(d.Assign(ctx, app.AppID, g.ObjectID))
	if err := d.Assign(ctx, app.AppID, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("assigning nobody: %v", err)
	}

	assigned := func(u User) bool {
		t.Helper()
		ok, err := d.IsAssigned(ctx, app.AppID, u.ObjectID)
		must(err)
		return ok
	}
	if !assigned(direct) || !assigned(member) || assigned(nobody) {
		t.Fatalf("assigned: direct %v, via group %v, nobody %v", assigned(direct), assigned(member), assigned(nobody))
	}
	as, err := d.Assignments(ctx, app.AppID)
	must(err)
	if len(as) != 2 || as[0].DisplayName != "adele" || as[1].PrincipalType != PrincipalGroup {
		t.Fatalf("assignments = %+v", as)
	}
	users, err := d.AssignedUsers(ctx, app.AppID)
	must(err)
	if len(users) != 2 {
		t.Fatalf("assigned users = %d", len(users))
	}

	must(d.RemoveGroupMember(ctx, g.ObjectID, member.ObjectID))
	if assigned(member) {
		t.Fatal("still assigned after leaving the group")
	}
	must(d.Unassign(ctx, app.AppID, direct.ObjectID))
	if assigned(direct) {
		t.Fatal("still assigned after unassign")
	}
	// A soft-deleted user keeps nothing: it is not assigned while deleted.
	must(d.Assign(ctx, app.AppID, direct.ObjectID))
	must(d.SoftDeleteUser(ctx, direct.ObjectID))
	if assigned(direct) {
		t.Fatal("deleted user counts as assigned")
	}
	if err := d.AddGroupMember(ctx, g.ObjectID, direct.ObjectID); !errors.Is(err, ErrWrongState) {
		t.Fatalf("adding a deleted user to a group: %v", err)
	}
}

// SetAssignments leaves exactly the users and groups given, whatever the
// app had, and changes nothing (no change sequence) that stays.
func TestSetAssignments(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, err := d.CreateApp(ctx, "RudderStack")
	if err != nil {
		t.Fatal(err)
	}
	adele, isaiah, alex := mustUser(t, d, "adele"), mustUser(t, d, "isaiah"), mustUser(t, d, "alex")
	g, err := d.CreateGroup(ctx, "RudderStack Users", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddGroupMember(ctx, g.ObjectID, isaiah.ObjectID); err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		t.Helper()
		as, err := d.Assignments(ctx, app.AppID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, string(a.PrincipalType)+":"+a.DisplayName)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		ids  []string
		want []string
	}{
		{"a user and a group", []string{adele.ObjectID, strings.ToUpper(g.ObjectID)}, []string{"user:adele", "group:RudderStack Users"}},
		{"the group swapped for a user", []string{alex.ObjectID, adele.ObjectID}, []string{"user:adele", "user:alex"}},
		{"nobody", nil, nil},
		{"the group alone", []string{g.ObjectID}, []string{"group:RudderStack Users"}},
	} {
		if err := d.SetAssignments(ctx, app.AppID, tc.ids); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := names(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: assignments %v, want %v", tc.name, got, tc.want)
		}
	}
	before, err := d.Assignments(ctx, app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetAssignments(ctx, app.AppID, []string{g.ObjectID}); err != nil {
		t.Fatal(err)
	}
	if after, _ := d.Assignments(ctx, app.AppID); !slices.Equal(after, before) {
		t.Errorf("setting the same assignments changed them: %+v, then %+v", before, after)
	}
	if ok, _ := d.IsAssigned(ctx, app.AppID, isaiah.ObjectID); !ok {
		t.Error("the group's member is not assigned through it")
	}
	if err := d.SetAssignments(ctx, app.AppID, []string{"00000000-0000-0000-0000-000000000000"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("assigning nobody: %v", err)
	}
}
