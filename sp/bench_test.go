package sp_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// BenchmarkSPSignIn is a whole SP-initiated sign-in over loopback HTTP
// with a fresh browser each time: /sso, /oauth2/authorize, the test IdP
// (one RSA-2048 signature, on the assertion, as Entra signs), the ACS, the
// callback and /. Compare it with BenchmarkRSASign2048: the SP's share is
// everything but that one signature.
func BenchmarkSPSignIn(b *testing.B) {
	h := newHarness(b, harnessOptions{})
	h.mustSignIn() // fetch and cache the metadata
	b.ResetTimer()
	for b.Loop() {
		br := h.browser()
		fields, _ := h.begin(br)
		if page := h.post(br, fields); page.URL.String() != appURL+"/" {
			b.Fatalf("sign-in ended at %s", page.URL)
		}
	}
}

// BenchmarkRSASign2048 is one PKCS#1 v1.5 SHA-256 signature with a
// 2048-bit key, the unit the sign-in cost is measured in.
func BenchmarkRSASign2048(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("ssowiz"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}
