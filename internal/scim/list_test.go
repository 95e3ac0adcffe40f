package scim

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParsePage(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  Page
		err   string
	}{
		{"", Page{StartIndex: 1, Count: 100}, ""},
		{"startIndex=6&count=5", Page{StartIndex: 6, Count: 5}, ""},  // gallery pagination test
		{"startIndex=0&count=-3", Page{StartIndex: 1, Count: 0}, ""}, // RFC 7644 §3.4.2.4
		{"startIndex=-10", Page{StartIndex: 1, Count: 100}, ""},
		{"count=5000", Page{StartIndex: 1, Count: 200}, ""}, // the server's maximum
		{"StartIndex=3&COUNT=2", Page{StartIndex: 3, Count: 2}, ""},
		{"startIndex=abc", Page{}, `startIndex must be an integer (1 for the first result), got "abc"`},
		{"count=1.5", Page{}, `count must be an integer`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			got, err := ParsePage(q, 100, 200)
			if tc.err != "" {
				if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v, want invalidValue %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParsePage = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestPageWindow(t *testing.T) {
	for _, tc := range []struct {
		page          Page
		total, lo, hi int
	}{
		{Page{1, 5}, 12, 0, 5},
		{Page{6, 5}, 12, 5, 10},
		{Page{11, 5}, 12, 10, 12},
		{Page{20, 5}, 12, 12, 12},
		{Page{1, 0}, 12, 0, 0},
	} {
		if lo, hi := tc.page.Window(tc.total); lo != tc.lo || hi != tc.hi {
			t.Errorf("%+v.Window(%d) = [%d,%d), want [%d,%d)", tc.page, tc.total, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestListResponseJSON(t *testing.T) {
	data, err := json.Marshal(NewListResponse(0, Page{StartIndex: 1, Count: 20}, nil))
	if err != nil {
		t.Fatal(err)
	}
	// The Test Connection answer (reference §2.2): Resources is [], never null.
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`
	if string(data) != want {
		t.Errorf("Marshal = %s\nwant %s", data, want)
	}
	r := Resource{"id": "u-1", "userName": "a"}
	l := NewListResponse(7, Page{StartIndex: 3, Count: 1}, []Resource{r})
	data, _ = json.Marshal(l)
	back, err := ParseListResponse(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.TotalResults != 7 || back.StartIndex != 3 || back.ItemsPerPage != 1 || back.Resources[0].UserName() != "a" {
		t.Errorf("round trip = %+v", back)
	}
}

func TestParseListResponse(t *testing.T) {
	for _, tc := range []struct{ name, body, err string }{
		{"MS-DEV empty answer", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":20}`, ""},
		{"zero results without Resources", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0}`, ""},
		{"HTML", `<!doctype html>`, "not a JSON ListResponse object"},
		{"a bare user", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x"}`, "schemas does not list"},
		{"no totalResults", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[]}`, "totalResults is missing"},
		{"negative totalResults", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":-1}`, "totalResults must be a non-negative integer"},
		{"results but no Resources", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1}`, "Resources is missing"},
		{"a resource that is not an object", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":["u"]}`, "Resources[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseListResponse([]byte(tc.body))
			if tc.err == "" {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want ErrMalformedResponse mentioning %q", err, tc.err)
			}
		})
	}
}
