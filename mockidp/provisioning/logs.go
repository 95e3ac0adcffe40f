package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Action is what a provisioning log entry did, as Entra's logs name it.
type Action string

// The actions.
const (
	ActionCreate  Action = "Create"
	ActionUpdate  Action = "Update"
	ActionDisable Action = "Disable"
	ActionDelete  Action = "Delete"
	ActionSkip    Action = "Skip"
	// ActionOther covers what is none of the above: matching an existing
	// object without changing it, a cycle stopped by a job-wide failure.
	ActionOther Action = "Other"
)

// LogStatus is a log entry's outcome.
type LogStatus string

// The statuses.
const (
	StatusSuccess LogStatus = "Success"
	StatusFailure LogStatus = "Failure"
	StatusSkipped LogStatus = "Skipped"
)

// LogEntry is one row of the app's provisioning logs.
type LogEntry struct {
	// ID orders entries; later entries have larger IDs.
	ID int64 `json:"id"`
	// AppID is the application.
	AppID string `json:"appId"`
	// CycleID is the cycle (or on-demand run) that wrote the entry.
	CycleID string `json:"cycleId"`
	// Time is when the action finished.
	Time time.Time `json:"time"`
	// Action is what was done.
	Action Action `json:"action"`
	// Status is Success, Failure or Skipped.
	Status LogStatus `json:"status"`
	// ObjectType is "User" or "Group".
	ObjectType string `json:"objectType"`
	// SourceID is the Entra object ID.
	SourceID string `json:"sourceId"`
	// SourceName is the user's UPN or the group's name.
	SourceName string `json:"sourceName"`
	// TargetID is the object's id in the SCIM server, when known.
	TargetID string `json:"targetId,omitempty"`
	// Code is the error code of a failure, or the reason code of a skip.
	Code string `json:"code,omitempty"`
	// Reason says why it failed or was skipped, or what was done.
	Reason string `json:"reason,omitempty"`
	// Requests are the SCIM requests made, in order, with their answers.
	Requests []Exchange `json:"requests"`
}

// LogQuery selects log entries; zero fields select everything.
type LogQuery struct {
	// SourceID keeps the entries of one user or group.
	SourceID string
	// Action keeps one action.
	Action Action
	// Status keeps one status.
	Status LogStatus
	// CycleID keeps one cycle's entries.
	CycleID string
	// AfterID keeps entries with a larger ID, for paging.
	AfterID int64
	// Limit caps the number of entries (oldest first); 0 means 1,000.
	Limit int
}

// Logs returns an app's provisioning log entries, oldest first.
func (e *Engine) Logs(ctx context.Context, appID string, q LogQuery) ([]LogEntry, error) {
	where := []string{"app_id = ?", "id > ?"}
	args := []any{strings.ToLower(appID), q.AfterID}
	for _, f := range []struct{ col, v string }{
		{"source_id", strings.ToLower(q.SourceID)}, {"action", string(q.Action)}, {"status", string(q.Status)}, {"cycle_id", q.CycleID},
	} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	args = append(args, limit)
	rows, err := e.db.QueryContext(ctx, `SELECT id, app_id, cycle_id, at, action, status, kind, source_id, source_name, target_id, code, reason, requests
		FROM logs WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("read the provisioning logs of %s: %w", appID, err)
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var l LogEntry
		var at, kind, reqs string
		if err := rows.Scan(&l.ID, &l.AppID, &l.CycleID, &at, &l.Action, &l.Status, &kind, &l.SourceID, &l.SourceName, &l.TargetID, &l.Code, &l.Reason, &reqs); err != nil {
			return nil, fmt.Errorf("read the provisioning logs of %s: %w", appID, err)
		}
		l.Time = parseTime(at)
		l.ObjectType = objectType(objKind(kind))
		if err := json.Unmarshal([]byte(reqs), &l.Requests); err != nil {
			return nil, fmt.Errorf("read the provisioning logs of %s: entry %d: %w", appID, l.ID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func objectType(k objKind) string {
	if k == kindGroup {
		return "Group"
	}
	return "User"
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
