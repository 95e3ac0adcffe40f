package localca

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenKeepsTheCA: a second Open of the same directory gives the same
// CA (the same key, so a client that trusted it still does), its key file
// is 0600, and a CA about to end is replaced.
func TestOpenKeepsTheCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, made, err := Open(dir, Options{})
	if err != nil || !made {
		t.Fatalf("first Open: made=%v err=%v, want a new CA", made, err)
	}
	for _, name := range []string{certFile, keyFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", name, fi.Mode().Perm())
		}
	}
	again, made, err := Open(dir, Options{})
	if err != nil || made {
		t.Fatalf("second Open: made=%v err=%v, want the kept CA", made, err)
	}
	if again.SPKIHash() != first.SPKIHash() || string(again.CertPEM()) != string(first.CertPEM()) {
		t.Fatal("the second Open made another CA")
	}
	// The kept CA still issues certificates that verify against the first.
	leaf, err := again.Issue("localhost")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: first.Pool()}); err != nil {
		t.Fatalf("a certificate from the kept CA does not verify against the first: %v", err)
	}

	late := func() time.Time { return time.Now().Add(DefaultValidity - 10*24*time.Hour) }
	renewed, made, err := Open(dir, Options{Now: late})
	if err != nil || !made || renewed.SPKIHash() == first.SPKIHash() {
		t.Fatalf("Open 10 days before the CA ends: made=%v err=%v, want a new CA", made, err)
	}
	if kept, _, _ := Open(dir, Options{Now: late}); kept.SPKIHash() != renewed.SPKIHash() {
		t.Error("the renewed CA was not kept")
	}
}

// TestOpenRefusesABadKeptCA: a kept CA that cannot be used is an error
// naming the file and the fix, never silently replaced.
func TestOpenRefusesABadKeptCA(t *testing.T) {
	other, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		spoil func(dir string) error
		want  string
	}{
		{"key missing", func(dir string) error { return os.Remove(filepath.Join(dir, keyFile)) }, keyFile + ": it is missing"},
		{"cert not PEM", func(dir string) error { return os.WriteFile(filepath.Join(dir, certFile), []byte("garbage"), 0o600) }, certFile + ": it holds no PEM certificate"},
		{"key not PEM", func(dir string) error { return os.WriteFile(filepath.Join(dir, keyFile), []byte("garbage"), 0o600) }, keyFile + ": it holds no PEM private key"},
		{"another CA's certificate", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, certFile), other.CertPEM(), 0o600)
		}, keyFile + ": it is not the key of " + certFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := Open(dir, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := tc.spoil(dir); err != nil {
				t.Fatal(err)
			}
			_, _, err := Open(dir, Options{})
			if !errors.Is(err, ErrBadKeptCA) {
				t.Fatalf("Open = %v, want ErrBadKeptCA", err)
			}
			for _, want := range []string{tc.want, "delete " + certFile + " and " + keyFile} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}
