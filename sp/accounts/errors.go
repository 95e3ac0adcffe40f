package accounts

import "errors"

// ErrNotFound is returned when an organisation, user or token does not
// exist (or belongs to another organisation).
var ErrNotFound = errors.New("not found")

// ErrUserExists is returned when a user with the same userName (compared
// case-insensitively) already exists in the organisation.
var ErrUserExists = errors.New("a user with this userName already exists in the organisation")

// ErrDomainTaken is returned when an organisation claims an email domain
// that another organisation already has.
var ErrDomainTaken = errors.New("the email domain already belongs to another organisation")

// ErrUserDeactivated is returned by SignIn when the user exists but has
// been deactivated (by SCIM or an admin): they keep their account but have
// lost access to the organisation.
var ErrUserDeactivated = errors.New("the user has been deactivated in this organisation")

// ErrInvalidToken is returned when a personal access token is malformed or
// unknown. It deliberately says nothing about which part was wrong.
var ErrInvalidToken = errors.New("the personal access token is not valid")

// ErrTokenRevoked is returned for a personal access token that was revoked.
var ErrTokenRevoked = errors.New("the personal access token has been revoked")

// ErrTokenExpired is returned for a personal access token past its expiry.
var ErrTokenExpired = errors.New("the personal access token has expired")

// ErrInvalid is wrapped by validation errors that name the bad field.
var ErrInvalid = errors.New("invalid value")
