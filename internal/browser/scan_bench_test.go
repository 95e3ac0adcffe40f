package browser

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// signInPages are the pages of one sign-in against the lab's mocks, in
// order: RudderStack's SSO form, Entra's account picker and password
// page, the auto-posting response page and RudderStack's home page.
var signInPages = []string{"login", "picker", "password", "post", "home"}

func readSignInPage(t testing.TB, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "signin", name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// BenchmarkNewPage is the browser's reading of every page of a sign-in.
func BenchmarkNewPage(b *testing.B) {
	u, _ := url.Parse("https://login.microsoftonline.com/t/login")
	h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	var bodies [][]byte
	size := 0
	for _, name := range signInPages {
		body := readSignInPage(b, name)
		bodies = append(bodies, body)
		size += len(body)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			if _, err := newPage(u, &http.Response{StatusCode: 200, Header: h}, body); err != nil {
				b.Fatal(err)
			}
		}
	}
}
