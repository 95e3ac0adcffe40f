package lab

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// ProvisioningOptions configures NewProvisioning.
type ProvisioningOptions struct {
	// Now is the engine's clock; give the lab's own (Options.Now) so
	// provisioning logs and the mocks agree. Nil means time.Now.
	Now func() time.Time
	// DataDir keeps the engine's state; empty keeps it in memory.
	DataDir string
	// Logger receives the engine's diagnostics (never tokens); nil
	// discards.
	Logger *slog.Logger
	// Workers is how many objects a cycle works on at once; zero means
	// the engine's default.
	Workers int
	// Interval, when positive, replaces every app's cycle interval.
	Interval time.Duration
}

// NewProvisioning returns Entra's provisioning engine for this lab's
// tenant. Its SCIM requests go through the lab's transport, so in
// Rehearsal mode a Tenant URL on api.rudderstack.com reaches the mock SP
// over TLS and an unknown host fails as a DNS lookup would. Like Entra's
// client it follows no redirects. No background loop runs: call
// RunCycle, or Start for one. The caller closes the engine.
func (l *Lab) NewProvisioning(ctx context.Context, opts ProvisioningOptions) (*provisioning.Engine, error) {
	eng, err := provisioning.New(ctx, provisioning.Config{
		Directory:  l.Directory,
		HTTPClient: &http.Client{Transport: l.transport, CheckRedirect: noRedirects, Timeout: time.Minute},
		Now:        opts.Now,
		Logger:     opts.Logger,
		DataDir:    opts.DataDir,
		Workers:    opts.Workers,
		Interval:   opts.Interval,
		OnLog:      l.feedProvisioning,
	})
	if err != nil {
		return nil, fmt.Errorf("lab: start the provisioning engine: %w", err)
	}
	return eng, nil
}

// feedProvisioning passes a provisioning log entry to the live feed.
func (l *Lab) feedProvisioning(e provisioning.LogEntry) {
	if l.AuditLog == nil {
		return
	}
	p := &auditlog.Provisioning{Action: string(e.Action), Status: string(e.Status), SourceName: e.SourceName, Reason: e.Reason}
	// The app's name comes from the directory's cache; the entry names
	// only its ID.
	p.AppDisplayName = e.AppID
	if app, err := l.Directory.App(context.Background(), e.AppID); err == nil {
		p.AppDisplayName = app.Name
	}
	for _, x := range e.Requests {
		p.Requests = append(p.Requests, auditlog.Request{Method: x.Method, Path: x.Path, Status: x.Status, Detail: x.Detail})
	}
	l.AuditLog.Publish(auditlog.Event{Time: e.Time, Provisioning: p})
}
