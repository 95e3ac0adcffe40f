package localca

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func newCA(t *testing.T, opts Options) *CA {
	t.Helper()
	ca, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return ca
}

func TestCASubjectAndConstraints(t *testing.T) {
	ca := newCA(t, Options{})
	c := ca.Certificate()
	if c.Subject.CommonName != DefaultSubject {
		t.Errorf("CA common name = %q, want %q", c.Subject.CommonName, DefaultSubject)
	}
	if !c.IsCA || !c.MaxPathLenZero || c.MaxPathLen != 0 {
		t.Errorf("CA constraints: IsCA=%v MaxPathLenZero=%v MaxPathLen=%d, want a CA that signs only leaves",
			c.IsCA, c.MaxPathLenZero, c.MaxPathLen)
	}
	block, _ := pem.Decode(ca.CertPEM())
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CertPEM did not give a CERTIFICATE block")
	}
	if len(ca.SPKIHash()) != 44 {
		t.Errorf("SPKIHash = %q, want 44 base64 characters of SHA-256", ca.SPKIHash())
	}
	other := newCA(t, Options{Subject: "custom"})
	if other.Certificate().Subject.CommonName != "custom" {
		t.Errorf("custom subject not used: %q", other.Certificate().Subject.CommonName)
	}
	if other.SPKIHash() == ca.SPKIHash() {
		t.Errorf("two CAs share a key")
	}
}

func TestIssueVerifiesAgainstPool(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ca := newCA(t, Options{Now: func() time.Time { return now }})
	tests := []struct {
		name, ask string
		verifyAs  string
	}{
		{"entra host", "login.microsoftonline.com", "login.microsoftonline.com"},
		{"upper case and trailing dot", "App.RudderStack.com.", "app.rudderstack.com"},
		{"ipv4", "127.0.0.1", "127.0.0.1"},
		{"ipv6", "::1", "::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ca.Issue(tt.ask)
			if err != nil {
				t.Fatalf("Issue(%q): %v", tt.ask, err)
			}
			if len(c.Certificate) != 2 {
				t.Fatalf("chain length = %d, want leaf and CA", len(c.Certificate))
			}
			_, err = c.Leaf.Verify(x509.VerifyOptions{
				DNSName:     tt.verifyAs,
				Roots:       ca.Pool(),
				CurrentTime: now,
				KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if err != nil {
				t.Errorf("verify %q: %v", tt.verifyAs, err)
			}
			if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: "other.example", Roots: ca.Pool(), CurrentTime: now}); err == nil {
				t.Errorf("certificate for %q also verified for other.example", tt.ask)
			}
		})
	}
}

func TestIssueCachesPerNameAndRenewsAfterExpiry(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ca := newCA(t, Options{Now: clock, Validity: 48 * time.Hour})
	a1, err := ca.Issue("app.rudderstack.com")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := ca.Issue("APP.rudderstack.com")
	if a1 != a2 {
		t.Errorf("same name issued twice; want the cached certificate")
	}
	b, _ := ca.Issue("api.rudderstack.com")
	if b == a1 {
		t.Errorf("different names share a certificate")
	}
	// The CA itself expires with these 48 hours too, so renewing a leaf past
	// its end is capped by the CA; what matters is that an expired cached
	// certificate is not served again.
	now = now.Add(47 * time.Hour)
	if a3, _ := ca.Issue("app.rudderstack.com"); a3 != a1 {
		t.Errorf("certificate renewed before it expired")
	}
	now = now.Add(2 * time.Hour)
	if a4, _ := ca.Issue("app.rudderstack.com"); a4 == a1 {
		t.Errorf("expired certificate served from the cache")
	}
}

func TestIssueRejectsBadNames(t *testing.T) {
	ca := newCA(t, Options{})
	for _, name := range []string{"", "has space.example", "a..b", ".lead", "x/y", "évil.example", string(make([]byte, 300))} {
		if _, err := ca.Issue(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Issue(%q) error = %v, want ErrInvalidName", name, err)
		}
	}
}

func TestConcurrentIssue(t *testing.T) {
	ca := newCA(t, Options{})
	var wg sync.WaitGroup
	got := make([]*tls.Certificate, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := ca.Issue("login.microsoftonline.com")
			if err != nil {
				t.Error(err)
			}
			got[i] = c
		}()
	}
	wg.Wait()
	for _, c := range got[1:] {
		if c != got[0] {
			t.Fatalf("concurrent callers got different certificates for one name")
		}
	}
}

// startTLS starts a server presenting certificates from ca.
func startTLS(t *testing.T, ca *CA) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.Host)
	}))
	// Wrapping the listener ourselves (rather than StartTLS, which adds
	// httptest's own certificate) leaves GetCertificate the only source.
	srv.Listener = tls.NewListener(srv.Listener, ca.ServerTLSConfig())
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func handshake(addr string, cfg *tls.Config) (*tls.ConnectionState, error) {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	st := conn.ConnectionState()
	return &st, nil
}

func TestTLSHandshakeTrustsOnlyWithCA(t *testing.T) {
	ca := newCA(t, Options{})
	srv := startTLS(t, ca)
	addr := srv.Listener.Addr().String()

	cfg := ca.ClientTLSConfig()
	cfg.ServerName = "login.microsoftonline.com"
	st, err := handshake(addr, cfg)
	if err != nil {
		t.Fatalf("handshake trusting the CA: %v", err)
	}
	if got := st.PeerCertificates[0].DNSNames; len(got) != 1 || got[0] != "login.microsoftonline.com" {
		t.Errorf("server presented %v, want a certificate for the SNI name", got)
	}

	// Without the CA (system roots, or another CA) the same server fails
	// verification with an unknown-authority error.
	for name, cfg := range map[string]*tls.Config{
		"system roots": {ServerName: "login.microsoftonline.com", MinVersion: tls.VersionTLS12},
		"another CA": func() *tls.Config {
			c := newCA(t, Options{}).ClientTLSConfig()
			c.ServerName = "login.microsoftonline.com"
			return c
		}(),
	} {
		_, err := handshake(addr, cfg)
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("%s: handshake error = %v, want x509.UnknownAuthorityError", name, err)
		}
	}
}

func TestServerWithoutSNIUsesLocalIP(t *testing.T) {
	ca := newCA(t, Options{})
	srv := startTLS(t, ca)
	cfg := ca.ClientTLSConfig()
	st, err := handshake(srv.Listener.Addr().String(), cfg)
	if err != nil {
		t.Fatalf("handshake by IP: %v", err)
	}
	if ips := st.PeerCertificates[0].IPAddresses; len(ips) != 1 || !ips[0].IsLoopback() {
		t.Errorf("server presented IPs %v, want the loopback address", ips)
	}
}

func TestServerRefusesOldTLS(t *testing.T) {
	ca := newCA(t, Options{})
	srv := startTLS(t, ca)
	cfg := ca.ClientTLSConfig()
	cfg.ServerName = "api.rudderstack.com"
	cfg.MinVersion = tls.VersionTLS10
	cfg.MaxVersion = tls.VersionTLS11
	if _, err := handshake(srv.Listener.Addr().String(), cfg); err == nil {
		t.Errorf("TLS 1.1 handshake succeeded; Entra requires TLS 1.2 or later")
	}
}
