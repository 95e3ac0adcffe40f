package directory

import (
	"context"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/store"
)

// Tenant is the Entra tenant the directory holds.
type Tenant struct {
	// ID is the tenant (directory) ID, a lowercase GUID.
	ID string
	// DisplayName is the organization name, e.g. "Contoso".
	DisplayName string
	// InitialDomain is "<name>.onmicrosoft.com".
	InitialDomain string
	// Domains lists the verified domains, the initial domain first. A user
	// principal name must end in one of them.
	Domains []string
	// CreatedAt is when the tenant was created.
	CreatedAt time.Time
}

// NewTenant describes a tenant to create.
type NewTenant struct {
	// Name is the initial domain's first label: "contoso" gives
	// contoso.onmicrosoft.com.
	Name string
	// DisplayName is the organization name.
	DisplayName string
	// ID is the tenant ID to use; empty makes a new GUID. Rehearsals pass
	// the real tenant ID so URLs match what the admin copies.
	ID string
}

// The tenant-wide token signing certificate Entra publishes in the tenant
// federation metadata has this subject, unlike the per-app SAML ones.
const tenantCertCN = "accounts.accesscontrol.windows.net"

// CreateTenant creates the directory's one tenant, with its initial domain
// and its tenant-wide signing key.
func (d *Directory) CreateTenant(ctx context.Context, nt NewTenant) (Tenant, error) {
	name := strings.ToLower(strings.TrimSpace(nt.Name))
	var errs []error
	if !validTenantName(name) {
		errs = append(errs, invalid("Initial domain name", fmt.Sprintf("%q must be 1 to 27 letters or digits (it becomes <name>.onmicrosoft.com)", nt.Name)))
	}
	if strings.TrimSpace(nt.DisplayName) == "" {
		errs = append(errs, invalid("Organization name", "is required"))
	}
	id := strings.ToLower(strings.TrimSpace(nt.ID))
	if id != "" && !isGUID(id) {
		errs = append(errs, invalid("Tenant ID", fmt.Sprintf("%q is not a GUID like aaaabbbb-0000-cccc-1111-dddd2222eeee", nt.ID)))
	}
	if len(errs) > 0 {
		return Tenant{}, errors.Join(errs...)
	}
	if id == "" {
		var err error
		if id, err = d.newGUID(); err != nil {
			return Tenant{}, err
		}
	}
	now := d.now()
	certDER, keyDER, err := d.makeCertificate(tenantCertCN, now, now.AddDate(5, 0, 0))
	if err != nil {
		return Tenant{}, err
	}
	domain := name + ".onmicrosoft.com"
	err = d.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tenant`).Scan(&n); err != nil {
			return fmt.Errorf("look for an existing tenant: %w", err)
		}
		if n > 0 {
			return ErrTenantExists
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant (id, display_name, created_at, cert_der, key_der) VALUES (?, ?, ?, ?, ?)`,
			id, strings.TrimSpace(nt.DisplayName), formatTime(now), certDER, keyDER); err != nil {
			return fmt.Errorf("create the tenant: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO domains (name, is_initial) VALUES (?, 1)`, domain); err != nil {
			return fmt.Errorf("add the initial domain: %w", err)
		}
		return nil
	})
	if err != nil {
		return Tenant{}, err
	}
	d.log.Info("tenant created", "tenant", id, "domain", domain)
	return d.Tenant(ctx)
}

// Tenant returns the directory's tenant, or ErrNoTenant.
func (d *Directory) Tenant(ctx context.Context) (Tenant, error) {
	if t, ok := d.cache.getTenant(); ok {
		return t, nil
	}
	gen := d.cache.generation()
	var t Tenant
	var created string
	err := d.db.QueryRowContext(ctx, `SELECT id, display_name, created_at FROM tenant`).Scan(&t.ID, &t.DisplayName, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Tenant{}, ErrNoTenant
	}
	if err != nil {
		return Tenant{}, fmt.Errorf("read the tenant: %w", err)
	}
	t.CreatedAt = parseTime(created)
	rows, err := d.db.QueryContext(ctx, `SELECT name, is_initial FROM domains ORDER BY is_initial DESC, name`)
	if err != nil {
		return Tenant{}, fmt.Errorf("read the tenant's domains: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var initial bool
		if err := rows.Scan(&name, &initial); err != nil {
			return Tenant{}, fmt.Errorf("read the tenant's domains: %w", err)
		}
		if initial {
			t.InitialDomain = name
		}
		t.Domains = append(t.Domains, name)
	}
	if err := rows.Err(); err != nil {
		return Tenant{}, fmt.Errorf("read the tenant's domains: %w", err)
	}
	d.cache.putTenant(gen, t)
	return t, nil
}

// ResolveTenant finds the tenant by what a URL's path carries: its ID (any
// case) or one of its verified domains (any case), as Entra accepts both.
// It returns ErrNotFound when neither matches.
func (d *Directory) ResolveTenant(ctx context.Context, idOrDomain string) (Tenant, error) {
	t, err := d.Tenant(ctx)
	if err != nil {
		return Tenant{}, err
	}
	key := strings.ToLower(idOrDomain)
	if key == t.ID {
		return t, nil
	}
	for _, dom := range t.Domains {
		if key == dom {
			return t, nil
		}
	}
	return Tenant{}, fmt.Errorf("tenant %q: %w", idOrDomain, ErrNotFound)
}

// AddDomain adds a verified custom domain (Entra: Custom domain names), so
// user principal names can use it, e.g. the company's email domain.
func (d *Directory) AddDomain(ctx context.Context, domain string) error {
	name := strings.ToLower(strings.TrimSpace(domain))
	if !validDomain(name) {
		return invalid("Custom domain name", fmt.Sprintf("%q is not a domain name like contoso.com", domain))
	}
	if _, err := d.Tenant(ctx); err != nil {
		return err
	}
	_, err := d.exec(ctx, `INSERT INTO domains (name, is_initial) VALUES (?, 0)`, name)
	if store.IsUniqueViolation(err) {
		return conflict("Custom domain name", fmt.Sprintf("%q is already a domain of this tenant", name))
	}
	if err != nil {
		return fmt.Errorf("add domain %s: %w", name, err)
	}
	return nil
}

// TenantSigningKey returns the tenant-wide token signing certificate and
// key: what Entra's tenant federation metadata (no appid) publishes.
func (d *Directory) TenantSigningKey(ctx context.Context) (SigningKey, error) {
	var certDER, keyDER []byte
	err := d.db.QueryRowContext(ctx, `SELECT cert_der, key_der FROM tenant`).Scan(&certDER, &keyDER)
	if errors.Is(err, sql.ErrNoRows) {
		return SigningKey{}, ErrNoTenant
	}
	if err != nil {
		return SigningKey{}, fmt.Errorf("read the tenant signing key: %w", err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return SigningKey{}, fmt.Errorf("parse the tenant signing certificate: %w", err)
	}
	c := certificateFromX509(cert)
	key, err := d.key(c.Thumbprint, keyDER)
	if err != nil {
		return SigningKey{}, err
	}
	c.Active = true
	return SigningKey{Certificate: c, Key: key}, nil
}

func validTenantName(s string) bool {
	if len(s) == 0 || len(s) > 27 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}
