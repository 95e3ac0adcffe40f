package checks

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/setup"
)

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// The wizard's steps, in the guide's order, on the live mocks.
func TestTheWizardsStepsOnTheLiveMocks(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Options{})

	app, err := e.CreateApp(ctx, "RudderStack SSO")
	if err != nil {
		t.Fatal(err)
	}
	if app.Name != "RudderStack SSO" || !guid.MatchString(app.ApplicationID) || !guid.MatchString(app.ObjectID) || !guid.MatchString(app.TenantID) ||
		!strings.Contains(app.AppFederationMetadataURL, "appid="+app.ApplicationID) || app.CertificateThumbprint == "" || app.CertificateExpiry.IsZero() {
		t.Fatalf("created app: %+v", app)
	}
	again, err := e.CreateApp(ctx, "RudderStack")
	if err != nil || again.ApplicationID == app.ApplicationID || again.TenantID != app.TenantID {
		t.Fatalf("creating the app again: %+v, %v (first %+v)", again, err, app)
	}
	if cur, err := e.CurrentApp(ctx); err != nil || cur.ApplicationID != again.ApplicationID {
		t.Fatalf("current app %+v, %v", cur, err)
	}
	if _, err := e.CreateApp(ctx, "  "); !errors.Is(err, ErrBadSetup) {
		t.Fatalf("an app without a name: %v", err)
	}

	users, err := e.Users(ctx)
	if err != nil || len(users) < 5 {
		t.Fatalf("users: %+v, %v", users, err)
	}
	assigned := map[string]bool{}
	for _, u := range users {
		assigned[strings.SplitN(u.UPN, "@", 2)[0]] = u.Assigned
	}
	if !assigned["AdeleV"] || assigned["AlexW"] {
		t.Fatalf("a new app keeps the tenant's assignments: %+v", users)
	}

	// A value the portal refuses is reported with its field; the rest is
	// saved.
	s := setup.Default()
	s.SAML.ReplyURL = "auth2.rudderstack.com/saml2/idpresponse"
	applied, err := e.Apply(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied.Refused) != 1 || applied.Refused[0].Field != "saml.reply_url" || applied.Refused[0].Value != s.SAML.ReplyURL || applied.Refused[0].Expected != setup.GuideReplyURL {
		t.Fatalf("refused: %+v", applied.Refused)
	}
	s = setup.Default()
	s.Users.Assigned = []string{users[0].UPN}
	if applied, err := e.Apply(ctx, s); err != nil || len(applied.Refused) != 0 {
		t.Fatalf("applying the guide: %+v, %v", applied, err)
	}
	users, _ = e.Users(ctx)
	for i, u := range users {
		if u.Assigned != (i == 0) {
			t.Errorf("after assigning only %s: %s assigned=%v", users[0].UPN, u.UPN, u.Assigned)
		}
	}

	// Test Connection before any token: Entra sends its own, which
	// RudderStack refuses.
	conn, err := e.TestConnection(ctx, setup.GuideTenantURL, "")
	if err != nil || conn.OK || conn.Code == "" || !strings.Contains(conn.Request, "401") {
		t.Fatalf("Test Connection without a token: %+v, %v", conn, err)
	}
	pat, err := e.GeneratePAT(ctx, "Entra ID SCIM", setup.PATRoleAdmin)
	if err != nil || !strings.HasPrefix(pat.Secret, "rspat_") || pat.Name != "Entra ID SCIM" || pat.Role != "Admin" || strings.Contains(pat.Hint, pat.Secret) {
		t.Fatalf("generated token: %+v, %v", pat, err)
	}
	if conn, err := e.TestConnection(ctx, setup.GuideTenantURL, pat.Secret); err != nil || !conn.OK {
		t.Fatalf("Test Connection with the new token: %+v, %v", conn, err)
	}
	if conn, err := e.TestConnection(ctx, "https://api.rudderstack.com/scim", ""); err != nil || conn.OK || conn.Message == "" {
		t.Fatalf("Test Connection without /v2 (last token): %+v, %v", conn, err)
	}
	member, err := e.GeneratePAT(ctx, "member", setup.PATRoleMember)
	if err != nil {
		t.Fatal(err)
	}
	if conn, _ := e.TestConnection(ctx, setup.GuideTenantURL, member.Secret); conn.OK || !strings.Contains(conn.Request, "403") {
		t.Fatalf("Test Connection with a Member token: %+v", conn)
	}
	if _, err := e.GeneratePAT(ctx, "x", "Owner"); !errors.Is(err, ErrBadSetup) {
		t.Fatalf("a token role the drop-down does not offer: %v", err)
	}

	// The token pasted into the setup is the one generated in RudderStack:
	// a rehearsal stands in a fresh token of its own for it.
	s = setup.Default()
	s.Provisioning.SecretToken = pat.Secret
	rep, err := e.Run(ctx, s, RunOptions{Only: []string{IDSCIMConnection}})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, rep, IDSCIMConnection); r.Status != Pass || !strings.Contains(strings.Join(r.Details, "\n"), "generated in RudderStack") {
		t.Fatalf("a generated token in the setup:\n%s", dump(rep))
	}
	for _, r := range rep.Results {
		if strings.Contains(dump(rep), pat.Secret) {
			t.Fatalf("%s shows the token", r.ID)
		}
	}

	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CurrentApp(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := e.Run(ctx, setup.Default(), RunOptions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
}

// The checks test the token the admin holds: a Member token generated
// before the form went back to Admin fails check 6 naming the token's
// role, and a token typed with spaces around it is sent as typed, which
// Test Connection and the checks agree RudderStack accepts (it ignores
// spaces around a bearer token), with the whitespace said plainly.
func TestTheChecksTestTheTokenTheAdminHolds(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, Options{})
	if _, err := e.CreateApp(ctx, "RudderStack"); err != nil {
		t.Fatal(err)
	}
	only := RunOptions{Only: []string{IDSetup, IDSCIMConnection}}

	if _, err := e.GeneratePAT(ctx, setup.GuidePATName, setup.PATRoleMember); err != nil {
		t.Fatal(err)
	}
	rep, err := e.Run(ctx, setup.Default(), only) // the form says Admin again
	if err != nil {
		t.Fatal(err)
	}
	r := result(t, rep, IDSCIMConnection)
	if r.Status != Fail || len(r.Remediations) == 0 || r.Remediations[0].Field != "rudderstack.pat.role" ||
		!strings.Contains(strings.Join(r.Details, "\n"), "role Member") {
		t.Fatalf("a held Member token with the form back on Admin:\n%s", dump(rep))
	}

	pat, err := e.GeneratePAT(ctx, setup.GuidePATName, setup.PATRoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	s := setup.Default()
	s.Provisioning.SecretToken = "  " + pat.Secret + " "
	conn, err := e.TestConnection(ctx, s.Provisioning.TenantURL, s.Provisioning.SecretToken)
	if err != nil || !conn.OK {
		t.Fatalf("Test Connection with spaces around the token: %+v, %v", conn, err)
	}
	rep, err = e.Run(ctx, s, only)
	if err != nil {
		t.Fatal(err)
	}
	r = result(t, rep, IDSCIMConnection)
	if r.Status != Pass || !strings.Contains(strings.Join(r.Details, "\n"), "Entra sends the Secret Token exactly as typed") {
		t.Fatalf("the checks with spaces around the token (Test Connection said authorized):\n%s", dump(rep))
	}
	if r := result(t, rep, IDSetup); r.Status != Warn || !strings.Contains(remediationText(r), "spaces around it (2 at the start, 1 at the end)") {
		t.Fatalf("the setup check should say the spaces plainly:\n%s", dump(rep))
	}
	if strings.Contains(dump(rep), pat.Secret) {
		t.Fatal("the report shows the token")
	}
}
