// Command samlapp is a small SAML app (a service provider built on
// crewjam's samlsp) to try `ssowiz serve` with, as the README's "Test your
// own app" does:
//
//	go run ./examples/samlapp -print-metadata > sp.xml
//	go run ./cmd/ssowiz serve --sp-metadata sp.xml     # prints the app's App Federation Metadata URL
//	go run ./examples/samlapp -idp-metadata 'URL'      # then open http://localhost:3000
//
// Its key is kept in -key, so its metadata stays the same between runs.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/ssowiz/ssowiz/internal/samlapp"
)

func main() {
	root := flag.String("url", "http://localhost:3000", "the app's root `URL`; it listens on its host and port")
	idp := flag.String("idp-metadata", "", "the App Federation Metadata `URL` ssowiz serve printed for this app")
	keyFile := flag.String("key", "samlapp-key.pem", "`file` keeping the app's signing key (made if missing)")
	printMetadata := flag.Bool("print-metadata", false, "print the app's SAML metadata and exit")
	flag.Parse()

	key, err := loadKey(*keyFile)
	if err != nil {
		log.Fatal(err)
	}
	app, err := samlapp.New(samlapp.Options{URL: *root, IDPMetadataURL: *idp, Key: key})
	if err != nil {
		log.Fatal(err)
	}
	if *printMetadata {
		md, err := app.Metadata()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(md))
		return
	}
	if *idp == "" {
		log.Fatal("give -idp-metadata: the App Federation Metadata URL `ssowiz serve --sp-metadata` printed for this app")
	}
	u, _ := url.Parse(*root)
	srv := &http.Server{Addr: u.Host, Handler: app.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("samlapp: open %s and sign in", *root)
	log.Fatal(srv.ListenAndServe())
}

// loadKey reads the PEM key in path, or makes one and writes it there.
func loadKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der := x509.MarshalPKCS1PrivateKey(key)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, fmt.Errorf("keep the key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM key; delete it to make a new one", path)
	}
	return x509.ParsePKCS1PrivateKey(block.Bytes)
}
