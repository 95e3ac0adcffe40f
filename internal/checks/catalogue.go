package checks

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The check IDs. They are stable: scripts pass them to --only and --skip,
// and the JSON and JUnit outputs carry them.
const (
	IDSetup          = "setup"
	IDMetadata       = "metadata"
	IDSignIn         = "sp-sign-in"
	IDAssignment     = "assignment"
	IDIdPInitiated   = "idp-initiated"
	IDSCIMConnection = "scim-connection"
	IDProvisioning   = "provisioning"
	IDKnownIssues    = "known-issues"
)

// Check is one entry of the catalogue.
type Check struct {
	// ID is the stable identifier, e.g. "sp-sign-in".
	ID string
	// Number is the check's place in the catalogue, from 1.
	Number int
	// Title names the check in a few words.
	Title string
	// Proves says what a pass demonstrates.
	Proves string
	// Browser is true for checks that drive the scripted browser (and so
	// write a HAR file when asked to).
	Browser bool

	run func(context.Context, *rehearsal) Result
}

// Catalogue returns every check in the order they run, numbered from 1.
func Catalogue() []Check {
	cs := []Check{
		{ID: IDSetup, Title: "Setup values are valid",
			Proves: "Every value matches the guide: URLs are https and exact, the Identifier is RudderStack's entity ID, Relay State is empty, Email and LastName are sent under those names from the right sources, the Name ID is the UPN, and Entra's default claims are gone.",
			run:    checkSetup},
		{ID: IDMetadata, Title: "App Federation Metadata is usable", Browser: true,
			Proves: "The App Federation Metadata URL serves this app's Entra metadata, RudderStack holds that URL and accepts the metadata, and the signing certificate in it is valid and not close to expiry.",
			run:    checkMetadata},
		{ID: IDSignIn, Title: "SP-initiated sign-in from /sso", Browser: true,
			Proves: "An assigned user who starts at RudderStack's /sso signs in; RudderStack receives Email and LastName; just-in-time provisioning creates the account keyed on the UPN; a second sign-in updates it without a duplicate.",
			run:    checkSignIn},
		{ID: IDAssignment, Title: "Unassigned users are refused", Browser: true,
			Proves: "A user who is not assigned to the app is stopped by Entra with AADSTS50105, which needs Assignment required? set to Yes.",
			run:    checkAssignment},
		{ID: IDIdPInitiated, Title: "IdP-initiated launch is refused, as expected", Browser: true,
			Proves: "A sign-in started from Entra (My Apps or the Test button) is refused by RudderStack with Cognito's message, so users know to start at RudderStack's /sso.",
			run:    checkIdPInitiated},
		{ID: IDSCIMConnection, Title: "Admin token and Test Connection",
			Proves: "The personal access token has the Admin role and an Org Admin owner, SCIM is enabled for the organization, and Entra's Test Connection to the Tenant URL with it succeeds.",
			run:    checkSCIMConnection},
		{ID: IDProvisioning, Title: "Provisioning lifecycle", Browser: true,
			Proves: "A provisioning cycle creates the assigned users in RudderStack; an attribute change reaches it; unassigning deactivates (not deletes) the user and sign-in is then refused; assigning again restores them.",
			run:    checkProvisioning},
		{ID: IDKnownIssues, Title: "Known issues",
			Proves: "Group provisioning and the Delete action, which RudderStack does not support, are off.",
			run:    checkKnownIssues},
	}
	// Numbers follow the order, so the list cannot disagree with them.
	for i := range cs {
		cs[i].Number = i + 1
	}
	return cs
}

// Select returns the checks to run: all of them, or those named by only,
// minus those named by skip. A check is named by its ID or its number.
// An unknown name is an error wrapping ErrUnknownCheck that lists the IDs.
func Select(only, skip []string) ([]Check, error) {
	all := Catalogue()
	find := func(name string) (string, error) {
		name = strings.TrimSpace(name)
		for _, c := range all {
			if strings.EqualFold(c.ID, name) || strconv.Itoa(c.Number) == name {
				return c.ID, nil
			}
		}
		ids := make([]string, len(all))
		for i, c := range all {
			ids[i] = c.ID
		}
		return "", fmt.Errorf("%q: %w; the checks are %s (or their numbers 1-%d)", name, ErrUnknownCheck, strings.Join(ids, ", "), len(all))
	}
	resolve := func(names []string) ([]string, error) {
		var ids []string
		for _, n := range names {
			if strings.TrimSpace(n) == "" {
				continue
			}
			id, err := find(n)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	onlyIDs, err := resolve(only)
	if err != nil {
		return nil, err
	}
	skipIDs, err := resolve(skip)
	if err != nil {
		return nil, err
	}
	var out []Check
	for _, c := range all {
		if len(onlyIDs) > 0 && !slices.Contains(onlyIDs, c.ID) {
			continue
		}
		if slices.Contains(skipIDs, c.ID) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}
