package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/internal/scim"
)

const needUser = "needs the user that \"Create user\" makes"

// runAll runs the cases in order. Later cases use the user the create
// case made; if it failed they are skipped.
func (s *suite) runAll() {
	s.step("Test Connection: query a random userName", true, "", s.testConnection)
	s.step("Query with no match: 200 and an empty ListResponse", true, "", s.noMatch)
	created := s.step("Create user (POST with Entra's body)", true, "", s.createUser)
	s.step("Match by userName", created, needUser, func(c *Case) string { return s.match("userName", s.userName) })
	s.step("Match by userName in another case", created, needUser, func(c *Case) string { return s.match("userName", strings.ToUpper(s.userName)) })
	s.step("Match by externalId", created, needUser, func(c *Case) string { return s.match("externalId", s.externalID) })
	s.step("Read user by id", created, needUser, s.readByID)
	s.step("Update (default dialect: Replace/Add with paths)", created, needUser, s.updateDefault)
	s.step("Update (aadOptscim062020: path-less replace with dotted keys)", created, needUser, s.updateFlag)
	s.step("Add a value-path attribute that is absent", created, needUser, s.valuePathAdd)
	s.step("Disable and re-enable (default dialect: \"False\"/\"True\")", created, needUser, func(c *Case) string {
		return s.disableEnable("Replace", "False", "True")
	})
	s.step("Disable and re-enable (aadOptscim062020: false/true)", created, needUser, func(c *Case) string {
		return s.disableEnable("replace", false, true)
	})
	manager := s.step("Set the manager (default dialect)", created, needUser, s.managerDefault)
	s.step("Set and clear the manager (aadOptscim062020)", created && manager, "needs the manager the previous case set", s.managerFlag)
	s.step("Bad token is refused with 401", true, "", s.badToken)
	s.step("Duplicate userName is refused with 409 uniqueness", created, needUser, s.duplicate)
	s.step("Bad filter is refused with 400 invalidFilter", true, "", s.badFilter)
	s.step("Unknown id gives 404", true, "", s.unknownID)
	s.groups(created)
	s.step("Clean up: deactivate the users the suite created", len(s.made) > 0, "the suite created no user", s.cleanUp)
}

func (s *suite) testConnection(c *Case) string {
	guid := uuid.NewString()
	l, msg := s.list(s.get("/Users", filterQuery("userName", guid)), "the Test Connection query")
	if msg != "" {
		return msg
	}
	if l.TotalResults != 0 {
		return fmt.Sprintf("totalResults is %d for a userName no user has", l.TotalResults)
	}
	return ""
}

func (s *suite) noMatch(c *Case) string {
	l, msg := s.list(s.get("/Users", filterQuery("externalId", "no-such-user-"+s.id)), "a query that matches nothing")
	if msg != "" {
		return msg + " (a 404 here is a named quarantine reason in Entra)"
	}
	if l.TotalResults != 0 || len(l.Resources) != 0 {
		return fmt.Sprintf("totalResults %d, %d resources; want 0 and an empty Resources", l.TotalResults, len(l.Resources))
	}
	return ""
}

func (s *suite) createUser(c *Case) string {
	a := s.do(http.MethodPost, "/Users", userBody(s.userName, s.externalID, "Val", "Idate"))
	if msg := s.expect(a, "POST /Users", http.StatusCreated, http.StatusOK); msg != "" {
		return msg
	}
	if a.status == http.StatusOK {
		s.note("POST answered 200; RFC 7644 §3.3 says 201 Created (Entra accepts both)")
	}
	r := a.resource()
	if r == nil || r.ID() == "" {
		return "the created user has no id; Entra caches it for every later request"
	}
	s.userID = r.ID()
	s.made = append(s.made, s.userID)
	if !strings.EqualFold(r.UserName(), s.userName) {
		return fmt.Sprintf("userName came back as %q, sent %q", r.UserName(), s.userName)
	}
	if active, ok := r.Active(); !ok || !active {
		return "active did not come back true"
	}
	return ""
}

func (s *suite) match(attr, value string) string {
	l, msg := s.list(s.get("/Users", filterQuery(attr, value)), "the "+attr+" query")
	if msg != "" {
		return msg
	}
	switch {
	case l.TotalResults == 0 || len(l.Resources) == 0:
		return fmt.Sprintf("no match for %s eq %q: Entra would POST a duplicate and get 409", attr, value)
	case l.TotalResults > 1:
		return fmt.Sprintf("%d matches: Entra reports DuplicateTargetEntries", l.TotalResults)
	case l.Resources[0].ID() != s.userID:
		return fmt.Sprintf("matched id %q, want %q", l.Resources[0].ID(), s.userID)
	}
	return ""
}

func (s *suite) readByID(c *Case) string {
	r, msg := s.read(s.userID)
	if msg != "" {
		return msg
	}
	if r.ID() != s.userID || !strings.EqualFold(r.UserName(), s.userName) {
		return fmt.Sprintf("got id %q userName %q", r.ID(), r.UserName())
	}
	return ""
}

func (s *suite) updateDefault(c *Case) string {
	path := "/Users/" + url.PathEscape(s.userID)
	if msg := s.patch(path,
		op("Replace", "displayName", "Val Updated"),
		op("Replace", `emails[type eq "work"].value`, "val.updated."+s.id+"@example.com"),
		op("Replace", "name.givenName", "Valerie"),
		op("Add", enterprise+":department", "Quality"),
	); msg != "" {
		return msg
	}
	r, msg := s.read(s.userID)
	if msg != "" {
		return msg
	}
	return checkValues(r, map[string]string{
		"displayName": "Val Updated", `emails[type eq "work"].value`: "val.updated." + s.id + "@example.com",
		"name.givenName": "Valerie", enterprise + ":department": "Quality",
	})
}

func (s *suite) updateFlag(c *Case) string {
	path := "/Users/" + url.PathEscape(s.userID)
	if msg := s.patch(path,
		op("replace", `emails[type eq "work"].value`, "val.flag."+s.id+"@example.com"),
		op("replace", "", map[string]any{
			"displayName":                  "Val Flag",
			"name.familyName":              "Flagged",
			enterprise + ":employeeNumber": "E-FLAG",
		}),
	); msg != "" {
		return msg
	}
	r, msg := s.read(s.userID)
	if msg != "" {
		return msg
	}
	if got, _ := r.Get("name.familyName"); got != nil {
		return `the server stored "name.familyName" as a new top-level attribute; it is the sub-attribute familyName of name`
	}
	return checkValues(r, map[string]string{
		"displayName": "Val Flag", `emails[type eq "work"].value`: "val.flag." + s.id + "@example.com",
		"name.familyName": "Flagged", enterprise + ":employeeNumber": "E-FLAG",
	})
}

func (s *suite) valuePathAdd(c *Case) string {
	if msg := s.patch("/Users/"+url.PathEscape(s.userID), op("Add", `phoneNumbers[type eq "mobile"].value`, "+1 425 555 0188")); msg != "" {
		return msg + ` (Entra expects a value path to create the entry when none matches; RFC-strict servers answer 400 noTarget and break Entra's updates)`
	}
	r, msg := s.read(s.userID)
	if msg != "" {
		return msg
	}
	return checkValues(r, map[string]string{`phoneNumbers[type eq "mobile"].value`: "+1 425 555 0188"})
}

func (s *suite) disableEnable(opName string, off, on any) string {
	path := "/Users/" + url.PathEscape(s.userID)
	if msg := s.patch(path, op(opName, "active", off)); msg != "" {
		return "disable: " + msg
	}
	r, msg := s.read(s.userID)
	if msg != "" {
		return "after the disable: " + msg + " (a disabled user must stay readable)"
	}
	if active, ok := r.Active(); !ok || active {
		return fmt.Sprintf("after PATCH active %#v the user is still active", off)
	}
	if msg := s.match("userName", s.userName); msg != "" {
		return "after the disable, " + msg + " (a disabled user must still be found by the filter)"
	}
	if msg := s.patch(path, op(opName, "active", on)); msg != "" {
		return "re-enable: " + msg
	}
	if r, msg = s.read(s.userID); msg != "" {
		return msg
	}
	if active, ok := r.Active(); !ok || !active {
		return fmt.Sprintf("after PATCH active %#v the user is not active", on)
	}
	return ""
}

func (s *suite) managerDefault(c *Case) string {
	a := s.do(http.MethodPost, "/Users", userBody("ssowiz.validate.mgr."+s.id+"@example.com", "ssowiz.validate.mgr."+s.id, "Man", "Ager"))
	if msg := s.expect(a, "POST /Users (the manager)", http.StatusCreated, http.StatusOK); msg != "" {
		return msg
	}
	m := a.resource()
	if m == nil || m.ID() == "" {
		return "the manager was created without an id"
	}
	s.managerID = m.ID()
	s.made = append(s.made, s.managerID)
	if msg := s.patch("/Users/"+url.PathEscape(s.userID), op("Add", enterprise+":manager", s.managerID)); msg != "" {
		return msg + " (Entra sends the manager's id as a bare string)"
	}
	r, msg := s.read(s.userID)
	if msg != "" {
		return msg
	}
	if got := r.ManagerID(); got != s.managerID {
		return fmt.Sprintf("the manager reads back as %q, want %q (Entra re-sends it every cycle until it comes back as sent)", got, s.managerID)
	}
	return ""
}

func (s *suite) managerFlag(c *Case) string {
	path := "/Users/" + url.PathEscape(s.userID)
	if msg := s.patch(path, op("add", enterprise+":manager", s.managerID)); msg != "" {
		return "set: " + msg
	}
	if msg := s.patch(path, op("replace", enterprise+":manager", map[string]any{"value": ""})); msg != "" {
		return "clear: " + msg
	}
	r, msg := s.read(s.userID)
	if msg != "" {
		return msg
	}
	if got := r.ManagerID(); got != "" {
		return fmt.Sprintf(`after replace with {"value":""} the manager is still %q; an empty value clears it`, got)
	}
	return ""
}

func (s *suite) badToken(c *Case) string {
	a := s.c.send(s.ctx, http.MethodGet, "/Users", filterQuery("userName", uuid.NewString()), nil, "ssowiz-invalid-"+s.id)
	if msg := s.expect(a, "a query with a wrong token", http.StatusUnauthorized); msg != "" {
		return msg
	}
	return s.scimError(a, "the 401")
}

func (s *suite) duplicate(c *Case) string {
	a := s.do(http.MethodPost, "/Users", userBody(s.userName, s.externalID+".dup", "Val", "Idate"))
	if a.status == http.StatusCreated || a.status == http.StatusOK {
		if r := a.resource(); r != nil && r.ID() != "" {
			s.made = append(s.made, r.ID())
		}
	}
	if msg := s.expect(a, "a second POST with the same userName", http.StatusConflict); msg != "" {
		return msg
	}
	if msg := s.scimError(a, "the 409"); msg != "" {
		return msg
	}
	if e, _ := scim.ParseError(a.body); e != nil && e.ScimType != scim.TypeUniqueness {
		s.note(fmt.Sprintf("scimType is %q; RFC 7644 §3.3 says uniqueness", e.ScimType))
	}
	return ""
}

func (s *suite) badFilter(c *Case) string {
	a := s.get("/Users", url.Values{"filter": {`userName eq`}})
	if msg := s.expect(a, `the filter "userName eq"`, http.StatusBadRequest); msg != "" {
		return msg
	}
	if msg := s.scimError(a, "the 400"); msg != "" {
		return msg
	}
	if e, _ := scim.ParseError(a.body); e != nil && e.ScimType != scim.TypeInvalidFilter {
		s.note(fmt.Sprintf("scimType is %q; RFC 7644 §3.12 says invalidFilter", e.ScimType))
	}
	return ""
}

func (s *suite) unknownID(c *Case) string {
	a := s.get("/Users/"+uuid.NewString(), nil)
	if msg := s.expect(a, "GET of an id that does not exist", http.StatusNotFound); msg != "" {
		return msg
	}
	return s.scimError(a, "the 404")
}

func (s *suite) cleanUp(c *Case) string {
	var bad []string
	for _, id := range s.made {
		if msg := s.patch("/Users/"+url.PathEscape(id), op("Replace", "active", "False")); msg != "" {
			bad = append(bad, id+": "+msg)
		}
	}
	if len(bad) > 0 {
		return "could not deactivate " + strings.Join(bad, "; ")
	}
	return ""
}
