package mockidp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// handleSAMLRequest is the Login URL, /{tenant}/saml2. It checks the
// AuthnRequest in Entra's order (reference §2.3): the message, the tenant,
// the Issuer, the ACS; then signs the user in (or reuses the session) and
// checks assignment and token issuance in finish.
func (s *Server) handleSAMLRequest(w http.ResponseWriter, r *http.Request) {
	req, relayState, err := s.readAuthnRequest(r)
	var lm *logoutMessage
	if errors.As(err, &lm) {
		s.logout(w, r, lm.raw, relayState)
		return
	}
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	issuer := strings.TrimSpace(req.Issuer.Value)
	t, app, ok := s.requestingApp(w, r, issuer)
	if !ok {
		return
	}
	acs, err := replyURLFor(app, req)
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	p := pending{
		Kind: flowSP, Tenant: t.ID, App: app.AppID, ACS: acs, RequestID: req.ID, Audience: issuer,
		RelayState: relayState, ForceAuthn: req.ForceAuthn,
	}
	if req.NameIDPolicy != nil {
		p.NameIDFormat, p.SPNameQualifier = req.NameIDPolicy.Format, req.NameIDPolicy.SPNameQualifier
	}
	if sess, ok := s.currentSession(r); ok && !req.ForceAuthn {
		if s.resume(w, r, p, sess) {
			return
		}
	}
	if req.IsPassive {
		body, err := s.statusResponse(t.ID, acs, req.ID, statusResponder, statusNoPassive, codeNoPassive, msgNoPassive)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		s.post(w, acs, body, relayState)
		return
	}
	s.showPicker(w, r, p, r.URL.Query().Get("login_hint"), "", 0, "")
}

// replyURLFor picks the ACS as Entra does: the request's URL must equal a
// Reply URL exactly (case-sensitive, trailing slash included); an index
// must name one; with neither, the default Reply URL is used.
func replyURLFor(app directory.App, req *authnRequest) (string, error) {
	switch {
	case req.AssertionConsumerServiceURL != "":
		caseOnly := false
		for _, ru := range app.SAML.ReplyURLs {
			if ru.URL == req.AssertionConsumerServiceURL {
				return ru.URL, nil
			}
			if strings.EqualFold(ru.URL, req.AssertionConsumerServiceURL) {
				caseOnly = true
			}
		}
		return "", &requestError{codeInvalidReplyTo, msgInvalidReplyTo(req.AssertionConsumerServiceURL, app.AppID, caseOnly)}
	case req.AssertionConsumerServiceIndex != nil:
		for _, ru := range app.SAML.ReplyURLs {
			if ru.Index != nil && *ru.Index == *req.AssertionConsumerServiceIndex {
				return ru.URL, nil
			}
		}
		return "", &requestError{codeInvalidReplyTo, msgInvalidReplyTo(fmt.Sprintf("index %d", *req.AssertionConsumerServiceIndex), app.AppID, false)}
	}
	if acs := app.DefaultReplyURL(); acs != "" {
		return acs, nil
	}
	return "", &requestError{codeNoReplyAddress, msgNoReplyAddress}
}

// tenant resolves the path's tenant (ID or domain) or answers AADSTS90002.
func (s *Server) tenant(w http.ResponseWriter, r *http.Request, name string) (directory.Tenant, bool) {
	t, err := s.dir.ResolveTenant(r.Context(), name)
	if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrNoTenant) {
		s.fail(w, r, codeTenantNotFound, msgTenantNotFound(name))
		return directory.Tenant{}, false
	}
	if err != nil {
		s.internal(w, r, err)
		return directory.Tenant{}, false
	}
	return t, true
}

// resume continues a pending sign-in with the session cookie's user. It
// returns false, so the caller shows the sign-in page, when that user no
// longer exists.
func (s *Server) resume(w http.ResponseWriter, r *http.Request, p pending, sess session) bool {
	u, err := s.dir.User(r.Context(), sess.User)
	if err != nil || u.Status != directory.UserActive {
		return false
	}
	noteUser(r, u.ObjectID, u.UserPrincipalName)
	if !u.AccountEnabled {
		s.fail(w, r, codeUserDisabled, msgUserDisabled)
		return true
	}
	s.finish(w, r, p, u, time.UnixMilli(sess.AuthTime))
	return true
}

// handleLogin takes the sign-in form: loginfmt alone (the username step)
// or loginfmt and passwd (the password step), with ctx.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, codeCtxInvalid, msgCtxInvalid("ctx"))
		return
	}
	p, ok := s.openFlow(r.PostForm.Get("ctx"))
	if !ok {
		s.fail(w, r, codeCtxInvalid, msgCtxInvalid("ctx"))
		return
	}
	noteApp(r, p.App)
	if t, ok := s.tenant(w, r, r.PathValue("tenant")); !ok {
		return
	} else if t.ID != p.Tenant {
		s.fail(w, r, codeCtxInvalid, msgCtxInvalid("ctx"))
		return
	}
	login := strings.TrimSpace(r.PostForm.Get("loginfmt"))
	noteUser(r, "", login)
	if login == "" {
		s.showPicker(w, r, p, "", "Enter a valid email address, phone number, or Skype name.", 0, "")
		return
	}
	if _, hasPassword := r.PostForm["passwd"]; !hasPassword {
		if _, err := s.dir.UserByUPN(ctx, login); errors.Is(err, directory.ErrNotFound) {
			s.unknownUser(w, r, p, login)
			return
		} else if err != nil {
			s.internal(w, r, err)
			return
		}
		s.showPassword(w, r, p, login, "", 0, "")
		return
	}
	password := r.PostForm.Get("passwd")
	if password == "" {
		s.showPassword(w, r, p, login, "Please enter your password.", 0, "")
		return
	}
	u, err := s.dir.VerifyPassword(ctx, login, password)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		s.unknownUser(w, r, p, login)
		return
	case errors.Is(err, directory.ErrBadPassword):
		s.log.Info("sign-in failed", "code", "AADSTS50126", "upn", login)
		s.showPassword(w, r, p, login, "Your account or password is incorrect. If you don't remember your password, reset it now.", codeBadPassword, msgBadPassword)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	noteUser(r, u.ObjectID, u.UserPrincipalName)
	if !u.AccountEnabled {
		s.fail(w, r, codeUserDisabled, msgUserDisabled)
		return
	}
	s.afterPassword(w, r, p, u, s.now())
}

func (s *Server) unknownUser(w http.ResponseWriter, r *http.Request, p pending, login string) {
	s.log.Info("sign-in failed", "code", "AADSTS50034")
	tenantName := p.Tenant
	if t, err := s.dir.Tenant(r.Context()); err == nil {
		tenantName = t.DisplayName
	}
	s.showPicker(w, r, p, login, "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin.",
		codeUserNotFound, msgUserNotFound(login, tenantName))
}

// finish ends a sign-in: the assignment check (AADSTS50105), then either
// the Sign on URL (a tile with one) or a signed response posted to the ACS.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, p pending, u directory.User, authTime time.Time) {
	ctx := r.Context()
	app, err := s.dir.App(ctx, p.App)
	if errors.Is(err, directory.ErrNotFound) {
		s.fail(w, r, codeAppNotFound, msgAppNotFound(p.App, p.Tenant))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	t, err := s.dir.Tenant(ctx)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	noteApp(r, app.AppID)
	noteUser(r, u.ObjectID, u.UserPrincipalName)
	if app.AssignmentRequired {
		ok, err := s.dir.IsAssigned(ctx, app.AppID, u.ObjectID)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if !ok {
			s.fail(w, r, codeNotAssigned, msgNotAssigned(app.Name, app.AppID, u.UserPrincipalName))
			return
		}
	}
	is := issue{tenant: t, app: app, user: u, acs: p.ACS, inResponseTo: p.RequestID, audience: p.Audience,
		nameIDFormat: p.NameIDFormat, spNameQualifier: p.SPNameQualifier, authnInstant: authTime}
	relayState := p.RelayState
	if p.Kind != flowSP {
		if p.Kind == flowTile && app.SAML.SignOnURL != "" {
			// SP-initiated mode: the tile just opens the app's sign-on page.
			s.log.Info("tile launch", "app", app.AppID, "to", "sign on URL")
			http.Redirect(w, r, app.SAML.SignOnURL, http.StatusFound)
			return
		}
		if is.acs = app.DefaultReplyURL(); is.acs == "" {
			s.fail(w, r, codeNoReplyAddress, msgNoReplyAddress)
			return
		}
		if is.audience = app.DefaultIdentifier(); is.audience == "" {
			s.fail(w, r, codeAppNotFound, msgAppNotFound("", t.DisplayName))
			return
		}
		is.inResponseTo, relayState = "", app.SAML.RelayState
	}
	resp, err := s.issueResponse(ctx, is)
	if err != nil {
		s.failWith(w, r, err)
		return
	}
	s.log.Info("signed in", "user", u.ObjectID, "app", app.AppID, "acs", is.acs, "unsolicited", is.inResponseTo == "")
	s.logIssued(r, app, u, is.acs, resp)
	s.post(w, is.acs, resp.body, relayState)
}

// post writes Entra's auto-submitting form that carries the response to
// the ACS by HTTP-POST.
func (s *Server) post(w http.ResponseWriter, acs string, body []byte, relayState string) {
	page := postPage(acs, body, relayState)
	noStore(w)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// A length lets the browser read the page into one buffer, where a
	// page this size would otherwise be sent in chunks.
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.Write(page)
}

// showPicker shows Entra's first sign-in screen: "Sign in" with the email
// box in a browser that has not signed in here before, or "Pick an
// account" with the accounts this browser used (and the email box to use
// another). The mock-only demo users box comes after, when configured.
// maxDemoUsers bounds the mock-only demo users box.
const maxDemoUsers = 20

func (s *Server) showPicker(w http.ResponseWriter, r *http.Request, p pending, hint, errMsg string, code int, codeMsg string) {
	ctx := r.Context()
	d := pickerData{Action: s.postLoginURL(p.Tenant), Ctx: s.sealFlow(p), LoginHint: hint, Error: errMsg, CodeMessage: codeMsg}
	if code != 0 {
		d.Code = fmt.Sprintf("AADSTS%d", code)
		s.logSignIn(r, code, codeMsg, "")
	}
	var used []pickerUser
	for _, id := range s.rememberedAccounts(r) {
		u, err := s.dir.User(ctx, id)
		if err != nil || u.Status != directory.UserActive {
			continue
		}
		used = append(used, pickerUser{UPN: u.UserPrincipalName, Name: u.DisplayName})
	}
	if len(used) > 0 {
		d.Tiles = accountTiles(d.Action, d.Ctx, used, "data-test-id")
	}
	if s.demoHint {
		// A large tenant (a tenant file of thousands of users) would make
		// a page of megabytes, and copying its list at each page would
		// slow every sign-in; the email box signs in anyone.
		users, err := s.dir.FirstUsers(ctx, maxDemoUsers)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		demo := make([]pickerUser, 0, len(users))
		for _, u := range users {
			demo = append(demo, pickerUser{UPN: u.UserPrincipalName, Name: u.DisplayName})
		}
		d.Demo = accountTiles(d.Action, d.Ctx, demo, "data-demo-upn")
	}
	noStore(w)
	s.render(w, http.StatusOK, "picker", d)
}

func (s *Server) showPassword(w http.ResponseWriter, r *http.Request, p pending, upn, errMsg string, code int, codeMsg string) {
	d := passwordData{Action: s.postLoginURL(p.Tenant), Ctx: s.sealFlow(p), UPN: upn, Error: errMsg, CodeMessage: codeMsg}
	if code != 0 {
		d.Code = fmt.Sprintf("AADSTS%d", code)
		s.logSignIn(r, code, codeMsg, "")
	}
	noStore(w)
	s.render(w, http.StatusOK, "password", d)
}

// failWith shows the error page for a *requestError, or a 500 for anything
// else.
func (s *Server) failWith(w http.ResponseWriter, r *http.Request, err error) {
	var re *requestError
	if errors.As(err, &re) {
		s.fail(w, r, re.code, re.message)
		return
	}
	s.internal(w, r, err)
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error("mock Entra internal error", "path", r.URL.Path, "err", err)
	http.Error(w, "mock Entra ID internal error: "+err.Error(), http.StatusInternalServerError)
}

// requestingApp finds the tenant of the request's path and the app whose
// Identifier is a request's Issuer, as both a sign-in and a sign-out
// request must name one; an unknown Issuer is AADSTS700016. When it
// returns false the answer has been written.
func (s *Server) requestingApp(w http.ResponseWriter, r *http.Request, issuer string) (directory.Tenant, directory.App, bool) {
	t, ok := s.tenant(w, r, r.PathValue("tenant"))
	if !ok {
		return directory.Tenant{}, directory.App{}, false
	}
	app, err := s.dir.AppByIdentifier(r.Context(), issuer)
	if errors.Is(err, directory.ErrNotFound) {
		s.fail(w, r, codeAppNotFound, msgAppNotFound(issuer, t.DisplayName))
		return directory.Tenant{}, directory.App{}, false
	}
	if err != nil {
		s.internal(w, r, err)
		return directory.Tenant{}, directory.App{}, false
	}
	noteApp(r, app.AppID)
	return t, app, true
}
