package scimserver

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

// represent is the User resource for an account: its stored SCIM
// document, or for an account SCIM never wrote (made by JIT sign-in or
// invited) one built from its fields, with id, meta and active added.
// active always comes from the account, which is what SAML sign-in obeys.
func (s *server) represent(u accounts.User) (scim.Resource, error) {
	var doc scim.Resource
	if u.SCIM != nil {
		var err error
		if doc, err = scim.DecodeResource(u.SCIM); err != nil {
			return nil, fmt.Errorf("stored SCIM document of user %s: %w", u.ID, err)
		}
	} else {
		doc = fromFields(u)
	}
	doc.Delete("id")
	doc.Delete("meta")
	doc["id"] = u.ID
	doc.Set("active", u.Active)
	doc["meta"] = map[string]any{
		"resourceType": "User",
		"created":      formatTime(u.CreatedAt),
		"lastModified": formatTime(u.UpdatedAt),
		"location":     s.location(u.ID),
		"version":      etag(u.Version),
	}
	return doc, nil
}

// fromFields builds the document of an account SCIM never wrote, in the
// shape Entra's POST has, so Entra's comparison finds only real
// differences.
func fromFields(u accounts.User) scim.Resource {
	doc := scim.Resource{
		"schemas":  []any{scim.SchemaUser},
		"userName": u.UserName,
	}
	if u.ExternalID != "" {
		doc["externalId"] = u.ExternalID
	}
	if u.DisplayName != "" {
		doc["displayName"] = u.DisplayName
	}
	name := map[string]any{}
	if u.GivenName != "" {
		name["givenName"] = u.GivenName
	}
	if u.FamilyName != "" {
		name["familyName"] = u.FamilyName
	}
	if len(name) > 0 {
		doc["name"] = name
	}
	if u.Email != "" {
		doc["emails"] = []any{map[string]any{"value": u.Email, "type": "work", "primary": true}}
	}
	return doc
}

// syncFields copies the document's userName, externalId, active, e-mail,
// given and family name and display name into the account's fields and
// stores the document, without id and meta, as the account's SCIM
// document. An absent active leaves the account's as it is.
func syncFields(u *accounts.User, doc scim.Resource) error {
	doc.Delete("id")
	doc.Delete("meta")
	u.UserName = doc.UserName()
	u.ExternalID = doc.ExternalID()
	if active, ok := doc.Active(); ok {
		u.Active = active
	}
	u.Email = email(doc)
	name, _ := doc.Get("name")
	u.GivenName = subString(name, "givenName")
	u.FamilyName = subString(name, "familyName")
	u.DisplayName = doc.DisplayName()
	data, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode SCIM document: %w", err)
	}
	u.SCIM = data
	return nil
}

// email picks the address the SP knows a user by: the primary one, else
// the first of type work, else the first.
func email(doc scim.Resource) string {
	v, _ := doc.Get("emails")
	list, _ := v.([]any)
	var work, first string
	for _, e := range list {
		value := subString(e, "value")
		if value == "" {
			continue
		}
		m := e.(map[string]any)
		if k, ok := scim.FindKey(m, "primary"); ok && m[k] == true {
			return value
		}
		if work == "" && strings.EqualFold(subString(e, "type"), "work") {
			work = value
		}
		if first == "" {
			first = value
		}
	}
	if work != "" {
		return work
	}
	return first
}

// subString returns the string sub-attribute name of a complex value, or
// "".
func subString(v any, name string) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	k, ok := scim.FindKey(m, name)
	if !ok {
		return ""
	}
	s, _ := m[k].(string)
	return s
}

func (s *server) location(id string) string { return s.base + "/Users/" + id }

// etag is the weak entity tag of an account version, used in meta.version
// and the ETag header.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
