package scimserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// readBody checks a request body's media type and size and reads it.
// Entra sends application/scim+json; charset=utf-8; application/json is
// accepted too. A wrong media type is 415, a body over the limit 413.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := scim.CheckContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, scim.NewError(http.StatusRequestEntityTooLarge, "", fmt.Sprintf(
				"The request body is larger than this server's limit of %d bytes (see ServiceProviderConfig); nothing was stored. A SCIM User is a few kilobytes: check what the client is sending.", mbe.Limit))
		}
		return nil, fmt.Errorf("%w: the request body could not be read: %v", scim.ErrInvalidSyntax, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the request body is empty; send the SCIM message as JSON", scim.ErrInvalidSyntax)
	}
	return data, nil
}

// decodeUser turns a POST or PUT body into the User document to store:
// valid JSON, an object, no password, schemas present and listing the User schema,
// every known attribute of its schema type (Entra's "True"/"False" become
// booleans, a bare manager id {"value": id}), a non-blank userName.
// Read-only attributes (id, meta, groups) are dropped, as RFC 7643 §7
// says, except that a PUT's id (urlID non-empty) must be the URL's: a
// different one is 400 mutability. Attributes the schema does not know are
// kept exactly as sent.
func decodeUser(rt *scim.ResourceType, data []byte, urlID string) (scim.Resource, error) {
	doc, err := scim.DecodeResource(data)
	if err != nil {
		return nil, err
	}
	if v, ok := doc.Get("id"); ok && urlID != "" && v != nil && v != urlID {
		return nil, fmt.Errorf("%w: id is assigned by the service provider and cannot be changed: the body's id (%s) is not the URL's %q; send the body to its own URL, or leave id out", scim.ErrMutability, describeID(v), urlID)
	}
	if v, ok := doc.Get("password"); ok && !scim.IsUnassigned(v) {
		return nil, errPassword
	}
	if err := rt.NormalizeRequest(doc); err != nil {
		return nil, err
	}
	if _, ok := doc.Get("schemas"); !ok {
		// RFC 7643 §3: schemas is required in every representation; a
		// body without it is not known to be a User at all.
		return nil, fmt.Errorf("%w: the body has no schemas attribute; a User must say what it is: add \"schemas\": [%q] (RFC 7643 §3)", scim.ErrInvalidValue, scim.SchemaUser)
	} else if !doc.HasSchema(scim.SchemaUser) {
		return nil, fmt.Errorf("%w: schemas must list %s for a User", scim.ErrInvalidValue, scim.SchemaUser)
	}
	if err := scim.CheckUserName(doc.UserName()); err != nil {
		return nil, err
	}
	return doc, nil
}

// describeID names a body's id for an error without echoing a long or
// structured value.
func describeID(v any) string {
	if s, ok := v.(string); ok && len(s) <= 64 {
		return fmt.Sprintf("%q", s)
	}
	return "a long or non-string value"
}
