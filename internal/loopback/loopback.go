// Package loopback tells whether a host or URL names this machine, the
// one place ssowiz relaxes Entra's https-only rules (as Entra does for
// http://localhost reply URLs) and knows a capture came from `serve`.
package loopback

import (
	"net"
	"net/url"
	"strings"
)

// Host reports whether h (a host name or IP literal, without port or
// brackets) is this machine: "localhost" in any case, or a loopback
// address (127.0.0.0/8, ::1).
func Host(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// URL reports whether raw is an absolute URL whose host is this machine.
func URL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && Host(u.Hostname())
}
