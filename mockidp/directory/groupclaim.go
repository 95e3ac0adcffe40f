package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// GroupClaimGroups is the group claim's "Which groups associated with the
// user should be returned in the claim?" choice.
type GroupClaimGroups string

// The choices; GroupsNone sends no group claim.
const (
	GroupsNone        GroupClaimGroups = ""
	GroupsSecurity    GroupClaimGroups = "SecurityGroup"
	GroupsAll         GroupClaimGroups = "All"
	GroupsApplication GroupClaimGroups = "ApplicationGroup"
)

// Label is the choice as the portal names it.
func (g GroupClaimGroups) Label() string {
	switch g {
	case GroupsNone:
		return "None"
	case GroupsSecurity:
		return "Security groups"
	case GroupsAll:
		return "All groups"
	case GroupsApplication:
		return "Groups assigned to the application"
	}
	return string(g)
}

// GroupClaimDefaultName is the group claim's wire name unless customised.
const GroupClaimDefaultName = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"

// GroupClaim is Attributes & Claims › "Add a group claim". The directory's
// groups are all cloud-only security groups, so "Security groups" and
// "All groups" send the same groups.
type GroupClaim struct {
	// Groups says which of the user's groups are sent; GroupsNone sends
	// no claim.
	Groups GroupClaimGroups `json:"groups,omitempty"`
	// Names sends the groups' display names instead of their object IDs.
	// Entra offers it ("Cloud-only group display names") only with
	// GroupsApplication.
	Names bool `json:"names,omitempty"`
	// Name and Namespace customise the claim's name ("Customize the name
	// of the group claim"); empty means GroupClaimDefaultName.
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// WireName is the SAML Attribute Name of the group claim.
func (g GroupClaim) WireName() string {
	if g.Name == "" {
		return GroupClaimDefaultName
	}
	return Claim{Name: g.Name, Namespace: g.Namespace}.WireName()
}

// UpdateGroupClaim saves the app's group claim.
func (d *Directory) UpdateGroupClaim(ctx context.Context, appID string, g GroupClaim) (App, error) {
	g.Name, g.Namespace = strings.TrimSpace(g.Name), strings.TrimSpace(g.Namespace)
	var errs []error
	switch g.Groups {
	case GroupsNone, GroupsSecurity, GroupsAll, GroupsApplication:
	default:
		errs = append(errs, invalid("Which groups", fmt.Sprintf("%q is not one of None, Security groups, All groups, Groups assigned to the application", g.Groups)))
	}
	if g.Names && g.Groups != GroupsApplication {
		errs = append(errs, invalid("Source attribute", "cloud-only group display names can be emitted only for groups assigned to the application"))
	}
	if g.Name != "" {
		errs = append(errs, validateClaims([]Claim{{Name: g.Name, Namespace: g.Namespace, Source: "user.objectid"}})...)
	}
	if err := joinErrs(errs); err != nil {
		return App{}, err
	}
	if g.Groups == GroupsNone {
		g = GroupClaim{}
	}
	js, _ := json.Marshal(g)
	res, err := d.exec(ctx, `UPDATE apps SET group_claim = ? WHERE app_id = ?`, string(js), strings.ToLower(appID))
	if err != nil {
		return App{}, fmt.Errorf("save the group claim of %s: %w", appID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return App{}, fmt.Errorf("application %s: %w", appID, ErrNotFound)
	}
	return d.App(ctx, appID)
}

// GroupClaimValues returns what the app's group claim carries for a user:
// the object IDs (or names) of the user's groups the claim covers, sorted
// by name. It is empty when the app has no group claim.
func (d *Directory) GroupClaimValues(ctx context.Context, app App, userID string) ([]string, error) {
	if app.GroupClaim.Groups == GroupsNone {
		return nil, nil
	}
	groups, err := d.UserGroups(ctx, userID)
	if err != nil {
		return nil, err
	}
	var assigned map[string]bool
	if app.GroupClaim.Groups == GroupsApplication {
		as, err := d.Assignments(ctx, app.AppID)
		if err != nil {
			return nil, err
		}
		assigned = map[string]bool{}
		for _, a := range as {
			if a.PrincipalType == PrincipalGroup {
				assigned[a.PrincipalID] = true
			}
		}
	}
	var out []string
	for _, g := range groups {
		if assigned != nil && !assigned[g.ObjectID] {
			continue
		}
		if app.GroupClaim.Names {
			out = append(out, g.DisplayName)
		} else {
			out = append(out, g.ObjectID)
		}
	}
	return out, nil
}
