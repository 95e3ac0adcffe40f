package mockidp

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// SignInRecorder keeps the sign-in log (auditlog.Log does).
type SignInRecorder interface {
	Record(ctx context.Context, s auditlog.SignIn) (auditlog.SignIn, error)
}

// attempt is what a sign-in request has learnt so far about who is
// signing in to what, for its log entry.
type attempt struct {
	appID, userID, upn string
}

type attemptKey struct{}

// tracked marks a request as a sign-in attempt, so its outcome (the error
// page, an inline AADSTS error or the response posted) is logged.
func (s *Server) tracked(h http.HandlerFunc) http.HandlerFunc {
	if s.signIns == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), attemptKey{}, &attempt{})))
	}
}

// noteApp and noteUser record what the attempt has learnt.
func noteApp(r *http.Request, appID string) {
	if a, ok := r.Context().Value(attemptKey{}).(*attempt); ok {
		a.appID = appID
	}
}

func noteUser(r *http.Request, userID, upn string) {
	if a, ok := r.Context().Value(attemptKey{}).(*attempt); ok {
		a.userID, a.upn = userID, upn
	}
}

// logSignIn writes the attempt's log entry for a failure, with its
// AADSTS code and the correlation ID the page shows. A failure to log is
// itself logged, never shown to the user.
func (s *Server) logSignIn(r *http.Request, code int, message, correlationID string) {
	a, ok := r.Context().Value(attemptKey{}).(*attempt)
	if !ok {
		return
	}
	ctx := r.Context()
	e := s.entry(r, a.appID, correlationID)
	e.UserID, e.UserPrincipalName, e.ErrorCode, e.FailureReason = a.userID, a.upn, code, message
	if a.appID != "" {
		if app, err := s.dir.App(ctx, a.appID); err == nil {
			e.AppID, e.AppDisplayName = app.AppID, app.Name
		}
	}
	if a.userID != "" {
		if u, err := s.dir.User(ctx, a.userID); err == nil {
			e.UserPrincipalName, e.UserDisplayName = u.UserPrincipalName, u.DisplayName
		}
	} else if a.upn != "" {
		if u, err := s.dir.UserByUPN(ctx, a.upn); err == nil {
			e.UserID, e.UserPrincipalName, e.UserDisplayName = u.ObjectID, u.UserPrincipalName, u.DisplayName
		}
	}
	s.record(ctx, e)
}

// logIssued writes a success's log entry (code 0): the app and user the
// response was issued for, where it was posted, and the log's view of the
// response (its claims, and the XML without signature values).
func (s *Server) logIssued(r *http.Request, app directory.App, u directory.User, acs string, is issued) {
	if _, ok := r.Context().Value(attemptKey{}).(*attempt); !ok {
		return
	}
	e := s.entry(r, app.AppID, "")
	e.AppDisplayName, e.ReplyURL = app.Name, acs
	e.UserID, e.UserPrincipalName, e.UserDisplayName = u.ObjectID, u.UserPrincipalName, u.DisplayName
	e.SAMLResponse, e.Claims = is.logXML, is.claims
	s.record(r.Context(), e)
}

// entry starts a log entry with what every attempt has: where the
// browser is and its correlation ID (a new one when the page showed none).
func (s *Server) entry(r *http.Request, appID, correlationID string) auditlog.SignIn {
	if correlationID == "" {
		correlationID = s.guid()
	}
	return auditlog.SignIn{AppID: appID, IPAddress: clientIP(r), UserAgent: r.UserAgent(), CorrelationID: correlationID}
}

func (s *Server) record(ctx context.Context, e auditlog.SignIn) {
	if _, err := s.signIns.Record(ctx, e); err != nil {
		s.log.Error("sign-in log", "err", err)
	}
}

// signatureElided stands in the log for each signature value of an issued
// response. The signed original is not kept, because anyone who reads the
// log (the Sign-in logs page has no login) could post it to the app until
// it expires; what it said is all the log needs.
const signatureElided = "(signature value not kept: a signed response is a credential until it expires)"

// clientIP is the request's peer address without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return strings.TrimSpace(r.RemoteAddr)
	}
	return host
}
