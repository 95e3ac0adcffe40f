package har

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
)

// The guide's values (the RudderStack setup on Entra).
const (
	DefaultEntityID = "urn:amazon:cognito:sp:us-east-1_ABZiTjXia"
	DefaultACSURL   = "https://auth2.rudderstack.com/saml2/idpresponse"
	DefaultStartURL = "https://app.rudderstack.com/sso"
)

// DefaultRequiredAttributes are the claims RudderStack's SP requires.
var DefaultRequiredAttributes = []string{"Email", "LastName"}

// Options tune Analyze. The zero value uses the guide's values.
type Options struct {
	// EntityID is the SP's entity ID, used as the expected Audience when
	// the HAR holds no AuthnRequest. Default DefaultEntityID.
	EntityID string
	// ACSURL is the SP's Reply URL. Default DefaultACSURL.
	ACSURL string
	// StartURL is where users must start. Default DefaultStartURL.
	StartURL string
	// RequiredAttributes are the attribute names the SP needs, matched
	// exactly. Default DefaultRequiredAttributes.
	RequiredAttributes []string
	// MetadataCerts are the signing certificates of the IdP metadata the SP
	// holds (see LoadMetadata); when set, a response signed by another
	// certificate is a finding.
	MetadataCerts []*samlmsg.Certificate
	// MaxSkew is how far a SAML IssueInstant may be from the HAR's clock
	// before it counts as clock skew. Default 3 minutes.
	MaxSkew time.Duration

	// acsGuessed is true when ACSURL is the guide's default: neither
	// given nor learned from the HAR.
	acsGuessed bool
}

// cognitoSP reports whether the SP is Cognito (RudderStack's): its Reply
// URL is a user pool's /saml2/idpresponse. Cognito's own rules (a
// RelayState both ways, a return to the app with a code) hold only then;
// another SP (your own app on `ssowiz serve`) is judged by SAML alone.
func (o Options) cognitoSP() bool {
	return o.ACSURL == "" || cognitoURL(o.ACSURL)
}

// cognitoURL reports whether a Reply URL is Cognito's or RudderStack's: a
// /saml2/idpresponse path, or a RudderStack or Cognito host (a Reply URL
// set wrong there is still RudderStack's app).
func cognitoURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	host := strings.ToLower(u.Hostname())
	return strings.HasSuffix(strings.ToLower(strings.TrimSuffix(u.Path, "/")), "/saml2/idpresponse") ||
		host == "rudderstack.com" || strings.HasSuffix(host, ".rudderstack.com") || strings.HasSuffix(host, ".amazoncognito.com")
}

func (o Options) withDefaults() Options {
	if o.EntityID == "" {
		o.EntityID = DefaultEntityID
	}
	if o.ACSURL == "" {
		o.ACSURL = DefaultACSURL
	}
	if o.StartURL == "" {
		o.StartURL = DefaultStartURL
		if !o.cognitoSP() {
			// RudderStack's /sso is no advice for another app.
			o.StartURL = "the app's own sign-in page"
		}
	}
	if o.RequiredAttributes == nil {
		o.RequiredAttributes = DefaultRequiredAttributes
	}
	if o.MaxSkew == 0 {
		o.MaxSkew = 3 * time.Minute
	}
	return o
}

// Analyze streams a HAR from r, finds the SSO flows in it, decodes their
// SAML messages and diagnoses what went wrong. Only entries that can hold
// part of a flow are decoded; bodies of the others are skipped. An input
// that is not a HAR gives an error wrapping ErrNotHAR.
func Analyze(ctx context.Context, r io.Reader, opts Options) (*Report, error) {
	given := opts
	var relevant []*entryFacts
	examined := 0
	meta, err := scan(r, func(idx int, raw jsontext.Value) error {
		if idx%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !mayMatter(raw) {
			return nil
		}
		examined++
		var e Entry
		if err := json.Unmarshal(raw, &e, readOptions); err != nil {
			return fmt.Errorf("%w: log.entries[%d]: %v", ErrNotHAR, idx, err)
		}
		if f, ok := facts(idx, &e); ok {
			relevant = append(relevant, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Version:   ReportVersion,
		Flows:     []Flow{},
		Diagnoses: []Diagnosis{},
		Notes:     []string{},
		File: FileInfo{
			Version:  meta.Version,
			Creator:  strings.TrimSpace(meta.Creator.Name + " " + meta.Creator.Version),
			Pages:    len(meta.Pages),
			Entries:  meta.Entries,
			Examined: examined,
		},
	}
	if meta.Browser != nil {
		rep.File.Browser = strings.TrimSpace(meta.Browser.Name + " " + meta.Browser.Version)
	}
	// Browsers list entries in start order, but merged or hand-edited
	// files may not.
	sort.SliceStable(relevant, func(i, j int) bool {
		a, b := relevant[i].started, relevant[j].started
		if a.IsZero() || b.IsZero() {
			return false
		}
		return a.Before(b)
	})
	opts = learnURLs(given, relevant).withDefaults()
	n := 0
	for _, group := range groupFlows(relevant) {
		if !isSSOFlow(group) {
			continue
		}
		n++
		fl := buildFlow(n, group, opts, rep)
		rep.Flows = append(rep.Flows, fl)
		rep.Diagnoses = append(rep.Diagnoses, fl.Diagnoses...)
	}
	if len(rep.Flows) == 0 {
		rep.Diagnoses = append(rep.Diagnoses, Diagnosis{
			ID:    DiagNoFlow,
			Title: "No SAML sign-in flow in this HAR",
			Detail: fmt.Sprintf("None of the %d entries is a step of the sign-in (%s, Cognito's /oauth2/authorize, "+
				"Entra's /saml2 endpoint, or a SAMLResponse posted to the app).", meta.Entries, opts.StartURL),
			Remediation: CaptureAdvice(opts),
			Entries:     []int{},
		})
	}
	rep.Problem = len(rep.Diagnoses) > 0
	return rep, nil
}

// learnURLs fills in the SP's Reply URL and start URL that were not given
// from what the HAR shows: an AuthnRequest's AssertionConsumerServiceURL,
// the host that served Cognito's /oauth2/authorize, the app's /sso page. A
// HAR of a local rehearsal (`ssowiz serve` on 127.0.0.1) is so judged by
// its own URLs, not the production ones.
func learnURLs(o Options, entries []*entryFacts) Options {
	var acs, authorizeHost, start, posted string
	for _, f := range entries {
		for _, m := range f.messages {
			if m.param == "SAMLRequest" && m.msg != nil && m.msg.ACSURL != "" && acs == "" {
				acs = m.msg.ACSURL
			}
			if m.param == "SAMLResponse" && m.where == "html-form" && isType(m, "Response") && posted == "" {
				posted = m.formAction
			}
		}
		base := f.u.Scheme + "://" + f.u.Host
		if f.u.Host == "" {
			continue
		}
		if contains(f.steps, StepAuthorize) && authorizeHost == "" {
			authorizeHost = base
		}
		if contains(f.steps, StepStart) && start == "" {
			start = base + strings.TrimSuffix(f.u.Path, "/")
		}
	}
	if acs == "" && authorizeHost != "" {
		acs = authorizeHost + "/saml2/idpresponse"
	}
	if acs == "" && posted != "" && !cognitoURL(posted) {
		// No AuthnRequest and no Cognito (an IdP-initiated sign-in to
		// another app): the app is where Entra posted its response.
		acs = posted
	}
	if o.ACSURL == "" {
		o.ACSURL = acs
		o.acsGuessed = acs == ""
	}
	if o.StartURL == "" {
		o.StartURL = start
	}
	return o
}

// CaptureAdvice tells an admin how to capture a HAR of the sign-in (the
// guide's "Debugging" section, made precise), for the report and the
// wizard's Debugging screen.
func CaptureAdvice(o Options) string {
	o = o.withDefaults()
	return "Capture the HAR again: open a private (incognito) window, open the browser's developer tools " +
		"on the Network tab with \"Preserve log\" on, go to " + o.StartURL + ", sign in until the error " +
		"appears, then export the HAR (Chrome's default, sanitized export is enough: it drops cookies " +
		"and Authorization headers but keeps the SAML messages) and run `ssowiz har redact` on it before sharing."
}

// groupFlows splits the relevant entries into sign-in attempts: a step
// that comes earlier in the flow than one already seen starts a new
// attempt, and so does a second AuthnRequest or a second SAMLResponse post.
func groupFlows(entries []*entryFacts) [][]*entryFacts {
	var flows [][]*entryFacts
	var cur []*entryFacts
	maxRank, reqID, acsSeen := -1, "", false
	for _, f := range entries {
		minRank := 99
		for _, s := range f.steps {
			if r := stepRank[s]; r < minRank {
				minRank = r
			}
		}
		id := ""
		for _, m := range f.messages {
			if m.param == "SAMLRequest" && m.msg != nil && m.where != "referer" {
				id = m.msg.ID
			}
		}
		newFlow := cur == nil ||
			(minRank <= 2 && minRank < maxRank) ||
			(minRank == 0 && maxRank > 0) ||
			(minRank == 2 && id != "" && reqID != "" && id != reqID) ||
			(contains(f.steps, StepACS) && acsSeen)
		// Cognito's redirect to Entra already carries the AuthnRequest:
		// the request that follows it belongs to the same attempt.
		if newFlow && cur != nil && minRank == 2 && id != "" && id == reqID && !acsSeen {
			newFlow = false
		}
		if newFlow {
			if cur != nil {
				flows = append(flows, cur)
			}
			cur, maxRank, reqID, acsSeen = nil, -1, "", false
		}
		cur = append(cur, f)
		if minRank > maxRank && minRank != 99 {
			maxRank = minRank
		}
		if id != "" {
			reqID = id
		}
		if contains(f.steps, StepACS) {
			acsSeen = true
		}
	}
	if cur != nil {
		flows = append(flows, cur)
	}
	return flows
}

// isSSOFlow is false for a group made only of sign-ins and landings: the
// admin signing in to the Azure portal in the same capture, or an app
// page with a code parameter, is not a sign-in to RudderStack.
func isSSOFlow(group []*entryFacts) bool {
	for _, f := range group {
		for _, s := range f.steps {
			if s != StepSignIn && s != StepLanding {
				return true
			}
		}
	}
	return false
}

// sensitiveParams are query parameters whose values the report never
// shows.
var sensitiveParams = map[string]bool{
	"samlrequest": true, "samlresponse": true, "relaystate": true, "code": true, "state": true,
	"id_token": true, "access_token": true, "refresh_token": true, "client_secret": true,
	"login_hint": true, "code_verifier": true, "signature": true, "token": true, "sid": true,
}

// displayURL elides secret values and long values from a URL for output.
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	parts := strings.Split(u.RawQuery, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name, _ := url.QueryUnescape(k)
		if sensitiveParams[strings.ToLower(name)] && v != "" {
			parts[i] = k + "=…"
		} else if len(v) > 60 {
			parts[i] = k + "=" + v[:40] + "…"
		}
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String()
}

func buildFlow(index int, group []*entryFacts, o Options, rep *Report) Flow {
	fl := Flow{Index: index, Steps: []Step{}, Messages: []Message{}, Diagnoses: []Diagnosis{}}
	var t0 time.Time
	for _, f := range group {
		if !f.started.IsZero() {
			t0 = f.started
			break
		}
	}
	if !t0.IsZero() {
		fl.Started = t0.UTC().Format(harTime)
	}
	msgIndex := map[string]int{}
	for _, f := range group {
		st := Step{
			Entry: f.idx, Kinds: f.steps, Method: f.method, URL: displayURL(f.url), Status: f.status,
			Location: displayURL(f.location), Errors: []string{},
		}
		if !f.started.IsZero() {
			st.Time = f.started.UTC().Format(harTime)
			if !t0.IsZero() {
				st.OffsetMS = f.started.Sub(t0).Milliseconds()
			}
		}
		for _, a := range f.aad {
			st.Errors = append(st.Errors, "AADSTS"+a.Code+": "+a.Message)
		}
		st.Errors = append(st.Errors, f.spErrors...)
		fl.Steps = append(fl.Steps, st)
		if f.truncated {
			rep.Notes = append(rep.Notes, fmt.Sprintf("entry %d: the browser kept only part of the response body", f.idx))
		}
		for _, fm := range f.messages {
			key := fm.param + "|" + fm.where + "|" + fmt.Sprint(f.idx)
			if fm.msg != nil && fm.msg.ID != "" {
				key = fm.param + "|" + fm.msg.Type + "|" + fm.msg.ID
			}
			if i, ok := msgIndex[key]; ok {
				m := &fl.Messages[i]
				if !contains(m.FoundIn, fm.where) {
					m.FoundIn = append(m.FoundIn, fm.where)
				}
				if fm.where == "body" || fm.where == "query" {
					m.RelayState, m.RelayStateLen = fm.hasRelayState, len(fm.relayState)
				}
				continue
			}
			m := Message{
				Entry: f.idx, Param: fm.param, Where: fm.where, FoundIn: []string{fm.where},
				FormAction: fm.formAction, RelayState: fm.hasRelayState, RelayStateLen: len(fm.relayState),
				Summary: fm.msg,
			}
			if fm.err != nil {
				m.Error = fm.err.Error()
				rep.Notes = append(rep.Notes, fmt.Sprintf("entry %d: the %s in the %s could not be read whole: %v", f.idx, fm.param, fm.where, fm.err))
			}
			if fm.msg != nil && !f.started.IsZero() {
				m.Timing = timing(fm.msg, f.started)
			}
			msgIndex[key] = len(fl.Messages)
			fl.Messages = append(fl.Messages, m)
		}
	}
	fl.Outcome = OutcomeIncomplete
	for _, f := range group {
		if contains(f.steps, StepLanding) && len(f.spErrors) == 0 && f.u.Query().Has("code") && f.status < 400 {
			fl.Outcome = OutcomeSignedIn
		}
	}
	if !o.cognitoSP() {
		// Another SP has no code to return with: it signed the user in
		// when its Reply URL took Entra's successful response without an
		// error.
		for _, f := range group {
			if contains(f.steps, StepACS) && len(f.spErrors) == 0 && f.status > 0 && f.status < 400 && successResponse(f) {
				fl.Outcome = OutcomeSignedIn
			}
		}
	}
	for _, m := range fl.Messages {
		if m.Summary != nil && m.Summary.Type == "LogoutResponse" && m.Summary.Status.Success() {
			fl.Outcome = OutcomeSignedOut
		}
	}
	for _, f := range group {
		if len(f.aad) > 0 || len(f.spErrors) > 0 {
			fl.Outcome = OutcomeFailed
		}
	}
	var notes []string
	fl.Diagnoses, notes = diagnose(&fl, group, o)
	rep.Notes = append(rep.Notes, notes...)
	if fl.Outcome == OutcomeIncomplete && len(fl.Diagnoses) == 0 {
		last := group[len(group)-1]
		fl.Diagnoses = append(fl.Diagnoses, Diagnosis{
			ID: DiagIncomplete, Flow: fl.Index,
			Title: "The capture stops before the sign-in finished",
			Detail: fmt.Sprintf("The last step is %s (entry %d); there is no return to the app with a code and no error page.",
				strings.Join(last.steps, "+"), last.idx),
			Remediation: CaptureAdvice(o),
			Entries:     []int{last.idx},
		})
	}
	for i := range fl.Diagnoses {
		fl.Diagnoses[i].Flow = fl.Index
		if fl.Diagnoses[i].Entries == nil {
			fl.Diagnoses[i].Entries = []int{}
		}
	}
	return fl
}

func timing(m *samlmsg.Message, at time.Time) *Timing {
	t := &Timing{HARTime: at.UTC().Format(harTime)}
	off := func(s string) *float64 {
		v, ok := samlmsg.ParseTime(s)
		if !ok {
			return nil
		}
		d := v.Sub(at).Seconds()
		d = float64(int64(d*1000)) / 1000
		return &d
	}
	t.IssueInstant = off(m.IssueInstant)
	if len(m.Assertions) > 0 {
		a := m.Assertions[0]
		t.NotBefore = off(a.NotBefore)
		t.NotOnOrAfter = off(a.NotOnOrAfter)
		t.SubjectNotOnAfter = off(a.SubjectNotOnOrAfter)
	}
	return t
}

// successResponse reports whether an entry posts a SAML Response whose
// status is Success.
func successResponse(f *entryFacts) bool {
	for _, m := range f.messages {
		if m.param == "SAMLResponse" && isType(m, "Response") && m.msg.Status.Success() {
			return true
		}
	}
	return false
}
