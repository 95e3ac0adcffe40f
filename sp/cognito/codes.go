package cognito

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Identity is who signed in: what Cognito's tokens would say about the
// federated user after the attribute mapping.
type Identity struct {
	// OrgID is the organisation whose identity provider signed the user in.
	OrgID string
	// OrgName is its name when the user signed in.
	OrgName string
	// ProviderName is that identity provider's name in the pool.
	ProviderName string
	// Username is Cognito's federated user name, "<ProviderName>_<NameID>".
	Username string
	// NameID is the SAML NameID as sent (case kept).
	NameID string
	// NameIDFormat is its Format; empty means unspecified.
	NameIDFormat string
	// Attributes are the pool attributes (email, family_name, ...) mapped
	// from the assertion's attributes.
	Attributes map[string]string
	// Claims are the assertion's attributes as received, in order (the
	// first value of each), for the app to show what it got.
	Claims []Claim
	// Mapping is the attribute mapping applied: pool attribute ← claim
	// Name.
	Mapping map[string]string
	// SessionIndex is the assertion's AuthnStatement SessionIndex.
	SessionIndex string
	// AuthTime is when the pool accepted the assertion.
	AuthTime time.Time
}

// Claim is one SAML attribute as the IdP sent it.
type Claim struct {
	// Name is the attribute's Name, as sent (Email, or a namespaced URI).
	Name string
	// Value is its first value.
	Value string
}

type grant struct {
	identity    Identity
	clientID    string
	redirectURI string
	expires     time.Time
}

// codeStore holds authorization codes in memory: they live five minutes
// and are exchanged in process by the app, so a restart in between only
// costs that one sign-in.
type codeStore struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]grant
}

func newCodeStore(now func() time.Time) *codeStore {
	return &codeStore{now: now, m: map[string]grant{}}
}

func (s *codeStore) issue(g grant) string {
	code := uuid.NewString() // Cognito's codes are UUIDs
	now := s.now()
	g.expires = now.Add(CodeTTL)
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, old := range s.m {
		if !now.Before(old.expires) {
			delete(s.m, c)
		}
	}
	s.m[code] = g
	return code
}

// Exchange redeems an authorization code, as the token endpoint does: once,
// within CodeTTL, by the client and redirect_uri it was issued for. Any
// failure is ErrInvalidGrant, and the code is spent either way.
func (p *Pool) Exchange(ctx context.Context, clientID, redirectURI, code string) (Identity, error) {
	if err := ctx.Err(); err != nil {
		return Identity{}, err
	}
	s := p.codes
	s.mu.Lock()
	g, ok := s.m[code]
	delete(s.m, code)
	s.mu.Unlock()
	switch {
	case !ok:
		return Identity{}, fmt.Errorf("code unknown or already used: %w", ErrInvalidGrant)
	case !s.now().Before(g.expires):
		return Identity{}, fmt.Errorf("code expired after %s: %w", CodeTTL, ErrInvalidGrant)
	case g.clientID != clientID:
		return Identity{}, fmt.Errorf("code was issued to another client: %w", ErrInvalidGrant)
	case g.redirectURI != redirectURI:
		return Identity{}, fmt.Errorf("code was issued for redirect_uri %q, not %q: %w", g.redirectURI, redirectURI, ErrInvalidGrant)
	}
	return g.identity, nil
}
