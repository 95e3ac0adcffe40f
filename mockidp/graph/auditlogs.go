package graph

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// SignInLog is where the sign-in log is read (auditlog.Log).
type SignInLog interface {
	SignIns(ctx context.Context, q auditlog.Query) ([]auditlog.SignIn, error)
}

// ProvisioningLog is where an app's provisioning log is read
// (provisioning.Engine).
type ProvisioningLog interface {
	Logs(ctx context.Context, appID string, q provisioning.LogQuery) ([]provisioning.LogEntry, error)
}

// signInsSet is /auditLogs/signIns: newest first, up to 1,000 a page.
var signInsSet = entitySet{
	name: "auditLogs/signIns", typeName: "microsoft.graph.signIn", resource: "SignIn",
	properties: []string{"id", "createdDateTime", "userDisplayName", "userPrincipalName", "userId", "appId",
		"appDisplayName", "ipAddress", "clientAppUsed", "correlationId", "conditionalAccessStatus", "isInteractive",
		"riskDetail", "riskLevelAggregated", "riskLevelDuringSignIn", "riskState", "riskEventTypes", "riskEventTypes_v2",
		"resourceDisplayName", "resourceId", "status", "deviceDetail", "location", "appliedConditionalAccessPolicies"},
	filters: map[string][]string{
		"id": {"eq"}, "createdDateTime": {"eq", "ge", "gt", "le", "lt"}, "userId": {"eq"},
		"userPrincipalName": {"eq", "startswith"}, "userDisplayName": {"eq", "startswith"}, "appId": {"eq"},
		"appDisplayName": {"eq", "startswith"}, "ipAddress": {"eq", "startswith"}, "correlationId": {"eq"},
		"status/errorCode": {"eq"}, "clientAppUsed": {"eq"}, "resourceDisplayName": {"eq"}, "resourceId": {"eq"},
	},
	orderBy: []string{"createdDateTime"},
	maxTop:  1000, defaultTop: 1000,
}

// provisioningSet is /auditLogs/provisioning.
var provisioningSet = entitySet{
	name: "auditLogs/provisioning", typeName: "microsoft.graph.provisioningObjectSummary", resource: "ProvisioningObjectSummary",
	properties: []string{"id", "activityDateTime", "tenantId", "jobId", "cycleId", "changeId", "provisioningAction",
		"durationInMilliseconds", "initiatedBy", "servicePrincipal", "sourceSystem", "targetSystem", "sourceIdentity",
		"targetIdentity", "provisioningStatusInfo", "provisioningSteps", "modifiedProperties"},
	filters: map[string][]string{
		"id": {"eq"}, "activityDateTime": {"eq", "ge", "gt", "le", "lt"}, "jobId": {"eq"}, "cycleId": {"eq"},
		"provisioningAction": {"eq"}, "provisioningStatusInfo/status": {"eq"},
		"servicePrincipal/id": {"eq"}, "servicePrincipal/displayName": {"eq", "startswith"},
		"sourceIdentity/id": {"eq"}, "sourceIdentity/displayName": {"eq", "startswith"},
		"targetIdentity/id": {"eq"}, "targetIdentity/displayName": {"eq", "startswith"},
	},
	orderBy: []string{"activityDateTime"},
	maxTop:  1000, defaultTop: 1000,
}

// logTime is the audit logs' DateTimeOffset, with Graph's seven
// fractional digits, so "gt" the last entry's time finds only newer ones.
func logTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// signInObject is a sign-in in Graph's signIn shape.
func signInObject(s auditlog.SignIn) object {
	status := object{{"errorCode", s.ErrorCode}, {"failureReason", str(s.FailureReason)}, {"additionalDetails", nil}}
	if s.ErrorCode != 0 {
		status[2].value = additionalDetails(s.ErrorCode)
	}
	browser, os := deviceOf(s.UserAgent)
	return object{
		{"id", s.ID},
		{"createdDateTime", logTime(s.CreatedAt)},
		{"userDisplayName", str(s.UserDisplayName)},
		{"userPrincipalName", str(s.UserPrincipalName)},
		{"userId", s.UserID},
		{"appId", s.AppID},
		{"appDisplayName", str(s.AppDisplayName)},
		{"ipAddress", s.IPAddress},
		{"clientAppUsed", "Browser"},
		{"correlationId", s.CorrelationID},
		{"conditionalAccessStatus", "notApplied"},
		{"isInteractive", true},
		{"riskDetail", "none"},
		{"riskLevelAggregated", "none"},
		{"riskLevelDuringSignIn", "none"},
		{"riskState", "none"},
		{"riskEventTypes", []string{}},
		{"riskEventTypes_v2", []string{}},
		{"resourceDisplayName", str(s.AppDisplayName)},
		{"resourceId", s.AppID},
		{"status", status},
		{"deviceDetail", object{{"deviceId", ""}, {"displayName", nil}, {"operatingSystem", os}, {"browser", browser},
			{"isCompliant", nil}, {"isManaged", nil}, {"trustType", nil}}},
		{"location", object{{"city", nil}, {"state", nil}, {"countryOrRegion", nil},
			{"geoCoordinates", object{{"altitude", nil}, {"latitude", nil}, {"longitude", nil}}}}},
		{"appliedConditionalAccessPolicies", []any{}},
	}
}

// additionalDetails is the portal's hint beside a few well-known codes.
func additionalDetails(code int) any {
	switch code {
	case 50126:
		return "The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes."
	case 50105:
		return "The user isn't assigned to a role for the application. Assign the user to the application in Enterprise applications > Users and groups."
	case 50011:
		return "Developer error - the app is attempting to sign in without the necessary or correct Reply URL (Assertion Consumer Service URL)."
	}
	return nil
}

// deviceOf names the browser and operating system of a User-Agent as the
// sign-in log does, roughly.
func deviceOf(ua string) (browser, os string) {
	switch {
	case strings.Contains(ua, "Edg/"):
		browser = "Edge " + version(ua, "Edg/")
	case strings.Contains(ua, "Chrome/"):
		browser = "Chrome " + version(ua, "Chrome/")
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox " + version(ua, "Firefox/")
	case strings.Contains(ua, "Safari/"):
		browser = "Safari " + version(ua, "Version/")
	case ua != "":
		browser, _, _ = strings.Cut(ua, "/")
	}
	switch {
	case strings.Contains(ua, "Windows NT 10"):
		os = "Windows 10"
	case strings.Contains(ua, "Mac OS X"):
		os = "MacOs"
	case strings.Contains(ua, "Android"):
		os = "Android"
	case strings.Contains(ua, "iPhone"):
		os = "Ios"
	case strings.Contains(ua, "Linux"):
		os = "Linux"
	}
	return strings.TrimSpace(browser), os
}

func version(ua, marker string) string {
	_, rest, _ := strings.Cut(ua, marker)
	v, _, _ := strings.Cut(rest, " ")
	return v
}

func (s *Server) listSignIns(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r, signInsSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	var all []object
	if s.signIns != nil {
		entries, err := s.signIns.SignIns(r.Context(), auditlog.Query{Limit: maxAuditEntries})
		if err != nil {
			s.internal(w, r, err)
			return
		}
		all = make([]object, len(entries))
		for i, e := range entries {
			all[i] = signInObject(e)
		}
	}
	s.page(w, r, signInsSet, q, all)
}

// maxAuditEntries caps what one audit log request reads.
const maxAuditEntries = 50000

func (s *Server) listProvisioning(w http.ResponseWriter, r *http.Request) {
	q, e := parseList(r, provisioningSet)
	if e != nil {
		s.fail(w, r, e)
		return
	}
	all, err := s.provisioningObjects(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.page(w, r, provisioningSet, q, all)
}

// provisioningObjects reads every app's provisioning log, newest first,
// in Graph's provisioningObjectSummary shape.
func (s *Server) provisioningObjects(ctx context.Context) ([]object, error) {
	if s.provisioning == nil {
		return nil, nil
	}
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	apps, err := s.dir.Apps(ctx)
	if err != nil {
		return nil, err
	}
	type entry struct {
		at time.Time
		id int64
		o  object
	}
	var entries []entry
	for _, app := range apps {
		logs, err := s.provisioning.Logs(ctx, app.AppID, provisioning.LogQuery{Limit: maxAuditEntries})
		if err != nil {
			return nil, err
		}
		for _, l := range logs {
			entries = append(entries, entry{l.Time, l.ID, provisioningObject(t.ID, app.ServicePrincipalID, app.Name, l)})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].at.Equal(entries[j].at) {
			return entries[i].at.After(entries[j].at)
		}
		return entries[i].id > entries[j].id
	})
	out := make([]object, len(entries))
	for i, e := range entries {
		out[i] = e.o
	}
	return out, nil
}

// provisioningObject is one provisioning log entry in Graph's shape.
func provisioningObject(tenantID, spID, appName string, l provisioning.LogEntry) object {
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("ssowiz:provisioning:"+l.AppID+":"+itoa(l.ID))).String()
	status := strings.ToLower(string(l.Status))
	var errInfo any
	if l.Status == provisioning.StatusFailure || l.Status == provisioning.StatusSkipped {
		errInfo = object{{"errorCode", str(l.Code)}, {"reason", str(l.Reason)}, {"additionalDetails", nil},
			{"errorCategory", "NonServiceFailure"}, {"recommendedAction", nil}}
	}
	objType := l.ObjectType
	steps := []object{{
		{"name", "EntryImport" + changeKind(l.Action)}, {"provisioningStepType", "import"}, {"status", "success"},
		{"description", "Received " + objType + " '" + l.SourceName + "' change of type (" + changeKind(l.Action) + ") from Microsoft Entra ID"},
		{"details", object{}},
	}}
	for _, x := range l.Requests {
		stepType, name := "export", "EntryExport"+changeKind(l.Action)
		if x.Method == http.MethodGet {
			stepType, name = "matching", "EntrySynchronization"+changeKind(l.Action)
		}
		stepStatus := "success"
		if x.Status == 0 || x.Status >= 400 && !(x.Method == http.MethodGet && x.Status == http.StatusNotFound) {
			stepStatus = "failure"
		}
		details := object{{"Method", x.Method}, {"Path", x.Path}, {"StatusCode", itoa(int64(x.Status))}}
		if x.Detail != "" {
			details = append(details, field{"Detail", x.Detail})
		}
		// What was sent and what came back, for whoever tests their own
		// SCIM server against the engine.
		if x.Sent != "" {
			details = append(details, field{"RequestBody", x.Sent})
		}
		if x.Received != "" {
			details = append(details, field{"ResponseBody", x.Received})
		}
		steps = append(steps, object{{"name", name}, {"provisioningStepType", stepType}, {"status", stepStatus},
			{"description", x.String()}, {"details", details}})
	}
	return object{
		{"id", id},
		{"activityDateTime", logTime(l.Time)},
		{"tenantId", tenantID},
		{"jobId", "customappsso." + strings.ReplaceAll(l.AppID, "-", "") + "." + tenantID},
		{"cycleId", l.CycleID},
		{"changeId", id},
		{"provisioningAction", provisioningAction(l.Action)},
		{"durationInMilliseconds", 0},
		{"initiatedBy", object{{"id", ""}, {"displayName", "Microsoft Entra ID Provisioning Service"}, {"initiatorType", "system"}}},
		{"servicePrincipal", object{{"id", spID}, {"displayName", appName}}},
		{"sourceSystem", object{{"id", ""}, {"displayName", "Microsoft Entra ID"}, {"details", object{}}}},
		{"targetSystem", object{{"id", ""}, {"displayName", appName}, {"details", object{}}}},
		{"sourceIdentity", object{{"id", l.SourceID}, {"displayName", l.SourceName}, {"identityType", objType}, {"details", object{}}}},
		{"targetIdentity", object{{"id", l.TargetID}, {"displayName", l.SourceName}, {"identityType", objType}, {"details", object{}}}},
		{"provisioningStatusInfo", object{{"status", status}, {"errorInformation", errInfo}}},
		{"provisioningSteps", steps},
		{"modifiedProperties", []any{}},
	}
}

// provisioningAction is Graph's enum value for an engine action.
func provisioningAction(a provisioning.Action) string {
	switch a {
	case provisioning.ActionCreate:
		return "create"
	case provisioning.ActionUpdate:
		return "update"
	case provisioning.ActionDisable:
		return "disable"
	case provisioning.ActionDelete:
		return "delete"
	}
	return "other"
}

func changeKind(a provisioning.Action) string {
	switch a {
	case provisioning.ActionCreate:
		return "Add"
	case provisioning.ActionDelete:
		return "Delete"
	}
	return "Update"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
