package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/syncbuf"
)

// TestServeTLSCA: --tls-ca FILE serves HTTPS and writes the CA's
// certificate to FILE, which is all a client needs to trust (msal and
// Graph's SDK refuse http://); --json names the file, the text says it.
func TestServeTLSCA(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ssowiz-ca.pem")
	stdout, stop := startServe(t, "--json", "--tls-ca", caFile)
	defer stop()
	var info struct {
		IDPMetadataURL string `json:"idp_metadata_url"`
		GraphBaseURL   string `json:"graph_base_url"`
		TLSCAFile      string `json:"tls_ca_file"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &info); err != nil {
		t.Fatal(err)
	}
	if info.TLSCAFile != caFile || !strings.HasPrefix(info.IDPMetadataURL, "https://") || !strings.HasPrefix(info.GraphBaseURL, "https://") {
		t.Fatalf("--json: %+v", info)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Get(info.IDPMetadataURL)
	if err != nil {
		t.Fatalf("the metadata with only %s trusted: %v", caFile, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata: %s", resp.Status)
	}
}

func TestServeTLSCAThatIsADirectory(t *testing.T) {
	dir := t.TempDir()
	var errOut syncbuf.Buffer
	code := run(context.Background(), []string{"serve", "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0", "--tls-ca", dir},
		newEnv(strings.NewReader(""), io.Discard, &errOut))
	if code != exitBadArgs || !strings.Contains(errOut.String(), "--tls-ca") {
		t.Fatalf("exit %d, stderr %q; want a usage error naming --tls-ca", code, errOut.String())
	}
}
