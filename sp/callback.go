package sp

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/ssowiz/ssowiz/sp/accounts"
	"github.com/ssowiz/ssowiz/sp/cognito"
	"github.com/ssowiz/ssowiz/sp/internal/errpage"
)

// handleCallback is the app client's redirect_uri. It shows the pool's
// error readably, or exchanges the code, signs the member in just in time
// and starts a session.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// The state cookie is spent whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: CallbackPath, MaxAge: -1, HttpOnly: true, Secure: s.secure})

	if code := q.Get("error"); code != "" {
		message := q.Get("error_description")
		if message == "" {
			message = "The sign-in failed: " + code
		}
		s.appError(w, http.StatusBadRequest, errpage.Page{
			Title: "Single sign-on failed", Message: message, Code: code, Hint: s.pool.Hint(message),
		})
		return
	}
	code, state := q.Get("code"), q.Get("state")
	if code == "" {
		http.Redirect(w, r, s.LoginURL(), http.StatusFound)
		return
	}
	// A code issued for a sign-in this browser started carries its state.
	// (An IdP-initiated sign-in, when the pool allows it, has none.)
	if state != "" {
		c, err := r.Cookie(stateCookie)
		if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
			s.appError(w, http.StatusBadRequest, errpage.Page{
				Title: "Single sign-on failed", Code: "invalid_state",
				Message: "This sign-in was started in another browser or has already been used.",
				Hint:    "Start again at " + s.LoginURL() + " in this browser.",
			})
			return
		}
	}
	ctx := r.Context()
	id, err := s.pool.Exchange(ctx, s.clientID, s.callbackURL, code)
	if err != nil {
		s.log.Info("callback: code exchange refused", "err", err)
		s.appError(w, http.StatusBadRequest, errpage.Page{
			Title: "Single sign-on failed", Code: "invalid_grant",
			Message: "This sign-in link has expired or has already been used.",
			Hint:    "Start again at " + s.LoginURL() + ".",
		})
		return
	}
	user, created, err := s.accounts.SignIn(ctx, id.OrgID, signInAttributes(id))
	switch {
	case errors.Is(err, accounts.ErrUserDeactivated):
		s.deactivated(w, r, id.OrgID, user)
		return
	case err != nil:
		s.log.Error("callback: sign in", "org", id.OrgID, "err", err)
		s.internalError(w)
		return
	}
	if err := s.createSession(ctx, w, session{
		OrgID: id.OrgID, OrgName: id.OrgName, UserID: user.ID, CognitoUsername: id.Username, ProviderName: id.ProviderName,
	}); err != nil {
		s.log.Error("callback", "err", err)
		s.internalError(w)
		return
	}
	s.signIns.put(id.OrgID, user.ID, signInRecord(id, created))
	s.log.Info("signed in", "org", id.OrgID, "user", user.ID, "created", created)
	http.Redirect(w, r, s.appURL+"/", http.StatusFound)
}

// signInAttributes maps the pool's attributes onto the member's profile.
func signInAttributes(id cognito.Identity) accounts.SignInAttributes {
	return accounts.SignInAttributes{
		UserName:    id.NameID,
		Email:       id.Attributes["email"],
		GivenName:   id.Attributes["given_name"],
		FamilyName:  id.Attributes["family_name"],
		DisplayName: id.Attributes["name"],
	}
}

// deactivated shows a member whose access was removed why they cannot
// sign in, and ends any session they still had.
func (s *Server) deactivated(w http.ResponseWriter, r *http.Request, orgID string, u accounts.User) {
	s.endSession(r)
	orgName := "this organization"
	if org, err := s.accounts.GetOrg(r.Context(), orgID); err == nil {
		orgName = org.Name
	}
	who := u.UserName
	if u.Email != "" {
		who = u.Email
	}
	s.appError(w, http.StatusForbidden, errpage.Page{
		Title: "Access removed", Code: "user_deactivated",
		Message: "Your access to " + orgName + " has been removed (" + who + " is deactivated).",
		Hint: "Your account still exists but is deactivated in this organization, so you cannot sign in. " +
			"Access is managed in Microsoft Entra ID: ask an Org Admin to assign you to the RudderStack app again " +
			"(Enterprise applications > (app) > Users and groups), which reactivates you at the next provisioning cycle.",
	})
}
