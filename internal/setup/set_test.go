package setup

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSetChangesOneFieldWithTheFilesRules(t *testing.T) {
	for _, tc := range []struct {
		path, value string
		check       func(Setup) bool
	}{
		{"saml.reply_url", GuideReplyURL + "/", func(s Setup) bool { return s.SAML.ReplyURL == GuideReplyURL+"/" }},
		{"saml.relay_state", "true", func(s Setup) bool { return s.SAML.RelayState == "true" }},
		{"users.assignment_required", "false", func(s Setup) bool { return !s.Users.AssignmentRequired }},
		{"users.assigned", "a@x.com, b@x.com", func(s Setup) bool { return reflect.DeepEqual(s.Users.Assigned, []string{"a@x.com", "b@x.com"}) }},
		{"users.assigned", "[]", func(s Setup) bool { return s.Users.Assigned != nil && len(s.Users.Assigned) == 0 }},
		{"claims.additional[0].name", "email", func(s Setup) bool { return s.Claims.Additional[0].Name == "email" }},
		{"claims.additional[2].source", "user.department", func(s Setup) bool {
			return len(s.Claims.Additional) == 3 && s.Claims.Additional[2].Source == "user.department"
		}},
		{"provisioning.actions.delete", "true", func(s Setup) bool { return s.Provisioning.Actions.Delete }},
	} {
		t.Run(tc.path+"="+tc.value, func(t *testing.T) {
			s := Default()
			if err := s.Set(tc.path, tc.value); err != nil {
				t.Fatal(err)
			}
			if !tc.check(s) {
				t.Fatalf("Set(%q, %q) gave %+v", tc.path, tc.value, s)
			}
		})
	}
}

func TestSetErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ path, value, field, want string }{
		{"saml.reply_ur1", "x", "saml.reply_ur1", `did you mean "reply_url"`},
		{"users.assignment_required", "maybe", "users.assignment_required", "true or false"},
		{"claims.additional[5].name", "x", "claims.additional", "would leave a gap"},
		{"saml.reply_url.x", "x", "saml.reply_url.x", "has no fields"},
		{"claims.additional[a]", "x", "claims.additional[a]", "whole number"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			s := Default()
			err := s.Set(tc.path, tc.value)
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrFormat) || fe.Field != tc.field || !strings.Contains(fe.Problem, tc.want) {
				t.Fatalf("Set(%q, %q) = %v; want a FileError on %s saying %q", tc.path, tc.value, err, tc.field, tc.want)
			}
		})
	}
}

func TestSetForgetsTheFileLine(t *testing.T) {
	s, err := Parse(strings.NewReader("version: 1\nsaml:\n  reply_url: https://x.example/acs\n  identifier: urn:x\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("saml.reply_url", GuideReplyURL); err != nil {
		t.Fatal(err)
	}
	if s.Line("saml.reply_url") != 0 || s.Line("saml.identifier") != 4 {
		t.Fatalf("lines after Set: reply_url %d, identifier %d", s.Line("saml.reply_url"), s.Line("saml.identifier"))
	}
}
