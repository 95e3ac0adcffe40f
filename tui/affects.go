package tui

import (
	"github.com/ssowiz/ssowiz/internal/checks"
)

// affects maps a setup field (by path prefix) to the live checks whose
// outcome depends on it, so reopening a step re-runs only those. Every
// field feeds the static check (checks.IDSetup).
var affects = []struct {
	prefix string
	checks []string
}{
	{"app.name", nil},
	// Entra finds the app by Identifier and matches the Reply URL: every
	// browser flow goes through them.
	{"saml.identifier", []string{checks.IDMetadata, checks.IDSignIn, checks.IDAssignment, checks.IDIdPInitiated, checks.IDProvisioning}},
	{"saml.reply_url", []string{checks.IDSignIn, checks.IDAssignment, checks.IDIdPInitiated, checks.IDProvisioning}},
	// The Sign on URL and Relay State only shape what the My Apps tile does.
	{"saml.sign_on_url", []string{checks.IDIdPInitiated}},
	{"saml.relay_state", []string{checks.IDIdPInitiated}},
	{"saml.logout_url", nil},
	{"saml.signing_option", []string{checks.IDMetadata, checks.IDSignIn, checks.IDIdPInitiated, checks.IDProvisioning}},
	{"saml.signing_algorithm", []string{checks.IDMetadata, checks.IDSignIn, checks.IDIdPInitiated, checks.IDProvisioning}},
	// Claims are read by RudderStack on every SAML sign-in.
	{"claims", []string{checks.IDSignIn, checks.IDProvisioning}},
	{"users", []string{checks.IDSignIn, checks.IDAssignment, checks.IDProvisioning}},
	// The token and its owner matter to SCIM only.
	{"rudderstack", []string{checks.IDSCIMConnection, checks.IDProvisioning}},
	{"provisioning.tenant_url", []string{checks.IDSCIMConnection, checks.IDProvisioning}},
	{"provisioning.secret_token", []string{checks.IDSCIMConnection, checks.IDProvisioning}},
	{"provisioning.provision_groups", []string{checks.IDProvisioning, checks.IDKnownIssues}},
	{"provisioning.actions", []string{checks.IDProvisioning, checks.IDKnownIssues}},
}

// affectedChecks returns the IDs of the checks that changed fields can
// change, in catalogue order. A field the table doesn't know re-runs
// everything rather than leave a stale result standing.
func affectedChecks(changed []string) []string {
	if len(changed) == 0 {
		return nil
	}
	want := map[string]bool{checks.IDSetup: true}
	for _, path := range changed {
		known := false
		for _, a := range affects {
			if owns([]string{a.prefix}, path) {
				known = true
				for _, id := range a.checks {
					want[id] = true
				}
			}
		}
		if !known {
			return allCheckIDs()
		}
	}
	var out []string
	for _, c := range checks.Catalogue() {
		if want[c.ID] {
			out = append(out, c.ID)
		}
	}
	return out
}

func allCheckIDs() []string {
	var out []string
	for _, c := range checks.Catalogue() {
		out = append(out, c.ID)
	}
	return out
}
