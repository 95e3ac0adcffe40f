package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/ssowiz/ssowiz/internal/checks"
)

// The JUnit XML shape most CI systems read (Jenkins, GitLab, GitHub
// Actions reporters): one testsuite, one testcase per check. A failed
// check is a <failure>; a skipped one <skipped>; a warning passes, with
// the warning in <system-out>.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// Texts are CDATA, so the details keep their lines.
type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// JUnit writes the report as JUnit XML.
func JUnit(w io.Writer, rep *checks.Report) error {
	c := rep.Counts()
	suite := junitSuite{Name: "ssowiz check", Tests: c.Total(), Failures: c.Fail, Skipped: c.Skip,
		Time: seconds(rep.Duration.Milliseconds()), Timestamp: rep.Started.UTC().Format("2006-01-02T15:04:05Z")}
	for _, r := range rep.Results {
		tc := junitCase{Name: fmt.Sprintf("%d %s: %s", r.Number, r.ID, r.Title), Classname: "ssowiz.check." + r.ID,
			Time: seconds(r.Duration.Milliseconds())}
		body := explain(r)
		switch r.Status {
		case checks.Fail:
			tc.Failure = &junitMessage{Message: r.Summary, Type: "fail", Text: body}
		case checks.Skip:
			tc.Skipped = &junitMessage{Message: r.Summary}
		case checks.Warn:
			tc.SystemOut = &junitText{"WARNING: " + r.Summary + "\n" + body}
		default:
			tc.SystemOut = &junitText{r.Summary + "\n" + body}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "ssowiz check", Tests: c.Total(), Failures: c.Fail, Skipped: c.Skip, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// explain is a result's details and remediations as plain text.
func explain(r checks.Result) string {
	var b strings.Builder
	for _, d := range r.Details {
		b.WriteString(d + "\n")
	}
	for _, rm := range r.Remediations {
		writeRemediation(&b, rm, "")
	}
	return b.String()
}
