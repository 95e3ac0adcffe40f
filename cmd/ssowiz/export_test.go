package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportGraph(t *testing.T) {
	exec := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, newEnv(strings.NewReader(""), &out, &errOut))
		return code, out.String(), errOut.String()
	}
	code, out, errOut := exec("export", "--format", "graph")
	if code != exitOK || !strings.HasPrefix(out, "#!/usr/bin/env bash") || !strings.Contains(out, "urn:amazon:cognito:sp:us-east-1_ABZiTjXia") {
		t.Fatalf("export: %d %s %s", code, out[:min(len(out), 200)], errOut)
	}
	if code, _, errOut := exec("export", "--format", "powershell"); code != exitBadArgs || !strings.Contains(errOut, "graph") {
		t.Errorf("--format powershell: %d %s", code, errOut)
	}
	path := filepath.Join(t.TempDir(), "entra.sh")
	if code, _, errOut := exec("export", "--format", "graph", "-o", path); code != exitOK || !strings.Contains(errOut, "SCIM_SECRET_TOKEN") {
		t.Fatalf("-o: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(path); string(b) != out {
		t.Error("-o wrote something else than stdout would")
	}
	if code, _, errOut := exec("export", "--format", "graph", "-o", path); code != exitBadArgs || !strings.Contains(errOut, "--force") {
		t.Errorf("-o over an existing file: %d %s", code, errOut)
	}
	tf := filepath.Join(t.TempDir(), "tenant.yaml")
	if code, _, errOut := exec("tenant", "init", tf); code != exitOK {
		t.Fatalf("tenant init: %d %s", code, errOut)
	}
	if code, out, errOut := exec("export", "--format", "graph", "--tenant", tf, "--app", "RudderStack"); code != exitOK || !strings.Contains(out, "'RudderStack Users'") {
		t.Errorf("--tenant: %d %s", code, errOut)
	}
	if code, _, errOut := exec("export", "--format", "graph", "--tenant", tf, "--app", "Nope"); code != exitBadArgs || !strings.Contains(errOut, "no such app") {
		t.Errorf("--app Nope: %d %s", code, errOut)
	}
	if code, _, errOut := exec("export", "--format", "graph", "--tenant", tf); code != exitBadArgs || !strings.Contains(errOut, "go together") {
		t.Errorf("--tenant without --app: %d %s", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nsaml:\n  nonsense: 1\n"), 0o600)
	if code, _, errOut := exec("export", "--format", "graph", "--config", bad); code != exitBadArgs || !strings.Contains(errOut, "bad.yaml") {
		t.Errorf("a bad setup file: %d %s", code, errOut)
	}
}
