package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `ssowiz serve` with args until the test ends and returns
// its stdout once the first line is complete.
func startServe(t *testing.T, args ...string) (stdout *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0"}, args...),
			newEnv(strings.NewReader(""), stdout, stderr))
	}()
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not stop within 10 s of Ctrl-C")
			return -1
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "\n") {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before it was ready; stderr:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed nothing in 30 s; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { cancel() })
	return stdout, stop
}

func TestServeJSONIsReadyAndStopsCleanly(t *testing.T) {
	stdout, stop := startServe(t, "--json")
	var info struct {
		IDPMetadataURL string `json:"idp_metadata_url"`
		IDPSSOURL      string `json:"idp_sso_url"`
		SPLoginURL     string `json:"sp_login_url"`
		SPACSURL       string `json:"sp_acs_url"`
		SPEntityID     string `json:"sp_entity_id"`
		SCIMBaseURL    string `json:"scim_base_url"`
		AdminPAT       string `json:"admin_pat"`
		Users          []struct {
			UPN      string `json:"upn"`
			Password string `json:"password"`
			Assigned *bool  `json:"assigned"`
		} `json:"users"`
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if info.SPEntityID != "urn:amazon:cognito:sp:us-east-1_ABZiTjXia" || !strings.HasSuffix(info.SPACSURL, "/saml2/idpresponse") ||
		!strings.HasSuffix(info.SPLoginURL, "/sso") || !strings.Contains(info.IDPMetadataURL, "/federationmetadata/2007-06/federationmetadata.xml?appid=") ||
		!strings.HasSuffix(info.IDPSSOURL, "/saml2") || !strings.HasSuffix(info.SCIMBaseURL, "/scim/v2") || !strings.HasPrefix(info.AdminPAT, "rspat_") {
		t.Fatalf("serve --json: %+v", info)
	}
	if len(info.Users) < 5 {
		t.Fatalf("want the demo users, got %+v", info.Users)
	}
	for _, u := range info.Users {
		if u.UPN == "" || u.Password == "" || u.Assigned == nil {
			t.Fatalf("demo user without upn, password or assigned: %+v", u)
		}
	}
	// The URLs answer as soon as they are printed.
	for _, u := range []string{info.IDPMetadataURL, info.SPLoginURL} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
	}
	if code := stop(); code != exitOK {
		t.Fatalf("serve exited %d after Ctrl-C, want 0", code)
	}
}

func TestServeHumanOutputNamesTheSignInURLAndUsers(t *testing.T) {
	stdout, stop := startServe(t)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C to stop.") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	for _, want := range []string{"Sign in here", "/sso", "AdeleV@", "AADSTS50105", "State is in memory"} {
		if !strings.Contains(out, want) {
			t.Fatalf("serve output lacks %q:\n%s", want, out)
		}
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
}

func TestServeRefusesABusyPort(t *testing.T) {
	stdout, stop := startServe(t, "--json")
	var info struct {
		SPLoginURL string `json:"sp_login_url"`
	}
	line, _, _ := strings.Cut(stdout.String(), "\n")
	json.Unmarshal([]byte(line), &info)
	busy := strings.TrimSuffix(strings.TrimPrefix(info.SPLoginURL, "http://"), "/sso")
	var errOut syncBuffer
	code := run(context.Background(), []string{"serve", "--idp-addr", "127.0.0.1:0", "--sp-addr", busy}, newEnv(strings.NewReader(""), io.Discard, &errOut))
	if code != exitFailed || !strings.Contains(errOut.String(), "--sp-addr") {
		t.Fatalf("busy port: exit %d, stderr %q; want exit 1 naming --sp-addr", code, errOut.String())
	}
	stop()
}
