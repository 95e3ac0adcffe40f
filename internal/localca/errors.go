package localca

import "errors"

// ErrInvalidName means a certificate was asked for a name that cannot be a
// TLS server name: empty, too long, or holding characters no host name has.
var ErrInvalidName = errors.New("localca: invalid server name")

// ErrNoServerName means a TLS client sent no server name (SNI) and the
// connection's local address was not an IP address either, so there is no
// name to issue a certificate for.
var ErrNoServerName = errors.New("localca: the client sent no server name")

// ErrBadKeptCA means the CA kept in a directory (see [Open]) cannot be
// used: a file is unreadable, is not what it should be, or the key is not
// the certificate's.
var ErrBadKeptCA = errors.New("localca: the kept CA cannot be used")
