package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestErrorFrom(t *testing.T) {
	for _, tc := range []struct {
		err      error
		status   int
		scimType ErrorType
		detail   string
	}{
		{fmt.Errorf("%w: bad", ErrInvalidFilter), 400, TypeInvalidFilter, "invalid filter: bad"},
		{fmt.Errorf("wrapped: %w", fmt.Errorf("%w: userName taken", ErrUniqueness)), 409, TypeUniqueness, "wrapped: value already in use: userName taken"},
		{ErrMutability, 400, TypeMutability, "attribute cannot be modified"},
		{ErrInvalidSyntax, 400, TypeInvalidSyntax, "invalid request syntax"},
		{ErrInvalidPath, 400, TypeInvalidPath, "invalid path"},
		{ErrNoTarget, 400, TypeNoTarget, "no target"},
		{ErrInvalidValue, 400, TypeInvalidValue, "invalid value"},
		{ErrTooMany, 400, TypeTooMany, "too many results"},
		{ErrInvalidVersion, 400, TypeInvalidVersion, "unsupported SCIM version"},
		{ErrSensitive, 403, TypeSensitive, "sensitive information in request"},
		{fmt.Errorf("%w: Resource 23B5 not found", ErrNotFound), 404, "", "resource not found: Resource 23B5 not found"},
		{ErrUnsupportedMediaType, 415, "", "unsupported media type"},
		{NewError(401, "", "Unauthorized"), 401, "", "Unauthorized"},
		{errors.New("database is locked at /secret/path"), 500, "", "internal server error"},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			e := ErrorFrom(tc.err)
			if e.Status != tc.status || e.ScimType != tc.scimType || e.Detail != tc.detail {
				t.Errorf("ErrorFrom = %d %q %q, want %d %q %q", e.Status, e.ScimType, e.Detail, tc.status, tc.scimType, tc.detail)
			}
		})
	}
	if ErrorFrom(nil) != nil {
		t.Errorf("ErrorFrom(nil) is not nil")
	}
}

func TestErrorJSON(t *testing.T) {
	data, err := json.Marshal(NewError(404, "", "Resource 23B51B0E5D7AE9110A49411D@7cca31655d49f3640a494224 not found"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"Resource 23B51B0E5D7AE9110A49411D@7cca31655d49f3640a494224 not found"}`
	if string(data) != want {
		t.Errorf("Marshal = %s\nwant %s", data, want)
	}
	data, _ = json.Marshal(NewError(409, TypeUniqueness, "userName is taken"))
	if want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName is taken"}`; string(data) != want {
		t.Errorf("Marshal = %s\nwant %s", data, want)
	}
}

func TestParseError(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       *Error
		wantErr    bool
	}{
		{"RFC form", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}`,
			&Error{Status: 409, ScimType: TypeUniqueness, Detail: "taken"}, false},
		{"numeric status (QA-1185756 servers)", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":409,"detail":"User must be Active."}`,
			&Error{Status: 409, Detail: "User must be Active.", StatusNotString: true}, false},
		{"no Error schema", `{"status":"401","detail":"Unauthorized"}`, &Error{Status: 401, Detail: "Unauthorized"}, true},
		{"vCenter 401 body (KB 430118)", `{"errors":[{"code":"401","message":"Unauthorized"}]}`, nil, true},
		{"HTML", `<html>406</html>`, nil, true},
		{"status out of range", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"42"}`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseError([]byte(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("error %v does not wrap ErrMalformedResponse", err)
			}
			if tc.want != nil && (got == nil || *got != *tc.want) {
				t.Errorf("ParseError = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestErrorIs(t *testing.T) {
	e := &Error{Status: http.StatusConflict, ScimType: TypeUniqueness}
	if !errors.Is(e, ErrUniqueness) || errors.Is(e, ErrInvalidValue) {
		t.Errorf("a received 409 uniqueness does not match ErrUniqueness alone")
	}
	if !errors.Is(&Error{Status: 404}, ErrNotFound) {
		t.Errorf("a received 404 does not match ErrNotFound")
	}
}
