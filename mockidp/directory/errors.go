package directory

import "errors"

// ErrInvalid marks a value the Entra portal would refuse. Every validation
// error wraps it through a *FieldError that names the field as the portal
// labels it.
var ErrInvalid = errors.New("invalid value")

// ErrNotFound means the tenant, user, group, application or certificate
// asked for does not exist (or exists only as a hard-deleted tombstone).
var ErrNotFound = errors.New("not found")

// ErrNoTenant means the directory holds no tenant yet: call CreateTenant or
// Seed first.
var ErrNoTenant = errors.New("the directory has no tenant yet")

// ErrTenantExists means CreateTenant was called on a directory that already
// holds a tenant; a directory holds exactly one.
var ErrTenantExists = errors.New("the directory already holds a tenant")

// ErrConflict means a value that must be unique in the tenant is already
// taken, such as a user principal name or an application Identifier.
var ErrConflict = errors.New("already in use")

// ErrWrongState means the object exists but is not in a state that allows
// the operation, e.g. restoring a user who is not in Deleted users, or
// deleting the active signing certificate.
var ErrWrongState = errors.New("not allowed in the object's current state")

// ErrBadPassword means the password given for a user did not match. Callers
// show Entra's AADSTS50126 wording; the error never carries the password.
var ErrBadPassword = errors.New("the password is incorrect")

// FieldError says which field, as the Entra admin center labels it, holds a
// value it would refuse, and what to do about it. It wraps ErrInvalid, or
// ErrConflict when the value is taken by another object.
type FieldError struct {
	// Field is the portal's label, e.g. "Reply URL (Assertion Consumer Service URL)".
	Field string
	// Problem says what is wrong with the value and how to fix it.
	Problem string
	// kind is ErrInvalid or ErrConflict.
	kind error
}

// Error reads "<Field>: <Problem>".
func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Unwrap lets errors.Is find ErrInvalid or ErrConflict.
func (e *FieldError) Unwrap() error {
	if e.kind == nil {
		return ErrInvalid
	}
	return e.kind
}

func invalid(field, problem string) *FieldError {
	return &FieldError{Field: field, Problem: problem, kind: ErrInvalid}
}

func conflict(field, problem string) *FieldError {
	return &FieldError{Field: field, Problem: problem, kind: ErrConflict}
}
