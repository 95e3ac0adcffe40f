package scim

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestDecodeResource(t *testing.T) {
	for _, tc := range []struct{ name, body, fragment string }{
		{"not JSON", `{"userName":`, "not valid JSON"},
		{"trailing data", `{"userName":"a"} {}`, "data after its JSON value"},
		{"array", `[1]`, "must be a JSON object, got an array"},
		{"case duplicate", `{"userName":"a","UserName":"b"}`, `"UserName" and "userName" name the same attribute`},
		{"nested case duplicate", `{"name":{"givenName":"a","GIVENNAME":"b"}}`, `inside "name"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeResource([]byte(tc.body))
			if !errors.Is(err, ErrInvalidSyntax) || !strings.Contains(err.Error(), tc.fragment) {
				t.Errorf("err = %v, want invalidSyntax mentioning %q", err, tc.fragment)
			}
		})
	}
	r, err := DecodeResource([]byte(`{"n": 12345678901234567890.50}`))
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := json.Marshal(r); string(data) != `{"n":12345678901234567890.50}` {
		t.Errorf("a number did not come back exactly as sent: %s", data)
	}
}

func TestAccessorsIgnoreCase(t *testing.T) {
	r, err := DecodeResource([]byte(`{
		"Schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER"],
		"ID": "u-1", "USERNAME": "Jane", "ExternalId": "j", "displayname": "Jane D", "Active": "False",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"Manager": "m-1"},
		"Members": [{"Value": "a"}, {"value": "b"}, "junk"]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID() != "u-1" || r.UserName() != "Jane" || r.ExternalID() != "j" || r.DisplayName() != "Jane D" {
		t.Errorf("accessors = %q %q %q %q", r.ID(), r.UserName(), r.ExternalID(), r.DisplayName())
	}
	if active, ok := r.Active(); !ok || active {
		t.Errorf("Active() = %v, %v; want false, true", active, ok)
	}
	if !r.HasSchema(SchemaEnterpriseUser) {
		t.Errorf("HasSchema ignores case wrongly")
	}
	if got := r.ManagerID(); got != "m-1" {
		t.Errorf("ManagerID() = %q", got)
	}
	if got := r.MemberIDs(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("MemberIDs() = %v", got)
	}
	r.Set("username", "Jill")
	if _, ok := r["USERNAME"]; !ok || r.UserName() != "Jill" {
		t.Errorf("Set did not keep the stored name's case: %v", r)
	}
	r.Delete("userName")
	if _, ok := r.Get("USERNAME"); ok {
		t.Errorf("Delete ignored case wrongly")
	}
}

func TestFoldKeyAgreesWithEqualFold(t *testing.T) {
	pairs := [][2]string{
		{"Jane@Contoso.com", "jane@contoso.COM"},
		{"K", "\u212a"}, // Kelvin sign folds to K
		{"ß", "ẞ"},
		{"Σίσυφος", "ΣΊΣΥΦΟΣ"},
		{"a", "b"},
		{"ǅ", "ǆ"},
		{"İ", "i"}, // U+0130 lowers to i but does not fold to it
		{"ı", "I"}, // U+0131 likewise
		{"Jane@Contoso.COM", "jane@contoso.com"},
	}
	if got := FoldKey("Jane@Contoso.COM"); got != "jane@contoso.com" {
		t.Errorf("FoldKey of ASCII = %q, want lower case", got)
	}
	for _, p := range pairs {
		if (FoldKey(p[0]) == FoldKey(p[1])) != strings.EqualFold(p[0], p[1]) {
			t.Errorf("FoldKey(%q)==FoldKey(%q) disagrees with EqualFold", p[0], p[1])
		}
	}
}

// TestFoldKeyStaysInOrbit checks every rune: its key is what EqualFold
// treats as equal to the rune's NFC form, so keys of different orbits
// never collide.
func TestFoldKeyStaysInOrbit(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		if k := FoldKey(string(r)); !strings.EqualFold(k, norm.NFC.String(string(r))) {
			t.Fatalf("FoldKey(%U) = %q, which EqualFold does not equate with its NFC form", r, k)
		}
	}
}

// Canonically equivalent spellings are one key, in any case; names that
// only look alike (compatibility forms, other letters) are not.
func TestFoldKeyEquatesNFCAndNFD(t *testing.T) {
	nfc, nfd := "Jos\u00e9@contoso.com", "Jose\u0301@contoso.com"
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{nfc, nfd, true},
		{nfc, "JOSE\u0301@CONTOSO.COM", true},
		{"\u00c5ngstr\u00f6m", "A\u030angstro\u0308m", true},
		{"\u212b", "\u00e5", true},  // ANGSTROM SIGN is canonically Å
		{"\ufb01le", "file", false}, // the ﬁ ligature is only compatibly equal
		{"jose@contoso.com", nfc, false},
	} {
		if got := FoldKey(tc.a) == FoldKey(tc.b); got != tc.same {
			t.Errorf("FoldKey(%+q) == FoldKey(%+q): %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

func FuzzFoldKey(f *testing.F) {
	f.Add("Jane", "JANE")
	f.Add("K", "\u212a")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		if (FoldKey(a) == FoldKey(b)) != strings.EqualFold(norm.NFC.String(a), norm.NFC.String(b)) {
			t.Errorf("FoldKey disagrees with EqualFold of the NFC forms for %q, %q", a, b)
		}
	})
}

func TestCloneIsDeep(t *testing.T) {
	r, _ := DecodeResource([]byte(`{"name":{"givenName":"a"},"emails":[{"value":"x"}]}`))
	c := r.Clone()
	c["name"].(map[string]any)["givenName"] = "b"
	c["emails"].([]any)[0].(map[string]any)["value"] = "y"
	if r["name"].(map[string]any)["givenName"] != "a" || r["emails"].([]any)[0].(map[string]any)["value"] != "x" {
		t.Errorf("Clone shares memory with the original")
	}
}

func TestTypedViews(t *testing.T) {
	active := true
	u := User{
		Schemas:    []string{SchemaUser, SchemaEnterpriseUser},
		ExternalID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		UserName:   "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
		Active:     &active,
		Emails:     []MultiValue{{Primary: true, Type: "work", Value: "Test_User_11bb11bb@testuser.com"}},
		Meta:       &Meta{ResourceType: "User"},
		Name:       &Name{Formatted: "givenName familyName", FamilyName: "familyName", GivenName: "givenName"},
		Roles:      []MultiValue{},
		Enterprise: &EnterpriseUser{Department: "R&D", Manager: &Manager{Value: "m-1"}},
	}
	r, err := ToResource(u)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(r)
	// Entra's documented POST body (reference §4.2) plus the extension.
	want := `{"active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_11bb11bb@testuser.com"}],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","meta":{"resourceType":"User"},"name":{"familyName":"familyName","formatted":"givenName familyName","givenName":"givenName"},"roles":[],"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R\u0026D","manager":{"value":"m-1"}},"userName":"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}`
	if string(data) != want {
		t.Errorf("ToResource marshals to\n%s\nwant\n%s", data, want)
	}
	var back User
	if err := r.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, u) {
		t.Errorf("Decode(ToResource(u)) = %+v, want %+v", back, u)
	}
	var g Group
	gr, _ := DecodeResource([]byte(`{"displayName":"Eng","members":[{"value":"u-1","$ref":"https://x/Users/u-1"}]}`))
	if err := gr.Decode(&g); err != nil || g.Members[0].Ref != "https://x/Users/u-1" {
		t.Errorf("Decode(Group) = %+v, %v", g, err)
	}
	bad, _ := DecodeResource([]byte(`{"userName": 5}`))
	if err := bad.Decode(&back); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("Decode of a mistyped resource: %v", err)
	}
}
