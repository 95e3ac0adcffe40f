package graph

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// assignmentID is an appRoleAssignment's id: the principal's object ID in
// base64url, as Graph's are (so it names the principal again).
func assignmentID(principalID string) string {
	u, err := uuid.Parse(principalID)
	if err != nil {
		return principalID
	}
	return base64.RawURLEncoding.EncodeToString(u[:])
}

func principalOf(assignmentID string) string {
	b, err := base64.RawURLEncoding.DecodeString(assignmentID)
	if err != nil || len(b) != 16 {
		return ""
	}
	u, _ := uuid.FromBytes(b)
	return u.String()
}

func assignmentObject(a directory.App, as directory.Assignment) object {
	kind := "User"
	if as.PrincipalType == directory.PrincipalGroup {
		kind = "Group"
	}
	return object{
		{"id", assignmentID(as.PrincipalID)},
		{"deletedDateTime", nil},
		{"appRoleId", UserRoleID},
		{"createdDateTime", nil},
		{"principalDisplayName", as.DisplayName},
		{"principalId", as.PrincipalID},
		{"principalType", kind},
		{"resourceDisplayName", a.Name},
		{"resourceId", a.ServicePrincipalID},
	}
}

func (s *Server) listAssignedTo(w http.ResponseWriter, r *http.Request) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	set := entitySet{name: "servicePrincipals('" + a.ServicePrincipalID + "')/appRoleAssignedTo", typeName: "microsoft.graph.appRoleAssignment",
		resource: "AppRoleAssignment", properties: []string{"id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName",
			"principalId", "principalType", "resourceDisplayName", "resourceId"},
		filters: map[string][]string{"principalId": {"eq"}, "principalType": {"eq"}}, maxTop: 999, defaultTop: 100}
	q, e := parseList(r, set)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	list, err := s.dir.Assignments(r.Context(), a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(list))
	for i, as := range list {
		all[i] = assignmentObject(a, as)
	}
	s.page(w, r, set, q, all)
}

// assign is POST /servicePrincipals/{id}/appRoleAssignedTo: a user or a
// group gets the app's User role, as "Users and groups" > "Add" does.
func (s *Server) assign(w http.ResponseWriter, r *http.Request) {
	raw, a, ok := s.servicePrincipalWrite(w, r)
	if !ok {
		return
	}
	var body struct{ PrincipalID, ResourceID, AppRoleID string }
	for k, v := range raw {
		var dst *string
		switch k {
		case "principalId":
			dst = &body.PrincipalID
		case "resourceId":
			dst = &body.ResourceID
		case "appRoleId":
			dst = &body.AppRoleID
		default:
			if !strings.HasPrefix(k, "@odata.") {
				s.fail(w, r, unknownProperty(k, "appRoleAssignment"))
				return
			}
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			s.fail(w, r, badValue(k, "AppRoleAssignment", "a GUID"))
			return
		}
	}
	for name, v := range map[string]string{"principalId": body.PrincipalID, "resourceId": body.ResourceID, "appRoleId": body.AppRoleID} {
		if v == "" {
			s.fail(w, r, badRequest(fmt.Sprintf("A value is required for property '%s' of resource 'AppRoleAssignment'.", name), errorDetail{"PropertyRequired", name}))
			return
		}
	}
	if !strings.EqualFold(body.ResourceID, a.ServicePrincipalID) {
		s.fail(w, r, badRequest(fmt.Sprintf("Invalid value specified for property 'resourceId' of resource 'AppRoleAssignment': it must be this service principal's id, %s.", a.ServicePrincipalID),
			errorDetail{"InvalidValue", "resourceId"}))
		return
	}
	if role := strings.ToLower(body.AppRoleID); role != UserRoleID && role != msiamAccessRoleID && role != defaultAccessRole {
		s.fail(w, r, badRequest("Permission being assigned was not found on application '"+a.AppID+"'.", errorDetail{"InvalidValue", "appRoleId"}))
		return
	}
	ctx := r.Context()
	existing, err := s.dir.Assignments(ctx, a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, as := range existing {
		if strings.EqualFold(as.PrincipalID, body.PrincipalID) {
			s.fail(w, r, badRequest("Permission being assigned already exists on the object"))
			return
		}
	}
	if err := s.dir.Assign(ctx, a.AppID, body.PrincipalID); err != nil {
		s.failDirectory(w, r, err, "AppRoleAssignment")
		return
	}
	list, err := s.dir.Assignments(ctx, a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, as := range list {
		if strings.EqualFold(as.PrincipalID, body.PrincipalID) {
			s.log.Info("graph: assigned", "app", a.AppID, "principal", as.PrincipalID)
			s.writeOData(w, r, http.StatusCreated, append(object{{"@odata.context", s.graph + "/$metadata#servicePrincipals('" + a.ServicePrincipalID + "')/appRoleAssignedTo/$entity"}},
				assignmentObject(a, as)...))
			return
		}
	}
	s.internal(w, r, fmt.Errorf("the assignment of %s is not in the directory after it was made", body.PrincipalID))
}

func (s *Server) unassign(w http.ResponseWriter, r *http.Request) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	id := r.PathValue("assignment")
	principal := principalOf(id)
	list, err := s.dir.Assignments(r.Context(), a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, as := range list {
		if principal != "" && strings.EqualFold(as.PrincipalID, principal) {
			if err := s.dir.Unassign(r.Context(), a.AppID, as.PrincipalID); err != nil {
				s.failDirectory(w, r, err, "AppRoleAssignment")
				return
			}
			s.noContent(w, r)
			return
		}
	}
	s.fail(w, r, notFound(id))
}
