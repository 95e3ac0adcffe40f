package scim

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckContentType(t *testing.T) {
	for _, tc := range []struct {
		header string
		ok     bool
	}{
		{"application/scim+json; charset=utf-8", true}, // what Entra sends
		{"application/scim+json", true},
		{"application/json", true},
		{"application/json; charset=UTF-8", true},
		{"Application/SCIM+JSON;charset=\"utf-8\"", true},
		{"", false},
		{"text/plain", false},
		{"application/x-www-form-urlencoded", false},
		{"application/scim+json; charset=iso-8859-1", false},
		{"application/scim+json; charset", false},
	} {
		err := CheckContentType(tc.header)
		if (err == nil) != tc.ok {
			t.Errorf("CheckContentType(%q) = %v, want ok=%v", tc.header, err, tc.ok)
		}
		if err != nil && (!errors.Is(err, ErrUnsupportedMediaType) || ErrorFrom(err).Status != 415) {
			t.Errorf("CheckContentType(%q) = %v, want a 415", tc.header, err)
		}
	}
	if !IsSCIMMediaType("application/scim+json; charset=utf-8") || IsSCIMMediaType("application/json") {
		t.Errorf("IsSCIMMediaType is wrong")
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	if err := WriteError(w, fmt.Errorf("%w: Resource u-9 not found", ErrNotFound)); err != nil {
		t.Fatal(err)
	}
	if w.Code != 404 || w.Header().Get("Content-Type") != "application/scim+json; charset=utf-8" {
		t.Errorf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"resource not found: Resource u-9 not found"}`
	if got := strings.TrimSpace(w.Body.String()); got != want {
		t.Errorf("body = %s\nwant %s", got, want)
	}
	e, err := ParseError(w.Body.Bytes())
	if err != nil || e.Status != 404 || e.StatusNotString {
		t.Errorf("ParseError(our own body) = %+v, %v", e, err)
	}
}

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	if err := WriteJSON(w, 204, nil); err != nil || w.Code != 204 || w.Body.Len() != 0 {
		t.Errorf("204: code %d, body %q, err %v", w.Code, w.Body, err)
	}
	w = httptest.NewRecorder()
	if err := WriteJSON(w, 200, func() {}); err == nil || w.Code != 500 {
		t.Errorf("an unencodable value gave code %d, err %v", w.Code, err)
	}
}
