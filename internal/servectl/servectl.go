// Package servectl lets `ssowiz check --app` run its checks inside a
// running `ssowiz serve`: the process whose mock Entra ID the developer's
// app trusts, and which holds the ports and the state the checks need. A
// second set of mocks could not stand in for it: the app redirects to the
// addresses it was given, and two processes writing one data directory
// would each read stale caches.
//
// A serve leaves a record in the user's cache directory, named by its mock
// Entra ID's address and readable by the user only, holding a random
// token; check finds it by that address and asks the serve, over its
// loopback address, to run the checks, streaming their progress back.
package servectl

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ssowiz/ssowiz/internal/atomicfile"
	"github.com/ssowiz/ssowiz/internal/checks"
)

// Path is where a serve answers on its mock Entra ID's address.
const Path = "/_ssowiz/check"

// Record is what a running serve leaves for check to find it by.
type Record struct {
	// PID is the serve's process ID, for messages.
	PID int `json:"pid"`
	// IDPURL is its mock Entra ID's base URL (http, or https with
	// --tls-ca); IDPAddr and SPAddr are the addresses it listens on.
	IDPURL  string `json:"idp_url"`
	IDPAddr string `json:"idp_addr"`
	SPAddr  string `json:"sp_addr"`
	// DataDir is its --data directory (absolute), "" in memory.
	DataDir string `json:"data_dir"`
	// TenantFile is its --tenant file (absolute), "" for the demo tenant;
	// TenantDigest identifies that file's content when serve read it.
	TenantFile   string `json:"tenant_file"`
	TenantDigest string `json:"tenant_digest"`
	// CAPEM is the certificate of the CA serving IDPURL over HTTPS, if
	// it does.
	CAPEM string `json:"ca_pem,omitempty"`
	// Token authorizes requests to Path: only who can read the record
	// can make a serve run checks.
	Token string `json:"token"`
}

// Dir is where records are kept: ssowiz/serve in the user's cache
// directory.
func Dir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache directory: %w", err)
	}
	return filepath.Join(base, "ssowiz", "serve"), nil
}

// fileName names a record by the mock Entra ID's address.
func fileName(dir, idpAddr string) string {
	return filepath.Join(dir, strings.NewReplacer(":", "_", "/", "_", "[", "", "]", "").Replace(idpAddr)+".json")
}

// NewToken makes a record's token.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make a control token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Write leaves r in dir (made 0700; the file 0600) and returns a function
// that removes it, which the serve calls as it stops.
func Write(dir string, r Record) (remove func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keep the serve record: %w", err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("keep the serve record: %w", err)
	}
	path := fileName(dir, r.IDPAddr)
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return nil, fmt.Errorf("keep the serve record: %w", err)
	}
	return func() {
		// Only our own record: a later serve on the address replaced it.
		if cur, ok, _ := Find(dir, r.IDPAddr); ok && cur.Token == r.Token {
			os.Remove(path)
		}
	}, nil
}

// Find reads the record of a serve on idpAddr; ok is false when there is
// none. A record others could read is ignored, as its token may be
// known.
func Find(dir, idpAddr string) (r Record, ok bool, err error) {
	path := fileName(dir, idpAddr)
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("read the serve record: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Record{}, false, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Record{}, false, fmt.Errorf("read the serve record: %w", err)
	}
	if err := json.Unmarshal(data, &r); err != nil || r.Token == "" {
		return Record{}, false, nil
	}
	return r, true, nil
}

// url is where the serve answers.
func (r Record) url() string {
	if r.IDPURL != "" {
		return strings.TrimSuffix(r.IDPURL, "/") + Path
	}
	return "http://" + r.IDPAddr + Path
}

// Client is an HTTP client for the record's serve: one that trusts its
// CA when it serves HTTPS.
func (r Record) Client() (*http.Client, error) {
	if r.CAPEM == "" {
		return &http.Client{}, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(r.CAPEM)) {
		return nil, errors.New("the serve record's CA certificate is not PEM")
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}, nil
}

// request is what check sends.
type request struct {
	App string `json:"app"`
}

// line is one line of the answer: an event while the checks run, then
// the report or an error.
type line struct {
	Event  *checks.Event  `json:"event,omitempty"`
	Report *checks.Report `json:"report,omitempty"`
	Error  string         `json:"error,omitempty"`
	// BadInput marks an error in what was asked (no such app), not in
	// running it.
	BadInput bool `json:"bad_input,omitempty"`
}

// RunFunc runs the checks against an app of the served tenant.
type RunFunc func(ctx context.Context, app string, progress func(checks.Event)) (*checks.Report, error)

// Handler answers check's requests with run, one at a time; badInput
// says which of run's errors are the request's fault.
func Handler(token string, run RunFunc, badInput func(error) bool) http.Handler {
	var busy sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			http.Error(w, "not authorized", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		var req request
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			http.Error(w, "the request is not JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		if !busy.TryLock() {
			http.Error(w, "another ssowiz check is running against this serve; wait for it to end", http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		flusher, _ := w.(http.Flusher)
		var mu sync.Mutex
		send := func(l line) {
			mu.Lock()
			defer mu.Unlock()
			_ = enc.Encode(l)
			if flusher != nil {
				flusher.Flush()
			}
		}
		rep, err := func() (*checks.Report, error) {
			// Free before the answer ends, so a check that starts as soon
			// as this one's report arrives is not refused.
			defer busy.Unlock()
			return run(r.Context(), req.App, func(e checks.Event) { send(line{Event: &e}) })
		}()
		if err != nil {
			send(line{Error: err.Error(), BadInput: badInput(err)})
			return
		}
		send(line{Report: rep})
	})
}

// ErrNotServing means the record's serve did not answer: it stopped
// without removing its record.
var ErrNotServing = errors.New("the serve of that record is not running")

// Ping checks that the record's serve answers on its address with its
// token: after a serve is killed, its record may name an address another
// program holds now. An error wraps ErrNotServing.
func Ping(ctx context.Context, client *http.Client, r Record) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url(), nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotServing, err)
	}
	req.Header.Set("Authorization", "Bearer "+r.Token)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotServing, err)
	}
	resp.Body.Close()
	// The handler takes the token before it refuses a GET: only a serve
	// holding it answers 405.
	if resp.StatusCode != http.StatusMethodNotAllowed {
		return fmt.Errorf("%w: %s answers %s", ErrNotServing, r.IDPAddr, resp.Status)
	}
	return nil
}

// RemoteError is an error the serve reported.
type RemoteError struct {
	// Message is the serve's error.
	Message string
	// BadInput is true for an error in the request (no such app).
	BadInput bool
}

func (e *RemoteError) Error() string { return e.Message }

// Run asks the record's serve to run the checks against app, passing
// each event to progress as it comes, and returns the report.
func Run(ctx context.Context, client *http.Client, r Record, app string, progress func(checks.Event)) (*checks.Report, error) {
	body, _ := json.Marshal(request{App: app})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url(), strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("ask serve to run the checks: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+r.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %v", ErrNotServing, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound {
			// Another program, or another serve, holds the address now.
			return nil, fmt.Errorf("%w: %s answers %s", ErrNotServing, r.IDPAddr, resp.Status)
		}
		return nil, &RemoteError{Message: strings.TrimSpace(string(msg))}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("read serve's answer: %w", err)
		}
		switch {
		case l.Event != nil:
			if progress != nil {
				progress(*l.Event)
			}
		case l.Report != nil:
			return l.Report, nil
		case l.Error != "":
			return nil, &RemoteError{Message: l.Error, BadInput: l.BadInput}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read serve's answer: %w", err)
	}
	return nil, errors.New("serve stopped before the checks ended")
}
