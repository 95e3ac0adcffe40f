package directory

import (
	"context"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // the portal's thumbprint is a SHA-1 of the certificate, not a security control
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// SAMLCertCN is the subject (and issuer) of every SAML signing certificate
// Entra makes for an enterprise application.
const SAMLCertCN = "Microsoft Azure Federated SSO Certificate"

// CertificateYears is how many years a new SAML signing certificate is
// valid by default, and the longest the portal allows.
const CertificateYears = 3

// Certificate is a SAML signing certificate as the portal lists it.
type Certificate struct {
	// Thumbprint is the SHA-1 of the DER certificate in uppercase hex, as
	// the portal shows it; it identifies the certificate.
	Thumbprint string
	// AppID is the application the certificate belongs to; empty for the
	// tenant-wide key.
	AppID string
	// SerialNumber is the 16-byte random serial in uppercase hex.
	SerialNumber string
	// NotBefore and NotAfter bound the validity; the portal calls NotAfter
	// "Expiration".
	NotBefore, NotAfter time.Time
	// Active is true for the one certificate that signs responses.
	Active bool
	// CreatedAt is when it was added.
	CreatedAt time.Time
	// DER is the certificate.
	DER []byte
}

// Base64 is the certificate as the portal's "Certificate (Base64)"
// download and metadata X509Certificate elements carry it, without PEM
// armour.
func (c Certificate) Base64() string { return base64.StdEncoding.EncodeToString(c.DER) }

// PEM is the certificate in PEM form.
func (c Certificate) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// X509 parses the certificate.
func (c Certificate) X509() (*x509.Certificate, error) { return x509.ParseCertificate(c.DER) }

// ValidAt reports whether t is within the certificate's validity.
func (c Certificate) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

// SigningKey is a certificate with its private key (this is a mock, so the
// key is stored in the directory).
type SigningKey struct {
	Certificate
	// Key signs responses and metadata.
	Key *rsa.PrivateKey
}

// Thumbprint returns the portal's thumbprint of a DER certificate.
func Thumbprint(der []byte) string {
	sum := sha1.Sum(der) //nolint:gosec // display identifier, as Entra computes it
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// makeCertificate makes a self-signed RSA-2048, SHA-256 certificate
// shaped like Entra's: X.509 v3 without extensions, subject = issuer =
// CN=cn, a 16-byte random serial. It returns the DER certificate and the
// PKCS #8 key.
func (d *Directory) makeCertificate(cn string, notBefore, notAfter time.Time) (certDER, keyDER []byte, err error) {
	key, err := d.newKey()
	if err != nil {
		return nil, nil, fmt.Errorf("make a signing key: %w", err)
	}
	var serial [16]byte
	if _, err := io.ReadFull(d.rand, serial[:]); err != nil {
		return nil, nil, fmt.Errorf("make a certificate serial: %w", err)
	}
	// Positive and a full 16 bytes long, as Entra's serials are.
	serial[0] = serial[0]&0x7f | 0x40
	tmpl := &x509.Certificate{
		SerialNumber:       new(big.Int).SetBytes(serial[:]),
		Subject:            pkix.Name{CommonName: cn},
		Issuer:             pkix.Name{CommonName: cn},
		NotBefore:          notBefore.UTC().Truncate(time.Second),
		NotAfter:           notAfter.UTC().Truncate(time.Second),
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	certDER, err = x509.CreateCertificate(d.rand, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("make a signing certificate: %w", err)
	}
	keyDER, err = x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode a signing key: %w", err)
	}
	// Keep the parsed key so the first signature does not pay for parsing.
	d.keys.Store(Thumbprint(certDER), key)
	return certDER, keyDER, nil
}

func parseKey(der []byte) (*rsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse a stored signing key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("stored signing key is %T, want RSA", k)
	}
	return rk, nil
}

// key returns the parsed private key of a certificate, parsing it once:
// keys never change for a thumbprint, and parsing costs more than a
// quarter of a signature.
func (d *Directory) key(thumbprint string, der []byte) (*rsa.PrivateKey, error) {
	if k, ok := d.keys.Load(thumbprint); ok {
		return k.(*rsa.PrivateKey), nil
	}
	k, err := parseKey(der)
	if err != nil {
		return nil, err
	}
	d.keys.Store(thumbprint, k)
	return k, nil
}

func certificateFromX509(c *x509.Certificate) Certificate {
	return Certificate{
		Thumbprint:   Thumbprint(c.Raw),
		SerialNumber: strings.ToUpper(hex.EncodeToString(c.SerialNumber.Bytes())),
		NotBefore:    c.NotBefore.UTC(),
		NotAfter:     c.NotAfter.UTC(),
		DER:          c.Raw,
	}
}

// AddCertificate makes a new SAML signing certificate for the app
// ("New Certificate"). notAfter is the expiration date; zero means three
// years from now, the portal's default and maximum. The new certificate is
// Inactive unless the app has no active one; make it active with
// ActivateCertificate to roll over.
func (d *Directory) AddCertificate(ctx context.Context, appID string, notAfter time.Time) (Certificate, error) {
	return d.AddCertificateNamed(ctx, appID, SAMLCertCN, notAfter)
}

// AddCertificateNamed is AddCertificate with the certificate's subject
// common name, as Graph's addTokenSigningCertificate takes it
// (displayName "CN=…"); empty means SAMLCertCN, the portal's.
func (d *Directory) AddCertificateNamed(ctx context.Context, appID, commonName string, notAfter time.Time) (Certificate, error) {
	if strings.TrimSpace(commonName) == "" {
		commonName = SAMLCertCN
	}
	if _, err := d.App(ctx, appID); err != nil {
		return Certificate{}, err
	}
	now := d.now()
	if notAfter.IsZero() {
		notAfter = now.AddDate(CertificateYears, 0, 0)
	}
	if !notAfter.After(now) {
		return Certificate{}, invalid("Expiration Date", "must be in the future")
	}
	if notAfter.After(now.AddDate(CertificateYears, 0, 1)) {
		return Certificate{}, invalid("Expiration Date", "can be at most three years from today")
	}
	var thumb string
	err := d.write(ctx, func(tx *sql.Tx) error {
		var err error
		thumb, err = d.insertCertificate(ctx, tx, appID, commonName, now, notAfter, false)
		return err
	})
	if err != nil {
		return Certificate{}, err
	}
	d.log.Info("signing certificate added", "app", appID, "thumbprint", thumb)
	return d.certificate(ctx, appID, thumb)
}

// insertCertificate adds a certificate row; it is made active when forced
// or when the app has no active certificate.
func (d *Directory) insertCertificate(ctx context.Context, tx *sql.Tx, appID, commonName string, now, notAfter time.Time, forceActive bool) (string, error) {
	certDER, keyDER, err := d.makeCertificate(commonName, now, notAfter)
	if err != nil {
		return "", err
	}
	c, err := x509.ParseCertificate(certDER)
	if err != nil {
		return "", fmt.Errorf("parse the new certificate: %w", err)
	}
	info := certificateFromX509(c)
	active := forceActive
	if !active {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM certificates WHERE app_id = ? AND active = 1`, appID).Scan(&n); err != nil {
			return "", fmt.Errorf("look for the active certificate: %w", err)
		}
		active = n == 0
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (thumbprint, app_id, serial, not_before, not_after, cert_der, key_der, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		info.Thumbprint, appID, info.SerialNumber, formatTime(info.NotBefore), formatTime(info.NotAfter), certDER, keyDER, boolInt(active), formatTime(now)); err != nil {
		return "", fmt.Errorf("store the certificate: %w", err)
	}
	return info.Thumbprint, nil
}

// ActivateCertificate makes the certificate the app's Active one ("Make
// certificate active"); the previously active one becomes Inactive.
func (d *Directory) ActivateCertificate(ctx context.Context, appID, thumbprint string) error {
	thumbprint = normThumbprint(thumbprint)
	err := d.write(ctx, func(tx *sql.Tx) error {
		var notAfter string
		err := tx.QueryRowContext(ctx, `SELECT not_after FROM certificates WHERE app_id = ? AND thumbprint = ?`, appID, thumbprint).Scan(&notAfter)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("certificate %s of app %s: %w", thumbprint, appID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read certificate %s: %w", thumbprint, err)
		}
		if parseTime(notAfter).Before(d.now()) {
			return fmt.Errorf("certificate %s expired on %s; add a new certificate instead: %w", thumbprint, notAfter, ErrWrongState)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET active = (thumbprint = ?) WHERE app_id = ?`, thumbprint, appID); err != nil {
			return fmt.Errorf("activate certificate %s: %w", thumbprint, err)
		}
		return nil
	})
	if err == nil {
		d.log.Info("signing certificate activated", "app", appID, "thumbprint", thumbprint)
	}
	return err
}

// DeleteCertificate removes an inactive certificate; the active one cannot
// be deleted, as in the portal.
func (d *Directory) DeleteCertificate(ctx context.Context, appID, thumbprint string) error {
	thumbprint = normThumbprint(thumbprint)
	return d.write(ctx, func(tx *sql.Tx) error {
		var active bool
		err := tx.QueryRowContext(ctx, `SELECT active FROM certificates WHERE app_id = ? AND thumbprint = ?`, appID, thumbprint).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("certificate %s of app %s: %w", thumbprint, appID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read certificate %s: %w", thumbprint, err)
		}
		if active {
			return fmt.Errorf("certificate %s is the active one; make another certificate active first: %w", thumbprint, ErrWrongState)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM certificates WHERE app_id = ? AND thumbprint = ?`, appID, thumbprint)
		return err
	})
}

// Certificates lists the app's SAML signing certificates, oldest first.
func (d *Directory) Certificates(ctx context.Context, appID string) ([]Certificate, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT thumbprint, serial, not_before, not_after, cert_der, active, created_at FROM certificates WHERE app_id = ? ORDER BY created_at, rowid`, appID)
	if err != nil {
		return nil, fmt.Errorf("list certificates of app %s: %w", appID, err)
	}
	defer rows.Close()
	var out []Certificate
	for rows.Next() {
		c := Certificate{AppID: appID}
		var nb, na, created string
		if err := rows.Scan(&c.Thumbprint, &c.SerialNumber, &nb, &na, &c.DER, &c.Active, &created); err != nil {
			return nil, fmt.Errorf("list certificates of app %s: %w", appID, err)
		}
		c.NotBefore, c.NotAfter, c.CreatedAt = parseTime(nb), parseTime(na), parseTime(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (d *Directory) certificate(ctx context.Context, appID, thumbprint string) (Certificate, error) {
	certs, err := d.Certificates(ctx, appID)
	if err != nil {
		return Certificate{}, err
	}
	for _, c := range certs {
		if c.Thumbprint == thumbprint {
			return c, nil
		}
	}
	return Certificate{}, fmt.Errorf("certificate %s of app %s: %w", thumbprint, appID, ErrNotFound)
}

// SigningKey returns the key that signs the app's responses at time t: the
// active certificate, or, if it has expired, a valid inactive one (as
// Entra falls back). ErrNotFound means none is usable (AADSTS50003).
func (d *Directory) SigningKey(ctx context.Context, appID string, t time.Time) (SigningKey, error) {
	rows, err := d.certRows(ctx, strings.ToLower(appID))
	if err != nil {
		return SigningKey{}, err
	}
	for _, r := range rows {
		if !r.cert.ValidAt(t) {
			continue
		}
		k, err := d.key(r.cert.Thumbprint, r.keyDER)
		if err != nil {
			return SigningKey{}, err
		}
		return SigningKey{Certificate: r.cert, Key: k}, nil
	}
	return SigningKey{}, fmt.Errorf("no valid SAML signing certificate for app %s: %w", appID, ErrNotFound)
}

// certRows reads the app's certificates with their keys, the active one
// first, then by expiry, latest first; cached between writes.
func (d *Directory) certRows(ctx context.Context, appID string) ([]certRow, error) {
	if rows, ok := d.cache.getCerts(appID); ok {
		return rows, nil
	}
	gen := d.cache.generation()
	rows, err := d.db.QueryContext(ctx, `SELECT thumbprint, serial, not_before, not_after, cert_der, key_der, active, created_at FROM certificates WHERE app_id = ? ORDER BY active DESC, not_after DESC`, appID)
	if err != nil {
		return nil, fmt.Errorf("read the signing keys of app %s: %w", appID, err)
	}
	defer rows.Close()
	var out []certRow
	for rows.Next() {
		r := certRow{cert: Certificate{AppID: appID}}
		var nb, na, created string
		if err := rows.Scan(&r.cert.Thumbprint, &r.cert.SerialNumber, &nb, &na, &r.cert.DER, &r.keyDER, &r.cert.Active, &created); err != nil {
			return nil, fmt.Errorf("read the signing keys of app %s: %w", appID, err)
		}
		r.cert.NotBefore, r.cert.NotAfter, r.cert.CreatedAt = parseTime(nb), parseTime(na), parseTime(created)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the signing keys of app %s: %w", appID, err)
	}
	d.cache.putCerts(gen, appID, out)
	return out, nil
}

func normThumbprint(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), ":", ""))
}
