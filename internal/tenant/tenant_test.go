package tenant

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ssowiz/ssowiz/internal/yamlfile"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func openDir(t *testing.T, dataDir string) *directory.Directory {
	t.Helper()
	d, err := directory.Open(context.Background(), directory.Options{Dir: dataDir, NewKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

var rehearsal = BuiltinSP{
	EntityID:  "urn:amazon:cognito:sp:us-east-1_ABZiTjXia",
	ReplyURL:  "https://auth2.rudderstack.com/saml2/idpresponse",
	SignOnURL: "https://app.rudderstack.com/sso",
}

func mustParse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse(strings.NewReader(text), "tenant.yaml")
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	return f
}

func demo(t *testing.T) *File {
	t.Helper()
	f, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The embedded demo tenant is the guide's: the RudderStack app configured
// as the guide says and six users who each rehearse one path.
func TestDemoTenantIsTheGuides(t *testing.T) {
	ctx := context.Background()
	d := openDir(t, "")
	got, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal, Rand: mrand.NewChaCha8([32]byte{1})})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Reapplied || got.Tenant.InitialDomain != "contoso.onmicrosoft.com" || got.Tenant.DisplayName != "Contoso" {
		t.Fatalf("tenant %+v reapplied=%v", got.Tenant, got.Reapplied)
	}
	app, ok := got.Builtin()
	if !ok || app.Name != "RudderStack" {
		t.Fatalf("built-in app %+v", app)
	}
	if app.DefaultIdentifier() != rehearsal.EntityID || app.DefaultReplyURL() != rehearsal.ReplyURL || app.SAML.SignOnURL != rehearsal.SignOnURL {
		t.Errorf("SAML config %+v", app.SAML)
	}
	if !slices.Equal(app.Claims, []directory.Claim{{Name: "Email", Source: "user.mail"}, {Name: "LastName", Source: "user.displayname"}}) {
		t.Errorf("claims %+v", app.Claims)
	}
	if app.NameID != directory.DefaultNameID() || app.SigningOption != directory.SignAssertion || !app.AssignmentRequired {
		t.Errorf("name ID %+v, signing %s, assignment required %v", app.NameID, app.SigningOption, app.AssignmentRequired)
	}
	prov, err := d.Provisioning(ctx, app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if prov.ProvisionGroups || prov.Actions != (directory.TargetActions{Create: true, Update: true}) || prov.Enabled {
		t.Errorf("provisioning %+v: want groups off, Delete unticked, off", prov)
	}

	type want struct {
		upn                               string
		assigned, enabled, mail, orgAdmin bool
	}
	wants := []want{
		{"AdeleV@contoso.onmicrosoft.com", true, true, true, false},
		{"IsaiahL@contoso.onmicrosoft.com", true, true, true, false},
		{"AlexW@contoso.onmicrosoft.com", false, true, true, false},
		{"MeganB@contoso.onmicrosoft.com", true, false, true, false},
		{"LeeG@contoso.onmicrosoft.com", true, true, false, false},
		{"DiegoS@contoso.onmicrosoft.com", true, true, true, true},
	}
	if len(got.Users) != len(wants) {
		t.Fatalf("%d users", len(got.Users))
	}
	for i, w := range wants {
		u := got.Users[i]
		if g := (want{u.UPN, u.Assigned, u.Enabled, u.HasMail, u.OrgAdmin}); g != w {
			t.Errorf("user %d = %+v, want %+v", i, g, w)
		}
		if u.Note == "" {
			t.Errorf("%s has no note", u.UPN)
		}
		if _, err := d.VerifyPassword(ctx, u.UPN, u.Password); err != nil {
			t.Errorf("%s: the generated password does not sign in: %v", u.UPN, err)
		}
	}
	// Isaiah is assigned through the group, not directly; his manager is
	// Diego, who is the Global Administrator.
	as, _ := d.Assignments(ctx, app.AppID)
	for _, a := range as {
		if a.PrincipalID == got.Users[1].ObjectID {
			t.Error("Isaiah is assigned directly")
		}
	}
	isaiah, _ := d.User(ctx, got.Users[1].ObjectID)
	diego, _ := d.User(ctx, got.Users[5].ObjectID)
	if isaiah.Manager != diego.ObjectID || !slices.Equal(diego.DirectoryRoles, []string{"Global Administrator"}) {
		t.Errorf("Isaiah's manager %q, Diego's roles %v", isaiah.Manager, diego.DirectoryRoles)
	}
	if isaiah.City != "Bellevue" || isaiah.OfficeLocation != "20/1101" || isaiah.EmployeeID != "100002" {
		t.Errorf("Isaiah's attributes %+v", isaiah)
	}
}

// With a kept directory, an unchanged file leaves what changed at run time
// alone; a changed file is applied again, and what it dropped is deleted.
func TestApplyAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	d := openDir(t, dataDir)
	first, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	app, _ := first.Builtin()
	cfg := app.SAML
	cfg.ReplyURLs = []directory.ReplyURL{{URL: rehearsal.ReplyURL + "/"}}
	if _, err := d.UpdateSAMLConfig(ctx, app.AppID, cfg); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d = openDir(t, dataDir)
	second, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	app2, _ := second.Builtin()
	if second.Reapplied || app2.AppID != app.AppID || app2.DefaultReplyURL() != rehearsal.ReplyURL+"/" {
		t.Fatalf("unchanged file: reapplied=%v, app %s reply URL %q; want the run-time change kept", second.Reapplied, app2.AppID, app2.DefaultReplyURL())
	}
	for i, u := range second.Users {
		if u.ObjectID != first.Users[i].ObjectID || u.Password != first.Users[i].Password {
			t.Errorf("%s changed across the restart", u.UPN)
		}
	}
	d.Close()

	// The file changes: Alex is gone, a new user and an app arrive.
	text := strings.Replace(string(DemoYAML()), "  - upn: AlexW@", "  - upn: Gone@", 1)
	text = strings.Replace(text, "    manager: MeganB@contoso.onmicrosoft.com\n", "", 1)
	text += `  - name: My App
    saml:
      identifiers: [{value: "https://myapp.example.com"}]
      reply_urls: [{url: "http://localhost:3000/acs"}]
`
	f := mustParse(t, strings.Replace(text, "users:\n", "users:\n  - upn: NewU@contoso.onmicrosoft.com\n    display_name: New User\n    password: Correct-Horse-9\n", 1))
	d = openDir(t, dataDir)
	third, err := Apply(ctx, d, f, Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	app3, _ := third.Builtin()
	if !third.Reapplied || app3.DefaultReplyURL() != rehearsal.ReplyURL {
		t.Fatalf("changed file: reapplied=%v reply URL %q; want the file's again", third.Reapplied, app3.DefaultReplyURL())
	}
	if _, err := d.VerifyPassword(ctx, "NewU@contoso.onmicrosoft.com", "Correct-Horse-9"); err != nil {
		t.Errorf("the new user: %v", err)
	}
	alex, err := d.User(ctx, first.Users[2].ObjectID)
	if err != nil || alex.Status != directory.UserSoftDeleted {
		t.Errorf("Alex, dropped from the file: %+v %v; want in Deleted users", alex.Status, err)
	}
	if mine, ok := third.App("my app"); !ok || mine.AssignmentRequired != true || len(mine.Claims) != 4 {
		t.Errorf("My App %+v: want Entra's defaults", mine)
	}
}

// A file describing another tenant than the kept directory's is refused,
// naming the field.
func TestApplyRefusesAnotherTenant(t *testing.T) {
	ctx := context.Background()
	d := openDir(t, "")
	if _, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal}); err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, "version: 1\ntenant:\n  name: fabrikam\n  display_name: Fabrikam\n")
	_, err := Apply(ctx, d, f, Options{})
	var fe *yamlfile.Error
	if !errors.As(err, &fe) || fe.Field != "tenant.name" || fe.Line != 3 || !strings.Contains(fe.Problem, "contoso.onmicrosoft.com") {
		t.Fatalf("got %v", err)
	}
}

const base = `version: 1
tenant: {name: contoso, display_name: Contoso}
users:
  - upn: a@contoso.onmicrosoft.com
    display_name: A
groups:
  - name: G
`

// Every mistake is an error naming the file, the line, the field and the
// fix.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"empty", "", "tenant.yaml: the file is empty; start from `ssowiz tenant init`, which writes the demo tenant"},
		{"not yaml", "version: [1", "tenant.yaml:1: not valid YAML or JSON:"},
		{"no version", "tenant: {name: x, display_name: X}\n", "tenant.yaml:1: version: missing; add `version: 1` at the top"},
		{"future version", "version: 2\n", "tenant.yaml:1: version: 2 is not a version this ssowiz reads; it reads version 1"},
		{"unknown field", base + "apps:\n  - name: X\n    sigining: {}\n", `tenant.yaml:10: apps[0].sigining: unknown field (did you mean "signing"?)`},
		{"bad tenant name", "version: 1\ntenant: {name: con-toso, display_name: C}\n", `tenant.yaml:2: tenant.name: "con-toso" must be 1 to 27 letters or digits`},
		{"upn domain", strings.Replace(base, "groups:\n", "  - upn: b@fabrikam.com\n    display_name: B\ngroups:\n", 1), `tenant.yaml:6: users[1].upn: "b@fabrikam.com" is not in a domain of this tenant; use @contoso.onmicrosoft.com or add fabrikam.com to tenant.domains`},
		{"duplicate upn", strings.Replace(base, "groups:\n", "  - upn: A@contoso.onmicrosoft.com\n    display_name: B\ngroups:\n", 1), `tenant.yaml:6: users[1].upn: "A@contoso.onmicrosoft.com" is also users[0]`},
		{"no display name", strings.Replace(base, "    display_name: A\n", "", 1), "tenant.yaml:4: users[0].display_name: is required"},
		{"enabled not bool", strings.Replace(base, "display_name: A\n", "display_name: A\n    enabled: yes please\n", 1), `tenant.yaml:6: users[0].enabled: must be true or false, not "yes please"`},
		{"unknown attribute", strings.Replace(base, "display_name: A\n", "display_name: A\n    attributes: {ofice: x}\n", 1), `tenant.yaml:6: users[0].attributes.ofice: is not a user attribute (did you mean "office"?)`},
		{"unknown group", strings.Replace(base, "display_name: A\n", "display_name: A\n    groups: [H]\n", 1), `tenant.yaml:6: users[0].groups[0]: "H" is not a group in this file; add it under groups, or fix the name`},
		{"unknown manager", strings.Replace(base, "display_name: A\n", "display_name: A\n    manager: z@contoso.onmicrosoft.com\n", 1), `users[0].manager: "z@contoso.onmicrosoft.com" is not a user in this file`},
		{"app without SAML", base + "apps:\n  - name: X\n", "tenant.yaml:9: apps[0].saml.identifiers: is required: add `- value: <your SP's entity ID>`, or give `metadata: <file or URL of its SAML metadata>`"},
		{"signing option", base + "apps:\n  - name: X\n    metadata: m.xml\n    signing: {option: assertions}\n", `tenant.yaml:11: apps[0].signing.option: "assertions" is not an option (did you mean "assertion"?); choose one of assertion, response, both`},
		{"claim source", base + "apps:\n  - name: X\n    metadata: m.xml\n    claims:\n      - {name: Email, source: user.email}\n", `tenant.yaml:12: apps[0].claims[0].source: "user.email" is not a source attribute (did you mean "user.mail"?)`},
		{"group claim names", base + "apps:\n  - name: X\n    metadata: m.xml\n    group_claim: {groups: security, emit: names}\n", "apps[0].group_claim.emit: names are emitted only for groups assigned to the application"},
		{"assigned unknown user", base + "apps:\n  - name: X\n    metadata: m.xml\n    assigned: {users: [b@contoso.onmicrosoft.com]}\n", `tenant.yaml:11: apps[0].assigned.users[0]: "b@contoso.onmicrosoft.com" is not a user in this file`},
		{"two tokens", base + "apps:\n  - name: X\n    metadata: m.xml\n    provisioning:\n      tenant_url: https://scim.example.com/v2\n      secret_token: t\n      secret_token_env: T\n", "tenant.yaml:14: apps[0].provisioning.secret_token_env: give the token either in secret_token or in secret_token_env, not both"},
		{"interval", base + "apps:\n  - name: X\n    metadata: m.xml\n    provisioning: {interval: 40}\n", `tenant.yaml:11: apps[0].provisioning.interval: "40" is not a duration; write it like 40m, 90s or 1h30m`},
		{"two built-ins", base + "apps:\n  - name: X\n    rudderstack: {}\n  - name: Y\n    rudderstack: {}\n", "tenant.yaml:12: apps[1].rudderstack: apps[0] is already the built-in RudderStack; only one app can be"},
		{"duplicate app", base + "apps:\n  - {name: X, metadata: m.xml}\n  - {name: x, metadata: n.xml}\n", `tenant.yaml:10: apps[1].name: "x" is also apps[0]; app names must be unique in the file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.text), "tenant.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, yamlfile.ErrFormat) {
				t.Errorf("%v does not wrap ErrFormat", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

// What only the directory decides is reported against the file's field
// when the file is applied.
func TestApplyErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
		env              map[string]string
	}{
		{"reply URL http", base + "apps:\n  - name: X\n    saml:\n      identifiers: [{value: x}]\n      reply_urls: [{url: \"http://example.com/acs\"}]\n",
			`tenant.yaml:12: apps[0].saml.reply_urls: Reply URL (Assertion Consumer Service URL): "http://example.com/acs" must use https (http is allowed only for localhost)`, nil},
		{"weak password", strings.Replace(base, "display_name: A\n", "display_name: A\n    password: short\n", 1),
			"tenant.yaml:6: users[0].password: Password: must be 8 to 256 characters long", nil},
		{"token variable unset", base + "apps:\n  - name: X\n    saml:\n      identifiers: [{value: x}]\n      reply_urls: [{url: \"https://x.example/acs\"}]\n    provisioning:\n      tenant_url: https://scim.example.com/v2\n      secret_token_env: MY_SCIM_TOKEN\n",
			"tenant.yaml:15: apps[0].provisioning.secret_token_env: the environment variable MY_SCIM_TOKEN is empty or not set; export it with the SCIM token before starting", nil},
		{"taken identifier", base + "apps:\n  - name: X\n    saml:\n      identifiers: [{value: x}]\n      reply_urls: [{url: \"https://x.example/acs\"}]\n  - name: Y\n    saml:\n      identifiers: [{value: x}]\n      reply_urls: [{url: \"https://y.example/acs\"}]\n",
			`apps[1].saml.identifiers: Identifier (Entity ID): "x" is already used by the application "X"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.text)
			_, err := Apply(context.Background(), openDir(t, ""), f, Options{Getenv: func(k string) string { return tc.env[k] }})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !errors.Is(err, yamlfile.ErrFormat) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

// The token comes from the environment variable the file names, and is
// never part of an error or the file.
func TestProvisioningTokenFromEnvironment(t *testing.T) {
	ctx := context.Background()
	d := openDir(t, "")
	f := mustParse(t, base+`apps:
  - name: X
    saml:
      identifiers: [{value: x}]
      reply_urls: [{url: "https://x.example/acs"}]
    provisioning:
      tenant_url: https://scim.example.com/v2
      secret_token_env: MY_SCIM_TOKEN
      enabled: true
      interval: 2m
      mappings:
        users:
          - {source: userPrincipalName, target: userName, matching_precedence: 1}
          - {source: mail, target: 'emails[type eq "work"].value'}
`)
	got, err := Apply(ctx, d, f, Options{Getenv: func(k string) string { return map[string]string{"MY_SCIM_TOKEN": "s3cr3t"}[k] }})
	if err != nil {
		t.Fatal(err)
	}
	app, _ := got.App("X")
	p, err := d.Provisioning(ctx, app.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if p.SecretToken.Reveal() != "s3cr3t" || !p.Enabled || p.Interval.Minutes() != 2 || !strings.Contains(string(p.Mappings), `"matchingPrecedence":1`) {
		t.Fatalf("provisioning %+v %s", p, p.Mappings)
	}
}

// The group claim carries the user's groups the app's setting covers.
func TestGroupClaim(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		claim string
		want  func(g, h string) []string
	}{
		{"{groups: security}", func(g, h string) []string { return []string{g, h} }},
		{"{groups: application}", func(g, h string) []string { return []string{g} }},
		{"{groups: application, emit: names}", func(string, string) []string { return []string{"G"} }},
	} {
		t.Run(tc.claim, func(t *testing.T) {
			d := openDir(t, "")
			f := mustParse(t, strings.Replace(base, "display_name: A\n", "display_name: A\n    groups: [G, H]\n", 1)+`  - name: H
apps:
  - name: X
    saml:
      identifiers: [{value: x}]
      reply_urls: [{url: "https://x.example/acs"}]
    group_claim: `+tc.claim+`
    assigned: {groups: [G]}
`)
			got, err := Apply(ctx, d, f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			app, _ := got.App("X")
			groups, _ := d.Groups(ctx)
			ids := map[string]string{}
			for _, g := range groups {
				ids[g.DisplayName] = g.ObjectID
			}
			vals, err := d.GroupClaimValues(ctx, app.App, got.Users[0].ObjectID)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.want(ids["G"], ids["H"]); !slices.Equal(vals, want) {
				t.Errorf("claim values %v, want %v", vals, want)
			}
		})
	}
}

func TestTenantInitFileRoundTrips(t *testing.T) {
	f := demo(t)
	if f.Name() != DemoName || len(f.Users) != 6 || len(f.Apps) != 1 || f.Apps[0].RudderStack == nil {
		t.Fatalf("demo %+v", f)
	}
	g := mustParse(t, string(DemoYAML()))
	if !reflect.DeepEqual(g.Users, f.Users) || !reflect.DeepEqual(g.Apps, f.Apps) {
		t.Fatal("the written demo tenant reads back differently")
	}
}

// Only what must be kept is kept: a generated password leaves the
// database (and its file) once it no longer opens the account.
func TestGeneratedPasswordsAreForgottenWhenTheyStopWorking(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := openDir(t, dir)
	got, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	changed, gone, kept := got.Users[0], got.Users[2], got.Users[1]
	if err := d.SetPassword(ctx, changed.ObjectID, "Changed-1234"); err != nil {
		t.Fatal(err)
	}
	if err := d.SoftDeleteUser(ctx, gone.ObjectID); err != nil {
		t.Fatal(err)
	}
	if err := d.HardDeleteUser(ctx, gone.ObjectID); err != nil {
		t.Fatal(err)
	}
	for _, u := range []AppliedUser{changed, gone} {
		if _, err := d.SeedRecord(ctx, "password:"+u.ObjectID); !errors.Is(err, directory.ErrNotFound) {
			t.Errorf("%s's generated password is still stored (err %v)", u.UPN, err)
		}
	}
	if pw, err := d.SeedRecord(ctx, "password:"+kept.ObjectID); err != nil || pw != kept.Password {
		t.Errorf("a working generated password was dropped: %q, %v", pw, err)
	}
	again, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	if again.Users[0].Password != "" || again.Users[2].Exists {
		t.Errorf("after the changes: %+v, %+v", again.Users[0], again.Users[2])
	}
	d.Close()
	for _, name := range []string{directory.StoreName + ".db", directory.StoreName + ".db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, u := range []AppliedUser{changed, gone} {
			if bytes.Contains(b, []byte(u.Password)) {
				t.Errorf("%s still holds %s's old generated password", name, u.UPN)
			}
		}
	}
}

// An apply that stops half way (a process killed among its transactions,
// here a file whose last app cannot be applied) leaves no digest: the
// next start with the earlier file applies it again instead of trusting
// a directory that holds half of another file.
func TestInterruptedApplyLeavesNoDigest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := openDir(t, dir)
	first, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	adele := first.Users[0]
	// The next file renames Adele, then fails on its last app.
	text := strings.Replace(string(DemoYAML()), "display_name: "+adele.DisplayName, "display_name: Adele Renamed", 1)
	if text == string(DemoYAML()) {
		t.Fatalf("the demo tenant has no display_name: %s", adele.DisplayName)
	}
	text += `  - name: Broken
    saml:
      identifiers: [{value: "https://broken.example.com"}]
      reply_urls: [{url: "https://broken.example.com/acs"}]
    provisioning:
      tenant_url: https://scim.example.com/v2
      secret_token_env: UNSET_TOKEN
`
	if _, err := Apply(ctx, d, mustParse(t, text), Options{RudderStack: rehearsal, Getenv: func(string) string { return "" }}); err == nil {
		t.Fatal("a file whose token variable is unset applied")
	}
	if u, _ := d.User(ctx, adele.ObjectID); u.DisplayName != "Adele Renamed" {
		t.Fatalf("the failed apply did not get as far as Adele (%q); the test proves nothing", u.DisplayName)
	}
	d.Close()

	d = openDir(t, dir)
	again, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := d.User(ctx, adele.ObjectID); !again.Reapplied || u.DisplayName != adele.DisplayName {
		t.Fatalf("after an interrupted apply, the earlier file: reapplied=%v, Adele is %q", again.Reapplied, u.DisplayName)
	}
	if third, err := Apply(ctx, d, demo(t), Options{RudderStack: rehearsal}); err != nil || third.Reapplied || third.Parsed {
		t.Fatalf("once applied whole, the same file again: reapplied=%v parsed=%v %v", third.Reapplied, third.Parsed, err)
	}
}

// A restart with the same file writes nothing; a file that changes one
// user of many writes that user only (no transaction per unchanged user,
// no change the provisioning engine would see for them).
func TestReapplyWritesOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("version: 1\ntenant: {name: contoso, display_name: Contoso}\nusers:\n")
	for i := range 700 {
		fmt.Fprintf(&b, "  - {upn: u%04d@contoso.onmicrosoft.com, display_name: U %04d, password: Bench-pass-%04d, groups: [G]}\n", i, i, i)
	}
	b.WriteString("groups:\n  - name: G\napps:\n  - name: X\n    saml:\n      identifiers: [{value: x}]\n      reply_urls: [{url: \"https://x.example/acs\"}]\n    assigned: {groups: [G]}\n")
	text := b.String()
	d := openDir(t, t.TempDir())
	first, err := Apply(ctx, d, mustParse(t, text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range first.Users {
		if u.Password != fmt.Sprintf("Bench-pass-%04d", i) || !u.Exists {
			t.Fatalf("user %d: %+v", i, u)
		}
	}
	seq, _ := d.Sequence(ctx)
	same, err := Apply(ctx, d, mustParse(t, text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := d.Sequence(ctx); same.Reapplied || after != seq || !reflect.DeepEqual(same.Users, first.Users) {
		t.Fatalf("the same file: reapplied=%v, %d changes", same.Reapplied, after-seq)
	}
	changed := strings.Replace(text, "display_name: U 0007", "display_name: U Seven", 1)
	changed = strings.Replace(changed, "password: Bench-pass-0009", "password: Other-pass-0009", 1)
	again, err := Apply(ctx, d, mustParse(t, changed), Options{})
	if err != nil {
		t.Fatal(err)
	}
	changes, _, err := d.ChangesSince(ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Reapplied || len(changes) != 1 || changes[0].ObjectID != first.Users[7].ObjectID {
		t.Fatalf("one user renamed: reapplied=%v, changes %+v; want user 7's only", again.Reapplied, changes)
	}
	if again.Users[7].DisplayName != "U Seven" || again.Users[9].Password != "Other-pass-0009" {
		t.Fatalf("after the change: %+v %+v", again.Users[7], again.Users[9])
	}
	if _, err := d.VerifyPassword(ctx, "u0009@contoso.onmicrosoft.com", "Other-pass-0009"); err != nil {
		t.Errorf("the changed password: %v", err)
	}
}

// The guide's rehearsal in a developer's own tenant: a file's app marked
// rudderstack is the one set up; a file without one gets the demo's,
// assigned to nobody, with the first enabled user as the Org Admin.
func TestWithGuideApp(t *testing.T) {
	d := demo(t)
	same, g, err := d.WithGuideApp()
	if err != nil || same != d || g.Added || g.Name != "RudderStack" || g.OrgAdmin != "DiegoS@contoso.onmicrosoft.com" {
		t.Fatalf("the demo tenant: %+v %v", g, err)
	}
	own := mustParse(t, `version: 1
tenant: {name: contoso, display_name: Contoso}
users:
  - {upn: off@contoso.onmicrosoft.com, display_name: Off, enabled: false}
  - {upn: ann@contoso.onmicrosoft.com, display_name: Ann, mail: ann@contoso.onmicrosoft.com}
apps:
  - name: RudderStack
    saml:
      identifiers: [{value: "https://mine.example.com"}]
      reply_urls: [{url: "https://mine.example.com/acs"}]
`)
	f, g, err := own.WithGuideApp()
	if err != nil {
		t.Fatal(err)
	}
	if !g.Added || g.Name != "RudderStack 2" || g.OrgAdmin != "ann@contoso.onmicrosoft.com" || len(own.Apps) != 1 || len(f.Apps) != 2 {
		t.Fatalf("own tenant: %+v, %d apps (file still %d)", g, len(f.Apps), len(own.Apps))
	}
	added := f.Apps[1]
	if added.RudderStack == nil || added.RudderStack.OrgAdmin != g.OrgAdmin || added.Assigned != nil || len(added.Claims) != 2 {
		t.Fatalf("the added app: %+v", added)
	}
	applied, err := Apply(context.Background(), openDir(t, ""), f, Options{RudderStack: rehearsal})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := applied.Builtin(); !ok || b.Name != "RudderStack 2" || b.DefaultIdentifier() != rehearsal.EntityID {
		t.Fatalf("applied: %+v", b)
	}
	if _, _, err := mustParse(t, "version: 1\ntenant: {name: contoso, display_name: Contoso}\nusers:\n  - {upn: off@contoso.onmicrosoft.com, display_name: Off, enabled: false}\n").WithGuideApp(); err == nil ||
		!strings.Contains(err.Error(), "tenant.yaml") || !strings.Contains(err.Error(), "Org Admin") {
		t.Errorf("no enabled user: %v", err)
	}
}
