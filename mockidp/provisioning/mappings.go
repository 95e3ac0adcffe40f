package provisioning

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/filter"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// ApplyMode is a mapping's "Apply this mapping" setting.
type ApplyMode string

// The apply modes of the mapping editor (reference §7).
const (
	// ApplyAlways sends the attribute on create and on every update.
	ApplyAlways ApplyMode = "Always"
	// ApplyOnCreate sends it only in the POST that creates the object.
	ApplyOnCreate ApplyMode = "OnlyDuringCreation"
)

// Mapping is one row of the "Provision Microsoft Entra ID Users" (or
// Groups) blade: a source attribute or expression and the SCIM attribute
// path it flows to.
type Mapping struct {
	// Source is an Entra attribute (userPrincipalName), a constant in
	// quotes, or an expression using Join and Switch, e.g.
	// Switch([IsSoftDeleted], , "False", "True", "True", "False").
	Source string `json:"source"`
	// Target is the SCIM attribute path, e.g. emails[type eq "work"].value
	// or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department.
	Target string `json:"target"`
	// MatchingPrecedence is 1, 2, ... for the attributes used to match an
	// object in the target (tried in order, first match wins); 0 for none.
	MatchingPrecedence int `json:"matchingPrecedence,omitempty"`
	// Apply is ApplyAlways (the default when empty) or ApplyOnCreate.
	Apply ApplyMode `json:"apply,omitempty"`
}

// Mappings is an app's attribute-mapping document, stored in the
// directory's provisioning configuration (null there means
// DefaultMappings).
type Mappings struct {
	// Users are the user attribute mappings.
	Users []Mapping `json:"users"`
	// Groups are the group attribute mappings.
	Groups []Mapping `json:"groups"`
}

// activeExpression is the default source of active: "False" while the
// user is soft-deleted in the provisioning sense (unassigned, blocked,
// deleted), "True" otherwise. The strings, not booleans, are why the
// default dialect sends "False" (reference §4.6).
const activeExpression = `Switch([IsSoftDeleted], , "False", "True", "True", "False")`

const enterprise = scim.SchemaEnterpriseUser + ":"

// DefaultMappings returns the mappings a new non-gallery ("Create your own
// application") app starts with, from reference §7. The office location
// goes to addresses[type eq "work"].formatted, as vendor reproductions of
// the default list show (MS-DEV's table says type "other"; §13).
func DefaultMappings() Mappings {
	return Mappings{
		Users: []Mapping{
			{Source: "userPrincipalName", Target: "userName", MatchingPrecedence: 1},
			{Source: activeExpression, Target: "active"},
			{Source: "displayName", Target: "displayName"},
			{Source: "jobTitle", Target: "title"},
			{Source: "mail", Target: `emails[type eq "work"].value`},
			{Source: "preferredLanguage", Target: "preferredLanguage"},
			{Source: "givenName", Target: "name.givenName"},
			{Source: "surname", Target: "name.familyName"},
			{Source: `Join(" ", [givenName], [surname])`, Target: "name.formatted"},
			{Source: "physicalDeliveryOfficeName", Target: `addresses[type eq "work"].formatted`},
			{Source: "streetAddress", Target: `addresses[type eq "work"].streetAddress`},
			{Source: "city", Target: `addresses[type eq "work"].locality`},
			{Source: "state", Target: `addresses[type eq "work"].region`},
			{Source: "postalCode", Target: `addresses[type eq "work"].postalCode`},
			{Source: "country", Target: `addresses[type eq "work"].country`},
			{Source: "telephoneNumber", Target: `phoneNumbers[type eq "work"].value`},
			{Source: "mobile", Target: `phoneNumbers[type eq "mobile"].value`},
			{Source: "facsimileTelephoneNumber", Target: `phoneNumbers[type eq "fax"].value`},
			{Source: "mailNickname", Target: "externalId"},
			{Source: "employeeId", Target: enterprise + "employeeNumber"},
			{Source: "department", Target: enterprise + "department"},
			{Source: "manager", Target: enterprise + "manager"},
		},
		Groups: []Mapping{
			{Source: "displayName", Target: "displayName", MatchingPrecedence: 1},
			{Source: "objectId", Target: "externalId"},
			{Source: "members", Target: "members"},
		},
	}
}

// ParseMappings reads a mapping document as stored in the directory. An
// empty or null document gives DefaultMappings. Errors wrap ErrBadMappings
// and name the mapping.
func ParseMappings(doc json.RawMessage) (Mappings, error) {
	if len(bytes.TrimSpace(doc)) == 0 || string(bytes.TrimSpace(doc)) == "null" {
		return DefaultMappings(), nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var m Mappings
	if err := dec.Decode(&m); err != nil {
		return Mappings{}, fmt.Errorf("%w: the mapping document is not {\"users\": [...], \"groups\": [...]}: %v", ErrBadMappings, err)
	}
	if _, err := compileMappings(m); err != nil {
		return Mappings{}, err
	}
	return m, nil
}

// userSources are the Entra user attributes a mapping can read, by their
// names in the mapping editor.
var userSources = []string{
	"userPrincipalName", "objectId", "mail", "mailNickname", "displayName", "givenName", "surname", "jobTitle",
	"department", "employeeId", "preferredLanguage", "physicalDeliveryOfficeName", "streetAddress", "city", "state",
	"postalCode", "country", "telephoneNumber", "mobile", "facsimileTelephoneNumber", "manager", "accountEnabled",
	"IsSoftDeleted",
}

var groupSources = []string{"displayName", "objectId", "description", "members"}

// rule is a compiled mapping.
type rule struct {
	Mapping
	src  expr
	path filter.Path
	// key is the path without a value filter, the key of a path-less
	// replace in the aadOptscim062020 dialect (name.givenName).
	key string
	// isActive, isManager and isMembers mark the three targets the engine
	// treats specially.
	isActive, isManager, isMembers bool
}

type ruleSet struct {
	users, groups         []rule
	userMatch, groupMatch []rule
	// userRT and groupRT read target resources; built per job because
	// scim's constructors return fresh values.
	userRT, groupRT *scim.ResourceType
}

// active returns the rule that maps to active, or nil.
func (rs *ruleSet) active() *rule {
	for i := range rs.users {
		if rs.users[i].isActive {
			return &rs.users[i]
		}
	}
	return nil
}

// manager returns the rule that maps the manager reference, or nil.
func (rs *ruleSet) manager() *rule {
	for i := range rs.users {
		if rs.users[i].isManager {
			return &rs.users[i]
		}
	}
	return nil
}

func compileMappings(m Mappings) (*ruleSet, error) {
	rs := &ruleSet{userRT: scim.UserType(), groupRT: scim.GroupType()}
	var err error
	if rs.users, err = compileRules("users", m.Users, userSources); err != nil {
		return nil, err
	}
	if rs.groups, err = compileRules("groups", m.Groups, groupSources); err != nil {
		return nil, err
	}
	rs.userMatch = matchingRules(rs.users)
	rs.groupMatch = matchingRules(rs.groups)
	if len(rs.userMatch) == 0 {
		return nil, fmt.Errorf("%w: no user mapping has a matching precedence; set matchingPrecedence 1 on userPrincipalName → userName", ErrBadMappings)
	}
	if len(rs.groups) > 0 && len(rs.groupMatch) == 0 {
		return nil, fmt.Errorf("%w: no group mapping has a matching precedence; set matchingPrecedence 1 on displayName → displayName", ErrBadMappings)
	}
	return rs, nil
}

func compileRules(which string, ms []Mapping, sources []string) ([]rule, error) {
	out := make([]rule, 0, len(ms))
	seen := map[string]bool{}
	for i, m := range ms {
		where := fmt.Sprintf("%s mapping %d (%s → %s)", which, i+1, m.Source, m.Target)
		src, err := parseExpr(m.Source)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: source: %v", ErrBadMappings, where, err)
		}
		if bad := unknownAttr(src, sources); bad != "" {
			return nil, fmt.Errorf("%w: %s: source attribute %q is not one of %s", ErrBadMappings, where, bad, strings.Join(sources, ", "))
		}
		p, err := filter.ParsePath(m.Target)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: target: %v", ErrBadMappings, where, err)
		}
		if p.Filter != nil {
			if _, ok := filter.Assignments(p.Filter); !ok {
				return nil, fmt.Errorf("%w: %s: target: the filter of a value path must be equality tests joined by and, like emails[type eq \"work\"].value", ErrBadMappings, where)
			}
		}
		switch m.Apply {
		case "", ApplyAlways, ApplyOnCreate:
		default:
			return nil, fmt.Errorf("%w: %s: apply %q is not %q or %q", ErrBadMappings, where, m.Apply, ApplyAlways, ApplyOnCreate)
		}
		k := strings.ToLower(m.Target)
		if seen[k] {
			return nil, fmt.Errorf("%w: %s: target %s is mapped twice", ErrBadMappings, where, m.Target)
		}
		seen[k] = true
		r := rule{Mapping: m, src: src, path: p}
		kp := p
		kp.Filter = nil
		r.key = kp.String()
		bare := p.URI == "" || strings.EqualFold(p.URI, scim.SchemaUser) || strings.EqualFold(p.URI, scim.SchemaGroup)
		r.isActive = bare && p.Filter == nil && p.Sub == "" && strings.EqualFold(p.Attr, "active")
		a, isAttr := src.(attrExpr)
		r.isManager = isAttr && strings.EqualFold(a.name, "manager")
		r.isMembers = isAttr && strings.EqualFold(a.name, "members")
		out = append(out, r)
	}
	return out, nil
}

func matchingRules(rs []rule) []rule {
	var out []rule
	for _, r := range rs {
		if r.MatchingPrecedence > 0 && !r.isManager && !r.isMembers {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].MatchingPrecedence < out[j].MatchingPrecedence })
	return out
}

func unknownAttr(e expr, known []string) string {
	switch e := e.(type) {
	case attrExpr:
		if !slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, e.name) }) {
			return e.name
		}
	case joinExpr:
		for _, a := range append([]expr{e.sep}, e.args...) {
			if bad := unknownAttr(a, known); bad != "" {
				return bad
			}
		}
	case switchExpr:
		all := []expr{e.source, e.fallback}
		for _, p := range e.pairs {
			all = append(all, p[0], p[1])
		}
		for _, a := range all {
			if bad := unknownAttr(a, known); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// userSource returns the attribute reader for a user. softDeleted is
// Entra's IsSoftDeleted: unassigned, out of scope, blocked or deleted.
func userSource(u directory.User, softDeleted bool) func(string) (string, bool) {
	return func(name string) (string, bool) {
		var v string
		switch strings.ToLower(name) {
		case "userprincipalname":
			v = u.UserPrincipalName
		case "objectid":
			v = u.ObjectID
		case "mail":
			v = u.Mail
		case "mailnickname":
			v = u.MailNickname
		case "displayname":
			v = u.DisplayName
		case "givenname":
			v = u.GivenName
		case "surname":
			v = u.Surname
		case "jobtitle":
			v = u.JobTitle
		case "department":
			v = u.Department
		case "employeeid":
			v = u.EmployeeID
		case "preferredlanguage":
			v = u.PreferredLanguage
		case "physicaldeliveryofficename":
			v = u.OfficeLocation
		case "streetaddress":
			v = u.StreetAddress
		case "city":
			v = u.City
		case "state":
			v = u.State
		case "postalcode":
			v = u.PostalCode
		case "country":
			v = u.Country
		case "telephonenumber":
			v = u.TelephoneNumber
		case "mobile":
			v = u.Mobile
		case "facsimiletelephonenumber":
			v = u.FacsimileTelephoneNumber
		case "manager":
			v = u.Manager
		case "accountenabled":
			v = boolText(u.AccountEnabled)
		case "issoftdeleted":
			v = boolText(softDeleted)
		default:
			return "", false
		}
		return v, true
	}
}

func groupSource(g directory.Group) func(string) (string, bool) {
	return func(name string) (string, bool) {
		switch strings.ToLower(name) {
		case "displayname":
			return g.DisplayName, true
		case "objectid":
			return g.ObjectID, true
		case "description":
			return g.Description, true
		}
		return "", false
	}
}

// boolText is how Entra's expressions see a boolean: "True" or "False".
func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// hasMembers reports whether the group mappings include members.
func (rs *ruleSet) hasMembers() bool {
	for _, r := range rs.groups {
		if r.isMembers {
			return true
		}
	}
	return false
}
