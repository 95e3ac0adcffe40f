package cognito

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// BrowserCookie names the cookie that ties a sign-in to the browser that
// started it. /oauth2/authorize sets it (once per browser) and records its
// hash with the pending request; the ACS compares the two before it reads
// the SAML response, so a response posted from any other browser is
// refused without spending its assertion, and the browser that started
// the sign-in can still finish it. The name is ours: Cognito's own cookie
// names are not part of its documented behaviour.
const BrowserCookie = "cognito-sso-browser"

// browserIDBytes is the size of a browser's random ID.
const browserIDBytes = 32

// browserID returns the browser's ID from its cookie, making one (and
// setting the cookie) when it has none or a malformed one. Over HTTPS the
// cookie is SameSite=None and Secure, because the IdP's auto-posted form
// is a cross-site POST (login.microsoftonline.com to the pool's domain);
// over plain HTTP, which serve uses on one loopback address (so the IdP
// and the pool are the same site), it is Lax.
func (p *Pool) browserID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(BrowserCookie); err == nil && validBrowserID(c.Value) {
		return c.Value
	}
	b := make([]byte, browserIDBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	id := base64.RawURLEncoding.EncodeToString(b)
	secure := strings.HasPrefix(p.authURL, "https://")
	same := http.SameSiteLaxMode
	if secure {
		same = http.SameSiteNoneMode
	}
	http.SetCookie(w, &http.Cookie{Name: BrowserCookie, Value: id, Path: "/", HttpOnly: true, Secure: secure, SameSite: same})
	return id
}

func validBrowserID(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == browserIDBytes
}

// browserHash is what the pending request keeps: the ID is a bearer
// handle, like the RelayState, so the database holds only its hash.
func browserHash(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// sameBrowser reports whether the request comes from the browser that
// started the pending sign-in. A pending request saved before binding
// existed (an empty hash, from a database an older ssowiz kept) is not
// bound.
func sameBrowser(r *http.Request, req pending) bool {
	if req.BrowserHash == "" {
		return true
	}
	c, err := r.Cookie(BrowserCookie)
	if err != nil || !validBrowserID(c.Value) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(browserHash(c.Value)), []byte(req.BrowserHash)) == 1
}
