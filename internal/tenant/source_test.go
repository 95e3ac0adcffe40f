package tenant

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sourceTenant is the demo tenant plus an app from a metadata file beside
// it and an app whose SCIM token is in an environment variable: a file
// with every kind of input Load records.
func sourceTenant(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "spmetadata", "node-saml.xml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "node-saml.xml"), data, 0o644)
	text := string(DemoYAML()) + `  - name: Node app
    metadata: node-saml.xml
  - name: SCIM app
    saml:
      identifiers: [{value: "https://scim-app.example.com"}]
      reply_urls: [{url: "https://scim-app.example.com/acs"}]
    provisioning:
      tenant_url: https://scim.example.com/v2
      secret_token_env: SCIM_APP_TOKEN
`
	path := filepath.Join(dir, "tenant.yaml")
	os.WriteFile(path, []byte(text), 0o644)
	return path
}

// load starts on a kept directory as serve does: reads the file without
// parsing it, and loads it.
func load(t *testing.T, dataDir, path string, env map[string]string, edit func(*Source)) Applied {
	t.Helper()
	src, err := ReadSource(path)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(src)
	}
	d := openDir(t, dataDir)
	defer d.Close()
	got, err := Load(context.Background(), d, src, Options{RudderStack: rehearsal, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A restart with the same file and the same inputs does not parse it,
// and serves what the first start applied; a change of any input parses
// and applies it again, and the restart after that is quick again.
func TestUnchangedRestartSkipsTheParse(t *testing.T) {
	env := map[string]string{"SCIM_APP_TOKEN": "token-1"}
	node, err := os.ReadFile(filepath.Join("testdata", "spmetadata", "node-saml.xml"))
	if err != nil {
		t.Fatal(err)
	}
	spring, err := os.ReadFile(filepath.Join("testdata", "spmetadata", "spring-security-saml.xml"))
	if err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(t.TempDir(), "extra.xml")
	os.WriteFile(extra, spring, 0o644)
	m, err := ParseSPMetadata(spring)
	if err != nil {
		t.Fatal(err)
	}
	addExtra := func(s *Source) { s.AddMetadataApp(extra, m) }
	for _, c := range []struct {
		name string
		// change changes one input between the starts; edit is applied
		// to the Source at the second start and after.
		change func(t *testing.T, dir, path string)
		env    map[string]string
		edit   func(*Source)
	}{
		{name: "the file", change: func(t *testing.T, dir, path string) {
			data, _ := os.ReadFile(path)
			os.WriteFile(path, []byte(strings.Replace(string(data), "display_name: Adele Vance", "display_name: Adele V.", 1)), 0o644)
		}},
		{name: "a metadata file it names", change: func(t *testing.T, dir, path string) {
			os.WriteFile(filepath.Join(dir, "node-saml.xml"), []byte(strings.Replace(string(node), "localhost:3000", "localhost:3001", -1)), 0o644)
		}},
		{name: "a token variable", env: map[string]string{"SCIM_APP_TOKEN": "token-2"}},
		{name: "an --sp-metadata app added", edit: addExtra},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, dataDir := t.TempDir(), t.TempDir()
			path := sourceTenant(t, dir)
			first := load(t, dataDir, path, env, nil)
			if !first.Parsed || !first.Reapplied || len(first.Apps) != 3 {
				t.Fatalf("first start: parsed=%v reapplied=%v, %d apps", first.Parsed, first.Reapplied, len(first.Apps))
			}
			again := load(t, dataDir, path, env, nil)
			if again.Parsed || again.Reapplied {
				t.Fatalf("unchanged restart: parsed=%v reapplied=%v; want neither", again.Parsed, again.Reapplied)
			}
			sameApplied(t, again, first)

			if c.change != nil {
				c.change(t, dir, path)
			}
			env2 := env
			if c.env != nil {
				env2 = c.env
			}
			changed := load(t, dataDir, path, env2, c.edit)
			if !changed.Parsed || !changed.Reapplied {
				t.Fatalf("after a change of %s: parsed=%v reapplied=%v; want both", c.name, changed.Parsed, changed.Reapplied)
			}
			if kept := load(t, dataDir, path, env2, c.edit); kept.Parsed || kept.Reapplied {
				t.Fatalf("the restart after: parsed=%v reapplied=%v; want neither", kept.Parsed, kept.Reapplied)
			}
		})
	}
}

// sameApplied fails unless two starts give serve the same tenant.
func sameApplied(t *testing.T, got, want Applied) {
	t.Helper()
	if !reflect.DeepEqual(got.Users, want.Users) {
		t.Errorf("users differ:\n got %+v\nwant %+v", got.Users, want.Users)
	}
	if got.Tenant.ID != want.Tenant.ID || len(got.Apps) != len(want.Apps) {
		t.Fatalf("tenant %s with %d apps, want %s with %d", got.Tenant.ID, len(got.Apps), want.Tenant.ID, len(want.Apps))
	}
	for i := range got.Apps {
		g, w := got.Apps[i], want.Apps[i]
		if g.AppID != w.AppID || g.Builtin != w.Builtin || !reflect.DeepEqual(g.Spec, w.Spec) || !reflect.DeepEqual(g.SAML, w.SAML) {
			t.Errorf("app %d: got %+v\nwant %+v", i, g, w)
		}
	}
}

// What changes at run time (a password reset, a user disabled, deleted
// or unassigned) shows at an unchanged restart as it does when the file
// is parsed and read back; nothing is parsed.
func TestUnchangedRestartSeesRunTimeChanges(t *testing.T) {
	ctx := context.Background()
	dir, dataDir := t.TempDir(), t.TempDir()
	path := sourceTenant(t, dir)
	env := map[string]string{"SCIM_APP_TOKEN": "token-1"}
	first := load(t, dataDir, path, env, nil)

	d := openDir(t, dataDir)
	byName := map[string]AppliedUser{}
	for _, u := range first.Users {
		byName[strings.SplitN(u.UPN, "@", 2)[0]] = u
	}
	if err := d.SetPassword(ctx, byName["AdeleV"].ObjectID, "Changed-Pass-77"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetAccountEnabled(ctx, byName["MeganB"].ObjectID, false); err != nil {
		t.Fatal(err)
	}
	if err := d.SoftDeleteUser(ctx, byName["AlexW"].ObjectID); err != nil {
		t.Fatal(err)
	}
	d.Close()

	again := load(t, dataDir, path, env, nil)
	if again.Parsed || again.Reapplied {
		t.Fatalf("unchanged restart: parsed=%v reapplied=%v", again.Parsed, again.Reapplied)
	}
	// The same start with the file parsed and read back is the reference.
	d = openDir(t, dataDir)
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := applier{d: d, f: f, opts: Options{Getenv: func(k string) string { return env[k] }}}
	want := Applied{Tenant: again.Tenant}
	if err := a.results(ctx, a.fileUsers(), &want); err != nil {
		t.Fatal(err)
	}
	d.Close()
	sameApplied(t, again, want)
	for _, u := range again.Users {
		switch strings.SplitN(u.UPN, "@", 2)[0] {
		case "AdeleV":
			if u.Password != "" {
				t.Errorf("Adele's reset password still shows the file's")
			}
		case "MeganB":
			if u.Enabled {
				t.Errorf("Megan, disabled at run time, shows enabled")
			}
		case "AlexW":
			if u.Exists {
				t.Errorf("Alex, deleted at run time, shows existing")
			}
		}
	}
	// And the next restart still sees them, from the record.
	sameApplied(t, load(t, dataDir, path, env, nil), want)
}

// A record that is damaged or belongs to another apply is never trusted:
// the start parses the file and reads the directory back.
func TestDamagedRecordIsNotTrusted(t *testing.T) {
	ctx := context.Background()
	dir, dataDir := t.TempDir(), t.TempDir()
	path := sourceTenant(t, dir)
	env := map[string]string{"SCIM_APP_TOKEN": "token-1"}
	first := load(t, dataDir, path, env, nil)
	for _, damage := range []func(rec string) string{
		func(rec string) string { return rec[:len(rec)/2] },
		func(rec string) string { return rec[:100] + "X" + rec[101:] },
		func(rec string) string { return "" },
	} {
		d := openDir(t, dataDir)
		rec, err := d.SeedRecord(ctx, recordSnapshot)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.SetSeedRecord(ctx, recordSnapshot, damage(rec)); err != nil {
			t.Fatal(err)
		}
		d.Close()
		got := load(t, dataDir, path, env, nil)
		if !got.Parsed || got.Reapplied {
			t.Fatalf("damaged record: parsed=%v reapplied=%v; want parsed and read back, not applied", got.Parsed, got.Reapplied)
		}
		sameApplied(t, got, first)
		if next := load(t, dataDir, path, env, nil); next.Parsed {
			t.Fatal("the record was not made again")
		}
	}
}

func TestSnapshotRoundTrips(t *testing.T) {
	s := snapshot{Digest: "abc", Seq: 42, TenantDomain: "contoso.onmicrosoft.com", Domains: []string{"contoso.com"}, BuiltinID: "id-1",
		Apps: []snapshotApp{{AppID: "id-1", Builtin: true, Spec: App{Name: "RudderStack", RudderStack: &RudderStack{OrgAdmin: "a@b"}}}},
		Users: []snapshotUser{
			{File: fileUser{UPN: "a@b", DisplayName: "Ä \x00 tab\t", Note: "", Password: "", OrgAdmin: true},
				Applied: AppliedUser{ObjectID: "o1", UPN: "a@b", DisplayName: "Ä \x00 tab\t", Password: "Demo-abcd-1234", Exists: true, Enabled: true, OrgAdmin: true}},
			{File: fileUser{UPN: "c@d", Note: "a note", Password: "P"}, Applied: AppliedUser{UPN: "c@d", Note: "a note", HasMail: true, Assigned: true}},
		}}
	enc, err := s.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSnapshot(string(enc))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", *got, s)
	}
	for i := range len(enc) {
		if _, err := decodeSnapshot(string(enc[:i])); err == nil {
			t.Fatalf("a record cut at %d of %d bytes was read", i, len(enc))
		}
	}
}

// The cache key covers the file, its --sp-metadata apps and the build:
// another build applies the file again rather than trust an image it may
// read differently.
func TestCacheKeyCoversTheBuild(t *testing.T) {
	src := DemoSource()
	if src.cacheKey("build-1") == src.cacheKey("build-2") {
		t.Fatal("two builds give one key")
	}
	if src.cacheKey("build-1") != DemoSource().cacheKey("build-1") {
		t.Fatal("the key is not stable")
	}
	other := DemoSource()
	other.AddMetadataApp("https://sp.example.com/metadata", SPMetadata{EntityID: "https://sp.example.com"})
	if other.cacheKey("build-1") == src.cacheKey("build-1") {
		t.Fatal("an --sp-metadata app does not change the key")
	}
}

// What an apply reports without reading the users back is what reading
// them back gives: on a new directory, and on a kept one re-applied
// after run-time changes (a generated password reset, a user disabled,
// another deleted).
func TestAppliedIsWhatTheDirectoryHolds(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"SCIM_APP_TOKEN": "token-1"}
	dir, dataDir := t.TempDir(), t.TempDir()
	path := sourceTenant(t, dir)
	data, _ := os.ReadFile(path)
	// A user whose values the directory trims, directly assigned.
	text := strings.Replace(string(data), "users:\n", "users:\n  - upn: \" Pat@contoso.onmicrosoft.com\"\n    display_name: \"Pat Doe \"\n    password: Correct-Horse-9\n", 1)
	os.WriteFile(path, []byte(text), 0o644)
	readBack := func(t *testing.T, got Applied) {
		t.Helper()
		if !got.Reapplied {
			t.Fatal("the file was not applied; the test proves nothing")
		}
		d := openDir(t, dataDir)
		defer d.Close()
		f, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a := applier{d: d, f: f}
		want := Applied{Tenant: got.Tenant}
		if err := a.results(ctx, a.fileUsers(), &want); err != nil {
			t.Fatal(err)
		}
		sameApplied(t, got, want)
	}
	first := load(t, dataDir, path, env, nil)
	readBack(t, first)

	d := openDir(t, dataDir)
	ids := map[string]string{}
	for _, u := range first.Users {
		ids[strings.SplitN(u.UPN, "@", 2)[0]] = u.ObjectID
	}
	if err := d.SetPassword(ctx, ids["MeganB"], "Changed-Pass-77"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetAccountEnabled(ctx, ids["AdeleV"], false); err != nil {
		t.Fatal(err)
	}
	if err := d.SoftDeleteUser(ctx, ids["AlexW"]); err != nil {
		t.Fatal(err)
	}
	d.Close()
	os.WriteFile(path, []byte(strings.Replace(text, "display_name: Isaiah Langer", "display_name: Isaiah L.", 1)), 0o644)
	again := load(t, dataDir, path, env, nil)
	readBack(t, again)
	for _, u := range again.Users {
		if strings.HasPrefix(u.UPN, "MeganB@") && u.Password != "" {
			t.Errorf("Megan's generated password, reset at run time, is still reported")
		}
		if strings.HasPrefix(u.UPN, "Pat@") && (u.UPN != "Pat@contoso.onmicrosoft.com" || u.DisplayName != "Pat Doe") {
			t.Errorf("Pat is reported as %q %q, untrimmed", u.UPN, u.DisplayName)
		}
	}
}
