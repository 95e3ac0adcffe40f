package cognito

import (
	"context"
	"errors"
	"sort"
	"unicode/utf8"

	"github.com/crewjam/saml"

	"github.com/ssowiz/ssowiz/sp/accounts"
)

// requiredAttributes are the pool attributes every federated user must
// have. RudderStack's pool needs an email; the IdP must send it under the
// name the mapping gives (Email for Entra).
var requiredAttributes = []string{"email"}

// mapAttributes applies the organisation's attribute mapping (pool
// attribute ← SAML attribute Name) to the assertion, as Cognito does at
// every sign-in, and enforces required attributes and Cognito's length
// limit. A required attribute missing from the response is "required" for
// a new user and "cannot be deleted" for one who had it.
func (p *Pool) mapAttributes(ctx context.Context, org accounts.Org, nameID string, a *saml.Assertion) (map[string]string, string) {
	mapping := org.SSO.AttributeMapping
	if len(mapping) == 0 {
		mapping = accounts.DefaultAttributeMapping()
	}
	values := map[string]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if _, seen := values[at.Name]; seen || len(at.Values) == 0 {
				continue
			}
			values[at.Name] = at.Values[0].Value
		}
	}
	out := map[string]string{}
	poolAttrs := make([]string, 0, len(mapping))
	for attr := range mapping {
		poolAttrs = append(poolAttrs, attr)
	}
	sort.Strings(poolAttrs)
	for _, attr := range poolAttrs {
		v := values[mapping[attr]]
		if v == "" {
			continue
		}
		if utf8.RuneCountInString(v) > maxAttributeLength {
			return nil, MsgAttributeTooLong(attr)
		}
		out[attr] = v
	}
	for _, attr := range requiredAttributes {
		if out[attr] != "" {
			continue
		}
		if p.hadAttribute(ctx, org.ID, nameID, attr) {
			return nil, MsgAttributeCannotBeDeleted(attr)
		}
		return nil, MsgAttributeRequired(attr)
	}
	return out, ""
}

// hadAttribute reports whether the user signing in already exists with a
// value for the pool attribute.
func (p *Pool) hadAttribute(ctx context.Context, orgID, userName, attr string) bool {
	u, err := p.orgs.FindUserByUserName(ctx, orgID, userName)
	if err != nil {
		if !errors.Is(err, accounts.ErrNotFound) {
			p.log.Warn("look up user for attribute check", "org", orgID, "err", err)
		}
		return false
	}
	switch attr {
	case "email":
		return u.Email != ""
	case "family_name":
		return u.FamilyName != ""
	case "given_name":
		return u.GivenName != ""
	case "name":
		return u.DisplayName != ""
	}
	return false
}
