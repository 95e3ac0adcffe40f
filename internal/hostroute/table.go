// Package hostroute sends connections for chosen host names to local
// addresses, like a hosts file that only ssowiz's own clients read.
//
// A rehearsal reaches login.microsoftonline.com, app.rudderstack.com and
// whatever host the admin typed, but each of those names is routed to a mock
// server on loopback. A name with no route fails the way an unknown name
// fails in DNS, so a typo in a URL behaves as it would in production, and an
// IP address off this machine is refused, so nothing leaves it.
package hostroute

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"weak"
)

// Route is one entry of a Table.
type Route struct {
	// Host is the host name or IP address matched, in lower case.
	Host string
	// Port restricts the route to one port; empty matches every port.
	Port string
	// Addr is where matching connections go, as host:port.
	Addr string
}

// Table maps host names to local addresses. It is safe for concurrent use:
// routes may be added while clients dial through it.
type Table struct {
	dialer net.Dialer

	mu     sync.RWMutex
	routes map[string]string // "host" or "host:port" → target address
	// transports made by NewTransport for this table; their idle
	// connections are closed when a route is replaced or removed, so no
	// pooled connection keeps reaching the old target. Weak, so a table
	// does not keep a discarded transport alive.
	transports []weak.Pointer[http.Transport]
}

// New returns an empty table: every host name fails to resolve until it has
// a route.
func New() *Table {
	return &Table{routes: make(map[string]string)}
}

// Set routes host to addr, replacing any route for the same host and port.
// host is a host name or IP address, optionally with a port
// ("login.microsoftonline.com", "app.rudderstack.com:443"), or a URL whose
// host is taken ("https://acme.example/scim/v2"); a URL without an explicit
// port routes every port. A route with a port wins over one without. addr
// is a host:port such as "127.0.0.1:41234".
func (t *Table) Set(host, addr string) error {
	key, err := routeKey(host)
	if err != nil {
		return err
	}
	if err := checkAddr(addr); err != nil {
		return err
	}
	t.mu.Lock()
	old, existed := t.routes[key]
	t.routes[key] = addr
	transports := slices.Clone(t.transports)
	t.mu.Unlock()
	if existed && old != addr {
		closeIdle(transports)
	}
	return nil
}

// Remove deletes the route for host (in any form Set accepts) and reports
// whether there was one.
func (t *Table) Remove(host string) bool {
	key, err := routeKey(host)
	if err != nil {
		return false
	}
	t.mu.Lock()
	_, existed := t.routes[key]
	delete(t.routes, key)
	transports := slices.Clone(t.transports)
	t.mu.Unlock()
	if existed {
		closeIdle(transports)
	}
	return existed
}

// Lookup returns the target address for hostport ("host:port" or a bare
// host), preferring a route for that exact port.
func (t *Table) Lookup(hostport string) (addr string, ok bool) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	host = canonicalHost(host)
	t.mu.RLock()
	defer t.mu.RUnlock()
	if port != "" {
		if addr, ok := t.routes[net.JoinHostPort(host, port)]; ok {
			return addr, true
		}
	}
	addr, ok = t.routes[host]
	return addr, ok
}

// Routes returns a snapshot of the table, sorted by host then port.
func (t *Table) Routes() []Route {
	t.mu.RLock()
	out := make([]Route, 0, len(t.routes))
	for key, addr := range t.routes {
		r := Route{Host: key, Addr: addr}
		if h, p, err := net.SplitHostPort(key); err == nil {
			r.Host, r.Port = h, p
		}
		out = append(out, r)
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b Route) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Port, b.Port))
	})
	return out
}

// DialContext dials address (host:port) through the table, for
// http.Transport.DialContext. A routed host goes to its target; an unrouted
// loopback address or "localhost" is dialled as is; an unrouted host name
// fails with a *net.DNSError ("no such host", IsNotFound) that unwraps to
// ErrNoRoute; any other IP address fails with ErrNotLoopback.
func (t *Table) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if target, ok := t.Lookup(address); ok {
		return t.dialer.DialContext(ctx, network, target)
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() {
			return t.dialer.DialContext(ctx, network, address)
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf(
			"%w: %s has no route; add one for it or use a loopback address", ErrNotLoopback, address)}
	}
	if normalHost(host) == "localhost" {
		return t.dialer.DialContext(ctx, network, address)
	}
	// The same shape as a failed lookup in net.Dialer, so the message reads
	// "dial tcp: lookup acme.example: no such host".
	return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{
		Err:        "no such host",
		Name:       host,
		IsNotFound: true,
		UnwrapErr:  ErrNoRoute,
	}}
}

func closeIdle(transports []weak.Pointer[http.Transport]) {
	for _, w := range transports {
		if tr := w.Value(); tr != nil {
			tr.CloseIdleConnections()
		}
	}
}

// routeKey turns what Set accepts into the map key "host" or "host:port".
func routeKey(s string) (string, error) {
	in := s
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("%w: %q is not a URL with a host; give one such as https://acme.example/scim/v2", ErrInvalidHost, in)
		}
		s = u.Host
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%w: %q has port %q; a port is a number from 1 to 65535", ErrInvalidHost, in, p)
		}
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	}
	host, ok := asciiHost(host)
	if !ok {
		return "", fmt.Errorf("%w: %q is not a host name; give one such as login.microsoftonline.com, with an optional :port (internationalised names in their xn-- form)", ErrInvalidHost, in)
	}
	if port == "" {
		return host, nil
	}
	return net.JoinHostPort(host, port), nil
}

// asciiHost gives the form a host takes on the wire: an IP address in its
// canonical text, a name in lower case. Names must already be ASCII
// (internationalised names in their xn-- form, as net/http dials them);
// converting them would need golang.org/x/text for a case no SaaS guide has.
func asciiHost(h string) (string, bool) {
	h = normalHost(h)
	if ip := net.ParseIP(h); ip != nil {
		return ip.String(), true
	}
	if h == "" || len(h) > 253 {
		return "", false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 {
			return "", false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", false
			}
		}
	}
	return h, true
}

// canonicalHost is asciiHost for lookups, where a name that cannot be
// converted simply matches nothing.
func canonicalHost(h string) string {
	if a, ok := asciiHost(h); ok {
		return a
	}
	return normalHost(h)
}

func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: %q: %v; give host:port such as 127.0.0.1:8443", ErrInvalidAddr, addr, err)
	}
	if host == "" {
		return fmt.Errorf("%w: %q has no host; give host:port such as 127.0.0.1:8443", ErrInvalidAddr, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%w: %q has port %q; a port is a number from 1 to 65535", ErrInvalidAddr, addr, port)
	}
	return nil
}
