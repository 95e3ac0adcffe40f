package scimserver

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/filter"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// scanBatch is how many accounts a filter the index can't answer reads at
// a time.
const scanBatch = 500

// listUsers is GET /Users, with an optional filter and startIndex/count
// paging. A filter with no match is 200 with an empty ListResponse: that is
// Entra's Test Connection. Equality on userName (ignoring case) or
// externalId is answered from the account store's indexes, so its cost
// does not grow with the number of users; any other filter is evaluated on
// every user. Deactivated users are listed like the others.
func (s *server) listUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	page, err := scim.ParsePage(q, s.maxResults, s.maxResults)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var list *scim.ListResponse
	if text, ok := param(q, "filter"); ok {
		list, err = s.filterUsers(r, c, text, page)
	} else {
		list, err = s.allUsers(r, c, page)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Filtering and paging saw whole resources; only the answer is
	// projected.
	if p := projection(r); !p.IsZero() {
		for i, res := range list.Resources {
			list.Resources[i] = p.Apply(res)
		}
	}
	write(w, http.StatusOK, list)
}

// projection is the request's attributes or excludedAttributes. route
// has already refused a request with both, so the error is not possible
// here.
func projection(r *http.Request) scim.Projection {
	p, _ := scim.ParseProjection(r.URL.Query())
	return p
}

// allUsers pages through the organization's users in creation order.
func (s *server) allUsers(r *http.Request, c *caller, page scim.Page) (*scim.ListResponse, error) {
	// accounts reads Limit 0 as "no limit"; count=0 asks for none.
	limit := max(page.Count, 1)
	users, total, err := s.store.FindUsers(r.Context(), c.org.ID, accounts.UserQuery{Offset: page.Offset(), Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	if page.Count == 0 {
		users = nil
	}
	resources := make([]scim.Resource, 0, len(users))
	for _, u := range users {
		res, err := s.represent(u)
		if err != nil {
			return nil, err
		}
		resources = append(resources, res)
	}
	return scim.NewListResponse(total, page, resources), nil
}

// filterUsers answers a filter: candidates from an index when the filter
// requires userName or externalId to equal a string, else every user; each
// candidate's resource then goes through the filter.
func (s *server) filterUsers(r *http.Request, c *caller, text string, page scim.Page) (*scim.ListResponse, error) {
	f, err := filter.New(text, s.users)
	if err != nil {
		return nil, err // wraps scim.ErrInvalidFilter
	}
	var total int
	var resources []scim.Resource
	lo, hi := page.Offset(), page.Offset()+page.Count
	take := func(users []accounts.User) error {
		for _, u := range users {
			res, err := s.represent(u)
			if err != nil {
				return err
			}
			if !f.Match(res) {
				continue
			}
			if total >= lo && total < hi {
				resources = append(resources, res)
			}
			total++
		}
		return nil
	}
	if uq, ok := indexQuery(f); ok {
		users, _, err := s.store.FindUsers(r.Context(), c.org.ID, uq)
		if err != nil {
			return nil, fmt.Errorf("find users: %w", err)
		}
		if err := take(users); err != nil {
			return nil, err
		}
		return scim.NewListResponse(total, page, resources), nil
	}
	for offset := 0; ; offset += scanBatch {
		users, _, err := s.store.FindUsers(r.Context(), c.org.ID, accounts.UserQuery{Offset: offset, Limit: scanBatch})
		if err != nil {
			return nil, fmt.Errorf("scan users: %w", err)
		}
		if err := take(users); err != nil {
			return nil, err
		}
		if len(users) < scanBatch {
			break
		}
	}
	return scim.NewListResponse(total, page, resources), nil
}

// indexQuery turns the filter's top-level string equalities on userName
// and externalId into an indexed account query. ok is false when there
// are none.
func indexQuery(f *filter.Filter) (accounts.UserQuery, bool) {
	var q accounts.UserQuery
	for _, t := range f.Terms() {
		v, isStr := t.Value.(string)
		if !isStr {
			continue
		}
		switch {
		case t.Attr == "userName" && !q.HasUserName:
			q.UserName, q.HasUserName = v, true
		case t.Attr == "externalId" && !q.HasExternalID:
			q.ExternalID, q.HasExternalID = v, true
		}
	}
	return q, q.HasUserName || q.HasExternalID
}

// param reads a query parameter whose name ignores case, as SCIM's do.
func param(q url.Values, name string) (string, bool) {
	if v, ok := q[name]; ok && len(v) > 0 {
		return v[0], true
	}
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}
