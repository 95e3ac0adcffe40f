package graph

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type userList struct {
	Context  string           `json:"@odata.context"`
	NextLink string           `json:"@odata.nextLink"`
	Count    *int             `json:"@odata.count"`
	Value    []map[string]any `json:"value"`
}

func (h *harness) list(path string) userList {
	h.t.Helper()
	resp, body := h.call(http.MethodGet, path, nil)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET %s: %s %s", path, resp.Status, body)
	}
	var l userList
	if err := json.Unmarshal(body, &l); err != nil {
		h.t.Fatal(err)
	}
	return l
}

// TestCreateUserAsDocumented replays the "Create user" example of
// Microsoft's reference: 201 with the default properties, and the user
// can sign in with the password.
func TestCreateUserAsDocumented(t *testing.T) {
	h := newHarness(t)
	resp, body := h.call(http.MethodPost, "/users", readFixture(t, "create-user-request.json"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %s %s", resp.Status, body)
	}
	h.matchFixture("create-user-response.json", body)
	if resp.Header.Get("request-id") == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("headers: %v", resp.Header)
	}
	u, err := h.dir.VerifyPassword(t.Context(), "AdeleV2@contoso.onmicrosoft.com", "xWwvJ]6NMw+bWH-d")
	if err != nil || !u.AccountEnabled {
		t.Fatalf("the created user cannot sign in: %v", err)
	}
	if strings.Contains(string(body), "xWwvJ") {
		t.Error("the response echoes the password")
	}
}

func TestCreateUserErrors(t *testing.T) {
	h := newHarness(t)
	base := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{"accountEnabled": true, "displayName": "Nestor Wilke", "mailNickname": "NestorW",
			"userPrincipalName": "NestorW@contoso.onmicrosoft.com", "passwordProfile": map[string]any{"password": "Nestor-Pa55word"}}
		edit(b)
		return b
	}
	cases := []struct {
		name, code, message, target string
		body                        any
		status                      int
	}{
		{"missing mailNickname", "Request_BadRequest", "A value is required for property 'mailNickname' of resource 'User'.", "mailNickname",
			base(func(b map[string]any) { delete(b, "mailNickname") }), 400},
		{"missing password", "Request_BadRequest", "A value is required for property 'passwordProfile' of resource 'User'.", "passwordProfile",
			base(func(b map[string]any) { delete(b, "passwordProfile") }), 400},
		{"taken UPN", "Request_BadRequest", "Another object with the same value for property userPrincipalName already exists.", "userPrincipalName",
			base(func(b map[string]any) { b["userPrincipalName"] = "adelev@contoso.onmicrosoft.com" }), 400},
		{"unverified domain", "Request_BadRequest", "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.", "userPrincipalName",
			base(func(b map[string]any) { b["userPrincipalName"] = "NestorW@fabrikam.com" }), 400},
		{"weak password", "Request_BadRequest", "The specified password does not comply with password complexity requirements. Please provide a different password.", "",
			base(func(b map[string]any) { b["passwordProfile"] = map[string]any{"password": "password"} }), 400},
		{"unknown property", "BadRequest", "The property 'favouriteColour' does not exist on type 'microsoft.graph.user'.", "",
			base(func(b map[string]any) { b["favouriteColour"] = "blue" }), 400},
		{"wrong type", "Request_BadRequest", "Invalid value specified for property 'accountEnabled' of resource 'User'", "accountEnabled",
			base(func(b map[string]any) { b["accountEnabled"] = "yes" }), 400},
		{"not JSON", "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.", "", "displayName=Nestor", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := h.call(http.MethodPost, "/users", c.body)
			e := graphErr(t, body)
			if resp.StatusCode != c.status || e.Code != c.code || !strings.Contains(e.Message, c.message) {
				t.Fatalf("got %s %s %q, want %d %s %q", resp.Status, e.Code, e.Message, c.status, c.code, c.message)
			}
			if c.target != "" && (len(e.Details) != 1 || e.Details[0].Target != c.target) {
				t.Errorf("details = %+v, want target %s", e.Details, c.target)
			}
		})
	}
	if _, err := h.dir.UserByUPN(t.Context(), "NestorW@contoso.onmicrosoft.com"); err == nil {
		t.Error("a refused request created the user")
	}
}

// TestListUsersPaging follows @odata.nextLink to the end: every live user
// once, pages of $top, and the query options carried along.
func TestListUsersPaging(t *testing.T) {
	h := newHarness(t)
	_, body := h.call(http.MethodGet, "/users?$top=2", nil)
	h.matchFixture("list-users-top2.json", body)

	all, err := h.dir.Users(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	next := h.ts.URL + "/v1.0/users?$top=2&$select=id,userPrincipalName"
	pages := 0
	for next != "" {
		l := h.list(next)
		pages++
		if len(l.Value) > 2 || len(l.Value) == 0 {
			t.Fatalf("page %d has %d users", pages, len(l.Value))
		}
		for _, u := range l.Value {
			if len(u) != 2 {
				t.Errorf("$select=id,userPrincipalName returned %v", u)
			}
			id := u["id"].(string)
			if seen[id] {
				t.Errorf("user %s on two pages", id)
			}
			seen[id] = true
		}
		if l.NextLink != "" && !strings.Contains(l.NextLink, "$select=id,userPrincipalName") {
			t.Errorf("nextLink %s dropped $select", l.NextLink)
		}
		next = l.NextLink
	}
	if len(seen) != len(all) || pages != (len(all)+1)/2 {
		t.Errorf("paged through %d users in %d pages, want %d users", len(seen), pages, len(all))
	}
}

func TestListUsersFilter(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		filter string
		want   []string
	}{
		{"userPrincipalName eq 'adelev@contoso.onmicrosoft.com'", []string{"Adele Vance"}},
		{"startswith(displayName,'Ad')", []string{"Adele Vance"}},
		{"accountEnabled eq false", []string{"Megan Bowen"}},
		{"displayName eq 'Adele Vance' or displayName eq 'Alex Wilber'", []string{"Adele Vance", "Alex Wilber"}},
		{"userPrincipalName in ('AlexW@contoso.onmicrosoft.com', 'LeeG@contoso.onmicrosoft.com')", []string{"Alex Wilber", "Lee Gu"}},
		{"(startswith(displayName,'A') and accountEnabled eq true) and surname eq 'Wilber'", []string{"Alex Wilber"}},
		{"mail eq null", []string{"Lee Gu"}},
		{"displayName eq 'O''Brien'", nil},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			l := h.list("/users?$filter=" + url.QueryEscape(c.filter) + "&$select=displayName")
			var got []string
			for _, u := range l.Value {
				got = append(got, u["displayName"].(string))
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestUnsupportedQueries: what the mock does not do is answered as Graph
// answers an unsupported query, never silently ignored.
func TestUnsupportedQueries(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		query, code, says string
		eventual          bool
	}{
		{"$filter=" + url.QueryEscape("endswith(mail,'@contoso.com')"), "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'mail' of resource 'User'.", false},
		{"$filter=" + url.QueryEscape("displayName ne 'x'"), "Request_UnsupportedQuery", "property 'displayName'", false},
		{"$filter=" + url.QueryEscape("jobTitle eq"), "BadRequest", "Invalid filter clause", false},
		{"$filter=" + url.QueryEscape("favouriteColour eq 'blue'"), "BadRequest", "Could not find a property named 'favouriteColour' on type 'microsoft.graph.user'.", false},
		{"$select=displayName,favouriteColour", "BadRequest", "Could not find a property named 'favouriteColour'", false},
		{"$top=1000", "Request_UnsupportedQuery", "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.", false},
		{"$skip=5", "Request_BadRequest", "'$skip' is not supported by the service.", false},
		{"$search=" + url.QueryEscape(`"displayName:Adele"`), "Request_UnsupportedQuery", "ConsistencyLevel: eventual", false},
		{"$count=true", "Request_BadRequest", "$count is not currently supported.", false},
		{"$orderby=jobTitle", "Request_UnsupportedQuery", "Sorting not supported for current query.", false},
		{"$expand=manager", "Request_BadRequest", "$expand is not supported", false},
		{"$skiptoken=garbage", "Directory_ExpiredPageToken", "page token", false},
		{"$format=xml", "BadRequest", "Query option '$format' is not supported.", false},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			resp, body := h.call(http.MethodGet, "/users?"+c.query, nil)
			e := graphErr(t, body)
			if resp.StatusCode != http.StatusBadRequest || e.Code != c.code || !strings.Contains(e.Message, c.says) {
				t.Errorf("got %s %s %q, want 400 %s saying %q", resp.Status, e.Code, e.Message, c.code, c.says)
			}
		})
	}
	t.Run("count with ConsistencyLevel", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/v1.0/users?$count=true&$top=1", nil)
		req.Header.Set("Authorization", "Bearer "+h.token)
		req.Header.Set("ConsistencyLevel", "eventual")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var l userList
		json.NewDecoder(resp.Body).Decode(&l)
		users, _ := h.dir.Users(t.Context())
		if l.Count == nil || *l.Count != len(users) || len(l.Value) != 1 {
			t.Errorf("@odata.count = %v with %d values, want %d and 1", l.Count, len(l.Value), len(users))
		}
	})
	t.Run("unknown segment", func(t *testing.T) {
		resp, body := h.call(http.MethodGet, "/contacts", nil)
		if e := graphErr(t, body); resp.StatusCode != 400 || e.Message != "Resource not found for the segment 'contacts'." {
			t.Errorf("got %s %q", resp.Status, e.Message)
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		resp, body := h.call(http.MethodPut, "/users", map[string]any{})
		graphErr(t, body)
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("PUT /users: %s", resp.Status)
		}
	})
}

func TestGetUpdateDisableDeleteUser(t *testing.T) {
	h := newHarness(t)
	adele := h.demo.Users[0]
	_, body := h.call(http.MethodGet, "/users/"+adele.UPN+"?$select=displayName,accountEnabled", nil)
	h.matchFixture("get-user-select.json", body)
	_, body = h.call(http.MethodGet, "/Users/"+strings.ToUpper(adele.ObjectID), nil)
	var got map[string]any
	json.Unmarshal(body, &got)
	if got["id"] != adele.ObjectID {
		t.Errorf("GET by upper-case ID: %s", body)
	}

	resp, body := h.call(http.MethodPatch, "/users/"+adele.ObjectID, map[string]any{"jobTitle": "Retail Director", "businessPhones": []string{}})
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("PATCH: %s %s", resp.Status, body)
	}
	u, _ := h.dir.User(t.Context(), adele.ObjectID)
	if u.JobTitle != "Retail Director" || u.TelephoneNumber != "" {
		t.Errorf("after PATCH: job %q phone %q", u.JobTitle, u.TelephoneNumber)
	}

	// Disable: what the directory's sign-in check and the provisioning
	// engine see.
	if resp, body := h.call(http.MethodPatch, "/users/"+adele.ObjectID, map[string]any{"accountEnabled": false}); resp.StatusCode != 204 {
		t.Fatalf("disable: %s %s", resp.Status, body)
	}
	if u, _ := h.dir.User(t.Context(), adele.ObjectID); u.AccountEnabled {
		t.Error("accountEnabled false did not block sign-in")
	}

	if resp, body := h.call(http.MethodPatch, "/users/"+adele.ObjectID, map[string]any{"id": "x"}); resp.StatusCode != 400 {
		t.Errorf("PATCH id: %s %s", resp.Status, body)
	}

	if resp, body := h.call(http.MethodDelete, "/users/"+adele.ObjectID, nil); resp.StatusCode != 204 {
		t.Fatalf("DELETE: %s %s", resp.Status, body)
	}
	if u, _ := h.dir.User(t.Context(), adele.ObjectID); u.Status != directory.UserSoftDeleted {
		t.Errorf("DELETE left the user %s, want in Deleted users", u.Status)
	}
	resp, body = h.call(http.MethodGet, "/users/"+adele.ObjectID, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET a deleted user: %s", resp.Status)
	}
	resp, body = h.call(http.MethodGet, "/users/00000000-0000-0000-0000-000000000001", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET unknown: %s", resp.Status)
	}
	h.matchFixture("error-not-found.json", body)
}
