package scim

import "strings"

// MediaType is the SCIM media type (RFC 7644 §8.1).
const MediaType = "application/scim+json"

// Schema and message URNs (RFC 7643 §8.7, RFC 7644 §3).
const (
	SchemaUser           = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaEnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaGroup          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaListResponse   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaPatchOp        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaError          = "urn:ietf:params:scim:api:messages:2.0:Error"
	// SchemaEntraGroup is the extra, non-standard URI Entra lists in the
	// schemas of a group it creates; servers must tolerate it.
	SchemaEntraGroup = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
)

// Type is an attribute's data type (RFC 7643 §2.3).
type Type string

// The attribute data types of RFC 7643 §2.3.
const (
	TypeString    Type = "string"
	TypeBoolean   Type = "boolean"
	TypeDecimal   Type = "decimal"
	TypeInteger   Type = "integer"
	TypeDateTime  Type = "dateTime"
	TypeBinary    Type = "binary"
	TypeReference Type = "reference"
	TypeComplex   Type = "complex"
)

// Mutability says whether and when a client may write an attribute
// (RFC 7643 §7).
type Mutability string

// The mutability values of RFC 7643 §7.
const (
	ReadWrite Mutability = "readWrite"
	ReadOnly  Mutability = "readOnly"
	Immutable Mutability = "immutable"
	WriteOnly Mutability = "writeOnly"
)

// Attribute describes one attribute or sub-attribute of a schema.
type Attribute struct {
	// Name is the attribute's name in the case the RFC spells it.
	Name string
	// Type is its data type.
	Type Type
	// MultiValued is true for arrays such as emails and members.
	MultiValued bool
	// Required is true for attributes a resource must always have.
	Required bool
	// CaseExact is true when string comparisons respect case; userName
	// and emails are compared ignoring case.
	CaseExact bool
	// Mutability says whether clients may write it.
	Mutability Mutability
	// SubAttributes are the sub-attributes of a complex attribute.
	SubAttributes []*Attribute
}

// Sub returns the sub-attribute with the given name, ignoring case, or nil.
func (a *Attribute) Sub(name string) *Attribute {
	if a == nil {
		return nil
	}
	for _, s := range a.SubAttributes {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// Schema is a named set of attributes (RFC 7643 §7).
type Schema struct {
	// ID is the schema URN.
	ID string
	// Name is the human-readable name.
	Name string
	// Attributes are its top-level attributes.
	Attributes []*Attribute
}

// Attribute returns the top-level attribute with the given name, ignoring
// case, or nil.
func (s *Schema) Attribute(name string) *Attribute {
	if s == nil {
		return nil
	}
	for _, a := range s.Attributes {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// ResourceType is a kind of resource: its core schema and the extensions
// it may carry (RFC 7643 §6).
type ResourceType struct {
	// Name is "User" or "Group".
	Name string
	// Endpoint is the collection path, "/Users" or "/Groups".
	Endpoint string
	// Schema is the core schema, including the common attributes id,
	// externalId and meta.
	Schema *Schema
	// Extensions are the extension schemas, such as the enterprise user.
	Extensions []*Schema
}

// Extension returns the extension schema with the given URN, ignoring
// case, or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	if rt == nil {
		return nil
	}
	for _, s := range rt.Extensions {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// IsCore reports whether urn is the resource type's core schema (ignoring
// case); attributes qualified with it live at the top level.
func (rt *ResourceType) IsCore(urn string) bool {
	return rt != nil && strings.EqualFold(rt.Schema.ID, urn)
}

// Lookup finds the definition of a top-level attribute. uri is the schema
// URN the attribute was qualified with ("" for none). An unqualified name
// that is not a core attribute but belongs to exactly one extension (the
// legacy "manager" path) resolves to that extension. It returns the
// attribute and the URN of the extension holding it ("" for core), or a nil
// attribute when the schema does not define it.
func (rt *ResourceType) Lookup(uri, name string) (*Attribute, string) {
	if rt == nil {
		return nil, uri
	}
	if uri == "" || rt.IsCore(uri) {
		if a := rt.Schema.Attribute(name); a != nil {
			return a, ""
		}
		if uri != "" {
			return nil, ""
		}
		var found *Attribute
		var in string
		for _, ext := range rt.Extensions {
			if a := ext.Attribute(name); a != nil {
				if found != nil {
					return nil, ""
				}
				found, in = a, ext.ID
			}
		}
		return found, in
	}
	if ext := rt.Extension(uri); ext != nil {
		return ext.Attribute(name), ext.ID
	}
	return nil, uri
}

// Find returns a top-level attribute's value in a resource document: an
// unqualified or core-qualified name at the top level, an extension
// attribute inside its extension object (an unqualified name such as the
// legacy "manager" resolves to the one extension that defines it). It
// returns the value (nil if absent) and its definition (nil if the schema
// doesn't know it).
func (rt *ResourceType) Find(doc map[string]any, uri, name string) (any, *Attribute) {
	def, ext := rt.Lookup(uri, name)
	container := doc
	if ext != "" {
		k, ok := FindKey(doc, ext)
		if !ok {
			return nil, def
		}
		m, ok := doc[k].(map[string]any)
		if !ok {
			return nil, def
		}
		container = m
	}
	k, ok := FindKey(container, name)
	if !ok {
		return nil, def
	}
	return container[k], def
}

func str(name string, caseExact bool) *Attribute {
	return &Attribute{Name: name, Type: TypeString, CaseExact: caseExact, Mutability: ReadWrite}
}

func ref(name string) *Attribute {
	return &Attribute{Name: name, Type: TypeReference, CaseExact: true, Mutability: ReadWrite}
}

func boolean(name string) *Attribute {
	return &Attribute{Name: name, Type: TypeBoolean, Mutability: ReadWrite}
}

func complexAttr(name string, multi bool, subs ...*Attribute) *Attribute {
	return &Attribute{Name: name, Type: TypeComplex, MultiValued: multi, Mutability: ReadWrite, SubAttributes: subs}
}

func readOnly(a *Attribute) *Attribute {
	a.Mutability = ReadOnly
	for _, s := range a.SubAttributes {
		readOnly(s)
	}
	return a
}

func required(a *Attribute) *Attribute {
	a.Required = true
	return a
}

// multiValue is the usual shape of emails, phoneNumbers and the like:
// value, display, type and primary (RFC 7643 §2.4).
func multiValue(name string, value *Attribute) *Attribute {
	return complexAttr(name, true, value, str("display", false), str("type", false), boolean("primary"))
}

// commonAttributes are id, externalId and meta (RFC 7643 §3.1).
func commonAttributes() []*Attribute {
	return []*Attribute{
		readOnly(str("id", true)),
		str("externalId", true),
		readOnly(complexAttr("meta", false,
			str("resourceType", true),
			&Attribute{Name: "created", Type: TypeDateTime},
			&Attribute{Name: "lastModified", Type: TypeDateTime},
			ref("location"),
			str("version", true),
		)),
	}
}

// UserType returns the User resource type: RFC 7643 §4.1 with the
// enterprise extension of §4.3. Each call builds a fresh value, so callers
// may keep or change theirs freely.
func UserType() *ResourceType {
	core := append(commonAttributes(),
		required(str("userName", false)),
		complexAttr("name", false,
			str("formatted", false), str("familyName", false), str("givenName", false),
			str("middleName", false), str("honorificPrefix", false), str("honorificSuffix", false)),
		str("displayName", false),
		str("nickName", false),
		ref("profileUrl"),
		str("title", false),
		str("userType", false),
		str("preferredLanguage", false),
		str("locale", false),
		str("timezone", false),
		boolean("active"),
		&Attribute{Name: "password", Type: TypeString, CaseExact: true, Mutability: WriteOnly},
		multiValue("emails", str("value", false)),
		multiValue("phoneNumbers", str("value", false)),
		multiValue("ims", str("value", false)),
		multiValue("photos", ref("value")),
		complexAttr("addresses", true,
			str("formatted", false), str("streetAddress", false), str("locality", false),
			str("region", false), str("postalCode", false), str("country", false),
			str("type", false), boolean("primary")),
		readOnly(complexAttr("groups", true, str("value", true), ref("$ref"), str("display", false), str("type", false))),
		multiValue("entitlements", str("value", false)),
		multiValue("roles", str("value", false)),
		multiValue("x509Certificates", &Attribute{Name: "value", Type: TypeBinary, CaseExact: true, Mutability: ReadWrite}),
	)
	enterprise := []*Attribute{
		str("employeeNumber", false),
		str("costCenter", false),
		str("organization", false),
		str("division", false),
		str("department", false),
		complexAttr("manager", false, str("value", true), ref("$ref"), readOnly(str("displayName", false))),
	}
	return &ResourceType{
		Name:       "User",
		Endpoint:   "/Users",
		Schema:     &Schema{ID: SchemaUser, Name: "User", Attributes: core},
		Extensions: []*Schema{{ID: SchemaEnterpriseUser, Name: "EnterpriseUser", Attributes: enterprise}},
	}
}

// GroupType returns the Group resource type (RFC 7643 §4.2). Each call
// builds a fresh value.
func GroupType() *ResourceType {
	core := append(commonAttributes(),
		required(str("displayName", false)),
		complexAttr("members", true, str("value", true), ref("$ref"), str("display", false), str("type", false)),
	)
	return &ResourceType{
		Name:     "Group",
		Endpoint: "/Groups",
		Schema:   &Schema{ID: SchemaGroup, Name: "Group", Attributes: core},
	}
}
