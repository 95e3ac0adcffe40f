package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/plural"
)

// TextOptions tune the text output.
type TextOptions struct {
	// Verbose prints the details of checks that passed too.
	Verbose bool
	// Total is how many checks the catalogue the results come from holds;
	// 0 means the guide's catalogue (checks.Catalogue).
	Total int
}

func (o TextOptions) total() int {
	if o.Total > 0 {
		return o.Total
	}
	return len(checks.Catalogue())
}

// Label is a status as the text output shows it.
func Label(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "PASS"
	case checks.Fail:
		return "FAIL"
	case checks.Warn:
		return "WARN"
	case checks.Skip:
		return "SKIP"
	}
	return strings.ToUpper(string(s))
}

// Heading is a check's first line: "FAIL  [3/8] sp-sign-in: SP-initiated
// sign-in from /sso (41ms)", where 3/8 is the check's place in the
// catalogue.
func Heading(r checks.Result) string { return heading(r, len(checks.Catalogue())) }

func heading(r checks.Result, total int) string {
	return fmt.Sprintf("%s  [%d/%d] %s: %s (%dms)", Label(r.Status), r.Number, total, r.ID, r.Title, r.Duration.Milliseconds())
}

// Result writes one check's result: the heading, its summary and, for a
// check that did not pass (or with Verbose), the evidence and what to
// change.
func Result(w io.Writer, r checks.Result, opts TextOptions) error {
	var b strings.Builder
	b.WriteString(heading(r, opts.total()) + "\n")
	if r.Summary != "" {
		b.WriteString("      " + r.Summary + "\n")
	}
	if r.Status != checks.Pass || opts.Verbose {
		for _, d := range r.Details {
			b.WriteString("        " + d + "\n")
		}
		for _, rm := range r.Remediations {
			writeRemediation(&b, rm, "      ")
		}
	}
	if r.HAR != "" {
		b.WriteString("      HAR: " + r.HAR + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeRemediation(b *strings.Builder, rm checks.Remediation, indent string) {
	head := "Fix"
	if rm.Field != "" {
		head += " " + rm.Field
		if rm.Line > 0 {
			head += fmt.Sprintf(" (line %d)", rm.Line)
		}
	}
	b.WriteString(indent + head + "\n")
	row := func(name, v string) {
		if v != "" {
			fmt.Fprintf(b, "%s  %-9s %s\n", indent, name+":", v)
		}
	}
	where := rm.Screen
	if rm.Label != "" {
		where += " › " + rm.Label
	}
	row("where", strings.TrimPrefix(where, " › "))
	row("is", rm.Value)
	row("must be", rm.Expected)
	row("why", rm.Problem)
	row("do", rm.Fix)
}

// Verdict writes the closing line: how many checks passed, failed, warned
// and were skipped, and how long the rehearsal took.
func Verdict(w io.Writer, rep *checks.Report) error {
	c := rep.Counts()
	verdict := "All checks passed."
	switch {
	case c.Fail > 0:
		verdict = "Some checks failed: fix the fields named above and run again."
	case c.Warn > 0:
		verdict = "No check failed; see the warnings above."
	}
	_, err := fmt.Fprintf(w, "\n%s: %d passed, %d failed, %s, %d skipped (%dms).\n%s\n",
		plural.Count(c.Total(), "check"), c.Pass, c.Fail, plural.Count(c.Warn, "warning"), c.Skip, rep.Duration.Milliseconds(), verdict)
	return err
}
