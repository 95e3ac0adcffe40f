package scimserver

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/sp/accounts"
)

// The PATCH bodies of reference §4.4–§4.6, exactly.
const (
	// patchDefault is MS-COMPAT's "Without feature flag" update.
	patchDefault = `{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "Replace",
            "path": "displayName",
            "value": "Pvlo"
        },
        {
            "op": "Replace",
            "path": "emails[type eq \"work\"].value",
            "value": "TestBcwqnm@test.microsoft.com"
        },
        {
            "op": "Replace",
            "path": "name.givenName",
            "value": "Gtfd"
        },
        {
            "op": "Replace",
            "path": "name.familyName",
            "value": "Pkqf"
        },
        {
            "op": "Replace",
            "path": "externalId",
            "value": "Eqpj"
        },
        {
            "op": "Replace",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            "value": "Eqpj"
        }
    ]
}`
	// patchMixed is the observed default-dialect mix of Replace and Add.
	patchMixed = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"AdeleV2@REDACTED.onmicrosoft.com"},{"op":"Replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"},{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Retail"}]}`
	// patchFlag is MS-COMPAT's aadOptscim062020 update.
	patchFlag = `{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "replace",
            "path": "emails[type eq \"work\"].value",
            "value": "TestMhvaes@test.microsoft.com"
        },
        {
            "op": "replace",
            "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
            }
        }
    ]
}`
	disableDefault = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
	enableDefault  = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`
	disableFlag    = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	enableFlag     = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`
	// Manager: the current engine's bare id (§4.5), the object form, and
	// the validator's removal by replacing with an empty value.
	managerBare   = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"MANAGER"}]}`
	managerObject = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"MANAGER"}}]}`
	managerRemove = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":""}}]}`
)

func TestPatchBothEntraDialects(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // the resource after the PATCH, without id and meta
		fields     accounts.User
	}{
		{"default", patchDefault, `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId": "Eqpj", "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", "active": true, "displayName": "Pvlo",
			"emails": [{"primary": true, "type": "work", "value": "TestBcwqnm@test.microsoft.com"}],
			"name": {"formatted": "givenName familyName", "familyName": "Pkqf", "givenName": "Gtfd"},
			"roles": [],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "Eqpj"}}`,
			accounts.User{ExternalID: "Eqpj", Email: "TestBcwqnm@test.microsoft.com", GivenName: "Gtfd", FamilyName: "Pkqf", DisplayName: "Pvlo"}},
		{"aadOptscim062020", patchFlag, `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", "active": true, "displayName": "Bjfe",
			"emails": [{"primary": true, "type": "work", "value": "TestMhvaes@test.microsoft.com"}],
			"name": {"formatted": "givenName familyName", "familyName": "Unua", "givenName": "Kkom"},
			"roles": [],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "Aklq"}}`,
			accounts.User{ExternalID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", Email: "TestMhvaes@test.microsoft.com", GivenName: "Kkom", FamilyName: "Unua", DisplayName: "Bjfe"}},
		{"default mixed Replace and Add, value paths created when absent", patchMixed, `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", "active": true,
			"emails": [{"primary": true, "type": "work", "value": "AdeleV2@REDACTED.onmicrosoft.com"}],
			"addresses": [{"type": "work", "formatted": "18/2111"}],
			"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
			"roles": [],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Retail"}}`,
			accounts.User{ExternalID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", Email: "AdeleV2@REDACTED.onmicrosoft.com", GivenName: "givenName", FamilyName: "familyName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := h.created(entraUser)
			r := h.send("PATCH", "/scim/v2/Users/"+id, tc.body)
			mustStatus(t, r, http.StatusOK)
			sameJSON(t, "PATCH answer", without(r.json(t), "id", "meta"), decode(t, tc.want))
			// Values come back exactly as sent, by id and by filter.
			got := h.get("/scim/v2/Users/" + id)
			mustStatus(t, got, http.StatusOK)
			sameJSON(t, "GET after PATCH", without(got.json(t), "id", "meta"), decode(t, tc.want))
			list := h.get("/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "test_user_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"`)).json(t)
			sameJSON(t, "filtered after PATCH", without(list["Resources"].([]any)[0].(map[string]any), "id", "meta"), decode(t, tc.want))
			u, err := h.store.GetUser(h.ctx, h.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			f := tc.fields
			if u.ExternalID != f.ExternalID || u.Email != f.Email || u.GivenName != f.GivenName || u.FamilyName != f.FamilyName || u.DisplayName != f.DisplayName || u.Version != 2 {
				t.Fatalf("account fields not in sync: %+v", u)
			}
		})
	}
}

func TestPatchValuePathCreatesEmailWhenAbsent(t *testing.T) {
	h := newHarness(t)
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"noemail@contoso.com"}`)
	r := h.send("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"NoEmail@Contoso.com"}]}`)
	mustStatus(t, r, http.StatusOK)
	sameJSON(t, "emails", r.json(t)["emails"], decode(t, `[{"type":"work","value":"NoEmail@Contoso.com"}]`))
	if u, _ := h.store.GetUser(h.ctx, h.org.ID, id); u.Email != "NoEmail@Contoso.com" {
		t.Fatalf("email field %q", u.Email)
	}
}

func TestPatchManagerForms(t *testing.T) {
	h := newHarness(t)
	manager := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"boss@contoso.com"}`)
	id := h.created(entraUser)
	ext := "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, tc := range []struct{ name, body, want string }{
		{"bare id", managerBare, `{"value":"` + manager + `"}`},
		{"object", managerObject, `{"value":"` + manager + `"}`},
		{"replace with empty clears", managerRemove, ``},
	} {
		r := h.send("PATCH", "/scim/v2/Users/"+id, replaceAll(tc.body, "MANAGER", manager))
		mustStatus(t, r, http.StatusOK)
		e, _ := r.json(t)[ext].(map[string]any)
		if tc.want == "" {
			if _, ok := e["manager"]; ok {
				t.Errorf("%s: manager still set: %v", tc.name, e)
			}
			continue
		}
		sameJSON(t, tc.name, e["manager"], decode(t, tc.want))
	}
}

func TestDeactivateAndReactivateInBothDialects(t *testing.T) {
	for _, tc := range []struct{ name, disable, enable string }{
		{"default (strings)", disableDefault, enableDefault},
		{"aadOptscim062020 (booleans)", disableFlag, enableFlag},
		{"lower-case strings", replaceAll(disableDefault, "False", "false"), replaceAll(enableDefault, "True", "true")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"leaver@contoso.com","emails":[{"type":"work","value":"leaver@contoso.com","primary":true}]}`)
			r := h.send("PATCH", "/scim/v2/Users/"+id, tc.disable)
			mustStatus(t, r, http.StatusOK)
			if r.json(t)["active"] != false {
				t.Fatalf("active after disable: %s", r.body)
			}
			// Still readable, by id and by filter, with active false.
			got := h.get("/scim/v2/Users/" + id)
			mustStatus(t, got, http.StatusOK)
			if got.json(t)["active"] != false {
				t.Fatalf("GET after disable: %s", got.body)
			}
			list := h.get("/scim/v2/Users?filter=userName+eq+%22leaver%40contoso.com%22").json(t)
			if list["totalResults"] != jsonInt(1) {
				t.Fatalf("deactivated user not found by filter: %v", list)
			}
			// The SP refuses the user's SAML sign-in.
			if _, _, err := h.store.SignIn(h.ctx, h.org.ID, accounts.SignInAttributes{UserName: "leaver@contoso.com"}); !errors.Is(err, accounts.ErrUserDeactivated) {
				t.Fatalf("sign-in after deactivation: %v", err)
			}
			r = h.send("PATCH", "/scim/v2/Users/"+id, tc.enable)
			mustStatus(t, r, http.StatusOK)
			if r.json(t)["active"] != true {
				t.Fatalf("active after enable: %s", r.body)
			}
			if _, _, err := h.store.SignIn(h.ctx, h.org.ID, accounts.SignInAttributes{UserName: "leaver@contoso.com"}); err != nil {
				t.Fatalf("sign-in after reactivation: %v", err)
			}
		})
	}
}

func TestDeactivationByTheSPIsNotUndoneByAnUnrelatedPatch(t *testing.T) {
	h := newHarness(t)
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kept@contoso.com","active":true}`)
	if _, err := h.store.UpdateUser(h.ctx, h.org.ID, id, func(u *accounts.User) error { u.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	r := h.send("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Kept"}]}`)
	mustStatus(t, r, http.StatusOK)
	if u, _ := h.store.GetUser(h.ctx, h.org.ID, id); u.Active {
		t.Fatal("a displayName PATCH reactivated a user the SP had deactivated")
	}
}

func TestJITUserIsFoundByFilterThenPatched(t *testing.T) {
	h := newHarness(t)
	jit, created, err := h.store.SignIn(h.ctx, h.org.ID, accounts.SignInAttributes{UserName: "Isaiah@contoso.com", Email: "isaiah@contoso.com", FamilyName: "Langer"})
	if err != nil || !created {
		t.Fatalf("JIT sign-in: %v", err)
	}
	// Entra's matching query, in another case, finds the JIT user.
	r := h.get("/scim/v2/Users?filter=userName+eq+%22isaiah%40CONTOSO.com%22")
	mustStatus(t, r, http.StatusOK)
	list := r.json(t)
	if list["totalResults"] != jsonInt(1) {
		t.Fatalf("JIT user not found: %s", r.body)
	}
	res := list["Resources"].([]any)[0].(map[string]any)
	sameJSON(t, "JIT user as a resource", without(res, "meta"), decode(t, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "`+jit.ID+`", "userName": "Isaiah@contoso.com", "active": true,
		"name": {"familyName": "Langer"}, "emails": [{"value": "isaiah@contoso.com", "type": "work", "primary": true}]}`))
	// Creating it again is a conflict, not a duplicate.
	scimError(t, h.send("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"isaiah@contoso.com"}`), http.StatusConflict, "uniqueness")
	// Entra PATCHes only the differences.
	r = h.send("PATCH", "/scim/v2/Users/"+jit.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
		`{"op":"Add","path":"externalId","value":"Isaiah"},{"op":"Add","path":"displayName","value":"Isaiah Langer"},{"op":"Add","path":"name.givenName","value":"Isaiah"}]}`)
	mustStatus(t, r, http.StatusOK)
	u, _ := h.store.GetUser(h.ctx, h.org.ID, jit.ID)
	if u.ExternalID != "Isaiah" || u.DisplayName != "Isaiah Langer" || u.GivenName != "Isaiah" || u.FamilyName != "Langer" ||
		u.Email != "isaiah@contoso.com" || u.Source != accounts.SourceJIT || u.SCIM == nil {
		t.Fatalf("JIT user after PATCH: %+v", u)
	}
	if n, _ := h.store.CountUsers(h.ctx, h.org.ID); n != 2 {
		t.Fatalf("%d users, want the admin and Isaiah", n)
	}
	// The same person signing in by SAML is still the same account.
	again, created, err := h.store.SignIn(h.ctx, h.org.ID, accounts.SignInAttributes{UserName: "isaiah@contoso.com"})
	if err != nil || created || again.ID != jit.ID {
		t.Fatalf("sign-in after SCIM: %v created=%v", err, created)
	}
}

func replaceAll(s, old, new string) string { return strings.ReplaceAll(s, old, new) }
