package tenant

import (
	"errors"
	"fmt"
	"strings"
)

// GuideApp says which app of a tenant file the guide's rehearsal (the
// wizard, `ssowiz check`) sets up, and who the admin is.
type GuideApp struct {
	// Name is the app's name in the tenant.
	Name string
	// Added is true when the file had no app marked `rudderstack` and the
	// demo tenant's was added, with nobody assigned.
	Added bool
	// OrgAdmin is the UPN of RudderStack's Org Admin: the admin following
	// the guide.
	OrgAdmin string
}

// WithGuideApp returns the file as the guide's rehearsal serves it: the
// admin's own tenant (users, groups, other apps) with the app being set
// up. The file's app marked `rudderstack` is that app, and its
// assignments and Org Admin are where the rehearsal starts; a file with
// none gets the demo tenant's RudderStack app, assigned to nobody, whose
// Org Admin is the file's first enabled user. f is not changed.
func (f *File) WithGuideApp() (*File, GuideApp, error) {
	if b := f.builtin(); b != nil {
		return f, GuideApp{Name: b.Name, OrgAdmin: b.RudderStack.OrgAdmin}, nil
	}
	admin := ""
	for _, u := range f.Users {
		if u.Enabled == nil || *u.Enabled {
			admin = u.UPN
			break
		}
	}
	if admin == "" {
		return nil, GuideApp{}, f.fieldError("users", "the guide's rehearsal needs an enabled user to be RudderStack's Org Admin (you); add one, or mark one of the apps `rudderstack: {org_admin: UPN}`")
	}
	demo, err := Demo()
	if err != nil {
		return nil, GuideApp{}, err
	}
	app := *demo.builtin()
	app.RudderStack = &RudderStack{OrgAdmin: admin}
	app.Assigned = nil
	app.Name = uniqueAppName(f.Apps, app.Name)
	out := *f
	out.Apps = append(append([]App(nil), f.Apps...), app)
	// The file's digest stands for what is applied, which now includes
	// the added app.
	out.sum = f.sum + "+guide-app"
	if err := out.validate(); err != nil {
		return nil, GuideApp{}, errors.Join(fmt.Errorf("add the guide's RudderStack app to %s", f.name), err)
	}
	return &out, GuideApp{Name: app.Name, Added: true, OrgAdmin: admin}, nil
}

// uniqueAppName is name, or name with a number when an app has it.
func uniqueAppName(apps []App, name string) string {
	taken := func(n string) bool {
		for _, a := range apps {
			if strings.EqualFold(strings.TrimSpace(a.Name), n) {
				return true
			}
		}
		return false
	}
	out := name
	for i := 2; taken(out); i++ {
		out = fmt.Sprintf("%s %d", name, i)
	}
	return out
}
