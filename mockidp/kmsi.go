package mockidp

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Entra's sign-in sequence after the password: "Stay signed in?" (KMSI,
// "keep me signed in"), unless the tenant's Company branding has "Show
// option to remain signed in" off. Its form posts to /kmsi with
// LoginOptions=1 (Yes: a persistent session) or 3 (No: a browser-session
// cookie), type=28, and DontShowAgain for "Don't show this again".
const (
	kmsiYes = "1"
	kmsiNo  = "3"
	// StaySignedInNo is the LoginOptions value of the "No" button, for
	// scripted browsers.
	StaySignedInNo = kmsiNo
	// kmsiHideCookie remembers "Don't show this again" in this browser.
	kmsiHideCookie = "ESTSKMSIHIDE"
	// accountsCookie lists, sealed, the accounts this browser signed in
	// with, so the next sign-in offers them ("Pick an account") instead of
	// an empty email box; a fresh browser gets the email box.
	accountsCookie = "ESTSACCOUNTS"
	// maxAccounts is how many accounts the picker remembers.
	maxAccounts = 5
	// accountsLifetime is how long a browser remembers its accounts.
	accountsLifetime = 90 * 24 * time.Hour
)

// kmsiState is the sign-in waiting for the "Stay signed in?" answer.
type kmsiState struct {
	Flow     pending `json:"p"`
	User     string  `json:"u"`
	AuthTime int64   `json:"at"`
	Expires  int64   `json:"exp"`
}

// kmsiData fills the "Stay signed in?" page.
type kmsiData struct {
	Action, Ctx, UPN string
}

// afterPassword follows a right password: the "Stay signed in?" question
// when the tenant shows it and this browser did not hide it, otherwise a
// browser-session cookie and the response straight away.
func (s *Server) afterPassword(w http.ResponseWriter, r *http.Request, p pending, u directory.User, now time.Time) {
	if s.hideKMSI || hasCookie(r, kmsiHideCookie) {
		s.setSession(w, u.ObjectID, now, false)
		s.rememberAccount(w, r, u.ObjectID)
		s.finish(w, r, p, u, now)
		return
	}
	st := kmsiState{Flow: p, User: u.ObjectID, AuthTime: now.UnixMilli(), Expires: s.now().Add(flowLifetime).Unix()}
	noStore(w)
	s.render(w, http.StatusOK, "kmsi", kmsiData{Action: s.base + "/kmsi", Ctx: s.seal("kmsi", st), UPN: u.UserPrincipalName})
}

// handleKMSI takes the "Stay signed in?" answer, sets the session cookie
// (persistent for Yes) and finishes the sign-in.
func (s *Server) handleKMSI(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, codeCtxInvalid, msgCtxInvalid("ctx"))
		return
	}
	var st kmsiState
	if !s.open("kmsi", r.PostForm.Get("ctx"), &st) || s.now().Unix() > st.Expires {
		s.fail(w, r, codeCtxInvalid, msgCtxInvalid("ctx"))
		return
	}
	noteApp(r, st.Flow.App)
	answer := r.PostForm.Get("LoginOptions")
	if answer != kmsiYes && answer != kmsiNo {
		s.fail(w, r, codeCtxInvalid, msgCtxInvalid("LoginOptions"))
		return
	}
	u, err := s.dir.User(r.Context(), st.User)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && u.Status != directory.UserActive) {
		s.fail(w, r, codeUserNotFound, msgUserNotFound(st.User, st.Flow.Tenant))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if r.PostForm.Get("DontShowAgain") == "true" {
		http.SetCookie(w, &http.Cookie{Name: kmsiHideCookie, Value: "1", Path: "/", MaxAge: int(accountsLifetime / time.Second),
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
	authTime := time.UnixMilli(st.AuthTime)
	s.setSession(w, u.ObjectID, authTime, answer == kmsiYes)
	s.rememberAccount(w, r, u.ObjectID)
	s.finish(w, r, st.Flow, u, authTime)
}

// rememberedAccounts are the object IDs of the accounts this browser
// signed in with, most recent first.
func (s *Server) rememberedAccounts(r *http.Request) []string {
	c, err := r.Cookie(accountsCookie)
	if err != nil {
		return nil
	}
	var ids []string
	if !s.open("accounts", c.Value, &ids) {
		return nil
	}
	return ids
}

// rememberAccount puts userID first in this browser's account list.
func (s *Server) rememberAccount(w http.ResponseWriter, r *http.Request, userID string) {
	ids := s.rememberedAccounts(r)
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == userID })
	ids = append([]string{userID}, ids...)
	if len(ids) > maxAccounts {
		ids = ids[:maxAccounts]
	}
	c := &http.Cookie{Name: accountsCookie, Value: s.seal("accounts", ids), Path: "/", MaxAge: int(accountsLifetime / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
	if s.secure {
		c.SameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, c)
}

func hasCookie(r *http.Request, name string) bool {
	c, err := r.Cookie(name)
	return err == nil && strings.TrimSpace(c.Value) != ""
}
