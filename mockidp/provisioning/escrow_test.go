package provisioning

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning/scimtest"
)

const conflictBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","detail":"User must be Active."}`

// A failed object goes to escrow with Entra's log text, is retried only
// once its backoff has passed, backs off further on each failure, and
// leaves escrow when it succeeds (reference §5.1, §5.2).
func TestEscrowRetriesWithBackoff(t *testing.T) {
	f := newFixture(t, withConfig(func(c *Config) { c.Escrow = EscrowPolicy{FirstRetry: 30 * time.Minute, MaxRetry: 2 * time.Hour} }))
	var failing atomic.Bool
	failing.Store(true)
	f.srv.Intercept = func(r scimtest.Request) *scimtest.Response {
		if r.Method == http.MethodPost && failing.Load() {
			return &scimtest.Response{Status: 500, Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"database is locked"}`}
		}
		return nil
	}
	alice := f.user("alice", true, nil)
	bob := f.user("bob", true, nil)
	rep := f.cycle()
	if rep.Outcome != OutcomeCompleted || rep.Counts.Failed != 2 {
		t.Fatalf("report = %+v", rep)
	}
	logs := f.logs(LogQuery{SourceID: alice.ObjectID})
	l := logs[0]
	wantReason := `StatusCode: InternalServerError Message: Processing of the HTTP request resulted in an exception. Please see the HTTP response returned by the 'Response' property of this exception for details. Web Response: {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"database is locked"}. This operation was retried 0 times. It will be retried again after this date: 2025-06-02T15:34:05.0000000Z UTC`
	if l.Status != StatusFailure || l.Code != CodeInternalServerError || l.Reason != wantReason {
		t.Errorf("log = %+v\nwant reason %s", l, wantReason)
	}
	if len(l.Requests) != 2 || l.Requests[1].Status != 500 || l.Requests[1].Detail != "database is locked" {
		t.Errorf("requests = %+v", l.Requests)
	}
	if st := f.status(); st.Escrowed != 2 || st.Quarantine != nil {
		t.Errorf("status = %+v", st)
	}
	f.requests()

	// Not due yet: nothing is retried.
	f.clock.Advance(10 * time.Minute)
	f.cycle()
	assertStrings(t, "before the backoff", f.requests(), nil)

	// Due: both retried, fail again; the next wait doubles.
	f.clock.Advance(25 * time.Minute)
	f.cycle()
	if got := f.requests(); len(got) != 4 {
		t.Errorf("retry sent %q", got)
	}
	logs = f.logs(LogQuery{SourceID: bob.ObjectID})
	if last := logs[len(logs)-1]; !strings.Contains(last.Reason, "retried 1 times. It will be retried again after this date: 2025-06-02T16:39:05.0000000Z UTC") {
		t.Errorf("second failure: %s", last.Reason)
	}

	failing.Store(false)
	f.clock.Advance(59 * time.Minute)
	f.cycle()
	assertStrings(t, "still waiting", f.requests(), nil)
	f.clock.Advance(2 * time.Minute)
	rep = f.cycle()
	if rep.Counts.Created != 2 || f.status().Escrowed != 0 {
		t.Errorf("after recovery: %+v escrow %d", rep.Counts, f.status().Escrowed)
	}
	if n := len(f.srv.Users()); n != 2 {
		t.Errorf("%d users in the server", n)
	}
}

// Quarantine on a credential failure: the first 401 stops the cycle, the
// watermark does not move; once the token is fixed the next cycle probes,
// finishes the work and leaves quarantine (reference §5.3).
func TestQuarantineOnCredentialFailure(t *testing.T) {
	f := newFixture(t)
	f.configure(func(c *directory.ProvisioningConfig) { c.SecretToken = directory.NewSecret("revoked-token-value") })
	f.user("alice", true, nil)
	f.user("bob", true, nil)
	rep := f.cycle()
	if rep.Outcome != OutcomeQuarantined || rep.Quarantine.Reason != CodeQuarantineException || !strings.HasPrefix(rep.Quarantine.Detail, CodeUnauthorized) {
		t.Fatalf("report = %+v %+v", rep, rep.Quarantine)
	}
	if got := f.requests(); len(got) != 1 {
		t.Errorf("a 401 should stop the cycle at once; sent %q", got)
	}
	st := f.status()
	if st.InitialCycleDone || st.Escrowed != 0 || st.Quarantine == nil {
		t.Errorf("status = %+v", st)
	}
	rep = f.cycle()
	if rep.Outcome != OutcomeQuarantined {
		t.Errorf("second cycle: %+v", rep)
	}
	if got := f.requests(); len(got) != 1 || !strings.Contains(got[0], testGUID) {
		t.Errorf("a quarantined cycle should stop at its probe; sent %q", got)
	}

	f.configure(func(c *directory.ProvisioningConfig) { c.SecretToken = directory.NewSecret(testToken) })
	rep = f.cycle()
	if rep.Outcome != OutcomeCompleted || rep.Kind != CycleInitial || rep.Counts.Created != 2 {
		t.Fatalf("after fixing the token: %+v", rep)
	}
	if st := f.status(); st.Quarantine != nil || !st.InitialCycleDone {
		t.Errorf("status = %+v", st)
	}
}

// The escrow thresholds, scaled down: past MinFailures with more than the
// proportion failing, the job is quarantined but the cycle completes.
func TestQuarantineOnEscrowThreshold(t *testing.T) {
	f := newFixture(t, withConfig(func(c *Config) { c.Quarantine = QuarantinePolicy{MinFailures: 3, Proportion: 0.4} }))
	f.srv.Intercept = func(r scimtest.Request) *scimtest.Response {
		if r.Method == http.MethodPost && !strings.Contains(string(r.Body), "ok@") {
			return &scimtest.Response{Status: 409, Body: conflictBody}
		}
		return nil
	}
	for _, a := range []string{"a", "b", "c", "ok"} {
		f.user(a, true, nil)
	}
	rep := f.cycle()
	if rep.Outcome != OutcomeQuarantined || rep.Quarantine == nil || rep.Quarantine.Reason != CodeEscrowThreshold || rep.Counts.Failed != 3 || rep.Counts.Created != 1 {
		t.Fatalf("report = %+v %+v", rep, rep.Quarantine)
	}
	if !f.status().InitialCycleDone {
		t.Error("the watermark should move: the cycle completed")
	}
	l := f.logs(LogQuery{Status: StatusFailure})
	if len(l) != 3 || l[0].Code != CodeEntryConflict || !strings.Contains(l[0].Reason, "StatusCode: Conflict") || !strings.Contains(l[0].Reason, "User must be Active.") {
		t.Errorf("failure logs = %+v", l)
	}

	// Two failures stay under MinFailures: no quarantine.
	g := newFixture(t, withConfig(func(c *Config) { c.Quarantine = QuarantinePolicy{MinFailures: 3, Proportion: 0.4} }))
	g.srv.Intercept = f.srv.Intercept
	for _, a := range []string{"a", "b", "ok"} {
		g.user(a, true, nil)
	}
	if rep := g.cycle(); rep.Outcome != OutcomeCompleted || rep.Counts.Failed != 2 {
		t.Errorf("under the threshold: %+v", rep)
	}
}

// A server that stops answering quarantines the job after the configured
// number of requests in a row got no response.
func TestQuarantineWhenUnreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	base := dead.URL + "/scim/v2"
	dead.Close()
	f := newFixture(t, withConfig(func(c *Config) { c.Quarantine = QuarantinePolicy{Unreachable: 3}; c.Workers = 2 }))
	f.configure(func(c *directory.ProvisioningConfig) { c.TenantURL = base })
	for _, a := range []string{"a", "b", "c", "d", "e", "f"} {
		f.user(a, true, nil)
	}
	rep := f.cycle()
	if rep.Outcome != OutcomeQuarantined || rep.Quarantine == nil || !strings.Contains(rep.Quarantine.Detail, "unreachable") {
		t.Fatalf("report = %+v %+v", rep, rep.Quarantine)
	}
	if rep.Requests > 4 {
		t.Errorf("%d requests before giving up, want at most 3 (+1 in flight)", rep.Requests)
	}
	if f.status().InitialCycleDone {
		t.Error("watermark moved")
	}
}

// A cycle cancelled midway (a server that acknowledged a POST whose answer
// never arrived, then the process stopping) is finished by the next cycle
// of a new engine on the same data, without duplicates: the user the
// server acknowledged is found by the userName filter and adopted.
func TestCancelledCycleResumesWithoutDuplicates(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, withConfig(func(c *Config) { c.DataDir = dir; c.Workers = 2 }))
	const n = 12
	for i := range n {
		f.user("user"+string(rune('a'+i)), true, nil)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	var posts atomic.Int32
	f.srv.DropAfter = func(r scimtest.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		if posts.Add(1) == 5 {
			cancel() // the process stops while the 5th POST's answer is lost
			return true
		}
		return false
	}
	rep, err := f.eng.RunCycle(ctx, f.app.AppID)
	if !errors.Is(err, context.Canceled) || rep.Outcome != OutcomeStopped {
		t.Fatalf("RunCycle = %+v, %v; want stopped and context.Canceled", rep, err)
	}
	stored := len(f.srv.Users())
	if stored < 5 || stored >= n {
		t.Fatalf("%d users stored by the server, want some but not all", stored)
	}
	if st := f.status(); st.InitialCycleDone {
		t.Fatal("the watermark moved in a stopped cycle")
	}
	f.eng.Close()

	eng, err := New(f.ctx, f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	f.srv.DropAfter = nil
	f.srv.ResetRequests()
	rep, err = eng.RunCycle(f.ctx, f.app.AppID)
	if err != nil || rep.Outcome != OutcomeCompleted || rep.Kind != CycleInitial {
		t.Fatalf("resumed cycle = %+v, %v", rep, err)
	}
	users := f.srv.Users()
	if len(users) != n {
		t.Errorf("%d users in the server, want %d", len(users), n)
	}
	names := map[string]int{}
	for _, u := range users {
		names[strings.ToLower(u.UserName())]++
	}
	for name, c := range names {
		if c != 1 {
			t.Errorf("%s stored %d times", name, c)
		}
	}
	posts2 := 0
	for _, r := range f.srv.Requests() {
		if r.Method == http.MethodPost {
			posts2++
		}
	}
	if posts2 != n-stored {
		t.Errorf("resumed cycle POSTed %d users, want %d (the rest)", posts2, n-stored)
	}
	if st, _ := eng.Status(f.ctx, f.app.AppID); st.Users != n || st.Escrowed != 0 {
		t.Errorf("status = %+v", st)
	}
}

// A dropped connection after the server stored a user puts the user in
// escrow; the retry finds it by the filter and adopts it.
func TestDroppedAnswerIsAdoptedOnRetry(t *testing.T) {
	f := newFixture(t, withConfig(func(c *Config) { c.Escrow = EscrowPolicy{FirstRetry: -1} }))
	var dropped atomic.Bool
	f.srv.DropAfter = func(r scimtest.Request) bool {
		return r.Method == http.MethodPost && dropped.CompareAndSwap(false, true)
	}
	alice := f.user("alice", true, nil)
	rep := f.cycle()
	if rep.Counts.Failed != 1 || f.status().Escrowed != 1 {
		t.Fatalf("report = %+v", rep)
	}
	if l := f.logs(LogQuery{SourceID: alice.ObjectID}); l[0].Code != CodeConnectionFailure || l[0].Requests[1].Status != 0 {
		t.Errorf("log = %+v", l[0])
	}
	f.requests()
	rep = f.cycle()
	assertStrings(t, "retry", f.requests(), []string{"GET " + filterPath("userName", alice.UserPrincipalName)})
	if rep.Counts.Other != 1 || len(f.srv.Users()) != 1 || f.status().Escrowed != 0 {
		t.Errorf("after retry: %+v, %d users", rep.Counts, len(f.srv.Users()))
	}
}
