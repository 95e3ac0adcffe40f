package filter

import (
	"reflect"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
)

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		filter string
		want   []Term
	}{
		{`userName eq "x"`, []Term{{Attr: "userName", Value: "x"}}},
		{`USERNAME eq "x"`, []Term{{Attr: "userName", Value: "x"}}},
		{`externalId eq "x" and userName eq "y"`, []Term{{Attr: "externalId", Value: "x", CaseExact: true}, {Attr: "userName", Value: "y"}}},
		{`emails[type eq "work"].value eq "a@b.c"`, []Term{{Attr: "emails.value", Value: "a@b.c"}, {Attr: "emails.type", Value: "work"}}},
		{`emails[Type eq "work" and value eq "a@b.c"]`, []Term{{Attr: "emails.type", Value: "work"}, {Attr: "emails.value", Value: "a@b.c"}}},
		{`emails eq "a@b.c"`, []Term{{Attr: "emails.value", Value: "a@b.c"}}},
		{`employeeNumber eq "7"`, []Term{{Attr: scim.SchemaEnterpriseUser + ":employeeNumber", Value: "7"}}},
		{`name.givenname eq "J"`, []Term{{Attr: "name.givenName", Value: "J"}}},
		{`custom eq 5 and active eq true`, []Term{{Attr: "custom", Value: num("5")}, {Attr: "active", Value: true}}},
		{`userName eq "x" and title pr`, []Term{{Attr: "userName", Value: "x"}}},
		{`userName eq "x" or externalId eq "y"`, nil},
		{`not (userName eq "x")`, nil},
		{`userName ne "x"`, nil},
		{`userName eq null`, nil},
		{`title co "x" and (userName eq "y" or userName eq "z")`, nil},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			f, err := New(tc.filter, scim.UserType())
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Terms(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Terms() = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	f, err := New(`externalId eq "ext" and UserName eq "Jane@Contoso.com"`, scim.UserType())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.Equal("userName"); !ok || v != "Jane@Contoso.com" {
		t.Errorf(`Equal("userName") = %q, %v`, v, ok)
	}
	if v, ok := f.Equal("externalid"); !ok || v != "ext" {
		t.Errorf(`Equal("externalid") = %q, %v`, v, ok)
	}
	if _, ok := f.Equal("displayName"); ok {
		t.Errorf(`Equal("displayName") found a term that is not there`)
	}
	g, _ := New(`displayName eq "a" or displayName eq "b"`, scim.GroupType())
	if _, ok := g.Equal("displayName"); ok {
		t.Errorf("an or-filter gave an index term")
	}
}

// TestTermsAreNecessary: every resource a filter matches satisfies each of
// its terms, so an index lookup never misses a match.
func TestTermsAreNecessary(t *testing.T) {
	rt := scim.UserType()
	docs := []string{
		`{"userName":"Jane@x.com","externalId":"J","emails":[{"type":"work","value":"J@X.COM"}]}`,
		`{"userName":"bob","externalId":"B","emails":[{"type":"Work","value":"b@x.com"},{"type":"home","value":"j@x.com"}]}`,
	}
	filters := []string{`userName eq "jane@x.com"`, `emails[type eq "work"].value eq "j@x.com"`, `externalId eq "B" and emails[type eq "work"]`}
	matched := 0
	for _, fs := range filters {
		f, err := New(fs, rt)
		if err != nil {
			t.Fatal(err)
		}
		for _, ds := range docs {
			r, _ := scim.DecodeResource([]byte(ds))
			if !f.Match(r) {
				continue
			}
			matched++
			for _, term := range f.Terms() {
				probe, _ := New(term.Attr+" eq "+literal(term.Value), rt)
				if !probe.Match(r) {
					t.Errorf("%s matches %s but its term %s = %v does not", fs, ds, term.Attr, term.Value)
				}
			}
		}
	}
	if matched != 3 {
		t.Errorf("%d filter/resource pairs matched, want 3; the fixtures no longer exercise the property", matched)
	}
}
