package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Step is one step of an on-demand run, as the portal lists them.
type Step struct {
	// Name is the step's title.
	Name string `json:"name"`
	// Status is Success, Failure or Skipped.
	Status LogStatus `json:"status"`
	// Detail says what the step found or did.
	Detail string `json:"detail"`
}

// The steps of provision on demand (reference §3.1, MS-POD).
const (
	StepTestConnection = "Test connection"
	StepImport         = "Import user"
	StepScope          = "Determine if user is in scope"
	StepMatch          = "Match user between source and target system"
	StepAction         = "Perform action"
)

// OnDemandResult is what provision on demand shows.
type OnDemandResult struct {
	// Steps are the steps run, in order; a failed step ends the run.
	Steps []Step `json:"steps"`
	// Action is what was done to the user.
	Action Action `json:"action"`
	// Status is the action's outcome.
	Status LogStatus `json:"status"`
	// Logs are the provisioning log entries the run wrote.
	Logs []LogEntry `json:"logs"`
}

// ProvisionOnDemand provisions one user now, whatever the Provisioning
// Status, with the steps Test connection → Import → Scope → Match →
// Action. It uses the default PATCH dialect even when the Tenant URL has
// aadOptscim062020: Microsoft documents that the flag does not work with
// on-demand provisioning (reference §1, MS-COMPAT). The watermark is left
// alone.
func (e *Engine) ProvisionOnDemand(ctx context.Context, appID, userID string) (OnDemandResult, error) {
	unlock := e.lock(strings.ToLower(appID))
	defer unlock()
	j, err := e.loadJob(ctx, appID)
	if err != nil {
		return OnDemandResult{}, err
	}
	var out OnDemandResult
	step := func(name string, st LogStatus, detail string) { out.Steps = append(out.Steps, Step{name, st, detail}) }

	t := probe(ctx, j.client, e.newGUID())
	if !t.OK {
		step(StepTestConnection, StatusFailure, t.Code+": "+t.Message)
		out.Action, out.Status = ActionOther, StatusFailure
		return out, nil
	}
	step(StepTestConnection, StatusSuccess, t.Message)

	u, err := e.dir.User(ctx, userID)
	if errors.Is(err, directory.ErrNotFound) {
		step(StepImport, StatusFailure, fmt.Sprintf("No user with object ID %s in Entra ID.", userID))
		out.Action, out.Status = ActionOther, StatusFailure
		return out, nil
	}
	if err != nil {
		return OnDemandResult{}, err
	}
	step(StepImport, StatusSuccess, fmt.Sprintf("Retrieved %s (%s) from Entra ID.", u.UserPrincipalName, u.ObjectID))

	c, err := e.newCycle(ctx, j, "ondemand-"+uuid.NewString(), DialectDefault)
	if err != nil {
		return OnDemandResult{}, err
	}
	defer c.cancel()
	defer c.finish()
	res := c.evalUser(userItem{id: strings.ToLower(u.ObjectID), user: &u, force: true})
	if res != nil && res.needsManager {
		c.evalManager(res)
	}
	if err := c.finish(); err != nil {
		return OnDemandResult{}, err
	}
	if c.internalErr != nil {
		return OnDemandResult{}, c.internalErr
	}
	out.Logs, err = e.Logs(ctx, j.appID, LogQuery{CycleID: c.id})
	if err != nil {
		return OnDemandResult{}, err
	}
	scopeDetail := scopeConditions(u, j.cfg, res)
	if res == nil || res.inScope {
		step(StepScope, StatusSuccess, scopeDetail)
	} else {
		step(StepScope, StatusSkipped, scopeDetail)
	}
	if res != nil && res.match != "" {
		step(StepMatch, StatusSuccess, capitalise(res.match)+".")
	}
	out.Action, out.Status = ActionSkip, StatusSkipped
	detail := "Nothing to do: the user is out of scope and was never provisioned."
	if n := len(out.Logs); n > 0 {
		first, last := out.Logs[0], out.Logs[n-1]
		out.Action, out.Status = first.Action, last.Status
		var parts []string
		for _, l := range out.Logs {
			parts = append(parts, l.Reason)
		}
		detail = strings.Join(parts, " ")
		if last.Status == StatusFailure {
			out.Action = last.Action
		}
	}
	if j.dialect == DialectSCIM {
		detail += " (The Tenant URL's aadOptscim062020 flag does not apply to provision on demand, so the default PATCH format was used.)"
	}
	step(StepAction, out.Status, detail)
	return out, nil
}

// scopeConditions lists the scoping conditions the portal shows.
func scopeConditions(u directory.User, cfg directory.ProvisioningConfig, res *userResult) string {
	assigned := "True"
	if res != nil && !res.inScope && strings.Contains(res.scope, "not assigned") {
		assigned = "False"
	}
	active := u.Status == directory.UserActive && u.AccountEnabled
	s := fmt.Sprintf("Active in source system: %s; Assigned to application: %s; Scope sync all: %s.",
		boolText(active), assigned, boolText(cfg.Scope == directory.ScopeAll))
	if res != nil && !res.inScope {
		s += " Out of scope: " + res.scope + "."
	}
	return s
}
