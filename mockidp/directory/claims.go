package directory

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/internal/entra"
)

// NameIDFormat is the "Name identifier format" of the Unique User
// Identifier (Name ID) claim, stored as the SAML URI it puts on the wire
// ("Default" has none of its own).
type NameIDFormat string

// The Name ID formats. The portal offers all but Transient, which only an
// AuthnRequest's NameIDPolicy can ask for.
const (
	NameIDDefault                    NameIDFormat = "Default"
	NameIDEmailAddress               NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	NameIDPersistent                 NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	NameIDUnspecified                NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	NameIDWindowsDomainQualifiedName NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName"
	NameIDTransient                  NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
)

// Label is the format's name in the portal's "Name identifier format" list.
func (f NameIDFormat) Label() string {
	switch f {
	case NameIDDefault:
		return "Default"
	case NameIDEmailAddress:
		return "Email address"
	case NameIDPersistent:
		return "Persistent"
	case NameIDUnspecified:
		return "Unspecified"
	case NameIDWindowsDomainQualifiedName:
		return "Windows domain qualified name"
	case NameIDTransient:
		return "Transient"
	}
	return string(f)
}

// NameIDFormats lists the formats the portal offers, in its order.
func NameIDFormats() []NameIDFormat {
	return []NameIDFormat{NameIDDefault, NameIDEmailAddress, NameIDPersistent, NameIDUnspecified, NameIDWindowsDomainQualifiedName}
}

// SourceAttribute is one entry of the portal's "Source attribute" list for
// claims and the Name ID.
// SourceAttribute is a user attribute a claim or the Name ID can be
// sourced from.
type SourceAttribute = entra.SourceAttribute

// SourceAttributes lists the user attributes a claim or the Name ID can be
// sourced from, in the order the portal lists them: the subset of Entra's
// list that this directory stores.
func SourceAttributes() []SourceAttribute { return entra.SourceAttributes() }

// Attribute returns the user's value for a source attribute such as
// "user.mail" (any case); ok is false for an unknown source. An empty value
// means the user has none, and Entra then omits the claim.
func (u User) Attribute(source string) (value string, ok bool) {
	switch strings.ToLower(source) {
	case "user.city":
		return u.City, true
	case "user.country":
		return u.Country, true
	case "user.department":
		return u.Department, true
	case "user.displayname":
		return u.DisplayName, true
	case "user.employeeid":
		return u.EmployeeID, true
	case "user.facsimiletelephonenumber":
		return u.FacsimileTelephoneNumber, true
	case "user.givenname":
		return u.GivenName, true
	case "user.jobtitle":
		return u.JobTitle, true
	case "user.mail":
		return u.Mail, true
	case "user.mailnickname":
		return u.MailNickname, true
	case "user.mobilephone":
		return u.Mobile, true
	case "user.objectid":
		return u.ObjectID, true
	case "user.physicaldeliveryofficename":
		return u.OfficeLocation, true
	case "user.postalcode":
		return u.PostalCode, true
	case "user.preferredlanguage":
		return u.PreferredLanguage, true
	case "user.state":
		return u.State, true
	case "user.streetaddress":
		return u.StreetAddress, true
	case "user.surname":
		return u.Surname, true
	case "user.telephonenumber":
		return u.TelephoneNumber, true
	case "user.userprincipalname":
		return u.UserPrincipalName, true
	}
	return "", false
}

func knownSource(s string) bool {
	_, ok := User{}.Attribute(s)
	return ok
}

// Claim is one of "Additional claims" on the Attributes & Claims page.
type Claim struct {
	// Name is the claim name, e.g. "Email" or "emailaddress".
	Name string
	// Namespace is optional; empty puts the bare Name on the wire.
	Namespace string
	// Source is the source attribute, e.g. "user.mail".
	Source string
}

// WireName is the SAML Attribute Name: "<Namespace>/<Name>", or the bare
// Name when Namespace is empty.
func (c Claim) WireName() string {
	if c.Namespace == "" {
		return c.Name
	}
	return strings.TrimRight(c.Namespace, "/") + "/" + c.Name
}

// NameIDConfig is the "Unique User Identifier (Name ID)" claim.
type NameIDConfig struct {
	// Source is the source attribute, e.g. "user.userprincipalname".
	Source string
	// Format is the name identifier format.
	Format NameIDFormat
}

// The namespace of the default claims of a new non-gallery app.
const wsIdentityClaims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"

// DefaultClaims are the Additional claims a new non-gallery app starts
// with, in the portal's order.
func DefaultClaims() []Claim {
	return []Claim{
		{Name: "givenname", Namespace: wsIdentityClaims, Source: "user.givenname"},
		{Name: "surname", Namespace: wsIdentityClaims, Source: "user.surname"},
		{Name: "emailaddress", Namespace: wsIdentityClaims, Source: "user.mail"},
		{Name: "name", Namespace: wsIdentityClaims, Source: "user.userprincipalname"},
	}
}

// DefaultNameID is a new app's Unique User Identifier: the UPN as an
// email address.
func DefaultNameID() NameIDConfig {
	return NameIDConfig{Source: "user.userprincipalname", Format: NameIDEmailAddress}
}

// FixedClaims are the claims Entra always sends first, whatever the
// Additional claims say; they cannot be configured.
func FixedClaims() []string {
	return []string{
		"http://schemas.microsoft.com/identity/claims/tenantid",
		"http://schemas.microsoft.com/identity/claims/objectidentifier",
		"http://schemas.microsoft.com/identity/claims/displayname",
		"http://schemas.microsoft.com/identity/claims/identityprovider",
		"http://schemas.microsoft.com/claims/authnmethodsreferences",
	}
}

func validateNameID(n NameIDConfig) []error {
	var errs []error
	if !knownSource(n.Source) {
		errs = append(errs, invalid("Source attribute", fmt.Sprintf("%q is not a user attribute the Unique User Identifier can use; pick one such as user.userprincipalname or user.mail", n.Source)))
	}
	okFormat := false
	for _, f := range NameIDFormats() {
		if n.Format == f {
			okFormat = true
		}
	}
	if !okFormat {
		errs = append(errs, invalid("Name identifier format", fmt.Sprintf("%q is not one of Default, Email address, Persistent, Unspecified, Windows domain qualified name", n.Format)))
	}
	return errs
}

func validateClaims(claims []Claim) []error {
	var errs []error
	seen := map[string]bool{}
	fixed := map[string]bool{}
	for _, f := range FixedClaims() {
		fixed[f] = true
	}
	for i, c := range claims {
		at := fmt.Sprintf(" (claim %d)", i+1)
		if c.Name == "" {
			errs = append(errs, invalid("Name", "is required"+at))
			continue
		}
		if strings.ContainsAny(c.Name, " \t\"<>") {
			errs = append(errs, invalid("Name", fmt.Sprintf("%q must not contain spaces, quotes or angle brackets", c.Name)))
		}
		if c.Namespace != "" {
			if u, err := url.Parse(c.Namespace); err != nil || u.Scheme == "" {
				errs = append(errs, invalid("Namespace", fmt.Sprintf("%q of claim %q must be a URI such as %s, or empty", c.Namespace, c.Name, wsIdentityClaims)))
			}
		}
		if !knownSource(c.Source) {
			errs = append(errs, invalid("Source attribute", fmt.Sprintf("%q of claim %q is not a user attribute; pick one such as user.mail or user.displayname", c.Source, c.Name)))
		}
		w := c.WireName()
		if fixed[w] {
			errs = append(errs, invalid("Name", fmt.Sprintf("%q is a restricted claim that Entra always sends; remove it", w)))
		}
		if seen[strings.ToLower(w)] {
			errs = append(errs, conflict("Name", fmt.Sprintf("a claim named %q already exists; each claim name (with its namespace) must be unique", w)))
		}
		seen[strings.ToLower(w)] = true
	}
	return errs
}

func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
