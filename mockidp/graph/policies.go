package graph

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// nameIdentifierClaim is the SamlClaimType that makes a schema entry the
// Name ID (Unique User Identifier).
const nameIdentifierClaim = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"

// claimsPolicy is a ClaimsMappingPolicy definition, the part the mock
// applies: user attributes as SAML claims and the Name ID.
type claimsPolicy struct {
	ClaimsMappingPolicy struct {
		Version              int    `json:"Version"`
		IncludeBasicClaimSet string `json:"IncludeBasicClaimSet"`
		ClaimsSchema         []struct {
			Source        string `json:"Source"`
			ID            string `json:"ID"`
			SamlClaimType string `json:"SamlClaimType"`
			JwtClaimType  string `json:"JwtClaimType"`
		} `json:"ClaimsSchema"`
	} `json:"ClaimsMappingPolicy"`
}

// claims turns the policy into the app's Name ID and Additional claims,
// as the Attributes & Claims screen holds them.
func (p claimsPolicy) claims(current directory.NameIDConfig) (directory.NameIDConfig, []directory.Claim, error) {
	nameID := current
	var claims []directory.Claim
	for i, c := range p.ClaimsMappingPolicy.ClaimsSchema {
		if !strings.EqualFold(c.Source, "user") || c.ID == "" {
			return nameID, nil, fmt.Errorf("ClaimsSchema[%d]: ssowiz's mock maps user attributes only (Source \"user\" with an ID such as \"mail\")", i)
		}
		source := "user." + strings.ToLower(c.ID)
		switch {
		case strings.EqualFold(c.SamlClaimType, nameIdentifierClaim):
			nameID.Source = source
		case c.SamlClaimType == "":
			return nameID, nil, fmt.Errorf("ClaimsSchema[%d]: a SAML app's claim needs a SamlClaimType", i)
		default:
			cl := directory.Claim{Name: c.SamlClaimType, Source: source}
			if i := strings.LastIndex(c.SamlClaimType, "/"); i > 0 && strings.Contains(c.SamlClaimType, "://") {
				cl.Namespace, cl.Name = c.SamlClaimType[:i], c.SamlClaimType[i+1:]
			}
			claims = append(claims, cl)
		}
	}
	return nameID, claims, nil
}

// The claims mapping policy routes follow Microsoft Graph v1.0's
// reference pages claimsmappingpolicy-{post-claimsmappingpolicies,list,get,
// update,delete} and serviceprincipal-{post,list,delete}-claimsmappingpolicies
// (microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/api):
// 201 with the object on create, 200 with @odata.context on reads, 204 on
// update, delete, assign and remove. The examples are the fixtures in
// testdata/claimsmappingpolicy-*.json.

// policyRow is a stored claims mapping policy.
type policyRow struct {
	id, name, definition string
}

// policySet is the claims mapping policy collection for the query
// options; name is the collection's @odata.context.
func policySet(name string) entitySet {
	return entitySet{name: name, typeName: "microsoft.graph.claimsMappingPolicy", resource: "ClaimsMappingPolicy",
		properties: []string{"id", "deletedDateTime", "definition", "displayName", "isOrganizationDefault"},
		filters:    map[string][]string{"id": {"eq"}, "displayName": {"eq", "startswith"}},
		maxTop:     999, defaultTop: 100}
}

// policyObject is a policy as Graph returns it. Graph gives each one an
// @odata.id on its legacy directoryObjects path (all four examples do).
func (s *Server) policyObject(ctx context.Context, p policyRow) (object, error) {
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	return object{
		{"@odata.id", s.graphURL.Scheme + "://" + s.graphURL.Host + "/v2/" + t.ID + "/directoryObjects/" + p.id + "/Microsoft.DirectoryServices.ClaimsMappingPolicy"},
		{"id", p.id}, {"deletedDateTime", nil}, {"definition", []string{p.definition}}, {"displayName", p.name}, {"isOrganizationDefault", false},
	}, nil
}

// claimsPolicies reads policies, oldest first; query is the statement
// after the SELECT's column list.
func (s *Server) claimsPolicies(ctx context.Context, query string, args ...any) ([]policyRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.display_name, p.definition FROM claims_policies p `+query+` ORDER BY p.created_at, p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []policyRow
	for rows.Next() {
		var p policyRow
		if err := rows.Scan(&p.id, &p.name, &p.definition); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// claimsPolicy finds the policy the path's {id} names.
func (s *Server) claimsPolicy(r *http.Request) (policyRow, *apiError) {
	id := strings.ToLower(r.PathValue("id"))
	ps, err := s.claimsPolicies(r.Context(), `WHERE p.id = ?`, id)
	if err != nil {
		return policyRow{}, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	if len(ps) == 0 {
		return policyRow{}, notFound(r.PathValue("id"))
	}
	return ps[0], nil
}

// parseDefinition checks a definition as create and update take it: one
// JSON string holding a ClaimsMappingPolicy the mock can apply.
func parseDefinition(raw json.RawMessage) (string, claimsPolicy, *apiError) {
	var defs []string
	var p claimsPolicy
	if err := json.Unmarshal(raw, &defs); err != nil || len(defs) != 1 {
		return "", p, badRequest("Property definition has an invalid value: it must be a collection of one JSON string holding {\"ClaimsMappingPolicy\": {...}}.", errorDetail{"InvalidValue", "definition"})
	}
	if err := json.Unmarshal([]byte(defs[0]), &p); err != nil || p.ClaimsMappingPolicy.Version != 1 {
		return "", p, badRequest("Property definition has an invalid value: it must be one JSON string holding {\"ClaimsMappingPolicy\": {\"Version\": 1, ...}}.", errorDetail{"InvalidValue", "definition"})
	}
	if _, _, err := p.claims(directory.DefaultNameID()); err != nil {
		return "", p, badRequest("Property definition has an invalid value: "+err.Error(), errorDetail{"InvalidValue", "definition"})
	}
	return defs[0], p, nil
}

// createClaimsPolicy is POST /policies/claimsMappingPolicies.
func (s *Server) createClaimsPolicy(w http.ResponseWriter, r *http.Request) {
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	p, e := policyFields(raw, policyRow{})
	if e != nil {
		s.fail(w, r, e)
		return
	}
	for _, f := range []struct{ name, value string }{{"definition", p.definition}, {"displayName", p.name}} {
		if f.value == "" {
			s.fail(w, r, badRequest(fmt.Sprintf("A value is required for property '%s' of resource 'ClaimsMappingPolicy'.", f.name), errorDetail{"PropertyRequired", f.name}))
			return
		}
	}
	id, err := s.newGUID()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	p.id = id
	if _, err := s.db.ExecContext(r.Context(), `INSERT INTO claims_policies (id, display_name, definition, created_at) VALUES (?, ?, ?, ?)`,
		id, p.name, p.definition, formatTime(s.now())); err != nil {
		s.internal(w, r, err)
		return
	}
	o, err := s.policyObject(r.Context(), p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusCreated, append(object{{"@odata.context", s.graph + "/$metadata#policies/claimsMappingPolicies/$entity"}}, o...))
}

// policyFields applies a create or update body to p: displayName and
// definition; isOrganizationDefault true (a tenant-wide default) and
// description are not held by the mock and refused.
func policyFields(raw map[string]json.RawMessage, p policyRow) (policyRow, *apiError) {
	for k, v := range raw {
		switch k {
		case "displayName":
			if json.Unmarshal(v, &p.name) != nil || strings.TrimSpace(p.name) == "" {
				return p, badValue(k, "ClaimsMappingPolicy", "a non-empty string")
			}
		case "definition":
			def, _, e := parseDefinition(v)
			if e != nil {
				return p, e
			}
			p.definition = def
		case "isOrganizationDefault":
			var on bool
			if json.Unmarshal(v, &on) != nil {
				return p, badValue(k, "ClaimsMappingPolicy", "true or false")
			}
			if on {
				return p, unsupportedProperty(k, "ClaimsMappingPolicy")
			}
		case "description":
			return p, unsupportedProperty(k, "ClaimsMappingPolicy")
		default:
			if !strings.HasPrefix(k, "@odata.") {
				return p, unknownProperty(k, "claimsMappingPolicy")
			}
		}
	}
	return p, nil
}

// listClaimsPolicies is GET /policies/claimsMappingPolicies.
func (s *Server) listClaimsPolicies(w http.ResponseWriter, r *http.Request) {
	s.listPolicies(w, r, policySet("policies/claimsMappingPolicies"), "")
}

// listServicePrincipalClaimsPolicies is GET
// /servicePrincipals/{id}/claimsMappingPolicies: the one assigned, or none.
func (s *Server) listServicePrincipalClaimsPolicies(w http.ResponseWriter, r *http.Request) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	s.listPolicies(w, r, policySet("Collection(microsoft.graph.claimsMappingPolicy)"),
		`JOIN policy_assignments pa ON pa.policy_id = p.id WHERE pa.sp_object_id = ?`, a.ServicePrincipalID)
}

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, set entitySet, query string, args ...any) {
	q, e := parseList(r, set)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ps, err := s.claimsPolicies(r.Context(), query, args...)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(ps))
	for i, p := range ps {
		if all[i], err = s.policyObject(r.Context(), p); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	s.page(w, r, set, q, all)
}

// getClaimsPolicy is GET /policies/claimsMappingPolicies/{id}.
func (s *Server) getClaimsPolicy(w http.ResponseWriter, r *http.Request) {
	set := policySet("policies/claimsMappingPolicies")
	selects, e := parseSelect(r, set)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	p, e := s.claimsPolicy(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	o, err := s.policyObject(r.Context(), p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	ctx := s.graph + "/$metadata#policies/claimsMappingPolicies/$entity"
	if len(selects) > 0 {
		ctx = s.graph + "/$metadata#policies/claimsMappingPolicies(" + strings.Join(selects, ",") + ")/$entity"
	}
	s.writeOData(w, r, http.StatusOK, append(object{{"@odata.context", ctx}}, s.shape(o, set, selects)...))
}

// updateClaimsPolicy is PATCH /policies/claimsMappingPolicies/{id}. A new
// definition reaches every service principal the policy is assigned to,
// so their next sign-in issues its claims.
func (s *Server) updateClaimsPolicy(w http.ResponseWriter, r *http.Request) {
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	cur, e := s.claimsPolicy(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	p, e := policyFields(raw, cur)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ctx := r.Context()
	if p.definition != cur.definition {
		assigned, err := s.policyAssignments(ctx, p.id)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		apps, e := s.appsBySP(r)
		if e != nil {
			s.fail(w, r, e)
			return
		}
		for _, as := range assigned {
			a, ok := apps[as.spID]
			if !ok {
				continue // the enterprise app is gone; the stale row changes nothing
			}
			if e := s.applyPolicy(ctx, a, p.definition, as.previous); e != nil {
				s.fail(w, r, e)
				return
			}
		}
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE claims_policies SET display_name = ?, definition = ? WHERE id = ?`, p.name, p.definition, p.id); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("graph: claims mapping policy updated", "policy", p.id)
	s.noContent(w, r)
}

// deleteClaimsPolicy is DELETE /policies/claimsMappingPolicies/{id}.
// A policy still assigned is refused: Graph's reference does not say what
// deleting one does, so the mock asks for what works on any tenant
// (remove it from the service principals first) rather than silently
// dropping claims an app relies on. This refusal is ssowiz's, inferred.
func (s *Server) deleteClaimsPolicy(w http.ResponseWriter, r *http.Request) {
	p, e := s.claimsPolicy(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ctx := r.Context()
	assigned, err := s.policyAssignments(ctx, p.id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if n := len(assigned); n > 0 {
		s.fail(w, r, badRequest(fmt.Sprintf("The claims mapping policy '%s' is assigned to %d service principal(s) (%s); remove it from each with DELETE /servicePrincipals/{id}/claimsMappingPolicies/%s/$ref, then delete it.",
			p.id, n, assigned[0].spID, p.id)))
		return
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM claims_policies WHERE id = ?`, p.id); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("graph: claims mapping policy deleted", "policy", p.id)
	s.noContent(w, r)
}

// listClaimsPolicyAppliesTo is GET
// /policies/claimsMappingPolicies/{id}/appliesTo: the service principals
// the policy is assigned to, as directoryObjects
// (claimsmappingpolicy-list-appliesto).
func (s *Server) listClaimsPolicyAppliesTo(w http.ResponseWriter, r *http.Request) {
	p, e := s.claimsPolicy(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ctx := r.Context()
	assigned, err := s.policyAssignments(ctx, p.id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	apps, e := s.appsBySP(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var all []object
	properties := []string{"id"}
	for _, as := range assigned {
		a, ok := apps[as.spID]
		if !ok {
			continue
		}
		sp, err := s.servicePrincipalObject(ctx, a)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		properties = properties[:0]
		for _, f := range sp {
			properties = append(properties, f.name)
		}
		all = append(all, append(object{{"@odata.type", "#microsoft.graph.servicePrincipal"},
			{"@odata.id", s.graphURL.Scheme + "://" + s.graphURL.Host + "/v2/" + t.ID + "/directoryObjects/" + a.ServicePrincipalID + "/Microsoft.DirectoryServices.ServicePrincipal"}}, sp...))
	}
	set := entitySet{name: "directoryObjects", typeName: "microsoft.graph.directoryObject", resource: "DirectoryObject",
		properties: properties, maxTop: 999, defaultTop: 100}
	q, e := parseList(r, set)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	s.page(w, r, set, q, all)
}

// assignment is a policy's link to a service principal, with the claims
// the app had before.
type assignment struct {
	spID, previous string
}

func (s *Server) policyAssignments(ctx context.Context, policyID string) ([]assignment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sp_object_id, previous FROM policy_assignments WHERE policy_id = ? ORDER BY sp_object_id`, policyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assignment
	for rows.Next() {
		var a assignment
		if err := rows.Scan(&a.spID, &a.previous); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// appsBySP is the directory's apps by service principal object ID.
func (s *Server) appsBySP(r *http.Request) (map[string]directory.App, *apiError) {
	apps, err := s.dir.Apps(r.Context())
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	out := make(map[string]directory.App, len(apps))
	for _, a := range apps {
		out[strings.ToLower(a.ServicePrincipalID)] = a
	}
	return out, nil
}

// appClaims is an app's Attributes & Claims, as kept to give back when a
// policy is removed.
type appClaims struct {
	NameID directory.NameIDConfig
	Claims []directory.Claim
}

// applyPolicy makes the policy's claims the app's. previous is the
// app's own claims (JSON) from before the assignment: the Name ID a
// policy leaves out is theirs, not the last policy's.
func (s *Server) applyPolicy(ctx context.Context, a directory.App, definition, previous string) *apiError {
	var p claimsPolicy
	if err := json.Unmarshal([]byte(definition), &p); err != nil {
		return &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	base := a.NameID
	var before appClaims
	if previous != "" && json.Unmarshal([]byte(previous), &before) == nil {
		base = before.NameID
	}
	nameID, claims, err := p.claims(base)
	if err != nil {
		return badRequest(err.Error())
	}
	if _, err := s.dir.UpdateClaims(ctx, a.AppID, nameID, claims); err != nil {
		return directoryError(err, "ClaimsMappingPolicy", a.ServicePrincipalID)
	}
	return nil
}

// assignClaimsPolicy is POST
// /servicePrincipals/{id}/claimsMappingPolicies/$ref: the policy's claims
// become the app's Attributes & Claims, and the app's own are kept to
// give back when the policy is removed.
func (s *Server) assignClaimsPolicy(w http.ResponseWriter, r *http.Request) {
	raw, a, ok := s.servicePrincipalWrite(w, r)
	if !ok {
		return
	}
	var ref string
	if v, ok := raw["@odata.id"]; !ok || json.Unmarshal(v, &ref) != nil || ref == "" {
		s.fail(w, r, badRequest("The request body must contain an '@odata.id' with the policy's URL, e.g. https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/{id}."))
		return
	}
	id := strings.ToLower(ref[strings.LastIndex(ref, "/")+1:])
	ctx := r.Context()
	var def string
	err := s.db.QueryRowContext(ctx, `SELECT definition FROM claims_policies WHERE id = ?`, id).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		s.fail(w, r, notFound(id))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	var current string
	switch err := s.db.QueryRowContext(ctx, `SELECT policy_id FROM policy_assignments WHERE sp_object_id = ?`, a.ServicePrincipalID).Scan(&current); {
	case err == nil && current == id:
		// Graph's answer to adding a reference that is already there.
		s.fail(w, r, badRequest("One or more added object references already exist for the following modified properties: 'claimsMappingPolicies'."))
		return
	case err == nil:
		s.fail(w, r, badRequest(fmt.Sprintf("The service principal already has the claims mapping policy '%s', and a service principal holds one: remove it first (DELETE /servicePrincipals/%s/claimsMappingPolicies/%s/$ref).",
			current, a.ServicePrincipalID, current)))
		return
	case !errors.Is(err, sql.ErrNoRows):
		s.internal(w, r, err)
		return
	}
	previous, err := json.Marshal(appClaims{NameID: a.NameID, Claims: a.Claims})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if e := s.applyPolicy(ctx, a, def, string(previous)); e != nil {
		s.fail(w, r, e)
		return
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO policy_assignments (sp_object_id, policy_id, previous) VALUES (?, ?, ?)`, a.ServicePrincipalID, id, string(previous)); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("graph: claims mapping policy assigned", "app", a.AppID, "policy", id)
	s.noContent(w, r)
}

// unassignClaimsPolicy is DELETE
// /servicePrincipals/{id}/claimsMappingPolicies/{policy}/$ref: the app
// gets back the claims it had before the policy.
func (s *Server) unassignClaimsPolicy(w http.ResponseWriter, r *http.Request) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ctx := r.Context()
	policyID := strings.ToLower(r.PathValue("policy"))
	var previous string
	err := s.db.QueryRowContext(ctx, `SELECT previous FROM policy_assignments WHERE sp_object_id = ? AND policy_id = ?`, a.ServicePrincipalID, policyID).Scan(&previous)
	if errors.Is(err, sql.ErrNoRows) {
		s.fail(w, r, notFound(r.PathValue("policy")))
		return
	} else if err != nil {
		s.internal(w, r, err)
		return
	}
	if previous != "" {
		var before appClaims
		if err := json.Unmarshal([]byte(previous), &before); err != nil {
			s.internal(w, r, err)
			return
		}
		if _, err := s.dir.UpdateClaims(ctx, a.AppID, before.NameID, before.Claims); err != nil {
			s.failDirectory(w, r, err, "ClaimsMappingPolicy")
			return
		}
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM policy_assignments WHERE sp_object_id = ? AND policy_id = ?`, a.ServicePrincipalID, policyID); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("graph: claims mapping policy removed", "app", a.AppID, "policy", policyID)
	s.noContent(w, r)
}
