package cognito

import (
	"net/http"

	"github.com/ssowiz/ssowiz/sp/internal/errpage"
)

// errorCodes are the error= values the /error page explains; anything else
// shows as "unknown" rather than echoing the query.
var errorCodes = map[string]string{
	"redirect_mismatch": "The redirect_uri is not one of the app client's callback URLs (compared exactly, trailing slash included).",
	"invalid_request":   "The client_id is missing or is not an app client of this user pool.",
	"logout_mismatch":   "The logout_uri of /logout is not one of the app client's allowed sign-out URLs (compared exactly).",
}

// ErrorPage is the hosted /error page Cognito redirects to when it cannot
// trust the redirect_uri.
func (p *Pool) ErrorPage(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("error")
	hint, ok := errorCodes[code]
	if !ok {
		code, hint = "unknown", p.Hint(MsgPageError)
	}
	p.page(w, http.StatusBadRequest, MsgPageError, code, hint)
}

// page renders the pool's error page. An empty hint is looked up from the
// message.
func (p *Pool) page(w http.ResponseWriter, status int, message, code, hint string) {
	if hint == "" {
		hint = p.Hint(message)
	}
	errpage.Render(w, status, errpage.Page{
		Source: errpage.SourceCognito, Title: "Sign-in error", Message: message, Code: code, Hint: hint,
	})
}
