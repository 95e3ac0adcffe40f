package hostroute

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ssowiz/ssowiz/internal/localca"
)

func TestSetAndLookup(t *testing.T) {
	tab := New()
	mustSet := func(host, addr string) {
		t.Helper()
		if err := tab.Set(host, addr); err != nil {
			t.Fatalf("Set(%q, %q): %v", host, addr, err)
		}
	}
	mustSet("login.microsoftonline.com", "127.0.0.1:1001")
	mustSet("App.RudderStack.com.", "127.0.0.1:1002")
	mustSet("app.rudderstack.com:8443", "127.0.0.1:1003")
	mustSet("https://acme.example/scim/v2", "127.0.0.1:1004")
	mustSet("http://ports.example:8080/x", "127.0.0.1:1005")
	mustSet("[::1]:443", "127.0.0.1:1006")

	tests := []struct {
		in, want string
		ok       bool
	}{
		{"login.microsoftonline.com:443", "127.0.0.1:1001", true},
		{"login.microsoftonline.com", "127.0.0.1:1001", true},
		{"LOGIN.microsoftonline.com.:80", "127.0.0.1:1001", true},
		{"app.rudderstack.com:443", "127.0.0.1:1002", true},
		{"app.rudderstack.com:8443", "127.0.0.1:1003", true},
		{"acme.example:443", "127.0.0.1:1004", true},
		{"ports.example:8080", "127.0.0.1:1005", true},
		{"ports.example:443", "", false},
		{"[::1]:443", "127.0.0.1:1006", true},
		{"[::1]:80", "", false},
		{"auth2.rudderstack.com:443", "", false},
		{"microsoftonline.com:443", "", false},
	}
	for _, tt := range tests {
		got, ok := tab.Lookup(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}

	routes := tab.Routes()
	var lines []string
	for _, r := range routes {
		lines = append(lines, fmt.Sprintf("%s|%s|%s", r.Host, r.Port, r.Addr))
	}
	want := "::1|443|127.0.0.1:1006 acme.example||127.0.0.1:1004 app.rudderstack.com||127.0.0.1:1002 " +
		"app.rudderstack.com|8443|127.0.0.1:1003 login.microsoftonline.com||127.0.0.1:1001 ports.example|8080|127.0.0.1:1005"
	if got := strings.Join(lines, " "); got != want {
		t.Errorf("Routes() =\n%s\nwant\n%s", got, want)
	}

	if !tab.Remove("https://app.rudderstack.com:8443/") {
		t.Errorf("Remove of an existing route reported false")
	}
	if tab.Remove("never.example") {
		t.Errorf("Remove of a missing route reported true")
	}
	if got, _ := tab.Lookup("app.rudderstack.com:8443"); got != "127.0.0.1:1002" {
		t.Errorf("after removing the port route, Lookup = %q, want the host route", got)
	}
}

func TestSetRejectsBadInput(t *testing.T) {
	tests := []struct {
		host, addr string
		want       error
	}{
		{"", "127.0.0.1:1", ErrInvalidHost},
		{"has space.example", "127.0.0.1:1", ErrInvalidHost},
		{"a..b", "127.0.0.1:1", ErrInvalidHost},
		{"bücher.example", "127.0.0.1:1", ErrInvalidHost},
		{"host.example:0", "127.0.0.1:1", ErrInvalidHost},
		{"host.example:https", "127.0.0.1:1", ErrInvalidHost},
		{"https://", "127.0.0.1:1", ErrInvalidHost},
		{"host.example", "127.0.0.1", ErrInvalidAddr},
		{"host.example", ":8080", ErrInvalidAddr},
		{"host.example", "127.0.0.1:99999", ErrInvalidAddr},
	}
	tab := New()
	for _, tt := range tests {
		err := tab.Set(tt.host, tt.addr)
		if !errors.Is(err, tt.want) {
			t.Errorf("Set(%q, %q) = %v, want %v", tt.host, tt.addr, err, tt.want)
		}
		bad := tt.host
		if tt.want == ErrInvalidAddr {
			bad = tt.addr
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("Set(%q, %q) error %q does not name the bad value", tt.host, tt.addr, err)
		}
	}
	if len(tab.Routes()) != 0 {
		t.Errorf("a rejected route was stored: %v", tab.Routes())
	}
}

// echoServer answers with its name and the Host header it saw.
func echoServer(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", name, r.Host)
	})
}

func get(t *testing.T, client *http.Client, url string) (string, error) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestTransportReachesProductionNamesOverPlainHTTP(t *testing.T) {
	idp := httptest.NewServer(echoServer("idp"))
	defer idp.Close()
	sp := httptest.NewServer(echoServer("sp"))
	defer sp.Close()

	tab := New()
	tab.Set("login.microsoftonline.com", idp.Listener.Addr().String())
	for _, h := range []string{"app.rudderstack.com", "auth2.rudderstack.com", "api.rudderstack.com"} {
		tab.Set(h, sp.Listener.Addr().String())
	}
	tr := NewTransport(tab, nil)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	for url, want := range map[string]string{
		"http://login.microsoftonline.com/tenant/saml2": "idp login.microsoftonline.com",
		"http://app.rudderstack.com/sso":                "sp app.rudderstack.com",
		"http://auth2.rudderstack.com/saml2":            "sp auth2.rudderstack.com",
		"http://api.rudderstack.com/scim/v2/Users":      "sp api.rudderstack.com",
		idp.URL: "idp " + idp.Listener.Addr().String(), // unrouted loopback is dialled as is
	} {
		got, err := get(t, client, url)
		if err != nil || got != want {
			t.Errorf("GET %s = %q, %v; want %q", url, got, err, want)
		}
	}
}

func TestUnknownHostFailsLikeDNS(t *testing.T) {
	tr := NewTransport(New(), nil)
	client := &http.Client{Transport: tr}
	_, err := get(t, client, "https://acme-typo.example/scim/v2")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || dnsErr.Name != "acme-typo.example" {
		t.Fatalf("error = %#v, want a not-found *net.DNSError for acme-typo.example", err)
	}
	if !errors.Is(err, ErrNoRoute) {
		t.Errorf("error does not unwrap to ErrNoRoute: %v", err)
	}
	if want := "dial tcp: lookup acme-typo.example: no such host"; !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q as a real lookup failure does", err, want)
	}
}

func TestNonLoopbackAddressRefused(t *testing.T) {
	tab := New()
	_, err := tab.DialContext(context.Background(), "tcp", "192.0.2.10:443")
	if !errors.Is(err, ErrNotLoopback) {
		t.Fatalf("dial 192.0.2.10 = %v, want ErrNotLoopback", err)
	}
	// A route makes an IP reachable, as a hosts file cannot but the admin's
	// Tenant URL might need.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tab.Set("192.0.2.10", ln.Addr().String())
	conn, err := tab.DialContext(context.Background(), "tcp", "192.0.2.10:443")
	if err != nil {
		t.Fatalf("dial a routed IP: %v", err)
	}
	conn.Close()
}

func TestTLSVerifiesWithCAOnly(t *testing.T) {
	ca, err := localca.New(localca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(echoServer("idp"))
	srv.TLS = ca.ServerTLSConfig()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes below are expected
	srv.StartTLS()
	defer srv.Close()
	tab := New()
	tab.Set("login.microsoftonline.com", srv.Listener.Addr().String())

	withCA := &http.Client{Transport: NewTransport(tab, ca.ClientTLSConfig())}
	got, err := get(t, withCA, "https://login.microsoftonline.com/common/saml2")
	if err != nil || got != "idp login.microsoftonline.com" {
		t.Fatalf("GET with the CA = %q, %v", got, err)
	}

	for name, cfg := range map[string]*tls.Config{"system roots": nil, "empty pool": {RootCAs: x509.NewCertPool()}} {
		client := &http.Client{Transport: NewTransport(tab, cfg)}
		_, err := get(t, client, "https://login.microsoftonline.com/common/saml2")
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &verr) {
			t.Errorf("%s: error = %v, want a certificate verification failure", name, err)
		}
	}

	// The CA's certificate is for the name asked for, so a route from one
	// name to another server's address still verifies per name.
	tab.Set("app.rudderstack.com", srv.Listener.Addr().String())
	if got, err := get(t, withCA, "https://app.rudderstack.com/"); err != nil || got != "idp app.rudderstack.com" {
		t.Errorf("GET app.rudderstack.com = %q, %v", got, err)
	}
}

func TestReplacingARouteDropsPooledConnections(t *testing.T) {
	a := httptest.NewServer(echoServer("a"))
	defer a.Close()
	b := httptest.NewServer(echoServer("b"))
	defer b.Close()
	tab := New()
	tab.Set("app.rudderstack.com", a.Listener.Addr().String())
	client := &http.Client{Transport: NewTransport(tab, nil)}
	if got, _ := get(t, client, "http://app.rudderstack.com/"); got != "a app.rudderstack.com" {
		t.Fatalf("first GET = %q", got)
	}
	// The first connection is now idle in the pool; without closing it the
	// next request would reuse it and still reach a.
	tab.Set("app.rudderstack.com", b.Listener.Addr().String())
	if got, _ := get(t, client, "http://app.rudderstack.com/"); got != "b app.rudderstack.com" {
		t.Errorf("GET after the route moved = %q, want server b", got)
	}
	tab.Remove("app.rudderstack.com")
	if _, err := get(t, client, "http://app.rudderstack.com/"); !errors.Is(err, ErrNoRoute) {
		t.Errorf("GET after the route was removed = %v, want ErrNoRoute", err)
	}
}

func TestConcurrentRouteUpdates(t *testing.T) {
	srv := httptest.NewServer(echoServer("sp"))
	defer srv.Close()
	srv2 := httptest.NewServer(echoServer("sp"))
	defer srv2.Close()
	addr := srv.Listener.Addr().String()
	tab := New()
	tab.Set("app.rudderstack.com", addr)
	client := &http.Client{Transport: NewTransport(tab, nil)}

	var wg sync.WaitGroup
	// The route in use moves between two equal servers while requests run,
	// closing pooled connections each time.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 40 {
			target := addr
			if i%2 == 1 {
				target = srv2.Listener.Addr().String()
			}
			tab.Set("app.rudderstack.com", target)
			NewTransport(tab, nil)
		}
		tab.Set("app.rudderstack.com", addr)
	}()
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 50 {
				host := fmt.Sprintf("tenant%d-%d.example", w, i)
				if err := tab.Set(host, addr); err != nil {
					t.Error(err)
				}
				if _, ok := tab.Lookup(host + ":443"); !ok {
					t.Errorf("route %s vanished", host)
				}
				_ = tab.Routes()
				if i%2 == 0 {
					tab.Remove(host)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				if got, err := get(t, client, "http://app.rudderstack.com/"); err != nil || got != "sp app.rudderstack.com" {
					t.Errorf("GET during updates = %q, %v", got, err)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(tab.Routes()); n != 1+4*25 {
		t.Errorf("after updates the table has %d routes, want %d", n, 1+4*25)
	}
}
