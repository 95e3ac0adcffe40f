package directory

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestCreateUsersIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDirectory(t)
	nu := func(alias, pw string) NewUser {
		return NewUser{User: User{UserPrincipalName: alias + "@contoso.onmicrosoft.com", DisplayName: alias, AccountEnabled: true}, Password: pw}
	}
	_, err := d.CreateUsers(ctx, []NewUser{nu("a", "Correct-Horse-9"), nu("b", "short"), nu("c", "Correct-Horse-9")})
	var be *BulkError
	if !errors.As(err, &be) || be.Index != 1 || !errors.Is(err, ErrInvalid) {
		t.Fatalf("a weak password: %v", err)
	}
	if users, _ := d.Users(ctx); len(users) != 0 {
		t.Fatalf("a refused batch created %d users", len(users))
	}
	mustUser(t, d, "taken")
	if _, err := d.CreateUsers(ctx, []NewUser{nu("a", "Correct-Horse-9"), nu("taken", "Correct-Horse-9")}); !errors.As(err, &be) || be.Index != 1 || !errors.Is(err, ErrConflict) {
		t.Fatalf("a taken UPN: %v", err)
	}
	before, _ := d.Sequence(ctx)
	ids, err := d.CreateUsers(ctx, []NewUser{nu("a", "Correct-Horse-9"), nu("b", "Correct-Horse-9")})
	if err != nil || len(ids) != 2 {
		t.Fatal(ids, err)
	}
	if _, err := d.VerifyPassword(ctx, "b@contoso.onmicrosoft.com", "Correct-Horse-9"); err != nil {
		t.Error(err)
	}
	// Each new user is a change the provisioning engine sees.
	changes, _, err := d.ChangesSince(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Errorf("changes since the batch: %+v", changes)
	}
}

func TestSetGroupMembers(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDirectory(t)
	a, b, c := mustUser(t, d, "a"), mustUser(t, d, "b"), mustUser(t, d, "c")
	g, err := d.CreateGroup(ctx, "G", "")
	if err != nil {
		t.Fatal(err)
	}
	members := func() []string {
		us, _ := d.GroupMembers(ctx, g.ObjectID)
		var out []string
		for _, u := range us {
			out = append(out, u.DisplayName)
		}
		slices.Sort(out)
		return out
	}
	if err := d.SetGroupMembers(ctx, g.ObjectID, []string{a.ObjectID, b.ObjectID}); err != nil {
		t.Fatal(err)
	}
	if got := members(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("members %v", got)
	}
	before, _ := d.Sequence(ctx)
	if err := d.SetGroupMembers(ctx, g.ObjectID, []string{b.ObjectID, c.ObjectID}); err != nil {
		t.Fatal(err)
	}
	if got := members(); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("members %v", got)
	}
	if after, _ := d.Sequence(ctx); after != before+2 {
		t.Errorf("sequence moved %d, want 2 (a removed, c added)", after-before)
	}
	if err := d.SetGroupMembers(ctx, g.ObjectID, []string{"00000000-0000-0000-0000-000000000000"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown user: %v", err)
	}
}
