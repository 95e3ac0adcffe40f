package scimserver

import "errors"

// ErrConfig is wrapped by the panic New raises for a Config that cannot
// work (no account store, a base URL that is not an absolute http(s) URL).
var ErrConfig = errors.New("scimserver: invalid configuration")

// errUnchanged is returned inside an account update to roll it back when a
// PATCH changes nothing, so the version and lastModified stay as they were
// (RFC 7644 §3.5.2).
var errUnchanged = errors.New("no change")
