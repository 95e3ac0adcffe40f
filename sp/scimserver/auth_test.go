package scimserver

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/sp/accounts"
)

func TestAuthMatrix(t *testing.T) {
	h := newHarness(t)
	member, err := h.store.CreateUser(h.ctx, accounts.User{OrgID: h.org.ID, UserName: "member@contoso.com", Role: accounts.RoleMember, Source: accounts.SourceInvite, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := h.store.CreateUser(h.ctx, accounts.User{OrgID: h.org.ID, UserName: "gone@contoso.com", Role: accounts.RoleAdmin, Source: accounts.SourceInvite, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	revoked, pat, err := h.store.CreatePAT(h.ctx, h.org.ID, h.admin.ID, "old", accounts.PATRoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.tokens = append(h.tokens, revoked)
	if err := h.store.RevokePAT(h.ctx, h.org.ID, pat.ID); err != nil {
		t.Fatal(err)
	}
	soon := start.Add(time.Hour)
	expired := h.newToken(h.admin.ID, accounts.PATRoleAdmin, &soon)
	memberRole := h.newToken(h.admin.ID, accounts.PATRoleMember, nil)
	memberOwner := h.newToken(member.ID, accounts.PATRoleAdmin, nil)
	goneOwner := h.newToken(gone.ID, accounts.PATRoleAdmin, nil)
	if _, err := h.store.UpdateUser(h.ctx, h.org.ID, gone.ID, func(u *accounts.User) error { u.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(2 * time.Hour) // past the expiry

	filter := "/scim/v2/Users?filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22"
	for _, tc := range []struct {
		name   string
		header string // the whole Authorization header; "" sends none
		status int
		want   []string // in the detail
	}{
		{"no token", "", 401, []string{"no Authorization header", "Role: Admin", "Secret Token"}},
		{"wrong token", "Bearer " + accounts.TokenPrefix + "AAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 401, []string{"not valid", "Secret Token"}},
		{"not a PAT", "Bearer hunter2", 401, []string{"not valid", accounts.TokenPrefix}},
		{"Basic scheme", "Basic YWRtaW46cGFzcw==", 401, []string{`"Basic" scheme`}},
		{"token without Bearer", h.token, 401, []string{`personal access token without "Bearer "`}},
		{"token with a typo in Bearer", "Baerer " + h.token, 401, []string{`does not start with "Bearer "`, "not repeated"}},
		{"unknown token without a scheme", "hunter2-correct-horse", 401, []string{`does not start with "Bearer "`}},
		{"token then a word", h.token + " extra", 401, []string{`personal access token without "Bearer "`}},
		{"Bearer pasted twice", "Bearer Bearer " + h.token, 401, []string{`"Bearer " a second time`}},
		{"empty bearer", "Bearer ", 401, []string{`no token after "Bearer"`}},
		{"revoked", "Bearer " + revoked, 401, []string{"revoked", "generate a token with Role: Admin"}},
		{"expired", "Bearer " + expired, 401, []string{"expired", "generate a token with Role: Admin"}},
		{"Member-role token", "Bearer " + memberRole, 403, []string{"has the Member role", "needs a token with the Admin role"}},
		{"owner not Org Admin", "Bearer " + memberOwner, 403, []string{"belongs to member@contoso.com", "role in the organization is Member", "owned by an Org Admin"}},
		{"owner deactivated", "Bearer " + goneOwner, 403, []string{"belongs to gone@contoso.com", "deactivated"}},
		{"valid", "Bearer " + h.token, 200, nil},
		{"scheme in lower case", "bearer " + h.token, 200, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(req{method: "GET", path: filter, token: ptr(""), header: map[string]string{"Authorization": tc.header}})
			if tc.status == 200 {
				mustStatus(t, r, 200)
				return
			}
			detail := scimError(t, r, tc.status, "")
			for _, w := range tc.want {
				if !strings.Contains(detail, w) {
					t.Errorf("detail %q lacks %q", detail, w)
				}
			}
			if tc.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}

	// Every endpoint is behind the token, writes included, and a refused
	// write stores nothing.
	before, _ := h.store.CountUsers(h.ctx, h.org.ID)
	for _, tok := range []string{"", memberRole} {
		r := h.do(req{method: "POST", path: "/scim/v2/Users", body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"sneaky@contoso.com"}`, token: ptr(tok)})
		if r.status != 401 && r.status != 403 {
			t.Fatalf("POST with token %q...: %d", tok[:min(len(tok), 6)], r.status)
		}
		for _, p := range []string{"/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas", "/scim/v2/Groups", "/scim/v2/nope"} {
			if r := h.do(req{method: "GET", path: p, token: ptr(tok)}); r.status != 401 && r.status != 403 {
				t.Errorf("GET %s without a usable token: %d", p, r.status)
			}
		}
	}
	if n, _ := h.store.CountUsers(h.ctx, h.org.ID); n != before {
		t.Fatalf("refused requests created users: %d → %d", before, n)
	}
}

func TestSCIMDisabledIsTheGuides403(t *testing.T) {
	h := newHarness(t)
	if _, err := h.store.UpdateOrg(h.ctx, h.org.ID, func(o *accounts.Org) error { o.SCIMEnabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	r := h.get("/scim/v2/Users?filter=userName+eq+%22x%22")
	detail := scimError(t, r, http.StatusForbidden, "")
	for _, w := range []string{`SCIM is not enabled for the organization "Contoso"`, "Contact the RudderStack team"} {
		if !strings.Contains(detail, w) {
			t.Errorf("detail %q lacks %q", detail, w)
		}
	}
	// A token that is also wrong in other ways gets every reason at once.
	memberRole := h.newToken(h.admin.ID, accounts.PATRoleMember, nil)
	detail = scimError(t, h.do(req{method: "GET", path: "/scim/v2/Users", token: &memberRole}), http.StatusForbidden, "")
	if !strings.Contains(detail, "SCIM is not enabled") || !strings.Contains(detail, "Member role") {
		t.Errorf("combined detail %q", detail)
	}
	if _, err := h.store.UpdateOrg(h.ctx, h.org.ID, func(o *accounts.Org) error { o.SCIMEnabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, h.get("/scim/v2/Users?filter=userName+eq+%22x%22"), http.StatusOK)
}
