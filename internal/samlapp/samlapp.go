// Package samlapp is a small SAML service provider built on crewjam's
// samlsp, the kind of app a developer points at the mock Entra ID: its
// home page needs a signed-in user and greets them with the claims it
// received. The README's worked example runs it (examples/samlapp), and
// tests use it as a third-party SP that validates the mock's responses
// strictly.
package samlapp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// Options configures New.
type Options struct {
	// URL is the app's root URL, e.g. http://localhost:3000. The SP's
	// entity ID is URL/saml/metadata and its ACS URL/saml/acs.
	URL string
	// IDPMetadataURL is the App Federation Metadata URL of the app in the
	// mock Entra ID. It is fetched at the first sign-in, so the app can
	// start (and publish its own metadata) before the IdP knows it.
	IDPMetadataURL string
	// Key signs the SP's requests and is published in its metadata; nil
	// makes one.
	Key *rsa.PrivateKey
	// HTTPClient fetches the IdP metadata; nil means a client with a
	// timeout.
	HTTPClient *http.Client
	// AllowIDPInitiated accepts responses the SP did not ask for.
	AllowIDPInitiated bool
}

// App is the service provider.
type App struct {
	opts Options
	mw   *samlsp.Middleware
	mu   sync.Mutex
	// ready is set once the IdP's metadata is in.
	ready bool
}

// New builds the app; nothing is fetched until the first sign-in.
func New(opts Options) (*App, error) {
	root, err := url.Parse(opts.URL)
	if err != nil || root.Host == "" {
		return nil, fmt.Errorf("samlapp: %q is not an absolute URL like http://localhost:3000", opts.URL)
	}
	if opts.Key == nil {
		if opts.Key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("samlapp: make a key: %w", err)
		}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	cert, err := selfSigned(opts.Key, root.Host)
	if err != nil {
		return nil, err
	}
	mw, err := samlsp.New(samlsp.Options{
		URL: *root, Key: opts.Key, Certificate: cert, AllowIDPInitiated: opts.AllowIDPInitiated,
		// Replaced by the IdP's own at the first sign-in.
		IDPMetadata: &saml.EntityDescriptor{},
	})
	if err != nil {
		return nil, fmt.Errorf("samlapp: %w", err)
	}
	// crewjam's default logs the whole response; say why it was refused
	// without the assertion, which is a credential.
	mw.OnError = func(w http.ResponseWriter, _ *http.Request, err error) {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) {
			err = ire.PrivateErr
		}
		http.Error(w, "The sign-in was refused: "+err.Error(), http.StatusForbidden)
	}
	return &App{opts: opts, mw: mw}, nil
}

// Metadata is the SP's SAML metadata, as Entra's "Upload metadata file"
// takes it.
func (a *App) Metadata() ([]byte, error) {
	b, err := xml.MarshalIndent(a.mw.ServiceProvider.Metadata(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("samlapp: encode the metadata: %w", err)
	}
	return b, nil
}

// Handler serves /saml/ (metadata, ACS) and the home page, which needs a
// signed-in user.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/saml/metadata", a.mw)
	mux.Handle("/saml/", a.withIDP(a.mw))
	mux.Handle("/", a.withIDP(a.mw.RequireAccount(http.HandlerFunc(a.home))))
	return mux
}

// withIDP fetches the IdP's metadata before the first request that needs
// it.
func (a *App) withIDP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.loadIDP(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *App) loadIDP(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ready {
		return nil
	}
	if a.opts.IDPMetadataURL == "" {
		return fmt.Errorf("samlapp: no IdP metadata URL: start the app with the App Federation Metadata URL ssowiz serve printed")
	}
	u, err := url.Parse(a.opts.IDPMetadataURL)
	if err != nil {
		return fmt.Errorf("samlapp: the IdP metadata URL: %w", err)
	}
	md, err := samlsp.FetchMetadata(ctx, a.opts.HTTPClient, *u)
	if err != nil {
		return fmt.Errorf("samlapp: fetch the IdP metadata from %s: %w", a.opts.IDPMetadataURL, err)
	}
	a.mw.ServiceProvider.IDPMetadata = md
	a.ready = true
	return nil
}

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html><head><title>Signed in</title></head><body>
<h1>Hello, {{.Name}}</h1>
<p>You are signed in to this SAML app through the mock Entra ID.</p>
<table>{{range .Attrs}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>{{end}}</table>
</body></html>
`))

// home greets the signed-in user and lists the claims received.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	type attr struct{ Name, Value string }
	var view struct {
		Name  string
		Attrs []attr
	}
	if s, ok := samlsp.SessionFromContext(r.Context()).(samlsp.SessionWithAttributes); ok {
		for name, values := range s.GetAttributes() {
			for _, v := range values {
				view.Attrs = append(view.Attrs, attr{name, v})
			}
		}
	}
	sort.Slice(view.Attrs, func(i, j int) bool { return view.Attrs[i].Name < view.Attrs[j].Name })
	view.Name = samlsp.AttributeFromContext(r.Context(), "http://schemas.microsoft.com/identity/claims/displayname")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	homePage.Execute(w, view)
}

func selfSigned(key *rsa.PrivateKey, host string) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("samlapp: make a certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}
