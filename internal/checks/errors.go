package checks

import "errors"

// ErrUnknownCheck is wrapped when --only or --skip names a check that is
// not in the catalogue; the message lists the IDs there are.
var ErrUnknownCheck = errors.New("no such check")

// ErrBadSetup is wrapped by *SetupError: the setup holds a value a
// rehearsal cannot represent (an option Entra's or RudderStack's
// drop-down does not offer, a user the rehearsal tenant does not have).
// It is bad input, not a failed check.
var ErrBadSetup = errors.New("the setup cannot be rehearsed")

// ErrClosed is returned by an Env's operations after Close.
var ErrClosed = errors.New("the rehearsal environment is closed")
