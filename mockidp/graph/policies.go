package graph

import (
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

func policyObject(id, name, definition string) object {
	return object{
		{"id", id}, {"deletedDateTime", nil}, {"definition", []string{definition}}, {"displayName", name}, {"isOrganizationDefault", false},
	}
}

// createClaimsPolicy is POST /policies/claimsMappingPolicies.
func (s *Server) createClaimsPolicy(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Definition            []string `json:"definition"`
		DisplayName           string   `json:"displayName"`
		IsOrganizationDefault bool     `json:"isOrganizationDefault"`
	}
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &body); err != nil || len(body.Definition) != 1 || body.DisplayName == "" {
		s.fail(w, r, badRequest("A claims mapping policy needs a displayName and a definition of one JSON string holding {\"ClaimsMappingPolicy\": {...}}."))
		return
	}
	if body.IsOrganizationDefault {
		s.fail(w, r, unsupportedProperty("isOrganizationDefault", "ClaimsMappingPolicy"))
		return
	}
	var p claimsPolicy
	if err := json.Unmarshal([]byte(body.Definition[0]), &p); err != nil || p.ClaimsMappingPolicy.Version != 1 {
		s.fail(w, r, badRequest("Property definition has an invalid value: it must be one JSON string holding {\"ClaimsMappingPolicy\": {\"Version\": 1, ...}}.", errorDetail{"InvalidValue", "definition"}))
		return
	}
	if _, _, err := p.claims(directory.DefaultNameID()); err != nil {
		s.fail(w, r, badRequest("Property definition has an invalid value: "+err.Error(), errorDetail{"InvalidValue", "definition"}))
		return
	}
	id, err := s.newGUID()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if _, err := s.db.ExecContext(r.Context(), `INSERT INTO claims_policies (id, display_name, definition, created_at) VALUES (?, ?, ?, ?)`,
		id, body.DisplayName, body.Definition[0], formatTime(s.now())); err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusCreated, append(object{{"@odata.context", s.graph + "/$metadata#policies/claimsMappingPolicies/$entity"}},
		policyObject(id, body.DisplayName, body.Definition[0])...))
}

// assignClaimsPolicy is POST
// /servicePrincipals/{id}/claimsMappingPolicies/$ref: the policy's claims
// become the app's Attributes & Claims.
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
	case err == nil:
		s.fail(w, r, badRequest("One or more added object references already exist for the following modified properties: 'claimsMappingPolicies'. A service principal holds one claims mapping policy: remove it first."))
		return
	case !errors.Is(err, sql.ErrNoRows):
		s.internal(w, r, err)
		return
	}
	var p claimsPolicy
	if err := json.Unmarshal([]byte(def), &p); err != nil {
		s.internal(w, r, err)
		return
	}
	nameID, claims, err := p.claims(a.NameID)
	if err != nil {
		s.fail(w, r, badRequest(err.Error()))
		return
	}
	if _, err := s.dir.UpdateClaims(ctx, a.AppID, nameID, claims); err != nil {
		s.failDirectory(w, r, err, "ClaimsMappingPolicy")
		return
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO policy_assignments (sp_object_id, policy_id) VALUES (?, ?)`, a.ServicePrincipalID, id); err != nil {
		s.internal(w, r, err)
		return
	}
	s.log.Info("graph: claims mapping policy assigned", "app", a.AppID, "policy", id)
	s.noContent(w, r)
}
