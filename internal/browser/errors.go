package browser

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoTransport means Options.Transport was nil. The browser never falls
// back to http.DefaultTransport, which would reach the real network.
var ErrNoTransport = errors.New("browser: no transport given")

// ErrBadURL means a URL given to the browser, or found in a page, is not an
// absolute http or https URL.
var ErrBadURL = errors.New("browser: not an http or https URL")

// ErrRedirectLoop means one navigation was redirected more than
// Options.MaxRedirects times. The error is a *LoopError naming the cycle.
var ErrRedirectLoop = errors.New("browser: redirect loop")

// ErrAutoPostLoop means one call auto-submitted more than
// Options.MaxAutoPosts forms. The error is a *LoopError naming the cycle.
var ErrAutoPostLoop = errors.New("browser: auto-post loop")

// ErrBodyTooLarge means a response body was larger than
// Options.MaxBodyBytes.
var ErrBodyTooLarge = errors.New("browser: response body too large")

// ErrTimeout means one request took longer than Options.RequestTimeout.
var ErrTimeout = errors.New("browser: request timed out")

// ErrNoForm means Submit was given a nil form, typically because the page
// had no form matching what the caller looked for.
var ErrNoForm = errors.New("browser: no form to submit")

// ErrNoSuchField means Submit was given a value for a name that no field of
// the form has; a real browser cannot send it, and it is usually a typo.
var ErrNoSuchField = errors.New("browser: the form has no such field")

// ErrUnsupportedEnctype means a form asks for an encoding the browser does
// not implement (text/plain).
var ErrUnsupportedEnctype = errors.New("browser: unsupported form encoding")

// LoopError reports a redirect or auto-post loop, with the steps that led
// to it and the repeating part when one was found.
type LoopError struct {
	// Kind is ErrRedirectLoop or ErrAutoPostLoop.
	Kind error
	// Limit is the limit that was exceeded.
	Limit int
	// Steps are all the steps of the call, in order.
	Steps []Step
	// Cycle is the repeating run of steps, from the first visit of the
	// repeated address to just before its return; empty when no address
	// repeated.
	Cycle []Step
}

// Error names the cycle, or the last steps when no address repeated.
// Query values are left out: they may carry codes and tokens.
func (e *LoopError) Error() string {
	what := "redirects"
	if e.Kind == ErrAutoPostLoop {
		what = "auto-posted forms"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v: more than %d %s", e.Kind, e.Limit, what)
	if len(e.Cycle) > 0 {
		b.WriteString("; the cycle is ")
		for _, s := range e.Cycle {
			fmt.Fprintf(&b, "%s %s (%d) → ", s.Method, redactURL(s.URL), s.Status)
		}
		fmt.Fprintf(&b, "back to %s", redactURL(e.Cycle[0].URL))
		return b.String()
	}
	b.WriteString("; the last steps were ")
	last := e.Steps[max(0, len(e.Steps)-4):]
	for i, s := range last {
		if i > 0 {
			b.WriteString(" → ")
		}
		fmt.Fprintf(&b, "%s %s (%d)", s.Method, redactURL(s.URL), s.Status)
	}
	return b.String()
}

// Unwrap returns Kind, so errors.Is(err, ErrRedirectLoop) works.
func (e *LoopError) Unwrap() error { return e.Kind }

// RequestError reports a request that got no usable response: the network
// failed (an unknown host fails like DNS, see hostroute), the request timed
// out, or the body was too large. Steps holds what happened before.
type RequestError struct {
	// Method and URL are the failed request's.
	Method, URL string
	// Steps are the steps of the call that completed before the failure.
	Steps []Step
	// Err is the cause.
	Err error
}

// Error names the request without query values, then the cause.
func (e *RequestError) Error() string {
	return fmt.Sprintf("browser: %s %s: %v", e.Method, redactURL(e.URL), e.Err)
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }
