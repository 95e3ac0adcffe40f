package patch

import "fmt"

// OpError is a failed operation: which one, and why. It unwraps to the
// cause, which wraps one of the scim sentinels (scim.ErrInvalidPath,
// scim.ErrNoTarget, scim.ErrInvalidValue, scim.ErrMutability,
// scim.ErrInvalidSyntax), so scim.ErrorFrom gives the 400 and scimType.
type OpError struct {
	// Index is the operation's 0-based position in Operations.
	Index int
	// Op is the op as the client sent it ("Replace", "remove"...).
	Op string
	// Path is the operation's path, "" for a path-less operation.
	Path string
	// Err is the cause.
	Err error
}

// Error returns e.g. `Operations[1] (replace "emails[type eq \"work\"].value"):
// invalid value: emails[type eq "work"].value must be a string, got a number`.
func (e *OpError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("Operations[%d] (%s without a path): %v", e.Index, e.Op, e.Err)
	}
	return fmt.Sprintf("Operations[%d] (%s %q): %v", e.Index, e.Op, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }
