package provisioning

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/syncbuf"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning/scimtest"
)

// The logs say what was done to whom, with the requests in short, and are
// queryable; neither they, the engine's database nor its diagnostics ever
// hold the Secret Token, even when a server echoes it back.
func TestLogsAndNoTokenAnywhere(t *testing.T) {
	dir := t.TempDir()
	diag := &syncbuf.Buffer{}
	f := newFixture(t, withConfig(func(c *Config) {
		c.DataDir = dir
		c.Logger = slog.New(slog.NewTextHandler(diag, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}))
	f.srv.Intercept = func(r scimtest.Request) *scimtest.Response {
		if strings.Contains(string(r.Body), "bob@") {
			return &scimtest.Response{Status: 400, Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"bad header ` + r.Header.Get("Authorization") + `"}`}
		}
		return nil
	}
	alice := f.user("alice", true, nil)
	bob := f.user("bob", true, nil)
	rep := f.cycle()

	all := f.logs(LogQuery{})
	if len(all) != 2 {
		t.Fatalf("%d entries", len(all))
	}
	a := f.logs(LogQuery{SourceID: alice.ObjectID})[0]
	if a.Action != ActionCreate || a.Status != StatusSuccess || a.ObjectType != "User" || a.SourceName != alice.UserPrincipalName ||
		a.TargetID != "u1" || a.CycleID != rep.ID || !a.Time.Equal(t0) || a.AppID != f.app.AppID {
		t.Errorf("alice's entry = %+v", a)
	}
	if len(a.Requests) != 2 || a.Requests[0].Method != "GET" || a.Requests[0].Status != 200 || a.Requests[1].Method != "POST" ||
		a.Requests[1].Path != "/scim/v2/Users" || a.Requests[1].Status != 201 {
		t.Errorf("alice's requests = %+v", a.Requests)
	}
	b := f.logs(LogQuery{Status: StatusFailure})
	if len(b) != 1 || b[0].SourceID != strings.ToLower(bob.ObjectID) || b[0].Action != ActionCreate || b[0].Code != "BadRequest" ||
		!strings.Contains(b[0].Reason, "bad header Bearer [redacted]") {
		t.Errorf("bob's entry = %+v", b)
	}
	if got := f.logs(LogQuery{Action: ActionCreate, Status: StatusSuccess, CycleID: rep.ID}); len(got) != 1 {
		t.Errorf("by action, status and cycle: %d", len(got))
	}
	if got := f.logs(LogQuery{AfterID: all[0].ID}); len(got) != 1 || got[0].ID != all[1].ID {
		t.Errorf("after id: %+v", got)
	}
	if got := f.logs(LogQuery{Limit: 1}); len(got) != 1 {
		t.Errorf("limit: %d", len(got))
	}

	f.eng.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, p := range files {
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, []byte(testToken)) {
			t.Errorf("%s holds the token", filepath.Base(p))
		}
	}
	if strings.Contains(diag.String(), testToken) {
		t.Error("the diagnostics hold the token")
	}
}

// Provision on demand runs the portal's steps for one user, whatever the
// Provisioning Status, and uses the default PATCH format even with the
// aadOptscim062020 flag (MS-COMPAT).
func TestProvisionOnDemand(t *testing.T) {
	f := newFixture(t, withDialect(DialectSCIM))
	f.configure(func(c *directory.ProvisioningConfig) { c.Enabled = false })
	bob := f.user("bob", true, nil)
	alice := f.user("alice", true, func(u *directory.User) { u.Manager = bob.ObjectID })
	carol := f.user("carol", false, nil)

	if _, err := f.eng.RunCycle(f.ctx, f.app.AppID); err == nil {
		t.Fatal("RunCycle with provisioning Off succeeded")
	}
	res, err := f.eng.ProvisionOnDemand(f.ctx, f.app.AppID, bob.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	names := func(r OnDemandResult) []string {
		var out []string
		for _, s := range r.Steps {
			out = append(out, s.Name+": "+string(s.Status))
		}
		return out
	}
	assertStrings(t, "steps", names(res), []string{"Test connection: Success", "Import user: Success", "Determine if user is in scope: Success",
		"Match user between source and target system: Success", "Perform action: Success"})
	if res.Action != ActionCreate || res.Status != StatusSuccess || len(res.Logs) != 1 {
		t.Errorf("result = %+v", res)
	}
	f.requests()

	res, err = f.eng.ProvisionOnDemand(f.ctx, f.app.AppID, alice.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.srv.Requests()
	assertStrings(t, "alice", f.requests(), []string{"GET " + filterPath("userName", testGUID), "GET " + filterPath("userName", alice.UserPrincipalName), "POST /Users", "PATCH /Users/u2"})
	assertJSON(t, "on-demand manager PATCH", reqs[3].Body, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"u1"}]}`)
	if !strings.Contains(res.Steps[4].Detail, "aadOptscim062020 flag does not apply") {
		t.Errorf("action detail = %q", res.Steps[4].Detail)
	}

	res, err = f.eng.ProvisionOnDemand(f.ctx, f.app.AppID, carol.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps[2].Status != StatusSkipped || !strings.Contains(res.Steps[2].Detail, "Assigned to application: False") || res.Action != ActionSkip {
		t.Errorf("carol = %+v", res)
	}
	if st := f.status(); st.InitialCycleDone {
		t.Error("on demand moved the watermark")
	}

	f.configure(func(c *directory.ProvisioningConfig) { c.SecretToken = directory.NewSecret("nope") })
	res, _ = f.eng.ProvisionOnDemand(f.ctx, f.app.AppID, alice.ObjectID)
	if len(res.Steps) != 1 || res.Steps[0].Status != StatusFailure || !strings.Contains(res.Steps[0].Detail, CodeCredentialFailure) {
		t.Errorf("bad token = %+v", res)
	}
}

// Changing what is provisioned (here the mappings) restarts the job with
// an initial cycle that matches every user again.
func TestConfigChangeRestarts(t *testing.T) {
	f := newFixture(t)
	f.user("alice", true, nil)
	f.cycle()
	f.requests()
	m := DefaultMappings()
	m.Users = append(m.Users, Mapping{Source: `"Contoso"`, Target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization"})
	doc, _ := jsonMarshal(m)
	f.configure(func(c *directory.ProvisioningConfig) { c.Mappings = doc })
	rep := f.cycle()
	if rep.Kind != CycleInitial {
		t.Errorf("kind = %s", rep.Kind)
	}
	reqs := f.srv.Requests()
	assertStrings(t, "requests", f.requests(), []string{"GET " + filterPath("userName", "alice@contoso.onmicrosoft.com"), "PATCH /Users/u1"})
	assertJSON(t, "PATCH", reqs[1].Body, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization","value":"Contoso"}]}`)

	// Restart does the same on request.
	if err := f.eng.Restart(f.ctx, f.app.AppID); err != nil {
		t.Fatal(err)
	}
	if rep := f.cycle(); rep.Kind != CycleInitial || rep.Counts.Other != 1 {
		t.Errorf("after Restart: %+v", rep)
	}
}

// The background loop runs a cycle as soon as provisioning is on and then
// every interval; Stop lets the running cycle finish and runs no more.
func TestBackgroundLoop(t *testing.T) {
	f := newFixture(t, withConfig(func(c *Config) {
		c.Now = nil
		c.Interval = 20 * time.Millisecond
		c.PollInterval = 5 * time.Millisecond
	}))
	alice := f.user("alice", true, nil)
	if err := f.eng.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Start(f.ctx); err != ErrAlreadyStarted {
		t.Errorf("second Start = %v", err)
	}
	waitFor(t, func() bool { _, ok := f.srv.UserByName(alice.UserPrincipalName); return ok })
	bob := f.user("bob", true, nil)
	waitFor(t, func() bool { _, ok := f.srv.UserByName(bob.UserPrincipalName); return ok })
	f.eng.Stop()
	f.srv.ResetRequests()
	carol := f.user("carol", true, nil)
	f.eng.Trigger(f.app.AppID) // no loop: nothing happens
	if rep := f.cycle(); rep.Counts.Created != 1 {
		t.Errorf("RunCycle after Stop: %+v", rep)
	}
	if _, ok := f.srv.UserByName(carol.UserPrincipalName); !ok {
		t.Error("carol not created")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
