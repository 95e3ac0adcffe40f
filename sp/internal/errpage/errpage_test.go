package errpage

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRenderThenParse(t *testing.T) {
	want := Page{
		Source: SourceCognito, Title: "Sign-in error",
		Message: "Invalid SAML response received: Invalid user attributes: email: The attribute is required",
		Code:    "server_error", Hint: `Send a claim named "Email" <no namespace> & user.mail.`,
	}
	rec := httptest.NewRecorder()
	Render(rec, http.StatusBadRequest, want)
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	got, ok := Parse(rec.Body.Bytes())
	if !ok || got != want {
		t.Errorf("Parse = %+v (ok %v)\nwant    %+v", got, ok, want)
	}
}

func TestParseRejectsOtherPages(t *testing.T) {
	for _, body := range []string{
		"",
		"<html><body><h1>Signed in</h1></body></html>",
		`{"error":"unauthenticated"}`,
		// The id's name in text is not the element.
		`<html><body><p>See error-message below.</p></body></html>`,
	} {
		if p, ok := Parse([]byte(body)); ok {
			t.Errorf("Parse(%q) = %+v, true; want false", body, p)
		}
	}
}
