package scim

import "time"

// User is a typed view of a User resource with the enterprise extension,
// for code that builds a request body or reads a response field by field.
// Convert with ToResource and Resource.Decode. Empty fields are omitted;
// slices are omitted only when nil, so Roles: []Role{} sends "roles": [] as
// Entra does.
type User struct {
	Schemas           []string        `json:"schemas,omitzero"`
	ID                string          `json:"id,omitzero"`
	ExternalID        string          `json:"externalId,omitzero"`
	UserName          string          `json:"userName,omitzero"`
	Active            *bool           `json:"active,omitzero"`
	DisplayName       string          `json:"displayName,omitzero"`
	NickName          string          `json:"nickName,omitzero"`
	Title             string          `json:"title,omitzero"`
	UserType          string          `json:"userType,omitzero"`
	PreferredLanguage string          `json:"preferredLanguage,omitzero"`
	Locale            string          `json:"locale,omitzero"`
	Timezone          string          `json:"timezone,omitzero"`
	Name              *Name           `json:"name,omitzero"`
	Emails            []MultiValue    `json:"emails,omitzero"`
	PhoneNumbers      []MultiValue    `json:"phoneNumbers,omitzero"`
	Addresses         []Address       `json:"addresses,omitzero"`
	Roles             []MultiValue    `json:"roles,omitzero"`
	Enterprise        *EnterpriseUser `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitzero"`
	Meta              *Meta           `json:"meta,omitzero"`
}

// Name is a user's name (RFC 7643 §4.1.1).
type Name struct {
	Formatted       string `json:"formatted,omitzero"`
	FamilyName      string `json:"familyName,omitzero"`
	GivenName       string `json:"givenName,omitzero"`
	MiddleName      string `json:"middleName,omitzero"`
	HonorificPrefix string `json:"honorificPrefix,omitzero"`
	HonorificSuffix string `json:"honorificSuffix,omitzero"`
}

// MultiValue is one entry of emails, phoneNumbers or roles (RFC 7643
// §2.4): a value with an optional type, display name and primary flag.
type MultiValue struct {
	Value   string `json:"value,omitzero"`
	Display string `json:"display,omitzero"`
	Type    string `json:"type,omitzero"`
	Primary bool   `json:"primary,omitzero"`
}

// Address is one entry of addresses (RFC 7643 §4.1.2).
type Address struct {
	Formatted     string `json:"formatted,omitzero"`
	StreetAddress string `json:"streetAddress,omitzero"`
	Locality      string `json:"locality,omitzero"`
	Region        string `json:"region,omitzero"`
	PostalCode    string `json:"postalCode,omitzero"`
	Country       string `json:"country,omitzero"`
	Type          string `json:"type,omitzero"`
	Primary       bool   `json:"primary,omitzero"`
}

// EnterpriseUser holds the enterprise extension's attributes (RFC 7643
// §4.3).
type EnterpriseUser struct {
	EmployeeNumber string   `json:"employeeNumber,omitzero"`
	CostCenter     string   `json:"costCenter,omitzero"`
	Organization   string   `json:"organization,omitzero"`
	Division       string   `json:"division,omitzero"`
	Department     string   `json:"department,omitzero"`
	Manager        *Manager `json:"manager,omitzero"`
}

// Manager references a user's manager by the manager's SCIM id.
type Manager struct {
	Value       string `json:"value,omitzero"`
	Ref         string `json:"$ref,omitzero"`
	DisplayName string `json:"displayName,omitzero"`
}

// Group is a typed view of a Group resource (RFC 7643 §4.2).
type Group struct {
	Schemas     []string `json:"schemas,omitzero"`
	ID          string   `json:"id,omitzero"`
	ExternalID  string   `json:"externalId,omitzero"`
	DisplayName string   `json:"displayName,omitzero"`
	Members     []Member `json:"members,omitzero"`
	Meta        *Meta    `json:"meta,omitzero"`
}

// Member is one member of a group: the member's SCIM id in Value.
type Member struct {
	Value   string `json:"value,omitzero"`
	Ref     string `json:"$ref,omitzero"`
	Display string `json:"display,omitzero"`
	Type    string `json:"type,omitzero"`
}

// Meta is a resource's metadata (RFC 7643 §3.1), set by the server.
type Meta struct {
	ResourceType string    `json:"resourceType,omitzero"`
	Created      time.Time `json:"created,omitzero"`
	LastModified time.Time `json:"lastModified,omitzero"`
	Location     string    `json:"location,omitzero"`
	Version      string    `json:"version,omitzero"`
}
