package mockidp

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/beevik/etree"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
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

// logSignIn writes the attempt's log entry: a failure with its AADSTS
// code and the correlation ID the page shows, or a success (code 0) with
// the response and the claims in it. A failure to log is itself logged,
// never shown to the user.
func (s *Server) logSignIn(r *http.Request, code int, message, correlationID, acs string, response []byte) {
	a, ok := r.Context().Value(attemptKey{}).(*attempt)
	if !ok {
		return
	}
	ctx := r.Context()
	e := auditlog.SignIn{
		AppID: a.appID, UserID: a.userID, UserPrincipalName: a.upn, IPAddress: clientIP(r), UserAgent: r.UserAgent(),
		CorrelationID: correlationID, ErrorCode: code, FailureReason: message, ReplyURL: acs,
	}
	if e.CorrelationID == "" {
		e.CorrelationID = s.guid()
	}
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
	if response != nil {
		e.SAMLResponse, e.Claims = logged(response)
	}
	if _, err := s.signIns.Record(ctx, e); err != nil {
		s.log.Error("sign-in log", "err", err)
	}
}

// signatureElided stands in the log for each signature value of an issued
// response.
const signatureElided = "(signature value not kept: a signed response is a credential until it expires)"

// logged reads an issued response once, for the log: the response as XML
// with its signature values elided, and its Name ID and attributes. The
// signed original is not kept, because anyone who reads the log (the
// Sign-in logs page has no login) could post it to the app until it
// expires; what it said is all the log needs.
func logged(response []byte) (string, []auditlog.Claim) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(response); err != nil {
		return "", nil
	}
	var claims []auditlog.Claim
	if nid := doc.FindElement("//Subject/NameID"); nid != nil {
		claims = append(claims, auditlog.Claim{Name: "NameID", Value: nid.Text()})
	}
	for _, a := range doc.FindElements("//AttributeStatement/Attribute") {
		for _, v := range a.SelectElements("AttributeValue") {
			claims = append(claims, auditlog.Claim{Name: a.SelectAttrValue("Name", ""), Value: v.Text()})
		}
	}
	for _, sv := range doc.FindElements("//SignatureValue") {
		sv.SetText(signatureElided)
	}
	out, err := doc.WriteToString()
	if err != nil {
		return "", claims
	}
	return out, claims
}

// clientIP is the request's peer address without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return strings.TrimSpace(r.RemoteAddr)
	}
	return host
}
