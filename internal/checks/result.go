package checks

import (
	"time"

	"github.com/ssowiz/ssowiz/internal/setup"
)

// Status is a check's result.
type Status string

// The results. A warning does not fail a run; a skip means the check could
// not be rehearsed because something it depends on is broken (another
// check says what) or absent.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Warn Status = "warn"
	Skip Status = "skip"
)

// Result is one check's outcome.
type Result struct {
	// ID, Number, Title and Proves repeat the catalogue entry.
	ID     string
	Number int
	Title  string
	Proves string
	// Status is pass, fail, warn or skip.
	Status Status
	// Duration is how long the check took.
	Duration time.Duration
	// Summary says in one line what happened.
	Summary string
	// Details are the evidence, one fact a line: what was sent and what
	// Entra or RudderStack answered, in their words. Never a secret.
	Details []string
	// Remediations say what to change, one per field.
	Remediations []Remediation
	// HAR is the path of the HAR file recorded for the check's browser
	// flows, when RunOptions.HARDir was given and the check used the
	// browser.
	HAR string
}

// Remediation is one thing to change, in the admin's terms.
type Remediation struct {
	// Field is the setup file's dotted path, e.g. "saml.reply_url", so the
	// wizard can jump to the step that holds it; empty when no setup field
	// holds the value (a certificate about to expire).
	Field string
	// Line is the field's line in the setup file, 0 when not from a file.
	Line int
	// Screen is where the value lives, e.g. "Entra admin center › … ›
	// Basic SAML Configuration".
	Screen string
	// Label is the field's label on that screen.
	Label string
	// Value is what the setup holds (never a secret).
	Value string
	// Expected is what it should hold, when one value is right.
	Expected string
	// Problem says what is wrong.
	Problem string
	// Fix says what to do.
	Fix string
}

// fromFinding turns a static-validation finding into a remediation.
func fromFinding(f setup.Finding) Remediation {
	return Remediation{Field: f.Field, Line: f.Line, Screen: f.Screen, Label: f.Label,
		Value: f.Value, Expected: f.Expected, Problem: f.Problem, Fix: f.Fix}
}

// Report is the outcome of a Run.
type Report struct {
	// Started is when the run began; Duration how long it took, mocks'
	// start-up included.
	Started  time.Time
	Duration time.Duration
	// Results are the checks that ran, in catalogue order.
	Results []Result
}

// Counts tallies results by status.
type Counts struct {
	Pass, Fail, Warn, Skip int
}

// Total is the number of checks that ran.
func (c Counts) Total() int { return c.Pass + c.Fail + c.Warn + c.Skip }

// Counts tallies the report's results.
func (r *Report) Counts() Counts {
	var c Counts
	for _, res := range r.Results {
		switch res.Status {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
		case Warn:
			c.Warn++
		case Skip:
			c.Skip++
		}
	}
	return c
}

// OK reports whether no check failed (warnings and skips allowed): what
// `ssowiz check` exits 0 for.
func (r *Report) OK() bool { return r.Counts().Fail == 0 }

// EventKind says what an Event reports.
type EventKind string

// The event kinds.
const (
	// Started: a check began.
	Started EventKind = "started"
	// Progress: a check reached a step worth showing (Message says which).
	Progress EventKind = "progress"
	// Finished: a check ended; Result holds its result.
	Finished EventKind = "finished"
)

// Event is a runner's progress report.
type Event struct {
	Kind EventKind
	// Check is the check the event is about.
	Check Check
	// Index counts the checks of this run from 1; Total is how many run.
	Index, Total int
	// Message is the step a Progress event reports.
	Message string
	// Result is set on Finished.
	Result *Result
}
