package provisioning

import (
	"context"
	"fmt"
)

// Status is an app's provisioning job as the Provisioning overview shows
// it.
type Status struct {
	// AppID is the application.
	AppID string `json:"appId"`
	// Enabled is Provisioning Status On.
	Enabled bool `json:"enabled"`
	// Dialect is the PATCH dialect the Tenant URL selects.
	Dialect Dialect `json:"dialect"`
	// InitialCycleDone is true once an initial cycle completed; the next
	// cycle is then incremental.
	InitialCycleDone bool `json:"initialCycleDone"`
	// Watermark is the change sequence the next incremental cycle starts
	// after.
	Watermark int64 `json:"watermark"`
	// LastCycle is the last cycle's report, nil before the first.
	LastCycle *CycleReport `json:"lastCycle,omitempty"`
	// Quarantine is set while the job is in quarantine.
	Quarantine *Quarantine `json:"quarantine,omitempty"`
	// Escrowed is the number of objects waiting for a retry.
	Escrowed int `json:"escrowed"`
	// Users and Groups count the objects the engine manages in the target.
	Users  int `json:"users"`
	Groups int `json:"groups"`
}

// Status returns the app's provisioning status.
func (e *Engine) Status(ctx context.Context, appID string) (Status, error) {
	app, err := e.dir.App(ctx, appID)
	if err != nil {
		return Status{}, err
	}
	cfg, err := e.dir.Provisioning(ctx, app.AppID)
	if err != nil {
		return Status{}, err
	}
	st, err := e.readJobState(ctx, app.AppID)
	if err != nil {
		return Status{}, err
	}
	s := Status{AppID: app.AppID, Enabled: cfg.Enabled, Dialect: DialectDefault, InitialCycleDone: st.watermark.Valid,
		Watermark: st.watermark.Int64, LastCycle: st.lastCycle, Quarantine: st.quarantine}
	if ep, err := parseTenantURL(cfg.TenantURL); err == nil {
		s.Dialect = ep.dialect
	}
	if _, s.Escrowed, err = e.escrowCounts(ctx, app.AppID); err != nil {
		return Status{}, err
	}
	err = e.db.QueryRowContext(ctx, `SELECT coalesce(sum(kind = 'user'), 0), coalesce(sum(kind = 'group'), 0) FROM objects
		WHERE app_id = ? AND state IN ('active', 'disabled')`, app.AppID).Scan(&s.Users, &s.Groups)
	if err != nil {
		return Status{}, fmt.Errorf("count the objects provisioned for %s: %w", appID, err)
	}
	return s, nil
}
