package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/setup"
)

// updateCheck rewrites the golden files under testdata/check:
// go test ./cmd/ssowiz -run TestCheck -update-check
var updateCheck = flag.Bool("update-check", false, "rewrite testdata/check golden files")

// frozen is the SOURCE_DATE_EPOCH the golden files are made at
// (2026-12-01T09:00:00Z): the mocks' clock stands still, so dates and
// durations do not change from run to run.
const frozen = "1796115600"

func checkEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runCheckCmd runs `ssowiz <args>` with the clock frozen.
func runCheckCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	e.getenv = checkEnv(map[string]string{"SOURCE_DATE_EPOCH": frozen})
	code = run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

// The rest of a run's output is fixed by the setup and the frozen clock;
// these are made at random in each run.
var checkVolatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<id>"},
	{regexp.MustCompile(`\b[0-9A-F]{40}\b`), "<thumbprint>"},
	{regexp.MustCompile(`rspat_[A-Za-z0-9]{4}…[A-Za-z0-9]{4}`), "rspat_<hint>"},
}

func normalizeCheck(s string) string {
	for _, v := range checkVolatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	got = normalizeCheck(got)
	path := filepath.Join("testdata", "check", name)
	if *updateCheck {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ssowiz -run TestCheck -update-check)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./cmd/ssowiz -run TestCheck -update-check to accept):\n%s", name, got)
	}
}

func TestCheckGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		code   int
		args   []string
	}{
		{"guide.txt", exitOK, []string{"check"}},
		{"guide.json", exitOK, []string{"check", "--json"}},
		{"reply-url-slash.txt", exitFailed, []string{"check", "--reply-url", setup.GuideReplyURL + "/"}},
		{"reply-url-slash.json", exitFailed, []string{"check", "--json", "--reply-url", setup.GuideReplyURL + "/"}},
		{"wrong.txt", exitFailed, []string{"check", "--config", "testdata/check/wrong.yaml", "--only", "setup,sp-sign-in"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			code, stdout, stderr := runCheckCmd(t, tc.args...)
			if code != tc.code || stderr != "" {
				t.Fatalf("exit %d (want %d), stderr:\n%s\nstdout:\n%s", code, tc.code, stderr, stdout)
			}
			checkGolden(t, tc.golden, stdout)
		})
	}
}

func TestCheckPointsAtTheLineOfTheSetupFile(t *testing.T) {
	_, stdout, _ := runCheckCmd(t, "check", "--config", "testdata/check/wrong.yaml", "--only", "setup", "--json")
	for _, want := range []string{`"field": "saml.reply_url"`, `"line": 8`, `"field": "claims.additional[0].name"`, `"line": 12`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the JSON lacks %s:\n%s", want, stdout)
		}
	}
}

func TestCheckExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"one check that passes", []string{"check", "--only", "8"}, exitOK, ""},
		{"a Member-role token", []string{"check", "--pat-role", "Member", "--only", "scim-connection"}, exitFailed, ""},
		{"a check that does not exist", []string{"check", "--only", "sso"}, exitBadArgs, "no such check"},
		{"an unknown --set path", []string{"check", "--set", "saml.reply_ur1=x"}, exitBadArgs, `did you mean "reply_url"`},
		{"--set without =", []string{"check", "--set", "saml.reply_url"}, exitBadArgs, "PATH=VALUE"},
		{"a true/false field given text", []string{"check", "--set", "users.assignment_required=maybe"}, exitBadArgs, "true or false"},
		{"a setup file that is not there", []string{"check", "--config", "testdata/check/missing.yaml"}, exitBadArgs, "missing.yaml"},
		{"a value no drop-down offers", []string{"check", "--config", "testdata/check/not-an-option.yaml"}, exitBadArgs, "saml.signing_option (line 3)"},
		{"--har-raw without --har", []string{"check", "--har-raw"}, exitBadArgs, "--har-raw needs --har"},
		{"a user the rehearsal tenant lacks", []string{"check", "--set", "users.assigned=adele@example.com"}, exitBadArgs, "users.assigned[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCheckCmd(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)\n%s", code, tc.code, stderr, tc.stderr, stdout)
			}
		})
	}
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb)
	e.getenv = checkEnv(map[string]string{"SOURCE_DATE_EPOCH": "yesterday"})
	if code := run(context.Background(), []string{"check", "--only", "8"}, e); code != exitBadArgs || !strings.Contains(errb.String(), "SOURCE_DATE_EPOCH") {
		t.Fatalf("a bad SOURCE_DATE_EPOCH: exit %d, %s", code, errb.String())
	}
}

func TestCheckPrintSetupWritesAFileCheckReads(t *testing.T) {
	code, stdout, stderr := runCheckCmd(t, "check", "--print-setup", "--tenant-url", "https://api.rudderstack.com/scim/v2?aadOptscim062020")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := setup.Parse(strings.NewReader(stdout), "printed.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	want := setup.Default()
	want.Provisioning.TenantURL = "https://api.rudderstack.com/scim/v2?aadOptscim062020"
	if got.Provisioning != want.Provisioning || got.SAML != want.SAML || got.RudderStack != want.RudderStack {
		t.Fatalf("printed setup %+v", got)
	}
	path := filepath.Join(t.TempDir(), "setup.yaml")
	os.WriteFile(path, []byte(stdout), 0o600)
	if code, out, errs := runCheckCmd(t, "check", "--config", path, "--only", "scim-connection"); code != exitOK {
		t.Fatalf("checking the printed setup: exit %d\n%s%s", code, out, errs)
	}
}

func TestCheckWritesJUnitAndRedactedHARs(t *testing.T) {
	dir := t.TempDir()
	junit, hars := filepath.Join(dir, "report.xml"), filepath.Join(dir, "hars")
	code, stdout, stderr := runCheckCmd(t, "check", "--pat-role", "Member", "--only", "setup,sp-sign-in,scim-connection", "--junit", junit, "--har", hars)
	if code != exitFailed || stderr != "" {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suite    struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatal(err)
	}
	cases := suites.Suite.Cases
	if suites.Tests != 3 || suites.Failures != 2 || len(cases) != 3 || cases[1].Failure != nil || cases[2].Failure == nil || !strings.Contains(cases[2].Failure.Text, "rudderstack.pat.role") {
		t.Fatalf("JUnit: %s", data)
	}
	path := filepath.Join(hars, "03-sp-sign-in.har")
	if !strings.Contains(stdout, "HAR: "+path) {
		t.Errorf("the output does not name %s:\n%s", path, stdout)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := har.Read(f)
	if err != nil || h.Log.Version != "1.2" || len(h.Log.Entries) == 0 {
		t.Fatalf("HAR: %v", err)
	}
	sawPassword := false
	for _, e := range h.Log.Entries {
		if e.Request.PostData == nil {
			continue
		}
		for _, p := range e.Request.PostData.Params {
			if p.Name == "passwd" {
				sawPassword = true
				if p.Value != har.Masked {
					t.Errorf("the password was kept: %q", p.Value)
				}
			}
		}
	}
	if !sawPassword {
		t.Error("the HAR has no password post; the redaction check proves nothing")
	}
	if ents, _ := os.ReadDir(hars); len(ents) != 1 {
		t.Errorf("HAR files: %v; want the one browser check that ran", ents)
	}

	_, _, stderr = runCheckCmd(t, "check", "--only", "8", "--har", hars, "--har-raw")
	if !strings.Contains(stderr, "warning: --har-raw keeps cookies, tokens, passwords") {
		t.Errorf("--har-raw gave no warning: %q", stderr)
	}
}

// On a terminal the running check spins on one line, which its result
// replaces; the results themselves are the plain text of report.Result.
func TestCheckProgressSpinsAndThenPrintsTheResult(t *testing.T) {
	var out, term bytes.Buffer
	p := &progress{out: &out, spin: &term}
	c := checks.Catalogue()[2]
	p.start()
	p.event(checks.Event{Kind: checks.Started, Check: c, Index: 1, Total: 1})
	p.event(checks.Event{Kind: checks.Progress, Check: c, Index: 1, Total: 1, Message: "signing in as AdeleV"})
	p.event(checks.Event{Kind: checks.Finished, Check: c, Index: 1, Total: 1, Result: &checks.Result{ID: c.ID, Number: c.Number, Title: c.Title, Status: checks.Pass, Summary: "signed in"}})
	p.stop()
	if !strings.Contains(term.String(), "[3/8] sp-sign-in: SP-initiated sign-in from /sso — signing in as AdeleV") || !strings.HasSuffix(term.String(), "\r\033[K") {
		t.Errorf("spinner line: %q", term.String())
	}
	if got := out.String(); got != "PASS  [3/8] sp-sign-in: SP-initiated sign-in from /sso (0ms)\n      signed in\n" {
		t.Errorf("result: %q", got)
	}
}
