package cognito

import "errors"

// ErrConfig is wrapped by New when the configuration cannot work; the
// message names the field.
var ErrConfig = errors.New("invalid user pool configuration")

// ErrInvalidGrant is returned by Exchange for an authorization code that is
// unknown, expired, already used, or issued to another client or
// redirect_uri (OAuth's invalid_grant).
var ErrInvalidGrant = errors.New("the authorization code is not valid")

// ErrSSONotConfigured is returned when an organisation has no SAML identity
// provider (no provider name or no metadata URL) in the user pool.
var ErrSSONotConfigured = errors.New("the organisation has no SAML identity provider configured")

// ErrMetadataURL is wrapped when an organisation's metadata URL is not one
// Cognito would fetch: not https (unless plain http is allowed), or on a
// port other than 443 or 80.
var ErrMetadataURL = errors.New("the identity provider metadata URL is not usable")

// ErrMetadata is wrapped when the identity provider's metadata cannot be
// fetched or does not describe a usable SAML IdP.
var ErrMetadata = errors.New("the identity provider metadata could not be used")
