package accounts

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Org is a RudderStack organisation.
type Org struct {
	ID   string
	Name string
	// Domains are the email domains whose users sign in to this org at
	// /sso; stored lower-case, each owned by at most one org.
	Domains []string
	// SCIMEnabled mirrors the switch RudderStack's team flips on request;
	// off, the SCIM API answers 403 (the guide's "contact the team" case).
	SCIMEnabled bool
	// SSO is the org's SAML identity provider, as Cognito holds it.
	SSO       SSOConfig
	CreatedAt time.Time
}

// SSOConfig is the organisation's SAML identity provider in the user pool,
// the way Cognito stores an IdP: a name, where its metadata comes from,
// how its attributes map onto the pool's, and whether IdP-initiated
// sign-in is accepted.
type SSOConfig struct {
	// ProviderName is the IdP's name in the pool (identity_provider=...);
	// JIT usernames are "<ProviderName>_<NameID>".
	ProviderName string `json:"provider_name"`
	// MetadataURL is the App Federation Metadata URL the admin sent.
	MetadataURL string `json:"metadata_url"`
	// AttributeMapping maps pool attributes (email, family_name,
	// given_name, name) to SAML attribute names (Email, LastName).
	AttributeMapping map[string]string `json:"attribute_mapping"`
	// IDPInitiated accepts unsolicited responses (Cognito's IDPInit); off by
	// default, as RudderStack runs it.
	IDPInitiated bool `json:"idp_initiated"`
	// EncryptedResponses requires every response to carry one encrypted
	// assertion.
	EncryptedResponses bool `json:"encrypted_responses"`
	// IDPSignout is Cognito's "Sign-out flow" (ProviderDetails IDPSignout):
	// the pool's /logout also sends a signed LogoutRequest to the IdP's
	// SingleLogoutService and waits for its LogoutResponse at
	// /saml2/logout. Off by default: RudderStack does not use SLO.
	IDPSignout bool `json:"idp_signout"`
}

// DefaultAttributeMapping is RudderStack's mapping for Entra: the pool's
// email comes from the Email claim, family_name from LastName.
func DefaultAttributeMapping() map[string]string {
	return map[string]string{"email": "Email", "family_name": "LastName"}
}

// CreateOrg stores a new organisation with its domains. The ID is made
// here when empty.
func (s *Store) CreateOrg(ctx context.Context, o Org) (Org, error) {
	if strings.TrimSpace(o.Name) == "" {
		return Org{}, fmt.Errorf("organisation name is empty: %w", ErrInvalid)
	}
	if o.ID == "" {
		o.ID = newID()
	}
	o.Domains = normaliseDomains(o.Domains)
	o.CreatedAt = s.now().UTC()
	sso, err := json.Marshal(o.SSO)
	if err != nil {
		return Org{}, fmt.Errorf("encode SSO config: %w", err)
	}
	err = s.inTx(ctx, func(tx dbtx) error {
		if _, err := tx.ExecContext(ctx, qInsertOrg,
			o.ID, o.Name, o.SCIMEnabled, string(sso), formatTime(o.CreatedAt)); err != nil {
			return fmt.Errorf("create organisation %q: %w", o.Name, err)
		}
		return setDomains(ctx, tx, o.ID, o.Domains)
	})
	if err != nil {
		return Org{}, err
	}
	return o, nil
}

// GetOrg returns the organisation with the given ID.
func (s *Store) GetOrg(ctx context.Context, id string) (Org, error) {
	if v, ok := s.orgs.Load(id); ok {
		return v.(Org).clone(), nil
	}
	defer s.read()()
	o, err := getOrg(ctx, s.q, id)
	if err != nil {
		return Org{}, err
	}
	s.orgs.Store(id, o.clone())
	return o, nil
}

// clone copies the org's slices and maps, so a caller editing its copy
// can't change the cache.
func (o Org) clone() Org {
	o.Domains = append([]string(nil), o.Domains...)
	if o.SSO.AttributeMapping != nil {
		m := make(map[string]string, len(o.SSO.AttributeMapping))
		for k, v := range o.SSO.AttributeMapping {
			m[k] = v
		}
		o.SSO.AttributeMapping = m
	}
	return o
}

// ListOrgs returns every organisation, oldest first.
func (s *Store) ListOrgs(ctx context.Context) ([]Org, error) {
	defer s.read()()
	rows, err := s.q.QueryContext(ctx, `SELECT id FROM orgs ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	orgs := make([]Org, 0, len(ids))
	for _, id := range ids {
		o, err := getOrg(ctx, s.q, id)
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, o)
	}
	return orgs, nil
}

// FindOrgByDomain returns the organisation that owns an email domain
// (compared case-insensitively), as /sso does with the domain of the email
// a user types.
func (s *Store) FindOrgByDomain(ctx context.Context, domain string) (Org, error) {
	defer s.read()()
	var id string
	err := s.q.QueryRowContext(ctx, `SELECT org_id FROM org_domains WHERE domain = ?`,
		strings.ToLower(strings.TrimSpace(domain))).Scan(&id)
	if err != nil {
		return Org{}, notFound(err, fmt.Sprintf("organisation for domain %q", domain))
	}
	return getOrg(ctx, s.q, id)
}

// UpdateOrg changes an organisation in one transaction: fn gets the
// current state and edits it in place; returning an error leaves the org
// unchanged. The ID and creation time can't change.
func (s *Store) UpdateOrg(ctx context.Context, id string, fn func(*Org) error) (Org, error) {
	var out Org
	err := s.inTx(ctx, func(tx dbtx) error {
		o, err := getOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(&o); err != nil {
			return err
		}
		o.ID, o.Domains = id, normaliseDomains(o.Domains)
		if strings.TrimSpace(o.Name) == "" {
			return fmt.Errorf("organisation name is empty: %w", ErrInvalid)
		}
		sso, err := json.Marshal(o.SSO)
		if err != nil {
			return fmt.Errorf("encode SSO config: %w", err)
		}
		if _, err := tx.ExecContext(ctx, qUpdateOrg,
			o.Name, o.SCIMEnabled, string(sso), id); err != nil {
			return fmt.Errorf("update organisation %q: %w", o.Name, err)
		}
		if _, err := tx.ExecContext(ctx, qDeleteDomains, id); err != nil {
			return fmt.Errorf("update organisation domains: %w", err)
		}
		if err := setDomains(ctx, tx, id, o.Domains); err != nil {
			return err
		}
		out = o
		return nil
	})
	// Forget the cached copy whether or not the update went through: the
	// next read takes the database's word.
	s.orgs.Delete(id)
	return out, err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func getOrg(ctx context.Context, q queryer, id string) (Org, error) {
	var o Org
	var sso, created string
	err := q.QueryRowContext(ctx, qSelectOrg, id).
		Scan(&o.ID, &o.Name, &o.SCIMEnabled, &sso, &created)
	if err != nil {
		return Org{}, notFound(err, fmt.Sprintf("organisation %q", id))
	}
	if err := json.Unmarshal([]byte(sso), &o.SSO); err != nil {
		return Org{}, fmt.Errorf("organisation %q: decode SSO config: %w", id, err)
	}
	o.CreatedAt = parseTime(created)
	rows, err := q.QueryContext(ctx, qSelectDomains, id)
	if err != nil {
		return Org{}, fmt.Errorf("organisation %q: domains: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return Org{}, fmt.Errorf("organisation %q: domains: %w", id, err)
		}
		o.Domains = append(o.Domains, d)
	}
	return o, rows.Err()
}

func setDomains(ctx context.Context, tx dbtx, orgID string, domains []string) error {
	for _, d := range domains {
		if _, err := tx.ExecContext(ctx, qInsertDomain, d, orgID); err != nil {
			if isUnique(err) {
				return fmt.Errorf("domain %q: %w", d, ErrDomainTaken)
			}
			return fmt.Errorf("add domain %q: %w", d, err)
		}
	}
	return nil
}

func normaliseDomains(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range in {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
