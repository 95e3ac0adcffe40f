package sp_test

import (
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/sp/cognito"
	"github.com/ssowiz/ssowiz/sp/internal/samltest"
)

func (h *harness) mustSignIn() {
	h.t.Helper()
	if _, page := h.signIn(); page.URL.String() != h.appURL+"/" {
		h.t.Fatalf("sign-in ended at %s: %s", page.URL, page.Body)
	}
}

func TestMetadataIsCachedPerOrgForSixHours(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.mustSignIn()
	h.mustSignIn()
	if n := h.idp.MetadataHits(); n != 1 {
		t.Fatalf("metadata fetched %d times for two sign-ins, want 1", n)
	}
	h.clock.Advance(cognito.DefaultMetadataTTL - time.Minute)
	h.mustSignIn()
	if n := h.idp.MetadataHits(); n != 1 {
		t.Errorf("metadata fetched again before 6 h (%d)", n)
	}
	h.clock.Advance(2 * time.Minute)
	h.mustSignIn()
	if n := h.idp.MetadataHits(); n != 2 {
		t.Errorf("metadata fetched %d times after 6 h, want 2", n)
	}
	// A refresh that fails keeps the cached copy in use.
	h.idp.SetMetadataDown(true)
	h.clock.Advance(cognito.DefaultMetadataTTL + time.Minute)
	h.mustSignIn()
	if n := h.idp.MetadataHits(); n != 3 {
		t.Errorf("metadata fetched %d times, want a third (failed) attempt", n)
	}
}

func TestRotatedCertificateNeedsFreshMetadata(t *testing.T) {
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{})
	h.mustSignIn()

	// The IdP switches to a new key; the pool still holds the old
	// metadata, as Cognito would for up to six hours.
	h.idp.SetUser(alice("Alice Example"), func(r *samltest.Response) { r.Key = keys[1] })
	b := h.browser()
	fields, _ := h.begin(b)
	page := h.post(b, fields)
	h.expectRefused(b, page, "app", cognito.MsgAssertionSignatureInvalid, 1, 1)

	// Once the metadata is fetched again (the IdP now publishes both
	// certificates), the new key is trusted.
	h.idp.SetKeys(keys[0], []*samltest.Key{keys[1]})
	h.srv.Pool().ForgetMetadata(h.org.ID)
	h.mustSignIn()
}

func TestEveryMetadataCertificateIsTrusted(t *testing.T) {
	keys, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{extraCerts: []*samltest.Key{keys[1]}})
	h.mustSignIn()
	h.idp.SetUser(alice("Alice Example"), func(r *samltest.Response) { r.Key = keys[1] })
	h.mustSignIn()
}
