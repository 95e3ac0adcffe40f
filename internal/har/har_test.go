package har_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/ssowiz/ssowiz/internal/har"
)

// asAny decodes JSON generically, so two documents can be compared member
// by member regardless of order and spacing.
func asAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return v
}

func TestReadWriteRoundTripsBrowserExports(t *testing.T) {
	for _, name := range []string{"chrome.har", "firefox.har", "safari.har"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			h, err := har.Read(bytes.NewReader(in))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var out bytes.Buffer
			if err := har.Write(&out, h); err != nil {
				t.Fatal(err)
			}
			// Optional members holding "" are not written back (Chrome's
			// serverIPAddress of a failed request); nothing else may change.
			if got, want := asAny(t, out.Bytes()), dropEmptyOptional(asAny(t, in)); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the file:\n got %s\nwant %s", out.Bytes(), in)
			}
		})
	}
}

func TestContentBody(t *testing.T) {
	h, err := har.Read(mustOpen(t, "testdata/chrome.har"))
	if err != nil {
		t.Fatal(err)
	}
	body, truncated := h.Log.Entries[0].Response.Content.Body()
	if string(body) != "<html><body>hi</body></html>" || truncated {
		t.Errorf("Body() = %q, %v", body, truncated)
	}
	c := har.Content{Text: "PGh0bWw+PGJvZHk", Encoding: "base64", Size: 100}
	if body, truncated := c.Body(); string(body) != "<html><body" || !truncated {
		t.Errorf("truncated base64 Body() = %q, %v", body, truncated)
	}
	c = har.Content{Text: "abc", Size: 10}
	if _, truncated := c.Body(); !truncated {
		t.Error("text shorter than size not reported as truncated")
	}
}

// optionalStrings are the optional string members of HAR 1.2.
var optionalStrings = map[string]bool{"serverIPAddress": true, "connection": true, "pageref": true, "comment": true}

func dropEmptyOptional(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, m := range x {
			if s, ok := m.(string); ok && s == "" && optionalStrings[k] {
				delete(x, k)
				continue
			}
			x[k] = dropEmptyOptional(m)
		}
	case []any:
		for i := range x {
			x[i] = dropEmptyOptional(x[i])
		}
	}
	return v
}

func mustOpen(t *testing.T, p string) *os.File {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
