package directory

import (
	"context"
	"fmt"
	"sort"
)

// ChangeKind says what a Change is about.
type ChangeKind string

// The change kinds.
const (
	// ChangeUser: a user was created, edited, enabled or disabled,
	// soft-deleted, restored or permanently deleted.
	ChangeUser ChangeKind = "user"
	// ChangeGroup: a group was created, renamed or deleted.
	ChangeGroup ChangeKind = "group"
	// ChangeMembership: a user joined or left a group.
	ChangeMembership ChangeKind = "membership"
	// ChangeAssignment: a user or group was assigned to or unassigned from
	// an app.
	ChangeAssignment ChangeKind = "assignment"
)

// Change is one object whose state changed after a watermark. Only the
// latest state is reported: an object changed twice appears once, at its
// latest sequence, as a delta query would return it.
type Change struct {
	// Seq is the change sequence of the object's latest change.
	Seq int64
	// Kind says which fields below apply.
	Kind ChangeKind
	// ObjectID is the user (user, membership, user assignment) or group
	// (group, group assignment) object ID.
	ObjectID string
	// GroupID is the group of a membership change.
	GroupID string
	// AppID is the application of an assignment change.
	AppID string
	// PrincipalType is user or group for an assignment change.
	PrincipalType PrincipalType
	// Removed is true for a membership or assignment that ended, and for a
	// deleted group.
	Removed bool
	// UserStatus is the user's status for a user change (active,
	// softDeleted, hardDeleted).
	UserStatus UserStatus
}

// Sequence returns the current change sequence: the watermark that a
// cycle which has read everything should store. It moves on at every
// change to a user (a password reset included), group, membership or
// assignment.
func (d *Directory) Sequence(ctx context.Context) (int64, error) {
	var n int64
	if err := d.db.QueryRowContext(ctx, `SELECT n FROM sequence WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read the change sequence: %w", err)
	}
	return n, nil
}

// ChangesSince returns every object changed after sequence after, in
// sequence order, and the sequence to store as the next watermark. It
// includes soft and permanent deletions, membership removals and
// unassignments. Pass 0 for everything.
func (d *Directory) ChangesSince(ctx context.Context, after int64) ([]Change, int64, error) {
	// Read the watermark and the rows in one transaction so a concurrent
	// write lands either in both or in neither.
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("read changes: %w", err)
	}
	defer tx.Rollback()
	var latest int64
	if err := tx.QueryRowContext(ctx, `SELECT n FROM sequence WHERE id = 1`).Scan(&latest); err != nil {
		return nil, 0, fmt.Errorf("read the change sequence: %w", err)
	}
	var out []Change
	queries := []struct {
		sql  string
		scan func(scan func(...any) error) (Change, error)
	}{
		{`SELECT change_seq, object_id, state FROM users WHERE change_seq > ?`, func(s func(...any) error) (Change, error) {
			c := Change{Kind: ChangeUser}
			var st string
			err := s(&c.Seq, &c.ObjectID, &st)
			c.UserStatus = UserStatus(st)
			return c, err
		}},
		{`SELECT change_seq, object_id, deleted FROM groups WHERE change_seq > ?`, func(s func(...any) error) (Change, error) {
			c := Change{Kind: ChangeGroup}
			err := s(&c.Seq, &c.ObjectID, &c.Removed)
			return c, err
		}},
		{`SELECT change_seq, user_id, group_id, removed FROM group_members WHERE change_seq > ?`, func(s func(...any) error) (Change, error) {
			c := Change{Kind: ChangeMembership}
			err := s(&c.Seq, &c.ObjectID, &c.GroupID, &c.Removed)
			return c, err
		}},
		{`SELECT change_seq, principal_id, app_id, principal_type, removed FROM assignments WHERE change_seq > ?`, func(s func(...any) error) (Change, error) {
			c := Change{Kind: ChangeAssignment}
			var pt string
			err := s(&c.Seq, &c.ObjectID, &c.AppID, &pt, &c.Removed)
			c.PrincipalType = PrincipalType(pt)
			return c, err
		}},
	}
	for _, q := range queries {
		rows, err := tx.QueryContext(ctx, q.sql, after)
		if err != nil {
			return nil, 0, fmt.Errorf("read changes: %w", err)
		}
		for rows.Next() {
			c, err := q.scan(rows.Scan)
			if err != nil {
				rows.Close()
				return nil, 0, fmt.Errorf("read changes: %w", err)
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, fmt.Errorf("read changes: %w", err)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, latest, nil
}
