package browser

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// StepKind says why the browser made a request.
type StepKind string

// The kinds of step.
const (
	// StepNavigate is a Get or Post the caller asked for.
	StepNavigate StepKind = "navigate"
	// StepSubmit is a form the caller submitted.
	StepSubmit StepKind = "submit"
	// StepRedirect follows a 3xx Location.
	StepRedirect StepKind = "redirect"
	// StepRefresh follows a <meta http-equiv="refresh"> with a URL.
	StepRefresh StepKind = "refresh"
	// StepAutoPost submits a form the page would submit by script, such as
	// a SAML HTTP-POST binding page.
	StepAutoPost StepKind = "auto-post"
)

// Step is one request the browser made and the status it got.
type Step struct {
	// Kind says why the request was made.
	Kind StepKind
	// Method is GET or POST.
	Method string
	// URL is the full request URL.
	URL string
	// Status is the response's status code.
	Status int
	// Location is the response's Location header, as sent; empty if none.
	Location string
	// Sent holds the form data of a submit, auto-post or Post (for example
	// SAMLResponse and RelayState). It may hold passwords and assertions:
	// never log it.
	Sent url.Values
}

// String describes the step without query values or form data, so it is
// safe to log.
func (s Step) String() string {
	out := fmt.Sprintf("%s %s %s → %d", s.Kind, s.Method, redactURL(s.URL), s.Status)
	if s.Location != "" {
		out += " Location: " + redactURL(s.Location)
	}
	return out
}

// redactURL keeps the scheme, host, path and query names of a URL and
// replaces query values with "…": they carry SAML messages, OAuth codes and
// state that have no place in logs or error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.Fragment = ""
	if u.RawQuery == "" {
		return u.String()
	}
	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	u.RawQuery = ""
	var b strings.Builder
	b.WriteString(u.String())
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteString("=…")
	}
	return b.String()
}

// loopKey identifies an address for loop detection: method, scheme, host
// and path. Query values change from lap to lap (state, SAML IDs), so they
// would hide a loop.
func loopKey(s Step) string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return s.Method + " " + s.URL
	}
	return s.Method + " " + u.Scheme + "://" + strings.ToLower(u.Host) + u.EscapedPath()
}

// findCycle returns the run of steps from the previous visit of
// steps[last]'s address up to just before steps[last]; nil when the address
// was not visited before.
func findCycle(steps []Step, last int) []Step {
	if last < 1 || last >= len(steps) {
		return nil
	}
	key := loopKey(steps[last])
	for i := last - 1; i >= 0; i-- {
		if loopKey(steps[i]) == key {
			return slices.Clone(steps[i:last])
		}
	}
	return nil
}
