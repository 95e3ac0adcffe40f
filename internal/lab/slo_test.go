package lab

import (
	"context"
	"testing"
)

// TestSingleLogoutOptionFollowsEachStart: off by default (RudderStack's
// setting: no sign-out flow, no Logout Url); a later start on the same
// data with SingleLogout turns the organisation's sign-out flow on and
// gives the app the user pool's /saml2/logout as its Logout Url; a start
// without it turns the flow off again and leaves the Logout Url, which
// is Entra's setting, as it is.
func TestSingleLogoutOptionFollowsEachStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	state := func(opts Options) (signOutFlow bool, logoutURL, sloURL string) {
		t.Helper()
		opts.DataDir, opts.NewKey = dir, testKey
		l, err := Start(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close(ctx)
		info := l.Info()
		org, err := l.Accounts.GetOrg(ctx, info.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		app, err := l.Directory.App(ctx, info.AppID)
		if err != nil {
			t.Fatal(err)
		}
		if info.SingleLogout != org.SSO.IDPSignout || info.SPLogoutURL != l.SP.Pool().SLOURL() {
			t.Errorf("Info says single_logout %v, sp_logout_url %q; the org's flow is %v at %q", info.SingleLogout, info.SPLogoutURL, org.SSO.IDPSignout, l.SP.Pool().SLOURL())
		}
		return org.SSO.IDPSignout, app.SAML.LogoutURL, l.SP.Pool().SLOURL()
	}
	if on, logout, _ := state(Options{}); on || logout != "" {
		t.Fatalf("by default: sign-out flow %v, Logout Url %q; want off and empty, as the guide has it", on, logout)
	}
	if on, logout, slo := state(Options{SingleLogout: true}); !on || logout != slo {
		t.Fatalf("with SingleLogout: sign-out flow %v, Logout Url %q; want on and %q", on, logout, slo)
	}
	if on, logout, _ := state(Options{}); on || logout == "" {
		t.Fatalf("started again without it: sign-out flow %v, Logout Url %q; want the flow off and the Logout Url kept", on, logout)
	}
}
