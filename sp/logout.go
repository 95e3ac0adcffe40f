package sp

import (
	"html/template"
	"net/http"

	"github.com/ssowiz/ssowiz/internal/store"
)

// signedOutViaIdP marks the signed-out URL the app gives the user pool when
// the member's organisation has the sign-out flow on, so the page can say
// that Entra was asked to end its session too. Both forms are allowed
// sign-out URLs of the app client.
const signedOutViaIdP = "?idp=1"

// handleLogout is the app's Sign out: it ends the app session (the session
// row and its cookie) and sends the browser to the user pool's /logout,
// which ends the pool's session and, when the organisation's IdP has
// Cognito's sign-out flow on, runs SAML single sign-out with Entra before
// landing on the signed-out page.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	viaIdP := false
	if sess, err := s.sessionOf(r); err == nil {
		if org, err := s.accounts.GetOrg(store.Short(r.Context()), sess.OrgID); err == nil {
			viaIdP = org.SSO.IDPSignout
		}
	}
	s.endSession(r)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	to := s.appURL + SignedOutPath
	if viaIdP {
		to += signedOutViaIdP
	}
	http.Redirect(w, r, s.pool.LogoutURL(s.clientID, to), http.StatusFound)
}

var signedOutTemplate = template.Must(template.New("signed-out").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signed out - RudderStack</title><style>` + pageStyle + `</style></head>
<body><main id="signed-out">
<h1>You are signed out</h1>
<p>{{.Message}}</p>
<p id="entra-session" class="{{.Class}}">{{.Entra}}</p>
<p><a href="{{.LoginURL}}">Sign in again</a></p>
</main></body></html>
`))

// handleSignedOut is the page after signing out. It says what happened to
// Entra's session, which the app's own sign-out does not touch: with the
// sign-out flow off (RudderStack's setting), a new sign-in may pass
// through Entra without a password.
func (s *Server) handleSignedOut(w http.ResponseWriter, r *http.Request) {
	data := map[string]string{
		"LoginURL": s.LoginURL(),
		"Message":  "You are signed out of RudderStack.",
		"Class":    "entra-still-signed-in",
		"Entra": "Your Microsoft Entra ID session is still active, so signing in again may not ask for your password: " +
			"RudderStack does not use single sign-out (SAML SLO); sign out of your Microsoft account or close the browser to end it. " +
			"To rehearse SLO, start ssowiz serve --single-logout (Cognito's sign-out flow, with Entra's Logout Url set to " + s.pool.SLOURL() +
			"): Entra then ends its session too, though Cognito cannot take Entra's answer, which comes by redirect.",
	}
	if r.URL.Query().Get("idp") == "1" {
		data["Class"] = "entra-signed-out"
		data["Entra"] = "Microsoft Entra ID ended its session too (single sign-out), so the next sign-in asks for your password again."
	}
	render(w, http.StatusOK, signedOutTemplate, data)
}
