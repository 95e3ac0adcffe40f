package graph

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// ProvisioningEngine is what provision on demand and restart need of the
// provisioning engine (provisioning.Engine).
type ProvisioningEngine interface {
	ProvisionOnDemand(ctx context.Context, appID, userID string) (provisioning.OnDemandResult, error)
	Restart(ctx context.Context, appID string) error
}

// errNoEngine answers what needs the provisioning engine where none runs.
var errNoEngine = badRequest("Provisioning does not run in this ssowiz: start ssowiz serve with --provision for provision on demand and restarts.")

// restartSyncJob is POST .../jobs/{job}/restart: the next cycle is an
// initial one, as "Restart provisioning" does.
func (s *Server) restartSyncJob(w http.ResponseWriter, r *http.Request) {
	a, _, e := s.findJob(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	if s.engine == nil {
		s.fail(w, r, errNoEngine)
		return
	}
	if err := s.engine.Restart(r.Context(), a.AppID); err != nil {
		s.internal(w, r, err)
		return
	}
	s.noContent(w, r)
}

// provisionOnDemand is POST .../jobs/{job}/provisionOnDemand for one user:
// the steps as Graph's stringKeyStringValuePair, whose value is the JSON
// of the run.
func (s *Server) provisionOnDemand(w http.ResponseWriter, r *http.Request) {
	raw, e := readObject(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	a, _, e := s.findJob(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	var params []struct {
		Subjects []struct {
			ObjectID       string `json:"objectId"`
			ObjectTypeName string `json:"objectTypeName"`
		} `json:"subjects"`
		RuleID string `json:"ruleId"`
	}
	if v, ok := raw["parameters"]; !ok || json.Unmarshal(v, &params) != nil || len(params) != 1 || len(params[0].Subjects) != 1 {
		s.fail(w, r, badRequest("The body must be {\"parameters\": [{\"subjects\": [{\"objectId\": \"<user id>\", \"objectTypeName\": \"User\"}], \"ruleId\": \"<rule id>\"}]}, with one user."))
		return
	}
	subj := params[0].Subjects[0]
	if !strings.EqualFold(subj.ObjectTypeName, "User") {
		s.fail(w, r, badRequest(fmt.Sprintf("ssowiz's mock provisions users on demand, not %q.", subj.ObjectTypeName), errorDetail{"NotSupported", "objectTypeName"}))
		return
	}
	if s.engine == nil {
		s.fail(w, r, errNoEngine)
		return
	}
	res, err := s.engine.ProvisionOnDemand(r.Context(), a.AppID, subj.ObjectID)
	if errors.Is(err, directory.ErrNotFound) {
		s.fail(w, r, notFound(subj.ObjectID))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusOK, s.onDemandPair(subj.ObjectID, res))
}

// onDemandPair is provisionOnDemand's answer as Graph's reference shows
// it (synchronization-synchronizationjob-provisionondemand, example 1): a
// stringKeyStringValuePair whose key is the JSON of the result and whose
// value is the JSON of the run, steps first-class.
func (s *Server) onDemandPair(userID string, res provisioning.OnDemandResult) object {
	now := logTime(s.now())
	details := object{}
	var code, reason any
	if res.Status != provisioning.StatusSuccess && len(res.Steps) > 0 {
		last := res.Steps[len(res.Steps)-1]
		c := string(res.Status)
		if n := len(res.Logs); n > 0 && res.Logs[n-1].Code != "" {
			c = res.Logs[n-1].Code
		}
		code, reason = c, last.Detail
		details = object{{"errorCode", c}, {"errorMessage", last.Detail}}
	}
	steps := make([]object, len(res.Steps))
	for i, st := range res.Steps {
		steps[i] = object{{"name", st.Name}, {"type", onDemandStepType(st.Name)}, {"status", string(st.Status)},
			{"description", st.Detail}, {"timestamp", now}, {"details", object{}}}
	}
	reportable, targetID := userID, any(nil)
	if n := len(res.Logs); n > 0 {
		if res.Logs[n-1].SourceName != "" {
			reportable = res.Logs[n-1].SourceName
		}
		if res.Logs[n-1].TargetID != "" {
			targetID = res.Logs[n-1].TargetID
		}
	}
	key, _ := marshal(object{{"result", string(res.Status)}, {"details", details}})
	// Graph's provisioningAction has no "Skip": a run that sent nothing
	// is "Other", as the reference's Skipped example shows.
	action := string(res.Action)
	if res.Action == provisioning.ActionSkip {
		action = string(provisioning.ActionOther)
	}
	value, _ := marshal(object{
		{"action", action}, {"changeId", s.guid()}, {"endTime", now},
		{"provisioningSteps", steps}, {"reportableIdentifier", reportable}, {"startTime", now},
		{"statusInfo", object{{"status", string(res.Status)}, {"errorCode", code}, {"reason", reason},
			{"additionalDetails", nil}, {"errorCategory", nil}, {"recommendedAction", nil}}},
		{"sourceIdentity", object{{"id", userID}, {"type", "User"}, {"displayName", nil}, {"details", nil}}},
		{"sourceSystem", object{{"id", nil}, {"name", "Microsoft Entra ID"}, {"details", nil}}},
		{"targetIdentity", object{{"id", targetID}, {"type", "urn:ietf:params:scim:schemas:core:2.0:User"}, {"displayName", nil}, {"details", nil}}},
		{"targetSystem", object{{"id", nil}, {"name", "customappsso"}, {"details", nil}}},
	})
	return object{
		{"@odata.context", s.graph + "/$metadata#microsoft.graph.stringKeyStringValuePair"},
		{"key", string(key)},
		{"value", string(value)},
	}
}

// onDemandStepType is an on-demand step's provisioningStepType.
func onDemandStepType(name string) string {
	switch name {
	case provisioning.StepImport:
		return "Import"
	case provisioning.StepScope:
		return "Scoping"
	case provisioning.StepMatch:
		return "Matching"
	case provisioning.StepAction:
		return "Export"
	}
	return "Processing" // Test connection
}

// syncTemplateID is the synchronization template of a non-gallery app:
// SCIM to the Tenant URL.
const syncTemplateID = "scim"

func (s *Server) listSyncTemplates(w http.ResponseWriter, r *http.Request) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	s.writeOData(w, r, http.StatusOK, object{
		{"@odata.context", s.graph + "/$metadata#servicePrincipals('" + a.ServicePrincipalID + "')/synchronization/templates"},
		{"value", []object{{
			{"id", syncTemplateID}, {"applicationId", a.AppID}, {"default", true},
			{"description", "Provision users to an application that supports SCIM 2.0"}, {"discoverable", true},
			{"factoryTag", syncTemplateID}, {"metadata", []any{}}, {"schema", nil},
		}}},
	})
}

// syncJob is the app's one synchronization job: made by POST jobs, or
// there since the app's Provisioning page was filled in (a tenant file,
// the portal). sql.ErrNoRows means it has none.
func (s *Server) syncJob(ctx context.Context, a directory.App) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT job_id FROM sync_jobs WHERE sp_object_id = ?`, a.ServicePrincipalID).Scan(&id)
	if !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	p, err := s.dir.Provisioning(ctx, a.AppID)
	if err != nil {
		return "", err
	}
	if p.TenantURL == "" {
		return "", sql.ErrNoRows
	}
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		return "", err
	}
	return jobID(a, t), nil
}

// jobID is the job's ID, in Entra's form: template, app and tenant.
func jobID(a directory.App, t directory.Tenant) string {
	return syncTemplateID + "." + strings.ReplaceAll(a.AppID, "-", "") + "." + strings.ReplaceAll(t.ID, "-", "")
}

// jobObject is a synchronization job with its schedule and status, read
// from the app's Provisioning page.
func jobObject(jobID string, p directory.ProvisioningConfig) object {
	state, code := "Disabled", "NotConfigured"
	switch {
	case p.Enabled:
		state, code = "Active", "Active"
	case p.TenantURL != "" && p.SecretToken.IsSet():
		code = "Paused"
	}
	interval := fmt.Sprintf("PT%dM", int(p.Interval.Minutes()))
	return object{
		{"id", jobID},
		{"templateId", syncTemplateID},
		{"schedule", object{{"expiration", nil}, {"interval", interval}, {"state", state}}},
		// The status's properties as synchronization-synchronizationjob-get's
		// example lists them; the mock keeps no run history here (the
		// provisioning logs hold it), so the run fields are Graph's
		// values for a job that has not reported one.
		{"status", object{{"code", code}, {"countSuccessiveCompleteFailures", 0}, {"escrowsPruned", false},
			{"synchronizedEntryCountByType", []any{}}, {"lastExecution", nil}, {"lastSuccessfulExecution", nil},
			{"lastSuccessfulExecutionWithExports", nil}, {"progress", []any{}}, {"quarantine", nil},
			{"steadyStateFirstAchievedTime", "0001-01-01T00:00:00Z"}, {"steadyStateLastAchievedTime", "0001-01-01T00:00:00Z"},
			{"troubleshootingUrl", nil}}},
		{"synchronizationJobSettings", []object{}},
	}
}

// createSyncJob is POST /servicePrincipals/{id}/synchronization/jobs with
// the "scim" template, as "Provisioning" > "Get started" does.
func (s *Server) createSyncJob(w http.ResponseWriter, r *http.Request) {
	raw, a, ok := s.servicePrincipalWrite(w, r)
	if !ok {
		return
	}
	var tmpl string
	if v, ok := raw["templateId"]; !ok || json.Unmarshal(v, &tmpl) != nil || tmpl != syncTemplateID {
		s.fail(w, r, badRequest(fmt.Sprintf("The templateId must be %q, the synchronization template of a non-gallery application.", syncTemplateID), errorDetail{"InvalidValue", "templateId"}))
		return
	}
	ctx := r.Context()
	if _, err := s.syncJob(ctx, a); err == nil {
		s.fail(w, r, &apiError{http.StatusConflict, "Conflict", "The application already has a synchronization job with template 'scim'.", nil})
		return
	} else if !errors.Is(err, sql.ErrNoRows) {
		s.internal(w, r, err)
		return
	}
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	id := jobID(a, t)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sync_jobs (sp_object_id, job_id, template_id, created_at) VALUES (?, ?, ?, ?)`,
		a.ServicePrincipalID, id, tmpl, formatTime(s.now())); err != nil {
		s.internal(w, r, err)
		return
	}
	p, err := s.dir.Provisioning(ctx, a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusCreated, append(object{{"@odata.context", s.graph + "/$metadata#servicePrincipals('" + a.ServicePrincipalID + "')/synchronization/jobs/$entity"}},
		jobObject(id, p)...))
}

// findJob resolves the path's service principal and job.
func (s *Server) findJob(r *http.Request) (directory.App, string, *apiError) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		return a, "", e
	}
	id, err := s.syncJob(r.Context(), a)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !strings.EqualFold(id, r.PathValue("job")) {
		return a, "", notFound(r.PathValue("job"))
	}
	if err != nil {
		return a, "", &apiError{http.StatusInternalServerError, codeInternal, err.Error(), nil}
	}
	return a, id, nil
}

func (s *Server) listSyncJobs(w http.ResponseWriter, r *http.Request) {
	a, e := s.findServicePrincipal(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ctx := r.Context()
	jobs := []object{}
	if id, err := s.syncJob(ctx, a); err == nil {
		p, err := s.dir.Provisioning(ctx, a.AppID)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		jobs = append(jobs, jobObject(id, p))
	} else if !errors.Is(err, sql.ErrNoRows) {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusOK, object{
		{"@odata.context", s.graph + "/$metadata#servicePrincipals('" + a.ServicePrincipalID + "')/synchronization/jobs"}, {"value", jobs}})
}

func (s *Server) getSyncJob(w http.ResponseWriter, r *http.Request) {
	a, id, e := s.findJob(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	p, err := s.dir.Provisioning(r.Context(), a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeOData(w, r, http.StatusOK, append(object{{"@odata.context", s.graph + "/$metadata#servicePrincipals('" + a.ServicePrincipalID + "')/synchronization/jobs/$entity"}},
		jobObject(id, p)...))
}

// startSyncJob and pauseSyncJob switch the Provisioning Status on and off.
func (s *Server) startSyncJob(w http.ResponseWriter, r *http.Request) { s.switchSyncJob(w, r, true) }
func (s *Server) pauseSyncJob(w http.ResponseWriter, r *http.Request) { s.switchSyncJob(w, r, false) }

func (s *Server) switchSyncJob(w http.ResponseWriter, r *http.Request, on bool) {
	a, _, e := s.findJob(r)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	ctx := r.Context()
	p, err := s.dir.Provisioning(ctx, a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if on && (p.TenantURL == "" || !p.SecretToken.IsSet()) {
		s.fail(w, r, badRequest("The job cannot start without credentials: PUT synchronization/secrets with BaseAddress (the Tenant URL) and SecretToken first."))
		return
	}
	p.Enabled = on
	if _, err := s.dir.UpdateProvisioning(ctx, a.AppID, p); err != nil {
		s.failDirectory(w, r, err, "SynchronizationJob")
		return
	}
	s.log.Info("graph: synchronization job switched", "app", a.AppID, "on", on)
	s.noContent(w, r)
}

// putSyncSecrets is PUT /servicePrincipals/{id}/synchronization/secrets:
// BaseAddress is the Tenant URL, SecretToken the Secret Token. The token
// is never logged or returned.
func (s *Server) putSyncSecrets(w http.ResponseWriter, r *http.Request) {
	raw, a, ok := s.servicePrincipalWrite(w, r)
	if !ok {
		return
	}
	var pairs []struct{ Key, Value string }
	if v, ok := raw["value"]; !ok || json.Unmarshal(v, &pairs) != nil {
		s.fail(w, r, badRequest("The body must be {\"value\": [{\"key\": \"BaseAddress\", \"value\": \"...\"}, {\"key\": \"SecretToken\", \"value\": \"...\"}]}."))
		return
	}
	ctx := r.Context()
	p, err := s.dir.Provisioning(ctx, a.AppID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, kv := range pairs {
		switch kv.Key {
		case "BaseAddress":
			p.TenantURL = kv.Value
		case "SecretToken":
			p.SecretToken = directory.NewSecret(kv.Value)
		case "SyncAll":
			// Scope: "Sync only assigned users and groups" is false, the
			// one scope the mock provisions.
			if !strings.EqualFold(kv.Value, "false") {
				s.fail(w, r, badRequest("ssowiz's mock provisions only assigned users and groups: SyncAll must be \"false\".", errorDetail{"NotSupported", kv.Key}))
				return
			}
		case "SyncNotificationSettings":
			// The portal's notification email and accidental-deletion
			// threshold; the mock sends no email, so only "off" is true to it.
			var n struct{ Enabled, DeleteThresholdEnabled bool }
			if json.Unmarshal([]byte(kv.Value), &n) != nil || n.Enabled || n.DeleteThresholdEnabled {
				s.fail(w, r, badRequest("ssowiz's mock sends no provisioning notification email: SyncNotificationSettings must be {\"Enabled\":false,\"DeleteThresholdEnabled\":false}.", errorDetail{"NotSupported", kv.Key}))
				return
			}
		default:
			s.fail(w, r, badRequest(fmt.Sprintf("ssowiz's mock Graph holds the secrets BaseAddress, SecretToken, SyncAll and SyncNotificationSettings only, not %q.", kv.Key), errorDetail{"NotSupported", kv.Key}))
			return
		}
	}
	if _, err := s.dir.UpdateProvisioning(ctx, a.AppID, p); err != nil {
		s.failDirectory(w, r, err, "SynchronizationSecret")
		return
	}
	s.log.Info("graph: synchronization secrets saved", "app", a.AppID)
	s.noContent(w, r)
}
