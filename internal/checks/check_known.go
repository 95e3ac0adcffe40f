package checks

import (
	"context"
	"strings"
)

// checkKnownIssues is check 8: the guide's known issues. Group
// provisioning and the Delete action are things RudderStack does not
// support; each on gives a warning saying what RudderStack does with them.
func checkKnownIssues(_ context.Context, r *rehearsal) Result {
	var res Result
	p := r.s.Provisioning
	var on []string
	if p.ProvisionGroups {
		on = append(on, "Provision Microsoft Entra ID Groups")
		res.Details = append(res.Details, "Groups: RudderStack has no /Groups endpoint over SCIM (push groups is \"coming soon\") and answers Entra's group requests with 404 Not Found; a 404 to Entra's group query puts the whole provisioning job in quarantine.")
		res.Remediations = append(res.Remediations, blame(r.s, "RudderStack doesn't support groups over SCIM.", "Set it to No.", "provisioning.provision_groups")...)
	}
	if p.Actions.Delete {
		on = append(on, "the Delete action")
		res.Details = append(res.Details, "Delete: RudderStack does not remove users, since that would block every other way they sign in. Entra sends DELETE only for a user permanently deleted while provisioned; RudderStack answers 501 Not Implemented and keeps the user deactivated, and Entra logs NotImplemented and retries.")
		res.Remediations = append(res.Remediations, blame(r.s, "RudderStack doesn't remove users.", "Untick Delete.", "provisioning.actions.delete")...)
	}
	res.Details = append(res.Details, "RudderStack does not support over SCIM: import users or groups, push groups, remove users, sync passwords. Unassigning a user deactivates them in RudderStack: they keep the account but lose access to the organization.")
	if len(on) > 0 {
		res.Status = Warn
		res.Summary = strings.Join(on, " and ") + " on: RudderStack does not support it."
		return res
	}
	res.Status = Pass
	res.Summary = "Group provisioning and the Delete action are off: Entra sends RudderStack only what it supports."
	return res
}
