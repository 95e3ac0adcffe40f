package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Sentinel errors. Each error this package and its subpackages return wraps
// exactly one of them, so a server can turn any failure into the SCIM Error
// body with ErrorFrom, and a client can test a parsed Error with errors.Is.
var (
	// ErrInvalidFilter means a filter could not be parsed or asks for a
	// comparison the attribute cannot make (400 invalidFilter).
	ErrInvalidFilter = errors.New("invalid filter")
	// ErrTooMany means a query would return more results than the server
	// is willing to process (400 tooMany).
	ErrTooMany = errors.New("too many results")
	// ErrUniqueness means a value that must be unique is already taken,
	// such as a second user with the same userName (409 uniqueness).
	ErrUniqueness = errors.New("value already in use")
	// ErrMutability means a request tried to change an attribute that is
	// read-only or immutable, such as id (400 mutability).
	ErrMutability = errors.New("attribute cannot be modified")
	// ErrInvalidSyntax means a request body is not valid JSON or not the
	// SCIM message it should be (400 invalidSyntax).
	ErrInvalidSyntax = errors.New("invalid request syntax")
	// ErrInvalidPath means a PATCH path is malformed or names something
	// that cannot be addressed (400 invalidPath).
	ErrInvalidPath = errors.New("invalid path")
	// ErrNoTarget means a PATCH path matched nothing where something was
	// required (400 noTarget).
	ErrNoTarget = errors.New("no target")
	// ErrInvalidValue means a value is missing or has the wrong type for its
	// attribute (400 invalidValue).
	ErrInvalidValue = errors.New("invalid value")
	// ErrInvalidVersion means the request asked for a SCIM version the
	// server does not speak (400 invalidVers).
	ErrInvalidVersion = errors.New("unsupported SCIM version")
	// ErrSensitive means the request carried information that must not be
	// sent that way, such as a password in a query string (403 sensitive).
	ErrSensitive = errors.New("sensitive information in request")
	// ErrNotFound means the addressed resource does not exist (404).
	ErrNotFound = errors.New("resource not found")
	// ErrUnsupportedMediaType means a request body is neither
	// application/scim+json nor application/json in UTF-8 (415).
	ErrUnsupportedMediaType = errors.New("unsupported media type")
	// ErrMalformedResponse means a SCIM server answered with a body that is
	// not the SCIM message expected (a client-side failure, like Entra's
	// SystemForCrossDomainIdentityManagementServiceIncompatible).
	ErrMalformedResponse = errors.New("malformed SCIM response")
)

// ErrorType is the scimType of an Error (RFC 7644 §3.12, table 9).
type ErrorType string

// The scimType values of RFC 7644 §3.12.
const (
	TypeInvalidFilter  ErrorType = "invalidFilter"
	TypeTooMany        ErrorType = "tooMany"
	TypeUniqueness     ErrorType = "uniqueness"
	TypeMutability     ErrorType = "mutability"
	TypeInvalidSyntax  ErrorType = "invalidSyntax"
	TypeInvalidPath    ErrorType = "invalidPath"
	TypeNoTarget       ErrorType = "noTarget"
	TypeInvalidValue   ErrorType = "invalidValue"
	TypeInvalidVersion ErrorType = "invalidVers"
	TypeSensitive      ErrorType = "sensitive"
)

// sentinelKinds maps each sentinel to the status and scimType it becomes on
// the wire. Order matters only for Error.Is lookups, which are by value.
var sentinelKinds = []struct {
	err      error
	status   int
	scimType ErrorType
}{
	{ErrInvalidFilter, http.StatusBadRequest, TypeInvalidFilter},
	{ErrTooMany, http.StatusBadRequest, TypeTooMany},
	{ErrUniqueness, http.StatusConflict, TypeUniqueness},
	{ErrMutability, http.StatusBadRequest, TypeMutability},
	{ErrInvalidSyntax, http.StatusBadRequest, TypeInvalidSyntax},
	{ErrInvalidPath, http.StatusBadRequest, TypeInvalidPath},
	{ErrNoTarget, http.StatusBadRequest, TypeNoTarget},
	{ErrInvalidValue, http.StatusBadRequest, TypeInvalidValue},
	{ErrInvalidVersion, http.StatusBadRequest, TypeInvalidVersion},
	{ErrSensitive, http.StatusForbidden, TypeSensitive},
	{ErrNotFound, http.StatusNotFound, ""},
	{ErrUnsupportedMediaType, http.StatusUnsupportedMediaType, ""},
}

// Error is the SCIM Error message (RFC 7644 §3.12). On the wire its status
// is a JSON string ("404"), as the RFC requires and Entra expects; in Go it
// is an int. Error implements error, so a handler can return one directly.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// ScimType refines a 400 or 409; empty for other statuses.
	ScimType ErrorType
	// Detail is a human-readable explanation. It is copied verbatim into
	// Entra's provisioning log, so it must never hold a secret.
	Detail string
	// StatusNotString is set by ParseError and UnmarshalJSON when the body
	// carried status as a JSON number, which RFC 7644 §3.12 forbids; a
	// conformance check can report it while a client still understands it.
	StatusNotString bool
}

// NewError returns an Error with the given status, scimType and detail.
func NewError(status int, scimType ErrorType, detail string) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: detail}
}

// Error returns "scim: <status> <scimType>: <detail>".
func (e *Error) Error() string {
	s := "scim: " + strconv.Itoa(e.Status)
	if e.ScimType != "" {
		s += " " + string(e.ScimType)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is reports whether target is the sentinel error for e's status and
// scimType, so errors.Is(parsedError, ErrUniqueness) works on a response a
// client received.
func (e *Error) Is(target error) bool {
	for _, k := range sentinelKinds {
		if k.err == target {
			return k.status == e.Status && k.scimType == e.ScimType
		}
	}
	return false
}

type wireError struct {
	Schemas  []string        `json:"schemas"`
	Status   json.RawMessage `json:"status"`
	ScimType ErrorType       `json:"scimType,omitempty"`
	Detail   string          `json:"detail,omitempty"`
}

// MarshalJSON writes the RFC 7644 §3.12 body with status as a string.
func (e *Error) MarshalJSON() ([]byte, error) {
	status, err := json.Marshal(strconv.Itoa(e.Status))
	if err != nil {
		return nil, err
	}
	return json.Marshal(wireError{
		Schemas:  []string{SchemaError},
		Status:   status,
		ScimType: e.ScimType,
		Detail:   e.Detail,
	})
}

// UnmarshalJSON reads an Error body. It accepts status as a string (the
// RFC form) or a number (seen from non-conforming servers, flagged in
// StatusNotString).
func (e *Error) UnmarshalJSON(data []byte) error {
	var w wireError
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("%w: error body is not a JSON object: %v", ErrMalformedResponse, err)
	}
	*e = Error{ScimType: w.ScimType, Detail: w.Detail}
	if len(w.Status) == 0 || string(w.Status) == "null" {
		return fmt.Errorf("%w: error body has no status", ErrMalformedResponse)
	}
	var s string
	if err := json.Unmarshal(w.Status, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(w.Status, &n); err != nil {
			return fmt.Errorf("%w: error status %s is neither a string nor a number", ErrMalformedResponse, w.Status)
		}
		s = n.String()
		e.StatusNotString = true
	}
	code, err := strconv.Atoi(s)
	if err != nil || code < 100 || code > 599 {
		return fmt.Errorf("%w: error status %q is not an HTTP status code", ErrMalformedResponse, s)
	}
	e.Status = code
	return nil
}

// ParseError reads a SCIM Error body received from a server. The body must
// be a JSON object with a status and list the Error schema URN.
func ParseError(data []byte) (*Error, error) {
	var e Error
	if err := e.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	var w struct {
		Schemas []string `json:"schemas"`
	}
	_ = json.Unmarshal(data, &w) // already known to be an object
	if !containsFold(w.Schemas, SchemaError) {
		return &e, fmt.Errorf("%w: error body does not list %s in schemas", ErrMalformedResponse, SchemaError)
	}
	return &e, nil
}

// ErrorFrom turns any error into the SCIM Error to send. An *Error in the
// chain is returned as is; an error wrapping one of this package's sentinels
// gets that sentinel's status and scimType with err's message as the
// detail; anything else becomes a 500 whose detail hides the cause (it may
// name internals), so log err before calling.
func ErrorFrom(err error) *Error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	for _, k := range sentinelKinds {
		if errors.Is(err, k.err) {
			return &Error{Status: k.status, ScimType: k.scimType, Detail: err.Error()}
		}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "internal server error"}
}
