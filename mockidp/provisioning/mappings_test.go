package provisioning

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

func TestParseTenantURL(t *testing.T) {
	tests := []struct {
		raw, wantUsers string
		dialect        Dialect
		bad            bool
	}{
		{raw: "https://api.rudderstack.com/scim/v2", wantUsers: "https://api.rudderstack.com/scim/v2/Users", dialect: DialectDefault},
		{raw: "https://api.rudderstack.com/scim/v2/", wantUsers: "https://api.rudderstack.com/scim/v2/Users", dialect: DialectDefault},
		{raw: "https://api.rudderstack.com/scim/v2?aadOptscim062020", wantUsers: "https://api.rudderstack.com/scim/v2/Users", dialect: DialectSCIM},
		{raw: "https://api.rudderstack.com/scim/v2/?aadOptscim062020", wantUsers: "https://api.rudderstack.com/scim/v2/Users", dialect: DialectSCIM},
		{raw: "https://api.rudderstack.com/scim/v2?AADOPTSCIM062020=1", wantUsers: "https://api.rudderstack.com/scim/v2/Users", dialect: DialectSCIM},
		{raw: "https://api.rudderstack.com/scim/v2?AzureAdScimPatch2017", wantUsers: "https://api.rudderstack.com/scim/v2/Users", dialect: DialectDefault},
		{raw: "https://host/scim?tenant=a&aadOptscim062020", wantUsers: "https://host/scim/Users?tenant=a", dialect: DialectSCIM},
		{raw: "", bad: true},
		{raw: "api.rudderstack.com/scim/v2", bad: true},
		{raw: "ftp://host/scim", bad: true},
	}
	for _, tt := range tests {
		ep, err := parseTenantURL(tt.raw)
		if tt.bad {
			if !errors.Is(err, ErrNotConfigured) {
				t.Errorf("%q: err = %v, want ErrNotConfigured", tt.raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.raw, err)
			continue
		}
		if got := ep.url("/Users", nil); got != tt.wantUsers || ep.dialect != tt.dialect {
			t.Errorf("%q: url %q dialect %s, want %q %s", tt.raw, got, ep.dialect, tt.wantUsers, tt.dialect)
		}
	}
}

// The filter is form-encoded as Entra sends it (reference §2.1, §3.3).
func TestFilterWireForm(t *testing.T) {
	ep, _ := parseTenantURL("https://api.rudderstack.com/scim/v2")
	got := ep.url("/Users", url.Values{"filter": {"userName eq " + quoteFilter("adele.vance@contoso.com")}})
	want := "https://api.rudderstack.com/scim/v2/Users?filter=userName+eq+%22adele.vance%40contoso.com%22"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = ep.url("/Groups", excludeMembers(url.Values{"filter": {"displayName eq " + quoteFilter("Sales Team")}}))
	want = "https://api.rudderstack.com/scim/v2/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales+Team%22"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestExpressions(t *testing.T) {
	attrs := userSource(directory.User{GivenName: "Adele", Surname: "Vance", AccountEnabled: true}, false)
	deleted := userSource(directory.User{GivenName: "", Surname: "Vance"}, true)
	tests := []struct {
		src   string
		attrs func(string) (string, bool)
		want  string
	}{
		{`Join(" ", [givenName], [surname])`, attrs, "Adele Vance"},
		{`Join(" ", [givenName], [surname])`, deleted, "Vance"},
		{activeExpression, attrs, "True"},
		{activeExpression, deleted, "False"},
		{`Switch([IsSoftDeleted], , "False", "true", "True", "false")`, deleted, "false"},
		{`Switch([IsSoftDeleted], "x", "maybe", "y")`, attrs, "x"},
		{`"constant"`, attrs, "constant"},
		{`givenName`, attrs, "Adele"},
		{`[GIVENNAME]`, attrs, "Adele"},
		{`accountEnabled`, attrs, "True"},
	}
	for _, tt := range tests {
		e, err := parseExpr(tt.src)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		if got := e.eval(tt.attrs); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.src, got, tt.want)
		}
	}
	for _, bad := range []string{`Join(`, `Foo([a])`, `"open`, `[x`, `Switch([a])`, `a b`} {
		if _, err := parseExpr(bad); err == nil {
			t.Errorf("%s: parsed", bad)
		}
	}
}

func TestParseMappings(t *testing.T) {
	def, err := ParseMappings(nil)
	if err != nil || len(def.Users) != len(DefaultMappings().Users) {
		t.Fatalf("null document: %v %d", err, len(def.Users))
	}
	doc, _ := json.Marshal(DefaultMappings())
	if _, err := ParseMappings(doc); err != nil {
		t.Fatalf("defaults round trip: %v", err)
	}
	bad := []struct{ doc, want string }{
		{`{"users":[{"source":"shoeSize","target":"userName","matchingPrecedence":1}],"groups":[]}`, `source attribute "shoeSize"`},
		{`{"users":[{"source":"mail","target":"emails[type eq","matchingPrecedence":1}],"groups":[]}`, "target"},
		{`{"users":[{"source":"mail","target":"userName"}],"groups":[]}`, "matching precedence"},
		{`{"users":[{"source":"mail","target":"userName","matchingPrecedence":1},{"source":"upn","target":"USERNAME"}],"groups":[]}`, "upn"},
		{`{"users":[{"source":"mail","target":"userName","matchingPrecedence":1},{"source":"displayName","target":"USERNAME"}],"groups":[]}`, "mapped twice"},
		{`{"users":[],"groupz":[]}`, "not {"},
		{`{"users":[{"source":"mail","target":"emails[type ne \"work\"].value","matchingPrecedence":1}],"groups":[]}`, "equality tests"},
	}
	for _, b := range bad {
		_, err := ParseMappings(json.RawMessage(b.doc))
		if !errors.Is(err, ErrBadMappings) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: err = %v, want ErrBadMappings mentioning %q", b.doc, err, b.want)
		}
	}
}

func fullUser() directory.User {
	return directory.User{
		ObjectID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", UserPrincipalName: "adele.vance@contoso.com", Mail: "adele@contoso.com",
		MailNickname: "adele.vance", DisplayName: "Adele Vance", GivenName: "Adele", Surname: "Vance", JobTitle: "Retail Manager",
		Department: "Retail", EmployeeID: "E100", PreferredLanguage: "en-US", OfficeLocation: "18/2111", StreetAddress: "205 108th Ave NE",
		City: "Bellevue", State: "WA", PostalCode: "98004", Country: "US", TelephoneNumber: "+1 425 555 0109", Mobile: "+1 425 555 0110",
		Manager: "b1", AccountEnabled: true,
	}
}

// The POST body follows reference §4.2: core and enterprise schemas,
// boolean active, typed entries with primary on work, meta.resourceType,
// roles [], no manager, no nulls.
func TestCreateUserBody(t *testing.T) {
	rs, err := compileMappings(DefaultMappings())
	if err != nil {
		t.Fatal(err)
	}
	body := createUserBody(evaluate(rs.users, userSource(fullUser(), false)))
	want := `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "adele.vance",
		"userName": "adele.vance@contoso.com",
		"active": true,
		"displayName": "Adele Vance",
		"title": "Retail Manager",
		"preferredLanguage": "en-US",
		"emails": [{"primary": true, "type": "work", "value": "adele@contoso.com"}],
		"name": {"formatted": "Adele Vance", "familyName": "Vance", "givenName": "Adele"},
		"addresses": [{"primary": true, "type": "work", "formatted": "18/2111", "streetAddress": "205 108th Ave NE", "locality": "Bellevue",
			"region": "WA", "postalCode": "98004", "country": "US"}],
		"phoneNumbers": [{"primary": true, "type": "work", "value": "+1 425 555 0109"}, {"type": "mobile", "value": "+1 425 555 0110"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E100", "department": "Retail"},
		"meta": {"resourceType": "User"},
		"roles": []
	}`
	assertJSON(t, "POST body", body, want)

	sparse := createUserBody(evaluate(rs.users, userSource(directory.User{UserPrincipalName: "a@b.c", DisplayName: "A", MailNickname: "a", AccountEnabled: true}, false)))
	assertJSON(t, "sparse POST body", sparse, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "a", "userName": "a@b.c", "active": true, "displayName": "A", "meta": {"resourceType": "User"}, "roles": []
	}`)
}

// Both dialects render the same changes as reference §4.4 shows them.
func TestUpdateOpsDialects(t *testing.T) {
	rs, err := compileMappings(DefaultMappings())
	if err != nil {
		t.Fatal(err)
	}
	u := fullUser()
	cur := scim.Resource{
		"id": "t1", "userName": "adele.vance@contoso.com", "active": true, "displayName": "Old Name", "externalId": "adele.vance",
		"emails": []any{map[string]any{"type": "work", "value": "old@contoso.com", "primary": true}},
		"name":   map[string]any{"givenName": "Adele", "familyName": "Vance", "formatted": "Adele Vance"},
		"title":  "Retail Manager", "preferredLanguage": "en-US",
		"addresses":               []any{map[string]any{"type": "work", "formatted": "18/2111", "streetAddress": "205 108th Ave NE", "locality": "Bellevue", "region": "WA", "postalCode": "98004", "country": "US"}},
		"phoneNumbers":            []any{map[string]any{"type": "work", "value": "+1 425 555 0109"}, map[string]any{"type": "mobile", "value": "+1 425 555 0110"}},
		scim.SchemaEnterpriseUser: map[string]any{"employeeNumber": "E100"},
	}
	changes := diff(rs.userRT, evaluate(rs.users, userSource(u, false)), cur)
	if got := changedNames(changes); got != `displayName, emails[type eq "work"].value, `+enterprise+"department" {
		t.Fatalf("changes = %s", got)
	}
	assertJSON(t, "default dialect", scim.NewPatchOp(DialectDefault.updateOps(changes)...), `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [
			{"op": "Replace", "path": "displayName", "value": "Adele Vance"},
			{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "adele@contoso.com"},
			{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Retail"}
		]}`)
	assertJSON(t, "aadOptscim062020 dialect", scim.NewPatchOp(DialectSCIM.updateOps(changes)...), `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [
			{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "adele@contoso.com"},
			{"op": "add", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Retail"}},
			{"op": "replace", "value": {"displayName": "Adele Vance"}}
		]}`)

	// Disable, exactly as the table of reference §4.6.
	assertJSON(t, "default disable", scim.NewPatchOp(DialectDefault.disableOps("active", "False")...),
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	assertJSON(t, "flag disable", scim.NewPatchOp(DialectSCIM.disableOps("active", "False")...),
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	// Group members, reference §8.
	assertJSON(t, "add members", DialectDefault.addMembersOp([]string{"u1"}), `{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"}]}`)
	assertJSON(t, "default remove", DialectDefault.removeMembersOps([]string{"u1"}), `[{"op":"Remove","path":"members","value":[{"value":"u1"}]}]`)
	assertJSON(t, "flag remove", DialectSCIM.removeMembersOps([]string{"u1"}), `[{"op":"remove","path":"members[value eq \"u1\"]"}]`)
	assertJSON(t, "manager", DialectSCIM.managerOps(enterprise+"manager", "m1", false), `[{"op":"add","path":"`+enterprise+`manager","value":"m1"}]`)
	assertJSON(t, "manager cleared", DialectDefault.managerOps(enterprise+"manager", "", true), `[{"op":"Replace","path":"`+enterprise+`manager","value":{"value":""}}]`)
}
