// Package filter parses SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths
// (§3.5.2), evaluates filters against resources, and extracts the equality
// terms a server can answer from an index.
//
// Besides the RFC grammar it accepts the form Entra uses to match users by
// e-mail, a value path followed by a sub-attribute and a comparison:
// emails[type eq "work"].value eq "x". Filters arrive URL-decoded (Entra
// sends userName+eq+%22x%22; url.ParseQuery turns "+" into a space).
//
// github.com/scim2/filter-parser/v2 was evaluated and not used: it rejects
// that Entra form, keeps escape sequences undecoded in string values,
// rejects lower-case \u escapes, and reports errors as
// `expected op.Or or[func func func func]`, which tells an admin nothing.
// This hand-written recursive-descent parser reports what was expected,
// what was found and where.
package filter
