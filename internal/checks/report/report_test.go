package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/checks"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample is a report with one result of each kind.
func sample() *checks.Report {
	start := time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC)
	return &checks.Report{Started: start, Duration: 412 * time.Millisecond, Results: []checks.Result{
		{ID: "setup", Number: 1, Title: "Setup values are valid", Proves: "The values match the guide.", Status: checks.Pass,
			Duration: 2 * time.Millisecond, Summary: "Every value is what the guide says."},
		{ID: "sp-sign-in", Number: 3, Title: "SP-initiated sign-in from /sso", Proves: "Users sign in.", Status: checks.Fail,
			Duration: 41 * time.Millisecond, Summary: "Entra refused Adele Vance's sign-in: AADSTS50011.",
			Details: []string{"Entra showed AADSTS50011: The redirect URI … does not match <the app>."},
			Remediations: []checks.Remediation{{Field: "saml.reply_url", Line: 4, Screen: "Entra admin center › Basic SAML Configuration",
				Label: "Reply URL (Assertion Consumer Service URL)", Value: "https://auth2.rudderstack.com/saml2/idpresponse/",
				Expected: "https://auth2.rudderstack.com/saml2/idpresponse", Problem: "ends with a slash.", Fix: "Remove the slash & save."}},
			HAR: "hars/03-sp-sign-in.har"},
		{ID: "assignment", Number: 4, Title: "Unassigned users are refused", Proves: "Only assigned users.", Status: checks.Skip,
			Summary: "Entra stopped the request first; see sp-sign-in."},
		{ID: "known-issues", Number: 8, Title: "Known issues", Proves: "Off.", Status: checks.Warn,
			Summary: "The Delete action on.", Remediations: []checks.Remediation{{Field: "provisioning.actions.delete", Value: "ticked", Expected: "unticked"}}},
	}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/checks/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/checks/report -update to accept):\n%s", name, got)
	}
}

func TestJSONIsTheDocumentedShape(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample(), "setup.yaml"); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", buf.Bytes())

	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != float64(1) || doc["ok"] != false || doc["setup"] != "setup.yaml" || doc["started"] != "2026-11-29T19:00:00Z" || doc["duration_ms"] != float64(412) {
		t.Fatalf("top level: %v", doc)
	}
	sum := doc["summary"].(map[string]any)
	if sum["total"] != float64(4) || sum["passed"] != float64(1) || sum["failed"] != float64(1) || sum["warnings"] != float64(1) || sum["skipped"] != float64(1) {
		t.Fatalf("summary: %v", sum)
	}
	cs := doc["checks"].([]any)
	pass, fail := cs[0].(map[string]any), cs[1].(map[string]any)
	// Empty lists are [] (never null), so scripts can iterate them.
	if d, ok := pass["details"].([]any); !ok || len(d) != 0 {
		t.Errorf("details of a pass: %v", pass["details"])
	}
	if _, ok := pass["har"]; ok {
		t.Error("har is omitted when there is none")
	}
	rm := fail["remediations"].([]any)[0].(map[string]any)
	if fail["result"] != "fail" || rm["field"] != "saml.reply_url" || rm["line"] != float64(4) || rm["expected"] != "https://auth2.rudderstack.com/saml2/idpresponse" {
		t.Fatalf("failed check: %v", fail)
	}
}

func TestJUnitCountsAndExplainsFailures(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.junit.xml", buf.Bytes())
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Suites[0]
	if doc.Tests != 4 || doc.Failures != 1 || s.Tests != 4 || s.Failures != 1 || s.Skipped != 1 || len(s.Cases) != 4 {
		t.Fatalf("counts: %+v", doc)
	}
	f := s.Cases[1]
	if f.Failure == nil || f.Failure.Message != "Entra refused Adele Vance's sign-in: AADSTS50011." ||
		!strings.Contains(f.Failure.Text, "saml.reply_url (line 4)") || !strings.Contains(f.Failure.Text, "must be:  https://auth2.rudderstack.com/saml2/idpresponse") {
		t.Fatalf("failure: %+v", f.Failure)
	}
	if s.Cases[2].Skipped == nil || s.Cases[3].Failure != nil || s.Cases[3].SystemOut == nil || !strings.HasPrefix(s.Cases[3].SystemOut.Text, "WARNING: ") {
		t.Fatalf("skip and warning: %+v %+v", s.Cases[2], s.Cases[3])
	}
}

func TestTextShowsEvidenceAndFixesOfWhatDidNotPass(t *testing.T) {
	var buf bytes.Buffer
	rep := sample()
	for _, r := range rep.Results {
		if err := Result(&buf, r, TextOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := Verdict(&buf, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.txt", buf.Bytes())
	out := buf.String()
	for _, want := range []string{
		"PASS  [1/8] setup: Setup values are valid (2ms)",
		"FAIL  [3/8] sp-sign-in: SP-initiated sign-in from /sso (41ms)",
		"Fix saml.reply_url (line 4)",
		"is:       https://auth2.rudderstack.com/saml2/idpresponse/",
		"must be:  https://auth2.rudderstack.com/saml2/idpresponse",
		"HAR: hars/03-sp-sign-in.har",
		"4 checks: 1 passed, 1 failed, 1 warning, 1 skipped (412ms).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
	// A pass shows its summary, not its evidence, unless verbose.
	pass := rep.Results[0]
	pass.Details = []string{"evidence"}
	buf.Reset()
	Result(&buf, pass, TextOptions{})
	if strings.Contains(buf.String(), "evidence") {
		t.Error("a pass printed its evidence without Verbose")
	}
	buf.Reset()
	Result(&buf, pass, TextOptions{Verbose: true})
	if !strings.Contains(buf.String(), "evidence") {
		t.Error("Verbose did not print a pass's evidence")
	}
}
