package mockidp

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// flowKind says how a pending sign-in ends.
type flowKind string

const (
	// flowSP answers an AuthnRequest (SP-initiated).
	flowSP flowKind = "sp"
	// flowTile is the My Apps tile: to the Sign on URL if there is one,
	// else an unsolicited response.
	flowTile flowKind = "tile"
	// flowIDP always posts an unsolicited response to the default Reply URL.
	flowIDP flowKind = "idp"
)

// pending is the sign-in in progress, carried from page to page in the
// hidden ctx field as Entra's ctx/flowToken carry it. It is MAC-protected,
// so a browser cannot change the ACS it will be posted to.
type pending struct {
	Kind            flowKind `json:"k"`
	Tenant          string   `json:"t"`
	App             string   `json:"a"`
	ACS             string   `json:"acs,omitempty"`
	RequestID       string   `json:"id,omitempty"`
	Audience        string   `json:"aud,omitempty"`
	RelayState      string   `json:"rs,omitempty"`
	NameIDFormat    string   `json:"nf,omitempty"`
	SPNameQualifier string   `json:"spnq,omitempty"`
	ForceAuthn      bool     `json:"fa,omitempty"`
	Expires         int64    `json:"exp"`
}

// session is the ESTSAUTH cookie's content.
type session struct {
	User     string `json:"u"`
	AuthTime int64  `json:"at"`
	Expires  int64  `json:"exp"`
}

// sessionCookie is named after Entra's session cookie.
const sessionCookie = "ESTSAUTH"

func (s *Server) seal(purpose string, v any) string {
	payload, _ := json.Marshal(v)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac(purpose, p))
}

func (s *Server) open(purpose, token string, v any) bool {
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	want, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(want, s.mac(purpose, p)) {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return false
	}
	return json.Unmarshal(payload, v) == nil
}

func (s *Server) sealFlow(p pending) string {
	p.Expires = s.now().Add(flowLifetime).Unix()
	return s.seal("flow", p)
}

// openFlow returns the pending sign-in of a ctx value, if it is intact and
// not expired.
func (s *Server) openFlow(token string) (pending, bool) {
	var p pending
	if !s.open("flow", token, &p) || s.now().Unix() > p.Expires {
		return pending{}, false
	}
	return p, true
}

// setSession sets the session cookie after a password sign-in. Like
// Entra's, it is SameSite=None; Secure on https; on plain-http loopback it
// falls back to Lax, which browsers still send on the SP's top-level
// redirect to /saml2.
//
// persistent ("Stay signed in?" Yes) gives the cookie an expiry, so it
// outlives the browser session; otherwise it ends with the browser.
func (s *Server) setSession(w http.ResponseWriter, userID string, authTime time.Time, persistent bool) {
	v := s.seal("session", session{User: userID, AuthTime: authTime.UnixMilli(), Expires: authTime.Add(s.session).Unix()})
	c := &http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
	if persistent {
		c.Expires = authTime.Add(s.session)
	}
	if s.secure {
		c.SameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, c)
}

// currentSession returns the signed-in user's session, if any.
func (s *Server) currentSession(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var sess session
	if !s.open("session", c.Value, &sess) || s.now().Unix() > sess.Expires {
		return session{}, false
	}
	return sess, true
}
