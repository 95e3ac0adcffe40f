package export

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ssowiz/ssowiz/internal/checks"
	"github.com/ssowiz/ssowiz/internal/lab"
	"github.com/ssowiz/ssowiz/internal/setup"
	"github.com/ssowiz/ssowiz/mockidp/directory"
)

var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// needTools skips the test where bash, curl or jq is missing (CI's image
// has them).
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("SSOWIZ_REQUIRE_CHROMIUM") == "1" {
				t.Fatalf("%s is required to run the exported script", tool)
			}
			t.Skipf("%s is not installed; the exported script needs it", tool)
		}
	}
}

func TestGraphScriptIsBashWithoutSecrets(t *testing.T) {
	needTools(t)
	s := setup.Default()
	s.Provisioning.SecretToken = "rspat_the-rehearsal-token-must-not-leak"
	s.Users.Assigned = []string{"AdeleV@contoso.onmicrosoft.com", "O'Brien@contoso.onmicrosoft.com"}
	script, err := GraphScript(s, "setup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(script, "rspat_") {
		t.Error("the script holds the rehearsal's Secret Token")
	}
	for _, want := range []string{"az account get-access-token", NonGalleryTemplateID, "identifierUris", s.SAML.Identifier,
		"SCIM_SECRET_TOKEN", `'O'\''Brien@contoso.onmicrosoft.com'`, "Target Object Actions: Create Yes, Update Yes, Delete No"} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	path := filepath.Join(t.TempDir(), "setup.sh")
	os.WriteFile(path, []byte(script), 0o600)
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	bad := setup.Default()
	bad.Claims.Additional = append(bad.Claims.Additional, setup.Claim{Name: "Dept", Source: "Join(user.department)"})
	if _, err := GraphScript(bad, "x"); err == nil || !strings.Contains(err.Error(), "Join(user.department)") {
		t.Errorf("a claim a policy cannot hold: %v", err)
	}
}

// TestGraphScriptPassesEveryLiveCheck runs the exported script with bash
// and curl against the mock Entra ID's Graph API (under
// graph.microsoft.com, through the rehearsal's local CA) on a tenant
// without the app, then runs the whole live-check catalogue on what it
// made: every check passes.
func TestGraphScriptPassesEveryLiveCheck(t *testing.T) {
	needTools(t)
	s := setup.Default()
	script, err := GraphScript(s, "the guide's defaults")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	scriptPath := filepath.Join(dir, "setup.sh")
	if err := os.WriteFile(scriptPath, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	var output string
	configure := func(ctx context.Context, l *lab.Lab) (string, error) {
		info := l.Info()
		d := l.Directory
		// A tenant without the app, whose users the script assigns as the
		// demo app had them.
		var upns []string
		as, err := d.Assignments(ctx, info.AppID)
		if err != nil {
			return "", err
		}
		for _, a := range as {
			if a.PrincipalType == directory.PrincipalGroup {
				members, err := d.GroupMembers(ctx, a.PrincipalID)
				if err != nil {
					return "", err
				}
				for _, m := range members {
					upns = append(upns, m.UserPrincipalName)
				}
				continue
			}
			u, err := d.User(ctx, a.PrincipalID)
			if err != nil {
				return "", err
			}
			upns = append(upns, u.UserPrincipalName)
		}
		if err := d.DeleteApp(ctx, info.AppID); err != nil {
			return "", err
		}
		token, err := clientToken(l)
		if err != nil {
			return "", err
		}
		// curl reaches graph.microsoft.com on the mock's listener and
		// trusts the rehearsal's CA, through a .curlrc of its own.
		addr, ok := l.Routes.Lookup(lab.GraphHost + ":443")
		if !ok {
			return "", fmt.Errorf("no route to %s", lab.GraphHost)
		}
		ca := filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(ca, l.CA.CertPEM(), 0o600); err != nil {
			return "", err
		}
		curlrc := fmt.Sprintf("connect-to = %s:443:%s\ncacert = %s\n", lab.GraphHost, addr, ca)
		if err := os.WriteFile(filepath.Join(dir, ".curlrc"), []byte(curlrc), 0o600); err != nil {
			return "", err
		}
		cmd := exec.CommandContext(ctx, "bash", scriptPath)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "CURL_HOME=" + dir,
			"GRAPH_URL=https://" + lab.GraphHost + "/v1.0", "GRAPH_TOKEN=" + token, "REPLICATION_WAIT=0",
			"SCIM_SECRET_TOKEN=placeholder-until-rudderstack-gives-one", "ASSIGN_UPNS=" + strings.Join(upns, " ")}
		out, err := cmd.CombinedOutput()
		output = string(out)
		if err != nil {
			return "", fmt.Errorf("the script failed: %w\n%s", err, out)
		}
		apps, err := d.Apps(ctx)
		if err != nil {
			return "", err
		}
		for _, a := range apps {
			if a.Name == s.App.Name {
				return a.AppID, nil
			}
		}
		return "", fmt.Errorf("the script made no app named %q:\n%s", s.App.Name, out)
	}
	env := checks.New(checks.Options{NewKey: testKey})
	defer env.Close()
	rep, err := env.Run(context.Background(), s, checks.RunOptions{ConfigureEntra: configure})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Status == checks.Fail {
			t.Errorf("check %d %s failed: %s %v", r.Number, r.ID, r.Summary, r.Details)
		}
	}
	if !rep.OK() {
		t.Logf("the script said:\n%s", output)
	}
	for _, want := range []string{"1. Create the application", "assigned AdeleV@", "5. Provisioning"} {
		if !strings.Contains(output, want) {
			t.Errorf("the script's output lacks %q:\n%s", want, output)
		}
	}
}

// clientToken gets a Graph token with the lab's automation app.
func clientToken(l *lab.Lab) (string, error) {
	info := l.Info()
	resp, err := l.Client().PostForm(info.GraphTokenURL, map[string][]string{"client_id": {info.GraphClientID},
		"client_secret": {info.GraphClientSecret}, "scope": {"https://graph.microsoft.com/.default"}, "grant_type": {"client_credentials"}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token: %s %v", resp.Status, err)
	}
	return tok.AccessToken, nil
}
