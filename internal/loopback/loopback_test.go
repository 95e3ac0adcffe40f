package loopback

import "testing"

func TestURL(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://localhost:8080/saml2/idpresponse": true,
		"http://LOCALHOST/":                       true,
		"http://127.0.0.1:5556/sso":               true,
		"http://127.1.2.3/":                       true,
		"http://[::1]:9000/x":                     true,
		"https://auth2.rudderstack.com/saml2":     false,
		"https://127.example.com/":                false,
		"http://10.0.0.1/":                        false,
		"http://[::2]/":                           false,
		"not a url \x7f":                          false,
		"/relative/path":                          false,
	} {
		if got := URL(raw); got != want {
			t.Errorf("URL(%q) = %v, want %v", raw, got, want)
		}
	}
}
