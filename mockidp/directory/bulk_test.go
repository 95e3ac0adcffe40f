package directory

import (
	"context"
	"errors"
	"fmt"
	"reflect"
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

// The bulk reads a tenant file's apply uses answer as the per-user reads
// they replace, below and above the size where they read the whole table.
func TestBulkReadsAnswerAsSingleReads(t *testing.T) {
	for _, n := range []int{3, idChunk + 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ctx := context.Background()
			d, _ := newTestDirectory(t)
			batch := make([]NewUser, n)
			for i := range batch {
				alias := fmt.Sprintf("u%04d", i)
				batch[i] = NewUser{User: User{UserPrincipalName: alias + "@contoso.onmicrosoft.com", DisplayName: alias, AccountEnabled: true},
					Password: "Correct-Horse-" + fmt.Sprint(i)}
			}
			before, _ := d.Sequence(ctx)
			ids, err := d.CreateUsers(ctx, batch)
			if err != nil {
				t.Fatal(err)
			}
			// One sequence number each, as n single creations would take.
			users, _ := d.Users(ctx)
			seqs := map[int64]bool{}
			for _, u := range users {
				seqs[u.ChangeSeq] = true
			}
			if after, _ := d.Sequence(ctx); after != before+int64(n) || len(seqs) != n {
				t.Errorf("sequence moved %d with %d distinct numbers for %d users", after-before, len(seqs), n)
			}
			// The second user is deleted, the third has a wrong password.
			if err := d.SoftDeleteUser(ctx, ids[1]); err != nil {
				t.Fatal(err)
			}
			check := map[string]string{}
			for i, id := range ids {
				check[id] = batch[i].Password
			}
			check[ids[2]] = "Wrong-Horse-1"
			open, err := d.CheckPasswords(ctx, check)
			if err != nil {
				t.Fatal(err)
			}
			for i, id := range ids {
				_, verr := d.VerifyPassword(ctx, batch[i].User.UserPrincipalName, check[id])
				if got, want := open[id], verr == nil; got != want {
					t.Errorf("user %d: CheckPasswords says %v, VerifyPassword %v", i, got, verr)
				}
			}
			if open[ids[1]] || open[ids[2]] || !open[ids[0]] || len(open) != n {
				t.Errorf("deleted %v, wrong password %v, right %v, %d answers", open[ids[1]], open[ids[2]], open[ids[0]], len(open))
			}

			app, err := d.CreateApp(ctx, "App")
			if err != nil {
				t.Fatal(err)
			}
			g, err := d.CreateGroup(ctx, "Everyone", "")
			if err != nil {
				t.Fatal(err)
			}
			live := append([]string{ids[0]}, ids[2:]...)
			beforeMembers, _ := d.Sequence(ctx)
			if err := d.SetGroupMembers(ctx, g.ObjectID, live); err != nil {
				t.Fatal(err)
			}
			// One membership change each, at a sequence of its own, as
			// AddGroupMember would record them.
			changes, _, err := d.ChangesSince(ctx, beforeMembers)
			if err != nil {
				t.Fatal(err)
			}
			joined := map[int64]bool{}
			for _, c := range changes {
				if c.Kind == ChangeMembership && !c.Removed && c.GroupID == g.ObjectID {
					joined[c.Seq] = true
				}
			}
			if len(joined) != len(live) {
				t.Errorf("%d membership changes at distinct sequences, want %d", len(joined), len(live))
			}
			if err := d.SetGroupMembers(ctx, g.ObjectID, ids); !errors.Is(err, ErrWrongState) {
				t.Errorf("a deleted user added to a group: %v", err)
			}
			if err := d.Assign(ctx, app.AppID, g.ObjectID); err != nil {
				t.Fatal(err)
			}
			assigned, err := d.AssignedUserIDs(ctx, app.AppID)
			if err != nil {
				t.Fatal(err)
			}
			listed, _ := d.AssignedUsers(ctx, app.AppID)
			if len(assigned) != len(listed) || len(listed) != n-1 {
				t.Errorf("AssignedUserIDs has %d, AssignedUsers %d, want %d", len(assigned), len(listed), n-1)
			}
			for _, u := range listed {
				if !assigned[u.ObjectID] {
					t.Errorf("%s is assigned but not in AssignedUserIDs", u.UserPrincipalName)
				}
			}

			all, _ := d.Users(ctx)
			for _, k := range []int{0, 2, n + 5} {
				first, err := d.FirstUsers(ctx, k)
				if err != nil {
					t.Fatal(err)
				}
				if want := all[:min(k, len(all))]; !reflect.DeepEqual(first, want) {
					t.Errorf("FirstUsers(%d) = %d users, want the first %d of Users", k, len(first), len(want))
				}
			}
		})
	}
}

func TestSeedRecordsWithPrefix(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDirectory(t)
	if err := d.SetSeedRecords(ctx, map[string]string{"password:a": "1", "password:b": "2", "passwords": "x", "other:password:c": "y", "passwork": "z"}); err != nil {
		t.Fatal(err)
	}
	got, err := d.SeedRecordsWithPrefix(ctx, "password:")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"password:a": "1", "password:b": "2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Apps reads every app in two queries; each must be what App reads on
// its own, identifiers in their order included.
func TestAppsAnswerAsApp(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDirectory(t)
	for i := range 4 {
		app, err := d.CreateApp(ctx, fmt.Sprintf("App %d", 3-i))
		if err != nil {
			t.Fatal(err)
		}
		cfg := SAMLConfig{SignOnURL: fmt.Sprintf("https://app%d.example.com/login", i)}
		for k := range i + 1 {
			cfg.Identifiers = append(cfg.Identifiers, Identifier{Value: fmt.Sprintf("https://app%d.example.com/id%d", i, k), Default: k == i})
		}
		cfg.ReplyURLs = []ReplyURL{{URL: fmt.Sprintf("https://app%d.example.com/acs", i), Default: true}}
		if _, err := d.UpdateSAMLConfig(ctx, app.AppID, cfg); err != nil {
			t.Fatal(err)
		}
	}
	apps, err := d.Apps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 4 || apps[0].Name != "App 0" || len(apps[0].SAML.Identifiers) != 4 {
		t.Fatalf("Apps = %d apps, first %q with %d identifiers", len(apps), apps[0].Name, len(apps[0].SAML.Identifiers))
	}
	for _, a := range apps {
		// Read past the cache Apps filled.
		one, err := d.appIn(ctx, d.db, a.AppID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, one) {
			t.Errorf("Apps has %+v\nApp reads %+v", a, one)
		}
	}
}

// A password reset moves the change sequence on (so a record of the
// users as of a sequence knows it is stale) but reports no change: no
// delta carries passwords.
func TestSetPasswordMovesTheSequenceOnly(t *testing.T) {
	ctx := context.Background()
	d, _ := newTestDirectory(t)
	u := mustUser(t, d, "adele")
	before, _ := d.Sequence(ctx)
	if err := d.SetPassword(ctx, u.ObjectID, "Another-Pass-42"); err != nil {
		t.Fatal(err)
	}
	after, _ := d.Sequence(ctx)
	changes, _, err := d.ChangesSince(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before || len(changes) != 0 {
		t.Fatalf("sequence %d -> %d, %d changes reported", before, after, len(changes))
	}
	if _, err := d.VerifyPassword(ctx, u.UserPrincipalName, "Another-Pass-42"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}
