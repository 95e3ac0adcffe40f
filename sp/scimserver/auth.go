package scimserver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// caller is who an authenticated request acts for.
type caller struct {
	token accounts.PAT
	owner accounts.User
	org   accounts.Org
}

// newAdminPAT is the remediation for every token problem: where an admin
// makes a token, and where it goes in Entra.
const newAdminPAT = "In RudderStack, go to Settings > Your Profile > Account > Personal access tokens, generate a token with Role: Admin, and paste it into Secret Token under Provisioning > Admin Credentials in Entra, then select Test Connection."

// scimDisabled is the guide's 403 case ("contact the RudderStack team").
const scimDisabled = "SCIM is not enabled for the organization %q. Contact the RudderStack team to enable SCIM for your organization, then select Test Connection again in Entra."

// authenticate checks the request's bearer token and what it may do. A
// missing, malformed, unknown, revoked or expired token is 401; a valid
// token that may not use SCIM is 403, with every reason in the detail so
// the admin can fix them all at once. No error repeats the token.
func (s *server) authenticate(r *http.Request) (*caller, error) {
	h := r.Header.Get("Authorization")
	if strings.TrimSpace(h) == "" {
		return nil, unauthorized("The request has no Authorization header. SCIM requests need \"Authorization: Bearer <personal access token>\": " + newAdminPAT)
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, unauthorized(wrongScheme(scheme) + " SCIM here takes \"Bearer <personal access token>\". " + newAdminPAT)
	}
	if token == "" {
		return nil, unauthorized("The Authorization header has no token after \"Bearer\". " + newAdminPAT)
	}
	if first, _, ok := strings.Cut(token, " "); ok && strings.EqualFold(first, "Bearer") {
		return nil, unauthorized("The token starts with \"Bearer \" a second time: Entra adds \"Bearer \" itself, so enter the personal access token alone in Secret Token under Provisioning > Admin Credentials.")
	}
	a, err := s.store.AuthenticatePAT(r.Context(), token)
	switch {
	case errors.Is(err, accounts.ErrInvalidToken):
		return nil, unauthorized("The personal access token is not valid: it is mistyped, incomplete, or not a RudderStack personal access token (those start with " + accounts.TokenPrefix + "). " + newAdminPAT)
	case errors.Is(err, accounts.ErrTokenRevoked):
		return nil, unauthorized("The personal access token has been revoked. " + newAdminPAT)
	case errors.Is(err, accounts.ErrTokenExpired):
		return nil, unauthorized("The personal access token has expired. " + newAdminPAT)
	case err != nil:
		return nil, fmt.Errorf("authenticate token: %w", err)
	}
	var reasons []string
	if !a.Org.SCIMEnabled {
		reasons = append(reasons, fmt.Sprintf(scimDisabled, a.Org.Name))
	}
	if a.Token.Role != accounts.PATRoleAdmin {
		reasons = append(reasons, fmt.Sprintf("The personal access token %q has the %s role, but SCIM provisioning needs a token with the Admin role. %s", a.Token.Name, a.Token.Role.Label(), newAdminPAT))
	}
	if a.Owner.Role != accounts.RoleAdmin {
		reasons = append(reasons, fmt.Sprintf("The personal access token belongs to %s, whose role in the organization is %s, but SCIM provisioning needs a token owned by an %s. Signed in as an %s: %s",
			a.Owner.UserName, a.Owner.Role.Label(), accounts.RoleAdmin.Label(), accounts.RoleAdmin.Label(), newAdminPAT))
	}
	if !a.Owner.Active {
		reasons = append(reasons, fmt.Sprintf("The personal access token belongs to %s, who has been deactivated in the organization, so it no longer grants access. An active %s must generate a new token: %s", a.Owner.UserName, accounts.RoleAdmin.Label(), newAdminPAT))
	}
	if len(reasons) > 0 {
		return nil, scim.NewError(http.StatusForbidden, "", strings.Join(reasons, " "))
	}
	return &caller{token: a.Token, owner: a.Owner, org: a.Org}, nil
}

// httpAuthSchemes are the schemes of IANA's HTTP Authentication Scheme
// Registry (and the common AWS one), lower-cased: the only first words of
// an Authorization header an error may name, because anything else may be
// the credential itself, pasted without a scheme.
var httpAuthSchemes = map[string]string{
	"basic": "Basic", "digest": "Digest", "dpop": "DPoP", "gnap": "GNAP", "hoba": "HOBA",
	"mutual": "Mutual", "negotiate": "Negotiate", "ntlm": "NTLM", "oauth": "OAuth",
	"privatetoken": "PrivateToken", "scram-sha-1": "SCRAM-SHA-1", "scram-sha-256": "SCRAM-SHA-256",
	"vapid": "vapid", "concealed": "Concealed", "aws4-hmac-sha256": "AWS4-HMAC-SHA256",
}

// wrongScheme says what is wrong with an Authorization header whose first
// word is not Bearer, without repeating any of it unless it is a
// registered scheme name: a header holding only the token (or a token
// with a typo in "Bearer") must not come back in the 401, which Entra
// shows in Test Connection and its provisioning logs.
func wrongScheme(scheme string) string {
	if name, ok := httpAuthSchemes[strings.ToLower(scheme)]; ok {
		return fmt.Sprintf("The Authorization header uses the %q scheme;", name)
	}
	if strings.HasPrefix(scheme, accounts.TokenPrefix) {
		return "The Authorization header holds a personal access token without \"Bearer \" before it;"
	}
	return "The Authorization header does not start with \"Bearer \" (its value is not repeated here, as it may be a secret);"
}

func unauthorized(detail string) *scim.Error {
	return scim.NewError(http.StatusUnauthorized, "", detail)
}
