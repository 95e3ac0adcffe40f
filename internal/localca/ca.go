// Package localca makes a certificate authority at start-up and issues TLS
// server certificates from it for any name a client asks for.
//
// ssowiz rehearses the SSO flow against the production host names
// (login.microsoftonline.com, app.rudderstack.com, …) routed to local mock
// servers. Those servers present certificates from this CA, and ssowiz's own
// clients trust it through [CA.ClientTLSConfig]. The CA's key lives in
// memory, or with [Open] in a directory the user chose (0600), and nothing
// here touches the system trust store, so the CA is trusted by ssowiz's
// clients and by whoever the user tells to trust it, nobody else.
package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"
)

// DefaultSubject is the common name of the CA when Options.Subject is empty.
// It says plainly what the certificate is, for anyone who finds it in a
// browser's certificate viewer.
const DefaultSubject = "ssowiz local rehearsal CA"

// DefaultValidity is how long the CA and its certificates are valid when
// Options.Validity is zero. It stays under the 398 days browsers accept for
// a server certificate, so a real browser pointed at the CA accepts them.
const DefaultValidity = 365 * 24 * time.Hour

// maxCached bounds the per-name certificate cache. A client chooses the
// names, so without a bound a long-running server could grow without limit.
const maxCached = 1024

// Options configures a new CA. The zero value is ready to use.
type Options struct {
	// Subject is the CA's common name; DefaultSubject when empty.
	Subject string
	// Validity is how long the CA and every certificate it issues are valid,
	// from Now; DefaultValidity when zero.
	Validity time.Duration
	// Now is the clock used for validity periods; time.Now when nil. Clients
	// configured by [CA.ClientTLSConfig] verify with the same clock, so a
	// frozen test clock still gives valid certificates.
	Now func() time.Time
}

// CA is a certificate authority with its key in memory. It issues server
// certificates on demand and caches them per name. A CA is safe for
// concurrent use.
type CA struct {
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	pool     *x509.CertPool
	now      func() time.Time
	validity time.Duration

	mu    sync.Mutex
	cache map[string]*tls.Certificate
}

func (opts Options) withDefaults() Options {
	if opts.Subject == "" {
		opts.Subject = DefaultSubject
	}
	if opts.Validity <= 0 {
		opts.Validity = DefaultValidity
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return opts
}

// New makes a CA with a fresh ECDSA P-256 key (fast to make and to sign
// with, and accepted by Entra's TLS 1.2 policy of ECC ≥ 256 bits).
func New(opts Options) (*CA, error) {
	opts = opts.withDefaults()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("localca: generate the CA key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	now := opts.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: opts.Subject, Organization: []string{"ssowiz"}},
		// An hour of slack covers clocks that differ a little between the
		// process that issues and whatever verifies.
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(opts.Validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("localca: create the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("localca: parse the CA certificate: %w", err)
	}
	return assemble(cert, key, opts), nil
}

func assemble(cert *x509.Certificate, key *ecdsa.PrivateKey, opts Options) *CA {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{
		cert:     cert,
		key:      key,
		pool:     pool,
		now:      opts.Now,
		validity: opts.Validity,
		cache:    make(map[string]*tls.Certificate),
	}
}

// Certificate returns the CA's own certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// CertPEM returns the CA certificate in PEM form, for a user who wants a
// real browser to trust the rehearsal servers.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// SPKIHash returns the base64 SHA-256 hash of the CA's public key, the form
// Chromium's --ignore-certificate-errors-spki-list flag takes. Server
// certificates are sent with the CA in their chain, so the hash matches.
func (ca *CA) SPKIHash() string {
	sum := sha256.Sum256(ca.cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Pool returns a certificate pool holding only the CA. Callers must not
// modify it.
func (ca *CA) Pool() *x509.CertPool { return ca.pool }

// ClientTLSConfig returns a client configuration that trusts only this CA
// and speaks TLS 1.2 or later, as Entra's provisioning client does. It
// verifies with the CA's clock. Each call returns a new config the caller
// may change.
func (ca *CA) ClientTLSConfig() *tls.Config {
	return &tls.Config{
		RootCAs:    ca.pool,
		MinVersion: tls.VersionTLS12,
		Time:       ca.now,
	}
}

// ServerTLSConfig returns a server configuration that presents a
// certificate for whatever name the client asks for (SNI), issued on first
// use and cached. Without SNI (a client dialling an IP address) it issues
// for the connection's local IP. Each call returns a new config.
func (ca *CA) ServerTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: ca.GetCertificate,
	}
}

// GetCertificate is a tls.Config GetCertificate callback; see
// [CA.ServerTLSConfig].
func (ca *CA) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if name == "" && hello.Conn != nil {
		if addr, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
			name = addr.IP.String()
		}
	}
	if name == "" {
		return nil, ErrNoServerName
	}
	return ca.Issue(name)
}

// Issue returns a server certificate for name (a DNS name or an IP
// address), with the CA in its chain. Certificates are cached per name and
// re-issued when the cached one has expired.
func (ca *CA) Issue(name string) (*tls.Certificate, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if err := checkName(name); err != nil {
		return nil, err
	}
	now := ca.now()
	ca.mu.Lock()
	defer ca.mu.Unlock()
	// Issuing under the lock serialises issuance; an ECDSA signature costs
	// tens of microseconds, so this is simpler than per-name locking and
	// never noticeable.
	if c, ok := ca.cache[name]; ok && now.Before(c.Leaf.NotAfter) {
		return c, nil
	}
	c, err := ca.issue(name, now)
	if err != nil {
		return nil, err
	}
	if len(ca.cache) >= maxCached {
		clear(ca.cache)
	}
	ca.cache[name] = c
	return c, nil
}

func (ca *CA) issue(name string, now time.Time) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("localca: generate a key for %q: %w", name, err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{"ssowiz rehearsal"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(ca.validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("localca: issue a certificate for %q: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("localca: parse the certificate for %q: %w", name, err)
	}
	return &tls.Certificate{
		Certificate: [][]byte{der, ca.cert.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}, nil
}

// checkName accepts IP addresses and host names made of letters, digits,
// hyphens, underscores, dots and a leading wildcard label.
func checkName(name string) error {
	if name == "" || len(name) > 253 {
		return fmt.Errorf("%w: %q must be 1 to 253 characters", ErrInvalidName, name)
	}
	if net.ParseIP(name) != nil {
		return nil
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
		case r == '*' && i == 0 && strings.HasPrefix(name, "*."):
		default:
			return fmt.Errorf("%w: %q holds %q; use a host name such as login.microsoftonline.com", ErrInvalidName, name, r)
		}
	}
	if strings.Contains(name, "..") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("%w: %q has an empty label", ErrInvalidName, name)
	}
	return nil
}

func newSerial() (*big.Int, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("localca: make a serial number: %w", err)
	}
	return serial, nil
}
