package provisioning

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/sp"
	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/scimserver"
)

// realSP is ssowiz's own service provider (sp, sp/scimserver and
// sp/accounts, in memory) on a loopback httptest server, with one
// SCIM-enabled organisation, its Org Admin and an Admin token.
type realSP struct {
	base     string // the SCIM Tenant URL
	token    string
	accounts *accounts.Store
	org      accounts.Org
	client   *http.Client
}

func startSP(t testing.TB) *realSP {
	t.Helper()
	ctx := context.Background()
	st, err := accounts.Open(ctx, accounts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	org, err := st.CreateOrg(ctx, accounts.Org{Name: "Contoso", Domains: []string{"contoso.onmicrosoft.com"}, SCIMEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := st.CreateUser(ctx, accounts.User{OrgID: org.ID, UserName: "admin@contoso.onmicrosoft.com", Role: accounts.RoleAdmin, Source: accounts.SourceInvite, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := st.CreatePAT(ctx, org.ID, admin.ID, "Entra SCIM", accounts.PATRoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := sp.New(sp.Config{
		Accounts: st, AppURL: base, AuthURL: base, APIURL: base,
		SCIM: scimserver.New(scimserver.Config{Accounts: st, BaseURL: base + sp.SCIMPath}),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &realSP{base: srv.SCIMBaseURL(), token: token, accounts: st, org: org, client: ts.Client()}
}

// The engine against ssowiz's real SCIM server, in both dialects, over
// loopback HTTP: create with manager, update, unassign (deactivate), and
// reassign (reactivate); the server's view follows at each step.
func TestAgainstRealSCIMServer(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			s := startSP(t)
			f := newFixture(t, withConfig(func(c *Config) { c.HTTPClient = s.client }))
			f.configure(func(c *directory.ProvisioningConfig) {
				c.TenantURL = s.base
				if d == DialectSCIM {
					c.TenantURL += "?aadOptscim062020"
				}
				c.SecretToken = directory.NewSecret(s.token)
			})
			if res, err := f.eng.TestConnectionApp(f.ctx, f.app.AppID); err != nil || !res.OK {
				t.Fatalf("Test Connection = %+v, %v", res, err)
			}
			bob := f.user("bob", true, func(u *directory.User) { u.Department = "Sales" })
			alice := f.user("alice", true, func(u *directory.User) {
				u.Manager, u.JobTitle, u.TelephoneNumber, u.City = bob.ObjectID, "Engineer", "+1 425 555 0100", "Redmond"
			})
			rep := f.cycle()
			if rep.Outcome != OutcomeCompleted || rep.Counts.Created != 2 || rep.Counts.Updated != 1 || rep.Counts.Failed != 0 {
				t.Fatalf("initial cycle = %+v\n%+v", rep, f.logs(LogQuery{Status: StatusFailure}))
			}
			get := func(upn string) scim.Resource {
				t.Helper()
				u, err := s.accounts.FindUserByUserName(f.ctx, s.org.ID, upn)
				if err != nil {
					t.Fatalf("%s in the SP: %v", upn, err)
				}
				r, err := scim.DecodeResource(u.SCIM)
				if err != nil {
					t.Fatalf("%s's SCIM document: %v", upn, err)
				}
				r["active"] = u.Active
				return r
			}
			a, b := get(alice.UserPrincipalName), get(bob.UserPrincipalName)
			if a.ManagerID() == "" || a.ManagerID() != mustAccountID(t, s, bob.UserPrincipalName) || a.String("title") != "Engineer" {
				t.Errorf("alice in the SP = %v", a)
			}
			if b.Extension(scim.SchemaEnterpriseUser)["department"] != "Sales" {
				t.Errorf("bob in the SP = %v", b)
			}

			f.update(alice.ObjectID, func(u *directory.User) { u.JobTitle = "Lead"; u.Department = "R&D"; u.Mail = "alice.new@contoso.com" })
			if rep := f.cycle(); rep.Counts.Updated != 1 || rep.Counts.Failed != 0 {
				t.Fatalf("update cycle = %+v %+v", rep, f.logs(LogQuery{Status: StatusFailure}))
			}
			a = get(alice.UserPrincipalName)
			emails, _ := a.Get("emails")
			if a.String("title") != "Lead" || a.Extension(scim.SchemaEnterpriseUser)["department"] != "R&D" || !strings.Contains(jsonText(emails), "alice.new@contoso.com") {
				t.Errorf("alice after update = %v", a)
			}

			f.dir.Unassign(f.ctx, f.app.AppID, alice.ObjectID)
			if rep := f.cycle(); rep.Counts.Disabled != 1 {
				t.Fatalf("unassign cycle = %+v %+v", rep, f.logs(LogQuery{Status: StatusFailure}))
			}
			if get(alice.UserPrincipalName)["active"] != false {
				t.Error("alice still active in the SP")
			}
			f.dir.Assign(f.ctx, f.app.AppID, alice.ObjectID)
			if rep := f.cycle(); rep.Counts.Updated != 1 {
				t.Fatalf("reassign cycle = %+v %+v", rep, f.logs(LogQuery{Status: StatusFailure}))
			}
			if get(alice.UserPrincipalName)["active"] != true {
				t.Error("alice not reactivated in the SP")
			}
			if rep := f.cycle(); rep.Requests != 0 {
				t.Errorf("an idle cycle sent %d requests", rep.Requests)
			}
		})
	}
}

// RudderStack's profile: groups on means a 404 on /Groups, which
// quarantines the job; a hard delete with Delete ticked is refused (501),
// which escrows the delete while the user stays deactivated.
func TestRealSCIMServerLimits(t *testing.T) {
	s := startSP(t)
	f := newFixture(t, withConfig(func(c *Config) { c.HTTPClient = s.client }))
	f.configure(func(c *directory.ProvisioningConfig) {
		c.TenantURL, c.SecretToken, c.ProvisionGroups = s.base, directory.NewSecret(s.token), true
	})
	g, _ := f.dir.CreateGroup(f.ctx, "Sales", "")
	alice := f.user("alice", true, nil)
	f.dir.AddGroupMember(f.ctx, g.ObjectID, alice.ObjectID)
	f.dir.Assign(f.ctx, f.app.AppID, g.ObjectID)
	rep := f.cycle()
	if rep.Outcome != OutcomeQuarantined || !strings.Contains(rep.Quarantine.Detail, "HTTP/404 Not Found") {
		t.Fatalf("groups on = %+v %+v", rep, rep.Quarantine)
	}

	f.configure(func(c *directory.ProvisioningConfig) { c.ProvisionGroups = false })
	if rep := f.cycle(); rep.Outcome != OutcomeCompleted {
		t.Fatalf("groups off = %+v", rep)
	}
	f.dir.SoftDeleteUser(f.ctx, alice.ObjectID)
	f.cycle()
	f.dir.HardDeleteUser(f.ctx, alice.ObjectID)
	rep = f.cycle()
	l := f.logs(LogQuery{SourceID: alice.ObjectID, Status: StatusFailure})
	if rep.Counts.Failed != 1 || len(l) != 1 || l[0].Code != CodeNotImplemented || f.status().Escrowed != 1 {
		t.Errorf("hard delete = %+v, logs %+v", rep.Counts, l)
	}
	u, err := s.accounts.FindUserByUserName(f.ctx, s.org.ID, alice.UserPrincipalName)
	if err != nil || u.Active {
		t.Errorf("alice in the SP = %+v, %v; want kept, deactivated", u, err)
	}
}

func mustAccountID(t *testing.T, s *realSP, upn string) string {
	t.Helper()
	u, err := s.accounts.FindUserByUserName(context.Background(), s.org.ID, upn)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func jsonText(v any) string {
	b, _ := jsonMarshal(v)
	return string(b)
}
