package graph

import "net/http"

// servicePrincipalsSet is GET /servicePrincipals: how a script finds an
// enterprise app's service principal from the Application ID it holds
// (`$filter=appId eq '{appId}'`, the form Graph's reference and the SDKs'
// samples use), or by name.
var servicePrincipalsSet = entitySet{
	name: "servicePrincipals", typeName: "microsoft.graph.servicePrincipal", resource: "ServicePrincipal",
	properties: []string{"id", "deletedDateTime", "accountEnabled", "appDisplayName", "appId", "appRoleAssignmentRequired",
		"appRoles", "displayName", "keyCredentials", "loginUrl", "logoutUrl", "notificationEmailAddresses",
		"preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint", "replyUrls", "samlSingleSignOnSettings",
		"servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags"},
	filters: map[string][]string{"id": {"eq", "in"}, "appId": {"eq", "in"}, "displayName": {"eq", "in", "startswith"}},
	orderBy: []string{"displayName"},
	maxTop:  999, defaultTop: 100, countNeedsEventual: true,
}

// applicationsSet is GET /applications, the app registrations, found the
// same ways.
var applicationsSet = entitySet{
	name: "applications", typeName: "microsoft.graph.application", resource: "Application",
	properties: []string{"id", "deletedDateTime", "appId", "createdDateTime", "displayName", "identifierUris",
		"signInAudience", "tags", "web"},
	filters: map[string][]string{"id": {"eq", "in"}, "appId": {"eq", "in"}, "displayName": {"eq", "in", "startswith"}},
	orderBy: []string{"displayName"},
	maxTop:  999, defaultTop: 100, countNeedsEventual: true,
}

func (s *Server) listServicePrincipals(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r, servicePrincipalsSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	apps, err := s.dir.Apps(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(apps))
	for i, a := range apps {
		if all[i], err = s.servicePrincipalObject(r.Context(), a); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	s.page(w, r, servicePrincipalsSet, q, all)
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r, applicationsSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	apps, err := s.dir.Apps(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(apps))
	for i, a := range apps {
		all[i] = applicationObject(a)
	}
	s.page(w, r, applicationsSet, q, all)
}
