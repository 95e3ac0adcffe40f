package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SeedOptions configures the demo tenant. The SAML values are the SP's, as
// the setup guide tells the admin to enter them: local URLs for `serve`,
// production ones for rehearsals.
type SeedOptions struct {
	// TenantName is the initial domain's first label; default "contoso".
	TenantName string
	// TenantDisplayName is the organization name; default "Contoso".
	TenantDisplayName string
	// TenantID is the tenant ID to use when the tenant is created; empty
	// makes one.
	TenantID string
	// AppName is the enterprise app's name; default "RudderStack".
	AppName string
	// EntityID is the Identifier (Entity ID), e.g.
	// urn:amazon:cognito:sp:us-east-1_ABZiTjXia. Empty leaves the Basic
	// SAML Configuration unset.
	EntityID string
	// ReplyURL is the Reply URL (ACS), e.g.
	// https://auth2.rudderstack.com/saml2/idpresponse.
	ReplyURL string
	// SignOnURL is the Sign on URL; it may be empty.
	SignOnURL string
}

// DemoUser is a seeded user with the password to print for it.
type DemoUser struct {
	// ObjectID is the user's object ID.
	ObjectID string
	// UPN is the sign-in name.
	UPN string
	// DisplayName is the user's name.
	DisplayName string
	// Password is the demo password; empty if the user's password was
	// changed since the seed, or the user no longer exists.
	Password string
	// Assigned is whether the user is assigned to the demo app (directly or
	// through the demo group).
	Assigned bool
	// Enabled is AccountEnabled.
	Enabled bool
	// HasMail is whether the user has a mail attribute.
	HasMail bool
	// EntraAdmin marks the tenant's Global Administrator.
	EntraAdmin bool
	// SPOrgAdmin marks the user the SP should make its Org Admin.
	SPOrgAdmin bool
	// Exists is false if the user was deleted after the seed.
	Exists bool
	// Purpose says what the user is there to rehearse.
	Purpose string
}

// Demo is what Seed made (or found).
type Demo struct {
	// Tenant is the demo tenant.
	Tenant Tenant
	// App is the RudderStack enterprise app.
	App App
	// Group is the group through which Isaiah Langer is assigned.
	Group Group
	// Users are the demo users in a fixed order.
	Users []DemoUser
}

type demoUserSpec struct {
	alias, given, surname, job, dept, office, phone, employeeID string
	noMail, disabled, assigned, viaGroup, admin                 bool
	manager, purpose                                            string
}

// Microsoft's demo-tenant people, each there to rehearse one path.
var demoUsers = []demoUserSpec{
	{alias: "AdeleV", given: "Adele", surname: "Vance", job: "Retail Manager", dept: "Retail", office: "18/2111", phone: "+1 425 555 0109", employeeID: "100001",
		assigned: true, purpose: "assigned, with mail: the happy path"},
	{alias: "IsaiahL", given: "Isaiah", surname: "Langer", job: "Sales Rep", dept: "Sales", office: "20/1101", phone: "+1 918 555 0101", employeeID: "100002",
		assigned: true, viaGroup: true, manager: "DiegoS", purpose: "assigned through the RudderStack Users group"},
	{alias: "AlexW", given: "Alex", surname: "Wilber", job: "Marketing Assistant", dept: "Marketing", office: "131/1104", phone: "+1 858 555 0110", employeeID: "100003",
		manager: "MeganB", purpose: "not assigned: AADSTS50105"},
	{alias: "MeganB", given: "Megan", surname: "Bowen", job: "Marketing Manager", dept: "Marketing", office: "12/1110", phone: "+1 412 555 0109", employeeID: "100004",
		disabled: true, assigned: true, purpose: "sign-in blocked: AADSTS50057"},
	{alias: "LeeG", given: "Lee", surname: "Gu", job: "Director", dept: "Manufacturing", office: "23/3101", phone: "+1 913 555 0101", employeeID: "100005",
		noMail: true, assigned: true, purpose: "assigned, no mail: the Email claim is omitted"},
	{alias: "DiegoS", given: "Diego", surname: "Siciliani", job: "HR Manager", dept: "HR", office: "14/1108", phone: "+1 205 555 0108", employeeID: "100006",
		assigned: true, admin: true, purpose: "Entra Global Administrator and the SP's Org Admin"},
}

// Seed creates the demo tenant, its users and group, and a RudderStack app
// configured as the setup guide says, and returns them with the users'
// passwords. It is idempotent: each object is made once (recorded in the
// demo table), and later calls only read it back, so a restart neither
// duplicates nor resets what the admin changed. Only the app is made
// again if it was deleted, because `serve` needs one.
func (d *Directory) Seed(ctx context.Context, opts SeedOptions) (Demo, error) {
	if opts.TenantName == "" {
		opts.TenantName = "contoso"
	}
	if opts.TenantDisplayName == "" {
		opts.TenantDisplayName = "Contoso"
	}
	if opts.AppName == "" {
		opts.AppName = "RudderStack"
	}
	var demo Demo
	t, err := d.Tenant(ctx)
	if errors.Is(err, ErrNoTenant) {
		t, err = d.CreateTenant(ctx, NewTenant{Name: opts.TenantName, DisplayName: opts.TenantDisplayName, ID: opts.TenantID})
	}
	if err != nil {
		return Demo{}, fmt.Errorf("seed the demo tenant: %w", err)
	}
	demo.Tenant = t

	ids := map[string]string{}
	for _, spec := range demoUsers {
		id, err := d.seedUser(ctx, t, spec)
		if err != nil {
			return Demo{}, fmt.Errorf("seed demo user %s: %w", spec.alias, err)
		}
		ids[spec.alias] = id
	}
	if err := d.seedManagers(ctx, ids); err != nil {
		return Demo{}, err
	}

	groupID, err := d.demoValue(ctx, "group", func() (string, error) {
		g, err := d.CreateGroup(ctx, opts.AppName+" Users", "Everyone who signs in to "+opts.AppName+" through a group assignment")
		if err != nil {
			return "", err
		}
		for _, spec := range demoUsers {
			if spec.viaGroup && ids[spec.alias] != "" {
				if err := d.AddGroupMember(ctx, g.ObjectID, ids[spec.alias]); err != nil {
					return "", err
				}
			}
		}
		return g.ObjectID, nil
	})
	if err != nil {
		return Demo{}, fmt.Errorf("seed the demo group: %w", err)
	}
	if g, err := d.Group(ctx, groupID); err == nil {
		demo.Group = g
	}

	app, err := d.seedApp(ctx, opts, ids, groupID)
	if err != nil {
		return Demo{}, fmt.Errorf("seed the %s app: %w", opts.AppName, err)
	}
	demo.App = app

	for _, spec := range demoUsers {
		du := DemoUser{ObjectID: ids[spec.alias], Purpose: spec.purpose, EntraAdmin: spec.admin, SPOrgAdmin: spec.admin}
		u, err := d.User(ctx, du.ObjectID)
		if err == nil && u.Status == UserActive {
			du.Exists, du.UPN, du.DisplayName, du.Enabled, du.HasMail = true, u.UserPrincipalName, u.DisplayName, u.AccountEnabled, u.Mail != ""
			pw, _ := d.demoGet(ctx, "password:"+du.ObjectID)
			if _, err := d.VerifyPassword(ctx, u.UserPrincipalName, pw); err == nil {
				du.Password = pw
			} else if pw != "" && errors.Is(err, ErrBadPassword) {
				// The password was changed some other way: the demo one
				// opens nothing now, so it is not kept.
				if err := d.demoDelete(ctx, "password:"+du.ObjectID); err != nil {
					return Demo{}, err
				}
			}
			if du.Assigned, err = d.IsAssigned(ctx, app.AppID, du.ObjectID); err != nil {
				return Demo{}, err
			}
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return Demo{}, err
		}
		demo.Users = append(demo.Users, du)
	}
	return demo, nil
}

func (d *Directory) seedUser(ctx context.Context, t Tenant, spec demoUserSpec) (string, error) {
	return d.demoValue(ctx, "user:"+spec.alias, func() (string, error) {
		upn := spec.alias + "@" + t.InitialDomain
		u := User{
			UserPrincipalName: upn, MailNickname: spec.alias, DisplayName: spec.given + " " + spec.surname,
			GivenName: spec.given, Surname: spec.surname, JobTitle: spec.job, Department: spec.dept,
			EmployeeID: spec.employeeID, PreferredLanguage: "en-US", OfficeLocation: spec.office,
			StreetAddress: "205 108th Ave NE", City: "Bellevue", State: "WA", PostalCode: "98004", Country: "United States",
			TelephoneNumber: spec.phone, AccountEnabled: !spec.disabled,
		}
		if !spec.noMail {
			u.Mail = upn
		}
		if spec.admin {
			u.DirectoryRoles = []string{"Global Administrator"}
		}
		pw, err := demoPassword(d.rand)
		if err != nil {
			return "", err
		}
		created, err := d.CreateUser(ctx, u, pw)
		if err != nil {
			return "", err
		}
		if err := d.demoSet(ctx, "password:"+created.ObjectID, pw); err != nil {
			return "", err
		}
		return created.ObjectID, nil
	})
}

// seedManagers links managers once; an admin's later change is kept.
func (d *Directory) seedManagers(ctx context.Context, ids map[string]string) error {
	_, err := d.demoValue(ctx, "managers", func() (string, error) {
		for _, spec := range demoUsers {
			if spec.manager == "" || ids[spec.alias] == "" || ids[spec.manager] == "" {
				continue
			}
			if _, err := d.UpdateUser(ctx, ids[spec.alias], func(u *User) { u.Manager = ids[spec.manager] }); err != nil {
				return "", fmt.Errorf("set the manager of %s: %w", spec.alias, err)
			}
		}
		return "done", nil
	})
	return err
}

func (d *Directory) seedApp(ctx context.Context, opts SeedOptions, ids map[string]string, groupID string) (App, error) {
	if id, err := d.demoGet(ctx, "app"); err == nil {
		if app, err := d.App(ctx, id); err == nil {
			return app, nil
		} else if !errors.Is(err, ErrNotFound) {
			return App{}, err
		}
	} else if !errors.Is(err, ErrNotFound) {
		return App{}, err
	}
	app, err := d.CreateApp(ctx, opts.AppName)
	if err != nil {
		return App{}, err
	}
	if opts.EntityID != "" || opts.ReplyURL != "" {
		if _, err := d.UpdateSAMLConfig(ctx, app.AppID, SAMLConfig{
			Identifiers: []Identifier{{Value: opts.EntityID, Default: true}},
			ReplyURLs:   []ReplyURL{{URL: opts.ReplyURL, Default: true}},
			SignOnURL:   opts.SignOnURL,
		}); err != nil {
			return App{}, err
		}
	}
	// The guide: remove the additional claims, add Email = user.mail and
	// LastName = user.displayname, keep the UPN as the Name ID.
	if _, err := d.UpdateClaims(ctx, app.AppID, NameIDConfig{Source: "user.userprincipalname", Format: NameIDEmailAddress}, []Claim{
		{Name: "Email", Source: "user.mail"},
		{Name: "LastName", Source: "user.displayname"},
	}); err != nil {
		return App{}, err
	}
	for _, spec := range demoUsers {
		if !spec.assigned || spec.viaGroup || ids[spec.alias] == "" {
			continue
		}
		if err := d.Assign(ctx, app.AppID, ids[spec.alias]); err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrWrongState) {
			return App{}, err
		}
	}
	if groupID != "" {
		if err := d.Assign(ctx, app.AppID, groupID); err != nil && !errors.Is(err, ErrNotFound) {
			return App{}, err
		}
	}
	if err := d.demoSet(ctx, "app", app.AppID); err != nil {
		return App{}, err
	}
	return d.App(ctx, app.AppID)
}

// demoValue returns the recorded value for key, or runs create once and
// records its result.
func (d *Directory) demoValue(ctx context.Context, key string, create func() (string, error)) (string, error) {
	v, err := d.demoGet(ctx, key)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return v, err
	}
	v, err = create()
	if err != nil {
		return "", err
	}
	return v, d.demoSet(ctx, key, v)
}

func (d *Directory) demoGet(ctx context.Context, key string) (string, error) {
	var v string
	err := d.db.QueryRowContext(ctx, `SELECT value FROM demo WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read demo record %s: %w", key, err)
	}
	return v, nil
}

// demoDelete forgets a demo record, such as a password no longer in use.
func (d *Directory) demoDelete(ctx context.Context, key string) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM demo WHERE key = ?`, key); err != nil {
		return fmt.Errorf("forget demo %s: %w", strings.SplitN(key, ":", 2)[0], err)
	}
	return nil
}

func (d *Directory) demoSet(ctx context.Context, key, value string) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO demo (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("record demo %s: %w", strings.SplitN(key, ":", 2)[0], err)
	}
	return nil
}

// demoPassword makes a readable password that meets Entra's policy, such
// as "Demo-kqzp-4821". It is stored in the demo table so `serve` can print
// it again after a restart, and only while it is the user's password:
// SetPassword and a permanent deletion forget it.
func demoPassword(r io.Reader) (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("make a demo password: %w", err)
	}
	var sb strings.Builder
	sb.WriteString("Demo-")
	for _, x := range b[:4] {
		sb.WriteByte('a' + x%26)
	}
	sb.WriteByte('-')
	for _, x := range b[4:] {
		sb.WriteByte('0' + x%10)
	}
	return sb.String(), nil
}
