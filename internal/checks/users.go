package checks

import (
	"context"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

type directoryUser = directory.User

// candidates returns the tenant's users that can sign in (enabled, with a
// known password), in the setup's order of assigned users, then the
// members of its assigned groups, then the tenant's, with their
// passwords.
func (r *rehearsal) candidates(ctx context.Context) ([]account, error) {
	var order []string
	for _, upn := range r.s.Users.Assigned {
		order = append(order, strings.ToLower(upn))
	}
	members, err := r.groupMembers(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if key := strings.ToLower(m.UserPrincipalName); !slices.Contains(order, key) {
			order = append(order, key)
		}
	}
	passwords := map[string]string{}
	for _, u := range r.m.lab.Info().Users {
		key := strings.ToLower(u.UPN)
		passwords[key] = u.Password
		if !slices.Contains(order, key) {
			order = append(order, key)
		}
	}
	var out []account
	for _, upn := range order {
		pw := passwords[upn]
		if pw == "" {
			continue
		}
		u, err := r.m.lab.Directory.UserByUPN(ctx, upn)
		if err != nil {
			continue
		}
		if !u.AccountEnabled {
			continue
		}
		out = append(out, account{directoryUser: u, password: pw})
	}
	return out, nil
}

// groupMembers lists the members of the groups assigned to the app, in
// the order the setup names them.
func (r *rehearsal) groupMembers(ctx context.Context) ([]directoryUser, error) {
	if len(r.s.Users.Groups) == 0 {
		return nil, nil
	}
	as, err := r.m.lab.Directory.Assignments(ctx, r.m.appID)
	if err != nil {
		return nil, err
	}
	var out []directoryUser
	for _, name := range r.s.Users.Groups {
		for _, a := range as {
			if a.PrincipalType != directory.PrincipalGroup || !strings.EqualFold(a.DisplayName, name) {
				continue
			}
			us, err := r.m.lab.Directory.GroupMembers(ctx, a.PrincipalID)
			if err != nil {
				return nil, err
			}
			out = append(out, us...)
		}
	}
	return out, nil
}

// assignedThrough is the assigned group a user reaches the app through
// when they are not assigned directly (ok false otherwise), for the
// checks' details and for taking a group member's access away.
func (r *rehearsal) assignedThrough(ctx context.Context, u account) (group directory.Assignment, ok bool, err error) {
	as, err := r.m.lab.Directory.Assignments(ctx, r.m.appID)
	if err != nil {
		return directory.Assignment{}, false, err
	}
	groups := map[string]directory.Assignment{}
	for _, a := range as {
		switch {
		case a.PrincipalType == directory.PrincipalUser && strings.EqualFold(a.PrincipalID, u.ObjectID):
			return directory.Assignment{}, false, nil
		case a.PrincipalType == directory.PrincipalGroup:
			groups[a.PrincipalID] = a
		}
	}
	if len(groups) == 0 {
		return directory.Assignment{}, false, nil
	}
	mine, err := r.m.lab.Directory.UserGroups(ctx, u.ObjectID)
	if err != nil {
		return directory.Assignment{}, false, err
	}
	for _, g := range mine {
		if a, ok := groups[strings.ToLower(g.ObjectID)]; ok {
			return a, true, nil
		}
	}
	return directory.Assignment{}, false, nil
}

// groupMemberUser is a user who reaches the app only through an assigned
// group (so taking their access away is removing them from it) and can
// sign in, with that group.
func (r *rehearsal) groupMemberUser(ctx context.Context) (account, directory.Assignment, bool, error) {
	var group directory.Assignment
	u, ok, err := r.pick(ctx, func(c account) (bool, error) {
		g, ok, err := r.assignedThrough(ctx, c)
		if ok {
			group = g
		}
		return ok, err
	})
	if !ok || err != nil {
		return account{}, directory.Assignment{}, ok, err
	}
	// pick may settle on an earlier candidate than the last one asked.
	if group, _, err = r.assignedThrough(ctx, u); err != nil {
		return account{}, directory.Assignment{}, false, err
	}
	return u, group, true, nil
}

// isAdmin reports whether u is you, RudderStack's Org Admin in the
// rehearsal, who already has an account there.
func (r *rehearsal) isAdmin(u account) bool {
	return strings.EqualFold(u.UserPrincipalName, r.m.admin.UserName)
}

// pick returns the first candidate that keep accepts, preferring users
// with mail who are not you (whose RudderStack account exists already).
func (r *rehearsal) pick(ctx context.Context, keep func(account) (bool, error)) (account, bool, error) {
	cs, err := r.candidates(ctx)
	if err != nil {
		return account{}, false, err
	}
	var fallback *account
	for _, c := range cs {
		ok, err := keep(c)
		if err != nil {
			return account{}, false, err
		}
		if !ok {
			continue
		}
		if c.Mail != "" && !r.isAdmin(c) {
			return c, true, nil
		}
		if fallback == nil {
			fallback = &c
		}
	}
	if fallback != nil {
		return *fallback, true, nil
	}
	return account{}, false, nil
}

// assignedUser is an assigned user who can sign in.
func (r *rehearsal) assignedUser(ctx context.Context) (account, bool, error) {
	return r.pick(ctx, func(c account) (bool, error) {
		return r.m.lab.Directory.IsAssigned(ctx, r.m.appID, c.ObjectID)
	})
}

// directlyAssignedUser is a user assigned to the app directly (so
// unassigning them is one click on Users and groups) who can sign in.
func (r *rehearsal) directlyAssignedUser(ctx context.Context) (account, bool, error) {
	as, err := r.m.lab.Directory.Assignments(ctx, r.m.appID)
	if err != nil {
		return account{}, false, err
	}
	return r.pick(ctx, func(c account) (bool, error) {
		for _, a := range as {
			if a.PrincipalType == directory.PrincipalUser && a.PrincipalID == c.ObjectID {
				return true, nil
			}
		}
		return false, nil
	})
}

// unassignedUser is a user who is not assigned to the app and could
// otherwise sign in.
func (r *rehearsal) unassignedUser(ctx context.Context) (account, bool, error) {
	return r.pick(ctx, func(c account) (bool, error) {
		ok, err := r.m.lab.Directory.IsAssigned(ctx, r.m.appID, c.ObjectID)
		return !ok, err
	})
}

// who names a user for details: "Adele Vance (AdeleV@contoso.onmicrosoft.com)".
func who(u account) string {
	return u.DisplayName + " (" + u.UserPrincipalName + ")"
}
