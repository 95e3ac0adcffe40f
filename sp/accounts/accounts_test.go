package accounts

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func newTestStore(t *testing.T, dir string) (*Store, *clockwork.FakeClock) {
	t.Helper()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	s, err := Open(context.Background(), Options{Dir: dir, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock
}

func newOrg(t *testing.T, s *Store) Org {
	t.Helper()
	o, err := s.CreateOrg(context.Background(), Org{
		Name: "Demo", Domains: []string{"Contoso.onmicrosoft.com"}, SCIMEnabled: true,
		SSO: SSOConfig{ProviderName: "AzureAD", MetadataURL: "https://idp/metadata", AttributeMapping: DefaultAttributeMapping()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOrgByDomainIsCaseInsensitiveAndDomainsAreExclusive(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	got, err := s.FindOrgByDomain(ctx, "CONTOSO.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != o.ID || got.SSO.AttributeMapping["email"] != "Email" || got.SSO.ProviderName != "AzureAD" {
		t.Fatalf("got %+v", got)
	}
	if _, err := s.FindOrgByDomain(ctx, "fabrikam.com"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown domain: %v", err)
	}
	_, err = s.CreateOrg(ctx, Org{Name: "Other", Domains: []string{"contoso.onmicrosoft.com"}})
	if !errors.Is(err, ErrDomainTaken) {
		t.Fatalf("second org with same domain: %v", err)
	}
	if orgs, _ := s.ListOrgs(ctx); len(orgs) != 1 {
		t.Fatalf("failed create left %d orgs", len(orgs))
	}
}

func TestUpdateOrgRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	boom := errors.New("boom")
	_, err := s.UpdateOrg(ctx, o.ID, func(o *Org) error { o.SCIMEnabled = false; return boom })
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	got, _ := s.GetOrg(ctx, o.ID)
	if !got.SCIMEnabled {
		t.Fatal("failed update was applied")
	}
	got, err = s.UpdateOrg(ctx, o.ID, func(o *Org) error { o.SCIMEnabled = false; o.Domains = append(o.Domains, "fabrikam.com"); return nil })
	if err != nil || got.SCIMEnabled || len(got.Domains) != 2 {
		t.Fatalf("update: %+v %v", got, err)
	}
}

func TestUserNameIsUniqueCaseInsensitively(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	u, err := s.CreateUser(ctx, User{OrgID: o.ID, UserName: "Adele@Contoso.com", Role: RoleMember, Source: SourceSCIM, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.Version != 1 || u.ID == "" {
		t.Fatalf("new user: %+v", u)
	}
	_, err = s.CreateUser(ctx, User{OrgID: o.ID, UserName: "adele@contoso.com", Role: RoleMember, Source: SourceSCIM})
	if !errors.Is(err, ErrUserExists) {
		t.Fatalf("duplicate: %v", err)
	}
	got, err := s.FindUserByUserName(ctx, o.ID, "ADELE@contoso.COM")
	if err != nil || got.ID != u.ID || got.UserName != "Adele@Contoso.com" {
		t.Fatalf("lookup: %+v %v", got, err)
	}
}

func TestCreateUserValidates(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	for _, u := range []User{
		{OrgID: o.ID, UserName: " ", Role: RoleMember, Source: SourceJIT},
		{OrgID: o.ID, UserName: "a", Role: "owner", Source: SourceJIT},
		{OrgID: o.ID, UserName: "a", Role: RoleMember, Source: "ldap"},
		{OrgID: o.ID, UserName: "a", Role: RoleMember, Source: SourceSCIM, SCIM: []byte("{")},
	} {
		if _, err := s.CreateUser(ctx, u); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", u, err)
		}
	}
	if _, err := s.CreateUser(ctx, User{OrgID: "nope", UserName: "a", Role: RoleMember, Source: SourceJIT}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown org: %v", err)
	}
}

func TestConcurrentCreatesOfOneUserNameYieldOne(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, t.TempDir())
	o := newOrg(t, s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, dup := 0, 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "same@contoso.com"
			if i%2 == 0 {
				name = strings.ToUpper(name)
			}
			_, err := s.CreateUser(ctx, User{OrgID: o.ID, UserName: name, Role: RoleMember, Source: SourceSCIM, Active: true})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created++
			case errors.Is(err, ErrUserExists):
				dup++
			default:
				t.Errorf("create: %v", err)
			}
		}()
	}
	wg.Wait()
	if created != 1 || dup != 49 {
		t.Fatalf("%d created, %d duplicates", created, dup)
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	u, _ := s.CreateUser(ctx, User{OrgID: o.ID, UserName: "u", Role: RoleMember, Source: SourceSCIM, Active: true})
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateUser(ctx, o.ID, u.ID, func(u *User) error {
				u.DisplayName += string(rune('a' + i%26))
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := s.GetUser(ctx, o.ID, u.ID)
	if len(got.DisplayName) != 40 || got.Version != 41 {
		t.Fatalf("display name %q (len %d), version %d; want 40 appends and version 41", got.DisplayName, len(got.DisplayName), got.Version)
	}
}

func TestFindUsersFiltersAndPages(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		ext := ""
		if i%2 == 0 {
			ext = "x-" + name
		}
		if _, err := s.CreateUser(ctx, User{OrgID: o.ID, UserName: name, ExternalID: ext, Role: RoleMember, Source: SourceSCIM, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(us []User) string {
		var b []string
		for _, u := range us {
			b = append(b, u.UserName)
		}
		return strings.Join(b, ",")
	}
	for _, tc := range []struct {
		q     UserQuery
		want  string
		total int
	}{
		{UserQuery{}, "a,b,c,d,e", 5},
		{UserQuery{Offset: 1, Limit: 2}, "b,c", 5},
		{UserQuery{Offset: 10}, "", 5},
		{UserQuery{UserName: "C"}, "c", 1},
		{UserQuery{ExternalID: "x-c"}, "c", 1},
		{UserQuery{ExternalID: "X-C"}, "", 0},
		{UserQuery{UserName: "c", ExternalID: "x-a"}, "", 0},
		{UserQuery{HasExternalID: true}, "b,d", 2},
		{UserQuery{UserName: "zz"}, "", 0},
	} {
		got, total, err := s.FindUsers(ctx, o.ID, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if names(got) != tc.want || total != tc.total {
			t.Errorf("%+v: got %q total %d, want %q total %d", tc.q, names(got), total, tc.want, tc.total)
		}
	}
}

func TestSignInCreatesThenUpdatesAndRefusesDeactivated(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t, "")
	o := newOrg(t, s)
	u, created, err := s.SignIn(ctx, o.ID, SignInAttributes{UserName: "adele@contoso.com", Email: "adele@contoso.com", FamilyName: "Adele Vance"})
	if err != nil || !created {
		t.Fatalf("first sign-in: %v created=%v", err, created)
	}
	if u.Role != RoleMember || u.Source != SourceJIT || !u.Active || u.LastSignInAt == nil {
		t.Fatalf("JIT user: %+v", u)
	}
	clock.Advance(time.Hour)
	u2, created, err := s.SignIn(ctx, o.ID, SignInAttributes{UserName: "ADELE@contoso.com", Email: "adele.vance@contoso.com", FamilyName: "Vance"})
	if err != nil || created || u2.ID != u.ID {
		t.Fatalf("second sign-in: %+v created=%v err=%v", u2, created, err)
	}
	if u2.Email != "adele.vance@contoso.com" || u2.FamilyName != "Vance" || !u2.LastSignInAt.After(*u.LastSignInAt) {
		t.Fatalf("attributes not updated: %+v", u2)
	}
	if n, _ := s.CountUsers(ctx, o.ID); n != 1 {
		t.Fatalf("%d users after two sign-ins", n)
	}
	if _, err := s.UpdateUser(ctx, o.ID, u.ID, func(u *User) error { u.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.SignIn(ctx, o.ID, SignInAttributes{UserName: "adele@contoso.com", Email: "x@y"})
	if !errors.Is(err, ErrUserDeactivated) || got.ID != u.ID {
		t.Fatalf("deactivated sign-in: %v", err)
	}
	after, _ := s.GetUser(ctx, o.ID, u.ID)
	if after.Email != "adele.vance@contoso.com" {
		t.Fatal("refused sign-in changed the user")
	}
}

func TestSignInLinksToSCIMUser(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	scim, _ := s.CreateUser(ctx, User{OrgID: o.ID, UserName: "Isaiah@contoso.com", ExternalID: "Isaiah", Role: RoleMember, Source: SourceSCIM, Active: true, SCIM: []byte(`{"userName":"Isaiah@contoso.com"}`)})
	u, created, err := s.SignIn(ctx, o.ID, SignInAttributes{UserName: "isaiah@contoso.com", Email: "isaiah@contoso.com"})
	if err != nil || created || u.ID != scim.ID || u.Source != SourceSCIM || string(u.SCIM) != string(scim.SCIM) {
		t.Fatalf("sign-in of SCIM user: %+v created=%v err=%v", u, created, err)
	}
}

func TestPATLifecycle(t *testing.T) {
	ctx := context.Background()
	s, clock := newTestStore(t, "")
	o := newOrg(t, s)
	admin, _ := s.CreateUser(ctx, User{OrgID: o.ID, UserName: "admin@contoso.com", Role: RoleAdmin, Source: SourceInvite, Active: true})
	token, pat, err := s.CreatePAT(ctx, o.ID, admin.ID, "Entra SCIM", PATRoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, TokenPrefix) || strings.Contains(pat.Hint, token[len(TokenPrefix)+17:len(token)-4]) {
		t.Fatalf("token %q hint %q", token, pat.Hint)
	}
	got, err := s.AuthenticatePAT(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner.ID != admin.ID || got.Org.ID != o.ID || got.Token.Role != PATRoleAdmin || got.Token.LastUsedAt == nil {
		t.Fatalf("authenticated: %+v", got)
	}
	list, _ := s.ListPATs(ctx, o.ID, "")
	if len(list) != 1 || list[0].LastUsedAt == nil || list[0].Name != "Entra SCIM" {
		t.Fatalf("list: %+v", list)
	}
	for _, bad := range []string{"", "Bearer " + token, token + "x", token[:len(token)-1] + "!", "rspat_short_x", strings.Replace(token, TokenPrefix, "ghp_", 1)} {
		if _, err := s.AuthenticatePAT(ctx, bad); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if err := s.RevokePAT(ctx, o.ID, pat.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticatePAT(ctx, token); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("revoked: %v", err)
	}
	exp := clock.Now().Add(time.Hour)
	token2, _, _ := s.CreatePAT(ctx, o.ID, admin.ID, "short", PATRoleMember, &exp)
	if _, err := s.AuthenticatePAT(ctx, token2); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	if _, err := s.AuthenticatePAT(ctx, token2); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("expired: %v", err)
	}
	if _, _, err := s.CreatePAT(ctx, o.ID, admin.ID, "", PATRoleAdmin, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
	if _, _, err := s.CreatePAT(ctx, o.ID, "nobody", "x", PATRoleAdmin, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown owner: %v", err)
	}
}

func TestStatePersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, _ := newTestStore(t, dir)
	o := newOrg(t, s)
	u, _, _ := s.SignIn(ctx, o.ID, SignInAttributes{UserName: "adele@contoso.com", Email: "adele@contoso.com"})
	token, _, _ := s.CreatePAT(ctx, o.ID, u.ID, "t", PATRoleAdmin, nil)
	s.Close()

	s2, _ := newTestStore(t, dir)
	if got, err := s2.FindUserByUserName(ctx, o.ID, "adele@contoso.com"); err != nil || got.ID != u.ID || got.Source != SourceJIT {
		t.Fatalf("user after reopen: %+v %v", got, err)
	}
	if _, err := s2.AuthenticatePAT(ctx, token); err != nil {
		t.Fatalf("token after reopen: %v", err)
	}
}

func TestOrgReadsFollowUpdatesAndCopiesAreIndependent(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, "")
	o := newOrg(t, s)
	first, _ := s.GetOrg(ctx, o.ID)
	first.Domains[0] = "mutated.example"
	first.SSO.AttributeMapping["email"] = "mutated"
	again, _ := s.GetOrg(ctx, o.ID)
	if again.Domains[0] != "contoso.onmicrosoft.com" || again.SSO.AttributeMapping["email"] != "Email" {
		t.Fatalf("editing a returned org changed the store's copy: %+v", again)
	}
	if _, err := s.UpdateOrg(ctx, o.ID, func(o *Org) error { o.SCIMEnabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	after, _ := s.GetOrg(ctx, o.ID)
	if after.SCIMEnabled {
		t.Fatal("a read after UpdateOrg returned the old org")
	}
	admin, _ := s.CreateUser(ctx, User{OrgID: o.ID, UserName: "a", Role: RoleAdmin, Source: SourceInvite, Active: true})
	token, _, _ := s.CreatePAT(ctx, o.ID, admin.ID, "t", PATRoleAdmin, nil)
	got, err := s.AuthenticatePAT(ctx, token)
	if err != nil || got.Org.SCIMEnabled || got.Owner.UserName != "a" || got.Owner.Role != RoleAdmin {
		t.Fatalf("authenticated after the update: %+v %v", got, err)
	}
}
