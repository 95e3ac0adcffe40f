package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Status is a case's outcome.
type Status string

// The outcomes.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Unsupported: the server documents that it does not offer this, and
	// answered as a server without it should.
	Unsupported Status = "expected-unsupported"
	// Skipped: a case this one depends on failed.
	Skipped Status = "skipped"
)

// Exchange is one request the suite sent and what came back. The bearer
// token is never recorded.
type Exchange struct {
	// Method and URL are the request line.
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers are the request headers sent, Authorization redacted.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the request body.
	Body string `json:"body,omitempty"`
	// Status is the response status; 0 when none came back.
	Status int `json:"status"`
	// ContentType is the response's Content-Type.
	ContentType string `json:"contentType,omitempty"`
	// Response is the response body, cut at 2,000 bytes, or the transport
	// error.
	Response string `json:"response,omitempty"`
}

// Case is one checked behaviour.
type Case struct {
	// Name says what Entra does, e.g. "Disable and re-enable (default dialect)".
	Name string `json:"name"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Detail says what was wrong, why it is unsupported or skipped.
	Detail string `json:"detail,omitempty"`
	// Notes are problems that Entra tolerates but that could bite (a
	// response that is not application/scim+json, status as a number).
	Notes []string `json:"notes,omitempty"`
	// Exchanges are the requests and answers, kept for failed and
	// unsupported cases.
	Exchanges []Exchange `json:"exchanges,omitempty"`
}

// Report is the suite's result.
type Report struct {
	// BaseURL is the SCIM base URL tested.
	BaseURL string `json:"baseUrl"`
	// Cases are in the order they ran.
	Cases []Case `json:"cases"`
	// Counts per status.
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Unsupported int `json:"expectedUnsupported"`
	Skipped     int `json:"skipped"`
}

// OK reports whether no case failed.
func (r Report) OK() bool { return r.Failed == 0 }

// WriteJSON writes the report as one indented JSON object.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes a line per case; a failed case is followed by what was
// sent and what came back.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Entra-shaped SCIM conformance suite against %s\n\n", r.BaseURL)
	for _, c := range r.Cases {
		label := map[Status]string{Pass: "PASS", Fail: "FAIL", Unsupported: "UNSUPPORTED", Skipped: "SKIP"}[c.Status]
		fmt.Fprintf(&b, "%-11s %s", label, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(&b, ": %s", c.Detail)
		}
		b.WriteByte('\n')
		for _, n := range c.Notes {
			fmt.Fprintf(&b, "            note: %s\n", n)
		}
		if c.Status == Fail {
			for _, x := range c.Exchanges {
				writeExchange(&b, x)
			}
		}
	}
	fmt.Fprintf(&b, "\n%d passed, %d failed, %d expected-unsupported, %d skipped\n", r.Passed, r.Failed, r.Unsupported, r.Skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeExchange(b *strings.Builder, x Exchange) {
	fmt.Fprintf(b, "            > %s %s\n", x.Method, x.URL)
	keys := make([]string, 0, len(x.Headers))
	for k := range x.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "            > %s: %s\n", k, x.Headers[k])
	}
	if x.Body != "" {
		fmt.Fprintf(b, "            > %s\n", x.Body)
	}
	if x.Status == 0 {
		fmt.Fprintf(b, "            < no response: %s\n", x.Response)
		return
	}
	fmt.Fprintf(b, "            < %d %s", x.Status, http.StatusText(x.Status))
	if x.ContentType != "" {
		fmt.Fprintf(b, " (%s)", x.ContentType)
	}
	b.WriteByte('\n')
	if x.Response != "" {
		fmt.Fprintf(b, "            < %s\n", x.Response)
	}
}
