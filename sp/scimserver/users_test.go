package scimserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/ssowiz/ssowiz/sp/accounts"
)

// entraUser is the POST body of reference §4.2 (MS-DEV), exactly.
const entraUser = `{
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    "active": true,
    "emails": [{
        "primary": true,
        "type": "work",
        "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
    }],
    "meta": {
        "resourceType": "User"
    },
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName"
    },
    "roles": []
}`

func TestTestConnectionIsAnEmptyListResponse(t *testing.T) {
	h := newHarness(t)
	// Entra's wire form: + for spaces, %22 for quotes, no Accept header.
	r := h.do(req{method: "GET", path: "/scim/v2/Users?filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22"})
	mustStatus(t, r, http.StatusOK)
	sameJSON(t, "Test Connection answer", r.json(t), decode(t, `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
		"totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}`))
}

func TestCreateUserStoresEntraBodyAsSent(t *testing.T) {
	h := newHarness(t)
	r := h.send("POST", "/scim/v2/Users", entraUser)
	mustStatus(t, r, http.StatusCreated)
	got := r.json(t)
	id, _ := got["id"].(string)
	if id == "" {
		t.Fatalf("no id: %s", r.body)
	}
	if loc := r.header.Get("Location"); loc != publicBase+"/Users/"+id {
		t.Errorf("Location %q", loc)
	}
	if et := r.header.Get("ETag"); et != `W/"1"` {
		t.Errorf("ETag %q", et)
	}
	// Everything Entra sent comes back as sent; meta is the server's.
	want := without(decode(t, entraUser).(map[string]any), "meta")
	sameJSON(t, "created user", without(got, "id", "meta"), want)
	sameJSON(t, "meta", got["meta"], decode(t, `{"resourceType": "User", "created": "2026-11-29T12:00:00Z",
		"lastModified": "2026-11-29T12:00:00Z", "location": "`+publicBase+`/Users/`+id+`", "version": "W/\"1\""}`))
	golden(t, "create_user.json", r.body, map[string]string{id: "<id>"})

	again := h.get("/scim/v2/Users/" + id)
	mustStatus(t, again, http.StatusOK)
	sameJSON(t, "GET after POST", again.json(t), got)

	u, err := h.store.GetUser(h.ctx, h.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.UserName != "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee" || u.ExternalID != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" ||
		u.Email != "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com" || u.GivenName != "givenName" ||
		u.FamilyName != "familyName" || !u.Active || u.Source != accounts.SourceSCIM || u.Role != accounts.RoleMember {
		t.Fatalf("account fields not in sync with the document: %+v", u)
	}
}

func TestCreateUserAcceptsStringActiveAndPlainJSON(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "POST", path: "/scim/v2/Users", body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@contoso.com","active":"False"}`,
		header: map[string]string{"Content-Type": "application/json; charset=UTF-8"}})
	mustStatus(t, r, http.StatusCreated)
	if r.json(t)["active"] != false {
		t.Fatalf("active %v, want false", r.json(t)["active"])
	}
	u, _ := h.store.FindUserByUserName(h.ctx, h.org.ID, "a@contoso.com")
	if u.Active {
		t.Fatal("account active after POST with active \"False\"")
	}
}

func TestCreateDuplicateUserNameIsConflict(t *testing.T) {
	h := newHarness(t)
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Adele@Contoso.com"}`)
	detail := scimError(t, h.send("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"adele@CONTOSO.com","displayName":"Other"}`), http.StatusConflict, "uniqueness")
	if !strings.Contains(detail, id) || !strings.Contains(detail, "Adele@Contoso.com") {
		t.Errorf("detail does not name the existing user: %s", detail)
	}
	if n, _ := h.store.CountUsers(h.ctx, h.org.ID); n != 2 {
		t.Fatalf("%d users, want the admin and Adele", n)
	}
}

func TestGetUnknownOrForeignUserIsNotFound(t *testing.T) {
	h := newHarness(t)
	other, err := h.store.CreateOrg(h.ctx, accounts.Org{Name: "Fabrikam", SCIMEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := h.store.CreateUser(h.ctx, accounts.User{OrgID: other.ID, UserName: "x@fabrikam.com", Role: accounts.RoleMember, Source: accounts.SourceSCIM, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"00919288221112222", foreign.ID} {
		detail := scimError(t, h.get("/scim/v2/Users/"+id), http.StatusNotFound, "")
		if !strings.Contains(detail, id) {
			t.Errorf("detail %q does not name the id", detail)
		}
	}
	r := h.get("/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "x@fabrikam.com"`))
	mustStatus(t, r, http.StatusOK)
	if r.json(t)["totalResults"] != jsonInt(0) {
		t.Fatalf("another org's user is visible: %s", r.body)
	}
}

func TestFilterUsers(t *testing.T) {
	h := newHarness(t)
	ids := map[string]string{}
	for _, u := range []struct{ name, ext, email string }{
		{"Adele.Vance@contoso.com", "AdeleV", "adele@contoso.com"},
		{"alex@contoso.com", "alexw", "alex@contoso.com"},
		{"bianca@contoso.com", "BiancaP", "bianca@fabrikam.com"},
	} {
		ids[u.name] = h.created(fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"externalId":%q,"emails":[{"type":"work","value":%q,"primary":true}]}`, u.name, u.ext, u.email))
	}
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`userName eq "adele.vance@CONTOSO.com"`, []string{"Adele.Vance@contoso.com"}},
		{`USERNAME eq "alex@contoso.com"`, []string{"alex@contoso.com"}},
		{`externalId eq "alexw"`, []string{"alex@contoso.com"}},
		{`externalId eq "ALEXW"`, nil}, // externalId is caseExact
		{`userName eq "alex@contoso.com" and externalId eq "alexw"`, []string{"alex@contoso.com"}},
		{`userName eq "alex@contoso.com" and externalId eq "AdeleV"`, nil},
		{`userName eq "alex@contoso.com" and active eq false`, nil},
		{`emails[type eq "work"].value eq "BIANCA@fabrikam.com"`, []string{"bianca@contoso.com"}},
		{`emails.value ew "contoso.com" and active eq true`, []string{"Adele.Vance@contoso.com", "alex@contoso.com"}},
		{`userName sw "a"`, []string{"admin@contoso.com", "Adele.Vance@contoso.com", "alex@contoso.com"}},
		{`userName eq "nobody@contoso.com"`, nil},
	} {
		r := h.get("/scim/v2/Users?filter=" + url.QueryEscape(tc.filter))
		mustStatus(t, r, http.StatusOK)
		m := r.json(t)
		var got []string
		for _, res := range m["Resources"].([]any) {
			got = append(got, res.(map[string]any)["userName"].(string))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || m["totalResults"] != jsonInt(len(tc.want)) {
			t.Errorf("%s: got %v (total %v), want %v", tc.filter, got, m["totalResults"], tc.want)
		}
	}
	for _, bad := range []string{`userName eq`, `userName xx "a"`, `active gt true`, ``, `userName eq "a" or`} {
		detail := scimError(t, h.get("/scim/v2/Users?filter="+url.QueryEscape(bad)), http.StatusBadRequest, "invalidFilter")
		if !strings.Contains(detail, "filter") {
			t.Errorf("%q: detail %q", bad, detail)
		}
	}
}

func TestListUsersPages(t *testing.T) {
	h := newHarness(t)
	for i := range 6 {
		h.created(fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user%d@contoso.com"}`, i))
	}
	page := func(query string) (names []string, m map[string]any) {
		t.Helper()
		r := h.get("/scim/v2/Users?" + query)
		mustStatus(t, r, http.StatusOK)
		m = r.json(t)
		for _, res := range m["Resources"].([]any) {
			names = append(names, res.(map[string]any)["userName"].(string))
		}
		return names, m
	}
	for _, tc := range []struct {
		query          string
		want           string
		start, perPage int
	}{
		{"", "[admin@contoso.com user0@contoso.com user1@contoso.com user2@contoso.com user3@contoso.com user4@contoso.com user5@contoso.com]", 1, 7},
		{"startIndex=2&count=2", "[user0@contoso.com user1@contoso.com]", 2, 2},
		{"startindex=6&Count=5", "[user4@contoso.com user5@contoso.com]", 6, 2},
		{"startIndex=0&count=1", "[admin@contoso.com]", 1, 1},
		{"startIndex=99", "[]", 99, 0},
		{"count=0", "[]", 1, 0},
		{"filter=" + url.QueryEscape(`userName sw "user"`) + "&startIndex=3&count=2", "[user2@contoso.com user3@contoso.com]", 3, 2},
	} {
		names, m := page(tc.query)
		if fmt.Sprint(names) != tc.want && !(tc.want == "[]" && names == nil) {
			t.Errorf("%q: got %v, want %s", tc.query, names, tc.want)
		}
		total := 7
		if strings.Contains(tc.query, "filter") {
			total = 6
		}
		if m["totalResults"] != jsonInt(total) || m["startIndex"] != jsonInt(tc.start) || m["itemsPerPage"] != jsonInt(tc.perPage) {
			t.Errorf("%q: totalResults %v startIndex %v itemsPerPage %v", tc.query, m["totalResults"], m["startIndex"], m["itemsPerPage"])
		}
	}
	scimError(t, h.get("/scim/v2/Users?startIndex=two"), http.StatusBadRequest, "invalidValue")
}

func TestPutReplacesTheDocument(t *testing.T) {
	h := newHarness(t)
	id := h.created(entraUser)
	h.clock.Advance(1e9)
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"` + id + `","userName":"renamed@contoso.com","displayName":"Renamed","nickName":"R"}`
	r := h.send("PUT", "/scim/v2/Users/"+id, body)
	mustStatus(t, r, http.StatusOK)
	got := r.json(t)
	// Attributes left out are gone; active, absent from the body, keeps
	// the user's state.
	sameJSON(t, "after PUT", without(got, "meta"), decode(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"`+id+`",
		"userName":"renamed@contoso.com","displayName":"Renamed","nickName":"R","active":true}`))
	meta := got["meta"].(map[string]any)
	if meta["version"] != `W/"2"` || meta["lastModified"] != "2026-11-29T12:00:01Z" || meta["created"] != "2026-11-29T12:00:00Z" {
		t.Errorf("meta after PUT: %v", meta)
	}
	u, _ := h.store.GetUser(h.ctx, h.org.ID, id)
	if u.UserName != "renamed@contoso.com" || u.Email != "" || u.ExternalID != "" || u.DisplayName != "Renamed" || u.GivenName != "" {
		t.Fatalf("fields after PUT: %+v", u)
	}
	// PUT onto another user's name is a conflict.
	other := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"other@contoso.com"}`)
	scimError(t, h.send("PUT", "/scim/v2/Users/"+other, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"RENAMED@contoso.com"}`), http.StatusConflict, "uniqueness")
	scimError(t, h.send("PUT", "/scim/v2/Users/nope", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`), http.StatusNotFound, "")
}

func TestETags(t *testing.T) {
	h := newHarness(t)
	id := h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"e@contoso.com"}`)
	r := h.do(req{method: "GET", path: "/scim/v2/Users/" + id, header: map[string]string{"If-None-Match": `W/"1"`}})
	if r.status != http.StatusNotModified || len(r.body) != 0 {
		t.Fatalf("If-None-Match current: %d %s", r.status, r.body)
	}
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"E"}]}`
	detail := scimError(t, h.do(req{method: "PATCH", path: "/scim/v2/Users/" + id, body: patch, header: map[string]string{"If-Match": `W/"7"`}}), http.StatusPreconditionFailed, "")
	if !strings.Contains(detail, `W/"1"`) {
		t.Errorf("412 detail %q does not give the current version", detail)
	}
	if u, _ := h.store.GetUser(h.ctx, h.org.ID, id); u.Version != 1 || u.DisplayName != "" {
		t.Fatalf("a failed If-Match changed the user: %+v", u)
	}
	r = h.do(req{method: "PATCH", path: "/scim/v2/Users/" + id, body: patch, header: map[string]string{"If-Match": `W/"1"`}})
	mustStatus(t, r, http.StatusOK)
	if r.header.Get("ETag") != `W/"2"` {
		t.Fatalf("ETag after PATCH %q", r.header.Get("ETag"))
	}
	// A PATCH that changes nothing writes nothing.
	r = h.send("PATCH", "/scim/v2/Users/"+id, patch)
	mustStatus(t, r, http.StatusOK)
	if r.header.Get("ETag") != `W/"2"` {
		t.Fatalf("a no-op PATCH bumped the version: %q", r.header.Get("ETag"))
	}
}

func TestRoutesToleratePathVariants(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/scim/v2//Users?filter=userName+eq+%22x%22&aadOptscim062020", "/scim/v2/users/", "/scim/v2/Users?aadOptscim062020"} {
		mustStatus(t, h.get(p), http.StatusOK)
	}
	for _, p := range []string{"/scim/v2", "/scim/v2/Nope", "/scim/v3/Users", "/scim/v2/Users/a/b"} {
		scimError(t, h.get(p), http.StatusNotFound, "")
	}
	r := h.send("DELETE", "/scim/v2/Users", "")
	scimError(t, r, http.StatusMethodNotAllowed, "")
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
}

func TestStoreFailureIsAnOpaque500(t *testing.T) {
	h := newHarness(t, func(o *harnessOptions) {
		o.wrap = func(s Store) Store { return failingStore{s} }
	})
	detail := scimError(t, h.get("/scim/v2/Users"), http.StatusInternalServerError, "")
	if strings.Contains(detail, "disk") {
		t.Errorf("500 detail leaks the cause: %q", detail)
	}
	if !strings.Contains(h.logs.String(), "disk on fire") {
		t.Errorf("the cause was not logged:\n%s", h.logs.String())
	}
}

type failingStore struct{ Store }

func (failingStore) FindUsers(context.Context, string, accounts.UserQuery) ([]accounts.User, int, error) {
	return nil, 0, errors.New("disk on fire")
}

// recordingStore notes the account queries a request makes.
type recordingStore struct {
	Store
	mu      sync.Mutex
	queries []accounts.UserQuery
}

func (s *recordingStore) FindUsers(ctx context.Context, orgID string, q accounts.UserQuery) ([]accounts.User, int, error) {
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	return s.Store.FindUsers(ctx, orgID, q)
}

func TestEqualityFiltersUseTheIndex(t *testing.T) {
	rec := &recordingStore{}
	h := newHarness(t, func(o *harnessOptions) {
		o.wrap = func(s Store) Store { rec.Store = s; return rec }
	})
	h.created(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Indexed@contoso.com","externalId":"idx"}`)
	for _, tc := range []struct {
		filter string
		want   accounts.UserQuery
	}{
		{`userName eq "INDEXED@contoso.com"`, accounts.UserQuery{UserName: "INDEXED@contoso.com", HasUserName: true}},
		{`externalId eq "idx"`, accounts.UserQuery{ExternalID: "idx", HasExternalID: true}},
		{`active eq true and userName eq "indexed@contoso.com"`, accounts.UserQuery{UserName: "indexed@contoso.com", HasUserName: true}},
		{`displayName eq "x"`, accounts.UserQuery{Offset: 0, Limit: scanBatch}}, // no index: a scan
	} {
		rec.queries = nil
		mustStatus(t, h.get("/scim/v2/Users?filter="+url.QueryEscape(tc.filter)), http.StatusOK)
		if len(rec.queries) != 1 || rec.queries[0] != tc.want {
			t.Errorf("%s: account queries %+v, want one %+v", tc.filter, rec.queries, tc.want)
		}
	}
}

func TestPostIgnoresClientIDAndMeta(t *testing.T) {
	h := newHarness(t)
	r := h.send("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"chosen-by-client","userName":"id@contoso.com","meta":{"version":"W/\"99\"","created":"2001-01-01T00:00:00Z"}}`)
	mustStatus(t, r, http.StatusCreated)
	m := r.json(t)
	if m["id"] == "chosen-by-client" || m["meta"].(map[string]any)["version"] != `W/"1"` || m["meta"].(map[string]any)["created"] != "2026-11-29T12:00:00Z" {
		t.Fatalf("client-set id or meta kept: %s", r.body)
	}
}
