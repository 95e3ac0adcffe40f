package mockidp

import (
	"errors"
	"net/http"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// handleUserAccess is the My Apps tile's "User access URL",
// /api/signin/{appid}?tenantId={tenant}. After sign-in it goes to the
// app's Sign on URL when there is one (SP-initiated mode), and otherwise
// posts an unsolicited response with the app's Relay State.
func (s *Server) handleUserAccess(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenantId")
	if tenant == "" {
		// Without tenantId, My Apps uses the signed-in user's home tenant:
		// this directory's only one.
		t, err := s.dir.Tenant(r.Context())
		if err != nil {
			s.fail(w, r, codeTenantNotFound, msgTenantNotFound(""))
			return
		}
		tenant = t.ID
	}
	s.launch(w, r, tenant, r.PathValue("appid"), flowTile)
}

// handleIDPInitiated is /{tenant}/saml2/idpinitiated?appid={appid}, what
// the portal's Test button does in IdP-initiated mode: an unsolicited
// response to the default Reply URL whatever the Sign on URL says, so an
// SP's "IdP-initiated is not supported" path can be rehearsed.
func (s *Server) handleIDPInitiated(w http.ResponseWriter, r *http.Request) {
	s.launch(w, r, r.PathValue("tenant"), r.URL.Query().Get("appid"), flowIDP)
}

func (s *Server) launch(w http.ResponseWriter, r *http.Request, tenant, appID string, kind flowKind) {
	t, ok := s.tenant(w, r, tenant)
	if !ok {
		return
	}
	app, err := s.dir.App(r.Context(), appID)
	if errors.Is(err, directory.ErrNotFound) {
		s.fail(w, r, codeAppNotFound, msgAppNotFound(appID, t.DisplayName))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	noteApp(r, app.AppID)
	p := pending{Kind: kind, Tenant: t.ID, App: app.AppID}
	if sess, ok := s.currentSession(r); ok && s.resume(w, r, p, sess) {
		return
	}
	s.showPicker(w, r, p, "", "", 0, "")
}
