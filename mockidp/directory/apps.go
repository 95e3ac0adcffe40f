package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/loopback"
	"github.com/ssowiz/ssowiz/internal/store"
)

// SigningOption is the SAML certificate's "Signing Option".
type SigningOption string

// The signing options; SignAssertion is the default.
const (
	SignAssertion            SigningOption = "assertion"
	SignResponse             SigningOption = "response"
	SignResponseAndAssertion SigningOption = "responseAndAssertion"
)

// Label is the option as the portal names it.
func (o SigningOption) Label() string {
	switch o {
	case SignAssertion:
		return "Sign SAML assertion"
	case SignResponse:
		return "Sign SAML response"
	case SignResponseAndAssertion:
		return "Sign SAML response and assertion"
	}
	return string(o)
}

// SignsAssertion reports whether the assertion carries a signature.
func (o SigningOption) SignsAssertion() bool {
	return o == SignAssertion || o == SignResponseAndAssertion
}

// SignsResponse reports whether the Response carries a signature.
func (o SigningOption) SignsResponse() bool {
	return o == SignResponse || o == SignResponseAndAssertion
}

// SigningAlgorithm is the SAML certificate's "Signing Algorithm".
type SigningAlgorithm string

// The signing algorithms; SHA256 is the default.
const (
	SHA256 SigningAlgorithm = "SHA-256"
	SHA1   SigningAlgorithm = "SHA-1"
)

// Identifier is one "Identifier (Entity ID)" row.
type Identifier struct {
	// Value must equal the SP's AuthnRequest Issuer, exactly.
	Value string
	// Default marks the one used as Audience in IdP-initiated responses.
	Default bool
}

// ReplyURL is one "Reply URL (Assertion Consumer Service URL)" row.
type ReplyURL struct {
	// URL is compared with the AuthnRequest's AssertionConsumerServiceURL
	// exactly, case and trailing slash included.
	URL string
	// Index is the optional index an AuthnRequest may name instead.
	Index *int
	// Default marks the URL used when the request names none, and for
	// IdP-initiated responses.
	Default bool
}

// SAMLConfig is the "Basic SAML Configuration" box.
type SAMLConfig struct {
	// Identifiers lists the Entity IDs, one of them default.
	Identifiers []Identifier
	// ReplyURLs lists the ACS URLs in order, one of them default.
	ReplyURLs []ReplyURL
	// SignOnURL, when set, makes the My Apps tile start SP-initiated.
	SignOnURL string
	// RelayState is sent with IdP-initiated responses.
	RelayState string
	// LogoutURL is the SP's single logout endpoint.
	LogoutURL string
}

// App is a non-gallery enterprise application ("Create your own
// application") with SAML single sign-on.
type App struct {
	// AppID is the "Application ID" (client ID) GUID, used in ?appid=.
	AppID string
	// ServicePrincipalID is the enterprise app's "Object ID".
	ServicePrincipalID string
	// Name is the app's display name.
	Name string
	// SAML is the Basic SAML Configuration.
	SAML SAMLConfig
	// NameID is the Unique User Identifier claim.
	NameID NameIDConfig
	// Claims are the Additional claims, in order.
	Claims []Claim
	// SigningOption says which parts of the response are signed.
	SigningOption SigningOption
	// SigningAlgorithm is SHA-256 or SHA-1.
	SigningAlgorithm SigningAlgorithm
	// AssignmentRequired is "Assignment required?" (default Yes).
	AssignmentRequired bool
	// GroupClaim is the "Groups claim"; its zero value sends none.
	GroupClaim GroupClaim
	// CreatedAt is when the app was created.
	CreatedAt time.Time
}

// DefaultIdentifier returns the default Entity ID, or "" if none is set.
func (a App) DefaultIdentifier() string {
	for _, id := range a.SAML.Identifiers {
		if id.Default {
			return id.Value
		}
	}
	if len(a.SAML.Identifiers) > 0 {
		return a.SAML.Identifiers[0].Value
	}
	return ""
}

// DefaultReplyURL returns the default Reply URL, or "" if none is set.
func (a App) DefaultReplyURL() string {
	for _, r := range a.SAML.ReplyURLs {
		if r.Default {
			return r.URL
		}
	}
	if len(a.SAML.ReplyURLs) > 0 {
		return a.SAML.ReplyURLs[0].URL
	}
	return ""
}

// CreateApp creates a non-gallery enterprise application with Entra's
// defaults: assignment required, the default claims with the UPN as an
// email-address Name ID, assertion-only SHA-256 signing, and an active
// signing certificate valid for three years. The Basic SAML Configuration
// starts empty.
func (d *Directory) CreateApp(ctx context.Context, name string) (App, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return App{}, invalid("Input name", "is required")
	}
	if len([]rune(name)) > 256 {
		return App{}, invalid("Input name", "can be at most 256 characters")
	}
	if _, err := d.Tenant(ctx); err != nil {
		return App{}, err
	}
	appID, err := d.newGUID()
	if err != nil {
		return App{}, err
	}
	spID, err := d.newGUID()
	if err != nil {
		return App{}, err
	}
	claims, _ := json.Marshal(DefaultClaims())
	nid := DefaultNameID()
	now := d.now()
	err = d.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO apps (app_id, sp_object_id, name, nameid_source, nameid_format, claims, signing_option, signing_algorithm, assignment_required, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`, appID, spID, name, nid.Source, string(nid.Format), string(claims), string(SignAssertion), string(SHA256), formatTime(now))
		if err != nil {
			return fmt.Errorf("create app %q: %w", name, err)
		}
		_, err = d.insertCertificate(ctx, tx, appID, SAMLCertCN, now, now.AddDate(CertificateYears, 0, 0), true)
		return err
	})
	if err != nil {
		return App{}, err
	}
	d.log.Info("enterprise app created", "app", appID, "name", name)
	return d.App(ctx, appID)
}

const appColumns = `app_id, sp_object_id, name, reply_urls, sign_on_url, relay_state, logout_url, nameid_source, nameid_format,
	claims, signing_option, signing_algorithm, assignment_required, created_at, group_claim`

func (d *Directory) scanApp(ctx context.Context, q querier, row interface{ Scan(...any) error }) (App, error) {
	a, err := scanAppRow(row)
	if err != nil {
		return App{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT value, is_default FROM app_identifiers WHERE app_id = ? ORDER BY position`, a.AppID)
	if err != nil {
		return App{}, fmt.Errorf("app %s: identifiers: %w", a.AppID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id Identifier
		if err := rows.Scan(&id.Value, &id.Default); err != nil {
			return App{}, fmt.Errorf("app %s: identifiers: %w", a.AppID, err)
		}
		a.SAML.Identifiers = append(a.SAML.Identifiers, id)
	}
	return a, rows.Err()
}

// scanAppRow reads an app's own row (appColumns), without its
// identifiers.
func scanAppRow(row interface{ Scan(...any) error }) (App, error) {
	var a App
	var replies, claims, format, option, alg, created, groupClaim string
	if err := row.Scan(&a.AppID, &a.ServicePrincipalID, &a.Name, &replies, &a.SAML.SignOnURL, &a.SAML.RelayState,
		&a.SAML.LogoutURL, &a.NameID.Source, &format, &claims, &option, &alg, &a.AssignmentRequired, &created, &groupClaim); err != nil {
		return App{}, err
	}
	if err := json.Unmarshal([]byte(groupClaim), &a.GroupClaim); err != nil {
		return App{}, fmt.Errorf("app %s: group claim: %w", a.AppID, err)
	}
	a.NameID.Format, a.SigningOption, a.SigningAlgorithm = NameIDFormat(format), SigningOption(option), SigningAlgorithm(alg)
	a.CreatedAt = parseTime(created)
	if err := json.Unmarshal([]byte(replies), &a.SAML.ReplyURLs); err != nil {
		return App{}, fmt.Errorf("app %s: reply URLs: %w", a.AppID, err)
	}
	if err := json.Unmarshal([]byte(claims), &a.Claims); err != nil {
		return App{}, fmt.Errorf("app %s: claims: %w", a.AppID, err)
	}
	return a, nil
}

// App returns an application by its Application ID (any case).
func (d *Directory) App(ctx context.Context, appID string) (App, error) {
	appID = strings.ToLower(appID)
	if a, ok := d.cache.getApp(appID); ok {
		return a, nil
	}
	gen := d.cache.generation()
	a, err := d.appIn(ctx, d.db, appID)
	if err != nil {
		return App{}, err
	}
	d.cache.putApp(gen, a)
	return a, nil
}

func (d *Directory) appIn(ctx context.Context, q querier, appID string) (App, error) {
	a, err := d.scanApp(ctx, q, q.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps WHERE app_id = ?`, strings.ToLower(appID)))
	if errors.Is(err, sql.ErrNoRows) {
		return App{}, fmt.Errorf("application %s: %w", appID, ErrNotFound)
	}
	if err != nil {
		return App{}, fmt.Errorf("read application %s: %w", appID, err)
	}
	return a, nil
}

// AppByIdentifier finds the application whose Identifier (Entity ID)
// equals the value exactly, as Entra matches an AuthnRequest's Issuer.
func (d *Directory) AppByIdentifier(ctx context.Context, identifier string) (App, error) {
	if appID, ok := d.cache.getIdentifier(identifier); ok {
		return d.App(ctx, appID)
	}
	gen := d.cache.generation()
	var appID string
	err := d.db.QueryRowContext(ctx, `SELECT app_id FROM app_identifiers WHERE value = ?`, identifier).Scan(&appID)
	if errors.Is(err, sql.ErrNoRows) {
		return App{}, fmt.Errorf("application with identifier %q: %w", identifier, ErrNotFound)
	}
	if err != nil {
		return App{}, fmt.Errorf("look up identifier %q: %w", identifier, err)
	}
	d.cache.putIdentifier(gen, identifier, appID)
	return d.App(ctx, appID)
}

// Apps lists the enterprise applications by name. It reads them all in
// two queries (the apps, then every identifier), as App would one by one:
// a tenant of fifty apps is listed at each start.
func (d *Directory) Apps(ctx context.Context) ([]App, error) {
	// Not in one transaction: the store's transactions take the write
	// lock. A write between the two queries clears the read cache (gen),
	// so what this call caches is never older than the next read.
	gen := d.cache.generation()
	rows, err := d.db.QueryContext(ctx, `SELECT `+appColumns+` FROM apps ORDER BY name COLLATE NOCASE, app_id`)
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	var out []App
	byID := map[string]int{}
	for rows.Next() {
		a, err := scanAppRow(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list applications: %w", err)
		}
		byID[a.AppID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	ids, err := d.db.QueryContext(ctx, `SELECT app_id, value, is_default FROM app_identifiers ORDER BY app_id, position`)
	if err != nil {
		return nil, fmt.Errorf("list applications: identifiers: %w", err)
	}
	defer ids.Close()
	for ids.Next() {
		var appID string
		var id Identifier
		if err := ids.Scan(&appID, &id.Value, &id.Default); err != nil {
			return nil, fmt.Errorf("list applications: identifiers: %w", err)
		}
		if i, ok := byID[appID]; ok {
			out[i].SAML.Identifiers = append(out[i].SAML.Identifiers, id)
		}
	}
	if err := ids.Err(); err != nil {
		return nil, fmt.Errorf("list applications: identifiers: %w", err)
	}
	for _, a := range out {
		d.cache.putApp(gen, a)
	}
	return out, nil
}

// DeleteApp deletes an application with its certificates, assignments
// and provisioning configuration.
func (d *Directory) DeleteApp(ctx context.Context, appID string) error {
	res, err := d.exec(ctx, `DELETE FROM apps WHERE app_id = ?`, strings.ToLower(appID))
	if err != nil {
		return fmt.Errorf("delete application %s: %w", appID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("application %s: %w", appID, ErrNotFound)
	}
	d.log.Info("enterprise app deleted", "app", appID)
	return nil
}

// UpdateSAMLConfig saves the Basic SAML Configuration verbatim (no
// trimming or case folding: a trailing slash is kept and later fails the
// way it fails in Entra). When no row is marked default, the first is.
func (d *Directory) UpdateSAMLConfig(ctx context.Context, appID string, cfg SAMLConfig) (App, error) {
	cfg.Identifiers = append([]Identifier(nil), cfg.Identifiers...)
	cfg.ReplyURLs = append([]ReplyURL(nil), cfg.ReplyURLs...)
	if err := joinErrs(validateSAMLConfig(&cfg)); err != nil {
		return App{}, err
	}
	replies, _ := json.Marshal(cfg.ReplyURLs)
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := d.appIn(ctx, tx, appID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE apps SET reply_urls = ?, sign_on_url = ?, relay_state = ?, logout_url = ? WHERE app_id = ?`,
			string(replies), cfg.SignOnURL, cfg.RelayState, cfg.LogoutURL, strings.ToLower(appID)); err != nil {
			return fmt.Errorf("save the SAML configuration of %s: %w", appID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM app_identifiers WHERE app_id = ?`, strings.ToLower(appID)); err != nil {
			return fmt.Errorf("save the identifiers of %s: %w", appID, err)
		}
		for i, id := range cfg.Identifiers {
			_, err := tx.ExecContext(ctx, `INSERT INTO app_identifiers (app_id, position, value, is_default) VALUES (?, ?, ?, ?)`,
				strings.ToLower(appID), i, id.Value, boolInt(id.Default))
			if store.IsUniqueViolation(err) {
				var other string
				_ = tx.QueryRowContext(ctx, `SELECT a.name FROM app_identifiers i JOIN apps a ON a.app_id = i.app_id WHERE i.value = ?`, id.Value).Scan(&other)
				return conflict("Identifier (Entity ID)", fmt.Sprintf("%q is already used by the application %q; an identifier can belong to one application per tenant", id.Value, other))
			}
			if err != nil {
				return fmt.Errorf("save the identifiers of %s: %w", appID, err)
			}
		}
		return nil
	})
	if err != nil {
		return App{}, err
	}
	d.log.Info("basic SAML configuration saved", "app", appID)
	return d.App(ctx, appID)
}

func validateSAMLConfig(cfg *SAMLConfig) []error {
	var errs []error
	const idField, replyField = "Identifier (Entity ID)", "Reply URL (Assertion Consumer Service URL)"
	if len(cfg.Identifiers) == 0 {
		errs = append(errs, invalid(idField, "is required: enter the service provider's entity ID, e.g. urn:amazon:cognito:sp:<user pool ID>"))
	}
	seen := map[string]bool{}
	defaults := 0
	for _, id := range cfg.Identifiers {
		switch {
		case id.Value == "":
			errs = append(errs, invalid(idField, "an identifier cannot be empty"))
		case strings.TrimSpace(id.Value) != id.Value || strings.ContainsAny(id.Value, " \t\r\n"):
			errs = append(errs, invalid(idField, fmt.Sprintf("%q contains spaces; copy the entity ID exactly, without spaces", id.Value)))
		case len(id.Value) > 255:
			errs = append(errs, invalid(idField, fmt.Sprintf("%q is longer than 255 characters", id.Value)))
		case seen[id.Value]:
			errs = append(errs, invalid(idField, fmt.Sprintf("%q is listed twice", id.Value)))
		}
		seen[id.Value] = true
		if id.Default {
			defaults++
		}
	}
	if defaults > 1 {
		errs = append(errs, invalid(idField, "only one identifier can be the default"))
	} else if defaults == 0 && len(cfg.Identifiers) > 0 {
		cfg.Identifiers[0].Default = true
	}

	if len(cfg.ReplyURLs) == 0 {
		errs = append(errs, invalid(replyField, "is required: enter the service provider's assertion consumer service URL"))
	}
	seen = map[string]bool{}
	indexes := map[int]bool{}
	defaults = 0
	for _, r := range cfg.ReplyURLs {
		if err := checkURL(replyField, r.URL, 256); err != nil {
			errs = append(errs, err)
		} else if strings.Contains(r.URL, "*") {
			errs = append(errs, invalid(replyField, fmt.Sprintf("%q: wildcards are not allowed in SAML reply URLs", r.URL)))
		}
		if seen[r.URL] {
			errs = append(errs, invalid(replyField, fmt.Sprintf("%q is listed twice", r.URL)))
		}
		seen[r.URL] = true
		if r.Index != nil {
			if *r.Index < 0 {
				errs = append(errs, invalid("Index", fmt.Sprintf("%d must be zero or more", *r.Index)))
			} else if indexes[*r.Index] {
				errs = append(errs, invalid("Index", fmt.Sprintf("%d is used by two reply URLs", *r.Index)))
			}
			indexes[*r.Index] = true
		}
		if r.Default {
			defaults++
		}
	}
	if defaults > 1 {
		errs = append(errs, invalid(replyField, "only one reply URL can be the default"))
	} else if defaults == 0 && len(cfg.ReplyURLs) > 0 {
		cfg.ReplyURLs[0].Default = true
	}
	if cfg.SignOnURL != "" {
		if err := checkURL("Sign on URL", cfg.SignOnURL, 2048); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.LogoutURL != "" {
		if err := checkURL("Logout URL", cfg.LogoutURL, 2048); err != nil {
			errs = append(errs, err)
		}
	}
	if len(cfg.RelayState) > 2048 {
		errs = append(errs, invalid("Relay State", "can be at most 2048 characters"))
	}
	return errs
}

// checkURL applies Entra's reply URL rules: absolute, HTTPS unless the host
// is the local machine, no fragment, bounded length.
func checkURL(field, raw string, max int) error {
	if len(raw) > max {
		return invalid(field, fmt.Sprintf("%q is longer than %d characters", raw, max))
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || strings.ContainsAny(raw, " \t\r\n") {
		return invalid(field, fmt.Sprintf("%q is not an absolute URL like https://app.example.com/path", raw))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback.Host(u.Hostname()) {
			return invalid(field, fmt.Sprintf("%q must use https (http is allowed only for localhost)", raw))
		}
	default:
		return invalid(field, fmt.Sprintf("%q must start with https://", raw))
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return invalid(field, fmt.Sprintf("%q must not contain a fragment (#...)", raw))
	}
	return nil
}

// UpdateClaims saves the Attributes & Claims page: the Unique User
// Identifier and the Additional claims, in order.
func (d *Directory) UpdateClaims(ctx context.Context, appID string, nameID NameIDConfig, claims []Claim) (App, error) {
	nameID.Source = strings.ToLower(strings.TrimSpace(nameID.Source))
	claims = append([]Claim(nil), claims...)
	for i := range claims {
		claims[i].Name = strings.TrimSpace(claims[i].Name)
		claims[i].Namespace = strings.TrimSpace(claims[i].Namespace)
		claims[i].Source = strings.ToLower(strings.TrimSpace(claims[i].Source))
	}
	errs := validateNameID(nameID)
	errs = append(errs, validateClaims(claims)...)
	if err := joinErrs(errs); err != nil {
		return App{}, err
	}
	if claims == nil {
		claims = []Claim{}
	}
	js, _ := json.Marshal(claims)
	res, err := d.exec(ctx, `UPDATE apps SET nameid_source = ?, nameid_format = ?, claims = ? WHERE app_id = ?`,
		nameID.Source, string(nameID.Format), string(js), strings.ToLower(appID))
	if err != nil {
		return App{}, fmt.Errorf("save the claims of %s: %w", appID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return App{}, fmt.Errorf("application %s: %w", appID, ErrNotFound)
	}
	d.log.Info("attributes and claims saved", "app", appID)
	return d.App(ctx, appID)
}

// UpdateSigning saves the SAML Signing Certificate's Signing Option and
// Signing Algorithm.
func (d *Directory) UpdateSigning(ctx context.Context, appID string, option SigningOption, alg SigningAlgorithm) (App, error) {
	var errs []error
	switch option {
	case SignAssertion, SignResponse, SignResponseAndAssertion:
	default:
		errs = append(errs, invalid("Signing Option", fmt.Sprintf("%q is not one of Sign SAML response and assertion, Sign SAML response, Sign SAML assertion", option)))
	}
	switch alg {
	case SHA256, SHA1:
	default:
		errs = append(errs, invalid("Signing Algorithm", fmt.Sprintf("%q is not SHA-256 or SHA-1", alg)))
	}
	if err := joinErrs(errs); err != nil {
		return App{}, err
	}
	res, err := d.exec(ctx, `UPDATE apps SET signing_option = ?, signing_algorithm = ? WHERE app_id = ?`, string(option), string(alg), strings.ToLower(appID))
	if err != nil {
		return App{}, fmt.Errorf("save the signing options of %s: %w", appID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return App{}, fmt.Errorf("application %s: %w", appID, ErrNotFound)
	}
	return d.App(ctx, appID)
}

// SetAssignmentRequired sets "Assignment required?" on the app's
// Properties page.
func (d *Directory) SetAssignmentRequired(ctx context.Context, appID string, required bool) error {
	res, err := d.exec(ctx, `UPDATE apps SET assignment_required = ? WHERE app_id = ?`, boolInt(required), strings.ToLower(appID))
	if err != nil {
		return fmt.Errorf("set assignment required on %s: %w", appID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("application %s: %w", appID, ErrNotFound)
	}
	return nil
}
