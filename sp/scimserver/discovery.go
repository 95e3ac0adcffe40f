package scimserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// Discovery schema and resource URNs (RFC 7643 §5, §6, §7).
const (
	schemaSPC          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	// SchemaLimits is this server's extension of its ServiceProviderConfig,
	// stating limits RFC 7643 has no attribute for: maxRequestBytes, the
	// largest request body accepted (larger is 413).
	SchemaLimits = "urn:ssowiz:params:scim:schemas:extension:limits:2.0:ServiceProviderConfig"
)

// unsupportedAttrs are User attributes the server does not offer, left
// out of /Schemas: password (refused, no password sync) and groups (no
// groups over SCIM).
var unsupportedAttrs = []string{"password", "groups"}

// serviceProviderConfig describes what the server really does (RFC 7643
// §5): PATCH yes, bulk no, filter yes up to maxResults, no password
// change, no sorting, ETags yes (meta.version, If-Match, If-None-Match),
// bearer-token authentication with a personal access token.
func (s *server) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	write(w, http.StatusOK, map[string]any{
		"schemas":        []string{schemaSPC, SchemaLimits},
		"patch":          map[string]any{"supported": true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": s.maxResults},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": false},
		"etag":           map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{
			"type":        "oauthbearertoken",
			"name":        "Personal access token",
			"description": "Authorization: Bearer <personal access token>. The token needs the Admin role and must belong to an Org Admin; make one in RudderStack under Settings > Your Profile > Account > Personal access tokens.",
			"primary":     true,
		}},
		SchemaLimits: map[string]any{"maxRequestBytes": s.maxBody},
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     s.base + "/ServiceProviderConfig",
		},
	})
}

// resourceTypes lists the one resource type, User (RFC 7643 §6); Group is
// absent because RudderStack has no groups over SCIM.
func (s *server) resourceTypes(w http.ResponseWriter, r *http.Request, rest []string) {
	user := scim.Resource{
		"schemas":     []any{schemaResourceType},
		"id":          "User",
		"name":        "User",
		"endpoint":    "/Users",
		"description": "User Account",
		"schema":      scim.SchemaUser,
		"schemaExtensions": []any{map[string]any{
			"schema": scim.SchemaEnterpriseUser, "required": false,
		}},
		"meta": map[string]any{"resourceType": "ResourceType", "location": s.base + "/ResourceTypes/User"},
	}
	switch {
	case len(rest) == 0:
		write(w, http.StatusOK, scim.NewListResponse(1, scim.Page{StartIndex: 1, Count: 1}, []scim.Resource{user}))
	case is(rest[0], "User"):
		write(w, http.StatusOK, user)
	case is(rest[0], "Group"):
		s.writeError(w, r, errGroups)
	default:
		s.writeError(w, r, scim.NewError(http.StatusNotFound, "", fmt.Sprintf("There is no resource type %q; this server has only User.", rest[0])))
	}
}

// schemas lists the User schema and the enterprise extension (RFC 7643
// §7), as this server supports them.
func (s *server) schemas(w http.ResponseWriter, r *http.Request, rest []string) {
	all := []*scim.Schema{s.users.Schema}
	all = append(all, s.users.Extensions...)
	var out []scim.Resource
	for _, sc := range all {
		if len(rest) == 1 && !strings.EqualFold(rest[0], sc.ID) {
			continue
		}
		out = append(out, s.schemaResource(sc))
	}
	switch {
	case len(rest) == 0:
		write(w, http.StatusOK, scim.NewListResponse(len(out), scim.Page{StartIndex: 1, Count: len(out)}, out))
	case len(out) == 1:
		write(w, http.StatusOK, out[0])
	default:
		s.writeError(w, r, scim.NewError(http.StatusNotFound, "", fmt.Sprintf("There is no schema %q; this server has %s and %s.", rest[0], scim.SchemaUser, scim.SchemaEnterpriseUser)))
	}
}

func (s *server) schemaResource(sc *scim.Schema) scim.Resource {
	attrs := make([]any, 0, len(sc.Attributes))
	for _, a := range sc.Attributes {
		// RFC 7643 §3.1: id, externalId and meta belong to every resource
		// and are not part of a schema's attributes.
		if sc.ID == scim.SchemaUser && (a.Name == "id" || a.Name == "externalId" || a.Name == "meta") {
			continue
		}
		if sc.ID == scim.SchemaUser && containsFold(unsupportedAttrs, a.Name) {
			continue
		}
		attrs = append(attrs, attrDefinition(a, a.Name == "userName"))
	}
	return scim.Resource{
		"schemas":     []any{schemaSchema},
		"id":          sc.ID,
		"name":        sc.Name,
		"description": sc.Name,
		"attributes":  attrs,
		"meta":        map[string]any{"resourceType": "Schema", "location": s.base + "/Schemas/" + sc.ID},
	}
}

// attrDefinition renders an attribute as RFC 7643 §7 describes it.
func attrDefinition(a *scim.Attribute, unique bool) map[string]any {
	mut := a.Mutability
	if mut == "" {
		mut = scim.ReadWrite
	}
	uniqueness := "none"
	if unique {
		uniqueness = "server"
	}
	d := map[string]any{
		"name":        a.Name,
		"type":        string(a.Type),
		"multiValued": a.MultiValued,
		"required":    a.Required,
		"caseExact":   a.CaseExact,
		"mutability":  string(mut),
		"returned":    "default",
		"uniqueness":  uniqueness,
	}
	if a.Type == scim.TypeReference {
		d["referenceTypes"] = referenceTypes(a.Name)
	}
	if len(a.SubAttributes) > 0 {
		subs := make([]any, 0, len(a.SubAttributes))
		for _, sub := range a.SubAttributes {
			subs = append(subs, attrDefinition(sub, false))
		}
		d["subAttributes"] = subs
	}
	return d
}

// referenceTypes says what a reference attribute points at: manager.$ref a
// User, profileUrl and photos an external URL.
func referenceTypes(name string) []string {
	if name == "$ref" {
		return []string{"User"}
	}
	return []string{"external"}
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
