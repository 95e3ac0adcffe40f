package provisioning

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssowiz/ssowiz/internal/scim"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// Connection is what the Test Connection button sends: the Tenant URL and
// Secret Token as they are in the form, saved or not (the wizard tests
// before saving, as an admin does).
type Connection struct {
	// TenantURL is the SCIM base URL, possibly with ?aadOptscim062020.
	TenantURL string
	// SecretToken is the bearer token; blank makes Entra send a token it
	// issues itself.
	SecretToken directory.Secret
}

// TestResult is Entra's answer to Test Connection, with ssowiz's
// remediation beside it.
type TestResult struct {
	// OK is true when the server answered 200 with a ListResponse.
	OK bool `json:"ok"`
	// Title is the notification's heading.
	Title string `json:"title"`
	// Code is Entra's error code; empty on success.
	Code string `json:"code,omitempty"`
	// Message is Entra's text, in the shape the portal shows.
	Message string `json:"message"`
	// Hint says, in the admin's terms, what to change and where; empty
	// when there is nothing to add.
	Hint string `json:"hint,omitempty"`
	// Warnings are problems that do not fail the test but could bite
	// later (a response that is not application/scim+json).
	Warnings []string `json:"warnings,omitempty"`
	// Request is the probe and its answer in short.
	Request Exchange `json:"request"`
	// Dialect is the PATCH dialect the Tenant URL selects.
	Dialect Dialect `json:"dialect,omitempty"`
}

// The notification texts. The failure heading and the credential message
// are from a captured Entra failure (reference §2.3, Broadcom KB 430118);
// the success text is how the portal words it as we remember it, not from
// a stored source.
const (
	testTitle        = "Test connection to target application"
	testFailedTitle  = "Failed to test connection to target application"
	testOKMessage    = "The supplied credentials are authorized to enable provisioning"
	testUnavailable  = "An error occured while sending the request" // sic, as Entra spells it (GH-bitwarden-7309)
	testCredsPreface = "While attempting to validate our authorization to access your application, we received this unexpected response:"
)

// TestConnection runs Entra's Test Connection against the given values:
// GET {base}/Users?filter=userName+eq+%22<random GUID>%22 with the token as
// Bearer and no Accept header (reference §2.1). Success is a 200 with a
// parsable ListResponse; everything else is reported with Entra's code and
// wording (§2.3). It never fails with a Go error: every problem is a
// result to show.
func (e *Engine) TestConnection(ctx context.Context, c Connection) TestResult {
	ep, err := parseTenantURL(c.TenantURL)
	if err != nil {
		return TestResult{
			Title:   testFailedTitle,
			Code:    "InvalidTenantUrl",
			Message: "The Tenant URL is not valid.",
			Hint:    fmt.Sprintf("Enter the SCIM base URL in Tenant URL, for RudderStack https://api.rudderstack.com/scim/v2 (you entered %q).", c.TenantURL),
		}
	}
	tenantID := ""
	if t, err := e.dir.Tenant(ctx); err == nil {
		tenantID = t.ID
	}
	cl := newClient(e.hc, ep, c.SecretToken.Reveal(), tenantID)
	res := probe(ctx, cl, e.newGUID())
	res.Dialect = ep.dialect
	res.Hint = tokenHints(res, c.SecretToken.Reveal())
	return res
}

// TestConnectionApp runs Test Connection with the app's saved values.
func (e *Engine) TestConnectionApp(ctx context.Context, appID string) (TestResult, error) {
	cfg, err := e.dir.Provisioning(ctx, appID)
	if err != nil {
		return TestResult{}, err
	}
	return e.TestConnection(ctx, Connection{TenantURL: cfg.TenantURL, SecretToken: cfg.SecretToken}), nil
}

// probe sends the Test Connection request and judges the answer. On-demand
// provisioning and a quarantined job's cycles start with the same probe.
func probe(ctx context.Context, c *scimClient, guid string) TestResult {
	q := url.Values{"filter": {"userName eq " + quoteFilter(guid)}}
	r, err := c.do(ctx, http.MethodGet, "/Users", q, nil)
	if err != nil {
		res := TestResult{Title: testFailedTitle, Code: CodeUnavailable, Message: testUnavailable}
		if r != nil {
			res.Request = r.ex
			res.Hint = fmt.Sprintf("ssowiz could not reach %s: %s. Check the host name in Tenant URL and that the SCIM server is running and reachable over HTTPS.", c.ep.base.Host, r.ex.Detail)
		}
		return res
	}
	res := TestResult{Title: testTitle, Request: r.ex}
	if r.status == http.StatusOK {
		if _, perr := scim.ParseListResponse(r.body); perr != nil {
			res.Title, res.Code = testFailedTitle, CodeServiceIncompatible
			res.Message = c.incompatible(r, "").message
			res.Hint = fmt.Sprintf("The server answered 200 but not with a SCIM ListResponse (%v). Check that Tenant URL points at the SCIM API (for RudderStack https://api.rudderstack.com/scim/v2), not at a web page.", perr)
			return res
		}
		res.OK, res.Message = true, testOKMessage
		if ct := r.header.Get("Content-Type"); !scim.IsSCIMMediaType(ct) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("The response's Content-Type is %q, not application/scim+json; Entra reads it, but Microsoft's SCIM validator fails it.", ct))
		}
		return res
	}
	res.Title, res.Code = testFailedTitle, CodeCredentialFailure
	if r.status < 300 {
		res.Code = CodeServiceIncompatible
		res.Message = c.incompatible(r, fmt.Sprintf("status %d instead of 200", r.status)).message
		return res
	}
	resource := strings.ReplaceAll(r.url, "%22", `"`)
	res.Message = testCredsPreface + "\n\nReceived response from Web resource.\n" +
		"   Resource: " + resource + "\n" +
		"   Operation: GET\n" +
		"   Response Status Code: " + statusName(r.status) + "\n" +
		"   Response Headers: " + headerText(r.header) + "\n" +
		"   Response Content: " + c.scrub(truncate(strings.TrimSpace(string(r.body)), 2000))
	switch r.status {
	case http.StatusUnauthorized:
		res.Hint = "The SCIM server refused the Secret Token. In RudderStack, go to Settings > Your Profile > Account > Personal access tokens, generate a token with the Admin role, and paste it into Secret Token."
	case http.StatusForbidden:
		res.Hint = "The SCIM server accepted the token but refused access. RudderStack answers 403 when SCIM is not enabled for the organization (contact the RudderStack team to enable it), or when the token is not an Admin token of an Org Admin."
	case http.StatusNotFound:
		res.Hint = notFoundFilterText
	default:
		res.Hint = fmt.Sprintf("The SCIM server answered %d %s to a user query; it must answer 200 with an empty ListResponse.", r.status, http.StatusText(r.status))
	}
	if d := r.ex.Detail; d != "" {
		res.Hint += " The server said: " + d
	}
	return res
}

// tokenHints adds what the typed token itself suggests to a credential
// failure's hint.
func tokenHints(res TestResult, token string) string {
	hint := res.Hint
	if res.OK || res.Code != CodeCredentialFailure {
		return hint
	}
	switch {
	case token == "":
		hint += " The Secret Token is blank, so Entra sent a token it issues itself, which RudderStack does not accept; paste an Admin personal access token."
	case strings.HasPrefix(strings.ToLower(token), "bearer "):
		hint += ` The Secret Token starts with "Bearer "; Entra adds that itself, so paste only the token.`
	case strings.TrimSpace(token) != token:
		hint += " The Secret Token has spaces at its start or end; paste it again without them."
	}
	return hint
}
