package sp

import (
	"html/template"
	"net/http"
)

// handleLogout is the app's sign-out: it ends the app session (the
// session row and its cookie) and shows the signed-out page. Entra's
// session is not touched; signing in again may not ask for a password.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	s.endSession(r)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.appURL+SignedOutPath, http.StatusFound)
}

var signedOutTemplate = template.Must(template.New("signed-out").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signed out - RudderStack</title><style>` + pageStyle + `</style></head>
<body><main id="signed-out">
<h1>You are signed out</h1>
<p>{{.Message}}</p>
<p><a href="{{.LoginURL}}">Sign in again</a></p>
</main></body></html>
`))

// handleSignedOut is the page after signing out.
func (s *Server) handleSignedOut(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, signedOutTemplate, map[string]string{
		"LoginURL": s.LoginURL(),
		"Message":  "You are signed out of RudderStack.",
	})
}
