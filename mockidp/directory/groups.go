package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Group is a security group whose members are users. Assigning a group to
// an app assigns its direct members (nested groups do not count, as in
// Entra), and the provisioning engine can push it as a SCIM Group.
type Group struct {
	// ObjectID is the group's object ID (GUID).
	ObjectID string
	// DisplayName is the group name (SCIM displayName, the group matching
	// attribute).
	DisplayName string
	// Description is optional.
	Description string
	// Deleted is true for a deleted group's tombstone.
	Deleted bool
	// CreatedAt is when the group was created.
	CreatedAt time.Time
	// ChangeSeq is the change sequence of the group's last change (not its
	// memberships', which have their own).
	ChangeSeq int64
}

// CreateGroup adds a security group ("New group").
func (d *Directory) CreateGroup(ctx context.Context, displayName, description string) (Group, error) {
	displayName = strings.TrimSpace(displayName)
	if displayName == "" {
		return Group{}, invalid("Group name", "is required")
	}
	if len([]rune(displayName)) > 256 {
		return Group{}, invalid("Group name", "can be at most 256 characters")
	}
	id, err := d.newGUID()
	if err != nil {
		return Group{}, err
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO groups (object_id, display_name, description, created_at, change_seq) VALUES (?, ?, ?, ?, ?)`,
			id, displayName, strings.TrimSpace(description), d.nowText(), seq)
		if err != nil {
			return fmt.Errorf("create group %q: %w", displayName, err)
		}
		return nil
	})
	if err != nil {
		return Group{}, err
	}
	d.log.Info("group created", "group", id)
	return d.Group(ctx, id)
}

// RenameGroup changes a group's display name.
func (d *Directory) RenameGroup(ctx context.Context, groupID, displayName string) (Group, error) {
	displayName = strings.TrimSpace(displayName)
	if displayName == "" {
		return Group{}, invalid("Group name", "is required")
	}
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveGroup(ctx, tx, groupID); err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE groups SET display_name = ?, change_seq = ? WHERE object_id = ?`, displayName, seq, groupID)
		return err
	})
	if err != nil {
		return Group{}, err
	}
	return d.Group(ctx, groupID)
}

// DeleteGroup deletes a group: its memberships and app assignments are
// removed, and a tombstone stays for ChangesSince.
func (d *Directory) DeleteGroup(ctx context.Context, groupID string) error {
	return d.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveGroup(ctx, tx, groupID); err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		for _, s := range []string{
			`UPDATE groups SET deleted = 1, change_seq = ?1 WHERE object_id = ?2`,
			`UPDATE group_members SET removed = 1, change_seq = ?1 WHERE group_id = ?2 AND removed = 0`,
			`UPDATE assignments SET removed = 1, change_seq = ?1 WHERE principal_id = ?2 AND removed = 0`,
		} {
			if _, err := tx.ExecContext(ctx, s, seq, groupID); err != nil {
				return fmt.Errorf("delete group %s: %w", groupID, err)
			}
		}
		return nil
	})
}

const groupColumns = `object_id, display_name, description, deleted, created_at, change_seq`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var created string
	if err := row.Scan(&g.ObjectID, &g.DisplayName, &g.Description, &g.Deleted, &created, &g.ChangeSeq); err != nil {
		return Group{}, err
	}
	g.CreatedAt = parseTime(created)
	return g, nil
}

func liveGroup(ctx context.Context, q querier, groupID string) (Group, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE object_id = ?`, strings.ToLower(groupID)))
	if errors.Is(err, sql.ErrNoRows) || err == nil && g.Deleted {
		return Group{}, fmt.Errorf("group %s: %w", groupID, ErrNotFound)
	}
	if err != nil {
		return Group{}, fmt.Errorf("read group %s: %w", groupID, err)
	}
	return g, nil
}

// Group returns a live group by object ID.
func (d *Directory) Group(ctx context.Context, groupID string) (Group, error) {
	return liveGroup(ctx, d.db, groupID)
}

// Groups lists the live groups by name.
func (d *Directory) Groups(ctx context.Context) ([]Group, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE deleted = 0 ORDER BY display_name COLLATE NOCASE, object_id`)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddGroupMember makes a live user a direct member of the group; adding an
// existing member does nothing.
func (d *Directory) AddGroupMember(ctx context.Context, groupID, userID string) error {
	return d.setMembership(ctx, groupID, userID, true)
}

// RemoveGroupMember removes a user from the group; removing a non-member
// does nothing.
func (d *Directory) RemoveGroupMember(ctx context.Context, groupID, userID string) error {
	return d.setMembership(ctx, groupID, userID, false)
}

func (d *Directory) setMembership(ctx context.Context, groupID, userID string, member bool) error {
	groupID, userID = strings.ToLower(groupID), strings.ToLower(userID)
	return d.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveGroup(ctx, tx, groupID); err != nil {
			return err
		}
		u, err := userIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		if member && u.Status != UserActive {
			return fmt.Errorf("user %s is deleted and cannot be added to a group: %w", u.UserPrincipalName, ErrWrongState)
		}
		var removed sql.NullBool
		err = tx.QueryRowContext(ctx, `SELECT removed FROM group_members WHERE group_id = ? AND user_id = ?`, groupID, userID).Scan(&removed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read membership: %w", err)
		}
		isMember := removed.Valid && !removed.Bool
		if isMember == member {
			return nil
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id, removed, change_seq) VALUES (?, ?, ?, ?)
			ON CONFLICT (group_id, user_id) DO UPDATE SET removed = excluded.removed, change_seq = excluded.change_seq`,
			groupID, userID, boolInt(!member), seq)
		if err != nil {
			return fmt.Errorf("change membership of group %s: %w", groupID, err)
		}
		return nil
	})
}

// GroupMembers lists the group's direct members that are live users.
func (d *Directory) GroupMembers(ctx context.Context, groupID string) ([]User, error) {
	if _, err := d.Group(ctx, groupID); err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM group_members m JOIN users u ON u.object_id = m.user_id
		WHERE m.group_id = ? AND m.removed = 0 AND u.state = 'active' ORDER BY u.display_name COLLATE NOCASE, u.upn`, strings.ToLower(groupID))
	if err != nil {
		return nil, fmt.Errorf("list members of group %s: %w", groupID, err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list members of group %s: %w", groupID, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UserGroups lists the live groups the user is a direct member of.
func (d *Directory) UserGroups(ctx context.Context, userID string) ([]Group, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+prefixed("g.", groupColumns)+` FROM group_members m JOIN groups g ON g.object_id = m.group_id
		WHERE m.user_id = ? AND m.removed = 0 AND g.deleted = 0 ORDER BY g.display_name COLLATE NOCASE`, strings.ToLower(userID))
	if err != nil {
		return nil, fmt.Errorf("list groups of user %s: %w", userID, err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("list groups of user %s: %w", userID, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// prefixed qualifies each column of a comma-separated list with a table
// alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// SetGroupDescription changes a group's description.
func (d *Directory) SetGroupDescription(ctx context.Context, groupID, description string) (Group, error) {
	err := d.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveGroup(ctx, tx, groupID); err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE groups SET description = ?, change_seq = ? WHERE object_id = ?`,
			strings.TrimSpace(description), seq, strings.ToLower(groupID))
		return err
	})
	if err != nil {
		return Group{}, err
	}
	return d.Group(ctx, groupID)
}
