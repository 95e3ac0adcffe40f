package scim

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeJSONRefusesWhatItCannotKeepFaithfully(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       error
		fragments  []string
	}{
		{"duplicate name", `{"userName":"a","userName":"b"}`, ErrInvalidSyntax, []string{`"userName" appears twice`, "send it once"}},
		{"nested duplicate", `{"name":{"givenName":"a","familyName":"x","givenName":"b"}}`, ErrInvalidSyntax, []string{`"givenName" appears twice in "name"`}},
		{"duplicate inside an array element", `{"emails":[{"value":"a"},{"value":"b","value":"c"}]}`, ErrInvalidSyntax, []string{`"value" appears twice in "emails"`}},
		{"duplicate spelled with an escape", `{"userName":"a","user\u004eame":"b"}`, ErrInvalidSyntax, []string{`"userName" appears twice`}},
		{"invalid UTF-8", "{\"userName\":\"bj\xf6rn@contoso.com\"}", ErrInvalidValue, []string{`"userName"`, "not UTF-8", "byte 15"}},
		{"invalid UTF-8 deeper", "{\"name\":{\"givenName\":\"\xc3\"}}", ErrInvalidValue, []string{`"name.givenName"`, "not UTF-8"}},
		{"invalid UTF-8 in a name", "{\"user\xffName\":\"a\"}", ErrInvalidValue, []string{"a name of the body", "not UTF-8"}},
		{"lone high surrogate", `{"userName":"a\ud800@contoso.com"}`, ErrInvalidValue, []string{`"userName"`, `\uD800`, "surrogate"}},
		{"lone low surrogate", `{"userName":"\udc00"}`, ErrInvalidValue, []string{`\uDC00`}},
		{"high surrogate then a non-surrogate escape", `{"userName":"\ud83d\u0041"}`, ErrInvalidValue, []string{`\uD83D`}},
		{"high surrogate at the end", `{"userName":"\ud83d"}`, ErrInvalidValue, []string{`\uD83D`}},
		{"swapped pair", `{"displayName":"\ude00\ud83d"}`, ErrInvalidValue, []string{`"displayName"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeJSON([]byte(tc.body))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			for _, f := range tc.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q lacks %q", err, f)
				}
			}
		})
	}
	for _, ok := range []string{
		`{"userName":"\ud83d\ude00 ok","displayName":"😀","a":[1,true,null,{"b":"c"}],"e":"\"\\\/\b\f\n\r\t"}`,
		`{"a":{"x":1},"b":{"x":2}}`, // the same name in two objects
		`"just a string"`,
		`[{"value":"a"},{"value":"a"}]`,
		"{\"userName\":\"Jos\u00e9\"}",
	} {
		if _, err := DecodeJSON([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestCheckUserName(t *testing.T) {
	for _, tc := range []struct {
		name, userName, fragment string
	}{
		{"blank", "  ", "must not be blank"},
		{"NUL", "adele\x00@contoso.com", "U+0000"},
		{"newline", "adele\n@contoso.com", "U+000A"},
		{"DEL", "adele\x7f", "U+007F"},
		{"C1 control", "adele\u0085", "U+0085"},
		{"replacement character", "bj\ufffdrn@contoso.com", "U+FFFD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckUserName(tc.userName)
			if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), tc.fragment) {
				t.Errorf("err = %v, want invalidValue mentioning %q", err, tc.fragment)
			}
		})
	}
	for _, ok := range []string{"adele@contoso.com", "Jos\u00e9@contoso.com", "Jose\u0301@contoso.com", "李@contoso.com", "o'brien@contoso.com"} {
		if err := CheckUserName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
