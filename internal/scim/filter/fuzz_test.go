package filter

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// FuzzParse: no input panics; an error is a *SyntaxError pointing inside
// the input; a parsed filter renders to text that parses to the same tree;
// checking, matching and term extraction never panic. Seeds are in
// testdata/fuzz/FuzzParse, drawn from the filters of reference §2, §3.3,
// §8 and §9.3.
func FuzzParse(f *testing.F) {
	r, err := scim.DecodeResource([]byte(user))
	if err != nil {
		f.Fatal(err)
	}
	rt := scim.UserType()
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q) error %v is not a *SyntaxError inside the input", s, err)
			}
			return
		}
		again, err := Parse(e.String())
		if err != nil {
			t.Fatalf("Parse(%q) rendered as %q, which does not parse: %v", s, e.String(), err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("Parse(%q) rendered as %q, which parses to a different tree", s, e.String())
		}
		for _, rt := range []*scim.ResourceType{rt, nil} {
			fl, err := New(s, rt)
			if err != nil {
				if !errors.Is(err, scim.ErrInvalidFilter) {
					t.Fatalf("New(%q) error %v does not wrap ErrInvalidFilter", s, err)
				}
				continue
			}
			fl.Match(r)
			fl.Terms()
		}
	})
}

// FuzzParsePath: no input panics, and a parsed path renders to text that
// parses to the same path.
func FuzzParsePath(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			if !errors.Is(err, scim.ErrInvalidPath) {
				t.Fatalf("ParsePath(%q) error %v does not wrap ErrInvalidPath", s, err)
			}
			return
		}
		again, err := ParsePath(p.String())
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("ParsePath(%q) rendered as %q, which parses to %#v (%v)", s, p.String(), again, err)
		}
	})
}
