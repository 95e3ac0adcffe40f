package provisioning

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// objKind is a managed object's kind.
type objKind string

const (
	kindUser  objKind = "user"
	kindGroup objKind = "group"
)

// objState is where a managed object stands in the target.
type objState string

const (
	// stateActive: provisioned and enabled.
	stateActive objState = "active"
	// stateDisabled: disabled because the user was blocked from sign-in
	// or soft-deleted; still managed (a hard delete may follow).
	stateDisabled objState = "disabled"
	// stateOutOfScope: disabled on unassignment. The object is no longer
	// managed: a later delete in Entra sends nothing (reference §4.7); only
	// coming back in scope re-enables it.
	stateOutOfScope objState = "outOfScope"
	// stateDeleted: deleted in the target, or its source was deleted.
	stateDeleted objState = "deleted"
)

// object is the engine's record of one user or group it manages.
type object struct {
	kind       objKind
	sourceID   string
	sourceName string
	targetID   string
	state      objState
	// syncedSeq is the source's change sequence when it was last fully in
	// sync (attributes and manager); an unchanged user is then skipped
	// without a request, so a resumed initial cycle does not redo work.
	syncedSeq int64
	// targetManager is the manager id last seen or set in the target.
	targetManager string
	// members are the target ids of a group's members the engine added.
	members []string
}

func (o *object) anchored() bool { return o != nil && o.targetID != "" && o.state != stateDeleted }

func objKey(k objKind, id string) string { return string(k) + "/" + strings.ToLower(id) }

// loadObjects reads every object the engine manages for an app.
func (e *Engine) loadObjects(ctx context.Context, appID string) (map[string]*object, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT kind, source_id, source_name, target_id, state, synced_seq, target_manager, members
		FROM objects WHERE app_id = ?`, appID)
	if err != nil {
		return nil, fmt.Errorf("read the objects provisioned for %s: %w", appID, err)
	}
	defer rows.Close()
	out := map[string]*object{}
	for rows.Next() {
		o := &object{}
		var members string
		if err := rows.Scan(&o.kind, &o.sourceID, &o.sourceName, &o.targetID, &o.state, &o.syncedSeq, &o.targetManager, &members); err != nil {
			return nil, fmt.Errorf("read the objects provisioned for %s: %w", appID, err)
		}
		if err := json.Unmarshal([]byte(members), &o.members); err != nil {
			return nil, fmt.Errorf("read the members of group %s: %w", o.sourceID, err)
		}
		out[objKey(o.kind, o.sourceID)] = o
	}
	return out, rows.Err()
}

// escrowEntry is an object waiting for a retry.
type escrowEntry struct {
	kind      objKind
	sourceID  string
	attempts  int
	nextRetry time.Time
	reference bool
}

func (e *Engine) loadEscrow(ctx context.Context, appID string) ([]escrowEntry, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT kind, source_id, attempts, next_retry_at, reference FROM escrow WHERE app_id = ?`, appID)
	if err != nil {
		return nil, fmt.Errorf("read the escrow of %s: %w", appID, err)
	}
	defer rows.Close()
	var out []escrowEntry
	for rows.Next() {
		var x escrowEntry
		var next string
		if err := rows.Scan(&x.kind, &x.sourceID, &x.attempts, &next, &x.reference); err != nil {
			return nil, fmt.Errorf("read the escrow of %s: %w", appID, err)
		}
		x.nextRetry = parseTime(next)
		out = append(out, x)
	}
	return out, rows.Err()
}

// outcome is what one evaluation of an object writes, in one transaction:
// the object's new record, its escrow entry set or cleared, and the log
// entry.
type outcome struct {
	obj  *object
	fail *failure
	log  *LogEntry
	// keepEscrow skips clearing the escrow entry of a success, when the
	// cycle knows there is none (a DELETE per object is not free).
	keepEscrow bool
}

// The statements record runs for every object, prepared once: parsing SQL
// costs more than running these.
const (
	sqlUpsertObject = `INSERT INTO objects (app_id, kind, source_id, source_name, target_id, state, synced_seq, target_manager, members, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (app_id, kind, source_id) DO UPDATE SET source_name = excluded.source_name, target_id = excluded.target_id,
		state = excluded.state, synced_seq = excluded.synced_seq, target_manager = excluded.target_manager,
		members = excluded.members, updated_at = excluded.updated_at`
	sqlEscrowAttempts = `SELECT attempts FROM escrow WHERE app_id = ? AND kind = ? AND source_id = ?`
	sqlUpsertEscrow   = `INSERT INTO escrow (app_id, kind, source_id, source_name, attempts, first_failed_at, next_retry_at, code, reason, reference)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (app_id, kind, source_id) DO UPDATE SET source_name = excluded.source_name, attempts = excluded.attempts,
		next_retry_at = excluded.next_retry_at, code = excluded.code, reason = excluded.reason, reference = excluded.reference`
	sqlClearEscrow = `DELETE FROM escrow WHERE app_id = ? AND kind = ? AND source_id = ?`
	sqlInsertLog   = `INSERT INTO logs (app_id, cycle_id, at, action, status, kind, source_id, source_name, target_id, code, reason, requests)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// stmts are the prepared statements of record.
type stmts struct {
	upsertObject, escrowAttempts, upsertEscrow, clearEscrow, insertLog *sql.Stmt
}

func prepare(ctx context.Context, db *sql.DB) (*stmts, error) {
	var s stmts
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{{&s.upsertObject, sqlUpsertObject}, {&s.escrowAttempts, sqlEscrowAttempts}, {&s.upsertEscrow, sqlUpsertEscrow},
		{&s.clearEscrow, sqlClearEscrow}, {&s.insertLog, sqlInsertLog}} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("prepare the provisioning store's statements: %w", err)
		}
		*p.dst = st
	}
	return &s, nil
}

func (s *stmts) close() {
	for _, st := range []*sql.Stmt{s.upsertObject, s.escrowAttempts, s.upsertEscrow, s.clearEscrow, s.insertLog} {
		if st != nil {
			st.Close()
		}
	}
}

// record writes outcomes in one transaction. It runs even if the cycle's
// context was cancelled, so what the server acknowledged is never
// forgotten by a stopping cycle (a killed process is covered by matching
// instead: the next cycle's filter query finds the user and adopts it).
func (e *Engine) record(ctx context.Context, appID, cycleID string, batch []outcome) error {
	ctx = context.WithoutCancel(ctx)
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record provisioning results: %w", err)
	}
	defer tx.Rollback()
	st := func(s *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, s) }
	now := e.now()
	for _, o := range batch {
		if err := e.recordOne(ctx, st, appID, cycleID, now, o); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record provisioning results: %w", err)
	}
	if e.onLog != nil {
		for _, o := range batch {
			if o.log != nil {
				e.onLog(*o.log)
			}
		}
	}
	return nil
}

func (e *Engine) recordOne(ctx context.Context, st func(*sql.Stmt) *sql.Stmt, appID, cycleID string, now time.Time, o outcome) error {
	if o.obj != nil {
		members, _ := json.Marshal(nonNil(o.obj.members))
		_, err := st(e.stmts.upsertObject).ExecContext(ctx, appID, string(o.obj.kind), strings.ToLower(o.obj.sourceID), o.obj.sourceName,
			o.obj.targetID, string(o.obj.state), o.obj.syncedSeq, o.obj.targetManager, string(members), formatTime(now))
		if err != nil {
			return fmt.Errorf("record %s %s: %w", o.obj.kind, o.obj.sourceID, err)
		}
	}
	l := o.log
	if l == nil {
		return nil
	}
	kind := kindUser
	if l.ObjectType == "Group" {
		kind = kindGroup
	}
	source := strings.ToLower(l.SourceID)
	switch {
	case o.fail != nil && o.fail.scope == failObject:
		var attempts int
		err := st(e.stmts.escrowAttempts).QueryRowContext(ctx, appID, string(kind), source).Scan(&attempts)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read the escrow of %s: %w", l.SourceID, err)
		}
		attempts++
		next := now.Add(e.escrow.backoff(attempts))
		l.Reason += fmt.Sprintf(" This operation was retried %d times. It will be retried again after this date: %s UTC",
			attempts-1, next.UTC().Format("2006-01-02T15:04:05.0000000Z"))
		_, err = st(e.stmts.upsertEscrow).ExecContext(ctx, appID, string(kind), source, l.SourceName, attempts, formatTime(now),
			formatTime(next), o.fail.code, o.fail.message, boolInt(o.fail.reference))
		if err != nil {
			return fmt.Errorf("escrow %s: %w", l.SourceID, err)
		}
	case o.fail == nil && !o.keepEscrow:
		if _, err := st(e.stmts.clearEscrow).ExecContext(ctx, appID, string(kind), source); err != nil {
			return fmt.Errorf("clear the escrow of %s: %w", l.SourceID, err)
		}
	}
	reqs, _ := json.Marshal(nonNilEx(l.Requests))
	l.AppID, l.CycleID, l.Time = appID, cycleID, now
	res, err := st(e.stmts.insertLog).ExecContext(ctx, appID, cycleID, formatTime(now), string(l.Action), string(l.Status), string(kind),
		source, l.SourceName, l.TargetID, l.Code, l.Reason, string(reqs))
	if err != nil {
		return fmt.Errorf("write a provisioning log entry: %w", err)
	}
	l.ID, _ = res.LastInsertId()
	return nil
}

// jobState is the engine's own state of one app's job.
type jobState struct {
	watermark        sql.NullInt64
	fingerprint      string
	quarantine       *Quarantine
	quarantineCycles int
	lastCycle        *CycleReport
}

func (e *Engine) readJobState(ctx context.Context, appID string) (jobState, error) {
	var s jobState
	var reason, detail, since, last string
	err := e.db.QueryRowContext(ctx, `SELECT watermark, fingerprint, quarantine_reason, quarantine_detail, quarantined_at, quarantine_cycles, last_cycle
		FROM jobs WHERE app_id = ?`, appID).Scan(&s.watermark, &s.fingerprint, &reason, &detail, &since, &s.quarantineCycles, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return jobState{}, nil
	}
	if err != nil {
		return jobState{}, fmt.Errorf("read the provisioning state of %s: %w", appID, err)
	}
	if reason != "" {
		s.quarantine = &Quarantine{Reason: reason, Detail: detail, Since: parseTime(since)}
	}
	if last != "null" {
		var r CycleReport
		if err := json.Unmarshal([]byte(last), &r); err == nil {
			s.lastCycle = &r
		}
	}
	return s, nil
}

func (e *Engine) writeJobState(ctx context.Context, appID string, s jobState) error {
	var reason, detail, since string
	if q := s.quarantine; q != nil {
		reason, detail, since = q.Reason, q.Detail, formatTime(q.Since)
	}
	last, _ := json.Marshal(s.lastCycle)
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	_, err := e.db.ExecContext(context.WithoutCancel(ctx), `INSERT INTO jobs (app_id, watermark, fingerprint, quarantine_reason, quarantine_detail, quarantined_at, quarantine_cycles, last_cycle)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (app_id) DO UPDATE SET watermark = excluded.watermark, fingerprint = excluded.fingerprint,
		quarantine_reason = excluded.quarantine_reason, quarantine_detail = excluded.quarantine_detail,
		quarantined_at = excluded.quarantined_at, quarantine_cycles = excluded.quarantine_cycles, last_cycle = excluded.last_cycle`,
		appID, s.watermark, s.fingerprint, reason, detail, since, s.quarantineCycles, string(last))
	if err != nil {
		return fmt.Errorf("save the provisioning state of %s: %w", appID, err)
	}
	return nil
}

// resetJob forgets an app's job as "Restart provisioning" does: cached
// target ids, watermark, escrow and quarantine go, so the next cycle is an
// initial one that matches everything again. Logs stay.
func (e *Engine) resetJob(ctx context.Context, appID string) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("restart provisioning of %s: %w", appID, err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM objects WHERE app_id = ?`, `DELETE FROM escrow WHERE app_id = ?`, `DELETE FROM jobs WHERE app_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, appID); err != nil {
			return fmt.Errorf("restart provisioning of %s: %w", appID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("restart provisioning of %s: %w", appID, err)
	}
	return nil
}

// escrowCounts returns the escrowed failures not counting reference
// failures, and all of them.
func (e *Engine) escrowCounts(ctx context.Context, appID string) (plain, all int, err error) {
	err = e.db.QueryRowContext(ctx, `SELECT coalesce(sum(reference = 0), 0), count(*) FROM escrow WHERE app_id = ?`, appID).Scan(&plain, &all)
	if err != nil {
		return 0, 0, fmt.Errorf("count the escrow of %s: %w", appID, err)
	}
	return plain, all, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilEx(s []Exchange) []Exchange {
	if s == nil {
		return []Exchange{}
	}
	return s
}
