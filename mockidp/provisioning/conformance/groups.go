package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
)

// groups runs the group cases as Entra sends them (reference §8), unless
// the server documents that it has no Group resource type, in which case
// the first group request must be refused and the cases are reported as
// expected-unsupported.
func (s *suite) groups(haveUser bool) {
	documented := s.groupsUndocumented()
	name := "ssowiz validate " + s.id
	q := url.Values{"excludedAttributes": {"members"}, "filter": {"displayName eq " + quote(name)}}
	if documented != "" {
		s.step("Groups: query by displayName excluding members", true, "", func(c *Case) string {
			a := s.get("/Groups", q)
			if a.status >= 200 && a.status < 300 {
				return "the server documents no Group resource type (" + documented + "), yet /Groups answered " + fmt.Sprint(a.status)
			}
			c.Status = Unsupported
			c.Detail = fmt.Sprintf("%s; /Groups answered %d. With \"Provision Microsoft Entra ID Groups\" on, Entra would send these requests", documented, a.status)
			if a.status == http.StatusNotFound {
				c.Detail += " and quarantine the job on the 404 to its group query"
			} else {
				c.Detail += " and escrow each group"
			}
			c.Detail += ": turn group provisioning off in Entra (Provisioning > Mappings)"
			if e, _ := scim.ParseError(a.body); e == nil {
				s.note("the refusal is not a SCIM Error body")
			}
			return ""
		})
		for _, n := range []string{"Groups: create", "Groups: add a member", "Groups: remove a member (default dialect)",
			"Groups: remove a member (aadOptscim062020)", "Groups: rename", "Groups: delete"} {
			s.step(n, true, "", func(c *Case) string {
				c.Status, c.Detail = Unsupported, "not sent: the server has no groups"
				return ""
			})
		}
		return
	}
	var groupID string
	s.step("Groups: query by displayName excluding members", true, "", func(c *Case) string {
		l, msg := s.list(s.get("/Groups", q), "the group query")
		if msg != "" {
			return msg
		}
		if l.TotalResults != 0 {
			return fmt.Sprintf("totalResults %d for a group name no group has", l.TotalResults)
		}
		return ""
	})
	created := s.step("Groups: create", true, "", func(c *Case) string {
		a := s.do(http.MethodPost, "/Groups", map[string]any{
			"schemas":     []string{scim.SchemaGroup, scim.SchemaEntraGroup},
			"externalId":  "ssowiz-validate-" + s.id,
			"displayName": name,
			"meta":        map[string]any{"resourceType": "Group"},
		})
		if msg := s.expect(a, "POST /Groups", http.StatusCreated, http.StatusOK); msg != "" {
			return msg + " (Entra lists the extra ADSCIM schema URI; servers must tolerate it)"
		}
		r := a.resource()
		if r == nil || r.ID() == "" {
			return "the created group has no id"
		}
		groupID = r.ID()
		return ""
	})
	gpath := func() string { return "/Groups/" + url.PathEscape(groupID) }
	needGroup := "needs the group \"Groups: create\" makes"
	members := func(want ...string) string {
		a := s.get(gpath(), nil)
		if msg := s.expect(a, "GET /Groups/{id}", http.StatusOK); msg != "" {
			return msg
		}
		r := a.resource()
		got := strings.Join(r.MemberIDs(), ",")
		if got != strings.Join(want, ",") {
			return fmt.Sprintf("members are [%s], want [%s]", got, strings.Join(want, ","))
		}
		return ""
	}
	s.step("Groups: add a member", created && haveUser, needGroup, func(c *Case) string {
		if msg := s.patch(gpath(), op("Add", "members", []any{map[string]any{"$ref": nil, "value": s.userID}})); msg != "" {
			return msg
		}
		return members(s.userID)
	})
	s.step("Groups: remove a member (default dialect)", created && haveUser, needGroup, func(c *Case) string {
		if msg := s.patch(gpath(), op("Remove", "members", []any{map[string]any{"value": s.userID}})); msg != "" {
			return msg
		}
		return members()
	})
	s.step("Groups: remove a member (aadOptscim062020)", created && haveUser, needGroup, func(c *Case) string {
		if msg := s.patch(gpath(), op("add", "members", []any{map[string]any{"$ref": nil, "value": s.userID}})); msg != "" {
			return "add: " + msg
		}
		if msg := s.patch(gpath(), op("remove", `members[value eq `+quote(s.userID)+`]`, nil)); msg != "" {
			return msg
		}
		return members()
	})
	s.step("Groups: rename", created, needGroup, func(c *Case) string {
		if msg := s.patch(gpath(), op("Replace", "displayName", name+" renamed")); msg != "" {
			return msg
		}
		a := s.get(gpath(), url.Values{"excludedAttributes": {"members"}})
		if msg := s.expect(a, "GET /Groups/{id}", http.StatusOK); msg != "" {
			return msg
		}
		if r := a.resource(); r.DisplayName() != name+" renamed" {
			return fmt.Sprintf("displayName is %q after the rename", r.DisplayName())
		}
		return ""
	})
	s.step("Groups: delete", created, needGroup, func(c *Case) string {
		a := s.do(http.MethodDelete, gpath(), nil)
		if msg := s.expect(a, "DELETE /Groups/{id}", http.StatusNoContent); msg != "" {
			return msg
		}
		return ""
	})
}

// groupsUndocumented asks /ResourceTypes whether Group exists. It returns
// why groups are documented as unsupported, or "" when they are listed
// or the server publishes no resource types (then groups are tested).
func (s *suite) groupsUndocumented() string {
	var rec []Exchange
	s.c.rec = &rec
	a := s.get("/ResourceTypes", nil)
	if a.status != http.StatusOK {
		return ""
	}
	l, err := scim.ParseListResponse(a.body)
	if err != nil {
		return ""
	}
	for _, r := range l.Resources {
		if strings.EqualFold(r.String("name"), "Group") || strings.EqualFold(r.String("endpoint"), "/Groups") {
			return ""
		}
	}
	return "the server's /ResourceTypes lists no Group resource type"
}
