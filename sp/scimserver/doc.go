// Package scimserver is the mock RudderStack's SCIM 2.0 server (RFC 7643,
// RFC 7644) with RudderStack's documented profile, mounted by package sp
// at {APIURL}/scim/v2.
//
// Every request carries an admin personal access token (Authorization:
// Bearer <PAT>, Entra's Secret Token). The token picks the organisation;
// SCIM needs the Admin role on a token whose owner is an active Org Admin,
// in an organisation whose SCIM switch RudderStack's team has turned on.
//
// Users live in package accounts, one table for users made by SAML
// just-in-time sign-in and by SCIM: the SCIM document is stored verbatim
// (so values come back exactly as sent) and its userName, externalId,
// active, e-mail and name are copied into the account's own fields, which
// SAML sign-in and the dashboard use. A user JIT made has no document yet
// and is represented from its fields, so Entra's userName filter finds it
// and Entra links to it instead of creating a duplicate.
//
// # Status codes for what RudderStack does not support
//
// The guide's "Known issues" list what RudderStack does not do over SCIM.
// Each answer is a SCIM Error whose detail tells the admin what to change
// in Entra; none changes anything stored.
//
//   - DELETE /Users/{id}: 501 Not Implemented, and the user is left as it
//     is. RFC 7644 §3.12 names 501 for "service provider does not support
//     the request operation". Entra sends DELETE only for a user
//     hard-deleted in Entra while the Delete target-object action is
//     ticked (reference §4.7), after it has already sent the disable
//     PATCH when the user was soft-deleted or unassigned, so refusing
//     loses nothing: the user stays deactivated and readable. Answering
//     204 and deactivating instead would tell Entra the user is gone while
//     GET still returns it. Entra logs NotImplemented, escrows the delete
//     and retries; the detail says to untick Delete.
//   - /Groups (any method): 404 Not Found. RFC 7644 §3.12 gives 404 for
//     an endpoint that does not exist, and RudderStack has none (push
//     groups is "coming soon"). This is also what Entra punishes: a 404 on
//     its group filter query is a named quarantine reason (reference
//     §5.3), which is the real risk of leaving "Provision Microsoft Entra
//     ID Groups" on. The detail says to turn it off.
//   - password (POST, PUT, or a PATCH path or key): 400 invalidValue,
//     refused rather than ignored. RudderStack users sign in only through
//     SSO and the guide says passwords are not synced; ignoring one would
//     let an admin believe it was, and storing it would keep a secret the
//     SP must never hold. Entra's provisioning never sends passwords, so
//     only a hand-made mapping or another client meets this.
//   - /Bulk, /Me and .search: 501, as RFC 7644 §3.7, §3.11 and §3.4.3
//     say for optional features a server does not offer.
//
// # Bad input
//
// A body that is not JSON is 400 invalidSyntax; a Content-Type other than
// application/scim+json or application/json (UTF-8) is 415 Unsupported
// Media Type, the HTTP status for exactly that (RFC 9110 §15.5.16; RFC
// 7644 §3.12 lists no SCIM-specific code for it); a body over the limit
// (DefaultMaxBodyBytes, stated in ServiceProviderConfig) is 413, as RFC
// 7644 §3.12 lists. PATCH paths naming attributes the User schema does not
// have are 400 invalidPath (RFC 7644 §3.5.2, table 9); a value filter that
// matches nothing and cannot create the element is 400 noTarget. Attributes
// qualified with a schema URN the server does not know (Entra's custom
// extension attributes) are kept as sent.
//
// A body is refused rather than stored unlike what was sent: the same
// name twice in one object (encoding/json would keep the last silently)
// is 400 invalidSyntax; bytes that are not UTF-8 and a lone UTF-16
// surrogate escape (both would become U+FFFD) are 400 invalidValue naming
// the attribute. A userName holding a control character (NUL included) or
// U+FFFD is 400 invalidValue: no sign-in name has one, and a NUL could
// never be found by a filter.
//
// A POST or PUT body without schemas is 400 invalidValue: RFC 7643 §3
// requires it in every representation, and without it the body does not
// say it is a User. Every answer carrying Users (GET, the list, POST, PUT
// and PATCH) honours attributes or excludedAttributes (RFC 7644 §3.4.2.5,
// §3.9; scim.Projection): id and schemas are always returned, filters and
// paging see the whole user, and both parameters at once are 400
// invalidValue, before anything is written.
//
// # How userNames compare
//
// userName is caseExact=false and unique per organisation. Two names are
// the same user when they are equal after Unicode Normalization Form C and
// simple case folding (scim.FoldKey), as RFC 8265's UsernameCaseMapped
// profile compares user names: "José" sent precomposed (NFC) and as e plus
// a combining accent (NFD) is one user, and a filter in either spelling
// finds it. Entra's userPrincipalNames are ASCII, where this is plain case
// folding, and an email-based RudderStack login ignores case. The name is
// stored and returned as it was sent; only comparisons use the key.
package scimserver
