// Package provisioning is the mock Entra ID's SCIM provisioning engine: it
// reads an enterprise app's Provisioning page from the directory (Tenant
// URL, Secret Token, mappings, scope, groups switch, Create/Update/Delete
// boxes) and pushes the app's users and groups to the SCIM server at the
// Tenant URL the way Entra's provisioning client does, quirks included.
//
// What it reproduces, with the reference section (shared/reference/entra-scim.md)
// each behaviour comes from:
//
//   - Test Connection (§2): GET {base}/Users?filter=userName+eq+%22<GUID>%22
//     without an Accept header, and Entra's wording of each outcome.
//   - Cycles (§3.1): an initial cycle over everything in scope, then
//     incremental cycles over what changed after the stored watermark (the
//     directory's change sequence); provision on demand for one user.
//   - Requests (§4): match by filter, POST with the full mapped body, cache
//     the target id, PATCH only the differences (Add for newly populated,
//     Replace for changed) in one of two dialects chosen by the
//     aadOptscim062020 flag, the manager round trip, the disable PATCH on
//     unassignment, blocked sign-in and soft delete, re-enable, and DELETE
//     only on a hard delete with the Delete box ticked. Groups (§8) only
//     when "Provision Microsoft Entra ID Groups" is on.
//   - Failures (§5): per-object escrow with backoff, quarantine on
//     credential failures, on a 404 answer to a filter query, on an
//     unreachable server, and on the escrow thresholds.
//   - Provisioning logs: one entry per action with the requests in short.
//
// The engine keeps its own state (cached target ids, watermark, escrow,
// quarantine, logs) in its own SQLite database (store name
// "provisioning"), never in the directory's. The Secret Token is read from
// the directory only to put in the Authorization header; it is never
// logged or stored here.
package provisioning
