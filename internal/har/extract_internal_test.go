package har

import "testing"

func TestMayMatterSkipsOnlyBodiesThatCannotHoldTheFlow(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want bool
	}{
		{"script mentioning SAMLResponse", `{"request":{"url":"https://cdn/x.js"},"response":{"content":{"size":9,"mimeType":"application/javascript","text":"var SAMLResponse=\"/sso\";"}}}`, false},
		{"html auto-post form", `{"request":{"url":"https://login/x"},"response":{"content":{"size":9,"mimeType":"text/html","text":"<input name=\"SAMLResponse\">"}}}`, true},
		{"mimeType after text", `{"response":{"content":{"text":"<p>AADSTS50105</p>","mimeType":"text/html; charset=utf-8"}}}`, true},
		{"mimeType after text, not html", `{"response":{"content":{"text":"AADSTS50105","mimeType":"application/json"}}}`, false},
		{"escaped quotes and a fake member name in the body", `{"response":{"content":{"mimeType":"text/css","text":"a\\\"text\\\": \"SAMLRe\\\\\""}},"x":"y"}`, false},
		{"marker outside the body", `{"request":{"url":"https://app/sso"},"response":{"content":{"mimeType":"text/css","text":"x"}}}`, true},
		{"marker in a header", `{"request":{"url":"https://app/x","headers":[{"name":"referer","value":"https://login/saml2?SAMLRequest=x"}]},"response":{"content":{"mimeType":"image/png","text":"AAAA","encoding":"base64"}}}`, true},
		{"base64 html", `{"response":{"content":{"mimeType":"text/html","text":"PGh0bWw+","encoding":"base64"}}}`, true},
		{"base64 image", `{"response":{"content":{"mimeType":"image/png","text":"PGh0bWw+","encoding":"base64"}},"request":{"headers":[{"name":"accept","value":"text/html"}]}}`, false},
		{"no content text", `{"request":{"url":"https://auth2/oauth2/authorize?x"},"response":{"content":{"mimeType":"text/html"}}}`, true},
		{"unrelated, no text", `{"request":{"url":"https://api/v2/x"},"response":{"content":{"mimeType":"text/html"}}}`, false},
	}
	for _, tt := range tests {
		if got := mayMatter([]byte(tt.raw)); got != tt.want {
			t.Errorf("%s: mayMatter = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFactsCognitoPagesOnlyWhereCognitoShowsThem(t *testing.T) {
	page := func(url string, status int) *Entry {
		return &Entry{
			StartedDateTime: "2025-06-02T15:04:05.000Z",
			Request:         Request{Method: "GET", URL: url},
			Response: Response{Status: status, Content: Content{MimeType: "text/html",
				Text: `<html><script>var m="Something went wrong";</script><p>Something went wrong</p></html>`}},
		}
	}
	tests := []struct {
		url    string
		status int
		want   bool
	}{
		{"https://app.rudderstack.com/", 200, false},
		{"https://app.rudderstack.com/sso", 200, false},
		{"https://auth2.rudderstack.com/error", 200, true},
		{"https://auth2.rudderstack.com/saml2/idpresponse", 200, true},
		{"https://app.rudderstack.com/", 500, true},
	}
	for _, tt := range tests {
		f, _ := facts(0, page(tt.url, tt.status))
		if got := len(f.spErrors) > 0; got != tt.want {
			t.Errorf("%s %d: Cognito error found = %v, want %v", tt.url, tt.status, got, tt.want)
		}
	}
}

func TestFactsAADSTSInARedirect(t *testing.T) {
	e := &Entry{
		StartedDateTime: "2025-06-02T15:04:05.000Z",
		Request:         Request{Method: "GET", URL: "https://app.rudderstack.com/sso/callback?error=invalid_request&error_description=AADSTS50011%3A+The+redirect+URI+does+not+match"},
		Response:        Response{Status: 200},
	}
	f, ok := facts(0, e)
	if !ok || len(f.aad) != 1 || f.aad[0].Code != "50011" || len(f.spErrors) != 0 {
		t.Errorf("facts = %+v", f)
	}
}
