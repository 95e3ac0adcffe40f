package scim

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) Resource {
	t.Helper()
	r, err := DecodeResource([]byte(s))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return r
}

func TestNormalizeRequest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		group bool
		body  string
		want  string
	}{{
		name: "Entra's documented POST is stored as sent, less meta (reference §4.2)",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee","active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"}],"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`,
		want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee","active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"}],"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`,
	}, {
		name: "string booleans, manager string, legacy nulls, id and groups dropped",
		body: `{"id":"client-chosen","userName":"a","active":"True","addresses":null,"manager":null,"groups":[{"value":"g"}],
			"roles":[{"primary":"True","type":"WindowsAzureActiveDirectoryRole","value":"Admin"}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m-1","department":""}}`,
		want: `{"userName":"a","active":true,
			"roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m-1"}}}`,
	}, {
		name: "unknown attributes, extensions and schema URIs are kept as sent",
		body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:custom"],"userName":"a","userType":"Employee",
			"urn:example:custom":{"badge":7,"flag":null},"shoeSize":"44","Emails":[{"Value":"x@y.z","Type":"work","display":""}]}`,
		want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:custom"],"userName":"a","userType":"Employee",
			"urn:example:custom":{"badge":7,"flag":null},"shoeSize":"44","Emails":[{"Value":"x@y.z","Type":"work"}]}`,
	}, {
		name:  "Entra's group create (reference §8)",
		group: true,
		body:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}`,
		want:  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName"}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			rt := UserType()
			if tc.group {
				rt = GroupType()
			}
			r := decode(t, tc.body)
			if err := rt.NormalizeRequest(r); err != nil {
				t.Fatal(err)
			}
			if want := decode(t, tc.want); !reflect.DeepEqual(r, want) {
				got, _ := json.Marshal(r)
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestNormalizeRequestErrors(t *testing.T) {
	for _, tc := range []struct{ body, fragment string }{
		{`{"active":true}`, "userName is required for a User"},
		{`{"userName":""}`, "userName is required"},
		{`{"userName":5}`, "userName must be a string, got a number"},
		{`{"userName":"a","active":"yes"}`, `active must be a boolean (true or false, or the strings "True"/"False"), got the string "yes"`},
		{`{"userName":"a","emails":{"value":"x"}}`, "emails is multi-valued and needs an array, got an object"},
		{`{"userName":"a","emails":[{"value":"x","primary":"often"}]}`, "emails[0].primary must be a boolean"},
		{`{"userName":"a","name":"Jane Doe"}`, "name is complex and needs an object"},
		{`{"userName":"a","schemas":"urn"}`, "schemas must be an array"},
		{`{"userName":"a","schemas":[1]}`, "schemas[0] must be a URI string"},
		{`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}`, "must be an object of EnterpriseUser attributes"},
		{`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":1}}`, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department must be a string"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			err := UserType().NormalizeRequest(decode(t, tc.body))
			if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), tc.fragment) {
				t.Errorf("err = %v, want invalidValue mentioning %q", err, tc.fragment)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	rt := UserType()
	for _, tc := range []struct {
		uri, name, wantName, wantExt string
	}{
		{"", "userName", "userName", ""},
		{"", "USERNAME", "userName", ""},
		{SchemaUser, "name", "name", ""},
		{strings.ToUpper(SchemaUser), "name", "name", ""},
		{SchemaEnterpriseUser, "manager", "manager", SchemaEnterpriseUser},
		{"", "manager", "manager", SchemaEnterpriseUser}, // legacy unqualified path
		{"", "department", "department", SchemaEnterpriseUser},
		{"", "shoeSize", "", ""},
		{"urn:example:custom", "badge", "", "urn:example:custom"},
		{SchemaUser, "department", "", ""},
	} {
		a, ext := rt.Lookup(tc.uri, tc.name)
		name := ""
		if a != nil {
			name = a.Name
		}
		if name != tc.wantName || ext != tc.wantExt {
			t.Errorf("Lookup(%q, %q) = %q in %q, want %q in %q", tc.uri, tc.name, name, ext, tc.wantName, tc.wantExt)
		}
	}
}
