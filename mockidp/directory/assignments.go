package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// PrincipalType says whether an assignment is of a user or a group.
type PrincipalType string

// The principal types.
const (
	PrincipalUser  PrincipalType = "user"
	PrincipalGroup PrincipalType = "group"
)

// Assignment is one row of the app's "Users and groups" page.
type Assignment struct {
	// AppID is the application.
	AppID string
	// PrincipalID is the user's or group's object ID.
	PrincipalID string
	// PrincipalType is user or group.
	PrincipalType PrincipalType
	// DisplayName is the user's or group's display name.
	DisplayName string
	// ChangeSeq is the change sequence of the assignment's last change.
	ChangeSeq int64
}

// Assign assigns a live user or group to the app ("Add user/group", role
// "User"); assigning twice does nothing.
func (d *Directory) Assign(ctx context.Context, appID, principalID string) error {
	return d.setAssignment(ctx, appID, principalID, true)
}

// Unassign removes the user's or group's assignment; the tombstone makes
// ChangesSince report it. Unassigning what is not assigned does nothing.
func (d *Directory) Unassign(ctx context.Context, appID, principalID string) error {
	return d.setAssignment(ctx, appID, principalID, false)
}

func (d *Directory) setAssignment(ctx context.Context, appID, principalID string, assign bool) error {
	appID, principalID = strings.ToLower(appID), strings.ToLower(principalID)
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := d.appIn(ctx, tx, appID); err != nil {
			return err
		}
		ptype := PrincipalUser
		u, err := userIn(ctx, tx, principalID)
		switch {
		case err == nil && u.Status != UserActive && assign:
			return fmt.Errorf("user %s is deleted and cannot be assigned: %w", u.UserPrincipalName, ErrWrongState)
		case errors.Is(err, ErrNotFound):
			if _, gerr := liveGroup(ctx, tx, principalID); gerr != nil {
				return fmt.Errorf("no user or group with object ID %s: %w", principalID, ErrNotFound)
			}
			ptype = PrincipalGroup
		case err != nil:
			return err
		}
		var removed sql.NullBool
		err = tx.QueryRowContext(ctx, `SELECT removed FROM assignments WHERE app_id = ? AND principal_id = ?`, appID, principalID).Scan(&removed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read assignment: %w", err)
		}
		if (removed.Valid && !removed.Bool) == assign {
			return nil
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO assignments (app_id, principal_id, principal_type, removed, change_seq) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (app_id, principal_id) DO UPDATE SET removed = excluded.removed, change_seq = excluded.change_seq`,
			appID, principalID, string(ptype), boolInt(!assign), seq)
		if err != nil {
			return fmt.Errorf("change the assignment of %s to %s: %w", principalID, appID, err)
		}
		return nil
	})
	if err == nil {
		d.log.Info("assignment changed", "app", appID, "principal", principalID, "assigned", assign)
	}
	return err
}

// SetAssignments makes the app's assignments exactly the given users and
// groups (object IDs), as the Users and groups page is after the admin
// adds and removes: what is assigned and not given is unassigned, what is
// given is assigned. Both the tenant file and the wizard's setup assign
// through it.
func (d *Directory) SetAssignments(ctx context.Context, appID string, principalIDs []string) error {
	want := make(map[string]bool, len(principalIDs))
	for _, id := range principalIDs {
		want[strings.ToLower(id)] = true
	}
	current, err := d.Assignments(ctx, appID)
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(current))
	for _, c := range current {
		have[c.PrincipalID] = true
		if !want[c.PrincipalID] {
			if err := d.Unassign(ctx, appID, c.PrincipalID); err != nil {
				return fmt.Errorf("unassign %s %s: %w", c.PrincipalType, c.DisplayName, err)
			}
		}
	}
	for _, id := range principalIDs {
		if have[strings.ToLower(id)] {
			continue
		}
		if err := d.Assign(ctx, appID, id); err != nil {
			return err
		}
	}
	return nil
}

// Assignments lists the app's current assignments, users and groups, by
// display name.
func (d *Directory) Assignments(ctx context.Context, appID string) ([]Assignment, error) {
	rows, err := d.db.QueryContext(ctx, `
		SELECT a.principal_id, a.principal_type, coalesce(u.display_name, g.display_name, ''), a.change_seq
		FROM assignments a
		LEFT JOIN users u ON a.principal_type = 'user' AND u.object_id = a.principal_id
		LEFT JOIN groups g ON a.principal_type = 'group' AND g.object_id = a.principal_id
		WHERE a.app_id = ? AND a.removed = 0
		ORDER BY 3 COLLATE NOCASE, a.principal_id`, strings.ToLower(appID))
	if err != nil {
		return nil, fmt.Errorf("list assignments of %s: %w", appID, err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		a := Assignment{AppID: strings.ToLower(appID)}
		var t string
		if err := rows.Scan(&a.PrincipalID, &t, &a.DisplayName, &a.ChangeSeq); err != nil {
			return nil, fmt.Errorf("list assignments of %s: %w", appID, err)
		}
		a.PrincipalType = PrincipalType(t)
		out = append(out, a)
	}
	return out, rows.Err()
}

// effectiveAssignment selects the live users assigned to an app directly
// or through a live group they are a direct member of (nested groups do
// not count, as in Entra).
const effectiveAssignment = `
	SELECT u.object_id FROM users u JOIN assignments a ON a.principal_id = u.object_id
		WHERE a.app_id = ?1 AND a.removed = 0 AND u.state = 'active'
	UNION
	SELECT m.user_id FROM assignments a
		JOIN groups g ON g.object_id = a.principal_id AND g.deleted = 0
		JOIN group_members m ON m.group_id = g.object_id AND m.removed = 0
		JOIN users u ON u.object_id = m.user_id AND u.state = 'active'
		WHERE a.app_id = ?1 AND a.removed = 0`

// IsAssigned reports whether the user is assigned to the app directly or
// through a group it is a direct member of.
func (d *Directory) IsAssigned(ctx context.Context, appID, userID string) (bool, error) {
	appID, userID = strings.ToLower(appID), strings.ToLower(userID)
	if ok, cached := d.cache.getAssigned(appID, userID); cached {
		return ok, nil
	}
	gen := d.cache.generation()
	var n int
	if err := d.isAssigned.QueryRowContext(ctx, appID, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("check the assignment of %s to %s: %w", userID, appID, err)
	}
	d.cache.putAssigned(gen, appID, userID, n > 0)
	return n > 0, nil
}

// AssignedUsers lists the live users assigned to the app directly or
// through a group, by display name: the provisioning scope "Sync only
// assigned users and groups".
func (d *Directory) AssignedUsers(ctx context.Context, appID string) ([]User, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE object_id IN (`+effectiveAssignment+`)
		ORDER BY display_name COLLATE NOCASE, upn`, strings.ToLower(appID))
	if err != nil {
		return nil, fmt.Errorf("list users assigned to %s: %w", appID, err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users assigned to %s: %w", appID, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
