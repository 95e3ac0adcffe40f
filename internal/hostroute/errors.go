package hostroute

import "errors"

// ErrNoRoute is what a dial to a host name with no route unwraps to. The
// error itself is a *net.DNSError saying "no such host", as when a real
// lookup fails, so callers that handle DNS failures handle this one too.
var ErrNoRoute = errors.New("hostroute: no route for host")

// ErrInvalidHost means a route was given a host that is not a host name or
// IP address, optionally with a port.
var ErrInvalidHost = errors.New("hostroute: invalid host")

// ErrInvalidAddr means a route's target is not a host:port address.
var ErrInvalidAddr = errors.New("hostroute: invalid target address")

// ErrNotLoopback means a dial went to an IP address that is neither routed
// nor loopback. Rehearsals never leave the machine, so it is refused.
var ErrNotLoopback = errors.New("hostroute: refusing to dial an address off this machine")
