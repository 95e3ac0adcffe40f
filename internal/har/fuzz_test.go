package har_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
)

func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"testdata/chrome.har", "testdata/firefox.har", "testdata/safari.har"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(hartest.Flow{}.Bytes())
	f.Add(hartest.Flow{IdPInitiated: true, Base64Pages: true}.Bytes())
	f.Add(hartest.Flow{TruncateResponseForm: true}.Bytes())
	f.Add([]byte(`{"log":{"entries":[{"request":{"url":"https://x/saml2?SAMLRequest=%%%"},"response":{"content":{"mimeType":"text/html","text":"<input name=SAMLResponse value=PHg+"}}}]}}`))
	f.Add([]byte(`{"log":{"entries":[]}}`))
	f.Add([]byte(`[`))
}

// FuzzRead: reading, redacting and writing any input never panics, and
// what Read accepts, Write can write and Read read again.
func FuzzRead(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := har.Read(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, har.ErrNotHAR) {
				t.Fatalf("Read error %v does not wrap ErrNotHAR", err)
			}
			return
		}
		har.Redact(h, har.RedactOptions{})
		var buf bytes.Buffer
		if err := har.Write(&buf, h); err != nil {
			t.Fatalf("Write after Read: %v", err)
		}
		if _, err := har.Read(&buf); err != nil {
			t.Fatalf("Read of written HAR: %v", err)
		}
	})
}

// FuzzAnalyze: the streaming analysis never panics on any input.
func FuzzAnalyze(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := har.Analyze(context.Background(), bytes.NewReader(b), har.Options{})
		if err != nil {
			if !errors.Is(err, har.ErrNotHAR) {
				t.Fatalf("Analyze error %v does not wrap ErrNotHAR", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := rep.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
	})
}
