package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/mockidp/directory"
	"github.com/ssowiz/ssowiz/sp/accounts"
)

const crashUsers = 1000

// TestKilledMidCycleLosesNothing kills `ssowiz serve` with SIGKILL in the
// middle of a 1,000-user provisioning cycle and restarts it on the same
// --data: every user the SP acknowledged (201) is there, and the next
// cycle completes the rest without duplicates. Entra's engine reaches the
// SP through a recording proxy in this test, which sees every answer.
func TestKilledMidCycleLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary; skipped in -short mode")
	}
	bin := filepath.Join(t.TempDir(), "ssowiz")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	idpAddr, spAddr := freeAddr(t), freeAddr(t)
	proxy := newRecordingProxy(t, spAddr)
	token := seedCrashData(t, dir, idpAddr, spAddr, proxy.url+"/proxy/scim/v2")

	args := []string{"serve", "--json", "--data", dir, "--idp-addr", idpAddr, "--sp-addr", spAddr,
		"--provision", "--provision-interval", "2s"}
	first := startBinary(t, bin, args...)
	proxy.killAfter(300, first)
	if err := first.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the first serve ended with %v, want killed by SIGKILL", err)
	}
	acked := proxy.acknowledged()
	if len(acked) < 300 || len(acked) >= crashUsers {
		t.Fatalf("%d users acknowledged before the kill; the test wants it mid-cycle", len(acked))
	}

	t.Logf("%d users acknowledged when serve was killed", len(acked))
	second := startBinary(t, bin, args...)
	defer func() {
		second.Process.Signal(syscall.SIGINT)
		second.Wait()
	}()
	users := waitForUsers(t, "http://"+spAddr+"/scim/v2", token, crashUsers, 90*time.Second)
	for name := range acked {
		if users[strings.ToLower(name)] != 1 {
			t.Errorf("user %s was acknowledged before the kill but is missing after the restart", name)
		}
	}
	bulk := 0
	for name, n := range users {
		if n != 1 {
			t.Errorf("user %s is there %d times", name, n)
		}
		if strings.HasPrefix(name, "bulk") {
			bulk++
		}
	}
	if bulk != crashUsers {
		t.Fatalf("%d of %d users provisioned after the restart", bulk, crashUsers)
	}
	if c := proxy.conflicts(); c != 0 {
		t.Fatalf("the engine POSTed %d users the SP already had (409); it should have matched them", c)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// seedCrashData prepares a data directory as `serve` leaves it, plus 1,000
// assigned users, an Admin token of the test's own (serve revokes only its
// own), and the app's Tenant URL pointed at the proxy.
func seedCrashData(t *testing.T, dir, idpAddr, spAddr, tenantURL string) string {
	t.Helper()
	ctx := context.Background()
	l, err := lab.Start(ctx, lab.Options{DataDir: dir, IDPAddr: idpAddr, SPAddr: spAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	info := l.Info()
	for i := range crashUsers {
		alias := fmt.Sprintf("bulk%04d", i)
		u, err := l.Directory.CreateUser(ctx, directory.User{
			UserPrincipalName: alias + "@" + info.TenantDomain, Mail: alias + "@" + info.TenantDomain,
			DisplayName: "Bulk User " + alias, GivenName: "Bulk", Surname: alias, AccountEnabled: true,
		}, "Bulk-passw0rd!")
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Directory.Assign(ctx, info.AppID, u.ObjectID); err != nil {
			t.Fatal(err)
		}
	}
	admin, err := l.Accounts.FindUserByUserName(ctx, info.OrgID, "DiegoS@"+info.TenantDomain)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := l.Accounts.CreatePAT(ctx, info.OrgID, admin.ID, "crash test", accounts.PATRoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := l.Directory.Provisioning(ctx, info.AppID)
	if err != nil {
		t.Fatal(err)
	}
	cfg.TenantURL, cfg.SecretToken = tenantURL, directory.NewSecret(token)
	if _, err := l.Directory.UpdateProvisioning(ctx, info.AppID, cfg); err != nil {
		t.Fatal(err)
	}
	return token
}

func startBinary(t *testing.T, bin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil && !json.Valid([]byte(line)) {
			err = fmt.Errorf("not JSON: %q", line)
		}
		ready <- err
		io.Copy(io.Discard, stdout)
	}()
	select {
	case err := <-ready:
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("serve did not start: %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve not ready in 60 s\n%s", stderr.String())
	}
	return cmd
}

// recordingProxy forwards /proxy/scim/v2/... to the SP's /scim/v2/... and
// remembers the userName of every POST the SP answered 201.
type recordingProxy struct {
	url string
	mu  sync.Mutex
	ack map[string]bool
	dup int
	// kill is called once when the acknowledgements reach killAt.
	killAt int
	kill   func()
}

func newRecordingProxy(t *testing.T, spAddr string) *recordingProxy {
	t.Helper()
	p := &recordingProxy{ack: map[string]bool{}}
	target, _ := url.Parse("http://" + spAddr)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		req := resp.Request
		if req.Method != http.MethodPost {
			return nil
		}
		name := req.Header.Get("X-Test-UserName")
		p.mu.Lock()
		defer p.mu.Unlock()
		switch resp.StatusCode {
		case http.StatusCreated:
			p.ack[name] = true
			if p.kill != nil && len(p.ack) >= p.killAt {
				p.kill()
				p.kill = nil
			}
		case http.StatusConflict:
			p.dup++
		}
		return nil
	}
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		// The SP is down (killed, or not yet back): the engine sees what it
		// would see from a dead server.
		hj, ok := w.(http.Hijacker)
		if !ok {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/proxy")
		r.URL.RawPath = ""
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			var u struct {
				UserName string `json:"userName"`
			}
			json.Unmarshal(body, &u)
			r.Header.Set("X-Test-UserName", u.UserName)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		rp.ServeHTTP(w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p.url = "http://" + ln.Addr().String()
	return p
}

func (p *recordingProxy) killAfter(n int, cmd *exec.Cmd) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.killAt = n
	p.kill = func() { cmd.Process.Signal(syscall.SIGKILL) }
}

func (p *recordingProxy) acknowledged() map[string]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]bool, len(p.ack))
	for k := range p.ack {
		out[k] = true
	}
	return out
}

func (p *recordingProxy) conflicts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dup
}

// waitForUsers pages through the SP's users until at least want of them
// are bulk users, and returns how many times each userName (lower-case)
// appears.
func waitForUsers(t *testing.T, base, token string, want int, timeout time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		users := map[string]int{}
		bulk := 0
		for start := 1; ; start += 200 {
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/Users?startIndex=%d&count=200", base, start), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				break
			}
			var page struct {
				TotalResults int `json:"totalResults"`
				Resources    []struct {
					UserName string `json:"userName"`
				} `json:"Resources"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil {
				break
			}
			for _, r := range page.Resources {
				name := strings.ToLower(r.UserName)
				users[name]++
				if strings.HasPrefix(name, "bulk") {
					bulk++
				}
			}
			if len(page.Resources) == 0 || start+len(page.Resources) > page.TotalResults {
				break
			}
		}
		if bulk >= want || time.Now().After(deadline) {
			return users
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func init() {
	// The crash test's binary must not inherit a developer's proxy.
	os.Unsetenv("HTTP_PROXY")
}
