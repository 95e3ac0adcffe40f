package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"reflect"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/store"
)

// UserStatus says whether a user is live, in Entra's "Deleted users"
// (restorable), or permanently deleted (kept here as a tombstone so the
// provisioning engine can see the deletion).
type UserStatus string

// The user statuses.
const (
	UserActive      UserStatus = "active"
	UserSoftDeleted UserStatus = "softDeleted"
	UserHardDeleted UserStatus = "hardDeleted"
)

// User is a member user of the tenant, with the attributes the SAML claims
// and the SCIM provisioning mappings draw on. Field comments give the Graph
// attribute names.
type User struct {
	// ObjectID is the immutable object ID (GUID), "id" in Graph.
	ObjectID string
	// UserPrincipalName is the sign-in name, unique case-insensitively.
	UserPrincipalName string
	// Mail is the email address; it may be empty, as for unlicensed users.
	Mail string
	// MailNickname is the mail alias (SCIM externalId by default).
	MailNickname string
	// DisplayName is required.
	DisplayName string
	// GivenName is the first name.
	GivenName string
	// Surname is the last name.
	Surname string
	// JobTitle, Department and EmployeeID are organisation attributes.
	JobTitle, Department, EmployeeID string
	// PreferredLanguage is e.g. "en-US".
	PreferredLanguage string
	// OfficeLocation is physicalDeliveryOfficeName.
	OfficeLocation string
	// StreetAddress, City, State, PostalCode and Country make up the
	// address.
	StreetAddress, City, State, PostalCode, Country string
	// TelephoneNumber is the business phone.
	TelephoneNumber string
	// Mobile is mobilePhone.
	Mobile string
	// FacsimileTelephoneNumber is the fax number.
	FacsimileTelephoneNumber string
	// Manager is the manager's object ID, or empty.
	Manager string
	// DirectoryRoles names Entra roles held, e.g. "Global Administrator".
	DirectoryRoles []string
	// AccountEnabled is false when sign-in is blocked.
	AccountEnabled bool
	// Status is active, softDeleted or hardDeleted; set by the directory.
	Status UserStatus
	// DeletedAt is when the user was (soft) deleted.
	DeletedAt time.Time
	// CreatedAt is when the user was created.
	CreatedAt time.Time
	// ChangeSeq is the change sequence of the user's last change.
	ChangeSeq int64
}

const userColumns = `object_id, upn, mail, mail_nickname, display_name, given_name, surname, job_title, department,
	employee_id, preferred_language, office, street, city, state_province, postal_code, country, telephone, mobile, fax,
	manager_id, directory_roles, account_enabled, state, deleted_at, created_at, change_seq`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var roles, status, deleted, created string
	err := row.Scan(&u.ObjectID, &u.UserPrincipalName, &u.Mail, &u.MailNickname, &u.DisplayName, &u.GivenName, &u.Surname,
		&u.JobTitle, &u.Department, &u.EmployeeID, &u.PreferredLanguage, &u.OfficeLocation, &u.StreetAddress, &u.City,
		&u.State, &u.PostalCode, &u.Country, &u.TelephoneNumber, &u.Mobile, &u.FacsimileTelephoneNumber, &u.Manager,
		&roles, &u.AccountEnabled, &status, &deleted, &created, &u.ChangeSeq)
	if err != nil {
		return User{}, err
	}
	if roles == "[]" {
		// Most users hold no role; listing ten thousand need not run the
		// JSON decoder for each.
		u.DirectoryRoles = []string{}
	} else if err := json.Unmarshal([]byte(roles), &u.DirectoryRoles); err != nil {
		return User{}, fmt.Errorf("user %s: directory roles: %w", u.ObjectID, err)
	}
	u.Status = UserStatus(status)
	u.DeletedAt, u.CreatedAt = parseTime(deleted), parseTime(created)
	return u, nil
}

// CreateUser adds a member user ("New user" > "Create new user"). The
// object ID, status and timestamps are set by the directory; an empty
// MailNickname defaults to the UPN's part before the @, as the portal
// does.
func (d *Directory) CreateUser(ctx context.Context, u User, password string) (User, error) {
	t, err := d.Tenant(ctx)
	if err != nil {
		return User{}, err
	}
	normalizeUser(&u)
	if u.MailNickname == "" {
		u.MailNickname, _, _ = strings.Cut(u.UserPrincipalName, "@")
	}
	errs := d.validateUser(ctx, d.db, t, u, "")
	if err := validatePassword(password); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return User{}, errors.Join(errs...)
	}
	if u.ObjectID, err = d.newGUID(); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(d.rand, password)
	if err != nil {
		return User{}, err
	}
	roles, _ := json.Marshal(nonNil(u.DirectoryRoles))
	err = d.write(ctx, func(tx *sql.Tx) error {
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`, upn_key, password_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', '', ?, ?, ?, ?)`,
			u.ObjectID, u.UserPrincipalName, u.Mail, u.MailNickname, u.DisplayName, u.GivenName, u.Surname, u.JobTitle,
			u.Department, u.EmployeeID, u.PreferredLanguage, u.OfficeLocation, u.StreetAddress, u.City, u.State,
			u.PostalCode, u.Country, u.TelephoneNumber, u.Mobile, u.FacsimileTelephoneNumber, u.Manager, string(roles),
			boolInt(u.AccountEnabled), d.nowText(), seq, strings.ToLower(u.UserPrincipalName), hash)
		if store.IsUniqueViolation(err) {
			return upnTaken(u.UserPrincipalName)
		}
		if err != nil {
			return fmt.Errorf("create user %s: %w", u.UserPrincipalName, err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	d.log.Info("user created", "user", u.ObjectID, "upn", u.UserPrincipalName)
	return d.User(ctx, u.ObjectID)
}

func upnTaken(upn string) error {
	return conflict("User principal name", fmt.Sprintf("another user already uses %q; pick another name or rename that user first", upn))
}

// UpdateUser edits a live user's properties: edit receives a copy to change.
// The object ID, status, timestamps and password cannot be changed this way
// (use SetPassword, SoftDeleteUser, RestoreUser).
func (d *Directory) UpdateUser(ctx context.Context, objectID string, edit func(*User)) (User, error) {
	t, err := d.Tenant(ctx)
	if err != nil {
		return User{}, err
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		old, err := userIn(ctx, tx, objectID)
		if err != nil {
			return err
		}
		if old.Status != UserActive {
			return fmt.Errorf("user %s is in Deleted users; restore it before editing: %w", old.UserPrincipalName, ErrWrongState)
		}
		u := old
		u.DirectoryRoles = append([]string(nil), old.DirectoryRoles...)
		edit(&u)
		u.ObjectID, u.Status, u.DeletedAt, u.CreatedAt, u.ChangeSeq = old.ObjectID, old.Status, old.DeletedAt, old.CreatedAt, old.ChangeSeq
		normalizeUser(&u)
		if errs := d.validateUser(ctx, tx, t, u, objectID); len(errs) > 0 {
			return errors.Join(errs...)
		}
		u.DirectoryRoles, old.DirectoryRoles = nonNil(u.DirectoryRoles), nonNil(old.DirectoryRoles)
		if reflect.DeepEqual(u, old) {
			// Nothing changed: no change for the provisioning engine to see.
			return nil
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		roles, _ := json.Marshal(nonNil(u.DirectoryRoles))
		_, err = tx.ExecContext(ctx, `UPDATE users SET upn = ?, upn_key = ?, mail = ?, mail_nickname = ?, display_name = ?,
			given_name = ?, surname = ?, job_title = ?, department = ?, employee_id = ?, preferred_language = ?, office = ?,
			street = ?, city = ?, state_province = ?, postal_code = ?, country = ?, telephone = ?, mobile = ?, fax = ?,
			manager_id = ?, directory_roles = ?, account_enabled = ?, change_seq = ? WHERE object_id = ?`,
			u.UserPrincipalName, strings.ToLower(u.UserPrincipalName), u.Mail, u.MailNickname, u.DisplayName, u.GivenName,
			u.Surname, u.JobTitle, u.Department, u.EmployeeID, u.PreferredLanguage, u.OfficeLocation, u.StreetAddress,
			u.City, u.State, u.PostalCode, u.Country, u.TelephoneNumber, u.Mobile, u.FacsimileTelephoneNumber, u.Manager,
			string(roles), boolInt(u.AccountEnabled), seq, objectID)
		if store.IsUniqueViolation(err) {
			return upnTaken(u.UserPrincipalName)
		}
		if err != nil {
			return fmt.Errorf("update user %s: %w", objectID, err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	d.log.Info("user updated", "user", objectID)
	return d.User(ctx, objectID)
}

// SetAccountEnabled blocks (false) or allows (true) the user's sign-in.
func (d *Directory) SetAccountEnabled(ctx context.Context, objectID string, enabled bool) (User, error) {
	return d.UpdateUser(ctx, objectID, func(u *User) { u.AccountEnabled = enabled })
}

// SetPassword resets a live user's password.
func (d *Directory) SetPassword(ctx context.Context, objectID, password string) error {
	if err := validatePassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(d.rand, password)
	if err != nil {
		return err
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE object_id = ? AND state = 'active'`, hash, objectID)
		if err != nil {
			return fmt.Errorf("reset the password of user %s: %w", objectID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", objectID, ErrNotFound)
		}
		// The sequence moves on, so whoever remembers the users as of a
		// sequence (the tenant file's record of what it applied) sees
		// they changed. The user's own change_seq stays: passwords are
		// not provisioned, so no delta reports a reset.
		_, err = nextSeq(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	// The demo password printed by `serve` no longer opens the account;
	// keep no copy of it.
	if err := d.demoDelete(ctx, "password:"+objectID); err != nil {
		return err
	}
	d.log.Info("password reset", "user", objectID)
	return nil
}

// VerifyPassword finds the live user by UPN (any case) and checks the
// password in constant time. It returns ErrNotFound for an unknown UPN
// (AADSTS50034) and ErrBadPassword for a wrong password (AADSTS50126); it
// does not look at AccountEnabled, which the caller checks next.
func (d *Directory) VerifyPassword(ctx context.Context, upn, password string) (User, error) {
	row := d.userByUPN.QueryRowContext(store.Short(ctx), strings.ToLower(strings.TrimSpace(upn)))
	var hash string
	u, err := scanUser(scanPrefix{row: row, first: &hash})
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword("", password)
		return User{}, fmt.Errorf("user %q: %w", upn, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("look up user %q: %w", upn, err)
	}
	if !checkPassword(hash, password) {
		return User{}, ErrBadPassword
	}
	return u, nil
}

// scanPrefix scans one extra leading column before a user's columns.
type scanPrefix struct {
	row   *sql.Row
	first any
}

func (s scanPrefix) Scan(dest ...any) error {
	return s.row.Scan(append([]any{s.first}, dest...)...)
}

// User returns a user by object ID, live or in Deleted users; a
// hard-deleted user is ErrNotFound.
func (d *Directory) User(ctx context.Context, objectID string) (User, error) {
	u, err := scanUser(d.userByID.QueryRowContext(store.Short(ctx), strings.ToLower(objectID)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", objectID, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %s: %w", objectID, err)
	}
	if u.Status == UserHardDeleted {
		return User{}, fmt.Errorf("user %s was permanently deleted: %w", objectID, ErrNotFound)
	}
	return u, nil
}

func userIn(ctx context.Context, q querier, objectID string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE object_id = ?`, strings.ToLower(objectID)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", objectID, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %s: %w", objectID, err)
	}
	return u, nil
}

// UserByUPN returns the live user with this UPN (any case).
func (d *Directory) UserByUPN(ctx context.Context, upn string) (User, error) {
	var hash string
	u, err := scanUser(scanPrefix{row: d.userByUPN.QueryRowContext(store.Short(ctx), strings.ToLower(strings.TrimSpace(upn))), first: &hash})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", upn, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("look up user %q: %w", upn, err)
	}
	return u, nil
}

// Users lists the live users, by display name.
func (d *Directory) Users(ctx context.Context) ([]User, error) {
	if users, ok := d.cache.getUsers(); ok {
		return users, nil
	}
	gen := d.cache.generation()
	rows, err := d.liveUsers.QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users, err := collectUsers(rows)
	if err != nil {
		return nil, err
	}
	d.cache.putUsers(gen, users)
	return d.cache.getUsersOr(users), nil
}

// FirstUsers is the first n live users of Users' list (by display
// name), for a page that shows a few: after the first call it copies n
// users from memory, not the whole tenant.
func (d *Directory) FirstUsers(ctx context.Context, n int) ([]User, error) {
	if users, ok := d.cache.getFirstUsers(n); ok {
		return users, nil
	}
	users, err := d.Users(ctx)
	if err != nil {
		return nil, err
	}
	return users[:min(n, len(users))], nil
}

// DeletedUsers lists the users in Deleted users (restorable), by display
// name.
func (d *Directory) DeletedUsers(ctx context.Context) ([]User, error) {
	return d.listUsers(ctx, `state = 'softDeleted'`)
}

func (d *Directory) listUsers(ctx context.Context, where string) ([]User, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where+` ORDER BY display_name COLLATE NOCASE, upn`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return collectUsers(rows)
}

func collectUsers(rows *sql.Rows) ([]User, error) {
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SoftDeleteUser moves a live user to Deleted users. The UPN is freed, the
// user can no longer sign in, and RestoreUser brings it back.
func (d *Directory) SoftDeleteUser(ctx context.Context, objectID string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		u, err := userIn(ctx, tx, objectID)
		if err != nil {
			return err
		}
		if u.Status != UserActive {
			return fmt.Errorf("user %s is already deleted: %w", u.UserPrincipalName, ErrWrongState)
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET state = 'softDeleted', upn_key = NULL, deleted_at = ?, change_seq = ? WHERE object_id = ?`,
			d.nowText(), seq, u.ObjectID)
		if err != nil {
			return fmt.Errorf("delete user %s: %w", objectID, err)
		}
		return nil
	})
	if err == nil {
		d.log.Info("user deleted", "user", objectID)
	}
	return err
}

// RestoreUser brings a user back from Deleted users. It fails with a
// conflict on "User principal name" if another user took the UPN
// meanwhile.
func (d *Directory) RestoreUser(ctx context.Context, objectID string) (User, error) {
	err := d.write(ctx, func(tx *sql.Tx) error {
		u, err := userIn(ctx, tx, objectID)
		if err != nil {
			return err
		}
		if u.Status != UserSoftDeleted {
			return fmt.Errorf("user %s is not in Deleted users: %w", u.UserPrincipalName, ErrWrongState)
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET state = 'active', upn_key = ?, deleted_at = '', change_seq = ? WHERE object_id = ?`,
			strings.ToLower(u.UserPrincipalName), seq, u.ObjectID)
		if store.IsUniqueViolation(err) {
			return upnTaken(u.UserPrincipalName)
		}
		if err != nil {
			return fmt.Errorf("restore user %s: %w", objectID, err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	d.log.Info("user restored", "user", objectID)
	return d.User(ctx, objectID)
}

// HardDeleteUser permanently deletes a user that is in Deleted users
// ("Delete permanently"), as Entra requires. A tombstone with the object
// ID and UPN stays so ChangesSince reports the deletion; the user's group
// memberships and app assignments are removed, and users it managed lose
// their manager.
func (d *Directory) HardDeleteUser(ctx context.Context, objectID string) error {
	err := d.write(ctx, func(tx *sql.Tx) error {
		u, err := userIn(ctx, tx, objectID)
		if err != nil {
			return err
		}
		if u.Status != UserSoftDeleted {
			return fmt.Errorf("user %s must be deleted (moved to Deleted users) before it can be deleted permanently: %w", u.UserPrincipalName, ErrWrongState)
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		stmts := []string{
			`UPDATE users SET state = 'hardDeleted', password_hash = '', change_seq = ?1 WHERE object_id = ?2`,
			`UPDATE group_members SET removed = 1, change_seq = ?1 WHERE user_id = ?2 AND removed = 0`,
			`UPDATE assignments SET removed = 1, change_seq = ?1 WHERE principal_id = ?2 AND removed = 0`,
			`UPDATE users SET manager_id = '', change_seq = ?1 WHERE manager_id = ?2`,
			// A demo password of a user gone for good opens nothing.
			`DELETE FROM demo WHERE key = 'password:' || ?2 AND ?1 IS NOT NULL`,
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s, seq, u.ObjectID); err != nil {
				return fmt.Errorf("permanently delete user %s: %w", objectID, err)
			}
		}
		return nil
	})
	if err == nil {
		d.log.Info("user permanently deleted", "user", objectID)
	}
	return err
}

func normalizeUser(u *User) {
	for _, p := range []*string{&u.UserPrincipalName, &u.Mail, &u.MailNickname, &u.DisplayName, &u.GivenName, &u.Surname,
		&u.JobTitle, &u.Department, &u.EmployeeID, &u.PreferredLanguage, &u.OfficeLocation, &u.StreetAddress, &u.City,
		&u.State, &u.PostalCode, &u.Country, &u.TelephoneNumber, &u.Mobile, &u.FacsimileTelephoneNumber, &u.Manager} {
		*p = strings.TrimSpace(*p)
	}
	u.Manager = strings.ToLower(u.Manager)
}

// validateUser checks a user as the portal's user form does. self is the
// user's own object ID when editing.
func (d *Directory) validateUser(ctx context.Context, q querier, t Tenant, u User, self string) []error {
	var errs []error
	if err := validateUPN(u.UserPrincipalName, t.Domains); err != nil {
		errs = append(errs, err)
	}
	if u.DisplayName == "" {
		errs = append(errs, invalid("Display name", "is required"))
	} else if len([]rune(u.DisplayName)) > 256 {
		errs = append(errs, invalid("Display name", "can be at most 256 characters"))
	}
	if !validMailNickname(u.MailNickname) {
		errs = append(errs, invalid("Mail nickname", fmt.Sprintf("%q must be 1 to 64 characters without spaces or any of @ ( ) \\ [ ] \" ; : < > ,", u.MailNickname)))
	}
	if u.Mail != "" {
		if a, err := mail.ParseAddress(u.Mail); err != nil || a.Address != u.Mail {
			errs = append(errs, invalid("Email", fmt.Sprintf("%q is not an email address like adele@contoso.com", u.Mail)))
		}
	}
	if u.Manager != "" {
		switch m, err := userIn(ctx, q, u.Manager); {
		case u.Manager == self:
			errs = append(errs, invalid("Manager", "a user cannot be their own manager"))
		case errors.Is(err, ErrNotFound) || err == nil && m.Status != UserActive:
			errs = append(errs, invalid("Manager", fmt.Sprintf("no user with object ID %s; pick an existing user", u.Manager)))
		case err != nil:
			errs = append(errs, err)
		}
	}
	return errs
}

func validateUPN(upn string, domains []string) error {
	const field = "User principal name"
	alias, domain, ok := strings.Cut(upn, "@")
	if upn == "" {
		return invalid(field, "is required")
	}
	if !ok || alias == "" || domain == "" || strings.Contains(domain, "@") {
		return invalid(field, fmt.Sprintf("%q must look like name@%s", upn, first(domains)))
	}
	if len(alias) > 64 || alias[0] == '.' || alias[len(alias)-1] == '.' || strings.Contains(alias, "..") {
		return invalid(field, fmt.Sprintf("the part before @ in %q must be 1 to 64 characters and must not start or end with a period or contain two in a row", upn))
	}
	for _, r := range alias {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("'.-_!#^~", r)) {
			return invalid(field, fmt.Sprintf("the part before @ in %q may contain only letters, digits and ' . - _ ! # ^ ~", upn))
		}
	}
	for _, d := range domains {
		if strings.EqualFold(domain, d) {
			return nil
		}
	}
	return invalid(field, fmt.Sprintf("the domain %q is not a verified domain of this tenant; use one of %s, or add it under Custom domain names", domain, strings.Join(domains, ", ")))
}

func validMailNickname(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return !strings.ContainsAny(s, " @()\\[]\";:<>,")
}

func first(s []string) string {
	if len(s) == 0 {
		return "contoso.onmicrosoft.com"
	}
	return s[0]
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
