package mockidp

import (
	"net/http"
	"strings"
)

// routes is the whole surface of the mock Entra ID, mirroring Entra's
// paths. Paths match case-insensitively, as Entra's do (the portal shows
// .../FederationMetadata/2007-06/FederationMetadata.xml in one place and
// the lowercase form in another).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// App Federation Metadata URL (tenant = ID or verified domain).
	mux.HandleFunc("GET /{tenant}/federationmetadata/2007-06/federationmetadata.xml", s.handleMetadata)
	// Login URL: AuthnRequests by HTTP-Redirect (GET) or HTTP-POST.
	mux.HandleFunc("GET /{tenant}/saml2", s.tracked(s.handleSAMLRequest))
	mux.HandleFunc("POST /{tenant}/saml2", s.tracked(s.handleSAMLRequest))
	// The sign-in form posts here (loginfmt, passwd, ctx), as Entra's does.
	mux.HandleFunc("POST /{tenant}/login", s.tracked(s.handleLogin))
	// "Stay signed in?" posts here, as Entra's does (LoginOptions, type=28).
	mux.HandleFunc("POST /kmsi", s.tracked(s.handleKMSI))
	// The portal's Test button in IdP-initiated mode: always an unsolicited
	// response to the default Reply URL.
	mux.HandleFunc("GET /{tenant}/saml2/idpinitiated", s.tracked(s.handleIDPInitiated))
	// The My Apps tile's "User access URL".
	mux.HandleFunc("GET /api/signin/{appid}", s.tracked(s.handleUserAccess))
	return lowercasePaths(mux)
}

// lowercasePaths routes on the lowercased path. Tenant names and app IDs
// are matched case-insensitively by their handlers anyway.
func lowercasePaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := strings.ToLower(r.URL.Path); p != r.URL.Path {
			r2 := r.Clone(r.Context())
			r2.URL.Path = p
			r2.URL.RawPath = ""
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}
