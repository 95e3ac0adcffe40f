package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ssowiz/ssowiz/internal/store"
)

// NewUser is one user for CreateUsers: the properties and the password.
type NewUser struct {
	User     User
	Password string
}

// BulkError says which entry of a bulk call was refused.
type BulkError struct {
	// Index is the entry's position in the call.
	Index int
	// Err is why, as the single-object call would say it.
	Err error
}

func (e *BulkError) Error() string { return fmt.Sprintf("entry %d: %v", e.Index, e.Err) }

// Unwrap gives the entry's error, so errors.Is and As see FieldErrors.
func (e *BulkError) Unwrap() error { return e.Err }

// CreateUsers creates users as CreateUser does, in one transaction: a
// tenant of thousands of users is made in a fraction of the time a
// transaction per user takes. Nothing is created if any entry is refused;
// the error is a *BulkError naming it. It returns the new object IDs, in
// order.
func (d *Directory) CreateUsers(ctx context.Context, users []NewUser) ([]string, error) {
	t, err := d.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(users))
	rows := make([]User, len(users))
	hashes := make([]string, len(users))
	for i, nu := range users {
		u := nu.User
		u.Manager = ""
		normalizeUser(&u)
		if u.MailNickname == "" {
			u.MailNickname, _, _ = strings.Cut(u.UserPrincipalName, "@")
		}
		errs := d.validateUser(ctx, d.db, t, u, "")
		if err := validatePassword(nu.Password); err != nil {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return nil, &BulkError{Index: i, Err: errors.Join(errs...)}
		}
		if u.ObjectID, err = d.newGUID(); err != nil {
			return nil, err
		}
		if hashes[i], err = hashPassword(d.rand, nu.Password); err != nil {
			return nil, err
		}
		rows[i], ids[i] = u, u.ObjectID
	}
	err = d.write(ctx, func(tx *sql.Tx) error {
		seq, err := nextSeqs(ctx, tx, len(rows))
		if err != nil {
			return err
		}
		insert, err := tx.PrepareContext(ctx, `INSERT INTO users (`+userColumns+`, upn_key, password_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', '', ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("create users: %w", err)
		}
		defer insert.Close()
		now := d.nowText()
		for i, u := range rows {
			roles, _ := json.Marshal(nonNil(u.DirectoryRoles))
			_, err := insert.ExecContext(ctx, u.ObjectID, u.UserPrincipalName, u.Mail, u.MailNickname, u.DisplayName, u.GivenName,
				u.Surname, u.JobTitle, u.Department, u.EmployeeID, u.PreferredLanguage, u.OfficeLocation, u.StreetAddress, u.City,
				u.State, u.PostalCode, u.Country, u.TelephoneNumber, u.Mobile, u.FacsimileTelephoneNumber, u.Manager, string(roles),
				boolInt(u.AccountEnabled), now, seq+int64(i), strings.ToLower(u.UserPrincipalName), hashes[i])
			if store.IsUniqueViolation(err) {
				return &BulkError{Index: i, Err: upnTaken(u.UserPrincipalName)}
			}
			if err != nil {
				return fmt.Errorf("create user %s: %w", u.UserPrincipalName, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.log.Info("users created", "count", len(users))
	return ids, nil
}

// SetGroupMembers makes the group's direct members exactly the given live
// users, in one transaction, recording each change as AddGroupMember and
// RemoveGroupMember do.
func (d *Directory) SetGroupMembers(ctx context.Context, groupID string, userIDs []string) error {
	groupID = strings.ToLower(groupID)
	want := make(map[string]bool, len(userIDs))
	var order []string
	for _, id := range userIDs {
		id = strings.ToLower(id)
		if !want[id] {
			want[id] = true
			order = append(order, id)
		}
	}
	return d.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveGroup(ctx, tx, groupID); err != nil {
			return err
		}
		current := map[string]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT user_id, removed FROM group_members WHERE group_id = ?`, groupID)
		if err != nil {
			return fmt.Errorf("read the members of group %s: %w", groupID, err)
		}
		for rows.Next() {
			var id string
			var removed bool
			if err := rows.Scan(&id, &removed); err != nil {
				rows.Close()
				return fmt.Errorf("read the members of group %s: %w", groupID, err)
			}
			current[id] = !removed
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read the members of group %s: %w", groupID, err)
		}
		var added []string
		for _, id := range order {
			if !current[id] {
				added = append(added, id)
			}
		}
		states, err := userStates(ctx, tx, added)
		if err != nil {
			return err
		}
		type change struct {
			userID string
			member bool
		}
		var changes []change
		for _, id := range added {
			st, ok := states[id]
			if !ok {
				return fmt.Errorf("user %s: %w", id, ErrNotFound)
			}
			if st != UserActive {
				return fmt.Errorf("user %s is deleted and cannot be added to a group: %w", id, ErrWrongState)
			}
			changes = append(changes, change{id, true})
		}
		for id, member := range current {
			if member && !want[id] {
				changes = append(changes, change{id, false})
			}
		}
		if len(changes) == 0 {
			return nil
		}
		seq, err := nextSeqs(ctx, tx, len(changes))
		if err != nil {
			return err
		}
		upsert, err := tx.PrepareContext(ctx, `INSERT INTO group_members (group_id, user_id, removed, change_seq) VALUES (?, ?, ?, ?)
			ON CONFLICT (group_id, user_id) DO UPDATE SET removed = excluded.removed, change_seq = excluded.change_seq`)
		if err != nil {
			return fmt.Errorf("change membership: %w", err)
		}
		defer upsert.Close()
		for i, c := range changes {
			if _, err := upsert.ExecContext(ctx, groupID, c.userID, boolInt(!c.member), seq+int64(i)); err != nil {
				return fmt.Errorf("change membership of group %s: %w", groupID, err)
			}
		}
		return nil
	})
}

// nextSeqs reserves n consecutive change sequence numbers inside tx, in
// one statement, and returns the first; the caller numbers its rows from
// it. A bulk write of thousands of rows thus costs one sequence update,
// not one per row, and the numbers are the same as n calls to nextSeq.
func nextSeqs(ctx context.Context, tx *sql.Tx, n int) (int64, error) {
	if n <= 0 {
		return 0, nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `UPDATE sequence SET n = n + ? WHERE id = 1 RETURNING n`, n).Scan(&last); err != nil {
		return 0, fmt.Errorf("bump the change sequence: %w", err)
	}
	return last - int64(n) + 1, nil
}

// idChunk bounds the IDs one query binds, well under SQLite's limit on
// parameters.
const idChunk = 500

// inChunks calls fn with the IDs in slices of at most idChunk, and the
// placeholders ("?, ?, ?") for each. More IDs than a chunk holds make one
// call with no IDs and no placeholders, for fn to read the whole table
// instead: one scan of ten thousand rows costs less than twenty queries
// each prepared for its own five hundred.
func inChunks(ids []string, fn func(ids []string, marks string) error) error {
	if len(ids) > idChunk {
		return fn(nil, "")
	}
	for start := 0; start < len(ids); start += idChunk {
		part := ids[start:min(start+idChunk, len(ids))]
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")
		if err := fn(part, marks); err != nil {
			return err
		}
	}
	return nil
}

func anySlice(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// userStates reads the status of each user with one query per few hundred
// IDs; an ID that names no user is left out.
func userStates(ctx context.Context, q querier, ids []string) (map[string]UserStatus, error) {
	out := make(map[string]UserStatus, len(ids))
	var wanted map[string]bool
	if len(ids) > idChunk {
		wanted = make(map[string]bool, len(ids))
		for _, id := range ids {
			wanted[id] = true
		}
	}
	err := inChunks(ids, func(part []string, marks string) error {
		query := `SELECT object_id, state FROM users`
		if part != nil {
			query += ` WHERE object_id IN (` + marks + `)`
		}
		rows, err := q.QueryContext(ctx, query, anySlice(part)...)
		if err != nil {
			return fmt.Errorf("read users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, st string
			if err := rows.Scan(&id, &st); err != nil {
				return fmt.Errorf("read users: %w", err)
			}
			if wanted == nil || wanted[id] {
				out[id] = UserStatus(st)
			}
		}
		return rows.Err()
	})
	return out, err
}

// CheckPasswords says, for each live user given by object ID, whether the
// password opens the account, as VerifyPassword would, reading the stored
// hashes with one query per few hundred users instead of one each. The
// answer is keyed by object ID in lower case (as the directory makes
// them); a user who is not live is false.
func (d *Directory) CheckPasswords(ctx context.Context, passwords map[string]string) (map[string]bool, error) {
	ids := make([]string, 0, len(passwords))
	byID := make(map[string]string, len(passwords))
	for id, pw := range passwords {
		key := strings.ToLower(id)
		ids = append(ids, key)
		byID[key] = pw
	}
	slices.Sort(ids)
	out := make(map[string]bool, len(passwords))
	err := inChunks(ids, func(part []string, marks string) error {
		query := `SELECT object_id, password_hash FROM users WHERE state = 'active'`
		if part != nil {
			query += ` AND object_id IN (` + marks + `)`
		}
		rows, err := d.db.QueryContext(ctx, query, anySlice(part)...)
		if err != nil {
			return fmt.Errorf("check passwords: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, hash string
			if err := rows.Scan(&id, &hash); err != nil {
				return fmt.Errorf("check passwords: %w", err)
			}
			if pw, ok := byID[id]; ok {
				out[id] = checkPassword(hash, pw)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for id := range passwords {
		if _, ok := out[strings.ToLower(id)]; !ok {
			out[strings.ToLower(id)] = false
		}
	}
	return out, nil
}

// AssignedUserIDs is the set of live users assigned to the app directly
// or through a group, as AssignedUsers lists them, by lower-case object
// ID: what a caller that only asks "is this one assigned?" of thousands
// of users needs, without reading each user whole.
func (d *Directory) AssignedUserIDs(ctx context.Context, appID string) (map[string]bool, error) {
	rows, err := d.db.QueryContext(ctx, effectiveAssignment, strings.ToLower(appID))
	if err != nil {
		return nil, fmt.Errorf("list users assigned to %s: %w", appID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list users assigned to %s: %w", appID, err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
