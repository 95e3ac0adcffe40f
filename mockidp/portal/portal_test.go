package portal

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/mockidp/auditlog"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

func newPages(t *testing.T) (*httptest.Server, *auditlog.Log) {
	t.Helper()
	ctx := context.Background()
	dir, err := directory.Open(ctx, directory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	if _, err := dir.CreateTenant(ctx, directory.NewTenant{Name: "contoso", DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	log, err := auditlog.Open(ctx, auditlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	s, err := New(Config{Directory: dir, SignIns: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, log
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPagesEscapeAndExplain: values from the request (a display name a
// user typed, a failure reason) are escaped; an unknown entry and a
// stopped engine say so.
func TestPagesEscapeAndExplain(t *testing.T) {
	ts, log := newPages(t)
	e, err := log.Record(context.Background(), auditlog.SignIn{UserDisplayName: `<script>alert(1)</script>`, ErrorCode: 50126,
		FailureReason: "Error validating credentials due to invalid username or password."})
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, ts.URL+Path+"/signins")
	if status != 200 || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, "AADSTS50126") {
		t.Fatalf("sign-ins page: %d\n%s", status, body)
	}
	if status, body := get(t, ts.URL+Path+"/signins/"+e.ID); status != 200 || !strings.Contains(body, "invalid username or password") || strings.Contains(body, "saml-response") {
		t.Errorf("a failure's details: %d\n%s", status, body)
	}
	if status, body := get(t, ts.URL+Path+"/signins/00000000-0000-0000-0000-000000000000"); status != 404 || !strings.Contains(body, "No sign-in with this ID") {
		t.Errorf("an unknown entry: %d %s", status, body)
	}
	if status, body := get(t, ts.URL+Path+"/provisioning"); status != 200 || !strings.Contains(body, "--provision") {
		t.Errorf("provisioning without an engine: %d\n%s", status, body)
	}
	if status, _ := get(t, ts.URL+Path+"/signins?user=nobody"); status != 200 {
		t.Errorf("an unknown user filter: %d", status)
	}
}
