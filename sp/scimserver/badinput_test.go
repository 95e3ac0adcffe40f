package scimserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestBadInputIsASCIMErrorAndStoresNothing(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) { o.limit = 4096 })
	id := h.created(entraUser)
	u0, err := h.store.GetUser(h.ctx, h.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	users := "/scim/v2/Users"
	one := users + "/" + id
	ops := func(ops string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
	}
	big := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big@contoso.com","displayName":"` + strings.Repeat("x", 5000) + `"}`
	for _, tc := range []struct {
		name     string
		r        req
		status   int
		scimType string
		want     string // in the detail
	}{
		// Malformed bodies.
		{"POST malformed JSON", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName": "x",`}, 400, "invalidSyntax", "not valid JSON"},
		{"POST not an object", req{method: "POST", path: users, body: `["userName"]`}, 400, "invalidSyntax", "JSON object"},
		{"POST trailing data", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"} {}`}, 400, "invalidSyntax", "after its JSON value"},
		{"POST empty body", req{method: "POST", path: users, body: " ", header: map[string]string{"Content-Type": "application/scim+json"}}, 400, "invalidSyntax", "empty"},
		{"POST duplicate names in another case", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","UserName":"y"}`}, 400, "invalidSyntax", "name the same attribute"},
		{"PATCH malformed JSON", req{method: "PATCH", path: one, body: `{"Operations":[`}, 400, "invalidSyntax", "not valid JSON"},
		{"PATCH without PatchOp schema", req{method: "PATCH", path: one, body: `{"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`}, 400, "invalidSyntax", "PatchOp"},
		{"PATCH unknown op", req{method: "PATCH", path: one, body: ops(`{"op":"Upsert","path":"displayName","value":"x"}`)}, 400, "invalidSyntax", "Upsert"},
		{"PUT malformed JSON", req{method: "PUT", path: one, body: `{`}, 400, "invalidSyntax", "not valid JSON"},
		// Media type and size.
		{"POST text/plain", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`, header: map[string]string{"Content-Type": "text/plain"}}, 415, "", "application/scim+json"},
		{"POST form encoded", req{method: "POST", path: users, body: `userName=x`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, "", "application/scim+json"},
		{"POST without Content-Type", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`, header: map[string]string{"Content-Type": ""}}, 415, "", "missing"},
		{"POST Latin-1", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`, header: map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}}, 415, "", "UTF-8"},
		{"PATCH text/xml", req{method: "PATCH", path: one, body: ops(`{"op":"replace","path":"displayName","value":"x"}`), header: map[string]string{"Content-Type": "text/xml"}}, 415, "", "application/scim+json"},
		{"POST over the limit", req{method: "POST", path: users, body: big}, 413, "", "4096 bytes"},
		{"PATCH over the limit", req{method: "PATCH", path: one, body: ops(`{"op":"replace","path":"displayName","value":"` + strings.Repeat("y", 5000) + `"}`)}, 413, "", "limit"},
		// Values.
		{"POST without userName", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"No Name"}`}, 400, "invalidValue", "userName is required"},
		{"POST without schemas", req{method: "POST", path: users, body: `{"userName":"noschemas@contoso.com"}`}, 400, "invalidValue", `no schemas attribute; a User must say what it is: add "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]`},
		{"PUT without schemas", req{method: "PUT", path: one, body: `{"userName":"noschemas@contoso.com"}`}, 400, "invalidValue", "no schemas attribute"},
		{"POST attributes and excludedAttributes", req{method: "POST", path: users + "?attributes=userName&excludedAttributes=emails", body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"both@contoso.com"}`}, 400, "invalidValue", "cannot be used together"},
		{"POST blank userName", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"   "}`}, 400, "invalidValue", "userName"},
		{"POST userName a number", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":42}`}, 400, "invalidValue", "userName must be a string"},
		{"POST active maybe", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"m@contoso.com","active":"maybe"}`}, 400, "invalidValue", "boolean"},
		{"POST schemas without User", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"g@contoso.com"}`}, 400, "invalidValue", "schemas must list"},
		{"POST password", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p@contoso.com","password":"Secr3t!pass"}`}, 400, "invalidValue", "does not sync passwords"},
		{"PUT password", req{method: "PUT", path: one, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p@contoso.com","password":"Secr3t!pass"}`}, 400, "invalidValue", "does not sync passwords"},
		{"PATCH password path", req{method: "PATCH", path: one, body: ops(`{"op":"replace","path":"password","value":"Secr3t!pass"}`)}, 400, "invalidValue", "does not sync passwords"},
		{"PATCH password key", req{method: "PATCH", path: one, body: ops(`{"op":"replace","value":{"displayName":"x","password":"Secr3t!pass"}}`)}, 400, "invalidValue", "does not sync passwords"},
		{"PATCH remove userName", req{method: "PATCH", path: one, body: ops(`{"op":"Remove","path":"userName"}`)}, 400, "invalidValue", "userName is required"},
		// Text that cannot be stored as sent (issue 14.3).
		{"POST userName not UTF-8", req{method: "POST", path: users, body: "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"bj\xf6rn@contoso.com\"}"}, 400, "invalidValue", "not UTF-8"},
		{"POST userName with a lone surrogate", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\ud800@contoso.com"}`}, 400, "invalidValue", "surrogate"},
		{"POST userName with NUL", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nul\u0000@contoso.com"}`}, 400, "invalidValue", "U+0000"},
		{"POST userName with U+FFFD", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bj\ufffdrn@contoso.com"}`}, 400, "invalidValue", "U+FFFD"},
		{"POST duplicate userName key", req{method: "POST", path: users, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@contoso.com","userName":"b@contoso.com"}`}, 400, "invalidSyntax", `"userName" appears twice`},
		{"POST displayName not UTF-8", req{method: "POST", path: users, body: "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"d@contoso.com\",\"displayName\":\"\xff\"}"}, 400, "invalidValue", `"displayName"`},
		{"PUT userName with NUL", req{method: "PUT", path: one, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nul\u0000@contoso.com"}`}, 400, "invalidValue", "U+0000"},
		{"PATCH userName with NUL", req{method: "PATCH", path: one, body: ops(`{"op":"replace","path":"userName","value":"nul\u0000@contoso.com"}`)}, 400, "invalidValue", "U+0000"},
		{"PATCH userName lone surrogate", req{method: "PATCH", path: one, body: ops(`{"op":"replace","path":"userName","value":"\udfff"}`)}, 400, "invalidValue", "surrogate"},
		{"PATCH duplicate op key", req{method: "PATCH", path: one, body: ops(`{"op":"replace","op":"remove","path":"displayName","value":"x"}`)}, 400, "invalidSyntax", `"op" appears twice`},
		{"PATCH active wrong type", req{method: "PATCH", path: one, body: ops(`{"op":"Replace","path":"active","value":"Yes"}`)}, 400, "invalidValue", "boolean"},
		{"PATCH later op fails, earlier not kept", req{method: "PATCH", path: one, body: ops(`{"op":"replace","path":"displayName","value":"x"},{"op":"replace","path":"active","value":7}`)}, 400, "invalidValue", "Operations[1]"},
		// Paths.
		{"PATCH unknown attribute", req{method: "PATCH", path: one, body: ops(`{"op":"Replace","path":"favouriteColour","value":"red"}`)}, 400, "invalidPath", "favouriteColour is not an attribute of the User schema"},
		{"PATCH unknown sub-attribute", req{method: "PATCH", path: one, body: ops(`{"op":"Replace","path":"name.middle","value":"Q"}`)}, 400, "invalidPath", `no sub-attribute "middle"`},
		{"PATCH unknown path-less key", req{method: "PATCH", path: one, body: ops(`{"op":"replace","value":{"displayName":"x","name.givenNme":"Q"}}`)}, 400, "invalidPath", "givenNme"},
		{"PATCH unknown enterprise attribute", req{method: "PATCH", path: one, body: ops(`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:dept","value":"R"}`)}, 400, "invalidPath", "EnterpriseUser"},
		{"PATCH unknown filter attribute", req{method: "PATCH", path: one, body: ops(`{"op":"Add","path":"emails[tpye eq \"home\"].value","value":"a@b.c"}`)}, 400, "invalidPath", "tpye"},
		{"PATCH malformed path", req{method: "PATCH", path: one, body: ops(`{"op":"Replace","path":"emails[type eq \"work\".value","value":"a@b.c"}`)}, 400, "invalidPath", "path"},
		{"PATCH sub-attribute of a string", req{method: "PATCH", path: one, body: ops(`{"op":"Replace","path":"displayName.first","value":"x"}`)}, 400, "invalidPath", "no sub-attributes"},
		{"PATCH remove without path", req{method: "PATCH", path: one, body: ops(`{"op":"Remove"}`)}, 400, "noTarget", "remove needs a path"},
		{"PATCH value filter matching nothing it can create", req{method: "PATCH", path: one, body: ops(`{"op":"Replace","path":"emails[type ne \"work\"].value","value":"a@b.c"}`)}, 400, "noTarget", "matches"},
		// Mutability.
		{"PATCH replace id", req{method: "PATCH", path: one, body: ops(`{"op":"replace","path":"id","value":"another"}`)}, 400, "mutability", "id"},
		{"PATCH path-less id", req{method: "PATCH", path: one, body: ops(`{"op":"replace","value":{"id":"another"}}`)}, 400, "mutability", "id"},
		{"PATCH remove id", req{method: "PATCH", path: one, body: ops(`{"op":"remove","path":"id"}`)}, 400, "mutability", "id"},
		{"PUT another id", req{method: "PUT", path: one, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"another","userName":"x@contoso.com"}`}, 400, "mutability", `"another"`},
		// Queries.
		{"bad filter", req{method: "GET", path: users + "?filter=" + url.QueryEscape(`userName eq "a" and`)}, 400, "invalidFilter", "filter"},
		{"filter on a complex attribute", req{method: "GET", path: users + "?filter=" + url.QueryEscape(`name eq "a"`)}, 400, "invalidFilter", "sub-attributes"},
		{"bad count", req{method: "GET", path: users + "?count=lots"}, 400, "invalidValue", "count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(tc.r)
			detail := scimError(t, r, tc.status, tc.scimType)
			if !strings.Contains(detail, tc.want) {
				t.Errorf("detail %q lacks %q", detail, tc.want)
			}
			if strings.Contains(detail, "Secr3t") {
				t.Errorf("detail repeats the password: %q", detail)
			}
			if n, _ := h.store.CountUsers(h.ctx, h.org.ID); n != 2 {
				t.Fatalf("%d users after a refused request, want 2", n)
			}
			u, err := h.store.GetUser(h.ctx, h.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if u.Version != u0.Version || !bytes.Equal(u.SCIM, u0.SCIM) || u.UserName != u0.UserName || u.Active != u0.Active {
				t.Fatalf("a refused request changed the user: version %d → %d", u0.Version, u.Version)
			}
		})
	}
	if strings.Contains(h.logs.String(), "Secr3t") {
		t.Error("a password reached the log")
	}
}

func TestPutWithItsOwnIDIsFine(t *testing.T) {
	h := newHarness(t)
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"same@contoso.com"}`)
	mustStatus(t, h.send("PUT", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"`+id+`","userName":"same@contoso.com","displayName":"Same"}`), http.StatusOK)
	// And a PATCH replacing id with its own value, as clients echo it.
	mustStatus(t, h.send("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"`+id+`","displayName":"Again"}}]}`), http.StatusOK)
}

func TestCustomExtensionAttributesAreKept(t *testing.T) {
	h := newHarness(t)
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ext@contoso.com","urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User":{"costCode":"A-1"}}`)
	r := h.send("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
		`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag","value":"x"},`+
		`{"op":"Replace","path":"meta.lastModified","value":"2001-01-01T00:00:00Z"}]}`)
	mustStatus(t, r, http.StatusOK)
	sameJSON(t, "custom extension", r.json(t)["urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"], decode(t, `{"costCode":"A-1","tag":"x"}`))
	if r.json(t)["meta"].(map[string]any)["lastModified"] == "2001-01-01T00:00:00Z" {
		t.Fatal("a client changed meta")
	}
}

// NFC and NFD spellings of one name are one user: the second create is a
// uniqueness conflict, and a filter in either spelling finds the user,
// whose name is kept as it was sent.
func TestUserNamesCompareUnderNFCAndCase(t *testing.T) {
	h := newHarness(t)
	nfc, nfd := "Jos\u00e9@contoso.com", "Jose\u0301@contoso.com"
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + nfc + `"}`)
	scimError(t, h.send("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+nfd+`"}`), http.StatusConflict, "uniqueness")
	scimError(t, h.send("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"JOSE\u0301@CONTOSO.COM"}`), http.StatusConflict, "uniqueness")
	for _, spelling := range []string{"Jos\u00e9@contoso.com", "Jose\u0301@contoso.com", "JOS\u00c9@contoso.com"} {
		var name string
		if err := json.Unmarshal([]byte(`"`+spelling+`"`), &name); err != nil {
			t.Fatal(err)
		}
		r := h.get("/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "`+name+`"`))
		mustStatus(t, r, http.StatusOK)
		list := r.json(t)
		if list["totalResults"] != jsonInt(1) {
			t.Fatalf("filter with %+q: %v results, want 1", name, list["totalResults"])
		}
	}
	u, err := h.store.GetUser(h.ctx, h.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.UserName != "Jos\u00e9@contoso.com" {
		t.Errorf("stored userName %+q, want it as sent", u.UserName)
	}
	// Renaming to the other spelling is the same user, not a conflict.
	mustStatus(t, h.send("PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"`+nfd+`"}]}`), http.StatusOK)
	if n, _ := h.store.CountUsers(h.ctx, h.org.ID); n != 2 {
		t.Errorf("%d users, want the admin and José", n)
	}
}
