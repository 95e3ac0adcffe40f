// Package export turns a rehearsed setup into something to run against
// the real tenant. GraphScript writes the Entra side of the guide as a
// bash script of Microsoft Graph calls made with curl.
//
// Why bash and curl rather than PowerShell with the Microsoft Graph
// module: every step is the plain HTTP request Microsoft's Graph reference
// documents, readable by an admin who has never seen the SDK and
// reproducible with any HTTP client; it runs wherever the Azure CLI does
// (Cloud Shell, Linux and macOS laptops, CI runners) with no module to
// install or keep in step with Graph; and the token comes from
// `az account get-access-token`, the admin's own sign-in.
package export

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// NonGalleryTemplateID is Entra's "Integrate any other application you
// don't find in the gallery (Non-gallery)" application template.
const NonGalleryTemplateID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"

// nameIdentifier is the SAML claim type a claims mapping policy uses for
// the Name ID (Unique User Identifier).
const nameIdentifier = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"

// GraphScript returns the bash script that makes a tenant hold the setup's
// Entra side: the app from the non-gallery template, its Basic SAML
// Configuration, claims (a claims mapping policy), assignments and
// provisioning (credentials, then the job started). Secrets are never in
// it: the Secret Token is read from $SCIM_SECRET_TOKEN. source names the
// file the setup came from, for the header.
func GraphScript(s setup.Setup, source string) (string, error) {
	p, err := PlanFromSetup(s)
	if err != nil {
		return "", err
	}
	return Script(p, source), nil
}

// Plan is the Entra side of a setup, whatever file it came from: what the
// script makes the tenant hold.
type Plan struct {
	// Name is the application's display name.
	Name string
	// Identifiers and ReplyURLs are the Basic SAML Configuration's rows,
	// the default first.
	Identifiers, ReplyURLs []string
	// SignOnURL, RelayState and LogoutURL are the other boxes.
	SignOnURL, RelayState, LogoutURL string
	// NameIDSource is the Unique User Identifier's source, e.g.
	// user.userprincipalname.
	NameIDSource string
	// Claims are the additional claims.
	Claims []Claim
	// AssignmentRequired is Properties › "Assignment required?".
	AssignmentRequired bool
	// AssignUsers are the UPNs and AssignGroups the group names to assign;
	// both nil means the script reads UPNs from $ASSIGN_UPNS.
	AssignUsers, AssignGroups []string
	// TenantURL is the Provisioning page's Tenant URL; empty leaves
	// provisioning out.
	TenantURL string
	// PortalNotes are settings Graph cannot make simply, for the admin to
	// set in the portal.
	PortalNotes []string
}

// Claim is one additional claim: its name on the wire and its source.
type Claim struct {
	WireName, Source string
}

// PlanFromSetup is a setup file's (the wizard's) Entra side.
func PlanFromSetup(s setup.Setup) (Plan, error) {
	p := Plan{Name: s.App.Name, SignOnURL: s.SAML.SignOnURL, RelayState: s.SAML.RelayState, LogoutURL: s.SAML.LogoutURL,
		NameIDSource: s.Claims.NameID.Source, AssignmentRequired: s.Users.AssignmentRequired, AssignUsers: s.Users.Assigned, AssignGroups: s.Users.Groups,
		TenantURL: s.Provisioning.TenantURL}
	if strings.TrimSpace(p.Name) == "" {
		p.Name = setup.GuideAppName
	}
	if s.SAML.Identifier != "" {
		p.Identifiers = []string{s.SAML.Identifier}
	}
	if s.SAML.ReplyURL != "" {
		p.ReplyURLs = []string{s.SAML.ReplyURL}
	}
	for _, c := range s.Claims.Additional {
		p.Claims = append(p.Claims, Claim{c.WireName(), c.Source})
	}
	if s.SAML.SigningOption != "" && s.SAML.SigningOption != setup.SigningAssertion || s.SAML.SigningAlgorithm != "" && s.SAML.SigningAlgorithm != setup.AlgorithmSHA256 {
		p.PortalNotes = append(p.PortalNotes, fmt.Sprintf("Single sign-on > SAML Certificates > Signing Option %q, Signing Algorithm %q", s.SAML.SigningOption, s.SAML.SigningAlgorithm))
	}
	if p.TenantURL != "" {
		p.PortalNotes = append(p.PortalNotes,
			"Provisioning > Mappings > Provision Microsoft Entra ID Groups: "+yesNo(s.Provisioning.ProvisionGroups)+groupsNote(s.Provisioning.ProvisionGroups),
			fmt.Sprintf("Provisioning > Mappings > Provision Microsoft Entra ID Users > Target Object Actions: Create %s, Update %s, Delete %s",
				yesNo(s.Provisioning.Actions.Create), yesNo(s.Provisioning.Actions.Update), yesNo(s.Provisioning.Actions.Delete)))
	}
	if _, err := claimsPolicy(p); err != nil {
		return Plan{}, err
	}
	return p, nil
}

func groupsNote(on bool) string {
	if on {
		return ""
	}
	return " (RudderStack does not support groups)"
}

// Script is the bash script of Graph calls for a plan. It never holds a
// secret: the Secret Token is read from $SCIM_SECRET_TOKEN.
func Script(p Plan, source string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	name := p.Name
	policy, _ := claimsPolicy(p)
	w(`#!/usr/bin/env bash
# The Entra ID side of the RudderStack SSO and SCIM setup, as Microsoft Graph calls.
# Written by ssowiz export --format graph from %s.
#
# Read it, then run it as an admin who may create enterprise apps (Cloud Application
# Administrator or Application Administrator), after:
#   az login --allow-no-subscriptions --tenant <your tenant>
#   export SCIM_SECRET_TOKEN=<the Admin personal access token you generated in RudderStack>
# It needs bash, curl, jq and the Azure CLI. Each step prints what it did; any error stops it.
# GRAPH_URL and GRAPH_TOKEN override the Graph endpoint and the token (ssowiz's own tests
# point them at its mock Entra ID).
set -euo pipefail

GRAPH="${GRAPH_URL:-https://graph.microsoft.com/v1.0}"
TOKEN="${GRAPH_TOKEN:-$(az account get-access-token --resource-type ms-graph --query accessToken --output tsv)}"

# graph METHOD PATH [JSON]: one Graph request; prints the answer, stops on an error.
graph() {
  local method=$1 path=$2 body=${3:-}
  local args=(--silent --show-error --fail-with-body --request "$method" --header "Authorization: Bearer $TOKEN")
  if [[ -n $body ]]; then args+=(--header "Content-Type: application/json" --data "$body"); fi
  curl "${args[@]}" "$GRAPH$path"
}

`, shellComment(source))
	if p.TenantURL != "" {
		w(": \"${SCIM_SECRET_TOKEN:?set SCIM_SECRET_TOKEN to the Admin personal access token generated in RudderStack}\"\n\n")
	}

	w("echo '1. Create the application: Enterprise applications > New application > Create your own application'\n")
	w("created=$(graph POST /applicationTemplates/%s/instantiate %s)\n", NonGalleryTemplateID, quote(mustJSON(map[string]string{"displayName": name})))
	w("APP_OBJECT_ID=$(jq -r .application.id <<<\"$created\")\n")
	w("SP_ID=$(jq -r .servicePrincipal.id <<<\"$created\")\n")
	w("USER_ROLE_ID=$(jq -r '.servicePrincipal.appRoles[] | select(.displayName == \"User\") | .id' <<<\"$created\")\n")
	w("echo \"   application $(jq -r .application.appId <<<\"$created\"), enterprise app $SP_ID\"\n")
	w("# A new app takes a few seconds to reach every Graph replica.\nsleep \"${REPLICATION_WAIT:-15}\"\n\n")

	w("echo '2. Single sign-on: SAML, and Basic SAML Configuration'\n")
	sp := map[string]any{"preferredSingleSignOnMode": "saml", "appRoleAssignmentRequired": p.AssignmentRequired}
	w("graph PATCH \"/servicePrincipals/$SP_ID\" %s\n", quote(mustJSON(sp)))
	app := map[string]any{}
	if len(p.Identifiers) > 0 {
		app["identifierUris"] = p.Identifiers
	}
	web := map[string]any{}
	if len(p.ReplyURLs) > 0 {
		web["redirectUris"] = p.ReplyURLs
	}
	if p.LogoutURL != "" {
		web["logoutUrl"] = p.LogoutURL
	}
	if len(web) > 0 {
		app["web"] = web
	}
	if len(app) > 0 {
		w("graph PATCH \"/applications/$APP_OBJECT_ID\" %s\n", quote(mustJSON(app)))
	}
	spSAML := map[string]any{"samlSingleSignOnSettings": map[string]string{"relayState": p.RelayState}}
	if p.SignOnURL != "" {
		spSAML["loginUrl"] = p.SignOnURL
	}
	w("graph PATCH \"/servicePrincipals/$SP_ID\" %s\n", quote(mustJSON(spSAML)))
	w("\n")

	w("echo '3. Attributes & Claims: a claims mapping policy with the Name ID and the additional claims'\n")
	w("policy=$(graph POST /policies/claimsMappingPolicies %s)\n", quote(mustJSON(map[string]any{
		"definition": []string{policy}, "displayName": name + " claims (ssowiz)"})))
	w("graph POST \"/servicePrincipals/$SP_ID/claimsMappingPolicies/\\$ref\" \"{\\\"@odata.id\\\": \\\"$GRAPH/policies/claimsMappingPolicies/$(jq -r .id <<<\"$policy\")\\\"}\"\n\n")

	w("echo '4. Users and groups: assign the users'\n")
	if p.AssignUsers == nil && p.AssignGroups == nil {
		w("# The rehearsal used the demo directory's assignments: list your users' UPNs in ASSIGN_UPNS.\n")
		w("read -r -a upns <<<\"${ASSIGN_UPNS:-}\"\n")
	} else {
		w("upns=(%s)\n", quoteAll(p.AssignUsers))
	}
	w("for upn in \"${upns[@]}\"; do\n")
	w("  user_id=$(graph GET \"/users/$upn?\\$select=id\" | jq -r .id)\n")
	w("  graph POST \"/servicePrincipals/$SP_ID/appRoleAssignedTo\" \"{\\\"principalId\\\": \\\"$user_id\\\", \\\"resourceId\\\": \\\"$SP_ID\\\", \\\"appRoleId\\\": \\\"$USER_ROLE_ID\\\"}\" >/dev/null\n")
	w("  echo \"   assigned $upn\"\ndone\n")
	if len(p.AssignGroups) > 0 {
		w("for group in %s; do\n", quoteAll(p.AssignGroups))
		w(`  filter=$(jq -rn --arg g "$group" '"displayName eq \u0027" + ($g | gsub("\u0027"; "\u0027\u0027")) + "\u0027" | @uri')` + "\n")
		w(`  group_id=$(graph GET "/groups?\$filter=$filter&\$select=id" | jq -r '.value[0].id')` + "\n")
		w(`  graph POST "/servicePrincipals/$SP_ID/appRoleAssignedTo" "{\"principalId\": \"$group_id\", \"resourceId\": \"$SP_ID\", \"appRoleId\": \"$USER_ROLE_ID\"}" >/dev/null` + "\n")
		w("  echo \"   assigned the group $group\"\ndone\n")
	}
	w("\n")

	if p.TenantURL != "" {
		w("echo '5. Provisioning: Automatic, Tenant URL and Secret Token, then start'\n")
		w("job=$(graph POST \"/servicePrincipals/$SP_ID/synchronization/jobs\" '{\"templateId\": \"scim\"}')\n")
		w("JOB_ID=$(jq -r .id <<<\"$job\")\n")
		w("secrets=$(jq -n --arg url %s --arg token \"$SCIM_SECRET_TOKEN\" '{value: [{key: \"BaseAddress\", value: $url}, {key: \"SecretToken\", value: $token}]}')\n", quote(p.TenantURL))
		w("graph PUT \"/servicePrincipals/$SP_ID/synchronization/secrets\" \"$secrets\"\n")
		w("graph POST \"/servicePrincipals/$SP_ID/synchronization/jobs/$JOB_ID/start\"\n")
	}
	if len(p.PortalNotes) > 0 {
		w("# Set in the portal (Graph has no simple call for these):\n")
		for _, n := range p.PortalNotes {
			w("#   %s\n", shellComment(n))
		}
	}
	w("echo \"Done. Send RudderStack the App Federation Metadata URL: https://login.microsoftonline.com/<tenant ID>/federationmetadata/2007-06/federationmetadata.xml?appid=$(jq -r .application.appId <<<\"$created\")\"\n")
	return b.String()
}

// claimsPolicy is the plan's Attributes & Claims as a ClaimsMappingPolicy
// definition.
func claimsPolicy(p Plan) (string, error) {
	type entry struct {
		Source        string `json:"Source"`
		ID            string `json:"ID"`
		SamlClaimType string `json:"SamlClaimType"`
	}
	var schema []entry
	add := func(source, claimType string) error {
		attr, ok := strings.CutPrefix(strings.ToLower(source), "user.")
		if !ok || attr == "" {
			return fmt.Errorf("export: the claim source %q is not a user attribute (user.…); a claims mapping policy cannot hold it", source)
		}
		schema = append(schema, entry{"user", attr, claimType})
		return nil
	}
	for _, c := range p.Claims {
		if err := add(c.Source, c.WireName); err != nil {
			return "", err
		}
	}
	if p.NameIDSource != "" {
		if err := add(p.NameIDSource, nameIdentifier); err != nil {
			return "", err
		}
	}
	b, err := json.Marshal(map[string]any{"ClaimsMappingPolicy": map[string]any{
		"Version": 1, "IncludeBasicClaimSet": "true", "ClaimsSchema": schema}})
	return string(b), err
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// quoteAll is each string as a single-quoted shell word, space-separated.
func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return strings.Join(q, " ")
}

// quote is s as one single-quoted shell word.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// shellComment keeps a value on one comment line.
func shellComment(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
