package sp

import "github.com/ssowiz/ssowiz/sp/internal/errpage"

// ErrorPage is an error page of the service provider, read back by
// ReadErrorPage: the Cognito pool's hosted pages (Source "cognito") and the
// app's (Source "app"), including the app's rendering of an
// error_description the pool sent to the callback.
type ErrorPage = errpage.Page

// ParseErrorPage returns the message of an error page the service provider
// rendered: Cognito's wording for the pool's errors, verbatim. ok is false
// when body is not such a page.
func ParseErrorPage(body []byte) (message string, ok bool) {
	p, ok := errpage.Parse(body)
	return p.Message, ok
}

// ReadErrorPage returns the whole error page: source, title, message, code
// and the remediation hint.
func ReadErrorPage(body []byte) (ErrorPage, bool) { return errpage.Parse(body) }
