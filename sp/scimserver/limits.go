package scimserver

import (
	"fmt"
	"net/http"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// RudderStack's documented SCIM limits ("Known issues" in the guide), each
// answered with what to change in Entra. The package doc says why each
// status was chosen.

// errGroups answers every request under /Groups.
var errGroups = scim.NewError(http.StatusNotFound, "",
	`RudderStack does not support groups over SCIM yet ("push groups" is coming soon), so there is no /Groups endpoint. `+
		`In Entra, go to Provisioning > Mappings, open "Provision Microsoft Entra ID Groups", set Enabled to No and save; `+
		`otherwise Entra keeps sending group requests, and 404 answers to them can put the provisioning job in quarantine.`)

// errPassword refuses a password in any request.
var errPassword = scim.NewError(http.StatusBadRequest, scim.TypeInvalidValue,
	"RudderStack does not sync passwords: users sign in only through SSO, so the password attribute is refused and nothing was stored. "+
		"Remove the mapping to password in Entra under Provisioning > Mappings > Provision Microsoft Entra ID Users.")

// deleteUser refuses DELETE: RudderStack does not remove users, because
// with SAML that would also block every other way they sign in;
// deactivation is the supported path. The user is left as it is. An
// unknown id is still a 404, so a client can tell the two apart.
func (s *server) deleteUser(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	u, err := s.store.GetUser(r.Context(), c.org.ID, id)
	if err != nil {
		s.writeError(w, r, userLookupError(id, err))
		return
	}
	s.writeError(w, r, notImplemented(fmt.Sprintf(
		"RudderStack does not remove users over SCIM: removing a user would also block every other way they sign in. "+
			"User %s was left unchanged (%s). Deactivation is the supported path, and Entra sends it when the user is unassigned from the app, blocked from signing in, or soft-deleted. "+
			"To stop these requests, in Entra go to Provisioning > Mappings > Provision Microsoft Entra ID Users and untick Delete under Target Object Actions.",
		u.UserName, u.Status())))
}
