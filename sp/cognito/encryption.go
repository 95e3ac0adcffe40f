package cognito

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// encryptionCertValidity is how long an identity provider's encryption
// certificate is valid; Cognito's are issued for ten years.
const encryptionCertValidity = 10 * 365 * 24 * time.Hour

// EncryptionCertificate returns the certificate the organisation's IdP
// must encrypt assertions to when EncryptedResponses is on (Entra: Token
// encryption > Import certificate). Cognito makes one key pair per IdP; so
// does the pool, on first use, and keeps it in its database.
func (p *Pool) EncryptionCertificate(ctx context.Context, orgID string) (*x509.Certificate, error) {
	_, cert, err := p.encryptionKey(ctx, orgID)
	return cert, err
}

func (p *Pool) encryptionKey(ctx context.Context, orgID string) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, cert, err := p.loadEncryptionKey(ctx, orgID)
	if err == nil {
		return key, cert, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, err
	}
	keyDER, certDER, err := p.makeKeyPair(x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment)
	if err != nil {
		return nil, nil, err
	}
	// Two first uses at once both make a key; the first insert wins and
	// both read it back.
	if _, err := p.db.ExecContext(ctx, `INSERT INTO provider_keys (org_id, key_der, cert_der, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT(org_id) DO NOTHING`, orgID, keyDER, certDER, p.now().UnixNano()); err != nil {
		return nil, nil, fmt.Errorf("save encryption key for organisation %q: %w", orgID, err)
	}
	return p.loadEncryptionKey(ctx, orgID)
}

func (p *Pool) loadEncryptionKey(ctx context.Context, orgID string) (*rsa.PrivateKey, *x509.Certificate, error) {
	var keyDER, certDER []byte
	err := p.db.QueryRowContext(ctx, `SELECT key_der, cert_der FROM provider_keys WHERE org_id = ?`, orgID).Scan(&keyDER, &certDER)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("load encryption key for organisation %q: %w", orgID, err)
	}
	key, err := x509.ParsePKCS1PrivateKey(keyDER)
	if err != nil {
		return nil, nil, fmt.Errorf("encryption key for organisation %q is damaged: %w", orgID, err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, nil, fmt.Errorf("encryption certificate for organisation %q is damaged: %w", orgID, err)
	}
	return key, cert, nil
}

// makeKeyPair makes an RSA-2048 key and a ten-year self-signed
// certificate for it, named after the pool, with the given key usage
// (encryption for an IdP's encrypted responses, signing for the pool's
// LogoutRequests).
func (p *Pool) makeKeyPair(usage x509.KeyUsage) (keyDER, certDER []byte, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, fmt.Errorf("generate a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, fmt.Errorf("generate certificate serial: %w", err)
	}
	now := p.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: p.entityID},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(encryptionCertValidity),
		KeyUsage:     usage,
	}
	certDER, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("make a certificate: %w", err)
	}
	return x509.MarshalPKCS1PrivateKey(key), certDER, nil
}
