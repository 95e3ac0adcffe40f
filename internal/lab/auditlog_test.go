package lab

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// nextEvent waits for the feed's next event.
func nextEvent(t *testing.T, feed <-chan auditlog.Event) auditlog.Event {
	t.Helper()
	select {
	case e := <-feed:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event on the feed within 10 s")
	}
	return auditlog.Event{}
}

// TestFeedAndAuditLogs: a sign-in and a provisioning action reach the live
// feed as one sentence each, and Graph's auditLogs serve both.
func TestFeedAndAuditLogs(t *testing.T) {
	ctx := context.Background()
	l := startLab(t, Options{Provision: true})
	info := l.Info()
	if _, err := l.Provisioning.RunCycle(ctx, info.AppID); err != nil {
		t.Fatal(err)
	}
	feed, stop := l.AuditLog.Subscribe()
	defer stop()

	adele := demoUser(t, l, "AdeleV")
	signIn(t, l, adele.UPN, adele.Password)
	if e := nextEvent(t, feed); e.String() != "Adele Vance signed in to RudderStack" {
		t.Errorf("feed: %q", e)
	}
	alex := demoUser(t, l, "AlexW")
	signIn(t, l, alex.UPN, alex.Password)
	if e := nextEvent(t, feed); !strings.HasPrefix(e.String(), "Entra refused Alex Wilber's sign-in to RudderStack: AADSTS50105") {
		t.Errorf("feed: %q", e)
	}

	u, err := l.Directory.UserByUPN(ctx, adele.UPN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Directory.UpdateUser(ctx, u.ObjectID, func(u *directory.User) { u.JobTitle = "Retail Director" }); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Provisioning.RunCycle(ctx, info.AppID); err != nil {
		t.Fatal(err)
	}
	if e := nextEvent(t, feed); e.String() != "Entra updated "+adele.UPN+" in RudderStack over SCIM (200)" {
		t.Errorf("feed: %q", e)
	}

	tok := graphToken(t, l)
	status, body := graphCall(t, l, tok, http.MethodGet, info.GraphBaseURL+"/auditLogs/signIns?$filter="+url.QueryEscape("userPrincipalName eq '"+adele.UPN+"'"), nil)
	var signIns struct {
		Value []struct {
			AppDisplayName string `json:"appDisplayName"`
			Status         struct {
				ErrorCode int `json:"errorCode"`
			} `json:"status"`
		} `json:"value"`
	}
	if err := json.Unmarshal(body, &signIns); status != 200 || err != nil || len(signIns.Value) != 1 || signIns.Value[0].AppDisplayName != "RudderStack" {
		t.Fatalf("auditLogs/signIns: %d %s", status, body)
	}
	status, body = graphCall(t, l, tok, http.MethodGet, info.GraphBaseURL+"/auditLogs/provisioning?$filter="+url.QueryEscape("provisioningAction eq 'update' and sourceIdentity/displayName eq '"+adele.UPN+"'"), nil)
	var prov struct {
		Value []struct {
			SourceIdentity struct {
				DisplayName string `json:"displayName"`
			} `json:"sourceIdentity"`
		} `json:"value"`
	}
	if err := json.Unmarshal(body, &prov); status != 200 || err != nil || len(prov.Value) != 1 || prov.Value[0].SourceIdentity.DisplayName != adele.UPN {
		t.Fatalf("auditLogs/provisioning: %d %s", status, body)
	}
}
