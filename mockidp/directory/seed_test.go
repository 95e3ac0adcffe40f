package directory

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

var rehearsal = SeedOptions{
	EntityID:  "urn:amazon:cognito:sp:us-east-1_ABZiTjXia",
	ReplyURL:  "https://auth2.rudderstack.com/saml2/idpresponse",
	SignOnURL: "https://app.rudderstack.com/sso",
}

func TestSeedMakesTheGuidesApp(t *testing.T) {
	ctx := context.Background()
	opts, _ := testOptions("")
	d, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	demo, err := d.Seed(ctx, rehearsal)
	if err != nil {
		t.Fatal(err)
	}
	if demo.Tenant.InitialDomain != "contoso.onmicrosoft.com" || demo.App.Name != "RudderStack" {
		t.Fatalf("tenant %+v app %q", demo.Tenant, demo.App.Name)
	}
	app := demo.App
	if app.DefaultIdentifier() != rehearsal.EntityID || app.DefaultReplyURL() != rehearsal.ReplyURL || app.SAML.SignOnURL != rehearsal.SignOnURL {
		t.Errorf("SAML config %+v", app.SAML)
	}
	if len(app.Claims) != 2 || app.Claims[0] != (Claim{Name: "Email", Source: "user.mail"}) || app.Claims[1] != (Claim{Name: "LastName", Source: "user.displayname"}) {
		t.Errorf("claims %+v", app.Claims)
	}
	if app.NameID.Source != "user.userprincipalname" {
		t.Errorf("Name ID %+v", app.NameID)
	}

	type want struct {
		upn                              string
		assigned, enabled, mail, spAdmin bool
	}
	wants := []want{
		{"AdeleV@contoso.onmicrosoft.com", true, true, true, false},
		{"IsaiahL@contoso.onmicrosoft.com", true, true, true, false},
		{"AlexW@contoso.onmicrosoft.com", false, true, true, false},
		{"MeganB@contoso.onmicrosoft.com", true, false, true, false},
		{"LeeG@contoso.onmicrosoft.com", true, true, false, false},
		{"DiegoS@contoso.onmicrosoft.com", true, true, true, true},
	}
	if len(demo.Users) != len(wants) {
		t.Fatalf("%d demo users", len(demo.Users))
	}
	for i, w := range wants {
		u := demo.Users[i]
		got := want{u.UPN, u.Assigned, u.Enabled, u.HasMail, u.SPOrgAdmin}
		if got != w {
			t.Errorf("user %d = %+v, want %+v", i, got, w)
		}
		if _, err := d.VerifyPassword(ctx, u.UPN, u.Password); err != nil {
			t.Errorf("%s: the returned password does not sign in: %v", u.UPN, err)
		}
	}
	// Isaiah is assigned through the group, not directly.
	as, _ := d.Assignments(ctx, app.AppID)
	for _, a := range as {
		if a.PrincipalID == demo.Users[1].ObjectID {
			t.Error("Isaiah is assigned directly")
		}
	}
	members, _ := d.GroupMembers(ctx, demo.Group.ObjectID)
	if len(members) != 1 || members[0].ObjectID != demo.Users[1].ObjectID {
		t.Errorf("group members %+v", members)
	}
	diego, _ := d.User(ctx, demo.Users[5].ObjectID)
	if len(diego.DirectoryRoles) != 1 || diego.DirectoryRoles[0] != "Global Administrator" {
		t.Errorf("Diego's roles %v", diego.DirectoryRoles)
	}
}

// A restart on the same data directory keeps everything, duplicates
// nothing, returns the same passwords and keeps the admin's changes.
func TestSeedIsIdempotentAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts, _ := testOptions(dir)
	d, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	first, err := d.Seed(ctx, rehearsal)
	if err != nil {
		t.Fatal(err)
	}
	// The admin fixes the reply URL and adds a certificate.
	cfg := first.App.SAML
	cfg.ReplyURLs = []ReplyURL{{URL: "https://auth2.rudderstack.com/saml2/idpresponse/"}}
	if _, err := d.UpdateSAMLConfig(ctx, first.App.AppID, cfg); err != nil {
		t.Fatal(err)
	}
	added, err := d.AddCertificate(ctx, first.App.AppID, t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Unassign(ctx, first.App.AppID, first.Users[0].ObjectID); err != nil {
		t.Fatal(err)
	}
	seq, _ := d.Sequence(ctx)
	d.Close()

	opts, _ = testOptions(dir)
	d, err = Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	second, err := d.Seed(ctx, rehearsal)
	if err != nil {
		t.Fatal(err)
	}
	if second.Tenant.ID != first.Tenant.ID || second.App.AppID != first.App.AppID || second.Group.ObjectID != first.Group.ObjectID {
		t.Fatalf("IDs changed: %s/%s %s/%s", first.Tenant.ID, second.Tenant.ID, first.App.AppID, second.App.AppID)
	}
	for i := range first.Users {
		if first.Users[i].ObjectID != second.Users[i].ObjectID || first.Users[i].Password != second.Users[i].Password {
			t.Errorf("user %d changed: %+v / %+v", i, first.Users[i], second.Users[i])
		}
	}
	if second.Users[0].Assigned {
		t.Error("the seed re-assigned a user the admin unassigned")
	}
	if got := second.App.DefaultReplyURL(); got != "https://auth2.rudderstack.com/saml2/idpresponse/" {
		t.Errorf("the seed reset the reply URL to %q", got)
	}
	users, _ := d.Users(ctx)
	apps, _ := d.Apps(ctx)
	groups, _ := d.Groups(ctx)
	if len(users) != 6 || len(apps) != 1 || len(groups) != 1 {
		t.Errorf("after reseed: %d users, %d apps, %d groups", len(users), len(apps), len(groups))
	}
	if now, _ := d.Sequence(ctx); now != seq {
		t.Errorf("the reseed changed %d objects", now-seq)
	}
	certs, _ := d.Certificates(ctx, first.App.AppID)
	if len(certs) != 2 || certs[1].Thumbprint != added.Thumbprint {
		t.Fatalf("certificates after reopen: %d, last %s, want %s", len(certs), certs[len(certs)-1].Thumbprint, added.Thumbprint)
	}
	// Private keys survive too: the stored key signs for its certificate.
	key, err := d.SigningKey(ctx, first.App.AppID, t0)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := key.X509()
	if !key.Key.PublicKey.Equal(x.PublicKey) {
		t.Fatal("the stored key does not match its certificate")
	}
	// A changed password is not reported as the demo password.
	if err := d.SetPassword(ctx, first.Users[2].ObjectID, "Changed-1234"); err != nil {
		t.Fatal(err)
	}
	third, _ := d.Seed(ctx, rehearsal)
	if third.Users[2].Password != "" {
		t.Error("a stale demo password was reported")
	}
}

// Only what must be kept is kept: a demo password leaves the database (and
// its file) once it no longer opens the account.
func TestDemoPasswordsAreForgottenWhenTheyStopWorking(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts, _ := testOptions(dir)
	d, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := d.Seed(ctx, rehearsal)
	if err != nil {
		t.Fatal(err)
	}
	changed, gone, kept := demo.Users[0], demo.Users[2], demo.Users[1]
	if err := d.SetPassword(ctx, changed.ObjectID, "Changed-1234"); err != nil {
		t.Fatal(err)
	}
	if err := d.SoftDeleteUser(ctx, gone.ObjectID); err != nil {
		t.Fatal(err)
	}
	if err := d.HardDeleteUser(ctx, gone.ObjectID); err != nil {
		t.Fatal(err)
	}
	for _, u := range []DemoUser{changed, gone} {
		if _, err := d.demoGet(ctx, "password:"+u.ObjectID); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s's demo password is still stored (err %v)", u.UPN, err)
		}
	}
	if pw, err := d.demoGet(ctx, "password:"+kept.ObjectID); err != nil || pw != kept.Password {
		t.Errorf("a working demo password was dropped: %q, %v", pw, err)
	}
	d.Close()
	for _, name := range []string{StoreName + ".db", StoreName + ".db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, u := range []DemoUser{changed, gone} {
			if bytes.Contains(b, []byte(u.Password)) {
				t.Errorf("%s still holds %s's old demo password", name, u.UPN)
			}
		}
	}
}
