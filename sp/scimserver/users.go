package scimserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/internal/scim/patch"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// createUser is POST /Users: 201 with the stored resource, or 409
// uniqueness when the userName (in any case) is taken, JIT users
// included. Concurrent creates of one userName make exactly one user: the
// account store's unique index decides.
func (s *server) createUser(w http.ResponseWriter, r *http.Request, c *caller) {
	data, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := decodeUser(s.users, data, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u := accounts.User{OrgID: c.org.ID, Role: accounts.RoleMember, Source: accounts.SourceSCIM, Active: true}
	if err := syncFields(&u, doc); err != nil {
		s.writeError(w, r, err)
		return
	}
	created, err := s.store.CreateUser(r.Context(), u)
	if err != nil {
		s.writeError(w, r, s.storeError(r.Context(), c, u.ID, u.UserName, err))
		return
	}
	s.writeUser(w, r, http.StatusCreated, created)
}

// getUser is GET /Users/{id}. A deactivated user is returned like any
// other, with active false. If-None-Match with the current version gives
// 304.
func (s *server) getUser(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	u, err := s.store.GetUser(r.Context(), c.org.ID, id)
	if err != nil {
		s.writeError(w, r, userLookupError(id, err))
		return
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, u.Version) {
		w.Header().Set("ETag", etag(u.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeUser(w, r, http.StatusOK, u)
}

// replaceUser is PUT /Users/{id}: the body replaces the document. An id in
// the body must be the URL's; an absent active keeps the user's state.
func (s *server) replaceUser(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	data, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := decodeUser(s.users, data, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var userName string
	u, err := s.store.UpdateUser(r.Context(), c.org.ID, id, func(u *accounts.User) error {
		if err := checkIfMatch(r, u.Version); err != nil {
			return err
		}
		userName = doc.UserName()
		return syncFields(u, doc.Clone())
	})
	if err != nil {
		s.writeError(w, r, s.storeError(r.Context(), c, id, userName, err))
		return
	}
	s.writeUser(w, r, http.StatusOK, u)
}

// patchUser is PATCH /Users/{id} in either of Entra's dialects (package
// patch): the operations apply to the user's current resource inside the
// account store's serialised update, so concurrent PATCHes lose nothing.
// The answer is 200 with the resource (Entra accepts 200 or 204; the body
// lets a client see the result). A PATCH that changes nothing writes
// nothing.
func (s *server) patchUser(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	data, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := scim.ParsePatchOp(data)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := checkPatchPaths(s.users, req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var unchanged accounts.User
	var userName string
	u, err := s.store.UpdateUser(r.Context(), c.org.ID, id, func(u *accounts.User) error {
		if err := checkIfMatch(r, u.Version); err != nil {
			return err
		}
		base, err := s.represent(*u)
		if err != nil {
			return err
		}
		next, changed, err := patch.Apply(s.users, base, req)
		if err != nil {
			return err
		}
		if !changed {
			unchanged = *u
			return errUnchanged
		}
		userName = next.UserName()
		if err := scim.CheckUserName(userName); err != nil {
			return err
		}
		return syncFields(u, next)
	})
	if errors.Is(err, errUnchanged) {
		u, err = unchanged, nil
	}
	if err != nil {
		s.writeError(w, r, s.storeError(r.Context(), c, id, userName, err))
		return
	}
	s.writeUser(w, r, http.StatusOK, u)
}

// writeUser sends one user with its ETag, and Location when created.
func (s *server) writeUser(w http.ResponseWriter, r *http.Request, status int, u accounts.User) {
	res, err := s.represent(u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(u.Version))
	if status == http.StatusCreated {
		w.Header().Set("Location", s.location(u.ID))
	}
	write(w, status, projection(r).Apply(res))
}

// storeError turns an account-store error into the SCIM error to send.
// id and userName say which user the request was about.
func (s *server) storeError(ctx context.Context, c *caller, id, userName string, err error) error {
	switch {
	case errors.Is(err, accounts.ErrUserExists):
		detail := fmt.Sprintf("A user with userName %q already exists in the organization (user names are compared ignoring case), so nothing was changed.", userName)
		if other, ferr := s.store.FindUserByUserName(ctx, c.org.ID, userName); ferr == nil {
			detail = fmt.Sprintf("A user with userName %q already exists in the organization as %q, id %s (user names are compared ignoring case), so nothing was changed.", userName, other.UserName, other.ID)
		}
		return scim.NewError(http.StatusConflict, scim.TypeUniqueness, detail+
			" Entra links to an existing user when its userName filter finds it; if these are different people, give one of them another userPrincipalName in Entra.")
	case errors.Is(err, accounts.ErrNotFound):
		return userLookupError(id, err)
	case errors.Is(err, accounts.ErrInvalid):
		return fmt.Errorf("%w: %v", scim.ErrInvalidValue, err)
	}
	return err
}

// userLookupError is the answer when a user can't be read: 404 for an id
// the organization doesn't have.
func userLookupError(id string, err error) error {
	if errors.Is(err, accounts.ErrNotFound) {
		return scim.NewError(http.StatusNotFound, "", fmt.Sprintf(
			"There is no user with id %q in this organization. Ids are the ones this server returned when it created or listed the user; to find a user by name, use GET /Users?filter=userName eq \"...\".", id))
	}
	return fmt.Errorf("read user %s: %w", id, err)
}

// checkIfMatch enforces an If-Match header (RFC 7644 §3.14): the write
// goes ahead only if the user is still at one of the listed versions.
func checkIfMatch(r *http.Request, version int64) error {
	im := r.Header.Get("If-Match")
	if im == "" || etagMatches(im, version) {
		return nil
	}
	return scim.NewError(http.StatusPreconditionFailed, "", fmt.Sprintf(
		"The user has changed since the version in If-Match (%s); it is now at %s. Read it again and retry, or send the request without If-Match.", im, etag(version)))
}

// etagMatches reports whether a list of entity tags (or "*") names the
// version, comparing weakly (RFC 9110 §8.8.3.2).
func etagMatches(list string, version int64) bool {
	want := strings.TrimPrefix(etag(version), "W/")
	for t := range strings.SplitSeq(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
