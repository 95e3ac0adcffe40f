package graph

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// groupsSet is /groups. The mock's groups are security groups with
// assigned membership.
var groupsSet = entitySet{
	name: "groups", typeName: "microsoft.graph.group", resource: "Group",
	properties: []string{"id", "deletedDateTime", "classification", "createdDateTime", "creationOptions", "description",
		"displayName", "expirationDateTime", "groupTypes", "isAssignableToRole", "mail", "mailEnabled", "mailNickname",
		"membershipRule", "membershipRuleProcessingState", "onPremisesSyncEnabled", "preferredDataLocation",
		"preferredLanguage", "proxyAddresses", "renewedDateTime", "resourceBehaviorOptions",
		"resourceProvisioningOptions", "securityEnabled", "securityIdentifier", "theme", "visibility"},
	filters: map[string][]string{
		"id": {"eq", "in"}, "displayName": {"eq", "in", "startswith"}, "mailNickname": {"eq", "in", "startswith"},
		"securityEnabled": {"eq"}, "mailEnabled": {"eq"}, "description": {"eq", "startswith"},
	},
	orderBy: []string{"displayName"},
	maxTop:  999, defaultTop: 100, countNeedsEventual: true,
}

// membersSet is /groups/{id}/members: directory objects, here users.
var membersSet = entitySet{
	name: "directoryObjects", typeName: "microsoft.graph.directoryObject", resource: "DirectoryObject",
	properties: append([]string{"@odata.type"}, usersSet.properties...),
	defaults:   append([]string{"@odata.type"}, usersSet.defaults...),
	filters:    map[string][]string{"id": {"eq", "in"}, "displayName": {"eq", "startswith"}, "userPrincipalName": {"eq", "startswith"}},
	maxTop:     999, defaultTop: 100, countNeedsEventual: true,
}

// groupObject is a directory group in Graph's shape.
func groupObject(g directory.Group, mailNickname string) object {
	return object{
		{"id", g.ObjectID},
		{"deletedDateTime", nil},
		{"classification", nil},
		{"createdDateTime", graphTime(g.CreatedAt)},
		{"creationOptions", []string{}},
		{"description", str(g.Description)},
		{"displayName", g.DisplayName},
		{"expirationDateTime", nil},
		{"groupTypes", []string{}},
		{"isAssignableToRole", nil},
		{"mail", nil},
		{"mailEnabled", false},
		{"mailNickname", mailNickname},
		{"membershipRule", nil},
		{"membershipRuleProcessingState", nil},
		{"onPremisesSyncEnabled", nil},
		{"preferredDataLocation", nil},
		{"preferredLanguage", nil},
		{"proxyAddresses", []string{}},
		{"renewedDateTime", graphTime(g.CreatedAt)},
		{"resourceBehaviorOptions", []string{}},
		{"resourceProvisioningOptions", []string{}},
		{"securityEnabled", true},
		{"securityIdentifier", securityIdentifier(g.ObjectID)},
		{"theme", nil},
		{"visibility", nil},
	}
}

// securityIdentifier is the SID Entra derives from an object ID:
// S-1-12-1 and the GUID's bytes as four little-endian numbers.
func securityIdentifier(objectID string) any {
	u, err := uuid.Parse(objectID)
	if err != nil {
		return nil
	}
	// A GUID's first three fields are little-endian in its byte form.
	b := u[:]
	le := []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]}
	le = append(le, b[8:]...)
	return fmt.Sprintf("S-1-12-1-%d-%d-%d-%d", binary.LittleEndian.Uint32(le[0:]), binary.LittleEndian.Uint32(le[4:]),
		binary.LittleEndian.Uint32(le[8:]), binary.LittleEndian.Uint32(le[12:]))
}

// mailNickname returns a group's mail nickname: the one given at creation,
// or, for groups made outside Graph, the display name without spaces.
func (s *Server) mailNickname(ctx context.Context, g directory.Group) (string, error) {
	var nick string
	err := s.db.QueryRowContext(ctx, `SELECT mail_nickname FROM group_extras WHERE group_id = ?`, g.ObjectID).Scan(&nick)
	if errors.Is(err, sql.ErrNoRows) {
		return strings.ReplaceAll(g.DisplayName, " ", ""), nil
	}
	return nick, err
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r, groupsSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	groups, err := s.dir.Groups(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(groups))
	for i, g := range groups {
		nick, err := s.mailNickname(r.Context(), g)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		all[i] = groupObject(g, nick)
	}
	s.page(w, r, groupsSet, q, all)
}

func (s *Server) findGroup(r *http.Request) (directory.Group, *apiError) {
	id := r.PathValue("id")
	g, err := s.dir.Group(r.Context(), id)
	if errors.Is(err, directory.ErrNotFound) {
		return directory.Group{}, notFound(id)
	}
	if err != nil {
		return directory.Group{}, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	return g, nil
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	selects, e := parseSelect(r, groupsSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	g, e := s.findGroup(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	nick, err := s.mailNickname(r.Context(), g)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeEntity(w, r, http.StatusOK, groupsSet, selects, groupObject(g, nick))
}

// groupBody is a group POST or PATCH body.
type groupBody struct {
	DisplayName     *string   `json:"displayName"`
	Description     *string   `json:"description"`
	MailNickname    *string   `json:"mailNickname"`
	MailEnabled     *bool     `json:"mailEnabled"`
	SecurityEnabled *bool     `json:"securityEnabled"`
	GroupTypes      *[]string `json:"groupTypes"`
}

func readGroupBody(r *http.Request) (groupBody, *apiError) {
	raw, e := readObject(r)
	if e != nil {
		return groupBody{}, e
	}
	var b groupBody
	targets := map[string]any{"displayName": &b.DisplayName, "description": &b.Description, "mailNickname": &b.MailNickname,
		"mailEnabled": &b.MailEnabled, "securityEnabled": &b.SecurityEnabled, "groupTypes": &b.GroupTypes}
	for k, v := range raw {
		t, ok := targets[k]
		switch {
		case ok:
			if err := json.Unmarshal(v, t); err != nil {
				return b, badValue(k, "Group", "a value of the property's type")
			}
		case strings.HasPrefix(k, "@odata.") || strings.HasPrefix(k, "members@odata.") || strings.HasPrefix(k, "owners@odata."):
			if k != "@odata.type" {
				return b, badRequest(fmt.Sprintf("'%s' is not supported by ssowiz's mock Graph: create the group, then add members with POST /groups/{id}/members/$ref.", k))
			}
		case k == "id" || k == "createdDateTime":
			return b, badRequest(fmt.Sprintf("Property '%s' is read-only and cannot be set.", k))
		default:
			return b, unknownProperty(k, "group")
		}
	}
	return b, nil
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	b, e := readGroupBody(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	for name, missing := range map[string]bool{
		"displayName": b.DisplayName == nil || *b.DisplayName == "", "mailEnabled": b.MailEnabled == nil,
		"mailNickname": b.MailNickname == nil || *b.MailNickname == "", "securityEnabled": b.SecurityEnabled == nil,
	} {
		if missing {
			s.fail(w, r, badRequest(fmt.Sprintf("A value is required for property '%s' of resource 'Group'.", name), errorDetail{"PropertyRequired", name}))
			return
		}
	}
	if b.GroupTypes != nil && len(*b.GroupTypes) > 0 || *b.MailEnabled || !*b.SecurityEnabled {
		// Graph makes Microsoft 365 groups and mail-enabled groups; the
		// mock's directory holds security groups only.
		s.fail(w, r, badRequest("ssowiz's mock Graph creates security groups only: send mailEnabled false, securityEnabled true and no groupTypes."))
		return
	}
	if strings.ContainsAny(*b.MailNickname, " @()\\[]\";:<>,") || len(*b.MailNickname) > 64 {
		s.fail(w, r, badRequest("Invalid value specified for property 'mailNickname' of resource 'Group'.", errorDetail{"InvalidValue", "mailNickname"}))
		return
	}
	desc := ""
	if b.Description != nil {
		desc = *b.Description
	}
	g, err := s.dir.CreateGroup(r.Context(), *b.DisplayName, desc)
	if err != nil {
		s.failDirectory(w, r, err, "Group")
		return
	}
	if _, err := s.db.ExecContext(r.Context(), `INSERT INTO group_extras (group_id, mail_nickname) VALUES (?, ?)`, g.ObjectID, *b.MailNickname); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("graph: group created", "group", g.ObjectID)
	s.writeEntity(w, r, http.StatusCreated, groupsSet, nil, groupObject(g, *b.MailNickname))
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) {
	b, e := readGroupBody(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	g, e := s.findGroup(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	if b.MailEnabled != nil && *b.MailEnabled || b.SecurityEnabled != nil && !*b.SecurityEnabled || b.GroupTypes != nil && len(*b.GroupTypes) > 0 {
		s.fail(w, r, badRequest("ssowiz's mock Graph holds security groups only: mailEnabled, securityEnabled and groupTypes cannot change."))
		return
	}
	ctx := r.Context()
	if b.DisplayName != nil {
		if _, err := s.dir.RenameGroup(ctx, g.ObjectID, *b.DisplayName); err != nil {
			s.failDirectory(w, r, err, "Group")
			return
		}
	}
	if b.Description != nil {
		if _, err := s.dir.SetGroupDescription(ctx, g.ObjectID, *b.Description); err != nil {
			s.failDirectory(w, r, err, "Group")
			return
		}
	}
	if b.MailNickname != nil {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO group_extras (group_id, mail_nickname) VALUES (?, ?)
			ON CONFLICT (group_id) DO UPDATE SET mail_nickname = excluded.mail_nickname`, g.ObjectID, *b.MailNickname); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	s.noContent(w, r)
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	g, e := s.findGroup(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	if err := s.dir.DeleteGroup(r.Context(), g.ObjectID); err != nil {
		s.failDirectory(w, r, err, "Group")
		return
	}
	s.log.Info("graph: group deleted", "group", g.ObjectID)
	s.noContent(w, r)
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r, membersSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	g, e := s.findGroup(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	members, err := s.dir.GroupMembers(r.Context(), g.ObjectID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(members))
	for i, u := range members {
		all[i] = append(object{{"@odata.type", "#microsoft.graph.user"}}, userObject(u)...)
	}
	s.page(w, r, membersSet, q, all)
}

// addMember is POST /groups/{id}/members/$ref with an @odata.id naming the
// user.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	var ref string
	if v, ok := raw["@odata.id"]; !ok || json.Unmarshal(v, &ref) != nil || ref == "" {
		s.fail(w, r, badRequest("The request body must contain an '@odata.id' property with the member's URL, e.g. https://graph.microsoft.com/v1.0/directoryObjects/{id}."))
		return
	}
	id := ref[strings.LastIndex(ref, "/")+1:]
	g, e := s.findGroup(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	u, err := s.dir.User(r.Context(), id)
	if errors.Is(err, directory.ErrNotFound) || err == nil && u.Status != directory.UserActive {
		s.fail(w, r, notFound(id))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	if isMember, err := s.isMember(r.Context(), g.ObjectID, u.ObjectID); err != nil {
		s.internal(w, r, err)
		return
	} else if isMember {
		s.fail(w, r, badRequest("One or more added object references already exist for the following modified properties: 'members'."))
		return
	}
	if err := s.dir.AddGroupMember(r.Context(), g.ObjectID, u.ObjectID); err != nil {
		s.failDirectory(w, r, err, "Group")
		return
	}
	s.log.Info("graph: member added", "group", g.ObjectID, "user", u.ObjectID)
	s.noContent(w, r)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	g, e := s.findGroup(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	id := r.PathValue("member")
	if isMember, err := s.isMember(r.Context(), g.ObjectID, id); err != nil {
		s.internal(w, r, err)
		return
	} else if !isMember {
		s.fail(w, r, notFound(id))
		return
	}
	if err := s.dir.RemoveGroupMember(r.Context(), g.ObjectID, id); err != nil {
		s.failDirectory(w, r, err, "Group")
		return
	}
	s.log.Info("graph: member removed", "group", g.ObjectID, "user", id)
	s.noContent(w, r)
}

func (s *Server) isMember(ctx context.Context, groupID, userID string) (bool, error) {
	members, err := s.dir.GroupMembers(ctx, groupID)
	if err != nil {
		return false, err
	}
	for _, m := range members {
		if strings.EqualFold(m.ObjectID, userID) {
			return true, nil
		}
	}
	return false, nil
}
