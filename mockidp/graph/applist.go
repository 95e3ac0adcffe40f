package graph

import (
	"net/http"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// servicePrincipalsSet is GET /servicePrincipals: how a script finds an
// enterprise app's service principal from the Application ID it holds
// (`$filter=appId eq '{appId}'`, the form Graph's reference and the SDKs'
// samples use), or by name.
var servicePrincipalsSet = entitySet{
	name: "servicePrincipals", typeName: "microsoft.graph.servicePrincipal", resource: "ServicePrincipal",
	properties: []string{"id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName", "appId",
		"applicationTemplateId", "appOwnerOrganizationId", "appRoleAssignmentRequired", "appRoles", "createdDateTime",
		"displayName", "homepage", "keyCredentials", "loginUrl", "logoutUrl", "notificationEmailAddresses",
		"preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint", "replyUrls", "samlSingleSignOnSettings",
		"servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId", "addIns",
		"endpoints", "info", "oauth2PermissionScopes", "passwordCredentials", "publisherName"},
	filters: map[string][]string{"id": {"eq", "in"}, "appId": {"eq", "in"}, "displayName": {"eq", "in", "startswith"}},
	orderBy: []string{"displayName"},
	maxTop:  999, defaultTop: 100, countNeedsEventual: true,
}

// applicationsSet is GET /applications, the app registrations, found the
// same ways.
var applicationsSet = entitySet{
	name: "applications", typeName: "microsoft.graph.application", resource: "Application",
	// The properties are the app object's own, so the two cannot drift.
	properties: propertyNames(applicationObject(directory.App{}, directory.Tenant{})),
	filters:    map[string][]string{"id": {"eq", "in"}, "appId": {"eq", "in"}, "displayName": {"eq", "in", "startswith"}},
	orderBy:    []string{"displayName"},
	maxTop:     999, defaultTop: 100, countNeedsEventual: true,
}

func (s *Server) listServicePrincipals(w http.ResponseWriter, r *http.Request) {
	s.listApps(w, r, servicePrincipalsSet, func(a directory.App, _ directory.Tenant) (object, error) {
		return s.servicePrincipalObject(r.Context(), a)
	})
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) {
	s.listApps(w, r, applicationsSet, func(a directory.App, t directory.Tenant) (object, error) {
		return applicationObject(a, t), nil
	})
}

// listApps answers a list of the directory's apps in set's shape, each app
// made an object by shape; the query is checked before anything is read.
func (s *Server) listApps(w http.ResponseWriter, r *http.Request, set entitySet, shape func(directory.App, directory.Tenant) (object, error)) {
	q, e := parseList(r, set)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	apps, err := s.dir.Apps(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	t, err := s.dir.Tenant(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(apps))
	for i, a := range apps {
		if all[i], err = shape(a, t); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	s.page(w, r, set, q, all)
}

// propertyNames lists an object's property names, in order.
func propertyNames(o object) []string {
	names := make([]string, len(o))
	for i, f := range o {
		names[i] = f.name
	}
	return names
}
