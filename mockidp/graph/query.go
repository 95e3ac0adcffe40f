package graph

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// entitySet describes a collection for the query options: which
// properties exist, which are returned by default, which may be filtered
// and with what, and how it may be sorted.
type entitySet struct {
	// name is the path segment, e.g. "users".
	name string
	// typeName is the OData type, e.g. "microsoft.graph.user".
	typeName string
	// resource is the name Graph's directory errors use, e.g. "User".
	resource string
	// properties lists every property, in Graph's order.
	properties []string
	// defaults are the properties returned without $select; nil means all.
	defaults []string
	// filters maps a filterable property (or a path like status/errorCode)
	// to the operators it supports.
	filters map[string][]string
	// orderBy lists the properties $orderby accepts.
	orderBy []string
	// maxTop is the largest $top; defaultTop the page size without one.
	maxTop, defaultTop int
	// countNeedsEventual says $count needs "ConsistencyLevel: eventual",
	// as on directory objects.
	countNeedsEventual bool
}

// listQuery is a parsed collection request.
type listQuery struct {
	filter  filterExpr
	selects []string
	top     int
	offset  int
	orderBy string
	desc    bool
	count   bool
}

// parseList reads the system query options of a collection GET. Options
// the mock does not implement are refused as Graph refuses what it does
// not support.
func parseList(r *http.Request, set entitySet) (listQuery, *apiError) {
	q := listQuery{top: set.defaultTop}
	eventual := strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual")
	raw, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return q, &apiError{http.StatusBadRequest, "BadRequest", "The query specified in the URI is not valid: " + err.Error(), nil}
	}
	for key, vals := range raw {
		name := strings.ToLower(key)
		if !strings.HasPrefix(name, "$") {
			// OData ignores custom query options.
			continue
		}
		if len(vals) > 1 {
			return q, &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Query option '%s' was specified more than once, but it must be specified at most once.", key), nil}
		}
		v := vals[0]
		switch name {
		case "$select":
			for _, p := range strings.Split(v, ",") {
				p = strings.TrimSpace(p)
				i := slices.IndexFunc(set.properties, func(s string) bool { return strings.EqualFold(s, p) })
				if i < 0 {
					return q, &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Could not find a property named '%s' on type '%s'.", p, set.typeName), nil}
				}
				q.selects = append(q.selects, set.properties[i])
			}
		case "$filter":
			f, e := parseFilter(v, set)
			if e != nil {
				return q, e
			}
			q.filter = f
		case "$top":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > set.maxTop {
				// Graph's code here is Request_UnsupportedQuery, as recorded
				// answers quote it ("… Must be between 1 and 999 inclusive.").
				return q, unsupportedQuery(fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", v, set.maxTop))
			}
			q.top = n
		case "$skiptoken":
			n, ok := openSkipToken(v)
			if !ok {
				return q, &apiError{http.StatusBadRequest, codeExpiredPageToken, "The specified page token value has expired and can no longer be included in your request.", nil}
			}
			q.offset = n
		case "$orderby":
			prop, dir, _ := strings.Cut(strings.TrimSpace(v), " ")
			dir = strings.ToLower(strings.TrimSpace(dir))
			i := slices.IndexFunc(set.orderBy, func(s string) bool { return strings.EqualFold(s, prop) })
			if i < 0 || (dir != "" && dir != "asc" && dir != "desc") {
				return q, unsupportedQuery("Sorting not supported for current query.")
			}
			q.orderBy, q.desc = set.orderBy[i], dir == "desc"
		case "$count":
			if set.countNeedsEventual && !eventual {
				return q, badRequest("$count is not currently supported.")
			}
			if v != "true" && v != "false" {
				return q, &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("'%s' is not a valid count option.", v), nil}
			}
			q.count = v == "true"
		case "$skip":
			return q, badRequest("'$skip' is not supported by the service.")
		case "$search":
			if !eventual {
				return q, unsupportedQuery("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
			}
			return q, unsupportedQuery("$search is not supported by ssowiz's mock Graph; use $filter=startswith(displayName,'...') instead.")
		case "$expand":
			return q, badRequest(fmt.Sprintf("$expand is not supported by ssowiz's mock Graph on %s; read the related objects with their own request.", set.name))
		default:
			return q, &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Query option '%s' is not supported.", key), nil}
		}
	}
	if q.filter != nil && q.orderBy != "" && set.countNeedsEventual && !eventual {
		return q, unsupportedQuery("Sorting not supported for current query.")
	}
	return q, nil
}

// parseSelect reads $select on a single-object GET; other system options
// are refused.
func parseSelect(r *http.Request, set entitySet) ([]string, *apiError) {
	for key := range r.URL.Query() {
		if k := strings.ToLower(key); strings.HasPrefix(k, "$") && k != "$select" {
			return nil, &apiError{http.StatusBadRequest, "BadRequest", fmt.Sprintf("Query option '%s' is not supported on a single %s by ssowiz's mock Graph.", key, set.resource), nil}
		}
	}
	q, e := parseList(r, set)
	return q.selects, e
}

// page applies the query to the whole collection and writes Graph's
// answer: @odata.context, value, and @odata.nextLink when more remain.
func (s *Server) page(w http.ResponseWriter, r *http.Request, set entitySet, q listQuery, all []object) {
	var kept []object
	for _, o := range all {
		if q.filter == nil || q.filter.eval(o) {
			kept = append(kept, o)
		}
	}
	if q.orderBy != "" {
		sort.SliceStable(kept, func(i, j int) bool {
			a, _ := kept[i].get(q.orderBy)
			b, _ := kept[j].get(q.orderBy)
			less := strings.ToLower(fmt.Sprint(a)) < strings.ToLower(fmt.Sprint(b))
			if q.desc {
				return strings.ToLower(fmt.Sprint(b)) < strings.ToLower(fmt.Sprint(a))
			}
			return less
		})
	}
	total := len(kept)
	if q.offset > len(kept) {
		q.offset = len(kept)
	}
	kept = kept[q.offset:]
	more := len(kept) > q.top
	if more {
		kept = kept[:q.top]
	}
	values := make([]object, len(kept))
	for i, o := range kept {
		values[i] = s.shape(o, set, q.selects)
	}
	ctx := s.graph + "/$metadata#" + set.name
	if len(q.selects) > 0 {
		ctx += "(" + strings.Join(q.selects, ",") + ")"
	}
	out := object{{"@odata.context", ctx}}
	if q.count {
		out = append(out, field{"@odata.count", total})
	}
	if more {
		out = append(out, field{"@odata.nextLink", s.nextLink(r, sealSkipToken(q.offset+q.top))})
	}
	out = append(out, field{"value", values})
	s.writeOData(w, r, http.StatusOK, out)
}

// shape keeps the selected properties, or the defaults.
func (s *Server) shape(o object, set entitySet, selects []string) object {
	switch {
	case len(selects) > 0:
		return o.pick(selects)
	case set.defaults != nil:
		return o.pick(set.defaults)
	}
	return o
}

// nextLink is the request's own URL on GraphURL with its query options as
// the client wrote them and the next page's $skiptoken last, as Graph's
// links are.
func (s *Server) nextLink(r *http.Request, token string) string {
	var parts []string
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		if p != "" && !strings.HasPrefix(strings.ToLower(p), "$skiptoken=") && !strings.HasPrefix(strings.ToLower(p), "%24skiptoken=") {
			parts = append(parts, p)
		}
	}
	parts = append(parts, "$skiptoken="+token)
	path := sentPath(r)
	if i := strings.Index(strings.ToLower(path), strings.ToLower(s.graphURL.Path)+"/"); i >= 0 {
		path = path[i+len(s.graphURL.Path):]
	}
	return s.graph + path + "?" + strings.Join(parts, "&")
}

// Skip tokens are opaque to clients; here they carry the offset.
const skipTokenPrefix = "ssowiz1:"

func sealSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(skipTokenPrefix + strconv.Itoa(offset)))
}

func openSkipToken(tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), skipTokenPrefix) {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), skipTokenPrefix))
	return n, err == nil && n >= 0
}

// graphTime is Graph's DateTimeOffset form.
func graphTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
