package entra

import "testing"

func TestSourceAttributes(t *testing.T) {
	for _, name := range []string{"user.mail", "USER.Mail", "user.userprincipalname", "user.displayname", "user.surname"} {
		if !IsSourceAttribute(name) {
			t.Errorf("%s is not a source attribute", name)
		}
	}
	for _, name := range []string{"", "user.email", "mail", "user.mail "} {
		if IsSourceAttribute(name) {
			t.Errorf("%q is a source attribute", name)
		}
	}
	seen := map[string]bool{}
	for _, a := range SourceAttributes() {
		if seen[a.Name] || a.Graph == "" {
			t.Errorf("duplicate or unmapped source attribute %+v", a)
		}
		seen[a.Name] = true
	}
}
