package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/export"
	"github.com/ssowiz/ssowiz/internal/plural"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// RunAccessible runs the wizard as plain prompts, one question a line, for
// screen readers and terminals that can't show the full-screen wizard. It
// asks the same things in the same order, runs the same live parts, and
// prints the same summary. environ decides colour (none when out is not a
// terminal or NO_COLOR is set).
func RunAccessible(ctx context.Context, opts Options, in io.Reader, out io.Writer, environ []string) (setup.Setup, error) {
	a := &accessible{
		ctx:  ctx,
		opts: opts,
		in:   &lineReader{r: bufio.NewReader(in)},
		out:  colorprofile.NewWriter(out, environ),
		s:    opts.Setup,
	}
	if a.s.Version == 0 {
		a.s = setup.Default()
	}
	if opts.Now == nil {
		a.opts.Now = time.Now
	}
	err := a.run()
	if a.reh != nil {
		err = errors.Join(err, a.reh.Close(context.WithoutCancel(ctx)))
	}
	return a.s, err
}

// lineReader hands its reader over one line per Read, so each of huh's
// prompts (which make a new bufio.Scanner) gets exactly its own line from
// a pipe, and remembers when the input ended.
type lineReader struct {
	r   *bufio.Reader
	eof bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := l.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				l.eof = true
			}
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
		if b == '\n' {
			break
		}
	}
	return n, nil
}

type accessible struct {
	ctx  context.Context
	opts Options
	in   *lineReader
	out  io.Writer
	s    setup.Setup

	started chan rehearsalReadyMsg
	reh     Rehearsal
	rehErr  error
	app     *App
	token   *Token
	report  *checks.Report
	fileOK  bool
}

func (a *accessible) say(format string, args ...any) { fmt.Fprintf(a.out, format+"\n", args...) }

// ask runs huh fields as plain prompts.
func (a *accessible) ask(fields ...huh.Field) error {
	if err := huh.NewForm(huh.NewGroup(fields...)).WithAccessible(true).WithInput(a.in).WithOutput(a.out).RunWithContext(a.ctx); err != nil {
		return err
	}
	if a.in.eof {
		return ErrInputEnded
	}
	return a.ctx.Err()
}

func (a *accessible) confirm(title string, def bool) (bool, error) {
	v := def
	err := a.ask(huh.NewConfirm().Title(title).Value(&v))
	return v, err
}

// text asks for a value, showing the current one; enter keeps it, and "-"
// clears an optional field.
func (a *accessible) text(label string, v *string, optional bool) huh.Field {
	title := label
	switch {
	case *v != "":
		title += " [" + *v + "]"
	case optional:
		title += " [empty]"
	}
	if optional && *v != "" {
		title += " (- clears it)"
	}
	return huh.NewInput().Title(title + ":").Value(v)
}

func choose(title string, v *string, options ...choice) huh.Field {
	var opts []huh.Option[string]
	for _, o := range options {
		opts = append(opts, huh.NewOption(o.label, o.value))
	}
	return huh.NewSelect[string]().Title(title).Options(opts...).Value(v)
}

// cleared turns the "-" answer into an empty value.
func cleared(v *string) {
	if strings.TrimSpace(*v) == "-" {
		*v = ""
	}
}

func (a *accessible) heading(id StepID, title, where string) {
	a.say("")
	a.say("Step %d of %d: %s", id.Number(), numSteps, title)
	if where != "" {
		a.say("Where: %s", where)
	}
}

// review prints the findings on a step's fields and offers to change
// them; it returns true to ask the step again.
func (a *accessible) review(prefixes ...string) (bool, error) {
	var fs []setup.Finding
	for _, f := range setup.Validate(a.s) {
		if owns(prefixes, f.Field) {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		a.say("All values match the guide.")
		return false, nil
	}
	for _, f := range fs {
		mark := "Error"
		if f.Severity == setup.SeverityWarning {
			mark = "Warning"
		}
		a.say("%s: %s: %s", mark, f.Label, findingText(f))
	}
	return a.confirm("Change these values now?", len(setup.Errors(fs)) > 0)
}

func (a *accessible) waitRehearsal() {
	if a.started == nil || a.reh != nil || a.rehErr != nil {
		return
	}
	a.say("Waiting for the mock Entra ID and RudderStack to start…")
	r := <-a.started
	a.reh, a.rehErr = r.r, r.err
	if a.rehErr != nil {
		a.say("The rehearsal could not start: %v. The live parts are skipped.", a.rehErr)
	}
}

func (a *accessible) save() {
	if a.opts.SetupPath == "" || !a.fileOK {
		return
	}
	s := a.s
	if a.opts.Tenant.File != "" {
		// Which tenant file the setup was rehearsed against; this mode
		// resumes at the first step.
		s.Wizard = &setup.Wizard{Step: 1, Tenant: a.opts.Tenant.File}
	}
	data, err := setup.Marshal(s)
	if err == nil {
		err = writeFileAtomic(a.opts.SetupPath, data)
	}
	if err != nil {
		a.say("Could not save %s: %v", a.opts.SetupPath, err)
	}
}

func (a *accessible) run() error {
	a.say("ssowiz: Entra ID SSO and SCIM for RudderStack (accessible mode)")
	a.say("This wizard follows RudderStack's guide for single sign-on (SAML) and provisioning (SCIM) with Microsoft Entra ID, and rehearses every value against a mock Entra ID and a mock RudderStack on this machine.")
	a.say("You need Entra admin rights to create enterprise applications (Cloud Application Administrator or Application Administrator), and the Org Admin role in RudderStack.")
	a.say("Press enter at a prompt to keep the value in brackets.")
	if a.opts.Tenant.File != "" {
		a.say("The rehearsal serves your tenant file %s. %s", a.opts.Tenant.File, a.opts.Tenant.About)
	}
	if a.opts.Start != nil {
		a.started = make(chan rehearsalReadyMsg, 1)
		go func() {
			r, err := a.opts.Start(a.ctx)
			a.started <- rehearsalReadyMsg{r: r, err: err}
		}()
	}
	if err := a.resume(); err != nil {
		return err
	}
	steps := []func() error{a.stepApp, a.stepSAML, a.stepClaims, a.stepCert, a.stepUsers, a.stepToken, a.stepSCIM, a.stepChecks, a.stepSummary}
	for _, st := range steps {
		if err := st(); err != nil {
			return err
		}
		a.save()
	}
	return nil
}

func (a *accessible) resume() error {
	path := a.opts.SetupPath
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		a.fileOK = errors.Is(err, os.ErrNotExist)
		if a.fileOK {
			a.say("Your answers are saved to %s as you go.", path)
		}
		return nil
	}
	saved, err := setup.ReadFile(path)
	if err != nil {
		a.say("The setup file %s could not be read: %v. ssowiz won't overwrite it; fix it or use another --setup file.", path, err)
		return nil
	}
	a.fileOK = true
	rehearsed := ""
	if saved.Wizard != nil {
		rehearsed = saved.Wizard.Tenant
	}
	if !sameTenantFile(rehearsed, a.opts.Tenant.File) {
		a.say("That setup was rehearsed against %s, and this run serves %s: resuming keeps its values, and the users step shows who of them this tenant has.", describeTenant(rehearsed), describeTenant(a.opts.Tenant.File))
	}
	yes, err := a.confirm("A saved setup was found in "+path+". Resume with its values?", true)
	if err != nil {
		return err
	}
	if yes {
		a.s = saved
	}
	return nil
}

func (a *accessible) stepApp() error {
	a.heading(StepApp, "Create the application", "Entra admin center › Applications › Enterprise applications › New application › Create your own application")
	a.say("Choose: Integrate any other application you don't find in the gallery (Non-gallery).")
	for {
		if err := a.ask(a.text("Input name", &a.s.App.Name, false)); err != nil {
			return err
		}
		again, err := a.review("app")
		if err != nil {
			return err
		}
		if !again {
			break
		}
	}
	a.waitRehearsal()
	if a.reh == nil {
		return nil
	}
	app, err := a.reh.CreateApp(a.ctx, a.s)
	if err != nil {
		a.say("Could not create the app: %v", err)
		return nil
	}
	a.app = &app
	a.say("Created %q. Application (client) ID: %s. Object ID: %s. Tenant ID: %s.", app.Name, app.AppID, app.ObjectID, app.TenantID)
	return nil
}

func (a *accessible) stepSAML() error {
	a.heading(StepSAML, "Basic SAML Configuration", "Entra admin center › Enterprise applications › "+a.s.App.Name+" › Single sign-on › SAML › Basic SAML Configuration › Edit")
	a.say("The values are prefilled from RudderStack's guide.")
	for {
		ss := &a.s.SAML
		if err := a.ask(
			a.text("Identifier (Entity ID)", &ss.Identifier, false),
			a.text("Reply URL (Assertion Consumer Service URL)", &ss.ReplyURL, false),
			a.text("Sign on URL", &ss.SignOnURL, false),
			a.text("Relay State (Optional)", &ss.RelayState, true),
		); err != nil {
			return err
		}
		cleared(&ss.RelayState)
		again, err := a.review(stepFields[StepSAML]...)
		if err != nil || !again {
			return err
		}
	}
}

func (a *accessible) printClaims() {
	c := a.s.Claims
	a.say("Unique User Identifier (Name ID) = %s (%s)", c.NameID.Source, formatLabel(c.NameID.Format))
	if len(c.Additional) == 0 {
		a.say("No additional claims.")
	}
	for i, cl := range c.Additional {
		a.say("Claim %d: %s = %s", i+1, cl.WireName(), cl.Source)
	}
}

func (a *accessible) stepClaims() error {
	a.heading(StepClaims, "Attributes & Claims", "Entra admin center › Enterprise applications › "+a.s.App.Name+" › Single sign-on › Attributes & Claims › Edit")
	a.say("The guide: remove the additional claims a new app starts with, add Email = user.mail and LastName = user.displayname (or user.surname), and keep the Unique User Identifier as user.userprincipalname.")
	for {
		a.printClaims()
		if _, err := a.review("claims"); err != nil {
			return err
		}
		action := "keep"
		if err := a.ask(choose("What now?", &action,
			choice{"keep", "Keep these claims and go on"},
			choice{"guide", "Use the guide's claims"},
			choice{"add", "Add a claim"},
			choice{"remove", "Remove a claim"},
			choice{"nameid", "Change the Unique User Identifier"},
		)); err != nil {
			return err
		}
		switch action {
		case "keep":
			return nil
		case "guide":
			a.s.Claims = cloneClaims(setup.Default().Claims)
		case "add":
			c := setup.Claim{Source: "user.mail"}
			if err := a.ask(a.text("Name", &c.Name, false), a.text("Namespace", &c.Namespace, true), choose("Source attribute", &c.Source, sources()...)); err != nil {
				return err
			}
			cleared(&c.Namespace)
			a.s.Claims.Additional = append(a.s.Claims.Additional, c)
		case "remove":
			if len(a.s.Claims.Additional) == 0 {
				continue
			}
			var opts []choice
			for i, cl := range a.s.Claims.Additional {
				opts = append(opts, choice{fmt.Sprint(i), cl.WireName() + " = " + cl.Source})
			}
			which := "0"
			if err := a.ask(choose("Remove which claim?", &which, opts...)); err != nil {
				return err
			}
			var i int
			fmt.Sscan(which, &i)
			a.s.Claims.Additional = append(a.s.Claims.Additional[:i:i], a.s.Claims.Additional[i+1:]...)
		case "nameid":
			n := &a.s.Claims.NameID
			if err := a.ask(choose("Source attribute", &n.Source, sources()...), choose("Name identifier format", &n.Format, formats()...)); err != nil {
				return err
			}
		}
	}
}

func (a *accessible) stepCert() error {
	a.heading(StepCertificate, "Certificate and App Federation Metadata URL", "Entra admin center › Enterprise applications › "+a.s.App.Name+" › Single sign-on › SAML Certificates")
	if a.app != nil {
		a.say("App Federation Metadata URL (send it to the RudderStack team): %s", a.app.MetadataURL)
		a.say("Certificate: Active, thumbprint %s, expires %s.", a.app.Certificate.Thumbprint, a.app.Certificate.NotAfter.Format("2 January 2006"))
	}
	for {
		ss := &a.s.SAML
		if err := a.ask(
			choose("Signing Option", &ss.SigningOption, choice{setup.SigningAssertion, "Sign SAML assertion"}, choice{setup.SigningResponse, "Sign SAML response"}, choice{setup.SigningBoth, "Sign SAML response and assertion"}),
			choose("Signing Algorithm", &ss.SigningAlgorithm, choice{setup.AlgorithmSHA256, "SHA-256"}, choice{setup.AlgorithmSHA1, "SHA-1"}),
		); err != nil {
			return err
		}
		again, err := a.review("saml.signing_option", "saml.signing_algorithm")
		if err != nil || !again {
			return err
		}
	}
}

func (a *accessible) stepUsers() error {
	a.heading(StepUsers, "Users and groups", "Entra admin center › Enterprise applications › "+a.s.App.Name+" › Users and groups")
	a.say("With Assignment required set to Yes, only assigned users can sign in (others get AADSTS50105) and only they are provisioned.")
	a.waitRehearsal()
	for {
		if err := a.ask(huh.NewConfirm().Title("Assignment required?").Value(&a.s.Users.AssignmentRequired)); err != nil {
			return err
		}
		if a.reh != nil {
			users, groups, err := a.pickUsers()
			if err != nil {
				return err
			}
			// Unchanged defaults stay the tenant's usual assignments, not
			// lists of names.
			if a.s.Users.Explicit() || !sameUsers(users, defaultAssigned(a.reh.Users())) || !sameUsers(groups, defaultGroups(a.reh.Groups())) {
				a.s.Users.Assigned, a.s.Users.Groups = users, groups
			}
		}
		again, err := a.review("users")
		if err != nil || !again {
			return err
		}
	}
}

// accessibleUsers is how many users one listing reads out: a tenant file
// may hold thousands.
const accessibleUsers = 20

// pickUsers lists the tenant's groups (numbered g1, g2, …) and users
// with their assignment and asks for a number to assign or unassign,
// until a blank answer (or 0) keeps the lists, as "press enter to keep
// the value" promises. It returns the directly assigned users' UPNs and
// the assigned groups' names. A long list reads out the assigned users
// and groups, or those a /filter names, a few at a time; the numbers stay
// those of the whole list.
func (a *accessible) pickUsers() (users, groups []string, err error) {
	us, gs := a.reh.Users(), a.reh.Groups()
	explicit := a.s.Users.Explicit()
	on := make([]bool, len(us))
	for i, u := range us {
		on[i] = u.Direct
		if explicit {
			on[i] = slices.ContainsFunc(a.s.Users.Assigned, func(upn string) bool { return strings.EqualFold(upn, u.UPN) })
		}
	}
	gon := make([]bool, len(gs))
	for i, g := range gs {
		gon[i] = g.Assigned
		if explicit {
			gon[i] = slices.ContainsFunc(a.s.Users.Groups, func(name string) bool { return strings.EqualFold(name, g.Name) })
		}
	}
	long := len(us)+len(gs) > accessibleUsers
	filter := ""
	for {
		// via names, by lower-case UPN, an assigned group each member of
		// one is in.
		via := map[string]string{}
		for i, g := range gs {
			if gon[i] {
				for _, upn := range g.Members {
					if k := strings.ToLower(upn); via[k] == "" {
						via[k] = g.Name
					}
				}
			}
		}
		noun := "users"
		if len(gs) > 0 {
			noun = "groups and users"
		}
		switch {
		case !long:
			a.say("Assigned %s:", noun)
		case filter == "" && len(gs) == 0:
			a.say("The tenant has %d users. Assigned users:", len(us))
		case filter == "":
			a.say("The tenant has %s and %s. Assigned %s:", plural.Count(len(gs), "group"), plural.Count(len(us), "user"), noun)
		case len(gs) == 0:
			a.say("Users whose name or UPN holds %q:", filter)
		default:
			a.say("Groups whose name, and users whose name or UPN, holds %q:", filter)
		}
		f := strings.ToLower(filter)
		listed, more := 0, 0
		show := func(match bool, line string) {
			if long && !match {
				return
			}
			if long && listed == accessibleUsers {
				more++
				return
			}
			listed++
			a.say("%s", line)
		}
		for i, g := range gs {
			mark := "is not assigned"
			if gon[i] {
				mark = "is assigned"
			}
			match := gon[i]
			if filter != "" {
				match = strings.Contains(strings.ToLower(g.Name), f)
			}
			show(match, fmt.Sprintf("  g%d. Group %s (%s) %s.", i+1, g.Name, plural.Count(len(g.Members), "member"), mark))
		}
		for i, u := range us {
			mark := "is not assigned"
			switch group := via[strings.ToLower(u.UPN)]; {
			case on[i] && group != "":
				mark = "is assigned, and through the group " + group + " too"
			case on[i]:
				mark = "is assigned"
			case group != "":
				mark = "is assigned through the group " + group
			}
			match := on[i] || via[strings.ToLower(u.UPN)] != ""
			if filter != "" {
				match = strings.Contains(strings.ToLower(u.DisplayName), f) || strings.Contains(strings.ToLower(u.UPN), f)
			}
			line := fmt.Sprintf("  %d. %s (%s) %s.", i+1, u.DisplayName, u.UPN, mark)
			if u.Purpose != "" {
				line += " Rehearses: " + u.Purpose + "."
			}
			show(match, line)
		}
		switch {
		case long && listed == 0:
			a.say("  None.")
		case more > 0:
			a.say("  … and %d more; a longer filter narrows the list.", more)
		}
		numbers := fmt.Sprintf("1 to %d", len(us))
		switch {
		case len(gs) == 1:
			numbers += ", or g1 for the group"
		case len(gs) > 1:
			numbers += fmt.Sprintf(", or g1 to g%d for a group", len(gs))
		}
		title := fmt.Sprintf("Number to assign or unassign (%s), or enter to keep this list", numbers)
		if long {
			title = fmt.Sprintf("Number to assign or unassign (%s), /text to list the users whose name or UPN holds text, or enter to keep this list", numbers)
		}
		var answer string
		err := a.ask(huh.NewInput().Title(title).Value(&answer).
			Validate(func(s string) error {
				s = strings.TrimSpace(s)
				if long && strings.HasPrefix(s, "/") {
					return nil
				}
				if g, ok := strings.CutPrefix(strings.ToLower(s), "g"); ok && len(gs) > 0 {
					if n, err := strconv.Atoi(g); err != nil || n < 1 || n > len(gs) {
						return fmt.Errorf("type a group's number, from g1 to g%d", len(gs))
					}
					return nil
				}
				if n, err := strconv.Atoi(s); s != "" && (err != nil || n < 0 || n > len(us)) {
					if long {
						return fmt.Errorf("type a number from %s, /text to find users, or press enter to keep the list", numbers)
					}
					return fmt.Errorf("type a number from %s, or press enter to keep the list", numbers)
				}
				return nil
			}))
		if err != nil {
			return nil, nil, err
		}
		answer = strings.TrimSpace(answer)
		if long && strings.HasPrefix(answer, "/") {
			filter = strings.TrimSpace(answer[1:])
			continue
		}
		if g, ok := strings.CutPrefix(strings.ToLower(answer), "g"); ok && len(gs) > 0 {
			n, _ := strconv.Atoi(g)
			gon[n-1] = !gon[n-1]
			continue
		}
		n, _ := strconv.Atoi(answer)
		if n == 0 {
			break
		}
		on[n-1] = !on[n-1]
	}
	users, groups = []string{}, []string{}
	for i, u := range us {
		if on[i] {
			users = append(users, u.UPN)
		}
	}
	for i, g := range gs {
		if gon[i] {
			groups = append(groups, g.Name)
		}
	}
	return users, groups, nil
}

func (a *accessible) stepToken() error {
	a.heading(StepToken, "Personal access token", "RudderStack › Settings › Your Profile › Account › Personal access tokens › Generate new token")
	for {
		r := &a.s.RudderStack
		if err := a.ask(
			choose("Your role in the organization", &r.OrgRole, choice{setup.OrgRoleAdmin, setup.OrgRoleAdmin}, choice{setup.OrgRoleMember, setup.OrgRoleMember}),
			a.text("Token name", &r.PAT.Name, false),
			choose("Role", &r.PAT.Role, choice{setup.PATRoleAdmin, setup.PATRoleAdmin}, choice{setup.PATRoleMember, setup.PATRoleMember}),
		); err != nil {
			return err
		}
		again, err := a.review("rudderstack.org_role", "rudderstack.pat")
		if err != nil {
			return err
		}
		if !again {
			break
		}
	}
	a.waitRehearsal()
	if a.reh == nil {
		return nil
	}
	gen, err := a.confirm("Generate the token now?", true)
	if err != nil || !gen {
		return err
	}
	t, err := a.reh.GeneratePAT(a.ctx, a.s)
	if err != nil {
		a.say("Could not generate the token: %v", err)
		return nil
	}
	a.token = &t
	a.say("Generated %q with role %s. RudderStack shows it only once; it goes into Entra's Secret Token next.", t.Name, t.Role)
	show, err := a.confirm("Show the token now?", false)
	if err != nil {
		return err
	}
	if show {
		a.say("Token: %s", t.Secret)
	}
	return nil
}

func (a *accessible) stepSCIM() error {
	a.heading(StepSCIM, "SCIM configuration", "Entra admin center › Enterprise applications › "+a.s.App.Name+" › Provisioning › Provisioning Mode: Automatic")
	a.say("Known issues: RudderStack doesn't import users or groups, push groups (coming soon), remove users (they are deactivated instead), or sync passwords.")
	for {
		p := &a.s.Provisioning
		secret := p.SecretToken
		if err := a.ask(
			a.text("Tenant URL", &p.TenantURL, false),
			huh.NewInput().Title("Secret Token [the token generated in step 7] (- clears a typed one):").Value(&secret),
			huh.NewConfirm().Title("Provision Microsoft Entra ID Groups? (RudderStack doesn't support it yet)").Value(&p.ProvisionGroups),
			huh.NewConfirm().Title("Target Object Actions: Create?").Value(&p.Actions.Create),
			huh.NewConfirm().Title("Target Object Actions: Update?").Value(&p.Actions.Update),
			huh.NewConfirm().Title("Target Object Actions: Delete? (RudderStack deactivates instead)").Value(&p.Actions.Delete),
			huh.NewConfirm().Title("Is SCIM enabled for your organization by the RudderStack team?").Value(&a.s.RudderStack.SCIMEnabled),
		); err != nil {
			return err
		}
		cleared(&secret)
		p.SecretToken = secret
		again, err := a.review("provisioning", "rudderstack.scim_enabled")
		if err != nil {
			return err
		}
		if !again {
			break
		}
	}
	if a.reh == nil {
		return nil
	}
	test, err := a.confirm("Test Connection now?", true)
	if err != nil || !test {
		return err
	}
	secret := ""
	if a.token != nil {
		secret = a.token.Secret
	}
	c, err := a.reh.TestConnection(a.ctx, a.s, secret)
	switch {
	case err != nil:
		a.say("Test Connection could not run: %v", err)
	case c.OK:
		a.say("Test Connection: the supplied credentials are authorized to enable provisioning.")
	default:
		a.say("Test Connection failed. Error code: %s. %s", c.Code, c.Message)
		if c.Remedy != "" {
			a.say("What to do: %s", c.Remedy)
		}
	}
	return nil
}

func (a *accessible) stepChecks() error {
	a.heading(StepChecks, "Live checks", "")
	if a.reh == nil {
		a.say("The rehearsal is not running, so the checks are skipped. Run `ssowiz check` with your setup file.")
		return nil
	}
	for {
		a.say("Running the checks against fresh mocks…")
		rep, err := a.reh.Run(a.ctx, a.s, nil, func(e checks.Event) {
			if e.Kind == checks.Finished && e.Result != nil {
				r := e.Result
				a.say("Check %d of %d, %s: %s (%s). %s", e.Index, e.Total, r.Title, r.Status, durationText(r.Duration), r.Summary)
			}
		})
		if err != nil {
			a.say("The checks could not run: %v", err)
			return nil
		}
		a.report = rep
		c := rep.Counts()
		a.say("%s.", countsText(c.Pass, c.Fail, c.Warn, c.Skip))
		if c.Fail == 0 {
			return nil
		}
		var opts []choice
		for _, r := range rep.Results {
			if r.Status != checks.Fail {
				continue
			}
			for _, rem := range r.Remediations {
				a.say("%s failed. %s › %s: %s %s", r.Title, rem.Screen, rem.Label, upperFirst(strings.TrimSpace(rem.Problem)), rem.Fix)
				if rem.Field != "" && !slices.ContainsFunc(opts, func(c choice) bool { return c.value == rem.Field }) {
					opts = append(opts, choice{rem.Field, "Change " + rem.Label + " (" + rem.Field + ")"})
				}
			}
			if r.HAR != "" {
				a.say("HAR saved to %s", r.HAR)
			}
		}
		opts = append(opts, choice{"", "Go on to the summary"})
		field := opts[0].value
		if err := a.ask(choose("What now?", &field, opts...)); err != nil {
			return err
		}
		if field == "" {
			return nil
		}
		if err := a.fix(field); err != nil {
			return err
		}
		a.save()
	}
}

// fix asks the step that holds field again.
func (a *accessible) fix(field string) error {
	switch stepFor(field) {
	case StepApp:
		return a.ask(a.text("Input name", &a.s.App.Name, false))
	case StepSAML:
		return a.stepSAML()
	case StepClaims:
		return a.stepClaims()
	case StepCertificate:
		return a.stepCert()
	case StepUsers:
		return a.stepUsers()
	case StepToken:
		return a.stepToken()
	case StepSCIM:
		return a.stepSCIM()
	}
	return nil
}

func (a *accessible) stepSummary() error {
	a.heading(StepSummary, "Summary", "")
	h := buildHandover(a.s, setup.Validate(a.s), a.app, a.token, a.report)
	for _, sec := range h.sections {
		a.say("")
		a.say("%s:", sec.title)
		for _, it := range sec.items {
			note := ""
			switch it.state {
			case "error":
				note = " (this value is off)"
			case "warning":
				note = " (worth a second look)"
			}
			a.say("- %s%s", it.text, note)
			for _, v := range it.values {
				a.say("    %s: %s", v.label, emptyOr(v.text))
			}
		}
	}
	if a.opts.SetupPath == "" && a.opts.ExportDir == "" {
		return nil
	}
	m := &Model{opts: a.opts, path: a.opts.SetupPath}
	a.say("")
	yes, err := a.confirm("Write this checklist as Markdown?", true)
	if err != nil {
		return err
	}
	if yes {
		if _, err := a.writeExport("Markdown checklist", m.exportPath("ssowiz-handover.md"), h.markdown(a.s)); err != nil {
			return err
		}
	}
	// The Graph script: what ssowiz export --format graph writes for the
	// same setup (one plan, one script writer).
	plan, err := export.PlanFromSetup(a.s)
	if err != nil {
		a.say("The Graph script can't be written: %v. Fix it in step 4 (Attributes & Claims).", err)
		return nil
	}
	yes, err = a.confirm("Write the Microsoft Graph script that makes the real tenant match (what ssowiz export --format graph writes)?", true)
	if err != nil || !yes {
		return err
	}
	path := m.exportPath(GraphScriptName)
	written, err := a.writeExport("Graph script", path, export.Script(plan, scriptSource(a.opts.SetupPath, !a.fileOK)))
	if err != nil || !written {
		return err
	}
	if plan.TenantURL != "" {
		a.say("Read it, then run it after az login: SCIM_SECRET_TOKEN=<the Admin token> bash %s", path)
	} else {
		a.say("Read it, then run it after az login: bash %s", path)
	}
	return nil
}

// writeExport writes an export, asking first when the file is there; it
// reports whether the file was written. A failure to write is said and
// the summary goes on.
func (a *accessible) writeExport(what, path, data string) (bool, error) {
	if _, err := os.Lstat(path); err == nil {
		replace, err := a.confirm(path+" already exists. Replace it?", false)
		if err != nil {
			return false, err
		}
		if !replace {
			a.say("Kept %s as it was; the %s was not written.", path, what)
			return false, nil
		}
	}
	if err := writeFileAtomic(path, []byte(data)); err != nil {
		a.say("Could not write the %s: %v", what, err)
		return false, nil
	}
	a.say("Wrote the %s to %s.", what, path)
	return true, nil
}

// defaultAssigned is the tenant's directly assigned users' UPNs.
func defaultAssigned(users []User) []string {
	var out []string
	for _, u := range users {
		if u.Direct {
			out = append(out, u.UPN)
		}
	}
	return out
}

// defaultGroups is the tenant's assigned groups' names.
func defaultGroups(groups []Group) []string {
	var out []string
	for _, g := range groups {
		if g.Assigned {
			out = append(out, g.Name)
		}
	}
	return out
}

func sameUsers(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y string) bool { return strings.EqualFold(x, y) }) {
			return false
		}
	}
	return true
}
