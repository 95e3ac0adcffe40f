package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
)

const user = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"id": "2819c223-7f76-453a-919d-413861904646",
	"externalId": "JDoe",
	"userName": "Jane.Doe@Contoso.com",
	"active": false,
	"displayName": "Jane Doe",
	"title": "Engineer",
	"name": {"givenName": "Jane", "familyName": "Doe"},
	"emails": [
		{"type": "work", "value": "jane@contoso.com", "primary": true},
		{"type": "home", "value": "jane@example.org"}
	],
	"phoneNumbers": [{"type": "mobile", "value": "+1 425 555 0101"}],
	"roles": [],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
		"employeeNumber": "701984", "department": "R&D", "manager": {"value": "m-1"}
	},
	"urn:ietf:params:scim:schemas:extension:custom:2.0:User": {"badge": 42, "site": "Redmond"},
	"x-legacy": "True",
	"meta": {"created": "2026-01-02T03:04:05Z", "lastModified": "2026-03-04T05:06:07Z"}
}`

func TestMatch(t *testing.T) {
	r, err := scim.DecodeResource([]byte(user))
	if err != nil {
		t.Fatal(err)
	}
	rt := scim.UserType()
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		// userName is caseExact=false (reference §6.6).
		{`userName eq "jane.doe@contoso.com"`, true},
		{`userName eq "JANE.DOE@CONTOSO.COM"`, true},
		{`USERNAME Eq "jane.doe@contoso.com"`, true},
		{`userName eq "jane"`, false},
		// id and externalId are caseExact.
		{`externalId eq "JDoe"`, true},
		{`externalId eq "jdoe"`, false},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, false},
		{`externalId eq "JDoe" and userName eq "jane.doe@contoso.com"`, true},
		{`externalId eq "JDoe" and userName eq "other"`, false},
		{`externalId eq "nope" or userName eq "Jane.Doe@contoso.com"`, true},
		// Entra's e-mail matching form and value paths.
		{`emails[type eq "work"].value eq "JANE@contoso.com"`, true},
		{`emails[type eq "home"].value eq "jane@contoso.com"`, false},
		{`emails[type eq "WORK" and primary eq true]`, true},
		{`emails[type eq "home" and primary eq true]`, false},
		{`emails[value ew "example.org"]`, true},
		{`emails eq "jane@example.org"`, true},
		{`emails.value co "@contoso"`, true},
		{`emails.type eq "other"`, false},
		{`phoneNumbers[type eq "work"]`, false},
		// Sub-attributes and extensions.
		{`name.givenName sw "ja"`, true},
		{`Name.FamilyName eq "doe"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, true},
		{`employeeNumber eq "701984"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m-1"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "m-1"`, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jane.doe@contoso.com"`, true},
		{`urn:ietf:params:scim:schemas:extension:custom:2.0:User:site eq "redmond"`, true},
		{`urn:ietf:params:scim:schemas:extension:custom:2.0:User:badge gt 41`, true},
		{`urn:ietf:params:scim:schemas:extension:custom:2.0:User:badge lt 42`, false},
		// Booleans, including strings Entra writes.
		{`active eq false`, true},
		{`active eq "False"`, true},
		{`active eq true`, false},
		{`x-legacy eq true`, true},
		// Presence, null, not.
		{`title pr`, true},
		{`nickName pr`, false},
		{`roles pr`, false},
		{`nickName eq null`, true},
		{`title ne null`, true},
		{`title ne "Engineer"`, false},
		{`nickName ne "x"`, true},
		{`not (title eq "Engineer")`, false},
		{`not (title eq "Manager") and active eq false`, true},
		// Ordering: strings ignore case where the schema says so; dateTime
		// compares as time.
		{`title gt "engineer"`, false},
		{`title ge "ENGINEER"`, true},
		{`title lt "F"`, true},
		{`meta.lastModified gt "2026-03-04T00:00:00Z"`, true},
		{`meta.lastModified gt "2026-03-04T06:00:00+02:00"`, true},
		{`meta.created le "2026-01-02T03:04:05.000Z"`, true},
		// Unknown attributes are unassigned.
		{`favouriteColour eq "teal"`, false},
		{`favouriteColour pr`, false},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			f, err := New(tc.filter, rt)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := f.Match(r); got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewRejectsImpossibleComparisons(t *testing.T) {
	rt := scim.UserType()
	for _, tc := range []struct{ filter, fragment string }{
		{`active gt true`, "cannot be ordered"},
		{`active co "t"`, "active is a boolean and cannot be compared with co"},
		{`active eq "yes"`, "active is a boolean"},
		{`userName eq 5`, `quote the value: userName eq "5"`},
		{`userName co 5`, "co compares strings"},
		{`name eq "Jane"`, "name is complex; compare one of its sub-attributes, such as name.givenName"},
		{`name[givenName eq "Jane"]`, "name is not multi-valued"},
		{`userName.first eq "x"`, "userName has no sub-attributes"},
		{`emails[primary gt true]`, "cannot be ordered"},
		{`emails[primary eq "sometimes"]`, "primary is a boolean"},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			_, err := New(tc.filter, rt)
			var ce *CheckError
			if !errors.As(err, &ce) || !errors.Is(err, scim.ErrInvalidFilter) {
				t.Fatalf("New(%q) error = %v, want a *CheckError wrapping ErrInvalidFilter", tc.filter, err)
			}
			if !strings.Contains(err.Error(), tc.fragment) {
				t.Errorf("error %q does not mention %q", err, tc.fragment)
			}
		})
	}
}

func TestMatchGroupCaseInsensitiveDisplayName(t *testing.T) {
	r, err := scim.DecodeResource([]byte(`{"displayName":"Sales Team","members":[{"value":"u-1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for filter, want := range map[string]bool{
		`displayName eq "sales team"`:     true,
		`members[value eq "u-1"]`:         true,
		`members[value eq "U-1"]`:         false, // ids are caseExact
		`members.value eq "u-1"`:          true,
		`displayName eq "Sales"`:          false,
		`DISPLAYNAME EQ "SALES TEAM"`:     true,
		`members eq "u-1" and members pr`: true,
	} {
		f, err := New(filter, scim.GroupType())
		if err != nil {
			t.Fatalf("New(%s): %v", filter, err)
		}
		if got := f.Match(r); got != want {
			t.Errorf("Match(%s) = %v, want %v", filter, got, want)
		}
	}
}

func TestMatchWithoutSchema(t *testing.T) {
	r, err := scim.DecodeResource([]byte(user))
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(`userName eq "JANE.DOE@contoso.com" and emails[type eq "work"].value pr`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(r) {
		t.Errorf("a schema-less filter did not match case-insensitively")
	}
}
