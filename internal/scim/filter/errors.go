package filter

import (
	"fmt"
	"unicode/utf8"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// SyntaxError is a filter or path that could not be parsed. It unwraps to
// scim.ErrInvalidFilter (a filter) or scim.ErrInvalidPath (a PATCH path),
// so scim.ErrorFrom makes it a 400 with the right scimType.
type SyntaxError struct {
	// Input is the text that was parsed.
	Input string
	// Offset is the byte offset of the problem in Input.
	Offset int
	// Msg says what was expected and what was found.
	Msg string
	// Kind is scim.ErrInvalidFilter or scim.ErrInvalidPath.
	Kind error
}

// Error returns e.g. `invalid filter: expected a value after "eq" but the
// filter ends (at character 12 of "userName eq")`.
func (e *SyntaxError) Error() string {
	in := e.Input
	if len(in) > 200 {
		in = in[:200] + "..."
	}
	col := utf8.RuneCountInString(e.Input[:min(e.Offset, len(e.Input))]) + 1
	return fmt.Sprintf("%v: %s (at character %d of %q)", e.Kind, e.Msg, col, in)
}

// Unwrap returns Kind.
func (e *SyntaxError) Unwrap() error { return e.Kind }

// CheckError is a filter that parses but asks for something the
// attributes cannot do, such as "active gt true". It unwraps to
// scim.ErrInvalidFilter.
type CheckError struct {
	// Expr is the offending part of the filter, rendered.
	Expr string
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error returns e.g. `invalid filter: active is a boolean and cannot be
// compared with gt (in "active gt true")`.
func (e *CheckError) Error() string {
	return fmt.Sprintf("%v: %s (in %q)", scim.ErrInvalidFilter, e.Msg, e.Expr)
}

// Unwrap returns scim.ErrInvalidFilter.
func (e *CheckError) Unwrap() error { return scim.ErrInvalidFilter }
