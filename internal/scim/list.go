package scim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Page is the window of a query's results a client asked for, after the
// clamping rules of RFC 7644 §3.4.2.4.
type Page struct {
	// StartIndex is the 1-based index of the first result, at least 1.
	StartIndex int
	// Count is the most results to return, from 0 (only totalResults) to
	// the server's maximum.
	Count int
}

// ParsePage reads startIndex and count from a query string. Absent values
// default to 1 and defaultCount; startIndex below 1 is read as 1 and a
// negative count as 0 (RFC 7644 §3.4.2.4); a count above maxCount is
// lowered to maxCount. A value that is not an integer is an error wrapping
// ErrInvalidValue.
func ParsePage(q url.Values, defaultCount, maxCount int) (Page, error) {
	p := Page{StartIndex: 1, Count: defaultCount}
	if s := pageParam(q, "startIndex"); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return Page{}, fmt.Errorf("%w: startIndex must be an integer (1 for the first result), got %q", ErrInvalidValue, s)
		}
		p.StartIndex = max(n, 1)
	}
	if s := pageParam(q, "count"); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return Page{}, fmt.Errorf("%w: count must be an integer (the page size), got %q", ErrInvalidValue, s)
		}
		p.Count = max(n, 0)
	}
	p.Count = min(p.Count, maxCount)
	return p, nil
}

// pageParam reads a query parameter whose name ignores case, as SCIM
// parameter names do (Entra sends startIndex; some clients StartIndex).
func pageParam(q url.Values, name string) string {
	if v, ok := q[name]; ok && len(v) > 0 {
		return v[0]
	}
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// Offset is the 0-based offset of the first result, for SQL OFFSET.
func (p Page) Offset() int { return p.StartIndex - 1 }

// Window returns the half-open range [lo, hi) of a full result list of
// length total that this page covers.
func (p Page) Window(total int) (lo, hi int) {
	lo = min(p.Offset(), total)
	hi = min(lo+p.Count, total)
	return lo, hi
}

// ListResponse is the answer to a query (RFC 7644 §3.4.2). It marshals
// with the ListResponse schema, startIndex and itemsPerPage, and with
// Resources as [] (never null) when empty, as Entra's Test Connection
// expects.
type ListResponse struct {
	// TotalResults is the number of matches across all pages.
	TotalResults int
	// StartIndex is the 1-based index of the first resource in this page.
	StartIndex int
	// ItemsPerPage is the number of resources in this page.
	ItemsPerPage int
	// Resources are this page's resources.
	Resources []Resource
}

// NewListResponse builds the response for one page of a query whose
// matches number total.
func NewListResponse(total int, page Page, resources []Resource) *ListResponse {
	if resources == nil {
		resources = []Resource{}
	}
	return &ListResponse{
		TotalResults: total,
		StartIndex:   page.StartIndex,
		ItemsPerPage: len(resources),
		Resources:    resources,
	}
}

type wireList struct {
	Schemas      []string          `json:"schemas"`
	TotalResults *json.Number      `json:"totalResults"`
	StartIndex   *json.Number      `json:"startIndex,omitempty"`
	ItemsPerPage *json.Number      `json:"itemsPerPage,omitempty"`
	Resources    []json.RawMessage `json:"Resources"`
}

// MarshalJSON writes the RFC 7644 §3.4.2 body.
func (l *ListResponse) MarshalJSON() ([]byte, error) {
	res := l.Resources
	if res == nil {
		res = []Resource{}
	}
	start := max(l.StartIndex, 1)
	return json.Marshal(struct {
		Schemas      []string   `json:"schemas"`
		TotalResults int        `json:"totalResults"`
		StartIndex   int        `json:"startIndex"`
		ItemsPerPage int        `json:"itemsPerPage"`
		Resources    []Resource `json:"Resources"`
	}{[]string{SchemaListResponse}, l.TotalResults, start, l.ItemsPerPage, res})
}

// ParseListResponse reads a ListResponse received from a server, checking
// what a client needs to trust it: the ListResponse schema, an integer
// totalResults, and Resources present (as objects) whenever totalResults
// is not 0. Failures wrap ErrMalformedResponse and say what was wrong.
func ParseListResponse(data []byte) (*ListResponse, error) {
	var w wireList
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: the body is not a JSON ListResponse object: %v", ErrMalformedResponse, err)
	}
	if !containsFold(w.Schemas, SchemaListResponse) {
		return nil, fmt.Errorf("%w: schemas does not list %s", ErrMalformedResponse, SchemaListResponse)
	}
	if w.TotalResults == nil {
		return nil, fmt.Errorf("%w: totalResults is missing", ErrMalformedResponse)
	}
	l := &ListResponse{}
	var err error
	if l.TotalResults, err = intField("totalResults", w.TotalResults); err != nil {
		return nil, err
	}
	if l.StartIndex, err = intField("startIndex", w.StartIndex); err != nil {
		return nil, err
	}
	if l.ItemsPerPage, err = intField("itemsPerPage", w.ItemsPerPage); err != nil {
		return nil, err
	}
	if w.Resources == nil && l.TotalResults != 0 {
		return nil, fmt.Errorf("%w: totalResults is %d but Resources is missing", ErrMalformedResponse, l.TotalResults)
	}
	l.Resources = make([]Resource, 0, len(w.Resources))
	for i, raw := range w.Resources {
		r, err := DecodeResource(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: Resources[%d]: %v", ErrMalformedResponse, i, err)
		}
		l.Resources = append(l.Resources, r)
	}
	return l, nil
}

func intField(name string, n *json.Number) (int, error) {
	if n == nil {
		return 0, nil
	}
	v, err := strconv.Atoi(n.String())
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%w: %s must be a non-negative integer, got %s", ErrMalformedResponse, name, n)
	}
	return v, nil
}
