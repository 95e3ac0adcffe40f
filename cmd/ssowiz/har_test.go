package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
)

// updateHar rewrites the HAR fixtures and golden outputs under
// testdata/har: go test ./cmd/ssowiz -run TestHar -update-har
var updateHar = flag.Bool("update-har", false, "rewrite testdata/har fixtures and golden files")

const harDir = "testdata/har"

// harFixtures are browser-shaped captures built by hartest, kept as files
// so the command is tested on files as users have them.
var harFixtures = map[string]func() []byte{
	"success.har":          func() []byte { return hartest.Flow{Noise: 8}.Bytes() },
	"aadsts50011.har":      func() []byte { return hartest.Flow{EntraError: "50011", Noise: 4}.Bytes() },
	"idp-initiated.har":    func() []byte { return hartest.Flow{IdPInitiated: true}.Bytes() },
	"missing-lastname.har": func() []byte { return hartest.Flow{OmitAttributes: []string{"LastName"}, Base64Pages: true}.Bytes() },
	"other-cert.har":       func() []byte { return hartest.Flow{Signer: hartest.KeyB()}.Bytes() },
	"metadata.xml":         func() []byte { return hartest.KeyA().Metadata(hartest.Tenant) },
	"not-a-har.json":       func() []byte { return []byte(`{"name": "a JSON file, but not a HAR"}` + "\n") },
}

func TestHarFixturesUpToDate(t *testing.T) {
	for name, build := range harFixtures {
		want := build()
		p := filepath.Join(harDir, name)
		if *updateHar {
			if err := os.MkdirAll(harDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/ssowiz -run TestHar -update-har)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go test ./cmd/ssowiz -run TestHar -update-har", p)
		}
	}
}

type harRun struct {
	code           int
	stdout, stderr string
}

func runHar(t *testing.T, stdin string, args ...string) harRun {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, newEnv(strings.NewReader(stdin), &out, &errb))
	return harRun{code, out.String(), errb.String()}
}

func fixture(name string) string { return filepath.Join(harDir, name) }

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join(harDir, "golden", name)
	if *updateHar {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update-har)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update-har to accept):\n%s", p, got)
	}
}

func TestHarAnalyzeExitCodes(t *testing.T) {
	meta := fixture("metadata.xml")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of stdout
		stderr string // a substring of stderr
	}{
		{"success", []string{"har", "analyze", fixture("success.har")}, exitOK, "No problem found.", ""},
		{"reply url error", []string{"har", "analyze", fixture("aadsts50011.har")}, exitFailed, "[aadsts-error]", ""},
		{"idp-initiated", []string{"har", "analyze", fixture("idp-initiated.har")}, exitFailed, "[idp-initiated]", ""},
		{"missing LastName", []string{"har", "analyze", fixture("missing-lastname.har")}, exitFailed, "[missing-attribute]", ""},
		{"certificate the metadata lacks", []string{"har", "analyze", "--metadata", meta, fixture("other-cert.har")}, exitFailed, "[certificate-mismatch]", ""},
		{"certificate the metadata has", []string{"har", "analyze", "--metadata", meta, fixture("success.har")}, exitOK, "No problem found.", ""},
		{"other certificate, no metadata", []string{"har", "analyze", fixture("other-cert.har")}, exitOK, "No problem found.", ""},
		{"not a HAR", []string{"har", "analyze", fixture("not-a-har.json")}, exitBadArgs, "", "not a HAR"},
		{"metadata that is not metadata", []string{"har", "analyze", "--metadata", fixture("success.har"), fixture("success.har")}, exitBadArgs, "", "--metadata"},
		{"no such file", []string{"har", "analyze", fixture("nope.har")}, exitBadArgs, "", "no such file"},
		{"no file", []string{"har", "analyze"}, exitBadArgs, "", "arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runHar(t, "", tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stdout %q\nstderr %q\nwant %q / %q", r.stdout, r.stderr, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestHarAnalyzeGolden(t *testing.T) {
	for _, name := range []string{"success", "aadsts50011", "missing-lastname"} {
		r := runHar(t, "", "har", "analyze", fixture(name+".har"))
		golden(t, "analyze-"+name+".txt", r.stdout)
	}
	r := runHar(t, "", "har", "analyze", "--json", fixture("aadsts50011.har"))
	golden(t, "analyze-aadsts50011.json", r.stdout)
}

func TestHarAnalyzeJSON(t *testing.T) {
	r := runHar(t, "", "har", "analyze", "--json", fixture("missing-lastname.har"))
	if r.code != exitFailed {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep har.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("not the report shape: %v", err)
	}
	if rep.Version != har.ReportVersion || !rep.Problem || len(rep.Flows) != 1 || rep.Diagnoses[0].ID != har.DiagMissingAttribute || rep.Diagnoses[0].Code != "LastName" {
		t.Errorf("report = %+v", rep)
	}
}

func TestHarAnalyzeStdinAndMetadataURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(hartest.KeyA().Metadata(hartest.Tenant))
	}))
	defer srv.Close()
	in, err := os.ReadFile(fixture("other-cert.har"))
	if err != nil {
		t.Fatal(err)
	}
	r := runHar(t, string(in), "har", "analyze", "--metadata", srv.URL+"/federationmetadata.xml", "-")
	if r.code != exitFailed || !strings.Contains(r.stdout, "[certificate-mismatch]") {
		t.Errorf("exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestHarRedact(t *testing.T) {
	in := fixture("success.har")
	orig, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "redacted.har")

	r := runHar(t, "", "har", "redact", in, "-o", out)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"password", "cookie", "saml-nameid", "total"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("counts lack %q:\n%s", want, r.stdout)
		}
	}
	if now, _ := os.ReadFile(in); !bytes.Equal(now, orig) {
		t.Fatal("redact changed its input")
	}
	red, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range hartest.Secrets() {
		if bytes.Contains(red, []byte(s)) {
			t.Errorf("output holds %q", s)
		}
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("output mode %v, want 0600", st.Mode().Perm())
	}
	// The redacted file gets the same verdict.
	if r := runHar(t, "", "har", "analyze", out); r.code != exitOK {
		t.Errorf("analyze of the redacted file: exit %d\n%s", r.code, r.stdout)
	}

	// An existing output is kept unless --force.
	os.WriteFile(out, []byte("keep me"), 0o600)
	r = runHar(t, "", "har", "redact", in, "-o", out)
	if r.code != exitBadArgs || !strings.Contains(r.stderr, "--force") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Error("an existing output was overwritten without --force")
	}
	if r = runHar(t, "", "har", "redact", in, "-o", out, "--force", "--keep", "passwd"); r.code != exitOK {
		t.Fatalf("--force: exit %d %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); !bytes.Contains(b, []byte(hartest.SecretPasswd)) || bytes.Contains(b, []byte(hartest.SecretCookie)) {
		t.Error("--keep passwd did not keep only the password")
	}

	// The input is never the output, even with --force.
	cp := filepath.Join(dir, "copy.har")
	os.WriteFile(cp, orig, 0o600)
	if r = runHar(t, "", "har", "redact", cp, "-o", cp, "--force"); r.code != exitBadArgs {
		t.Errorf("redact onto its input: exit %d", r.code)
	}
	if b, _ := os.ReadFile(cp); !bytes.Equal(b, orig) {
		t.Error("redact onto its input changed it")
	}

	// Not a HAR: exit 2 and no output file.
	bad := filepath.Join(dir, "bad-out.har")
	if r = runHar(t, "", "har", "redact", fixture("not-a-har.json"), "-o", bad); r.code != exitBadArgs || !strings.Contains(r.stderr, "not a HAR") {
		t.Errorf("not a HAR: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("an output file was left for an input that is not a HAR")
	}
	if r = runHar(t, "", "har", "redact", in); r.code != exitBadArgs {
		t.Errorf("no -o: exit %d", r.code)
	}
}

func TestHarRedactStdout(t *testing.T) {
	in, _ := os.ReadFile(fixture("aadsts50011.har"))
	r := runHar(t, string(in), "har", "redact", "-", "-o", "-")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "total") || strings.Contains(r.stdout, hartest.SecretState) {
		t.Errorf("stderr %q", r.stderr)
	}
	if rr := runHar(t, r.stdout, "har", "analyze", "-"); rr.code != exitFailed || !strings.Contains(rr.stdout, "AADSTS50011") {
		t.Errorf("analyze of redacted stdout: exit %d %s", rr.code, rr.stdout)
	}
}

func TestHarAnalyzeGzipped(t *testing.T) {
	in, err := os.ReadFile(fixture("aadsts50011.har"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(in)
	zw.Close()
	p := filepath.Join(t.TempDir(), "capture.har.gz")
	os.WriteFile(p, buf.Bytes(), 0o600)
	if r := runHar(t, "", "har", "analyze", p); r.code != exitFailed || !strings.Contains(r.stdout, "AADSTS50011") {
		t.Errorf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	os.WriteFile(p, buf.Bytes()[:20], 0o600)
	if r := runHar(t, "", "har", "analyze", p); r.code != exitBadArgs {
		t.Errorf("a cut gzip file: exit %d", r.code)
	}
}
