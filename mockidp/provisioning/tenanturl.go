package provisioning

import (
	"fmt"
	"net/url"
	"strings"
)

// Dialect is the PATCH dialect a provisioning job speaks, chosen by a flag
// in the Tenant URL's query string (reference §1, §4.4).
type Dialect string

// The two dialects.
const (
	// DialectDefault is what Entra sends without a flag: capitalised ops
	// (Add, Replace, Remove), one path per attribute, active as the
	// strings "True"/"False", group members removed with a value array.
	DialectDefault Dialect = "default"
	// DialectSCIM is what Entra sends with ?aadOptscim062020: lower-case
	// ops, one path-less replace whose value has dotted keys, boolean
	// active, members removed with members[value eq "id"].
	DialectSCIM Dialect = "aadOptscim062020"
)

// The Tenant URL flags of reference §1 (MS-COMPAT).
const (
	flagSCIMCompliant = "aadOptscim062020"
	flagPatch2017     = "AzureAdScimPatch2017"
)

// endpoint is a parsed Tenant URL: where requests go and which dialect they
// speak.
type endpoint struct {
	// base has no trailing slash and no behaviour flags; other query
	// parameters (rare) are kept and sent on every request.
	base    *url.URL
	dialect Dialect
}

// parseTenantURL reads a Tenant URL as the admin typed it, e.g.
// https://api.rudderstack.com/scim/v2/?aadOptscim062020.
//
// The flags are stripped from the URLs requests go to. The reference
// (§1, §13) found no public capture showing whether Entra forwards the
// flag on each request, so either choice is a guess; stripping it means a
// server that rejects unknown query parameters still works, and servers
// are told to ignore the flag if it does appear.
func parseTenantURL(raw string) (endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return endpoint{}, fmt.Errorf("Tenant URL is empty; enter the SCIM base URL, e.g. https://api.rudderstack.com/scim/v2: %w", ErrNotConfigured)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return endpoint{}, fmt.Errorf("Tenant URL %q is not an absolute http(s) URL like https://api.rudderstack.com/scim/v2: %w", raw, ErrNotConfigured)
	}
	ep := endpoint{dialect: DialectDefault}
	var kept []string
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		switch {
		case strings.EqualFold(name, flagSCIMCompliant):
			ep.dialect = DialectSCIM
		case strings.EqualFold(name, flagPatch2017):
			// The roll-back flag asks for the old behaviour, which is
			// already the default.
		default:
			kept = append(kept, part)
		}
	}
	base := *u
	base.RawQuery = strings.Join(kept, "&")
	base.Fragment = ""
	base.Path = strings.TrimRight(u.Path, "/")
	base.RawPath = ""
	ep.base = &base
	return ep, nil
}

// url returns the request URL for a resource path such as "/Users" or
// "/Users/{id}" (id already escaped) with query parameters. Query values
// are form-encoded as Entra sends them: spaces as "+", quotes as %22.
func (ep endpoint) url(path string, query url.Values) string {
	u := *ep.base
	u.Path = ep.base.Path + path
	q := query.Encode()
	if ep.base.RawQuery != "" {
		if q != "" {
			q += "&"
		}
		q += ep.base.RawQuery
	}
	u.RawQuery = q
	return u.String()
}
