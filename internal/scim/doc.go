// Package scim holds the SCIM 2.0 (RFC 7643, RFC 7644) pieces that ssowiz's
// SCIM server and its mock Entra provisioning client share: schema URNs and
// the media type, the attribute schemas of User (with the enterprise
// extension) and Group, resources as case-insensitive attribute documents,
// typed views of them, ListResponse paging, PatchOp requests, and the SCIM
// Error body.
//
// Resources are kept as generic JSON documents (Resource) rather than
// structs, so attributes the schema does not know (custom extensions) and
// values in the exact form a client sent survive storage and PATCH. The
// typed User and Group structs are views for code that builds or reads
// resources field by field.
//
// Filters live in package filter and PATCH application in package patch;
// both build on the schemas here.
package scim
