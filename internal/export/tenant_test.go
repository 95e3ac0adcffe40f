package export

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// TestTenantFileScriptRemakesTheApp exports the demo tenant file's
// RudderStack app, runs the script against a served tenant from which
// that app was deleted, and finds the app as the file made it: the Basic
// SAML Configuration, the claims, the assignments (users and the group)
// and the Tenant URL.
func TestTenantFileScriptRemakesTheApp(t *testing.T) {
	needTools(t)
	ctx := context.Background()
	f, err := tenant.Demo()
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanFromTenant(ctx, f, "RudderStack")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.AssignGroups, "RudderStack Users") || !slices.Contains(p.AssignUsers, "AdeleV@contoso.onmicrosoft.com") ||
		slices.Contains(p.AssignUsers, "AlexW@contoso.onmicrosoft.com") {
		t.Fatalf("assignments: users %v groups %v", p.AssignUsers, p.AssignGroups)
	}
	if _, err := PlanFromTenant(ctx, f, "Nope"); !errors.Is(err, ErrNoSuchApp) || !strings.Contains(err.Error(), `"RudderStack"`) {
		t.Errorf("an unknown app: %v", err)
	}

	l, err := lab.Start(ctx, lab.Options{NewKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	defer l.CloseNow()
	info := l.Info()
	d := l.Directory
	want, err := d.App(ctx, info.AppID)
	if err != nil {
		t.Fatal(err)
	}
	wantAssigned := assignedNames(t, d, info.AppID)
	// The served app has this SP's loopback URLs; the script is to make
	// the same app with the lab's own values, so the plan takes them.
	p.Identifiers, p.ReplyURLs, p.SignOnURL = []string{want.DefaultIdentifier()}, []string{want.DefaultReplyURL()}, want.SAML.SignOnURL
	prov, _ := d.Provisioning(ctx, info.AppID)
	p.TenantURL = prov.TenantURL
	if err := d.DeleteApp(ctx, info.AppID); err != nil {
		t.Fatal(err)
	}
	token, err := clientToken(l)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "setup.sh")
	if err := os.WriteFile(path, []byte(Script(p, "tenant.yaml")), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", path)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "CURL_HOME=" + dir, "GRAPH_URL=" + info.GraphBaseURL,
		"GRAPH_TOKEN=" + token, "REPLICATION_WAIT=0", "SCIM_SECRET_TOKEN=placeholder"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the script failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "assigned the group RudderStack Users") {
		t.Errorf("the script's output:\n%s", out)
	}
	apps, err := d.Apps(ctx)
	if err != nil || len(apps) != 1 {
		t.Fatalf("apps after the script: %v %v", apps, err)
	}
	got := apps[0]
	if got.Name != want.Name || got.DefaultIdentifier() != want.DefaultIdentifier() || got.DefaultReplyURL() != want.DefaultReplyURL() ||
		got.SAML.SignOnURL != want.SAML.SignOnURL || got.AssignmentRequired != want.AssignmentRequired {
		t.Errorf("SAML: got %+v, want %+v", got.SAML, want.SAML)
	}
	if got.NameID.Source != want.NameID.Source || !slices.Equal(got.Claims, want.Claims) {
		t.Errorf("claims: got %v %v, want %v %v", got.NameID, got.Claims, want.NameID, want.Claims)
	}
	if gotAssigned := assignedNames(t, d, got.AppID); !slices.Equal(gotAssigned, wantAssigned) {
		t.Errorf("assignments: got %v, want %v", gotAssigned, wantAssigned)
	}
	if gp, _ := d.Provisioning(ctx, got.AppID); gp.TenantURL != prov.TenantURL || gp.SecretToken.Reveal() != "placeholder" {
		t.Errorf("provisioning: %s", gp.TenantURL)
	}
}

func assignedNames(t *testing.T, d *directory.Directory, appID string) []string {
	t.Helper()
	as, err := d.Assignments(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range as {
		names = append(names, string(a.PrincipalType)+":"+a.DisplayName)
	}
	slices.Sort(names)
	return names
}
