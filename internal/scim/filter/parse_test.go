package filter

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// TestParseEntraForms parses the filters Entra and Microsoft's test suites
// send (reference §2.1, §3.3, §8, §9.3) after URL decoding.
func TestParseEntraForms(t *testing.T) {
	for _, tc := range []struct {
		name, query string // query is the raw query string as on the wire
		want        string // canonical rendering
	}{
		{"Test Connection", `filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22`, `userName eq "7d420df3-9995-4831-a406-ecf8166f5f6a"`},
		{"UPN with %40", `filter=userName+eq+%22jane.doe%40contoso.com%22`, `userName eq "jane.doe@contoso.com"`},
		{"%20 spaces", `filter=userName%20eq%20%22a%22`, `userName eq "a"`},
		{"externalId (azure-docs #11784)", `filter=externalId+eq+%22johnwong%22`, `externalId eq "johnwong"`},
		{"group match", `excludedAttributes=members&filter=displayName+eq+%22Sales+Team%22`, `displayName eq "Sales Team"`},
		{"e-mail matching (MS-DEV)", `filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22user%40contoso.com%22`, `emails[type eq "work"].value eq "user@contoso.com"`},
		{"two matching attributes", `filter=externalId+eq+%22x%22+and+userName+eq+%22y%22`, `externalId eq "x" and userName eq "y"`},
		{"Postman DisplayName", `filter=DisplayName+eq+%22Ryan3%22`, `DisplayName eq "Ryan3"`},
		{"Postman name.FamilyName", `filter=name.FamilyName+eq+%22Leenay%22`, `name.FamilyName eq "Leenay"`},
		{"enterprise attribute", `filter=urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Aextension%3Aenterprise%3A2.0%3AUser%3AemployeeNumber+eq+%22701984%22`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`},
		{"Postman and/or mix", `filter=userName+sw+%22a%22+and+(title+co+%22b%22+or+active+eq+true)`, `userName sw "a" and (title co "b" or active eq true)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Parse(q.Get("filter"))
			if err != nil {
				t.Fatalf("Parse(%q): %v", q.Get("filter"), err)
			}
			if got := e.String(); got != tc.want {
				t.Errorf("String() = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseShapes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Expr
	}{
		{`userName eq "a"`, &Compare{Path: Path{Attr: "userName"}, Op: Eq, Value: "a"}},
		{`userName EQ "a"`, &Compare{Path: Path{Attr: "userName"}, Op: Eq, Value: "a"}},
		{`title pr`, &Compare{Path: Path{Attr: "title"}, Op: Pr}},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, &Compare{Path: Path{Attr: "meta", Sub: "lastModified"}, Op: Gt, Value: "2011-05-13T04:42:34Z"}},
		{`a eq 1 and b eq 2 and c eq 3`, &Logical{
			Left:  &Logical{Left: cmp("a", Eq, num("1")), Right: cmp("b", Eq, num("2"))},
			Right: cmp("c", Eq, num("3"))}},
		{`a eq true or b eq false and c eq null`, &Logical{Or: true,
			Left:  cmp("a", Eq, true),
			Right: &Logical{Left: cmp("b", Eq, false), Right: cmp("c", Eq, nil)}}},
		{`not (a pr)`, &Not{X: &Compare{Path: Path{Attr: "a"}, Op: Pr}}},
		{`NOT(a pr)`, &Not{X: &Compare{Path: Path{Attr: "a"}, Op: Pr}}},
		{`emails[type eq "work" and value co "@example.com"]`, &ValuePath{Path: Path{Attr: "emails", Filter: &Logical{
			Left: cmp("type", Eq, "work"), Right: cmp("value", Co, "@example.com")}}}},
		{`members[value eq "id"].display eq "x"`, &Compare{Path: Path{Attr: "members", Filter: cmp("value", Eq, "id"), Sub: "display"}, Op: Eq, Value: "x"}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "x"`, &Compare{Path: Path{URI: scim.SchemaUser, Attr: "name", Sub: "givenName"}, Op: Eq, Value: "x"}},
		{`members.$ref pr`, &Compare{Path: Path{Attr: "members", Sub: "$ref"}, Op: Pr}},
		{`userName eq "a\"b\u00e9\\\/"`, cmp("userName", Eq, "a\"bé\\/")},
		{`x eq -1.5e3`, cmp("x", Eq, num("-1.5e3"))},
		{`  userName   eq   "a"  `, cmp("userName", Eq, "a")},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%s) = %s, want %s", tc.in, got, tc.want)
			}
			again, err := Parse(got.String())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("String() %s does not parse back to the same tree (%v)", got, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in        string
		fragments []string
	}{
		{``, []string{"empty"}},
		{`userName`, []string{"expected an operator", "after userName", "filter ends", "character 9"}},
		{`userName eq`, []string{`expected a value after "eq"`, "character 12"}},
		{`userName eq "x" and`, []string{"expected an attribute name", "filter ends"}},
		{`userName eq "x" junk`, []string{`expected "and", "or" or the end`, `found "junk"`, "character 17"}},
		{`userName eq "x`, []string{"no closing"}},
		{`(userName eq "x"`, []string{"'(' here is never closed", "character 1"}},
		{`userName eq "x")`, []string{`found ")"`}},
		{`externalId eq jyoung`, []string{"must be quoted", `eq "jyoung"`}},
		{`userName+eq+"x"`, []string{"form-encoded", "url.ParseQuery"}},
		{`userName%20eq%20%22x%22`, []string{"URL-encoded"}},
		{`userName xx "x"`, []string{"expected an operator", `found "xx"`}},
		{`emails[type eq "work"`, []string{"'[' here is never closed"}},
		{`emails[types[a eq "b"]]`, []string{"cannot be nested"}},
		{`emails.value[type eq "work"]`, []string{"must follow the attribute name"}},
		{`a.b.c eq "x"`, []string{"more than one sub-attribute"}},
		{`1abc eq "x"`, []string{"not a number"}},
		{`userName eq "\x"`, []string{"not a valid JSON string"}},
		{`userName eq "x" & a pr`, []string{"unexpected character '&'"}},
		{`urn:x:: eq "x"`, []string{"not a valid schema URI prefix"}},
		{strings.Repeat("(", 40) + `a pr` + strings.Repeat(")", 40), []string{"deeper than 32"}},
		{`emails[type eq "work"]. value eq "x"`, []string{"sub-attribute name"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := Parse(tc.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want a *SyntaxError", tc.in, err)
			}
			if !errors.Is(err, scim.ErrInvalidFilter) {
				t.Errorf("error does not wrap ErrInvalidFilter")
			}
			if e := scim.ErrorFrom(err); e.Status != 400 || e.ScimType != scim.TypeInvalidFilter {
				t.Errorf("ErrorFrom = %d %s, want 400 invalidFilter", e.Status, e.ScimType)
			}
			for _, f := range tc.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not mention %q", err, f)
				}
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Path
	}{
		{`displayName`, Path{Attr: "displayName"}},
		{`name.givenName`, Path{Attr: "name", Sub: "givenName"}},
		{`emails[type eq "work"].value`, Path{Attr: "emails", Filter: cmp("type", Eq, "work"), Sub: "value"}},
		{`addresses[type eq "work"].formatted`, Path{Attr: "addresses", Filter: cmp("type", Eq, "work"), Sub: "formatted"}},
		{`members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]`, Path{Attr: "members", Filter: cmp("value", Eq, "7f4bc1a3-285e-48ae-8202-5accb43efb0e")}},
		{scim.SchemaEnterpriseUser + `:manager`, Path{URI: scim.SchemaEnterpriseUser, Attr: "manager"}},
		{scim.SchemaEnterpriseUser + `:manager.value`, Path{URI: scim.SchemaEnterpriseUser, Attr: "manager", Sub: "value"}},
		{scim.SchemaEnterpriseUser, Path{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Attr: "User"}},
		{`roles[primary eq "True"].value`, Path{Attr: "roles", Filter: cmp("primary", Eq, "True"), Sub: "value"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePath(tc.in)
			if err != nil {
				t.Fatalf("ParsePath: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParsePath(%s) = %#v, want %#v", tc.in, got, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %s, want %s", got, tc.in)
			}
		})
	}
	for _, bad := range []string{``, `emails[`, `name.`, `emails[type eq "work"] junk`, `"x"`, `a eq "b"`} {
		_, err := ParsePath(bad)
		if !errors.Is(err, scim.ErrInvalidPath) {
			t.Errorf("ParsePath(%q) error = %v, want ErrInvalidPath", bad, err)
		}
	}
}
