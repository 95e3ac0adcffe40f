package localca

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ssowiz/ssowiz/internal/atomicfile"
)

// File names of a kept CA inside its directory.
const (
	certFile = "tls-ca.pem"
	keyFile  = "tls-ca-key.pem"
)

// renewBefore is how long before its end a kept CA is replaced, so that a
// rehearsal never starts on a CA that expires in the middle of it.
const renewBefore = 30 * 24 * time.Hour

// Open returns the CA kept in dir, or makes one and keeps it there (the
// key 0600), so that clients told to trust it (NODE_EXTRA_CA_CERTS, a
// browser's certificate store) still do after a restart. A CA that ends
// within 30 days is replaced. made says whether this call made a new CA.
// A kept CA that cannot be read is an error wrapping ErrBadKeptCA, never
// silently replaced: whoever trusts it would stop trusting the servers.
func Open(dir string, opts Options) (ca *CA, made bool, err error) {
	opts = opts.withDefaults()
	ca, err = load(dir, opts)
	switch {
	case err == nil && opts.Now().Add(renewBefore).Before(ca.cert.NotAfter):
		return ca, false, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, false, err
	}
	if ca, err = New(opts); err != nil {
		return nil, false, err
	}
	if err := ca.save(dir); err != nil {
		return nil, false, err
	}
	return ca, true, nil
}

func load(dir string, opts Options) (*CA, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, certFile))
	if err != nil {
		return nil, fmt.Errorf("localca: read the kept CA: %w", err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, keyFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, badKept(dir, keyFile, "it is missing while "+certFile+" is there")
		}
		return nil, fmt.Errorf("localca: read the kept CA: %w", err)
	}
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, badKept(dir, certFile, "it holds no PEM certificate")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil || !cert.IsCA {
		return nil, badKept(dir, certFile, "it is not a CA certificate")
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil || kb.Type != "PRIVATE KEY" {
		return nil, badKept(dir, keyFile, "it holds no PEM private key")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	key, ok := parsed.(*ecdsa.PrivateKey)
	if err != nil || !ok {
		return nil, badKept(dir, keyFile, "it is not an ECDSA private key")
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, badKept(dir, keyFile, "it is not the key of "+certFile)
	}
	return assemble(cert, key, opts), nil
}

func badKept(dir, name, why string) error {
	return fmt.Errorf("%w: %s: %s; delete %s and %s to make a new CA (clients that trusted the old one must be given the new certificate)",
		ErrBadKeptCA, filepath.Join(dir, name), why, certFile, keyFile)
}

// save writes the CA's certificate and key to dir, each whole or not at
// all (0600).
func (ca *CA) save(dir string) error {
	der, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		return fmt.Errorf("localca: encode the CA key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("localca: keep the CA: %w", err)
	}
	// The key first: a certificate without its key is refused on the next
	// start, a key without its certificate is simply replaced.
	for _, f := range []struct {
		name string
		data []byte
	}{
		{keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})},
		{certFile, ca.CertPEM()},
	} {
		if err := atomicfile.WriteBytes(filepath.Join(dir, f.name), f.data); err != nil {
			return fmt.Errorf("localca: keep the CA: %w", err)
		}
	}
	return nil
}
