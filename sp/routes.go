package sp

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/sp/cognito"
)

// routes is the whole surface of the service provider. When the three base
// URLs have different host names, every pattern carries its host, so a
// path answers only on its own host (/scim/v2 on the app host is a 404, as
// is /sso on the API host); when they share one, patterns have no host.
// Host names are compared without ports, as ServeMux matches them.
func (s *Server) routes() http.Handler {
	app, auth, api := hostOf(s.appURL), hostOf(s.authURL), hostOf(s.apiURL)
	if app == auth && auth == api {
		app, auth, api = "", "", ""
	}
	mux := http.NewServeMux()

	// The app: app.rudderstack.com.
	mux.HandleFunc("GET "+app+LoginPath, s.handleLogin)
	mux.HandleFunc("POST "+app+LoginPath, s.handleLogin)
	mux.HandleFunc("GET "+app+CallbackPath, s.handleCallback)
	mux.HandleFunc("GET "+app+"/{$}", s.handleHome)
	mux.HandleFunc("GET "+app+MePath, s.handleMe)
	mux.HandleFunc("GET "+app+LogoutPath, s.handleLogout)
	mux.HandleFunc("POST "+app+LogoutPath, s.handleLogout)
	mux.HandleFunc("GET "+app+SignedOutPath, s.handleSignedOut)

	// The user pool's hosted endpoints: auth2.rudderstack.com. They check
	// methods themselves, to answer as Cognito does (the ACS shows
	// Cognito's page to a GET, not a bare 405).
	mux.HandleFunc(auth+cognito.AuthorizePath, s.pool.Authorize)
	mux.HandleFunc(auth+cognito.ACSPath, s.pool.IDPResponse)
	mux.HandleFunc("GET "+auth+cognito.ErrorPath, s.pool.ErrorPage)
	mux.HandleFunc(auth+cognito.LogoutPath, s.pool.Logout)
	mux.HandleFunc(auth+cognito.SLOPath, s.pool.SingleLogout)

	// The API: api.rudderstack.com.
	scim := s.scimHandler()
	mux.Handle(api+SCIMPath+"/", scim)
	mux.Handle(api+SCIMPath, scim)

	// Everything else is a 404 in the style of the host it was sent to.
	seen := map[string]bool{}
	for _, h := range []struct {
		host string
		fn   http.HandlerFunc
	}{{app, s.notFoundPage}, {auth, s.notFoundPage}, {api, notFoundJSON}} {
		if !seen[h.host] {
			seen[h.host] = true
			mux.HandleFunc(h.host+"/", h.fn)
		}
	}
	// SCIM requests skip the mux: it would answer a Tenant URL typed with a
	// trailing slash (/scim/v2//Users) with a redirect to the cleaned path,
	// which breaks Entra's POSTs and PATCHes; the SCIM server reads its
	// paths itself.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if (api == "" || hostOf("//"+r.Host) == api) && (p == SCIMPath || strings.HasPrefix(p, SCIMPath+"/")) {
			scim.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func hostOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// scimHandler is the configured SCIM server, or a SCIM-shaped 404 when
// there is none.
func (s *Server) scimHandler() http.Handler {
	if s.scim != nil {
		return s.scim
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404",` +
			`"detail":"SCIM is not available on this server."}` + "\n"))
	})
}

func notFoundJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"message":"Not Found"}` + "\n"))
}
