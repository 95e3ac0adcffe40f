package patch

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// storedUser is a user as the SP stores it after Entra's documented POST
// (reference §4.2), with an id and meta added by the server.
const storedUser = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"id": "u-1",
	"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
	"userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
	"active": true,
	"displayName": "Jane Doe",
	"emails": [{"primary": true, "type": "work", "value": "Test_User_11bb11bb@testuser.com"}],
	"meta": {"resourceType": "User", "created": "2026-01-02T03:04:05Z", "lastModified": "2026-01-02T03:04:05Z"},
	"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
	"roles": []
}`

// storedGroup is a group as the SP stores it after Entra's create (§8).
const storedGroup = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
	"id": "g-1",
	"externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
	"displayName": "Engineering",
	"members": [{"value": "u-1"}, {"value": "u-2", "display": "Bob"}]
}`

func doc(t testing.TB, s string) scim.Resource {
	t.Helper()
	r, err := scim.DecodeResource([]byte(s))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return r
}

// edit returns base with changes applied by f, for expected documents.
func edit(t testing.TB, base string, f func(r scim.Resource)) scim.Resource {
	t.Helper()
	r := doc(t, base)
	f(r)
	return r
}

func obj(r scim.Resource, key string) map[string]any { return r[key].(map[string]any) }

func pretty(v any) string {
	data, _ := json.MarshalIndent(v, "", "  ")
	return string(data)
}

func assertDoc(t testing.TB, got, want scim.Resource) {
	t.Helper()
	if !reflect.DeepEqual(map[string]any(got), map[string]any(want)) {
		t.Errorf("resource differs\n got: %s\nwant: %s", pretty(got), pretty(want))
	}
}

// assertSCIMError checks that err becomes a 400 with scimType and that its
// message contains each fragment.
func assertSCIMError(t testing.TB, err error, scimType scim.ErrorType, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", scimType)
	}
	e := scim.ErrorFrom(err)
	if e.ScimType != scimType || e.Status != 400 {
		t.Errorf("ErrorFrom(%v) = %d %s, want 400 %s", err, e.Status, e.ScimType, scimType)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err.Error(), f)
		}
	}
	var opErr *OpError
	if !errors.As(err, &opErr) && scimType != scim.TypeInvalidSyntax {
		t.Errorf("error %v is not an *OpError", err)
	}
}
