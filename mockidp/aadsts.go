package mockidp

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
)

// The AADSTS codes the mock raises, with Entra's wording. Messages that
// quote the request's values take them verbatim, so the admin sees exactly
// what the SP sent.
const (
	codeTenantNotFound      = 90002
	codeCtxInvalid          = 90100
	codeInvalidReplyTo      = 50011
	codeUserNotFound        = 50034
	codeUserDisabled        = 50057
	codeNotAssigned         = 50105
	codeBadPassword         = 50126
	codeNoPassive           = 50058
	codeNoSigningKey        = 50003
	codeAppNotFound         = 700016
	codeNoSAMLRequest       = 750054
	codeInvalidSAML         = 75005
	codeNotDeflated         = 750055
	codeNotBase64           = 750056
	codeIDStartsWithNumber  = 7500529
	codeInvalidNameIDPolicy = 75016
	codeUnsupportedProperty = 900236
	codeNoReplyAddress      = 900971
	codeNameIDSourceMissing = 501241
)

func msgTenantNotFound(tenant string) string {
	return fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant)
}

func msgAppNotFound(identifier, directory string) string {
	return fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", identifier, directory)
}

func msgInvalidReplyTo(acs, appID string, caseOnly bool) string {
	m := fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.", acs, appID)
	if caseOnly {
		m += " More details: Reply address did not match because of case sensitivity."
	}
	return m
}

const (
	msgNoSAMLRequest  = "SAMLRequest or SAMLResponse must be present as query string parameters in HTTP request for SAML Redirect binding."
	msgInvalidSAML    = "The request is not a valid Saml2 protocol message."
	msgNotDeflated    = "SAML message was not properly DEFLATE-encoded."
	msgNotBase64      = "SAML message was not properly base64-encoded."
	msgNoReplyAddress = "No reply address provided."
	msgBadPassword    = "Error validating credentials due to invalid username or password."
	msgUserDisabled   = "The user account is disabled."
	msgInvalidNameID  = "SAML2 Authentication Request has invalid NameIDPolicy."
	msgNoPassive      = "A silent sign-in request was sent but no user is signed in."
)

func msgIDStartsWithNumber(id string) string {
	return fmt.Sprintf("The value '%s' is not a valid SAML ID. The ID must not begin with a number.", id)
}

func msgUnsupportedProperty(property string) string {
	return fmt.Sprintf("The SAML authentication request property '%s' is not supported and must not be set.", property)
}

func msgUserNotFound(upn, tenant string) string {
	return fmt.Sprintf("The user account {EUII Hidden} does not exist in the '%s' directory. To sign into this application, the account must be added to the directory.", tenant)
}

func msgNotAssigned(appName, appID, upn string) string {
	return fmt.Sprintf("Your administrator has configured the application %s ('%s') to block users unless they are specifically granted ('assigned') access to the application. The signed in user '%s' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator. Please contact your administrator to assign access to this application.", appName, appID, upn)
}

func msgNameIDSourceMissing(source string) string {
	return fmt.Sprintf("Mandatory Input '%s' missing from transformation ID 'CreateNameIdentifier'. The Unique User Identifier (Name ID) claim's source attribute has no value for this user.", source)
}

func msgNoSigningKey(appID string) string {
	return fmt.Sprintf("No signing key configured for application '%s': the SAML signing certificate is missing or expired.", appID)
}

func msgCtxInvalid(field string) string {
	return fmt.Sprintf("%s parameter is empty or not valid.", field)
}

// fail renders Entra's error page ("Sorry, but we're having trouble
// signing you in") for an AADSTS error. Entra answers these with a page,
// not a SAML response, because it cannot trust the ACS; the SP never
// hears of them. The page is served as 200, as Entra's sign-in error view
// is.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, message string) {
	reqID, corrID := s.guid(), s.guid()
	ts := s.now().UTC().Format("2006-01-02T15:04:05Z")
	s.log.Info("sign-in error", "code", fmt.Sprintf("AADSTS%d", code), "path", r.URL.Path, "request_id", reqID)
	s.logSignIn(r, code, message, corrID)
	noStore(w)
	w.Header().Set("X-Ms-Request-Id", reqID)
	s.render(w, http.StatusOK, "error", errorPageData{
		Title:         "Sign in to your account",
		Code:          fmt.Sprintf("AADSTS%d", code),
		Message:       message,
		RequestID:     reqID,
		CorrelationID: corrID,
		Timestamp:     ts,
	})
}

type errorPageData struct {
	Title, Code, Message, RequestID, CorrelationID, Timestamp string
}

var aadstsRE = regexp.MustCompile(`AADSTS(\d{4,8}): ([^<"\r\n]+)`)

// ParseErrorPage finds the AADSTS error in an Entra (or mock Entra)
// sign-in page: the error page, or a sign-in form showing an inline error.
// It returns the code as the page shows it (e.g. "AADSTS50011") and the
// message after it; ok is false when the page carries no AADSTS error.
func ParseErrorPage(page string) (code, message string, ok bool) {
	m := aadstsRE.FindStringSubmatch(html.UnescapeString(page))
	if m == nil {
		return "", "", false
	}
	return "AADSTS" + m[1], strings.TrimSpace(m[2]), true
}

func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
}
