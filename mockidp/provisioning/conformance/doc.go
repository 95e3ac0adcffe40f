// Package conformance is an Entra-shaped SCIM conformance suite: it sends
// a SCIM server the requests Microsoft Entra ID's provisioning client sends
// (shared/reference/entra-scim.md §2, §4, §8), in both PATCH dialects, and
// checks the answers Entra needs. It is what `ssowiz scim validate` runs.
//
// Each case is one behaviour: Test Connection, create, match by userName
// (in any case) and externalId, read by id, the update, disable/re-enable
// and manager PATCHes of each dialect, a value-path add on an absent
// entry, the error answers (bad token, duplicate, bad filter, unknown id),
// and groups as Entra sends them. A server that documents in
// /ResourceTypes that it has no Group resource type gets its group cases
// reported as expected-unsupported rather than failed, with what that
// means for Entra. The users the suite creates are deactivated at the end.
package conformance
