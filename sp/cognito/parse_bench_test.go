package cognito

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"net/url"
	"runtime"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/ssowiz/ssowiz/internal/cputime"
	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

// validateBench is crewjam's ParseXMLResponse as the ACS calls it, on 64
// responses like the mock Entra's (assertion signed, two attributes), with
// the replay cache off so a response can be read more than once.
type validateBench struct {
	sp   saml.ServiceProvider
	acs  url.URL
	docs [][]byte
	i    int
}

func newValidateBench(b *testing.B) *validateBench {
	f := newFixture(b, nil)
	prov, err := f.pool.provider(context.Background(), f.org)
	if err != nil {
		b.Fatal(err)
	}
	acs, _ := url.Parse(f.pool.ACSURL())
	v := &validateBench{sp: *prov.sp, acs: *acs}
	v.sp.ReplayCache = nil
	for range 64 {
		doc, err := f.idp.Build(samltest.Response{InResponseTo: "_req", ACS: f.pool.ACSURL(), Audience: f.pool.EntityID(),
			NameID: "alice@contoso.com", SignAssertion: true,
			Attrs: []samltest.Attr{{Name: "Email", Values: []string{"alice@contoso.com"}}, {Name: "LastName", Values: []string{"Alice Example"}}}})
		if err != nil {
			b.Fatal(err)
		}
		v.docs = append(v.docs, doc)
	}
	return v
}

func (v *validateBench) next(b *testing.B) {
	if _, err := v.sp.ParseXMLResponse(v.docs[v.i%len(v.docs)], []string{"_req"}, v.acs); err != nil {
		b.Fatal(err)
	}
	v.i++
}

func BenchmarkValidate(b *testing.B) {
	v := newValidateBench(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v.next(b)
	}
}

// BenchmarkValidatePerSignature interleaves BenchmarkValidate's response
// with one RSA-2048 PKCS#1 v1.5 SHA-256 signature, the unit of issue 14's
// sign-in figure, and reports signatures-per-validation: what crewjam's
// checks of one response cost, in signatures taken under the same load.
// As in internal/lab's BenchmarkSSORoundTripPerSignature, the signature's
// CPU is its own thread's (the second of two, the first warming the
// caches the validation left), and the validation's is the process's less
// the signatures', so garbage collection counts for the validation.
func BenchmarkValidatePerSignature(b *testing.B) {
	v := newValidateBench(b)
	key, err := testKey()
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("<Assertion/>"))
	threadCPU := func() time.Duration {
		d, err := cputime.Thread()
		if err != nil {
			b.Skip(err)
		}
		return d
	}
	processCPU := func() time.Duration {
		d, err := cputime.Process()
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	var warmUp, signing time.Duration
	b.ResetTimer()
	start := processCPU()
	for b.Loop() {
		v.next(b)
		runtime.LockOSThread()
		t0 := threadCPU()
		_, err1 := rsa.SignPKCS1v15(rand.Reader, key.Private, crypto.SHA256, digest[:])
		t1 := threadCPU()
		_, err2 := rsa.SignPKCS1v15(rand.Reader, key.Private, crypto.SHA256, digest[:])
		t2 := threadCPU()
		runtime.UnlockOSThread()
		if err := errors.Join(err1, err2); err != nil {
			b.Fatal(err)
		}
		warmUp, signing = warmUp+t1-t0, signing+t2-t1
	}
	validating := processCPU() - start - warmUp - signing
	n := float64(b.N)
	b.ReportMetric(validating.Seconds()/signing.Seconds(), "signatures-per-validation")
	b.ReportMetric(validating.Seconds()*1000/n, "validate-cpu-ms")
	b.ReportMetric(signing.Seconds()*1000/n, "signature-cpu-ms")
}
