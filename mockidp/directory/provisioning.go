package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/loopback"
)

// Scope is the provisioning "Scope" setting.
type Scope string

// The scopes; ScopeAssigned is the default.
const (
	ScopeAssigned Scope = "assigned"
	ScopeAll      Scope = "all"
)

// Label is the scope as the portal names it.
func (s Scope) Label() string {
	switch s {
	case ScopeAssigned:
		return "Sync only assigned users and groups"
	case ScopeAll:
		return "Sync all users and groups"
	}
	return string(s)
}

// DefaultCycleInterval is how often Entra runs an incremental cycle.
const DefaultCycleInterval = 40 * time.Minute

// Secret holds the provisioning Secret Token. It prints, logs and marshals
// as a redaction, so it never leaks by accident; Reveal gives the value to
// the one caller that must send it.
type Secret struct{ value string }

// NewSecret wraps a token.
func NewSecret(s string) Secret { return Secret{value: s} }

// Reveal returns the token, to put in an Authorization header.
func (s Secret) Reveal() string { return s.value }

// IsSet reports whether a token was given.
func (s Secret) IsSet() bool { return s.value != "" }

// String redacts the token.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return "[redacted]"
}

// GoString redacts the token in %#v.
func (s Secret) GoString() string { return `directory.Secret{"` + s.String() + `"}` }

// LogValue redacts the token in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON redacts the token.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// TargetActions are the "Target Object Actions" check boxes.
type TargetActions struct {
	Create, Update, Delete bool
}

// ProvisioningConfig is an app's Provisioning page in Automatic mode. The
// engine that acts on it lives elsewhere; the directory only stores and
// validates it.
type ProvisioningConfig struct {
	// TenantURL is the SCIM base URL, e.g. https://api.rudderstack.com/scim/v2;
	// a query such as ?aadOptscim062020 is kept verbatim.
	TenantURL string
	// SecretToken is sent as the bearer token.
	SecretToken Secret
	// Scope is assigned (default) or all.
	Scope Scope
	// ProvisionGroups is the "Provision Microsoft Entra ID Groups" mapping
	// switch (on by default).
	ProvisionGroups bool
	// Actions are the user mapping's Create/Update/Delete boxes.
	Actions TargetActions
	// Enabled is "Provisioning Status" On.
	Enabled bool
	// Interval is the time between incremental cycles (default 40 min).
	Interval time.Duration
	// Mappings is the engine's attribute-mapping document; null means the
	// engine's defaults.
	Mappings json.RawMessage
	// UpdatedAt is when the configuration was last saved.
	UpdatedAt time.Time
}

// DefaultProvisioning is what a new app's Provisioning page starts with.
func DefaultProvisioning() ProvisioningConfig {
	return ProvisioningConfig{
		Scope:           ScopeAssigned,
		ProvisionGroups: true,
		Actions:         TargetActions{Create: true, Update: true, Delete: true},
		Interval:        DefaultCycleInterval,
	}
}

// Provisioning returns the app's provisioning configuration, or the
// defaults if it was never saved.
func (d *Directory) Provisioning(ctx context.Context, appID string) (ProvisioningConfig, error) {
	if _, err := d.App(ctx, appID); err != nil {
		return ProvisioningConfig{}, err
	}
	var c ProvisioningConfig
	var token, scope, mappings, updated string
	var interval int64
	err := d.db.QueryRowContext(ctx, `SELECT tenant_url, secret_token, scope, provision_groups, action_create, action_update, action_delete,
		enabled, interval_seconds, mappings, updated_at FROM provisioning WHERE app_id = ?`, strings.ToLower(appID)).
		Scan(&c.TenantURL, &token, &scope, &c.ProvisionGroups, &c.Actions.Create, &c.Actions.Update, &c.Actions.Delete,
			&c.Enabled, &interval, &mappings, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultProvisioning(), nil
	}
	if err != nil {
		return ProvisioningConfig{}, fmt.Errorf("read the provisioning configuration of %s: %w", appID, err)
	}
	c.SecretToken = NewSecret(token)
	c.Scope = Scope(scope)
	c.Interval = time.Duration(interval) * time.Second
	if mappings != "null" {
		c.Mappings = json.RawMessage(mappings)
	}
	c.UpdatedAt = parseTime(updated)
	return c, nil
}

// UpdateProvisioning saves the app's provisioning configuration. A zero
// Interval means the default; turning provisioning on needs a Tenant URL.
func (d *Directory) UpdateProvisioning(ctx context.Context, appID string, c ProvisioningConfig) (ProvisioningConfig, error) {
	if c.Interval == 0 {
		c.Interval = DefaultCycleInterval
	}
	if c.Scope == "" {
		c.Scope = ScopeAssigned
	}
	if err := joinErrs(validateProvisioning(c)); err != nil {
		return ProvisioningConfig{}, err
	}
	mappings := "null"
	if len(c.Mappings) > 0 {
		mappings = string(c.Mappings)
	}
	if _, err := d.App(ctx, appID); err != nil {
		return ProvisioningConfig{}, err
	}
	_, err := d.db.ExecContext(ctx, `INSERT INTO provisioning (app_id, tenant_url, secret_token, scope, provision_groups, action_create,
		action_update, action_delete, enabled, interval_seconds, mappings, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (app_id) DO UPDATE SET tenant_url = excluded.tenant_url, secret_token = excluded.secret_token,
		scope = excluded.scope, provision_groups = excluded.provision_groups, action_create = excluded.action_create,
		action_update = excluded.action_update, action_delete = excluded.action_delete, enabled = excluded.enabled,
		interval_seconds = excluded.interval_seconds, mappings = excluded.mappings, updated_at = excluded.updated_at`,
		strings.ToLower(appID), c.TenantURL, c.SecretToken.Reveal(), string(c.Scope), boolInt(c.ProvisionGroups),
		boolInt(c.Actions.Create), boolInt(c.Actions.Update), boolInt(c.Actions.Delete), boolInt(c.Enabled),
		int64(c.Interval/time.Second), mappings, d.nowText())
	if err != nil {
		return ProvisioningConfig{}, fmt.Errorf("save the provisioning configuration of %s: %w", appID, err)
	}
	d.log.Info("provisioning configuration saved", "app", appID, "tenant_url", c.TenantURL, "secret_token", c.SecretToken, "enabled", c.Enabled)
	return d.Provisioning(ctx, appID)
}

func validateProvisioning(c ProvisioningConfig) []error {
	var errs []error
	if c.TenantURL != "" {
		u, err := url.Parse(c.TenantURL)
		switch {
		case err != nil || u.Host == "" || strings.ContainsAny(c.TenantURL, " \t\r\n"):
			errs = append(errs, invalid("Tenant URL", fmt.Sprintf("%q is not an absolute URL like https://api.rudderstack.com/scim/v2", c.TenantURL)))
		case u.Scheme != "https" && !(u.Scheme == "http" && loopback.Host(u.Hostname())):
			errs = append(errs, invalid("Tenant URL", fmt.Sprintf("%q must use https (Entra's provisioning service connects with TLS 1.2 only)", c.TenantURL)))
		}
	} else if c.Enabled {
		errs = append(errs, invalid("Tenant URL", "is required before Provisioning Status can be On"))
	}
	if len(c.SecretToken.Reveal()) > 4096 {
		errs = append(errs, invalid("Secret Token", "is longer than 4096 characters"))
	}
	if strings.ContainsAny(c.SecretToken.Reveal(), "\r\n") {
		errs = append(errs, invalid("Secret Token", "must be one line; paste the token without line breaks"))
	}
	if c.Scope != ScopeAssigned && c.Scope != ScopeAll {
		errs = append(errs, invalid("Scope", fmt.Sprintf("%q is not %q or %q", c.Scope, ScopeAssigned.Label(), ScopeAll.Label())))
	}
	if c.Interval < time.Minute {
		errs = append(errs, invalid("Cycle interval", fmt.Sprintf("%s is shorter than one minute", c.Interval)))
	}
	if len(c.Mappings) > 0 && !json.Valid(c.Mappings) {
		errs = append(errs, invalid("Mappings", "is not valid JSON"))
	}
	return errs
}
