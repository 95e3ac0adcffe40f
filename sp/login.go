package sp

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/internal/errpage"
)

// oauthScope is what the app asks the pool for.
const oauthScope = "email openid profile"

// handleLogin is /sso: RudderStack's "Sign in with SSO". A GET without an
// email or domain shows the form; with ?email=, ?domain= or a posted email
// it finds the organisation by the email's domain and sends the browser to
// the pool's authorize endpoint with the organisation's identity provider.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			s.appError(w, http.StatusBadRequest, errpage.Page{
				Title: "Sign in with SSO", Message: "The sign-in form could not be read.", Code: "bad_request",
				Hint: "Submit the form at " + s.LoginURL() + " again.",
			})
			return
		}
	}
	email := strings.TrimSpace(r.FormValue("email"))
	domain := strings.TrimSpace(r.FormValue("domain"))
	if email == "" && domain == "" {
		s.renderLoginForm(w, http.StatusOK, "")
		return
	}
	if email != "" {
		at := strings.LastIndexByte(email, '@')
		if at <= 0 || at == len(email)-1 {
			s.renderLoginForm(w, http.StatusBadRequest, "Enter your work email address, such as alice@contoso.com.")
			return
		}
		domain = email[at+1:]
	}
	domain = strings.ToLower(strings.TrimPrefix(domain, "@"))
	org, err := s.accounts.FindOrgByDomain(r.Context(), domain)
	if errors.Is(err, accounts.ErrNotFound) {
		s.appError(w, http.StatusNotFound, errpage.Page{
			Title: "Sign in with SSO", Code: "unknown_domain",
			Message: "No organization is set up for single sign-on with the domain " + domain + ".",
			Hint: "SSO works only for the email domains RudderStack has on record for your organization. " +
				"Check the address you typed; if it is right, ask your Org Admin to have RudderStack add " + domain + " to the organization.",
		})
		return
	}
	if err != nil {
		s.log.Error("sso: find organisation", "domain", domain, "err", err)
		s.internalError(w)
		return
	}
	if org.SSO.ProviderName == "" || org.SSO.MetadataURL == "" {
		s.appError(w, http.StatusConflict, errpage.Page{
			Title: "Sign in with SSO", Code: "sso_not_configured",
			Message: "Single sign-on is not set up yet for " + org.Name + ".",
			Hint: "An admin copies the App Federation Metadata URL from Entra (Enterprise applications > (app) > Single sign-on > " +
				"SAML Certificates) and sends it to the RudderStack team, who configure SSO for the organization.",
		})
		return
	}
	state := randomToken()
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie, Value: state, Path: CallbackPath, HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: 3600,
	})
	q := url.Values{
		"identity_provider": {org.SSO.ProviderName},
		"client_id":         {s.clientID},
		"redirect_uri":      {s.callbackURL},
		"response_type":     {"code"},
		"scope":             {oauthScope},
		"state":             {state},
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.pool.AuthorizeURL()+"?"+q.Encode(), http.StatusFound)
}
