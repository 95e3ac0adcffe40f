// Package patch applies SCIM PATCH requests (RFC 7644 §3.5.2) to resource
// documents, accepting both dialects Entra's provisioning client speaks:
// the default one (capitalised ops, one path per attribute, active as the
// string "False", members removed with a value array) and the
// aadOptscim062020 one (lower-case ops, a path-less replace whose value
// has dotted keys such as "name.givenName", boolean active, members removed
// with members[value eq "id"]).
//
// Where Entra departs from the RFC, Entra wins, because a mock SP that
// rejects what Entra sends teaches the wrong lesson: a replace or add on a
// value path that matches nothing (emails[type eq "work"].value) creates
// the element; manager may be a bare id string; "" and null clear an
// attribute; unknown schema URIs and meta in a request are ignored.
package patch
