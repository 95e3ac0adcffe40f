// Package entra holds Microsoft Entra ID's vocabulary that both the mock
// tenant (mockidp/directory) and the setup plan (internal/setup) speak, so
// the two can't disagree on what a value means.
package entra

import "strings"

// SourceAttribute is a user attribute a SAML claim or the Name ID can be
// sourced from.
type SourceAttribute struct {
	// Name is what the portal shows and stores, e.g. "user.mail".
	Name string
	// Graph is the user attribute it reads, e.g. "mail".
	Graph string
}

// SourceAttributes lists the source attributes, in the order the portal
// lists them. It is the subset of Entra's list that the mock directory
// stores.
func SourceAttributes() []SourceAttribute {
	return []SourceAttribute{
		{"user.city", "city"},
		{"user.country", "country"},
		{"user.department", "department"},
		{"user.displayname", "displayName"},
		{"user.employeeid", "employeeId"},
		{"user.facsimiletelephonenumber", "facsimileTelephoneNumber"},
		{"user.givenname", "givenName"},
		{"user.jobtitle", "jobTitle"},
		{"user.mail", "mail"},
		{"user.mailnickname", "mailNickname"},
		{"user.mobilephone", "mobilePhone"},
		{"user.objectid", "id"},
		{"user.physicaldeliveryofficename", "officeLocation"},
		{"user.postalcode", "postalCode"},
		{"user.preferredlanguage", "preferredLanguage"},
		{"user.state", "state"},
		{"user.streetaddress", "streetAddress"},
		{"user.surname", "surname"},
		{"user.telephonenumber", "businessPhones"},
		{"user.userprincipalname", "userPrincipalName"},
	}
}

// SourceAttributeNames returns the Name of every source attribute.
func SourceAttributeNames() []string {
	attrs := SourceAttributes()
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.Name
	}
	return names
}

// IsSourceAttribute reports whether name (any case, as the portal
// accepts) is a source attribute.
func IsSourceAttribute(name string) bool {
	name = strings.ToLower(name)
	for _, a := range SourceAttributes() {
		if a.Name == name {
			return true
		}
	}
	return false
}
