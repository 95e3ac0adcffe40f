package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/ssowiz/ssowiz/internal/checks"
)

// Version is the version of the JSON document.
const Version = 1

// Document is the JSON document of `ssowiz check --json`; the package
// documentation describes it field by field.
type Document struct {
	Version    int       `json:"version"`
	OK         bool      `json:"ok"`
	Setup      string    `json:"setup"`
	Started    time.Time `json:"started"`
	DurationMS int64     `json:"duration_ms"`
	Summary    Summary   `json:"summary"`
	Checks     []Check   `json:"checks"`
}

// Summary counts the results.
type Summary struct {
	Total    int `json:"total"`
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Warnings int `json:"warnings"`
	Skipped  int `json:"skipped"`
}

// Check is one check's result.
type Check struct {
	ID           string        `json:"id"`
	Number       int           `json:"number"`
	Title        string        `json:"title"`
	Proves       string        `json:"proves"`
	Result       checks.Status `json:"result"`
	DurationMS   int64         `json:"duration_ms"`
	Summary      string        `json:"summary"`
	Details      []string      `json:"details"`
	Remediations []Remediation `json:"remediations"`
	HAR          string        `json:"har,omitempty"`
}

// Remediation is one thing to change.
type Remediation struct {
	Field    string `json:"field"`
	Line     int    `json:"line,omitempty"`
	Screen   string `json:"screen"`
	Label    string `json:"label"`
	Value    string `json:"value"`
	Expected string `json:"expected"`
	Problem  string `json:"problem"`
	Fix      string `json:"fix"`
}

// NewDocument builds the JSON document of a report. setupFile names the
// setup file, "" for the guide's defaults.
func NewDocument(rep *checks.Report, setupFile string) Document {
	c := rep.Counts()
	d := Document{
		Version: Version, OK: rep.OK(), Setup: setupFile, Started: rep.Started.UTC(),
		DurationMS: rep.Duration.Milliseconds(),
		Summary:    Summary{Total: c.Total(), Passed: c.Pass, Failed: c.Fail, Warnings: c.Warn, Skipped: c.Skip},
		Checks:     []Check{},
	}
	for _, r := range rep.Results {
		ch := Check{ID: r.ID, Number: r.Number, Title: r.Title, Proves: r.Proves, Result: r.Status,
			DurationMS: r.Duration.Milliseconds(), Summary: r.Summary, Details: r.Details, Remediations: []Remediation{}, HAR: r.HAR}
		if ch.Details == nil {
			ch.Details = []string{}
		}
		for _, rm := range r.Remediations {
			ch.Remediations = append(ch.Remediations, Remediation(rm))
		}
		d.Checks = append(d.Checks, ch)
	}
	return d
}

// JSON writes the report as the JSON document, indented, with a final
// newline.
func JSON(w io.Writer, rep *checks.Report, setupFile string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(NewDocument(rep, setupFile))
}
