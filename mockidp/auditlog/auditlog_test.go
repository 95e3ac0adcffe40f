package auditlog

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestRecordQueryAndFeed(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	l, err := Open(ctx, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	feed, stop := l.Subscribe()
	a, err := l.Record(ctx, SignIn{UserID: "U1", UserDisplayName: "Adele Vance", AppID: "A1", AppDisplayName: "RudderStack",
		Claims: []Claim{{Name: "Email", Value: "adele@contoso.com"}}, SAMLResponse: "<Response/>"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	b, err := l.Record(ctx, SignIn{UserID: "u2", UserPrincipalName: "alexw@contoso.com", AppID: "a1", ErrorCode: 50105,
		FailureReason: "Your administrator has configured the application. The signed in user is blocked."})
	if err != nil {
		t.Fatal(err)
	}
	if e := <-feed; e.SignIn == nil || e.SignIn.ID != a.ID || e.String() != "Adele Vance signed in to RudderStack" {
		t.Errorf("first event: %q", e)
	}
	if e := <-feed; e.String() != "Entra refused alexw@contoso.com's sign-in to an unknown app: AADSTS50105 Your administrator has configured the application." {
		t.Errorf("second event: %q", e)
	}
	all, err := l.SignIns(ctx, Query{AppID: "A1"})
	if err != nil || len(all) != 2 || all[0].ID != b.ID || all[1].Claims[0].Value != "adele@contoso.com" || !all[1].Succeeded() {
		t.Fatalf("SignIns = %+v, %v; want both, newest first", all, err)
	}
	if mine, _ := l.SignIns(ctx, Query{UserID: "u1"}); len(mine) != 1 || mine[0].SAMLResponse != "<Response/>" {
		t.Errorf("by user: %+v", mine)
	}
	if _, err := l.SignIn(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SignIn(nope) = %v", err)
	}
	l.Publish(Event{Provisioning: &Provisioning{AppDisplayName: "RudderStack", Action: "Update", Status: "Failure", SourceName: "AlexW",
		Requests: []Request{{Method: "PATCH", Path: "/scim/v2/Users/1", Status: 400, Detail: "Invalid value. More."}}}})
	if e := <-feed; e.String() != "RudderStack refused the PATCH for AlexW: 400 Invalid value." {
		t.Errorf("provisioning event: %q", e)
	}
	for p, want := range map[*Provisioning]string{
		{AppDisplayName: "RudderStack", Action: "Skip", Status: "Skipped", SourceName: "MeganB", Reason: "The user is not in scope. More."}:            "Entra skipped MeganB for RudderStack: The user is not in scope.",
		{AppDisplayName: "RudderStack", Action: "Skip", Status: "Skipped", SourceName: "MeganB"}:                                                       "Entra skipped MeganB for RudderStack",
		{AppDisplayName: "RudderStack", Action: "Create", Status: "Success", SourceName: "AdeleV", Requests: []Request{{Method: "POST", Status: 201}}}: "Entra created AdeleV in RudderStack over SCIM (201)",
		{AppDisplayName: "RudderStack", Action: "Other", Status: "Success", SourceName: "DiegoS"}:                                                      "Entra matched DiegoS in RudderStack",
	} {
		if got := (Event{Provisioning: p}).String(); got != want {
			t.Errorf("sentence %q, want %q", got, want)
		}
	}
	stop()
	stop()
	// A subscriber that never reads does not block a sign-in.
	slow, _ := l.Subscribe()
	for range 100 {
		if _, err := l.Record(ctx, SignIn{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for range slow {
		n++
	}
	if n != 64 {
		t.Errorf("the slow subscriber got %d events, want the 64 its buffer holds", n)
	}
}
