package hostroute

import (
	"crypto/tls"
	"net/http"
	"slices"
	"time"
	"weak"
)

// NewTransport returns an http.Transport that dials through routes and
// verifies TLS with tlsConfig, typically a localca CA's ClientTLSConfig so
// the routed production names verify against the rehearsal CA. A nil
// tlsConfig means the system roots. TLS 1.2 is the minimum unless the
// config asks for more, as Entra requires.
//
// The transport never uses a proxy (the routes are the whole network) and
// keeps connections and TLS sessions alive, so share one transport between
// many browsers: a fresh sign-in then costs no handshakes. Idle connections
// are dropped when a route is replaced or removed.
func NewTransport(routes *Table, tlsConfig *tls.Config) *http.Transport {
	cfg := &tls.Config{}
	if tlsConfig != nil {
		cfg = tlsConfig.Clone()
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if cfg.ClientSessionCache == nil {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(256)
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           routes.DialContext,
		TLSClientConfig:       cfg,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	routes.mu.Lock()
	routes.transports = slices.DeleteFunc(routes.transports, func(w weak.Pointer[http.Transport]) bool {
		return w.Value() == nil
	})
	routes.transports = append(routes.transports, weak.Make(tr))
	routes.mu.Unlock()
	return tr
}
