package scimserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// route is the whole SCIM surface under the base path. Endpoint names
// compare ignoring case and empty segments are skipped, so a Tenant URL
// entered with a trailing slash (Entra then asks for /scim/v2//Users)
// still works. The aadOptscim062020 query flag, should Entra forward it, is
// ignored like any unknown parameter.
//
//	/Users                   GET list or filter, POST create
//	/Users/{id}              GET, PUT, PATCH; DELETE is 501 (see the package doc)
//	/Groups[/...]            404: RudderStack has no groups over SCIM
//	/ServiceProviderConfig   GET
//	/ResourceTypes[/{name}]  GET
//	/Schemas[/{id}]          GET
//	/Bulk, /Me, .search      501
func (s *server) route(w http.ResponseWriter, r *http.Request, c *caller) {
	segs, ok := s.segments(r.URL.Path)
	if !ok || len(segs) == 0 {
		s.writeError(w, r, notFound(r.URL.Path))
		return
	}
	if is(segs[0], "Users") {
		// attributes/excludedAttributes shape every answer that carries a
		// User; a bad combination is refused before anything is written.
		if _, err := scim.ParseProjection(r.URL.Query()); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	switch first := segs[0]; {
	case is(first, "Users") && len(segs) == 1:
		s.methods(w, r, map[string]http.HandlerFunc{
			http.MethodGet:  func(w http.ResponseWriter, r *http.Request) { s.listUsers(w, r, c) },
			http.MethodPost: func(w http.ResponseWriter, r *http.Request) { s.createUser(w, r, c) },
		})
	case is(first, "Users") && len(segs) == 2 && segs[1] == ".search",
		is(first, ".search") && len(segs) == 1:
		s.writeError(w, r, notImplemented("Searching with POST .search is not supported; query with GET /Users?filter=... instead."))
	case is(first, "Users") && len(segs) == 2:
		id := segs[1]
		s.methods(w, r, map[string]http.HandlerFunc{
			http.MethodGet:    func(w http.ResponseWriter, r *http.Request) { s.getUser(w, r, c, id) },
			http.MethodPut:    func(w http.ResponseWriter, r *http.Request) { s.replaceUser(w, r, c, id) },
			http.MethodPatch:  func(w http.ResponseWriter, r *http.Request) { s.patchUser(w, r, c, id) },
			http.MethodDelete: func(w http.ResponseWriter, r *http.Request) { s.deleteUser(w, r, c, id) },
		})
	case is(first, "Groups"):
		s.writeError(w, r, errGroups)
	case is(first, "ServiceProviderConfig") && len(segs) == 1:
		s.methods(w, r, map[string]http.HandlerFunc{http.MethodGet: s.serviceProviderConfig})
	case is(first, "ResourceTypes") && len(segs) <= 2:
		s.methods(w, r, map[string]http.HandlerFunc{http.MethodGet: func(w http.ResponseWriter, r *http.Request) { s.resourceTypes(w, r, segs[1:]) }})
	case is(first, "Schemas") && len(segs) <= 2:
		s.methods(w, r, map[string]http.HandlerFunc{http.MethodGet: func(w http.ResponseWriter, r *http.Request) { s.schemas(w, r, segs[1:]) }})
	case is(first, "Bulk") && len(segs) == 1:
		s.writeError(w, r, notImplemented("Bulk operations are not supported (ServiceProviderConfig bulk.supported is false); send one request per resource."))
	case is(first, "Me") && len(segs) == 1:
		s.writeError(w, r, notImplemented("/Me is not supported: personal access tokens act for an organization, not as a SCIM user."))
	default:
		s.writeError(w, r, notFound(r.URL.Path))
	}
}

// segments splits a request path below the base path into its non-empty
// segments. ok is false for a path outside the base path.
func (s *server) segments(path string) ([]string, bool) {
	rest, ok := strings.CutPrefix(path, s.prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return nil, false
	}
	var out []string
	for seg := range strings.SplitSeq(rest, "/") {
		if seg != "" {
			out = append(out, seg)
		}
	}
	return out, true
}

func is(seg, name string) bool { return strings.EqualFold(seg, name) }

// methods dispatches on the request method; another method is a 405 with
// Allow, as a SCIM Error.
func (s *server) methods(w http.ResponseWriter, r *http.Request, byMethod map[string]http.HandlerFunc) {
	if h, ok := byMethod[r.Method]; ok {
		h(w, r)
		return
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if _, ok := byMethod[m]; ok {
			allowed = append(allowed, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	s.writeError(w, r, scim.NewError(http.StatusMethodNotAllowed, "",
		fmt.Sprintf("%s is not allowed on %s; use %s.", r.Method, r.URL.Path, strings.Join(allowed, " or "))))
}

func notFound(path string) *scim.Error {
	return scim.NewError(http.StatusNotFound, "", fmt.Sprintf(
		"There is no SCIM endpoint at %s. This server has /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas under its base URL; Entra's Tenant URL should be the base URL itself (ending in /scim/v2).", path))
}

func notImplemented(detail string) *scim.Error {
	return scim.NewError(http.StatusNotImplemented, "", detail)
}
