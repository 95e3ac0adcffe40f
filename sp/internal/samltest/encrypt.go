package samltest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // Entra wraps the content key with RSA-OAEP-MGF1P, whose digest is SHA-1.
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"github.com/beevik/etree"
)

// Encrypt wraps a (signed) assertion in an EncryptedAssertion for cert the
// way Entra's token encryption does: AES-256-CBC content, the key wrapped
// with RSA-OAEP-MGF1P.
func Encrypt(assertion *etree.Element, cert *x509.Certificate) (*etree.Element, error) {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("samltest: encryption certificate has no RSA key")
	}
	doc := etree.NewDocument()
	doc.SetRoot(assertion.Copy())
	plaintext, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	_, _ = rand.Read(key)
	_, _ = rand.Read(iv)
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	padded := append(append([]byte{}, plaintext...), make([]byte, pad)...)
	padded[len(padded)-1] = byte(pad)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	ct := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
	wrapped, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, key, nil)
	if err != nil {
		return nil, err
	}
	return parse(`<EncryptedAssertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion">` +
		`<xenc:EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">` +
		`<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>` +
		`<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><e:EncryptedKey xmlns:e="http://www.w3.org/2001/04/xmlenc#">` +
		`<e:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></e:EncryptionMethod>` +
		`<e:CipherData><e:CipherValue>` + base64.StdEncoding.EncodeToString(wrapped) + `</e:CipherValue></e:CipherData></e:EncryptedKey></KeyInfo>` +
		`<xenc:CipherData><xenc:CipherValue>` + base64.StdEncoding.EncodeToString(append(iv, ct...)) + `</xenc:CipherValue></xenc:CipherData>` +
		`</xenc:EncryptedData></EncryptedAssertion>`)
}
