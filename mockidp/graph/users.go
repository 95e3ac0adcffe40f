package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// usersSet is /users: Graph's default properties, the filters directory
// objects support without advanced query headers, and a page of 100 up to
// 999.
var usersSet = entitySet{
	name: "users", typeName: "microsoft.graph.user", resource: "User",
	properties: []string{"id", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
		"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "accountEnabled", "city", "country",
		"createdDateTime", "department", "employeeId", "faxNumber", "mailNickname", "postalCode", "state", "streetAddress"},
	defaults: []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
		"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"},
	filters: map[string][]string{
		"id": {"eq", "in"}, "userPrincipalName": {"eq", "in", "startswith"}, "mail": {"eq", "in", "startswith"},
		"displayName": {"eq", "in", "startswith"}, "givenName": {"eq", "in", "startswith"},
		"surname": {"eq", "in", "startswith"}, "mailNickname": {"eq", "in", "startswith"},
		"jobTitle": {"eq", "in", "startswith"}, "department": {"eq", "in", "startswith"},
		"employeeId": {"eq", "in", "startswith"}, "accountEnabled": {"eq"}, "city": {"eq", "in", "startswith"},
		"country": {"eq", "in", "startswith"}, "state": {"eq", "in", "startswith"},
	},
	orderBy: []string{"displayName", "userPrincipalName"},
	maxTop:  999, defaultTop: 100, countNeedsEventual: true,
}

// userObject is a directory user in Graph's shape, every property the
// mock knows, in Graph's order (defaults first).
func userObject(u directory.User) object {
	phones := []string{}
	if u.TelephoneNumber != "" {
		phones = append(phones, u.TelephoneNumber)
	}
	return object{
		{"businessPhones", phones},
		{"displayName", str(u.DisplayName)},
		{"givenName", str(u.GivenName)},
		{"jobTitle", str(u.JobTitle)},
		{"mail", str(u.Mail)},
		{"mobilePhone", str(u.Mobile)},
		{"officeLocation", str(u.OfficeLocation)},
		{"preferredLanguage", str(u.PreferredLanguage)},
		{"surname", str(u.Surname)},
		{"userPrincipalName", u.UserPrincipalName},
		{"id", u.ObjectID},
		{"accountEnabled", u.AccountEnabled},
		{"city", str(u.City)},
		{"country", str(u.Country)},
		{"createdDateTime", graphTime(u.CreatedAt)},
		{"department", str(u.Department)},
		{"employeeId", str(u.EmployeeID)},
		{"faxNumber", str(u.FacsimileTelephoneNumber)},
		{"mailNickname", str(u.MailNickname)},
		{"postalCode", str(u.PostalCode)},
		{"state", str(u.State)},
		{"streetAddress", str(u.StreetAddress)},
	}
}

// userStrings maps Graph's writable string properties to the directory
// user's fields.
func userStrings(u *directory.User) map[string]*string {
	return map[string]*string{
		"displayName": &u.DisplayName, "givenName": &u.GivenName, "jobTitle": &u.JobTitle, "mail": &u.Mail,
		"mobilePhone": &u.Mobile, "officeLocation": &u.OfficeLocation, "preferredLanguage": &u.PreferredLanguage,
		"surname": &u.Surname, "userPrincipalName": &u.UserPrincipalName, "city": &u.City, "country": &u.Country,
		"department": &u.Department, "employeeId": &u.EmployeeID, "faxNumber": &u.FacsimileTelephoneNumber,
		"mailNickname": &u.MailNickname, "postalCode": &u.PostalCode, "state": &u.State, "streetAddress": &u.StreetAddress,
	}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r, usersSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	users, err := s.dir.Users(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	all := make([]object, len(users))
	for i, u := range users {
		all[i] = userObject(u)
	}
	s.page(w, r, usersSet, q, all)
}

// findUser resolves /users/{id | userPrincipalName} to a live user.
func (s *Server) findUser(r *http.Request, key string) (directory.User, *apiError) {
	ctx := r.Context()
	var u directory.User
	var err error
	if strings.Contains(key, "@") {
		u, err = s.dir.UserByUPN(ctx, key)
	} else {
		u, err = s.dir.User(ctx, key)
	}
	if errors.Is(err, directory.ErrNotFound) || err == nil && u.Status != directory.UserActive {
		return directory.User{}, notFound(key)
	}
	if err != nil {
		return directory.User{}, &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	return u, nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	selects, e := parseSelect(r, usersSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	u, e := s.findUser(r, r.PathValue("id"))
	if e != nil {
		s.fail(w, r, e)
		return
	}
	s.writeEntity(w, r, http.StatusOK, usersSet, selects, userObject(u))
}

// writeEntity writes one object with its @odata.context.
func (s *Server) writeEntity(w http.ResponseWriter, r *http.Request, status int, set entitySet, selects []string, o object) {
	ctx := s.graph + "/$metadata#" + set.name
	if len(selects) > 0 {
		ctx += "(" + strings.Join(selects, ",") + ")"
	}
	out := append(object{{"@odata.context", ctx + "/$entity"}}, s.shape(o, set, selects)...)
	s.writeOData(w, r, status, out)
}

// passwordProfile is the write-only password of a user.
type passwordProfile struct {
	Password                             *string `json:"password"`
	ForceChangePasswordNextSignIn        *bool   `json:"forceChangePasswordNextSignIn"`
	ForceChangePasswordNextSignInWithMfa *bool   `json:"forceChangePasswordNextSignInWithMfa"`
}

// userBody is a POST or PATCH body, read property by property so an
// unknown or read-only property is refused rather than ignored.
type userBody struct {
	strs     map[string]*string
	enabled  *bool
	phones   *[]string
	password *passwordProfile
}

func readUserBody(r *http.Request) (userBody, *apiError) {
	raw, e := readObject(r)
	if e != nil {
		return userBody{}, e
	}
	b := userBody{strs: map[string]*string{}}
	var probe directory.User
	writable := userStrings(&probe)
	for k, v := range raw {
		switch {
		case k == "accountEnabled":
			if err := json.Unmarshal(v, &b.enabled); err != nil || b.enabled == nil {
				return b, badValue(k, "User", "true or false")
			}
		case k == "businessPhones":
			var p []string
			if err := json.Unmarshal(v, &p); err != nil {
				return b, badValue(k, "User", "an array of strings")
			}
			if len(p) > 1 {
				return b, badRequest("Invalid value specified for property 'businessPhones' of resource 'User'.", errorDetail{"InvalidValue", k})
			}
			b.phones = &p
		case k == "passwordProfile":
			var pp passwordProfile
			if err := json.Unmarshal(v, &pp); err != nil {
				return b, badValue(k, "User", "an object with password and forceChangePasswordNextSignIn")
			}
			b.password = &pp
		case writable[k] != nil:
			var sv *string
			if err := json.Unmarshal(v, &sv); err != nil {
				return b, badValue(k, "User", "a string")
			}
			if sv == nil {
				sv = new(string)
			}
			b.strs[k] = sv
		case k == "id" || k == "createdDateTime":
			return b, badRequest(fmt.Sprintf("Property '%s' is read-only and cannot be set.", k))
		case strings.HasPrefix(k, "@odata."):
		default:
			return b, unknownProperty(k, "user")
		}
	}
	return b, nil
}

// apply copies the body's properties onto u.
func (b userBody) apply(u *directory.User) {
	fields := userStrings(u)
	for k, v := range b.strs {
		*fields[k] = *v
	}
	if b.enabled != nil {
		u.AccountEnabled = *b.enabled
	}
	if b.phones != nil {
		u.TelephoneNumber = ""
		if len(*b.phones) == 1 {
			u.TelephoneNumber = (*b.phones)[0]
		}
	}
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	b, e := readUserBody(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	for _, req := range []string{"accountEnabled", "displayName", "mailNickname", "passwordProfile", "userPrincipalName"} {
		missing := b.strs[req] == nil || *b.strs[req] == ""
		switch req {
		case "accountEnabled":
			missing = b.enabled == nil
		case "passwordProfile":
			missing = b.password == nil || b.password.Password == nil
		}
		if missing {
			s.fail(w, r, badRequest(fmt.Sprintf("A value is required for property '%s' of resource 'User'.", req), errorDetail{"PropertyRequired", req}))
			return
		}
	}
	var u directory.User
	b.apply(&u)
	created, err := s.dir.CreateUser(r.Context(), u, *b.password.Password)
	if err != nil {
		s.failDirectory(w, r, err, "User")
		return
	}
	s.log.Info("graph: user created", "user", created.ObjectID)
	s.writeEntity(w, r, http.StatusCreated, usersSet, nil, userObject(created))
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	b, e := readUserBody(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	u, e := s.findUser(r, r.PathValue("id"))
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ctx := r.Context()
	if b.password != nil && b.password.Password != nil {
		if err := s.dir.SetPassword(ctx, u.ObjectID, *b.password.Password); err != nil {
			s.failDirectory(w, r, err, "User")
			return
		}
	}
	if _, err := s.dir.UpdateUser(ctx, u.ObjectID, b.apply); err != nil {
		s.failDirectory(w, r, err, "User")
		return
	}
	s.log.Info("graph: user updated", "user", u.ObjectID)
	s.noContent(w, r)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	u, e := s.findUser(r, r.PathValue("id"))
	if e != nil {
		s.fail(w, r, e)
		return
	}
	if err := s.dir.SoftDeleteUser(r.Context(), u.ObjectID); err != nil {
		s.failDirectory(w, r, err, "User")
		return
	}
	s.log.Info("graph: user deleted", "user", u.ObjectID)
	s.noContent(w, r)
}

// graphProperty maps the portal labels of directory.FieldError to Graph's
// property names.
var graphProperty = map[string]string{
	"User principal name": "userPrincipalName", "Display name": "displayName", "Mail nickname": "mailNickname",
	"Email": "mail", "Manager": "manager", "Password": "passwordProfile", "Group name": "displayName",
	"Identifier (Entity ID)": "identifierUris", "Reply URL (Assertion Consumer Service URL)": "web.redirectUris",
	"Index": "web.redirectUris", "Sign on URL": "loginUrl", "Logout URL": "web.logoutUrl",
	"Relay State": "samlSingleSignOnSettings.relayState", "Tenant URL": "BaseAddress", "Secret Token": "SecretToken",
	"Source attribute": "definition", "Name": "definition", "Namespace": "definition",
}

// failDirectory turns a directory error into Graph's answer.
func (s *Server) failDirectory(w http.ResponseWriter, r *http.Request, err error, resource string) {
	s.fail(w, r, directoryError(err, resource, r.PathValue("id")))
}

// directoryError is Graph's answer to a directory error; id is the object
// the request named.
func directoryError(err error, resource, id string) *apiError {
	var fe *directory.FieldError
	switch {
	case errors.As(err, &fe):
		prop := graphProperty[fe.Field]
		if prop == "" {
			prop = fe.Field
		}
		switch {
		case errors.Is(fe, directory.ErrConflict):
			return badRequest(fmt.Sprintf("Another object with the same value for property %s already exists.", prop), errorDetail{"ObjectConflict", prop})
		case prop == "passwordProfile":
			return badRequest("The specified password does not comply with password complexity requirements. Please provide a different password.")
		case prop == "userPrincipalName" && strings.Contains(fe.Problem, "verified domain"):
			return badRequest("The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.", errorDetail{"InvalidValue", prop})
		default:
			// Graph's sentence, then what the portal would say about the
			// value, so the script's author knows what to change.
			return badRequest(fmt.Sprintf("Invalid value specified for property '%s' of resource '%s'. %s", prop, resource, fe.Error()), errorDetail{"InvalidValue", prop})
		}
	case errors.Is(err, directory.ErrNotFound):
		return notFound(id)
	case errors.Is(err, directory.ErrWrongState):
		return badRequest(err.Error())
	}
	return &apiError{http.StatusInternalServerError, codeInternal, "mock Entra ID internal error: " + err.Error(), nil}
}

// maxBody caps a request body; Graph's own limit is 4 MB.
const maxBody = 4 << 20

// readObject reads a JSON object body, as Graph requires for writes.
// The two refusals are Graph's words as recorded answers quote them: a
// write without a JSON Content-Type, and a body that is not JSON (e.g.
// msgraph-sdk-go issue 203 quotes the second).
func readObject(r *http.Request) (map[string]json.RawMessage, *apiError) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return nil, &apiError{http.StatusBadRequest, "BadRequest", "Write requests (excluding DELETE) must contain the Content-Type header declaration.", nil}
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, &apiError{http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.", nil}
	}
	return raw, nil
}

// unknownProperty is Graph's answer to a body property its type lacks
// (OData's RequestBodyRead wording, as recorded Graph answers quote it).
func unknownProperty(prop, typeName string) *apiError {
	return &apiError{http.StatusBadRequest, "BadRequest",
		fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", prop, typeName), nil}
}

func badValue(prop, resource, want string) *apiError {
	return badRequest(fmt.Sprintf("Invalid value specified for property '%s' of resource '%s': expected %s.", prop, resource, want), errorDetail{"InvalidValue", prop})
}
