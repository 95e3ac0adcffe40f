package lab

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
	"github.com/ssowiz/ssowiz/mockidp/provisioning/scimtest"
)

// waitForUsers polls the SCIM server until it holds n users.
func waitForUsers(t *testing.T, srv *scimtest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(srv.Users()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the SCIM server holds %d users after 20 s, want %d; requests: %v", len(srv.Users()), n, srv.Requests())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serve --provision --scim-url aims the guide's app at another SCIM
// server: the engine creates the assigned users there, with the token
// given, and its log says what it sent and what came back.
func TestProvisioningIntoAnotherSCIMServer(t *testing.T) {
	srv := scimtest.New()
	t.Cleanup(srv.Close)
	srv.Configure(func(s *scimtest.Server) { s.Token = "other-server-token" })
	l := startLab(t, Options{Provision: true, SCIMURL: srv.URL(), SCIMToken: "other-server-token"})
	// Adele, Isaiah (through the group), Lee and Diego; Megan is assigned
	// but disabled, which Entra does not create.
	waitForUsers(t, srv, 4)
	if _, ok := srv.UserByName("AdeleV@contoso.onmicrosoft.com"); !ok {
		t.Fatalf("Adele is not in the other server: %v", srv.Users())
	}
	for _, upn := range []string{"AlexW@contoso.onmicrosoft.com", "MeganB@contoso.onmicrosoft.com"} {
		if _, ok := srv.UserByName(upn); ok {
			t.Errorf("%s was provisioned", upn)
		}
	}
	// The built-in RudderStack got nobody over SCIM: the app now points
	// elsewhere, and RudderStack's own SCIM profile is untouched.
	org := l.Info().OrgID
	if u, err := l.Accounts.FindUserByUserName(context.Background(), org, "AdeleV@contoso.onmicrosoft.com"); err == nil {
		t.Errorf("Adele reached the built-in RudderStack too: %+v", u)
	}

	app := l.Info().AppID
	var created *provisioning.LogEntry
	deadline := time.Now().Add(10 * time.Second)
	for created == nil && time.Now().Before(deadline) {
		logs, err := l.Provisioning.Logs(context.Background(), app, provisioning.LogQuery{Action: provisioning.ActionCreate})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range logs {
			if e.SourceName == "AdeleV@contoso.onmicrosoft.com" {
				created = &logs[i]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if created == nil {
		t.Fatal("no Create log entry for Adele")
	}
	var post *provisioning.Exchange
	for i, x := range created.Requests {
		if x.Method == "POST" {
			post = &created.Requests[i]
		}
	}
	if post == nil || post.Status != 201 || !strings.Contains(post.Sent, `"userName":"AdeleV@contoso.onmicrosoft.com"`) ||
		!strings.Contains(post.Received, `"id":`) || strings.Contains(post.Sent+post.Received, "other-server-token") {
		t.Fatalf("the log of Adele's creation: %+v", created.Requests)
	}
	for _, r := range srv.Requests() {
		if got := r.Header.Get("Authorization"); got != "Bearer other-server-token" {
			t.Fatalf("%s sent %q", r, got)
		}
	}
}

// A tenant file aims any app's provisioning at its SCIM server, with the
// token from an environment variable; the engine runs because the file
// switches provisioning on.
func TestTenantFileAppProvisionsItsSCIMServer(t *testing.T) {
	srv := scimtest.New()
	t.Cleanup(srv.Close)
	srv.Configure(func(s *scimtest.Server) { s.Token = "file-token" })
	t.Setenv("OTHER_SCIM_TOKEN", "file-token")
	text := strings.Replace(string(tenant.DemoYAML()), "  - name: RudderStack\n", `  - name: Other app
    saml:
      identifiers: [{value: "https://other.example.com"}]
      reply_urls: [{url: "https://other.example.com/acs"}]
    assigned: {users: [AlexW@contoso.onmicrosoft.com]}
    provisioning:
      tenant_url: `+srv.URL()+`
      secret_token_env: OTHER_SCIM_TOKEN
      provision_groups: false
      enabled: true
  - name: RudderStack
`, 1)
	f, err := tenant.Parse(strings.NewReader(text), "tenant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	startLab(t, Options{Tenant: f})
	waitForUsers(t, srv, 1)
	if _, ok := srv.UserByName("AlexW@contoso.onmicrosoft.com"); !ok || len(srv.Users()) != 1 {
		t.Fatalf("the other server holds %v; want Alex only", srv.Users())
	}
}
