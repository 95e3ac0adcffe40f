package patch

import (
	"encoding/json"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
)

const enterprise = scim.SchemaEnterpriseUser

type applyCase struct {
	name    string
	group   bool // apply to storedGroup with the Group type
	body    string
	want    func(r scim.Resource) // edits to the stored document; nil means unchanged
	changed bool
}

func runApply(t *testing.T, cases []applyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base, rt := storedUser, scim.UserType()
			if tc.group {
				base, rt = storedGroup, scim.GroupType()
			}
			in := doc(t, base)
			got, changed, err := ApplyJSON(rt, in, []byte(tc.body))
			if err != nil {
				t.Fatalf("ApplyJSON: %v", err)
			}
			want := doc(t, base)
			if tc.want != nil {
				tc.want(want)
			}
			assertDoc(t, got, want)
			if changed != tc.changed {
				t.Errorf("changed = %v, want %v", changed, tc.changed)
			}
			assertDoc(t, in, doc(t, base)) // the input is never modified
		})
	}
}

// TestApplyEntraUpdate applies the update bodies of reference §4.4 exactly
// as Microsoft documents them, without and with aadOptscim062020.
func TestApplyEntraUpdate(t *testing.T) {
	runApply(t, []applyCase{{
		name: "default dialect (MS-COMPAT, exact)",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Replace","path":"displayName","value":"Pvlo"},
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"TestBcwqnm@test.microsoft.com"},
			{"op":"Replace","path":"name.givenName","value":"Gtfd"},
			{"op":"Replace","path":"name.familyName","value":"Pkqf"},
			{"op":"Replace","path":"externalId","value":"Eqpj"},
			{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj"}]}`,
		want: func(r scim.Resource) {
			r["displayName"] = "Pvlo"
			r["emails"].([]any)[0].(map[string]any)["value"] = "TestBcwqnm@test.microsoft.com"
			obj(r, "name")["givenName"] = "Gtfd"
			obj(r, "name")["familyName"] = "Pkqf"
			r["externalId"] = "Eqpj"
			r[enterprise] = map[string]any{"employeeNumber": "Eqpj"}
		},
		changed: true,
	}, {
		name: "aadOptscim062020 dialect (MS-COMPAT, exact)",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
			{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}`,
		want: func(r scim.Resource) {
			r["displayName"] = "Bjfe"
			r["emails"].([]any)[0].(map[string]any)["value"] = "TestMhvaes@test.microsoft.com"
			obj(r, "name")["givenName"] = "Kkom"
			obj(r, "name")["familyName"] = "Unua"
			r[enterprise] = map[string]any{"employeeNumber": "Aklq"}
		},
		changed: true,
	}, {
		name: "mixed Replace and Add with value-path create-on-absent (laravel-scim-server #34)",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"AdeleV2@REDACTED.onmicrosoft.com"},{"op":"Replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"},{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Retail"}]}`,
		want: func(r scim.Resource) {
			r["emails"].([]any)[0].(map[string]any)["value"] = "AdeleV2@REDACTED.onmicrosoft.com"
			r["addresses"] = []any{map[string]any{"type": "work", "formatted": "18/2111"}}
			r[enterprise] = map[string]any{"department": "Retail"}
		},
		changed: true,
	}, {
		name:    "single-valued Add without flag (MS-COMPAT nickName)",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op": "Add", "path": "nickName", "value": "Babs"}]}`,
		want:    func(r scim.Resource) { r["nickName"] = "Babs" },
		changed: true,
	}, {
		name: "path-less add with dotted keys (scim-patch #132)",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"name.givenName":"John","name.familyName":"Doe","name.formatted":"John Doe"}}]}`,
		want: func(r scim.Resource) {
			r["name"] = map[string]any{"givenName": "John", "familyName": "Doe", "formatted": "John Doe"}
		},
		changed: true,
	}, {
		name: "path-less replace with nested objects and an extension object",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{
			"name":{"givenName":"Ann"},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"7"}}}]}`,
		want: func(r scim.Resource) {
			obj(r, "name")["givenName"] = "Ann"
			r[enterprise] = map[string]any{"department": "Sales", "employeeNumber": "7"}
		},
		changed: true,
	}, {
		name: "work phone and mobile created on absent",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"+1 425 555 0100"},
			{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 425 555 0101"}]}`,
		want: func(r scim.Resource) {
			r["phoneNumbers"] = []any{
				map[string]any{"type": "work", "value": "+1 425 555 0100"},
				map[string]any{"type": "mobile", "value": "+1 425 555 0101"},
			}
		},
		changed: true,
	}, {
		name: "roles added with stringified JSON value (MS-MAP)",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}]}`,
		want: func(r scim.Resource) {
			r["roles"] = []any{map[string]any{"value": `{"id":"06b07648","value":"25","displayName":"Role1234"}`}}
		},
		changed: true,
	}, {
		name: "replacing a value with itself changes nothing",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Jane Doe"}]}`,
	}})
}

// TestApplyActive covers the disable and re-enable bodies of reference
// §4.6 in both dialects and the lower-case strings admins produce.
func TestApplyActive(t *testing.T) {
	disabled := func(r scim.Resource) { r["active"] = false }
	reenabled := func(r scim.Resource) {}
	var cases []applyCase
	for _, c := range []struct {
		name, op, value string
		want            func(scim.Resource)
		changed         bool
	}{
		{"disable, default dialect", "Replace", `"False"`, disabled, true},
		{"disable, aadOptscim062020", "replace", `false`, disabled, true},
		{"disable, MS-DEV mixed form", "Replace", `false`, disabled, true},
		{"disable, lower-case string (scimmy #86)", "Replace", `"false"`, disabled, true},
		{"disable, upper-case string", "REPLACE", `"FALSE"`, disabled, true},
		{"re-enable, default dialect", "Replace", `"True"`, reenabled, false},
		{"re-enable, aadOptscim062020", "replace", `true`, reenabled, false},
	} {
		cases = append(cases, applyCase{
			name:    c.name,
			body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"` + c.op + `","path":"active","value":` + c.value + `}]}`,
			want:    c.want,
			changed: c.changed,
		})
	}
	runApply(t, cases)
}

// TestApplyDialectsAgree sends the same change in both dialects and expects
// the same document.
func TestApplyDialectsAgree(t *testing.T) {
	pairs := []struct{ name, dflt, flag string }{{
		name: "update",
		dflt: `[{"op":"Replace","path":"displayName","value":"X"},
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"x@example.com"},
			{"op":"Replace","path":"name.givenName","value":"G"},
			{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"D"}]`,
		flag: `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"},
			{"op":"replace","value":{"displayName":"X","name.givenName":"G",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"D"}}]`,
	}, {
		name: "disable",
		dflt: `[{"op":"Replace","path":"active","value":"False"}]`,
		flag: `[{"op":"replace","path":"active","value":false}]`,
	}, {
		name: "manager set",
		dflt: `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"}]`,
		flag: `[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2"}}]`,
	}}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			var got []scim.Resource
			for _, ops := range []string{p.dflt, p.flag} {
				r, _, err := ApplyJSON(scim.UserType(), doc(t, storedUser), []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`))
				if err != nil {
					t.Fatalf("ApplyJSON(%s): %v", ops, err)
				}
				got = append(got, r)
			}
			assertDoc(t, got[1], got[0])
		})
	}
}

func TestApplyManager(t *testing.T) {
	withManager := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m-1"}]}`
	runApply(t, []applyCase{{
		name:    "bare id string (SCIM-SDK #686)",
		body:    withManager,
		want:    func(r scim.Resource) { r[enterprise] = map[string]any{"manager": map[string]any{"value": "m-1"}} },
		changed: true,
	}, {
		name: "legacy MS-DEV example 5: unqualified path, array value",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"http://example.com/scim/Users/m-2","value":"m-2"}]}]}`,
		want: func(r scim.Resource) {
			r[enterprise] = map[string]any{"manager": map[string]any{"value": "m-2", "$ref": "http://example.com/scim/Users/m-2"}}
		},
		changed: true,
	}, {
		name:    "bare string inside a path-less extension object (directory-scimple #1242)",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m-3"}}}]}`,
		want:    func(r scim.Resource) { r[enterprise] = map[string]any{"manager": map[string]any{"value": "m-3"}} },
		changed: true,
	}})

	// Replace, then remove with an empty value, as the SCIM Validator does.
	rt := scim.UserType()
	r, _, err := ApplyJSON(rt, doc(t, storedUser), []byte(withManager))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"replace with object", `{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m-9"}}`, "m-9"},
		{"replace with empty value object clears", `{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":""}}`, ""},
		{"replace with empty string clears", `{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}`, ""},
		{"remove clears", `{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}`, ""},
		{"replace manager.value", `{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m-8"}`, "m-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := ApplyJSON(rt, r, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+tc.body+`]}`))
			if err != nil {
				t.Fatal(err)
			}
			if got.ManagerID() != tc.want {
				t.Errorf("manager = %q, want %q in %s", got.ManagerID(), tc.want, pretty(got))
			}
			if tc.want == "" {
				if _, ok := got[enterprise]; ok {
					t.Errorf("an empty enterprise extension was left behind: %s", pretty(got))
				}
			}
		})
	}
}

func TestApplyGroupMembers(t *testing.T) {
	members := func(ids ...string) func(r scim.Resource) {
		return func(r scim.Resource) {
			var list []any
			for _, m := range r["members"].([]any) {
				for _, id := range ids {
					if m.(map[string]any)["value"] == id {
						list = append(list, m)
					}
				}
			}
			for _, id := range ids {
				if id == "u-3" || id == "u-4" {
					list = append(list, map[string]any{"value": id})
				}
			}
			if list == nil {
				delete(r, "members")
			} else {
				r["members"] = list
			}
		}
	}
	runApply(t, []applyCase{{
		name: "add with $ref null (MS-DEV)", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u-3"}]}]}`,
		want:    members("u-1", "u-2", "u-3"),
		changed: true,
	}, {
		name: "add several in one operation", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u-3"},{"value":"u-4"}]}]}`,
		want:    members("u-1", "u-2", "u-3", "u-4"),
		changed: true,
	}, {
		name: "adding a member already present changes nothing", group: true,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u-2"}]}]}`,
	}, {
		name: "remove, default dialect (value array)", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"u-1"}]}]}`,
		want:    members("u-2"),
		changed: true,
	}, {
		name: "remove, default dialect with $ref null", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u-2"}]}]}`,
		want:    members("u-1"),
		changed: true,
	}, {
		name: "remove, aadOptscim062020 (value filter)", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"u-1\"]"}]}`,
		want:    members("u-2"),
		changed: true,
	}, {
		name: "remove all members", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members"}]}`,
		want:    members(),
		changed: true,
	}, {
		name: "remove a member that is not there changes nothing", group: true,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"nobody\"]"}]}`,
	}, {
		name: "add and remove in one request (validator preview)", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u-3"}]},{"op":"remove","path":"members[value eq \"u-3\"]"}]}`,
		changed: false,
	}, {
		name: "rename (reference §8 step 4)", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Eng"}]}`,
		want:    func(r scim.Resource) { r["displayName"] = "Eng" },
		changed: true,
	}, {
		name: "replace members wholesale (validator)", group: true,
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[{"value":"u-4"}]}]}`,
		want:    func(r scim.Resource) { r["members"] = []any{map[string]any{"value": "u-4"}} },
		changed: true,
	}})
}

func TestApplyRFCShapes(t *testing.T) {
	runApply(t, []applyCase{{
		name:    "remove of an absent attribute is a no-op",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"title"},{"op":"remove","path":"emails[type eq \"home\"]"},{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}]}`,
		changed: false,
	}, {
		name:    "remove a work e-mail address drops the entry",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"emails[type eq \"work\"].value"}]}`,
		want:    func(r scim.Resource) { delete(r, "emails") },
		changed: true,
	}, {
		name:    "remove a sub-attribute",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"name.formatted"}]}`,
		want:    func(r scim.Resource) { delete(obj(r, "name"), "formatted") },
		changed: true,
	}, {
		name: "\"\" then null clear attributes (gallery SCIM_Null_Update)",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":""},{"op":"replace","path":"name.givenName","value":null},{"op":"replace","value":{"name.familyName":""}}]}`,
		want: func(r scim.Resource) {
			delete(r, "displayName")
			delete(obj(r, "name"), "givenName")
			delete(obj(r, "name"), "familyName")
		},
		changed: true,
	}, {
		name: "a new primary e-mail demotes the old one (RFC 7643 §2.4)",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":[{"type":"home","value":"h@example.com","primary":"True"}]}]}`,
		want: func(r scim.Resource) {
			r["emails"].([]any)[0].(map[string]any)["primary"] = false
			r["emails"] = append(r["emails"].([]any), map[string]any{"type": "home", "value": "h@example.com", "primary": true})
		},
		changed: true,
	}, {
		name: "a value path as a path-less key; clearing one address line keeps the rest",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"replace","value":{"addresses[type eq \"work\"].streetAddress":"1 Main St","addresses[type eq \"work\"].formatted":"1 Main St, Springfield"}},
			{"op":"remove","path":"addresses[type eq \"work\"].formatted"}]}`,
		want: func(r scim.Resource) {
			r["addresses"] = []any{map[string]any{"type": "work", "streetAddress": "1 Main St"}}
		},
		changed: true,
	}, {
		name:    "replace a whole matching element merges its sub-attributes",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"w@example.com"}}]}`,
		want:    func(r scim.Resource) { r["emails"].([]any)[0].(map[string]any)["value"] = "w@example.com" },
		changed: true,
	}, {
		name:    "replace without a path replaces a multi-valued attribute",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"emails":[{"type":"work","value":"n@example.com"}]}}]}`,
		want:    func(r scim.Resource) { r["emails"] = []any{map[string]any{"type": "work", "value": "n@example.com"}} },
		changed: true,
	}, {
		name:    "meta and schemas in a value are ignored; id equal to the stored one is accepted",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp","urn:example:unknown"],"Operations":[{"op":"replace","value":{"id":"u-1","meta":{"resourceType":"Nope"},"schemas":["x"],"title":"CTO"}},{"op":"replace","path":"meta.lastModified","value":"2030-01-01T00:00:00Z"}]}`,
		want:    func(r scim.Resource) { r["title"] = "CTO" },
		changed: true,
	}, {
		name:    "an explicit extension path creates the extension object",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"costCenter":"42"}}]}`,
		want:    func(r scim.Resource) { r[enterprise] = map[string]any{"costCenter": "42"} },
		changed: true,
	}, {
		name: "unknown attributes and custom extensions are stored as sent",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:custom:2.0:User":{"badge":7,"floor":null}}},{"op":"add","path":"favouriteColour","value":"teal"},{"op":"add","path":"urn:ietf:params:scim:schemas:extension:custom:2.0:User:desk","value":"4.12"}]}`,
		want: func(r scim.Resource) {
			r["urn:ietf:params:scim:schemas:extension:custom:2.0:User"] = map[string]any{"badge": json.Number("7"), "desk": "4.12"}
			r["favouriteColour"] = "teal"
		},
		changed: true,
	}})
}

// TestApplyCaseInsensitiveNames: attribute names, sub-attributes, filter
// attributes and filter values of caseExact=false attributes ignore case;
// stored names keep their case and new ones take the client's.
func TestApplyCaseInsensitiveNames(t *testing.T) {
	runApply(t, []applyCase{{
		name:    "existing attribute keeps its stored name",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"REPLACE","path":"DISPLAYNAME","value":"J"},{"op":"Replace","path":"Name.GivenName","value":"G"}]}`,
		want:    func(r scim.Resource) { r["displayName"] = "J"; obj(r, "name")["givenName"] = "G" },
		changed: true,
	}, {
		name:    "new attribute takes the client's case",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"NickName","value":"JD"}]}`,
		want:    func(r scim.Resource) { r["NickName"] = "JD" },
		changed: true,
	}, {
		name:    "filter attribute and value ignore case",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"Emails[Type eq \"WORK\"].Value","value":"c@example.com"}]}`,
		want:    func(r scim.Resource) { r["emails"].([]any)[0].(map[string]any)["value"] = "c@example.com" },
		changed: true,
	}, {
		name:    "path-less keys ignore case",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"NAME.GIVENNAME":"K","Active":"False"}}]}`,
		want:    func(r scim.Resource) { obj(r, "name")["givenName"] = "K"; r["active"] = false },
		changed: true,
	}, {
		name:    "extension URN ignores case",
		body:    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Department","value":"Ops"}]}`,
		want:    func(r scim.Resource) { r[enterprise] = map[string]any{"Department": "Ops"} },
		changed: true,
	}})
}

// TestApplySchemasListsCreatedExtension: a user created without the
// enterprise URN in schemas gets it when PATCH creates the extension.
func TestApplySchemasListsCreatedExtension(t *testing.T) {
	in := doc(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u","userName":"a"}`)
	got, _, err := ApplyJSON(scim.UserType(), in, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"R"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasSchema(enterprise) {
		t.Errorf("schemas = %v, want it to list %s", got.Schemas(), enterprise)
	}
}

func TestApplyErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		group     bool
		ops       string
		scimType  scim.ErrorType
		fragments []string
	}{
		{"replace id", false, `[{"op":"replace","path":"id","value":"other"}]`, scim.TypeMutability, []string{"Operations[0]", `"id"`, "cannot be changed"}},
		{"remove id", false, `[{"op":"Remove","path":"id"}]`, scim.TypeMutability, []string{"Operations[0]"}},
		{"id in a path-less value", false, `[{"op":"replace","value":{"id":"other"}}]`, scim.TypeMutability, []string{"without a path"}},
		{"groups is read-only", false, `[{"op":"add","path":"groups","value":[{"value":"g"}]}]`, scim.TypeMutability, []string{"groups is read-only"}},
		{"remove without a path", false, `[{"op":"Remove"}]`, scim.TypeNoTarget, []string{"Operations[0] (Remove without a path)", "needs a path"}},
		{"unclosed filter", false, `[{"op":"Replace","path":"emails[type eq \"work\"","value":"x"}]`, scim.TypeInvalidPath, []string{"Operations[0]", "never closed", "character 7"}},
		{"path too deep", false, `[{"op":"Replace","path":"name.givenName.first","value":"x"}]`, scim.TypeInvalidPath, []string{"more than one sub-attribute"}},
		{"sub-attribute of a simple attribute", false, `[{"op":"Replace","path":"displayName.first","value":"x"}]`, scim.TypeInvalidPath, []string{"displayName has no sub-attributes"}},
		{"filter on a single-valued attribute", false, `[{"op":"Replace","path":"name[givenName eq \"a\"].familyName","value":"x"}]`, scim.TypeInvalidPath, []string{"not multi-valued"}},
		{"bad filter in a path-less key", false, `[{"op":"replace","value":{"name..givenName":"x"}}]`, scim.TypeInvalidPath, []string{`value key "name..givenName"`}},
		{"active not a boolean", false, `[{"op":"Replace","path":"active","value":"maybe"}]`, scim.TypeInvalidValue, []string{"Operations[0]", "active must be a boolean", `"maybe"`}},
		{"title as a number", false, `[{"op":"add","path":"title","value":5}]`, scim.TypeInvalidValue, []string{"title must be a string, got a number"}},
		{"name as a string", false, `[{"op":"add","path":"name","value":"Jane"}]`, scim.TypeInvalidValue, []string{"name is complex"}},
		{"path-less value not an object", false, `[{"op":"replace","value":"x"}]`, scim.TypeInvalidValue, []string{"needs a value object"}},
		{"add without a value", false, `[{"op":"add","path":"title"}]`, scim.TypeInvalidValue, []string{"add needs a value"}},
		{"removing userName", false, `[{"op":"remove","path":"userName"}]`, scim.TypeInvalidValue, []string{"userName is required"}},
		{"clearing a group's displayName", true, `[{"op":"replace","path":"displayName","value":""}]`, scim.TypeInvalidValue, []string{"displayName is required"}},
		{"no match for a filter the server cannot build from", false, `[{"op":"replace","path":"emails[type eq \"work\" or type eq \"home\"].display","value":"x"},{"op":"replace","path":"emails[value sw \"nobody\"].type","value":"x"}]`, scim.TypeNoTarget, []string{"Operations[1]", "no element of emails matches"}},
		{"the second operation fails", false, `[{"op":"replace","path":"title","value":"ok"},{"op":"Replace","path":"active","value":1}]`, scim.TypeInvalidValue, []string{"Operations[1] (Replace \"active\")"}},
		{"remove member with an empty value", true, `[{"op":"remove","path":"members","value":[{}]}]`, scim.TypeInvalidValue, []string{"names nothing to remove"}},
		{"the core schema URN as a path", false, `[{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:User","value":{"title":"x"}}]`, scim.TypeInvalidPath, []string{"is the core schema"}},
		{"ordering comparison on a boolean in a path", false, `[{"op":"replace","path":"emails[primary gt true].value","value":"x"}]`, scim.TypeInvalidPath, []string{"cannot be ordered"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, rt := storedUser, scim.UserType()
			if tc.group {
				base, rt = storedGroup, scim.GroupType()
			}
			in := doc(t, base)
			got, changed, err := ApplyJSON(rt, in, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+tc.ops+`}`))
			assertSCIMError(t, err, tc.scimType, tc.fragments...)
			if got != nil || changed {
				t.Errorf("a failed PATCH returned a resource (changed=%v)", changed)
			}
			assertDoc(t, in, doc(t, base))
		})
	}
}

func TestApplyIsAllOrNothing(t *testing.T) {
	in := doc(t, storedUser)
	ops := `[{"op":"replace","path":"displayName","value":"Changed"},
		{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"New"},
		{"op":"add","path":"emails","value":[{"type":"home","value":"h@example.com"}]},
		{"op":"remove","path":"name.givenName"},
		{"op":"replace","path":"id","value":"stolen"}]`
	_, _, err := ApplyJSON(scim.UserType(), in, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`))
	assertSCIMError(t, err, scim.TypeMutability, "Operations[4]")
	assertDoc(t, in, doc(t, storedUser))
}

// TestApplyDoesNotAlias: the result shares nothing with the request, so a
// caller reusing its value maps cannot change a stored resource.
func TestApplyDoesNotAlias(t *testing.T) {
	value := map[string]any{"givenName": "A"}
	req := scim.NewPatchOp(scim.Operation{Op: "replace", Path: "name", Value: value})
	got, _, err := Apply(scim.UserType(), doc(t, storedUser), req)
	if err != nil {
		t.Fatal(err)
	}
	value["givenName"] = "changed later"
	if g := obj(got, "name")["givenName"]; g != "A" {
		t.Errorf("givenName = %v after the caller changed its request value", g)
	}
}

func TestApplyInvalidOpKind(t *testing.T) {
	req := scim.NewPatchOp(scim.Operation{Op: "Update", Path: "title", Value: "x"})
	_, _, err := Apply(scim.UserType(), doc(t, storedUser), req)
	assertSCIMError(t, err, scim.TypeInvalidSyntax, `op "Update"`)
}

func TestApplyWithoutSchema(t *testing.T) {
	got, changed, err := ApplyJSON(nil, doc(t, `{"a":{"b":1},"list":[{"k":"x"}]}`), []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"a.c","value":2},{"op":"replace","path":"list[k eq \"X\"].v","value":true}]}`))
	if err != nil || !changed {
		t.Fatalf("ApplyJSON(nil schema) = %v, %v", changed, err)
	}
	assertDoc(t, got, doc(t, `{"a":{"b":1,"c":2},"list":[{"k":"x","v":true}]}`))
}
