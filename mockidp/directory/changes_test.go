package directory

import (
	"context"
	"fmt"
	"testing"
)

func TestChangesSince(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	app, _ := d.CreateApp(ctx, "RudderStack")
	adele := mustUser(t, d, "adele")
	isaiah := mustUser(t, d, "isaiah")
	g, _ := d.CreateGroup(ctx, "Sales", "")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.AddGroupMember(ctx, g.ObjectID, isaiah.ObjectID))
	must(d.Assign(ctx, app.AppID, adele.ObjectID))
	must(d.Assign(ctx, app.AppID, g.ObjectID))

	all, mark, err := d.ChangesSince(ctx, 0)
	must(err)
	if len(all) != 6 {
		t.Fatalf("initial changes = %d: %+v", len(all), all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("changes out of order: %+v", all)
		}
	}
	if cur, _ := d.Sequence(ctx); cur != mark || mark != all[len(all)-1].Seq {
		t.Fatalf("watermark %d, sequence %d, last change %d", mark, cur, all[len(all)-1].Seq)
	}
	if none, again, _ := d.ChangesSince(ctx, mark); len(none) != 0 || again != mark {
		t.Fatalf("nothing changed, but got %+v (mark %d)", none, again)
	}

	// Every kind of change after the watermark, including removals; adele
	// changes twice and is reported once, in her latest state.
	_, err = d.UpdateUser(ctx, isaiah.ObjectID, func(u *User) { u.Department = "Sales" })
	must(err)
	must(d.RemoveGroupMember(ctx, g.ObjectID, isaiah.ObjectID))
	must(d.Unassign(ctx, app.AppID, adele.ObjectID))
	must(d.SoftDeleteUser(ctx, adele.ObjectID))
	must(d.HardDeleteUser(ctx, adele.ObjectID))
	_, err = d.RenameGroup(ctx, g.ObjectID, "Sales team")
	must(err)
	// Config changes that provisioning does not follow bump nothing.
	_, err = d.UpdateSigning(ctx, app.AppID, SignResponse, SHA256)
	must(err)

	got, _, err := d.ChangesSince(ctx, mark)
	must(err)
	summary := []string{}
	for _, c := range got {
		summary = append(summary, fmt.Sprintf("%s %s removed=%v status=%s", c.Kind, name(c.ObjectID, adele, isaiah, g), c.Removed, c.UserStatus))
	}
	want := []string{
		"user isaiah removed=false status=active",
		"membership isaiah removed=true status=",
		"user adele removed=false status=hardDeleted",
		"group group removed=false status=",
	}
	// The unassignment of adele is overwritten by the hard delete's
	// sweep, at the same later sequence.
	if len(summary) != len(want)+1 {
		t.Fatalf("changes:\n%v\nwant (plus adele's assignment):\n%v", summary, want)
	}
	for _, w := range want {
		if !contains(summary, w) {
			t.Errorf("missing %q in %v", w, summary)
		}
	}
	if !contains(summary, "assignment adele removed=true status=") {
		t.Errorf("the unassignment is missing: %v", summary)
	}
}

func name(id string, adele, isaiah User, g Group) string {
	switch id {
	case adele.ObjectID:
		return "adele"
	case isaiah.ObjectID:
		return "isaiah"
	case g.ObjectID:
		return "group"
	}
	return id
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestNoOpEditsAreNotChanges(t *testing.T) {
	d, _ := newTestDirectory(t)
	ctx := context.Background()
	u := mustUser(t, d, "adele")
	before, _ := d.Sequence(ctx)
	if _, err := d.UpdateUser(ctx, u.ObjectID, func(x *User) { x.DisplayName = " adele " }); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetAccountEnabled(ctx, u.ObjectID, true); err != nil {
		t.Fatal(err)
	}
	if after, _ := d.Sequence(ctx); after != before {
		t.Fatalf("edits that change nothing bumped the sequence from %d to %d", before, after)
	}
	if _, err := d.SetAccountEnabled(ctx, u.ObjectID, false); err != nil {
		t.Fatal(err)
	}
	if after, _ := d.Sequence(ctx); after != before+1 {
		t.Fatalf("disabling bumped the sequence to %d, want %d", after, before+1)
	}
}
