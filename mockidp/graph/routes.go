package graph

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Handler serves the token endpoint, the discovery documents and Graph,
// and passes every other request to next (the mock Entra ID's sign-in
// routes), so both share one listener as they share
// login.microsoftonline.com.
func (s *Server) Handler(next http.Handler) http.Handler {
	login := http.NewServeMux()
	login.HandleFunc("/{tenant}/oauth2/v2.0/token", s.handleToken)
	login.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.handleOpenIDConfig)
	login.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.handleKeys)
	if next != nil {
		login.Handle("/", next)
	}
	api := s.apiRoutes()
	prefix := s.graphURL.Path // "/v1.0"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > len(prefix) && strings.EqualFold(p[:len(prefix)+1], prefix+"/") {
			api.ServeHTTP(w, r)
			return
		}
		login.ServeHTTP(w, r)
	})
}

// apiRoutes is the whole Graph surface, with the permissions each route
// accepts (least privileged first, as Graph's reference lists them).
// Graph matches paths without regard to case.
func (s *Server) apiRoutes() http.Handler {
	readUsers := []string{UserReadAll, UserReadWriteAll, DirectoryReadAll, DirectoryReadWriteAll}
	writeUsers := []string{UserReadWriteAll, DirectoryReadWriteAll}
	readGroups := []string{GroupReadAll, GroupReadWriteAll, DirectoryReadAll, DirectoryReadWriteAll}
	writeGroups := []string{GroupReadWriteAll, DirectoryReadWriteAll}
	readMembers := []string{GroupMemberReadAll, GroupReadAll, GroupMemberReadWriteAll, GroupReadWriteAll, DirectoryReadAll, DirectoryReadWriteAll}
	writeMembers := []string{GroupMemberReadWriteAll, GroupReadWriteAll, DirectoryReadWriteAll}

	mux := http.NewServeMux()
	p := s.graphURL.Path
	route := func(path string, methods map[string]http.HandlerFunc) {
		mux.HandleFunc(strings.ToLower(p+path), func(w http.ResponseWriter, r *http.Request) {
			h, ok := methods[r.Method]
			if !ok {
				// Graph's 405, word for word (the JSON batching page's
				// example response, id 4, shows it).
				s.fail(w, r, &apiError{http.StatusMethodNotAllowed, codeBadRequest, "Specified HTTP method is not allowed for the request target.", nil})
				return
			}
			h(w, r)
		})
	}
	route("/users", map[string]http.HandlerFunc{
		http.MethodGet:  s.guard(readUsers, s.listUsers),
		http.MethodPost: s.guard(writeUsers, s.createUser),
	})
	route("/users/{id}", map[string]http.HandlerFunc{
		http.MethodGet:    s.guard(readUsers, s.getUser),
		http.MethodPatch:  s.guard(writeUsers, s.updateUser),
		http.MethodDelete: s.guard(writeUsers, s.deleteUser),
	})
	route("/groups", map[string]http.HandlerFunc{
		http.MethodGet:  s.guard(readGroups, s.listGroups),
		http.MethodPost: s.guard(writeGroups, s.createGroup),
	})
	route("/groups/{id}", map[string]http.HandlerFunc{
		http.MethodGet:    s.guard(readGroups, s.getGroup),
		http.MethodPatch:  s.guard(writeGroups, s.updateGroup),
		http.MethodDelete: s.guard(writeGroups, s.deleteGroup),
	})
	route("/groups/{id}/members", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(readMembers, s.listMembers),
	})
	route("/groups/{id}/members/$ref", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(writeMembers, s.addMember),
	})
	route("/groups/{id}/members/{member}/$ref", map[string]http.HandlerFunc{
		http.MethodDelete: s.guard(writeMembers, s.removeMember),
	})
	apps := []string{ApplicationReadWriteAll, DirectoryReadWriteAll}
	readApps := []string{ApplicationReadWriteAll, DirectoryReadAll, DirectoryReadWriteAll}
	assignments := []string{AppRoleAssignmentReadWrite, DirectoryReadWriteAll}
	policies := []string{PolicyReadWriteAppConfig}
	readPolicies := []string{PolicyReadAll, PolicyReadWriteAppConfig}
	sync := []string{SynchronizationReadWriteAll, ApplicationReadWriteAll}
	route("/applicationTemplates/{id}/instantiate", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(apps, s.instantiate),
	})
	route("/applications", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(readApps, s.listApplications),
	})
	route("/servicePrincipals", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(readApps, s.listServicePrincipals),
	})
	route("/applications/{id}", map[string]http.HandlerFunc{
		http.MethodGet:   s.guard(readApps, s.getApplication),
		http.MethodPatch: s.guard(apps, s.updateApplication),
	})
	route("/servicePrincipals/{id}", map[string]http.HandlerFunc{
		http.MethodGet:   s.guard(readApps, s.getServicePrincipal),
		http.MethodPatch: s.guard(apps, s.updateServicePrincipal),
	})
	route("/servicePrincipals/{id}/addTokenSigningCertificate", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(apps, s.addTokenSigningCertificate),
	})
	route("/servicePrincipals/{id}/appRoleAssignedTo", map[string]http.HandlerFunc{
		http.MethodGet:  s.guard(append(assignments, readApps...), s.listAssignedTo),
		http.MethodPost: s.guard(assignments, s.assign),
	})
	route("/servicePrincipals/{id}/appRoleAssignedTo/{assignment}", map[string]http.HandlerFunc{
		http.MethodDelete: s.guard(assignments, s.unassign),
	})
	route("/policies/claimsMappingPolicies", map[string]http.HandlerFunc{
		http.MethodGet:  s.guard(readPolicies, s.listClaimsPolicies),
		http.MethodPost: s.guard(policies, s.createClaimsPolicy),
	})
	route("/policies/claimsMappingPolicies/{id}", map[string]http.HandlerFunc{
		http.MethodGet:    s.guard(readPolicies, s.getClaimsPolicy),
		http.MethodPatch:  s.guard(policies, s.updateClaimsPolicy),
		http.MethodDelete: s.guard(policies, s.deleteClaimsPolicy),
	})
	route("/policies/claimsMappingPolicies/{id}/appliesTo", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(readPolicies, s.listClaimsPolicyAppliesTo),
	})
	// A service principal's policies need both an application and a
	// policy permission (e.g. Application.ReadWrite.All and
	// Policy.Read.All), as the reference lists them in pairs.
	route("/servicePrincipals/{id}/claimsMappingPolicies", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(apps, s.guard(readPolicies, s.listServicePrincipalClaimsPolicies)),
	})
	route("/servicePrincipals/{id}/claimsMappingPolicies/$ref", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(apps, s.guard(readPolicies, s.assignClaimsPolicy)),
	})
	route("/servicePrincipals/{id}/claimsMappingPolicies/{policy}/$ref", map[string]http.HandlerFunc{
		http.MethodDelete: s.guard(apps, s.guard(readPolicies, s.unassignClaimsPolicy)),
	})
	route("/servicePrincipals/{id}/synchronization/templates", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(sync, s.listSyncTemplates),
	})
	route("/servicePrincipals/{id}/synchronization/jobs", map[string]http.HandlerFunc{
		http.MethodGet:  s.guard(sync, s.listSyncJobs),
		http.MethodPost: s.guard(sync, s.createSyncJob),
	})
	route("/servicePrincipals/{id}/synchronization/jobs/{job}", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(sync, s.getSyncJob),
	})
	route("/servicePrincipals/{id}/synchronization/jobs/{job}/start", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(sync, s.startSyncJob),
	})
	route("/servicePrincipals/{id}/synchronization/jobs/{job}/pause", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(sync, s.pauseSyncJob),
	})
	route("/servicePrincipals/{id}/synchronization/jobs/{job}/restart", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(sync, s.restartSyncJob),
	})
	route("/servicePrincipals/{id}/synchronization/jobs/{job}/provisionOnDemand", map[string]http.HandlerFunc{
		http.MethodPost: s.guard(sync, s.provisionOnDemand),
	})
	route("/servicePrincipals/{id}/synchronization/secrets", map[string]http.HandlerFunc{
		http.MethodPut: s.guard(sync, s.putSyncSecrets),
	})
	auditLogs := []string{AuditLogReadAll}
	route("/auditLogs/signIns", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(auditLogs, s.listSignIns),
	})
	route("/auditLogs/provisioning", map[string]http.HandlerFunc{
		http.MethodGet: s.guard(auditLogs, s.listProvisioning),
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		rest := strings.Trim(strings.TrimPrefix(r.URL.Path, p), "/")
		seg, _, _ := strings.Cut(rest, "/")
		s.fail(w, r, &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg), nil})
	})
	return lowercasePaths(mux)
}

// lowercasePaths routes on the lowercased path, as Graph ignores case in
// its segments; IDs and user principal names compare without case anyway.
// The path as sent is kept for @odata.nextLink.
func lowercasePaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.ToLower(r.URL.Path)
		// /applications(appId='…') and /servicePrincipals(appId='…'),
		// Graph's alternate keys, route as /applications/appid='…'.
		if i := strings.Index(p, "(appid='"); i >= 0 {
			if j := strings.Index(p[i:], "')"); j > 0 {
				p = p[:i] + "/" + p[i+1:i+j+1] + p[i+j+2:]
			}
		}
		if p != r.URL.Path {
			r2 := r.Clone(context.WithValue(r.Context(), sentPathKey{}, r.URL.EscapedPath()))
			r2.URL.Path = p
			r2.URL.RawPath = ""
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

type sentPathKey struct{}

// sentPath is the request's path as the client wrote it.
func sentPath(r *http.Request) string {
	if p, ok := r.Context().Value(sentPathKey{}).(string); ok {
		return p
	}
	return r.URL.EscapedPath()
}
