package tenant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// userAttributes are the user properties User.Attributes sets, by the name
// the file gives them.
var userAttributes = map[string]func(*directory.User, string){
	"mail_nickname":      func(u *directory.User, v string) { u.MailNickname = v },
	"preferred_language": func(u *directory.User, v string) { u.PreferredLanguage = v },
	"office":             func(u *directory.User, v string) { u.OfficeLocation = v },
	"street_address":     func(u *directory.User, v string) { u.StreetAddress = v },
	"city":               func(u *directory.User, v string) { u.City = v },
	"state":              func(u *directory.User, v string) { u.State = v },
	"postal_code":        func(u *directory.User, v string) { u.PostalCode = v },
	"country":            func(u *directory.User, v string) { u.Country = v },
	"telephone":          func(u *directory.User, v string) { u.TelephoneNumber = v },
	"mobile":             func(u *directory.User, v string) { u.Mobile = v },
	"fax":                func(u *directory.User, v string) { u.FacsimileTelephoneNumber = v },
}

// BuiltinSP is the built-in mock RudderStack's own SAML values, which fill
// the built-in app's empty fields.
type BuiltinSP struct {
	EntityID, ReplyURL, SignOnURL string
	// LogoutURL is the SP's single logout endpoint; empty leaves the
	// app's Logout Url empty, as the guide does.
	LogoutURL string
}

// Options configures Apply.
type Options struct {
	// RudderStack is the built-in SP's values for the app marked
	// rudderstack.
	RudderStack BuiltinSP
	// Rand makes generated passwords; nil means crypto/rand.
	Rand io.Reader
	// Getenv reads secret_token_env; nil means os.Getenv.
	Getenv func(string) string
	// HTTPClient fetches an app's `metadata:` given as a URL; nil uses a
	// plain client with a timeout. Files are read relative to the tenant
	// file.
	HTTPClient *http.Client
}

// Applied is what a tenant file made (or found) in a directory.
type Applied struct {
	// Tenant is the directory's tenant.
	Tenant directory.Tenant
	// Users are the file's users, in its order.
	Users []AppliedUser
	// Apps are the file's apps, in its order.
	Apps []AppliedApp
	// Reapplied is true when the file was written to the directory at
	// this start: a new directory, or a file that changed since the last
	// start. False means a kept directory already held this file, and
	// what changed there at run time was kept.
	Reapplied bool
	// Parsed is true when this start needed the file's content (and
	// parsed it, unless the caller had). False means a kept directory
	// held this file with the same inputs, and the start served what the
	// last apply recorded.
	Parsed bool
}

// AppliedUser is a user of the file as the directory holds it.
type AppliedUser struct {
	ObjectID, UPN, DisplayName string
	// Password is the user's password (from the file, or generated);
	// empty if it was changed at run time.
	Password string
	// Exists is false if the user was deleted at run time.
	Exists, Enabled, HasMail bool
	// Assigned is whether the user is assigned to the built-in app.
	Assigned bool
	// OrgAdmin marks the built-in app's Org Admin.
	OrgAdmin bool
	// Note is the file's note on the user.
	Note string
}

// AppliedApp is an app of the file as the directory holds it.
type AppliedApp struct {
	directory.App
	// Spec is the app as the file describes it.
	Spec App
	// Builtin marks the built-in mock RudderStack's app.
	Builtin bool
}

// Builtin returns the built-in RudderStack app, if the file has one.
func (a Applied) Builtin() (AppliedApp, bool) {
	for _, app := range a.Apps {
		if app.Builtin {
			return app, true
		}
	}
	return AppliedApp{}, false
}

// App returns the app with the given name (any case).
func (a Applied) App(name string) (AppliedApp, bool) {
	for _, app := range a.Apps {
		if strings.EqualFold(app.Name, name) {
			return app, true
		}
	}
	return AppliedApp{}, false
}

// The records Apply keeps in the directory (its seed table).
const (
	// recordSum is the digest of the file and every input its last
	// apply read (see inputs); it is present only while the directory
	// holds the whole of that apply.
	recordSum = "tenant-file:sha256"
	// recordInputs lists those inputs, so a restart can tell whether any
	// changed before it parses the file.
	recordInputs = "tenant-file:inputs"
	// recordSnapshot is what the apply made (snapshot), for a restart
	// that finds nothing changed.
	recordSnapshot = "tenant-file:applied"
	recordApplied  = "tenant-file:objects"
)

// appliedObjects are the object IDs a file made, so a later version of
// the file that drops one can remove it.
type appliedObjects struct {
	Users  []string `json:"users"`
	Groups []string `json:"groups"`
	Apps   []string `json:"apps"`
}

// Apply makes the directory hold the tenant the file describes: Load of
// a file the caller parsed.
func Apply(ctx context.Context, d *directory.Directory, f *File, opts Options) (Applied, error) {
	return Load(ctx, d, SourceOf(f), opts)
}

// Load makes the directory hold the tenant the source describes. A new
// directory gets everything. A kept directory (--data) that last applied
// the same file with the same inputs (the SP metadata it names, the
// environment variables holding its SCIM tokens, this build of ssowiz)
// is left as it is, so what changed at run time survives, and the file
// is not even parsed: what serve needs was recorded by that apply. If
// anything changed, every user, group and app the file lists is made to
// match it again (matched by UPN, group name and app name), and what an
// earlier version of the file made but this one no longer lists is
// deleted. Sessions, certificates, provisioning state and the SP's
// accounts are never touched. Errors the directory raises name the
// file's field.
func Load(ctx context.Context, d *directory.Directory, src *Source, opts Options) (Applied, error) {
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	out, ok, err := kept(ctx, d, src, opts)
	if err != nil || ok {
		return out, err
	}
	f, err := src.File()
	if err != nil {
		return Applied{}, err
	}
	out, err = apply(ctx, d, src, f, opts)
	out.Parsed = true
	return out, err
}

// apply applies a parsed file, unless the directory already holds it with
// the same inputs, and records what it made.
func apply(ctx context.Context, d *directory.Directory, src *Source, f *File, opts Options) (Applied, error) {
	a := applier{d: d, f: f, opts: opts, users: map[string]string{}, groups: map[string]string{}, metadata: map[int]SPMetadata{}}
	// The SPs' metadata is part of what is applied: a changed document
	// applies the file again, as a changed file does.
	in := inputs{Source: src.key()}
	var contents [][]byte
	dir := src.dir()
	for i, fa := range f.Apps {
		if fa.Metadata == "" {
			continue
		}
		at := fmt.Sprintf("apps[%d].metadata", i)
		data, err := LoadMetadata(ctx, opts.HTTPClient, fa.Metadata, dir)
		if err != nil {
			return Applied{}, f.fieldError(at, fmt.Sprintf("%v; give the path of the SP's metadata file (relative to the tenant file) or its URL", err))
		}
		m, err := ParseSPMetadata(data)
		if err != nil {
			return Applied{}, f.fieldError(at, fmt.Sprintf("%s: %v", fa.Metadata, err))
		}
		a.metadata[i] = m
		in.Metadata = append(in.Metadata, resolveMetadata(fa.Metadata, dir))
		contents = append(contents, data)
	}
	for _, fa := range f.Apps {
		if p := fa.Provisioning; p != nil && p.SecretTokenEnv != "" {
			in.Env = append(in.Env, p.SecretTokenEnv)
		}
	}
	fileSum := in.digest(contents, opts.Getenv)
	t, err := a.tenant(ctx)
	if err != nil {
		return Applied{}, err
	}
	out := Applied{Tenant: t}
	last, err := d.SeedRecord(ctx, recordSum)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return Applied{}, err
	}
	if last != fileSum {
		if err := a.writeForgetting(ctx, last != ""); err != nil {
			return Applied{}, err
		}
		out.Reapplied = true
	}
	users := a.fileUsers()
	if out.Reapplied {
		err = a.written(ctx, users, &out)
	} else {
		err = a.results(ctx, users, &out)
	}
	if err != nil {
		return Applied{}, err
	}
	if len(out.Apps) < len(f.Apps) && !out.Reapplied {
		// An app was deleted at run time; a server needs every app it
		// serves, so the file is applied again.
		if err := a.writeForgetting(ctx, true); err != nil {
			return Applied{}, err
		}
		out = Applied{Tenant: t, Reapplied: true}
		if err := a.written(ctx, users, &out); err != nil {
			return Applied{}, err
		}
	}
	if err := record(ctx, d, fileSum, in, users, out); err != nil {
		return Applied{}, err
	}
	return out, nil
}

// applyVersion is bumped when Apply makes something different of the
// same file, so a kept directory applies its file again after an upgrade.
const applyVersion = 2

// writeForgetting applies the file, having first forgotten the digest the
// directory held, in its own commit: the apply takes many transactions,
// and a process killed among them must leave no digest that says the
// directory holds a file it only partly holds. The next start then finds
// none and applies the file again. record writes the new digest once the
// apply is whole.
func (a *applier) writeForgetting(ctx context.Context, hadDigest bool) error {
	if hadDigest {
		if err := a.d.DeleteSeedRecord(ctx, recordSum); err != nil {
			return err
		}
	}
	return a.write(ctx)
}

// record keeps, in one transaction, the digest of what was applied, the
// inputs it was made from and what it made, for the next start.
func record(ctx context.Context, d *directory.Directory, sum string, in inputs, users []fileUser, out Applied) error {
	seq, err := d.Sequence(ctx)
	if err != nil {
		return err
	}
	snap := snapshot{Digest: sum, Seq: seq, TenantDomain: out.Tenant.InitialDomain, Domains: out.Tenant.Domains}
	for _, app := range out.Apps {
		snap.Apps = append(snap.Apps, snapshotApp{AppID: app.AppID, Builtin: app.Builtin, Spec: app.Spec})
		if app.Builtin {
			snap.BuiltinID = app.AppID
		}
	}
	snap.Users = make([]snapshotUser, len(users))
	for i, fu := range users {
		snap.Users[i] = snapshotUser{File: fu, Applied: out.Users[i]}
	}
	enc, err := snap.encode()
	if err != nil {
		return err
	}
	js, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode the tenant file's inputs: %w", err)
	}
	return d.SetSeedRecords(ctx, map[string]string{recordSum: sum, recordInputs: string(js), recordSnapshot: string(enc)})
}

// kept serves a restart whose file and inputs are those the directory
// last applied whole: from the snapshot that apply recorded, without
// parsing the file. ok is false when anything differs (or the record is
// missing or damaged); the caller then parses and applies as usual.
func kept(ctx context.Context, d *directory.Directory, src *Source, opts Options) (_ Applied, ok bool, _ error) {
	records := map[string]string{}
	for _, key := range []string{recordSum, recordInputs, recordSnapshot} {
		v, err := d.SeedRecord(ctx, key)
		if errors.Is(err, directory.ErrNotFound) {
			return Applied{}, false, nil
		}
		if err != nil {
			return Applied{}, false, err
		}
		records[key] = v
	}
	var in inputs
	if json.Unmarshal([]byte(records[recordInputs]), &in) != nil || in.Source != src.key() {
		return Applied{}, false, nil
	}
	contents := make([][]byte, len(in.Metadata))
	for i, ref := range in.Metadata {
		data, err := LoadMetadata(ctx, opts.HTTPClient, ref, "")
		if err != nil {
			// The apply reports it, against the file's field.
			return Applied{}, false, nil
		}
		contents[i] = data
	}
	if in.digest(contents, opts.Getenv) != records[recordSum] {
		return Applied{}, false, nil
	}
	snap, err := decodeSnapshot(records[recordSnapshot])
	if err != nil || snap.Digest != records[recordSum] {
		return Applied{}, false, nil
	}
	t, err := d.Tenant(ctx)
	if err != nil {
		return Applied{}, false, err
	}
	if t.InitialDomain != snap.TenantDomain {
		return Applied{}, false, nil
	}
	for _, dom := range snap.Domains {
		if !slices.Contains(t.Domains, dom) {
			return Applied{}, false, nil
		}
	}
	apps, err := d.Apps(ctx)
	if err != nil {
		return Applied{}, false, err
	}
	byID := make(map[string]directory.App, len(apps))
	for _, app := range apps {
		byID[app.AppID] = app
	}
	out := Applied{Tenant: t}
	for _, sa := range snap.Apps {
		app, ok := byID[sa.AppID]
		if !ok {
			// Deleted at run time: the apply makes it again.
			return Applied{}, false, nil
		}
		out.Apps = append(out.Apps, AppliedApp{App: app, Spec: sa.Spec, Builtin: sa.Builtin})
	}
	seq, err := d.Sequence(ctx)
	if err != nil {
		return Applied{}, false, err
	}
	users := make([]fileUser, len(snap.Users))
	for i, u := range snap.Users {
		users[i] = u.File
	}
	if seq == snap.Seq {
		out.Users = make([]AppliedUser, len(snap.Users))
		for i, u := range snap.Users {
			out.Users[i] = u.Applied
		}
		return out, true, nil
	}
	// Users changed at run time: read them back, and keep that for the
	// next start.
	a := applier{d: d, opts: opts}
	if err := a.readUsers(ctx, users, snap.BuiltinID, &out); err != nil {
		return Applied{}, false, err
	}
	if err := record(ctx, d, records[recordSum], in, users, out); err != nil {
		return Applied{}, false, err
	}
	return out, true, nil
}

// inputs are what an apply read besides the file: recorded with its
// digest, and read again at the next start to tell whether anything
// changed, as a build cache's list of dependencies.
type inputs struct {
	// Source is the file's content and the --sp-metadata apps added to
	// it (Source.key).
	Source string `json:"source"`
	// Metadata are the SP metadata documents the apps name, as absolute
	// paths or URLs, in the apps' order.
	Metadata []string `json:"metadata"`
	// Env are the environment variables holding SCIM tokens.
	Env []string `json:"env"`
}

// digest identifies the inputs' content: the file, each metadata
// document, each variable's value (hashed), and the versions of the
// directory's schema and of the apply. Not the build: applying again sets
// every app's assignments to the file's, so a rebuilt ssowiz would undo
// what an admin changed at run time.
func (in inputs) digest(metadata [][]byte, getenv func(string) string) string {
	h := sha256.New()
	fmt.Fprintf(h, "source %s\n", in.Source)
	for i, ref := range in.Metadata {
		fmt.Fprintf(h, "metadata %q %x\n", ref, sha256.Sum256(metadata[i]))
	}
	for _, name := range in.Env {
		fmt.Fprintf(h, "env %q %x\n", name, sha256.Sum256([]byte(getenv(name))))
	}
	fmt.Fprintf(h, "schema %d apply %d\n", directory.SchemaVersion(), applyVersion)
	return hex.EncodeToString(h.Sum(nil))
}

// resolveMetadata is where a file's metadata reference is read from: a
// URL as it is, a path made absolute against the file's directory.
func resolveMetadata(ref, dir string) string {
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		return ref
	}
	if !filepath.IsAbs(ref) && dir != "" {
		ref = filepath.Join(dir, ref)
	}
	if abs, err := filepath.Abs(ref); err == nil {
		return abs
	}
	return ref
}

type applier struct {
	d    *directory.Directory
	f    *File
	opts Options
	// users and groups map lower-case UPNs and group names to object IDs.
	users, groups map[string]string
	// metadata holds the SP metadata of the apps that give one, by index.
	metadata map[int]SPMetadata
	// managers holds each existing user's manager before the file is
	// applied, so unchanged ones cost no write.
	managers map[string]string
	// generated holds the passwords made for the users this apply
	// created, by object ID; kept is the users it found already there.
	generated map[string]string
	kept      map[string]bool
	// members holds each file group's members as applied, by lower-case
	// name; appIDs the file's apps as written, in its order.
	members map[string][]string
	appIDs  []string
}

// fail reports a directory's refusal of a value against the file's field.
func (a *applier) fail(path string, err error) error {
	var fes []*directory.FieldError
	collectFieldErrors(err, &fes)
	if len(fes) == 0 {
		return fmt.Errorf("%s: %s: %w", a.f.name, path, err)
	}
	var errs []error
	for _, fe := range fes {
		at := path
		if sub, ok := portalFields[fe.Field]; ok && strings.HasSuffix(path, ".saml") {
			at += "." + sub
		}
		errs = append(errs, a.f.fieldError(at, fe.Error()))
	}
	return errors.Join(errs...)
}

// portalFields maps the Basic SAML Configuration's labels, as the
// directory's errors name them, to the file's fields.
var portalFields = map[string]string{
	"Identifier (Entity ID)":                     "identifiers",
	"Reply URL (Assertion Consumer Service URL)": "reply_urls",
	"Index":       "reply_urls",
	"Sign on URL": "sign_on_url",
	"Relay State": "relay_state",
	"Logout URL":  "logout_url",
}

func collectFieldErrors(err error, out *[]*directory.FieldError) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			collectFieldErrors(e, out)
		}
		return
	}
	var fe *directory.FieldError
	if errors.As(err, &fe) {
		*out = append(*out, fe)
	}
}

func (a *applier) tenant(ctx context.Context) (directory.Tenant, error) {
	ft := a.f.Tenant
	t, err := a.d.Tenant(ctx)
	if errors.Is(err, directory.ErrNoTenant) {
		t, err = a.d.CreateTenant(ctx, directory.NewTenant{Name: ft.Name, DisplayName: ft.DisplayName, ID: ft.ID})
		if err != nil {
			return directory.Tenant{}, a.fail("tenant", err)
		}
	}
	if err != nil {
		return directory.Tenant{}, err
	}
	if want := strings.ToLower(ft.Name) + ".onmicrosoft.com"; t.InitialDomain != want {
		return directory.Tenant{}, a.f.fieldError("tenant.name", fmt.Sprintf("the data directory holds the tenant %s, not %s; a tenant cannot be renamed: use another --data directory, or set tenant.name back", t.InitialDomain, want))
	}
	if ft.ID != "" && !strings.EqualFold(ft.ID, t.ID) {
		return directory.Tenant{}, a.f.fieldError("tenant.id", fmt.Sprintf("the data directory holds the tenant %s; a tenant ID cannot change: use another --data directory, or remove tenant.id", t.ID))
	}
	for i, dom := range ft.Domains {
		if slices.Contains(t.Domains, strings.ToLower(dom)) {
			continue
		}
		if err := a.d.AddDomain(ctx, dom); err != nil {
			return directory.Tenant{}, a.fail(fmt.Sprintf("tenant.domains[%d]", i), err)
		}
	}
	return a.d.Tenant(ctx)
}

// write makes the directory match the file.
func (a *applier) write(ctx context.Context) error {
	var made appliedObjects
	if err := a.usersOf(ctx); err != nil {
		return err
	}
	for i, fu := range a.f.Users {
		id := a.users[strings.ToLower(fu.UPN)]
		made.Users = append(made.Users, id)
		manager := ""
		if fu.Manager != "" {
			manager = a.users[strings.ToLower(fu.Manager)]
		}
		if a.managers[id] == manager {
			continue
		}
		if _, err := a.d.UpdateUser(ctx, id, func(u *directory.User) { u.Manager = manager }); err != nil {
			return a.fail(fmt.Sprintf("users[%d].manager", i), err)
		}
	}
	if err := a.groupsAndMembers(ctx, &made); err != nil {
		return err
	}
	// The apps are listed once: each app's writes clear the directory's
	// cache, and 50 apps each listing all 50 again cost more than their
	// writes.
	apps, err := a.d.Apps(ctx)
	if err != nil {
		return err
	}
	byName := make(map[string]directory.App, len(apps))
	for _, app := range apps {
		byName[strings.ToLower(app.Name)] = app
	}
	for i, fa := range a.f.Apps {
		id, err := a.app(ctx, i, fa, byName)
		if err != nil {
			return err
		}
		made.Apps = append(made.Apps, id)
	}
	a.appIDs = made.Apps
	return a.removeDropped(ctx, made)
}

// usersOf creates the file's new users in one go and updates the ones
// the directory already has; a.users and a.managers then hold every
// user's object ID and current manager. The directory's users are read
// once, and only a user the file changes costs a write.
func (a *applier) usersOf(ctx context.Context) error {
	var fresh []directory.NewUser
	var at []int
	var generated []bool
	a.managers, a.kept, a.generated = map[string]string{}, map[string]bool{}, map[string]string{}
	live, err := a.d.Users(ctx)
	if err != nil {
		return err
	}
	byUPN := make(map[string]directory.User, len(live))
	for _, u := range live {
		byUPN[strings.ToLower(u.UserPrincipalName)] = u
	}
	passwords := map[string]string{}
	for i, fu := range a.f.Users {
		existing, ok := byUPN[strings.ToLower(strings.TrimSpace(fu.UPN))]
		if !ok {
			pw := fu.Password
			if pw == "" {
				if pw, err = demoPassword(a.opts.Rand); err != nil {
					return err
				}
			}
			var u directory.User
			fillUser(&u, fu)
			fresh = append(fresh, directory.NewUser{User: u, Password: pw})
			at, generated = append(at, i), append(generated, fu.Password == "")
			continue
		}
		if err := a.updateUser(ctx, i, fu, existing); err != nil {
			return err
		}
		if fu.Password != "" {
			passwords[existing.ObjectID] = fu.Password
		}
		a.kept[existing.ObjectID] = true
		a.users[strings.ToLower(fu.UPN)] = existing.ObjectID
		a.managers[existing.ObjectID] = existing.Manager
	}
	if err := a.passwordsOf(ctx, passwords); err != nil {
		return err
	}
	if len(fresh) == 0 {
		return nil
	}
	ids, err := a.d.CreateUsers(ctx, fresh)
	var be *directory.BulkError
	if errors.As(err, &be) {
		path := fmt.Sprintf("users[%d]", at[be.Index])
		var fes []*directory.FieldError
		if collectFieldErrors(be.Err, &fes); len(fes) == 1 && fes[0].Field == "Password" {
			path += ".password"
		}
		return a.fail(path, be.Err)
	}
	if err != nil {
		return err
	}
	records := map[string]string{}
	for k, id := range ids {
		a.users[strings.ToLower(a.f.Users[at[k]].UPN)] = id
		if generated[k] {
			records["password:"+id] = fresh[k].Password
			a.generated[id] = fresh[k].Password
		}
	}
	return a.d.SetSeedRecords(ctx, records)
}

// passwordsOf sets the file's password on each existing user it no
// longer opens (checked in bulk), so an unchanged one costs no write.
func (a *applier) passwordsOf(ctx context.Context, passwords map[string]string) error {
	if len(passwords) == 0 {
		return nil
	}
	open, err := a.d.CheckPasswords(ctx, passwords)
	if err != nil {
		return err
	}
	for i, fu := range a.f.Users {
		id := a.users[strings.ToLower(fu.UPN)]
		pw, ok := passwords[id]
		if !ok || open[strings.ToLower(id)] {
			continue
		}
		if err := a.d.SetPassword(ctx, id, pw); err != nil {
			return a.fail(fmt.Sprintf("users[%d].password", i), err)
		}
	}
	return nil
}

// fillUser sets a directory user's properties from the file's.
func fillUser(u *directory.User, fu User) {
	u.UserPrincipalName, u.DisplayName, u.GivenName, u.Surname = fu.UPN, fu.DisplayName, fu.GivenName, fu.Surname
	u.Mail, u.JobTitle, u.Department, u.EmployeeID = fu.Mail, fu.JobTitle, fu.Department, fu.EmployeeID
	u.MailNickname, u.PreferredLanguage, u.OfficeLocation, u.StreetAddress = "", "", "", ""
	u.City, u.State, u.PostalCode, u.Country = "", "", "", ""
	u.TelephoneNumber, u.Mobile, u.FacsimileTelephoneNumber = "", "", ""
	for name, v := range fu.Attributes {
		userAttributes[name](u, v)
	}
	if u.MailNickname == "" {
		u.MailNickname, _, _ = strings.Cut(fu.UPN, "@")
	}
	u.DirectoryRoles = fu.Roles
	u.AccountEnabled = fu.Enabled == nil || *fu.Enabled
}

// updateUser makes an existing user match the file; a user it already
// matches costs no write (the directory would skip it too, but only
// after a transaction of its own).
func (a *applier) updateUser(ctx context.Context, i int, fu User, existing directory.User) error {
	want := existing
	want.DirectoryRoles = slices.Clone(existing.DirectoryRoles)
	fillUser(&want, fu)
	if sameUser(want, existing) {
		return nil
	}
	if _, err := a.d.UpdateUser(ctx, existing.ObjectID, func(u *directory.User) { fillUser(u, fu) }); err != nil {
		return a.fail(fmt.Sprintf("users[%d]", i), err)
	}
	return nil
}

// sameUser reports whether two users hold the same properties, an empty
// list of roles being the same as none.
func sameUser(x, y directory.User) bool {
	if !slices.Equal(x.DirectoryRoles, y.DirectoryRoles) {
		return false
	}
	x.DirectoryRoles, y.DirectoryRoles = nil, nil
	return reflect.DeepEqual(x, y)
}

func (a *applier) groupsAndMembers(ctx context.Context, made *appliedObjects) error {
	byName := map[string]directory.Group{}
	a.members = map[string][]string{}
	current, err := a.d.Groups(ctx)
	if err != nil {
		return err
	}
	for _, g := range current {
		byName[strings.ToLower(g.DisplayName)] = g
	}
	members := map[string][]string{}
	for _, fu := range a.f.Users {
		for _, g := range fu.Groups {
			members[strings.ToLower(g)] = append(members[strings.ToLower(g)], a.users[strings.ToLower(fu.UPN)])
		}
	}
	for i, fg := range a.f.Groups {
		key := strings.ToLower(fg.Name)
		g, ok := byName[key]
		if !ok {
			if g, err = a.d.CreateGroup(ctx, fg.Name, fg.Description); err != nil {
				return a.fail(fmt.Sprintf("groups[%d].name", i), err)
			}
		}
		a.groups[key] = g.ObjectID
		made.Groups = append(made.Groups, g.ObjectID)
		want := members[key]
		for _, m := range fg.Members {
			want = append(want, a.users[strings.ToLower(m)])
		}
		a.members[key] = want
		if err := a.d.SetGroupMembers(ctx, g.ObjectID, want); err != nil {
			return a.fail(fmt.Sprintf("groups[%d].members", i), err)
		}
	}
	return nil
}

// app creates or updates one app, screen by screen.
func (a *applier) app(ctx context.Context, i int, fa App, byName map[string]directory.App) (string, error) {
	at := fmt.Sprintf("apps[%d]", i)
	app, ok := byName[strings.ToLower(strings.TrimSpace(fa.Name))]
	if !ok {
		var err error
		if app, err = a.d.CreateApp(ctx, fa.Name); err != nil {
			return "", a.fail(at+".name", err)
		}
	}
	spec, err := a.resolve(ctx, i, fa)
	if err != nil {
		return "", err
	}
	id := app.AppID

	cfg := directory.SAMLConfig{SignOnURL: spec.SAML.SignOnURL, RelayState: spec.SAML.RelayState, LogoutURL: spec.SAML.LogoutURL}
	for _, x := range spec.SAML.Identifiers {
		cfg.Identifiers = append(cfg.Identifiers, directory.Identifier{Value: x.Value, Default: x.Default})
	}
	for _, r := range spec.SAML.ReplyURLs {
		cfg.ReplyURLs = append(cfg.ReplyURLs, directory.ReplyURL{URL: r.URL, Index: r.Index, Default: r.Default})
	}
	if app, err = a.d.UpdateSAMLConfig(ctx, id, cfg); err != nil {
		return "", a.fail(at+".saml", err)
	}
	// The screens below are written only where the app differs from the
	// file (a new app has Entra's defaults): each write reads the app
	// back, and fifty apps start with most of them unchanged.

	nameID := directory.DefaultNameID()
	if spec.NameID != nil {
		nameID = directory.NameIDConfig{Source: spec.NameID.Source, Format: nameIDFormat(spec.NameID.Format)}
	}
	claims := directory.DefaultClaims()
	if spec.Claims != nil {
		claims = []directory.Claim{}
		for _, c := range spec.Claims {
			claims = append(claims, directory.Claim{Name: c.Name, Namespace: c.Namespace, Source: c.Source})
		}
	}
	if app.NameID != nameID || !reflect.DeepEqual(app.Claims, claims) {
		if _, err := a.d.UpdateClaims(ctx, id, nameID, claims); err != nil {
			return "", a.fail(at+".claims", err)
		}
	}
	var gc directory.GroupClaim
	if g := spec.GroupClaim; g != nil {
		gc = directory.GroupClaim{Groups: groupChoice(g.Groups), Names: g.Emit == "names", Name: g.Name, Namespace: g.Namespace}
	}
	if !reflect.DeepEqual(app.GroupClaim, gc) {
		if _, err := a.d.UpdateGroupClaim(ctx, id, gc); err != nil {
			return "", a.fail(at+".group_claim", err)
		}
	}
	option, alg := directory.SignAssertion, directory.SHA256
	switch spec.Signing.Option {
	case "response":
		option = directory.SignResponse
	case "both":
		option = directory.SignResponseAndAssertion
	}
	if spec.Signing.Algorithm == "sha1" {
		alg = directory.SHA1
	}
	if app.SigningOption != option || app.SigningAlgorithm != alg {
		if _, err := a.d.UpdateSigning(ctx, id, option, alg); err != nil {
			return "", a.fail(at+".signing", err)
		}
	}
	if required := spec.AssignmentRequired == nil || *spec.AssignmentRequired; app.AssignmentRequired != required {
		if err := a.d.SetAssignmentRequired(ctx, id, required); err != nil {
			return "", err
		}
	}
	if err := a.assign(ctx, id, spec.Assigned); err != nil {
		return "", err
	}
	if err := a.provisioning(ctx, at, id, spec); err != nil {
		return "", err
	}
	return id, nil
}

// resolve fills what an app's spec leaves to someone else: the built-in
// SP's own SAML values, or an SP's metadata with the built-in app's
// claims and assignments.
func (a *applier) resolve(ctx context.Context, i int, fa App) (App, error) {
	if fa.RudderStack != nil {
		sp := a.opts.RudderStack
		if len(fa.SAML.Identifiers) == 0 && sp.EntityID != "" {
			fa.SAML.Identifiers = []Identifier{{Value: sp.EntityID, Default: true}}
		}
		if len(fa.SAML.ReplyURLs) == 0 && sp.ReplyURL != "" {
			fa.SAML.ReplyURLs = []ReplyURL{{URL: sp.ReplyURL, Default: true}}
		}
		if fa.SAML.SignOnURL == "" {
			fa.SAML.SignOnURL = sp.SignOnURL
		}
		if fa.SAML.LogoutURL == "" {
			fa.SAML.LogoutURL = sp.LogoutURL
		}
	}
	if m, ok := a.metadata[i]; ok {
		if len(fa.SAML.Identifiers) == 0 {
			fa.SAML.Identifiers = []Identifier{{Value: m.EntityID, Default: true}}
		}
		if len(fa.SAML.ReplyURLs) == 0 {
			fa.SAML.ReplyURLs = m.ReplyURLs
		}
		if fa.SAML.LogoutURL == "" {
			fa.SAML.LogoutURL = m.LogoutURL
		}
		// As the guide's app: its claims, and the same users and groups,
		// so the demo users behave on it as they do on RudderStack.
		guide, err := a.guideApp()
		if err != nil {
			return App{}, err
		}
		if fa.Claims == nil && fa.NameID == nil {
			fa.Claims, fa.NameID = guide.Claims, guide.NameID
		}
		if fa.Assigned == nil && a.f.builtin() != nil {
			fa.Assigned = guide.Assigned
		}
	}
	return fa, nil
}

// guideApp is the app whose claims and assignments an app from metadata
// copies: the file's built-in app, or the demo tenant's.
func (a *applier) guideApp() (App, error) {
	if b := a.f.builtin(); b != nil {
		return *b, nil
	}
	d, err := Demo()
	if err != nil {
		return App{}, err
	}
	return *d.builtin(), nil
}

func (a *applier) assign(ctx context.Context, appID string, as *Assigned) error {
	var want []string
	if as != nil {
		for _, u := range as.Users {
			want = append(want, a.users[strings.ToLower(u)])
		}
		for _, g := range as.Groups {
			want = append(want, a.groups[strings.ToLower(g)])
		}
	}
	// A user disabled in the file can still be assigned, as in Entra.
	return a.d.SetAssignments(ctx, appID, want)
}

func (a *applier) provisioning(ctx context.Context, at, appID string, spec App) error {
	cfg := directory.DefaultProvisioning()
	if p := spec.Provisioning; p != nil {
		cfg.TenantURL = p.TenantURL
		token := p.SecretToken
		if p.SecretTokenEnv != "" {
			token = a.opts.Getenv(p.SecretTokenEnv)
			if token == "" {
				return a.f.fieldError(at+".provisioning.secret_token_env", fmt.Sprintf("the environment variable %s is empty or not set; export it with the SCIM token before starting", p.SecretTokenEnv))
			}
		}
		cfg.SecretToken = directory.NewSecret(token)
		if p.Scope == "all" {
			cfg.Scope = directory.ScopeAll
		}
		if p.ProvisionGroups != nil {
			cfg.ProvisionGroups = *p.ProvisionGroups
		}
		if p.Actions != nil {
			cfg.Actions = directory.TargetActions{Create: p.Actions.Create, Update: p.Actions.Update, Delete: p.Actions.Delete}
		}
		cfg.Enabled = p.Enabled && p.TenantURL != ""
		cfg.Interval = p.Interval
		if p.Mappings != nil {
			doc, err := mappingDocument(*p.Mappings)
			if err != nil {
				return a.f.fieldError(at+".provisioning.mappings", err.Error())
			}
			cfg.Mappings = doc
		}
	}
	if _, err := a.d.UpdateProvisioning(ctx, appID, cfg); err != nil {
		return a.fail(at+".provisioning", err)
	}
	return nil
}

// mappingDocument turns the file's mappings into the engine's document,
// checked by the engine's own parser. A list left out keeps the engine's
// defaults for it.
func mappingDocument(m Mappings) (json.RawMessage, error) {
	defaults := provisioning.DefaultMappings()
	doc := provisioning.Mappings{Users: defaults.Users, Groups: defaults.Groups}
	convert := func(in []Mapping) []provisioning.Mapping {
		out := make([]provisioning.Mapping, len(in))
		for i, x := range in {
			out[i] = provisioning.Mapping{Source: x.Source, Target: x.Target, MatchingPrecedence: x.MatchingPrecedence, Apply: provisioning.ApplyMode(x.Apply)}
		}
		return out
	}
	if m.Users != nil {
		doc.Users = convert(m.Users)
	}
	if m.Groups != nil {
		doc.Groups = convert(m.Groups)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode the mappings: %w", err)
	}
	if _, err := provisioning.ParseMappings(js); err != nil {
		return nil, err
	}
	return js, nil
}

// removeDropped deletes what an earlier version of the file made and
// this one no longer lists. Users go to Deleted users, as in Entra, so
// the provisioning engine disables them in the SCIM server.
func (a *applier) removeDropped(ctx context.Context, made appliedObjects) error {
	var before appliedObjects
	if js, err := a.d.SeedRecord(ctx, recordApplied); err == nil {
		_ = json.Unmarshal([]byte(js), &before)
	} else if !errors.Is(err, directory.ErrNotFound) {
		return err
	}
	for _, id := range before.Apps {
		if !slices.Contains(made.Apps, id) {
			if err := a.d.DeleteApp(ctx, id); err != nil && !errors.Is(err, directory.ErrNotFound) {
				return err
			}
		}
	}
	for _, id := range before.Groups {
		if !slices.Contains(made.Groups, id) {
			if err := a.d.DeleteGroup(ctx, id); err != nil && !errors.Is(err, directory.ErrNotFound) {
				return err
			}
		}
	}
	for _, id := range before.Users {
		if !slices.Contains(made.Users, id) {
			if err := a.d.SoftDeleteUser(ctx, id); err != nil && !errors.Is(err, directory.ErrNotFound) && !errors.Is(err, directory.ErrWrongState) {
				return err
			}
		}
	}
	js, _ := json.Marshal(made)
	return a.d.SetSeedRecord(ctx, recordApplied, string(js))
}

// fileUsers is what reading the file's users back needs of the file.
func (a *applier) fileUsers() []fileUser {
	orgAdmin := ""
	if b := a.f.builtin(); b != nil {
		orgAdmin = b.RudderStack.OrgAdmin
	}
	out := make([]fileUser, len(a.f.Users))
	for i, fu := range a.f.Users {
		out[i] = fileUser{UPN: fu.UPN, DisplayName: fu.DisplayName, Note: fu.Note, Password: fu.Password, OrgAdmin: orgAdmin != "" && strings.EqualFold(fu.UPN, orgAdmin)}
	}
	return out
}

// results reads back what the directory holds for the file's users and
// apps.
func (a *applier) results(ctx context.Context, users []fileUser, out *Applied) error {
	builtinID, err := a.appsOf(ctx, out)
	if err != nil {
		return err
	}
	return a.readUsers(ctx, users, builtinID, out)
}

// appsOf reads the file's apps as the directory holds them (the ones
// this apply wrote, else the first of each name), and says which is the
// built-in app.
func (a *applier) appsOf(ctx context.Context, out *Applied) (builtinID string, _ error) {
	apps, err := a.d.Apps(ctx)
	if err != nil {
		return "", err
	}
	byName := make(map[string]directory.App, len(apps))
	byID := make(map[string]directory.App, len(apps))
	for _, app := range apps {
		if _, ok := byName[strings.ToLower(app.Name)]; !ok {
			byName[strings.ToLower(app.Name)] = app
		}
		byID[app.AppID] = app
	}
	for i, fa := range a.f.Apps {
		app, ok := byName[strings.ToLower(fa.Name)]
		if len(a.appIDs) == len(a.f.Apps) {
			app, ok = byID[a.appIDs[i]]
		}
		if ok {
			out.Apps = append(out.Apps, AppliedApp{App: app, Spec: fa, Builtin: fa.RudderStack != nil})
			if fa.RudderStack != nil {
				builtinID = app.AppID
			}
		}
	}
	return builtinID, nil
}

// written is what the apply just wrote, as results would read it back,
// without reading ten thousand users: each file user exists, with the
// file's properties (trimmed, as the directory keeps them), the file's
// password or the one generated for it, and is assigned to the built-in
// app directly or through a group the file assigns. Only a generated
// password of a user that was already there is checked, since it may have
// been changed at run time.
func (a *applier) written(ctx context.Context, users []fileUser, out *Applied) error {
	if _, err := a.appsOf(ctx, out); err != nil {
		return err
	}
	assigned := map[string]bool{}
	if b := a.f.builtin(); b != nil && b.Assigned != nil {
		for _, u := range b.Assigned.Users {
			assigned[a.users[strings.ToLower(u)]] = true
		}
		for _, g := range b.Assigned.Groups {
			for _, id := range a.members[strings.ToLower(g)] {
				assigned[id] = true
			}
		}
	}
	check := map[string]string{}
	var records map[string]string
	for _, fu := range a.f.Users {
		id := a.users[strings.ToLower(fu.UPN)]
		if fu.Password != "" || !a.kept[id] {
			continue
		}
		if records == nil {
			var err error
			if records, err = a.d.SeedRecordsWithPrefix(ctx, "password:"); err != nil {
				return err
			}
		}
		if pw := records["password:"+id]; pw != "" {
			check[id] = pw
		}
	}
	open, err := a.d.CheckPasswords(ctx, check)
	if err != nil {
		return err
	}
	out.Users = make([]AppliedUser, len(users))
	for i, fu := range a.f.Users {
		id := a.users[strings.ToLower(fu.UPN)]
		pw := fu.Password
		switch {
		case pw != "":
		case !a.kept[id]:
			pw = a.generated[id]
		case open[strings.ToLower(id)]:
			pw = check[id]
		case check[id] != "":
			// Changed some other way: the generated one opens nothing.
			if err := a.d.DeleteSeedRecord(ctx, "password:"+id); err != nil {
				return err
			}
		}
		out.Users[i] = AppliedUser{ObjectID: id, UPN: strings.TrimSpace(fu.UPN), DisplayName: strings.TrimSpace(fu.DisplayName),
			Password: pw, Exists: true, Enabled: fu.Enabled == nil || *fu.Enabled, HasMail: strings.TrimSpace(fu.Mail) != "",
			Assigned: assigned[id], OrgAdmin: users[i].OrgAdmin, Note: fu.Note}
	}
	return nil
}

// readUsers reads back what the directory holds for the file's users.
func (a *applier) readUsers(ctx context.Context, users []fileUser, builtinID string, out *Applied) error {
	live, err := a.d.Users(ctx)
	if err != nil {
		return err
	}
	byUPN := make(map[string]directory.User, len(live))
	for _, u := range live {
		byUPN[strings.ToLower(u.UserPrincipalName)] = u
	}
	generated, err := a.d.SeedRecordsWithPrefix(ctx, "password:")
	if err != nil {
		return err
	}
	assigned := map[string]bool{}
	if builtinID != "" {
		if assigned, err = a.d.AssignedUserIDs(ctx, builtinID); err != nil {
			return err
		}
	}
	// Which password still opens each account: the file's, or the one
	// generated for it. Checked in bulk: one query for all users.
	passwords := map[string]string{}
	for _, fu := range users {
		u, ok := byUPN[strings.ToLower(strings.TrimSpace(fu.UPN))]
		if !ok {
			continue
		}
		pw := fu.Password
		if pw == "" {
			pw = generated["password:"+u.ObjectID]
		}
		if pw != "" {
			passwords[u.ObjectID] = pw
		}
	}
	open, err := a.d.CheckPasswords(ctx, passwords)
	if err != nil {
		return err
	}
	out.Users = out.Users[:0]
	for _, fu := range users {
		au := AppliedUser{UPN: fu.UPN, DisplayName: fu.DisplayName, Note: fu.Note, OrgAdmin: fu.OrgAdmin}
		u, ok := byUPN[strings.ToLower(strings.TrimSpace(fu.UPN))]
		if !ok {
			out.Users = append(out.Users, au)
			continue
		}
		au.ObjectID, au.UPN, au.DisplayName = u.ObjectID, u.UserPrincipalName, u.DisplayName
		au.Exists, au.Enabled, au.HasMail = true, u.AccountEnabled, u.Mail != ""
		pw := passwords[u.ObjectID]
		if open[strings.ToLower(u.ObjectID)] {
			au.Password = pw
		} else if pw != "" && fu.Password == "" {
			// The password was changed some other way: the generated one
			// opens nothing now, so it is not kept.
			if err := a.d.DeleteSeedRecord(ctx, "password:"+u.ObjectID); err != nil {
				return err
			}
		}
		au.Assigned = assigned[u.ObjectID]
		out.Users = append(out.Users, au)
	}
	return nil
}

func nameIDFormat(s string) directory.NameIDFormat {
	switch s {
	case "default":
		return directory.NameIDDefault
	case "persistent":
		return directory.NameIDPersistent
	case "unspecified":
		return directory.NameIDUnspecified
	case "WindowsDomainQualifiedName":
		return directory.NameIDWindowsDomainQualifiedName
	}
	return directory.NameIDEmailAddress
}

func groupChoice(s string) directory.GroupClaimGroups {
	switch s {
	case "security":
		return directory.GroupsSecurity
	case "all":
		return directory.GroupsAll
	case "application":
		return directory.GroupsApplication
	}
	return directory.GroupsNone
}

// demoPassword makes a readable password that meets Entra's policy, such
// as "Demo-kqzp-4821". It is kept in the directory so `serve` can print
// it again after a restart; this is demo data on loopback.
func demoPassword(r io.Reader) (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("make a password: %w", err)
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
