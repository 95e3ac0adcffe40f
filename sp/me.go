package sp

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/ssowiz/ssowiz/sp/accounts"
)

// Me is who is signed in, as / shows it and /api/me returns it.
type Me struct {
	// Username is the member's userName: the SAML NameID.
	Username string `json:"username"`
	Email    string `json:"email"`
	// LastName is the family_name attribute (Entra's LastName claim,
	// which RudderStack's guide fills with the display name).
	LastName    string `json:"last_name"`
	FirstName   string `json:"first_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	// Role is "admin" or "member"; RoleLabel how the dashboard shows it.
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	// Source is jit, scim or invite; Status active or deactivated.
	Source string `json:"source"`
	Status string `json:"status"`
	// Org is the organisation's name (as it was at sign-in).
	Org   string `json:"org"`
	OrgID string `json:"org_id"`
	// UserID is the member's ID in the organisation.
	UserID string `json:"user_id"`
	// CognitoUsername is the pool's federated user name,
	// "<ProviderName>_<NameID>".
	CognitoUsername  string    `json:"cognito_username"`
	IdentityProvider string    `json:"identity_provider"`
	SignedInAt       time.Time `json:"signed_in_at"`
	// LastSignIn is what the app received and did at the member's last
	// SAML sign-in; omitted when it was not kept (the app restarted).
	LastSignIn *SignInRecord `json:"last_sign_in,omitempty"`
}

// whoAmI loads the member of the request's session. A member deactivated
// since signing in has their session ended and gets ErrUserDeactivated.
func (s *Server) whoAmI(r *http.Request) (Me, accounts.User, error) {
	sess, err := s.sessionOf(r)
	if err != nil {
		return Me{}, accounts.User{}, err
	}
	ctx := r.Context()
	u, err := s.accounts.GetUser(ctx, sess.OrgID, sess.UserID)
	if errors.Is(err, accounts.ErrNotFound) {
		s.endSession(r)
		return Me{}, accounts.User{}, errNoSession
	}
	if err != nil {
		return Me{}, accounts.User{}, err
	}
	if !u.Active {
		s.endSession(r)
		return Me{}, u, accounts.ErrUserDeactivated
	}
	var last *SignInRecord
	if rec, ok := s.signIns.get(sess.OrgID, u.ID); ok {
		last = &rec
	}
	return Me{
		LastSignIn: last,
		Username:   u.UserName, Email: u.Email, LastName: u.FamilyName, FirstName: u.GivenName,
		DisplayName: u.DisplayName, Role: string(u.Role), RoleLabel: u.Role.Label(),
		Source: string(u.Source), Status: u.Status(), Org: sess.OrgName, OrgID: sess.OrgID, UserID: u.ID,
		CognitoUsername: sess.CognitoUsername, IdentityProvider: sess.ProviderName, SignedInAt: sess.CreatedAt.UTC(),
	}, u, nil
}

// handleHome is /: who is signed in, as a page. Without a session it
// sends the browser to /sso, as the app does.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	me, u, err := s.whoAmI(r)
	switch {
	case errors.Is(err, errNoSession):
		http.Redirect(w, r, s.LoginURL(), http.StatusFound)
		return
	case errors.Is(err, accounts.ErrUserDeactivated):
		s.deactivated(w, r, u.OrgID, u)
		return
	case err != nil:
		s.log.Error("home", "err", err)
		s.internalError(w)
		return
	}
	var rec SignInRecord
	if me.LastSignIn != nil {
		rec = *me.LastSignIn
	}
	s.renderHome(w, me, landing(rec, me.LastSignIn != nil, u, me.CognitoUsername))
}

// handleMe is /api/me: the same as / in JSON; 401 without a session, 403
// for a member deactivated since signing in.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	me, _, err := s.whoAmI(r)
	switch {
	case errors.Is(err, errNoSession):
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"error": "unauthenticated", "message": "Not signed in: sign in at " + s.LoginURL() + ".",
		})
	case errors.Is(err, accounts.ErrUserDeactivated):
		writeJSON(w, http.StatusForbidden, map[string]string{
			"error": "user_deactivated", "message": "Your access to the organization has been removed.",
		})
	case err != nil:
		s.log.Error("api/me", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal_error", "message": "Something went wrong."})
	default:
		writeJSON(w, http.StatusOK, me)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
