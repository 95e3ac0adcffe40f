package scimserver

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/patch"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// fuzzServer is a server for calling the decoding functions directly.
func fuzzServer() *server {
	return New(Config{Accounts: &accounts.Store{}, BaseURL: publicBase}).(*server)
}

// FuzzDecodeUser: no POST/PUT body panics; a refusal is a 4xx SCIM error
// (never a 500); an accepted body has a non-blank userName, no password,
// round-trips through storage to the same document, and is a fixed point
// of decoding (decoding what was stored changes nothing).
func FuzzDecodeUser(f *testing.F) {
	for _, seed := range []string{
		entraUser,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@contoso.com","active":"False"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m-1","employeeNumber":"7"}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","emails":[{"value":"x@y","type":"home"},{"value":"w@y","type":"work","primary":"True"}],"name":{"givenName":"G"}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","password":"p"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","UserName":"b"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x","meta":{"version":"W/\"9\""},"userName":"a","x509Certificates":[{"value":"AAAA"}]}`,
		`{"schemas":[1],"userName":"a"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","roles":[{"primary":"True","type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]}`,
		`[]`, `null`, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":" "}`, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","active":null,"nickName":""}`,
	} {
		f.Add([]byte(seed))
	}
	s := fuzzServer()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, urlID := range []string{"", "x"} {
			doc, err := decodeUser(s.users, body, urlID)
			if err != nil {
				if e := scim.ErrorFrom(err); e.Status < 400 || e.Status >= 500 {
					t.Fatalf("decodeUser(%q) error %v becomes status %d", body, err, e.Status)
				}
				continue
			}
			if strings.TrimSpace(doc.UserName()) == "" {
				t.Fatalf("accepted %q without a userName", body)
			}
			if v, ok := doc.Get("password"); ok && !scim.IsUnassigned(v) {
				t.Fatalf("accepted a password in %q", body)
			}
			u := accounts.User{ID: "u-1", Active: true, Version: 1, CreatedAt: start, UpdatedAt: start}
			if err := syncFields(&u, doc.Clone()); err != nil {
				t.Fatalf("syncFields(%q): %v", body, err)
			}
			if u.UserName != doc.UserName() || u.ExternalID != doc.ExternalID() {
				t.Fatalf("fields %q/%q do not match the document", u.UserName, u.ExternalID)
			}
			again, err := decodeUser(s.users, u.SCIM, "")
			if err != nil {
				t.Fatalf("stored document %s does not decode again: %v", u.SCIM, err)
			}
			if !reflect.DeepEqual(map[string]any(again), without(doc, "id", "meta")) {
				t.Fatalf("decoding is not a fixed point:\nfirst %v\nagain %v", doc, again)
			}
			res, err := s.represent(u)
			if err != nil || res.ID() != "u-1" {
				t.Fatalf("represent: %v %v", res, err)
			}
			if _, err := json.Marshal(res); err != nil {
				t.Fatalf("the resource does not encode: %v", err)
			}
		}
	})
}

// FuzzPatchRequest: no PATCH body panics in parsing, the path check and
// application to a stored user; refusals are 4xx; an accepted PATCH leaves
// a user with a userName whose fields follow the document.
func FuzzPatchRequest(f *testing.F) {
	for _, seed := range []string{
		patchDefault, patchFlag, patchMixed, disableDefault, disableFlag, managerBare, managerObject, managerRemove,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"favouriteColour","value":"red"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"dept":"x"}}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[tpye eq \"work\" and not (primary eq true)].value","value":"a"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"userName"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:x:custom:2.0:User:tag","value":{"a":[1,2]}}]}`,
	} {
		f.Add([]byte(seed))
	}
	s := fuzzServer()
	stored := accounts.User{ID: "u-1", UserName: "jane@contoso.com", Active: true, Version: 3, CreatedAt: start, UpdatedAt: start.Add(time.Hour)}
	if err := syncFields(&stored, mustDecodeUser(f, s, entraUser)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(err error) {
			if e := scim.ErrorFrom(err); e.Status != http.StatusBadRequest {
				t.Fatalf("PATCH %q: error %v becomes status %d", body, err, e.Status)
			}
		}
		req, err := scim.ParsePatchOp(body)
		if err != nil {
			check(err)
			return
		}
		if err := checkPatchPaths(s.users, req); err != nil {
			check(err)
			return
		}
		base, err := s.represent(stored)
		if err != nil {
			t.Fatal(err)
		}
		next, _, err := patch.Apply(s.users, base, req)
		if err != nil {
			check(err)
			return
		}
		u := stored
		if err := syncFields(&u, next); err != nil {
			t.Fatalf("syncFields: %v", err)
		}
		if u.UserName == "" || !json.Valid(u.SCIM) {
			t.Fatalf("PATCH %q left userName %q, document %s", body, u.UserName, u.SCIM)
		}
	})
}

func mustDecodeUser(t testing.TB, s *server, body string) scim.Resource {
	t.Helper()
	doc, err := decodeUser(s.users, []byte(body), "")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
