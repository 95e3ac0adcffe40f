// Package appcheck runs the live checks that hold for any SAML app of a
// tenant file — a developer's own app, not the guide's RudderStack — and
// names the tenant file's field to change when one fails, as the guide's
// checks name the Entra screen.
//
// The checks run against a running lab (both mocks, the tenant applied)
// and the app's real service provider, reached over HTTP: its metadata
// URL, an SP-initiated sign-in from the app's start URL judged by the
// file's success condition, an unassigned user refused, what an
// IdP-initiated launch gives, and, when the app provisions, SCIM Test
// Connection and a provisioning lifecycle against its SCIM server.
package appcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml/samlsp"

	"github.com/ssowiz/ssowiz/internal/browser"
	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/tenant"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/mockidp/provisioning"
)

// ErrBuiltin is returned for the built-in RudderStack app, whose checks
// are `ssowiz check`'s catalogue.
var ErrBuiltin = errors.New("this is the built-in RudderStack app; its checks are ssowiz check's (without --app)")

// ErrNoApp is returned when the tenant has no app of that name.
var ErrNoApp = errors.New("no such app in the tenant file")

// The checks, in order.
var catalogue = []checks.Check{
	{ID: "app-metadata", Number: 1, Title: "App Federation Metadata", Proves: "the app's metadata URL serves IdP metadata with a valid signing certificate"},
	{ID: "app-sign-in", Number: 2, Title: "SP-initiated sign-in", Proves: "an assigned user signs in from the app's start URL, as the file's sign_in condition says"},
	{ID: "app-assignment", Number: 3, Title: "Unassigned user refused", Proves: "a user who is not assigned gets AADSTS50105"},
	{ID: "app-idp-initiated", Number: 4, Title: "IdP-initiated launch", Proves: "what the app does with a launch from My Apps or Entra's Test button"},
	{ID: "app-scim-connection", Number: 5, Title: "SCIM Test Connection", Proves: "Entra's Test Connection succeeds against the app's Tenant URL"},
	{ID: "app-provisioning", Number: 6, Title: "Provisioning lifecycle", Proves: "a cycle creates the assigned users, carries a change, disables on unassignment and restores on reassignment"},
}

// Catalogue returns the checks, in order.
func Catalogue() []checks.Check { return slices.Clone(catalogue) }

// Options configures Run.
type Options struct {
	// File is the tenant file the lab serves, for field lines.
	File *tenant.File
	// App is the app's name in the file.
	App string
	// Progress, when set, receives an event as each check starts and
	// ends.
	Progress func(checks.Event)
}

// runner holds one run's state.
type runner struct {
	l    *lab.Lab
	f    *tenant.File
	app  tenant.AppliedApp
	idx  int
	info lab.App
}

// Run runs the checks against the app and returns the report; an error
// means the checks could not run at all (no such app, the built-in one).
func Run(ctx context.Context, l *lab.Lab, opts Options) (*checks.Report, error) {
	r := runner{l: l, f: opts.File, idx: -1}
	for _, a := range l.Tenant().Apps {
		if strings.EqualFold(a.Name, opts.App) {
			r.app = a
		}
	}
	if r.app.AppID == "" {
		var names []string
		for _, a := range l.Tenant().Apps {
			names = append(names, a.Name)
		}
		return nil, fmt.Errorf("%w: %q; the apps are %s", ErrNoApp, opts.App, strings.Join(names, ", "))
	}
	if r.app.Builtin {
		return nil, ErrBuiltin
	}
	for i, a := range opts.File.Apps {
		if strings.EqualFold(a.Name, r.app.Name) {
			r.idx = i
		}
	}
	for _, a := range l.Info().Apps {
		if a.AppID == r.app.AppID {
			r.info = a
		}
	}
	rep := &checks.Report{Started: time.Now()}
	steps := []func(context.Context) checks.Result{r.metadata, r.signIn, r.assignment, r.idpInitiated, r.scimConnection, r.provisioning}
	for i, c := range catalogue {
		if opts.Progress != nil {
			opts.Progress(checks.Event{Kind: checks.Started, Check: c, Index: i + 1, Total: len(catalogue)})
		}
		start := time.Now()
		res := steps[i](ctx)
		res.ID, res.Number, res.Title, res.Proves, res.Duration = c.ID, c.Number, c.Title, c.Proves, time.Since(start)
		rep.Results = append(rep.Results, res)
		if opts.Progress != nil {
			opts.Progress(checks.Event{Kind: checks.Finished, Check: c, Index: i + 1, Total: len(catalogue), Result: &res})
		}
	}
	rep.Duration = time.Since(rep.Started)
	return rep, nil
}

// field is the path of one of the app's fields in the tenant file.
func (r *runner) field(sub string) string { return fmt.Sprintf("apps[%d].%s", r.idx, sub) }

// fix is a remediation on one of the app's fields.
func (r *runner) fix(sub, value, problem, fix string) checks.Remediation {
	path := r.field(sub)
	line := 0
	if r.f != nil {
		for p := path; p != "" && line == 0; {
			line = r.f.Line(p)
			i := strings.LastIndexAny(p, ".[")
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	return checks.Remediation{Field: path, Line: line, Screen: "tenant file › " + r.app.Name, Label: sub, Value: value, Problem: problem, Fix: fix}
}

func (r *runner) metadata(ctx context.Context) checks.Result {
	res := checks.Result{}
	resp, err := r.l.Client().Get(r.info.MetadataURL)
	if err != nil {
		return fail(res, "the metadata URL does not answer: "+err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(res, fmt.Sprintf("GET %s answered %s", r.info.MetadataURL, resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fail(res, "read the metadata: "+err.Error())
	}
	md, err := samlsp.ParseMetadata(body)
	if err != nil || len(md.IDPSSODescriptors) == 0 {
		return fail(res, fmt.Sprintf("the document at %s is not IdP metadata: %v", r.info.MetadataURL, err))
	}
	certs, err := r.l.Directory.Certificates(ctx, r.app.AppID)
	if err != nil {
		return fail(res, err.Error())
	}
	now := time.Now()
	for _, c := range certs {
		if c.Active {
			res.Details = append(res.Details, fmt.Sprintf("signing certificate %s valid until %s", c.Thumbprint, c.NotAfter.Format(time.DateOnly)))
			if now.After(c.NotAfter) || now.Before(c.NotBefore) {
				return fail(res, "the active signing certificate is not valid now")
			}
		}
	}
	res.Status, res.Summary = checks.Pass, "Give your SP this URL: "+r.info.MetadataURL
	res.Details = append(res.Details, "Identifier (Entity ID) "+md.EntityID, "SAML endpoint "+r.info.SAMLEndpoint)
	return res
}

func fail(res checks.Result, summary string, rems ...checks.Remediation) checks.Result {
	res.Status, res.Summary, res.Remediations = checks.Fail, summary, append(res.Remediations, rems...)
	return res
}

// person is a user of the tenant the checks sign in as.
type person struct {
	upn, password string
}

// users returns an enabled user with a known password that is (or is
// not) assigned to the app.
func (r *runner) user(ctx context.Context, assigned bool) (person, bool) {
	for _, u := range r.l.Tenant().Users {
		if !u.Exists || !u.Enabled || u.Password == "" {
			continue
		}
		ok, err := r.l.Directory.IsAssigned(ctx, r.app.AppID, u.ObjectID)
		if err == nil && ok == assigned {
			return person{u.UPN, u.Password}, true
		}
	}
	return person{}, false
}

// startURL is where an SP-initiated sign-in starts.
func (r *runner) startURL() string {
	if s := r.app.Spec.SignIn.StartURL; s != "" {
		return s
	}
	return r.app.SAML.SignOnURL
}

// judge says whether the final page meets the file's success condition.
func (r *runner) judge(p *browser.Page) (bool, []checks.Remediation) {
	cond := r.app.Spec.SignIn
	var rems []checks.Remediation
	final := p.URL.String()
	if cond.FinalURLPrefix != "" && !strings.HasPrefix(final, cond.FinalURLPrefix) {
		rems = append(rems, r.fix("sign_in.final_url_prefix", cond.FinalURLPrefix, "the sign-in ended at "+final,
			"Fix the app so a signed-in user lands there, or set final_url_prefix to where it lands."))
	}
	switch {
	case cond.Status != 0 && p.StatusCode != cond.Status:
		rems = append(rems, r.fix("sign_in.status", fmt.Sprint(cond.Status), fmt.Sprintf("the last page answered %d", p.StatusCode),
			"Fix the app, or set status to what a signed-in page answers."))
	case cond.Status == 0 && (p.StatusCode < 200 || p.StatusCode > 299):
		rems = append(rems, r.fix("sign_in.status", "", fmt.Sprintf("the last page answered %d, not 2xx", p.StatusCode),
			"Fix the app; the page after sign-in should answer 200."))
	}
	if cond.Text != "" && !strings.Contains(string(p.Body), cond.Text) {
		rems = append(rems, r.fix("sign_in.text", cond.Text, "the last page does not contain it",
			"Fix the app, or set text to something the signed-in page shows."))
	}
	return len(rems) == 0, rems
}

// entraRemedy names the field behind an Entra error at sign-in.
func (r *runner) entraRemedy(code, message string) checks.Remediation {
	switch code {
	case "AADSTS700016":
		return r.fix("saml.identifiers", r.app.DefaultIdentifier(), "Entra found no app with the identifier your SP sent: "+message,
			"Make the identifier your SP sends (its entity ID) one of the app's identifiers, or fix the SP.")
	case "AADSTS50011":
		return r.fix("saml.reply_urls", r.app.DefaultReplyURL(), "the reply URL your SP asked for is not one of the app's: "+message,
			"Add the SP's assertion consumer service URL to reply_urls, exactly (case and trailing slash).")
	case "AADSTS50105":
		return r.fix("assigned", "", message, "Assign the user, or a group they are a member of, in assigned.")
	case "AADSTS50057":
		return checks.Remediation{Problem: message, Fix: "The user is disabled in the tenant file (enabled: false); sign in as another."}
	}
	return checks.Remediation{Problem: code + ": " + message}
}

func (r *runner) signIn(ctx context.Context) checks.Result {
	res := checks.Result{}
	start := r.startURL()
	if start == "" {
		res.Status, res.Summary = checks.Skip, "the app has no start URL"
		res.Remediations = []checks.Remediation{r.fix("sign_in.start_url", "", "there is no page to start an SP-initiated sign-in from",
			"Set sign_in.start_url to the page of your app that sends users to Entra (or saml.sign_on_url).")}
		return res
	}
	who, ok := r.user(ctx, true)
	if !ok {
		res.Status, res.Summary = checks.Skip, "no enabled user with a known password is assigned to the app"
		res.Remediations = []checks.Remediation{r.fix("assigned", "", "nobody can sign in", "Assign a user with a password (or a generated one) in assigned.users.")}
		return res
	}
	o, err := r.run(ctx, start, who)
	res.Details = append(res.Details, "started at "+start+" as "+who.upn)
	if err != nil {
		return fail(res, "the sign-in broke: "+err.Error())
	}
	if o.EntraCode != "" {
		return fail(res, "Entra refused: "+o.EntraCode, r.entraRemedy(o.EntraCode, o.EntraMessage))
	}
	res.Details = append(res.Details, fmt.Sprintf("ended at %s (%d)", o.Page.URL.Redacted(), o.Page.StatusCode))
	if ok, rems := r.judge(o.Page); !ok {
		return fail(res, "the sign-in did not reach the signed-in page the file describes", rems...)
	}
	res.Status, res.Summary = checks.Pass, who.upn+" signed in"
	return res
}

func (r *runner) run(ctx context.Context, start string, who person) (lab.Outcome, error) {
	b, err := r.l.NewBrowser(browser.Options{})
	if err != nil {
		return lab.Outcome{}, err
	}
	return r.l.SignInAt(ctx, b, start, who.upn, who.password)
}

func (r *runner) assignment(ctx context.Context) checks.Result {
	res := checks.Result{}
	if !r.app.AssignmentRequired {
		res.Status, res.Summary = checks.Warn, "Assignment required is off: every user of the tenant can sign in"
		res.Remediations = []checks.Remediation{r.fix("assignment_required", "false", "any user can sign in", "Set assignment_required: true unless that is what you mean.")}
		return res
	}
	start := r.startURL()
	if start == "" {
		start = r.info.IDPInitiatedURL
	}
	who, ok := r.user(ctx, false)
	if !ok {
		res.Status, res.Summary = checks.Skip, "every enabled user is assigned, so none can show the refusal"
		return res
	}
	o, err := r.run(ctx, start, who)
	res.Details = append(res.Details, "signed in as "+who.upn+", who is not assigned")
	if err != nil {
		return fail(res, "the sign-in broke: "+err.Error())
	}
	if o.EntraCode != "AADSTS50105" {
		return fail(res, "an unassigned user was not refused with AADSTS50105: "+o.String(),
			r.fix("assignment_required", "true", "an unassigned user got through", "Check the app's assignments."))
	}
	res.Status, res.Summary = checks.Pass, who.upn+" got AADSTS50105"
	return res
}

func (r *runner) idpInitiated(ctx context.Context) checks.Result {
	res := checks.Result{}
	who, ok := r.user(ctx, true)
	if !ok {
		res.Status, res.Summary = checks.Skip, "no enabled user with a known password is assigned to the app"
		return res
	}
	o, err := r.run(ctx, r.info.IDPInitiatedURL, who)
	if err != nil {
		return fail(res, "the launch broke: "+err.Error())
	}
	if o.EntraCode != "" {
		return fail(res, "Entra refused the launch: "+o.EntraCode, r.entraRemedy(o.EntraCode, o.EntraMessage))
	}
	res.Details = append(res.Details, fmt.Sprintf("ended at %s (%d)", o.Page.URL.Redacted(), o.Page.StatusCode))
	if ok, _ := r.judge(o.Page); !ok {
		res.Status, res.Summary = checks.Warn, "the app does not sign users in from an IdP-initiated launch; users must start at the app"
		res.Remediations = []checks.Remediation{r.fix("saml.sign_on_url", r.app.SAML.SignOnURL, "a My Apps tile without a Sign on URL launches IdP-initiated",
			"Set saml.sign_on_url to the app's start page, so the tile starts SP-initiated; or accept IdP-initiated responses in the app.")}
		return res
	}
	res.Status, res.Summary = checks.Pass, "the app accepts IdP-initiated sign-in"
	return res
}

func (r *runner) engine(ctx context.Context) (*provisioning.Engine, func(), error) {
	if r.l.Provisioning != nil {
		return r.l.Provisioning, func() {}, nil
	}
	eng, err := r.l.NewProvisioning(ctx, lab.ProvisioningOptions{})
	if err != nil {
		return nil, nil, err
	}
	return eng, func() { eng.Close() }, nil
}

func (r *runner) scimConnection(ctx context.Context) checks.Result {
	res := checks.Result{}
	cfg, err := r.l.Directory.Provisioning(ctx, r.app.AppID)
	if err != nil {
		return fail(res, err.Error())
	}
	if cfg.TenantURL == "" {
		res.Status, res.Summary = checks.Skip, "the app does not provision (no provisioning.tenant_url)"
		return res
	}
	eng, done, err := r.engine(ctx)
	if err != nil {
		return fail(res, err.Error())
	}
	defer done()
	tr, err := eng.TestConnectionApp(ctx, r.app.AppID)
	if err != nil {
		return fail(res, err.Error())
	}
	res.Details = append(res.Details, tr.Request.String())
	if !tr.OK {
		field := "provisioning.tenant_url"
		if tr.Request.Status == http.StatusUnauthorized || tr.Request.Status == http.StatusForbidden {
			field = "provisioning.secret_token"
			if p := r.app.Spec.Provisioning; p != nil && p.SecretTokenEnv != "" {
				field = "provisioning.secret_token_env"
			}
		}
		return fail(res, tr.Title+": "+tr.Message, r.fix(field, cfg.TenantURL, tr.Message, tr.Hint))
	}
	res.Status, res.Summary = checks.Pass, tr.Title
	return res
}

// provisioning runs the lifecycle: create, update, disable, restore. It
// restores what it changed in the tenant.
func (r *runner) provisioning(ctx context.Context) checks.Result {
	res := checks.Result{}
	cfg, err := r.l.Directory.Provisioning(ctx, r.app.AppID)
	if err != nil {
		return fail(res, err.Error())
	}
	if cfg.TenantURL == "" {
		res.Status, res.Summary = checks.Skip, "the app does not provision (no provisioning.tenant_url)"
		return res
	}
	eng, done, err := r.engine(ctx)
	if err != nil {
		return fail(res, err.Error())
	}
	defer done()
	if !cfg.Enabled {
		on := cfg
		on.Enabled = true
		if _, err := r.l.Directory.UpdateProvisioning(ctx, r.app.AppID, on); err != nil {
			return fail(res, err.Error())
		}
		defer r.l.Directory.UpdateProvisioning(context.WithoutCancel(ctx), r.app.AppID, cfg)
	}
	users, err := r.l.Directory.AssignedUsers(ctx, r.app.AppID)
	if err != nil {
		return fail(res, err.Error())
	}
	var subject *directory.User
	direct, _ := r.l.Directory.Assignments(ctx, r.app.AppID)
	for i, u := range users {
		if !u.AccountEnabled {
			continue
		}
		for _, a := range direct {
			if a.PrincipalID == u.ObjectID {
				subject = &users[i]
			}
		}
	}
	if subject == nil {
		res.Status, res.Summary = checks.Skip, "no enabled user is assigned directly to the app"
		res.Remediations = []checks.Remediation{r.fix("assigned.users", "", "the lifecycle needs a directly assigned user", "Assign a user in assigned.users.")}
		return res
	}
	step := func(what string, change func() error, want ...provisioning.Action) bool {
		if change != nil {
			if err := change(); err != nil {
				res = fail(res, what+": "+err.Error())
				return false
			}
		}
		rep, err := eng.RunCycle(ctx, r.app.AppID)
		if err != nil {
			res = fail(res, what+": "+err.Error())
			return false
		}
		logs, err := eng.Logs(ctx, r.app.AppID, provisioning.LogQuery{CycleID: rep.ID, SourceID: subject.ObjectID})
		if err != nil {
			res = fail(res, what+": "+err.Error())
			return false
		}
		for _, e := range logs {
			for _, x := range e.Requests {
				res.Details = append(res.Details, what+": "+x.String())
			}
			if e.Status == provisioning.StatusFailure {
				res = fail(res, fmt.Sprintf("%s: %s failed: %s %s", what, e.Action, e.Code, e.Reason),
					r.fix("provisioning.tenant_url", cfg.TenantURL, e.Reason, "Fix the SCIM server's answer, or the app's provisioning settings."))
				return false
			}
			if slices.Contains(want, e.Action) && e.Status == provisioning.StatusSuccess {
				return true
			}
		}
		res = fail(res, fmt.Sprintf("%s: the cycle logged no successful %s for %s (%s)", what, want[0], subject.UserPrincipalName, rep.Outcome),
			r.fix("provisioning.actions", "", "the engine did not "+strings.ToLower(string(want[0]))+" the user", "Tick the action under provisioning.actions, and check the scope."))
		return false
	}
	d := r.l.Directory
	oldTitle := subject.JobTitle
	// A user the server already has (from an earlier run) is matched and
	// updated, or left alone, instead of created.
	if !step("create", nil, provisioning.ActionCreate, provisioning.ActionUpdate, provisioning.ActionOther) {
		return res
	}
	if !step("update", func() error {
		_, err := d.UpdateUser(ctx, subject.ObjectID, func(u *directory.User) { u.JobTitle = "ssowiz check " + time.Now().Format("150405") })
		return err
	}, provisioning.ActionUpdate) {
		return res
	}
	defer d.UpdateUser(context.WithoutCancel(ctx), subject.ObjectID, func(u *directory.User) { u.JobTitle = oldTitle })
	if !step("unassign", func() error { return d.Unassign(ctx, r.app.AppID, subject.ObjectID) }, provisioning.ActionDisable) {
		d.Assign(context.WithoutCancel(ctx), r.app.AppID, subject.ObjectID)
		return res
	}
	if !step("reassign", func() error { return d.Assign(ctx, r.app.AppID, subject.ObjectID) }, provisioning.ActionUpdate) {
		return res
	}
	res.Status, res.Summary = checks.Pass, subject.UserPrincipalName+" was created, updated, disabled and restored"
	return res
}
