package provisioning

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// CycleKind says whether a cycle looked at everything or at what changed.
type CycleKind string

// The cycle kinds (reference §3.1).
const (
	// CycleInitial reads every object in scope: the first cycle, and the
	// first after a restart or a change of Tenant URL, scope, groups switch
	// or mappings.
	CycleInitial CycleKind = "initial"
	// CycleIncremental reads only what changed after the watermark, plus
	// escrowed objects due for a retry.
	CycleIncremental CycleKind = "incremental"
)

// CycleOutcome is how a cycle ended.
type CycleOutcome string

// The outcomes.
const (
	// OutcomeCompleted: every object was evaluated (some may have failed
	// and wait in escrow) and the watermark moved on.
	OutcomeCompleted CycleOutcome = "completed"
	// OutcomeQuarantined: a job-wide failure stopped the cycle, or the
	// escrow thresholds were crossed; see Quarantine.
	OutcomeQuarantined CycleOutcome = "quarantined"
	// OutcomeStopped: the context ended mid-cycle; the watermark did not
	// move, so the next cycle does the rest.
	OutcomeStopped CycleOutcome = "stopped"
)

// Counts tallies a cycle's log entries: successes by action, then skips,
// other outcomes (a matched user left as it was) and failures.
type Counts struct {
	// Created, Updated, Disabled and Deleted count successful actions.
	Created  int `json:"created"`
	Updated  int `json:"updated"`
	Disabled int `json:"disabled"`
	Deleted  int `json:"deleted"`
	// Skipped counts objects left alone on purpose (in sync, an action
	// box unticked, a blocked user never provisioned).
	Skipped int `json:"skipped"`
	// Other counts matched objects that needed nothing.
	Other int `json:"other"`
	// Failed counts failures, escrowed or job-wide.
	Failed int `json:"failed"`
}

// Quarantine is why a job is in quarantine (reference §5.3).
type Quarantine struct {
	// Reason is EncounteredQuarantineException (credentials, a 404 to a
	// query, an unreachable server) or EncounteredEscrowProportionThreshold.
	Reason string `json:"reason"`
	// Detail is the failure that caused it, with Entra's code.
	Detail string `json:"detail"`
	// Since is when the job entered quarantine.
	Since time.Time `json:"since"`
}

// CycleReport says what one cycle did.
type CycleReport struct {
	// ID names the cycle; its log entries carry it.
	ID string `json:"id"`
	// AppID is the application.
	AppID string `json:"appId"`
	// Kind is initial or incremental.
	Kind CycleKind `json:"kind"`
	// Dialect is the PATCH dialect the cycle spoke.
	Dialect Dialect `json:"dialect"`
	// Started and Finished bound the cycle.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Outcome is how it ended.
	Outcome CycleOutcome `json:"outcome"`
	// Watermark is the change sequence stored for the next cycle.
	Watermark int64 `json:"watermark"`
	// Evaluated counts the users and groups looked at.
	Evaluated int `json:"evaluated"`
	// Requests counts the SCIM requests sent.
	Requests int64 `json:"requests"`
	// Counts tallies the log entries written.
	Counts Counts `json:"counts"`
	// Quarantine is set when the cycle ended in (or left the job in)
	// quarantine.
	Quarantine *Quarantine `json:"quarantine,omitempty"`
}

// RunCycle runs one provisioning cycle of the app now and returns when it
// is done: initial if none has completed yet (or the configuration that
// decides what is provisioned changed), incremental otherwise. A job-wide
// failure is not an error: the report's outcome is quarantined. The error
// is for what stopped the engine itself (the store, the directory, a
// cancelled context, provisioning Off, an unusable configuration).
func (e *Engine) RunCycle(ctx context.Context, appID string) (CycleReport, error) {
	unlock := e.lock(strings.ToLower(appID))
	defer unlock()
	j, err := e.loadJob(ctx, appID)
	if err != nil {
		return CycleReport{}, err
	}
	if !j.cfg.Enabled {
		return CycleReport{}, fmt.Errorf("app %q: %w; set Provisioning Status to On first", j.appName, ErrProvisioningOff)
	}
	return e.runCycle(ctx, j)
}

// Restart clears the app's job as "Restart provisioning" does: the next
// cycle is an initial one that matches every object again.
func (e *Engine) Restart(ctx context.Context, appID string) error {
	unlock := e.lock(strings.ToLower(appID))
	defer unlock()
	app, err := e.dir.App(ctx, appID)
	if err != nil {
		return err
	}
	return e.resetJob(ctx, app.AppID)
}

// cycle is one run over an app's objects.
type cycle struct {
	e       *Engine
	j       *job
	id      string
	dialect Dialect
	// ctx is cancelled when a job-wide failure stops the cycle.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	objects map[string]*object
	global  *failure
	counts  Counts
	eval    int
	// touched are users whose state in the target changed, whose groups
	// must then be looked at.
	touched []string
	// assignedGroups caches the app's group assignments.
	assignedGroups map[string]bool
	// escrowed holds the keys of objects in escrow, when known (nil: not
	// known, so every success clears a possible entry).
	escrowed map[string]bool

	requests    atomic.Int64
	unreachable atomic.Int32
	internalErr error

	w         *writer
	closeOnce sync.Once
	closeErr  error
}

// finish writes every queued outcome; the cycle's records are all in the
// store once it returns. It is safe to call more than once.
func (c *cycle) finish() error {
	c.closeOnce.Do(func() { c.closeErr = c.w.close() })
	return c.closeErr
}

func (e *Engine) newCycle(ctx context.Context, j *job, id string, dialect Dialect) (*cycle, error) {
	objects, err := e.loadObjects(ctx, j.appID)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	return &cycle{e: e, j: j, id: id, dialect: dialect, ctx: cctx, cancel: cancel, objects: objects,
		w: e.newWriter(ctx, j.appID, id)}, nil
}

func (e *Engine) runCycle(ctx context.Context, j *job) (CycleReport, error) {
	st, err := e.readJobState(ctx, j.appID)
	if err != nil {
		return CycleReport{}, err
	}
	if st.fingerprint != "" && st.fingerprint != j.fingerprint {
		e.log.Info("provisioning configuration changed; restarting with an initial cycle", "app", j.appID)
		if err := e.resetJob(ctx, j.appID); err != nil {
			return CycleReport{}, err
		}
		st = jobState{}
	}
	rep := CycleReport{ID: uuid.NewString(), AppID: j.appID, Kind: CycleIncremental, Dialect: j.dialect, Started: e.now()}
	if !st.watermark.Valid {
		rep.Kind = CycleInitial
	}
	c, err := e.newCycle(ctx, j, rep.ID, j.dialect)
	if err != nil {
		return CycleReport{}, err
	}
	defer c.cancel()
	defer c.finish()

	if st.quarantine != nil {
		// A quarantined job probes first; it leaves quarantine on the
		// first cycle where the cause is gone (reference §5.3).
		if res := probe(c.ctx, j.client, e.newGUID()); !res.OK {
			c.fail(&failure{scope: failJob, code: res.Code, message: res.Message, ex: res.Request})
			c.recordLog(&LogEntry{Action: ActionOther, Status: StatusFailure, ObjectType: "User", SourceName: "(test connection)",
				Code: res.Code, Reason: res.Message, Requests: []Exchange{res.Request}}, c.global, nil)
		}
	}

	var seq int64
	if c.global == nil {
		var users []userItem
		var groups []string
		if rep.Kind == CycleInitial {
			seq, users, groups, err = c.initialWork()
		} else {
			seq, users, groups, err = c.incrementalWork(st.watermark.Int64)
		}
		if err != nil {
			return CycleReport{}, err
		}
		c.run(users, groups)
	}
	if err := c.finish(); err != nil {
		return CycleReport{}, err
	}
	if c.internalErr != nil {
		return CycleReport{}, c.internalErr
	}

	rep.Finished = e.now()
	rep.Requests = c.requests.Load()
	rep.Counts, rep.Evaluated = c.counts, c.eval
	rep.Watermark = st.watermark.Int64
	switch {
	case c.global != nil:
		rep.Outcome = OutcomeQuarantined
		if st.quarantine == nil {
			st.quarantine = &Quarantine{Reason: CodeQuarantineException, Since: e.now()}
		}
		st.quarantine.Detail = c.global.code + ": " + c.global.message
		st.quarantineCycles++
		rep.Quarantine = st.quarantine
		e.log.Warn("provisioning job quarantined", "app", j.appID, "code", c.global.code)
	case ctx.Err() != nil:
		rep.Outcome = OutcomeStopped
		st.lastCycle = &rep
		if err := e.writeJobState(ctx, j.appID, st); err != nil {
			return rep, err
		}
		return rep, ctx.Err()
	default:
		rep.Outcome = OutcomeCompleted
		st.watermark.Int64, st.watermark.Valid = seq, true
		rep.Watermark = seq
		st.fingerprint = j.fingerprint
		q, err := e.escrowThreshold(ctx, j.appID, rep)
		if err != nil {
			return rep, err
		}
		if q != nil {
			if st.quarantine == nil || st.quarantine.Reason != q.Reason {
				st.quarantine = q
			}
			st.quarantine.Detail = q.Detail
			st.quarantineCycles++
			rep.Outcome, rep.Quarantine = OutcomeQuarantined, st.quarantine
		} else {
			st.quarantine, st.quarantineCycles = nil, 0
		}
	}
	st.lastCycle = &rep
	if err := e.writeJobState(ctx, j.appID, st); err != nil {
		return rep, err
	}
	e.log.Info("provisioning cycle finished", "app", j.appID, "kind", rep.Kind, "outcome", rep.Outcome,
		"created", rep.Counts.Created, "updated", rep.Counts.Updated, "disabled", rep.Counts.Disabled, "failed", rep.Counts.Failed)
	return rep, nil
}

// escrowThreshold applies reference §5.3's escrow rules after a cycle.
// The proportion is of this cycle's evaluated objects that failed.
func (e *Engine) escrowThreshold(ctx context.Context, appID string, rep CycleReport) (*Quarantine, error) {
	plain, all, err := e.escrowCounts(ctx, appID)
	if err != nil {
		return nil, err
	}
	p := e.quarantine
	var why string
	switch {
	case all > p.Cap:
		why = fmt.Sprintf("%d objects are in escrow, more than the limit of %d", all, p.Cap)
	case plain > p.MaxFailures:
		why = fmt.Sprintf("%d objects failed and are in escrow, more than %d", plain, p.MaxFailures)
	case plain >= p.MinFailures && rep.Evaluated > 0 && float64(rep.Counts.Failed) > p.Proportion*float64(rep.Evaluated):
		why = fmt.Sprintf("%d of the cycle's %d objects failed (more than %.0f%%) with %d objects in escrow", rep.Counts.Failed, rep.Evaluated, p.Proportion*100, plain)
	default:
		return nil, nil
	}
	return &Quarantine{Reason: CodeEscrowThreshold, Detail: why, Since: e.now()}, nil
}

// fail records a job-wide failure and stops the cycle.
func (c *cycle) fail(f *failure) {
	c.mu.Lock()
	if c.global == nil {
		c.global = f
	}
	c.mu.Unlock()
	c.cancel()
}

// internal records an error of the engine itself (store, directory) and
// stops the cycle.
func (c *cycle) internal(err error) {
	c.mu.Lock()
	if c.internalErr == nil && c.ctx.Err() == nil {
		c.internalErr = err
	}
	c.mu.Unlock()
	c.cancel()
}

func (c *cycle) object(k objKind, id string) *object {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.objects[objKey(k, id)]
	if !ok {
		return nil
	}
	cp := *o
	cp.members = append([]string(nil), o.members...)
	return &cp
}

// send makes one request for an evaluation, appending it to the log's
// requests. It returns a failure for no response or a status of 300 and
// above; a job-wide one also stops the cycle.
func (c *cycle) send(method, path string, q url.Values, body any, isQuery bool, log *LogEntry) (*reply, *failure) {
	c.requests.Add(1)
	r, err := c.j.client.do(c.ctx, method, path, q, body)
	if r != nil {
		log.Requests = append(log.Requests, r.ex)
	}
	if err != nil {
		f := transportFailure(c.ctx, r, err)
		if f.scope == failObject && int(c.unreachable.Add(1)) >= c.e.quarantine.Unreachable {
			f.scope = failJob
			f.message = fmt.Sprintf("%d requests in a row got no response; the SCIM server looks unreachable. %s", c.e.quarantine.Unreachable, f.message)
		}
		if f.scope == failJob {
			c.fail(f)
		}
		return nil, f
	}
	c.unreachable.Store(0)
	if r.status >= 300 {
		f := c.j.client.httpFailure(r, isQuery)
		if f.scope == failJob {
			c.fail(f)
		}
		return r, f
	}
	return r, nil
}

// recordLog queues a log entry (and the object, and its escrow) for the
// store and counts it. Aborted evaluations write nothing: the next cycle
// redoes them.
func (c *cycle) recordLog(l *LogEntry, f *failure, obj *object) {
	if f != nil && f.scope == failAborted {
		return
	}
	if err := c.w.failed(); err != nil {
		c.internal(err)
		return
	}
	keep := c.count(l, f, obj)
	c.w.add(outcome{obj: obj, fail: f, log: l, keepEscrow: keep})
}

// count updates the cycle's view of the object and its tallies, and
// reports whether the object is known not to be in escrow.
func (c *cycle) count(l *LogEntry, f *failure, obj *object) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if obj != nil {
		cp := *obj
		c.objects[objKey(obj.kind, obj.sourceID)] = &cp
	}
	if l == nil {
		return true
	}
	kind := kindUser
	if l.ObjectType == "Group" {
		kind = kindGroup
	}
	key := objKey(kind, l.SourceID)
	keep := c.escrowed != nil && !c.escrowed[key]
	if f != nil && c.escrowed != nil {
		c.escrowed[key] = true
	}
	switch {
	case l.Status == StatusFailure:
		c.counts.Failed++
	case l.Status == StatusSkipped:
		c.counts.Skipped++
	case l.Action == ActionCreate:
		c.counts.Created++
	case l.Action == ActionUpdate:
		c.counts.Updated++
	case l.Action == ActionDisable:
		c.counts.Disabled++
	case l.Action == ActionDelete:
		c.counts.Deleted++
	default:
		c.counts.Other++
	}
	return keep
}

// userItem is a user to evaluate, with what the caller already knows.
type userItem struct {
	id string
	// user is the user as already read, or nil to read it.
	user *directory.User
	// inScope is the assignment scope when already known.
	inScope *bool
	// force evaluates even an unchanged, in-sync user (escrow retries,
	// provision on demand).
	force bool
}

func ptr[T any](v T) *T { return &v }

// initialWork lists everything an initial cycle evaluates: the users and
// groups in scope, plus every object the engine manages or holds in escrow
// (which may have left scope while no cycle ran).
func (c *cycle) initialWork() (int64, []userItem, []string, error) {
	ctx := c.ctx
	seq, err := c.e.dir.Sequence(ctx)
	if err != nil {
		return 0, nil, nil, err
	}
	var users []directory.User
	if c.j.cfg.Scope == directory.ScopeAll {
		users, err = c.e.dir.Users(ctx)
	} else {
		users, err = c.e.dir.AssignedUsers(ctx, c.j.appID)
	}
	if err != nil {
		return 0, nil, nil, err
	}
	escrow, err := c.e.loadEscrow(ctx, c.j.appID)
	if err != nil {
		return 0, nil, nil, err
	}
	forced := map[string]bool{}
	for _, x := range escrow {
		forced[objKey(x.kind, x.sourceID)] = true
	}
	c.escrowed = forced
	seen := map[string]bool{}
	items := make([]userItem, 0, len(users))
	for i := range users {
		id := strings.ToLower(users[i].ObjectID)
		seen[id] = true
		items = append(items, userItem{id: id, user: &users[i], inScope: ptr(true), force: forced[objKey(kindUser, id)]})
	}
	var groups []string
	gseen := map[string]bool{}
	if c.j.cfg.ProvisionGroups {
		scoped, err := c.scopedGroups()
		if err != nil {
			return 0, nil, nil, err
		}
		for _, g := range scoped {
			gseen[g] = true
			groups = append(groups, g)
		}
	}
	for key, o := range c.objects {
		switch {
		case o.kind == kindUser && !seen[o.sourceID] && o.state != stateDeleted:
			seen[o.sourceID] = true
			items = append(items, userItem{id: o.sourceID, force: forced[key]})
		case o.kind == kindGroup && c.j.cfg.ProvisionGroups && !gseen[o.sourceID] && o.state != stateDeleted:
			gseen[o.sourceID] = true
			groups = append(groups, o.sourceID)
		}
	}
	for _, x := range escrow {
		switch {
		case x.kind == kindUser && !seen[x.sourceID]:
			seen[x.sourceID] = true
			items = append(items, userItem{id: x.sourceID, force: true})
		case x.kind == kindGroup && c.j.cfg.ProvisionGroups && !gseen[x.sourceID]:
			gseen[x.sourceID] = true
			groups = append(groups, x.sourceID)
		}
	}
	return seq, items, groups, nil
}

// scopedGroups lists the groups in scope: those assigned to the app, or
// every group with "Sync all users and groups".
func (c *cycle) scopedGroups() ([]string, error) {
	if c.j.cfg.Scope == directory.ScopeAll {
		gs, err := c.e.dir.Groups(c.ctx)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(gs))
		for i, g := range gs {
			out[i] = strings.ToLower(g.ObjectID)
		}
		return out, nil
	}
	as, err := c.e.dir.Assignments(c.ctx, c.j.appID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range as {
		if a.PrincipalType == directory.PrincipalGroup {
			out = append(out, strings.ToLower(a.PrincipalID))
		}
	}
	return out, nil
}

// incrementalWork turns the directory's changes after the watermark into
// users and groups to evaluate, and adds escrowed objects due for a retry.
func (c *cycle) incrementalWork(watermark int64) (int64, []userItem, []string, error) {
	ctx := c.ctx
	changes, latest, err := c.e.dir.ChangesSince(ctx, watermark)
	if err != nil {
		return 0, nil, nil, err
	}
	var items []userItem
	var groups []string
	seen, gseen := map[string]int{}, map[string]bool{}
	addUser := func(id string, force bool) {
		id = strings.ToLower(id)
		if i, ok := seen[id]; ok {
			items[i].force = items[i].force || force
			return
		}
		seen[id] = len(items)
		items = append(items, userItem{id: id, force: force})
	}
	addGroup := func(id string) {
		id = strings.ToLower(id)
		if c.j.cfg.ProvisionGroups && !gseen[id] {
			gseen[id] = true
			groups = append(groups, id)
		}
	}
	everyone := false
	for _, ch := range changes {
		switch ch.Kind {
		case directory.ChangeUser:
			addUser(ch.ObjectID, false)
		case directory.ChangeMembership:
			addUser(ch.ObjectID, false)
			addGroup(ch.GroupID)
		case directory.ChangeAssignment:
			if !strings.EqualFold(ch.AppID, c.j.appID) {
				continue
			}
			if ch.PrincipalType == directory.PrincipalUser {
				addUser(ch.ObjectID, false)
				continue
			}
			addGroup(ch.ObjectID)
			members, err := c.e.dir.GroupMembers(ctx, ch.ObjectID)
			if errors.Is(err, directory.ErrNotFound) {
				everyone = true
				continue
			}
			if err != nil {
				return 0, nil, nil, err
			}
			for _, m := range members {
				addUser(m.ObjectID, false)
			}
		case directory.ChangeGroup:
			addGroup(ch.ObjectID)
			if ch.Removed {
				everyone = true
			}
		}
	}
	if everyone {
		// A deleted group's members can no longer be listed; look at
		// everyone the engine manages instead.
		for _, o := range c.objects {
			if o.kind == kindUser && o.anchored() {
				addUser(o.sourceID, false)
			}
		}
	}
	escrow, err := c.e.loadEscrow(ctx, c.j.appID)
	if err != nil {
		return 0, nil, nil, err
	}
	c.escrowed = map[string]bool{}
	now := c.e.now()
	for _, x := range escrow {
		c.escrowed[objKey(x.kind, x.sourceID)] = true
		if x.nextRetry.After(now) {
			continue
		}
		if x.kind == kindUser {
			addUser(x.sourceID, true)
		} else {
			addGroup(x.sourceID)
		}
	}
	return latest, items, groups, nil
}

// run evaluates users (in parallel), then the manager references of the
// users it provisioned, then groups.
func (c *cycle) run(users []userItem, groups []string) {
	var mu sync.Mutex
	var refs []*userResult
	parallel(c.ctx, c.e.workers, users, func(it userItem) {
		if r := c.evalUser(it); r != nil && r.needsManager {
			mu.Lock()
			refs = append(refs, r)
			mu.Unlock()
		}
	})
	// Managers go second: the manager may have been created in this cycle
	// ("round trip to link newly-created user accounts with their
	// managers", reference §4.1).
	parallel(c.ctx, c.e.workers, refs, c.evalManager)
	if !c.j.cfg.ProvisionGroups || c.ctx.Err() != nil {
		return
	}
	groups = c.withTouchedGroups(groups)
	parallel(c.ctx, c.e.workers, groups, c.evalGroup)
}

// parallel runs fn over items with n workers, stopping early when ctx
// ends.
func parallel[T any](ctx context.Context, n int, items []T, fn func(T)) {
	if len(items) == 0 {
		return
	}
	n = min(n, len(items))
	ch := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				fn(it)
			}
		}()
	}
feed:
	for _, it := range items {
		select {
		case ch <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
}

// withTouchedGroups adds the in-scope groups of users whose state in the
// target changed, whose membership there must follow.
func (c *cycle) withTouchedGroups(groups []string) []string {
	c.mu.Lock()
	touched := append([]string(nil), c.touched...)
	c.mu.Unlock()
	if len(touched) == 0 {
		return groups
	}
	have := map[string]bool{}
	for _, g := range groups {
		have[g] = true
	}
	scoped, err := c.scopedGroups()
	if err != nil {
		c.internal(err)
		return groups
	}
	inScope := map[string]bool{}
	for _, g := range scoped {
		inScope[g] = true
	}
	sort.Strings(touched)
	for _, uid := range touched {
		gs, err := c.e.dir.UserGroups(c.ctx, uid)
		if err != nil {
			c.internal(err)
			return groups
		}
		for _, g := range gs {
			id := strings.ToLower(g.ObjectID)
			if inScope[id] && !have[id] {
				have[id] = true
				groups = append(groups, id)
			}
		}
	}
	return groups
}
