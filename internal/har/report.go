package har

import "github.com/ssowiz/ssowiz/internal/har/samlmsg"

// ReportVersion is the version of the Report JSON shape; it changes only
// when a field is removed or changes meaning.
const ReportVersion = 1

// Report is the result of Analyze, and the shape of
// `ssowiz har analyze --json` (documented in README.md). Field names are
// stable within a ReportVersion.
type Report struct {
	// Version is ReportVersion.
	Version int `json:"version"`
	// File describes the HAR.
	File FileInfo `json:"file"`
	// Flows are the SSO flows found, in time order.
	Flows []Flow `json:"flows"`
	// Diagnoses are every flow's diagnoses (and file-level ones, with
	// Flow 0), most important first within each flow.
	Diagnoses []Diagnosis `json:"diagnoses"`
	// Notes are remarks that are not problems (a body truncated by the
	// browser, a message that could not be decoded).
	Notes []string `json:"notes"`
	// Problem is true when there is at least one diagnosis; the CLI exits
	// 1 then.
	Problem bool `json:"problem"`
}

// FileInfo describes the analysed HAR.
type FileInfo struct {
	Version string `json:"har_version"`
	Creator string `json:"creator"`
	Browser string `json:"browser,omitempty"`
	Pages   int    `json:"pages"`
	Entries int    `json:"entries"`
	// Examined counts the entries decoded because they could belong to an
	// SSO flow; the others were passed over unread.
	Examined int `json:"examined"`
}

// Flow outcomes.
const (
	OutcomeSignedIn   = "signed-in"  // back at the app with a code
	OutcomeFailed     = "failed"     // an error was shown
	OutcomeIncomplete = "incomplete" // the capture stops before the end
	OutcomeSignedOut  = "signed-out" // a single sign-out Entra confirmed
)

// Flow is one sign-in attempt.
type Flow struct {
	// Index counts flows from 1.
	Index   int    `json:"index"`
	Outcome string `json:"outcome"`
	// Started is the first step's startedDateTime.
	Started string `json:"started"`
	// Steps is the timeline.
	Steps []Step `json:"steps"`
	// Messages are the distinct SAML messages of the flow.
	Messages []Message `json:"saml_messages"`
	// Diagnoses are this flow's problems.
	Diagnoses []Diagnosis `json:"diagnoses"`
}

// Step is one entry of a flow's timeline.
type Step struct {
	// Entry is the entry's index in log.entries, from 0.
	Entry int `json:"entry"`
	// Time is the entry's startedDateTime; OffsetMS is from the flow's
	// first step.
	Time     string `json:"time"`
	OffsetMS int64  `json:"offset_ms"`
	// Kinds are what the entry does in the flow (start, authorize,
	// idp-request, sign-in, idp-error, idp-response, acs, sp-error,
	// landing); one entry can do several.
	Kinds  []string `json:"kinds"`
	Method string   `json:"method"`
	// URL has the values of secret-bearing query parameters elided.
	URL    string `json:"url"`
	Status int    `json:"status"`
	// Location is the redirect target, elided the same way.
	Location string `json:"location,omitempty"`
	// Errors are AADSTS or Cognito messages shown by this entry.
	Errors []string `json:"errors,omitempty"`
}

// Message is a SAML message found in the flow, with where it was and its
// summary.
type Message struct {
	// Entry is the first entry where the message was found.
	Entry int `json:"entry"`
	// Param is SAMLRequest or SAMLResponse.
	Param string `json:"param"`
	// Where is query, body, location, referer or html-form; FoundIn lists
	// every place it appeared.
	Where   string   `json:"where"`
	FoundIn []string `json:"found_in"`
	// FormAction is where an HTML auto-post form sends it.
	FormAction string `json:"form_action,omitempty"`
	// RelayState says whether a RelayState travelled with it, and how long
	// it was (its value is never printed).
	RelayState    bool `json:"relay_state"`
	RelayStateLen int  `json:"relay_state_len,omitzero"`
	// Error is why the message could not be read (whole).
	Error string `json:"error,omitempty"`
	// Summary is the decoded message; nil when it could not be read.
	Summary *samlmsg.Message `json:"summary,omitempty"`
	// Timing relates the message's times to the HAR's own clock.
	Timing *Timing `json:"timing,omitempty"`
}

// Timing compares a message's times with the time of the entry that
// carried it, in seconds (positive: the SAML time is later).
type Timing struct {
	// HARTime is the carrying entry's startedDateTime.
	HARTime           string   `json:"har_time"`
	IssueInstant      *float64 `json:"issue_instant_s,omitempty"`
	NotBefore         *float64 `json:"not_before_s,omitempty"`
	NotOnOrAfter      *float64 `json:"not_on_or_after_s,omitempty"`
	SubjectNotOnAfter *float64 `json:"subject_not_on_or_after_s,omitempty"`
}

// Diagnosis IDs. They are stable: scripts and the wizard match on them.
const (
	DiagNoFlow           = "no-sso-flow"
	DiagIncomplete       = "incomplete-flow"
	DiagIdPInitiated     = "idp-initiated"
	DiagAADSTS           = "aadsts-error"
	DiagCognito          = "cognito-error"
	DiagReplyURL         = "reply-url-mismatch"
	DiagAudience         = "audience-mismatch"
	DiagMissingAttribute = "missing-attribute"
	DiagClockSkew        = "clock-skew"
	DiagExpired          = "assertion-expired"
	DiagCertificate      = "certificate-mismatch"
	DiagNotAtSSO         = "not-started-at-sso"
	DiagRelayState       = "missing-relaystate"
	DiagSAMLStatus       = "saml-status-error"
	DiagSignOnURL        = "sign-on-url"
	// DiagNoLogoutURL is a single sign-out that stopped on Entra's own
	// signed-out page: the app has no Logout Url.
	DiagNoLogoutURL = "no-logout-url"
	// DiagLogoutBinding is a LogoutResponse sent by HTTP-Redirect to an SP
	// endpoint that refused it: Cognito's /saml2/logout takes POST only,
	// and Entra sends it by redirect only.
	DiagLogoutBinding = "logout-response-binding"
)

// Diagnosis is one problem with its evidence and remedy.
type Diagnosis struct {
	// ID is one of the Diag* constants.
	ID string `json:"id"`
	// Flow is the flow's Index, 0 for the file as a whole.
	Flow int `json:"flow"`
	// Code is the AADSTS number or Cognito message, when there is one.
	Code string `json:"code,omitempty"`
	// Title says what went wrong in one line.
	Title string `json:"title"`
	// Detail gives the values seen.
	Detail string `json:"detail"`
	// Remediation says what to change, on which screen.
	Remediation string `json:"remediation"`
	// Entries are the evidence's entry indexes.
	Entries []int `json:"entries"`
}
