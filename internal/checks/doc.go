// Package checks rehearses an admin's setup end to end and says, check by
// check, what works and — for what does not — which field on which screen
// holds the wrong value and what it must be.
//
// An Env is the long-lived rehearsal environment the wizard keeps open
// while the admin types and `ssowiz check` uses once. Its operations are
// in the admin's terms: create the app and show its IDs, apply a
// setup.Setup verbatim to the mock Entra app and the mock RudderStack,
// generate a personal access token, run Test Connection with a Tenant URL
// and token, and Run the catalogue of live checks.
//
// Run starts a fresh pair of mocks for each rehearsal, in lab.Rehearsal
// mode: the scripted browser and Entra's provisioning engine reach
// login.microsoftonline.com and app/auth2/api.rudderstack.com through host
// routing to the local mocks, over TLS from a CA made at start-up, so every
// value is exercised as typed and a wrong one fails the way the real
// systems fail it (AADSTS50011 for a Reply URL with a trailing slash,
// Cognito's "Invalid user attributes" for an `email` claim, a 403 for a
// Member-role token). A fresh pair makes results depend on the setup
// alone, never on what the wizard did before.
//
// The runner reports progress through a callback and never does terminal
// I/O; package report writes results as text, JSON and JUnit XML.
package checks
