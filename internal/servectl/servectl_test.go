package servectl

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ssowiz/ssowiz/internal/checks"
)

var errNoApp = errors.New("no such app in the tenant file")

// A check asked of a serve streams each event as it comes, then the
// report; a wrong token, a bad app and a second check at once are each
// refused as such.
func TestRunThroughAServe(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	run := func(ctx context.Context, app string, progress func(checks.Event)) (*checks.Report, error) {
		if app != "My app" {
			return nil, errNoApp
		}
		progress(checks.Event{Kind: checks.Started, Check: checks.Check{ID: "app-metadata", Number: 1}})
		once.Do(func() { close(started) })
		<-release
		r := checks.Result{ID: "app-metadata", Number: 1, Status: checks.Pass, Summary: "ok"}
		progress(checks.Event{Kind: checks.Finished, Check: checks.Check{ID: "app-metadata", Number: 1}, Result: &r})
		return &checks.Report{Results: []checks.Result{r}}, nil
	}
	srv := httptest.NewServer(Handler("s3cret", run, func(err error) bool { return errors.Is(err, errNoApp) }))
	defer srv.Close()
	rec := Record{IDPAddr: strings.TrimPrefix(srv.URL, "http://"), Token: "s3cret"}
	ctx := context.Background()

	var events []checks.Event
	done := make(chan error, 1)
	var rep *checks.Report
	go func() {
		var err error
		rep, err = Run(ctx, srv.Client(), rec, "My app", func(e checks.Event) { events = append(events, e) })
		done <- err
	}()
	<-started
	if _, err := Run(ctx, srv.Client(), rec, "My app", nil); err == nil || !strings.Contains(err.Error(), "another ssowiz check is running") {
		t.Errorf("a second check at once: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[1].Result == nil || events[1].Result.Status != checks.Pass || rep == nil || !rep.OK() {
		t.Fatalf("events %+v, report %+v", events, rep)
	}

	var remote *RemoteError
	if _, err := Run(ctx, srv.Client(), rec, "Other", nil); !errors.As(err, &remote) || !remote.BadInput || remote.Message != errNoApp.Error() {
		t.Errorf("no such app: %v", err)
	}
	wrong := rec
	wrong.Token = "guess"
	if _, err := Run(ctx, srv.Client(), wrong, "My app", nil); !errors.Is(err, ErrNotServing) {
		t.Errorf("a wrong token: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+Path, nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	if resp, err := srv.Client().Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp, err)
	}
	if err := Ping(ctx, srv.Client(), rec); err != nil {
		t.Errorf("ping: %v", err)
	}
	if err := Ping(ctx, srv.Client(), wrong); !errors.Is(err, ErrNotServing) {
		t.Errorf("ping with a wrong token: %v", err)
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if err := Ping(ctx, other.Client(), Record{IDPAddr: strings.TrimPrefix(other.URL, "http://"), Token: "s3cret"}); !errors.Is(err, ErrNotServing) {
		t.Errorf("ping another program: %v", err)
	}
	srv.Close()
	if err := Ping(ctx, http.DefaultClient, rec); !errors.Is(err, ErrNotServing) {
		t.Errorf("ping a stopped serve: %v", err)
	}
	if _, err := Run(ctx, http.DefaultClient, rec, "My app", nil); !errors.Is(err, ErrNotServing) {
		t.Errorf("a stopped serve: %v", err)
	}
}

// A record is the user's only; one others could read is not trusted,
// and a serve removes only its own.
func TestRecords(t *testing.T) {
	dir := t.TempDir()
	rec := Record{PID: 7, IDPAddr: "127.0.0.1:8080", Token: "t1"}
	remove, err := Write(dir, rec)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := Find(dir, "127.0.0.1:8080")
	if err != nil || !ok || got != rec {
		t.Fatalf("find: %+v %v %v", got, ok, err)
	}
	if _, ok, _ := Find(dir, "127.0.0.1:9090"); ok {
		t.Error("found a record for another address")
	}
	path := fileName(dir, rec.IDPAddr)
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	os.Chmod(path, 0o644)
	if _, ok, _ := Find(dir, rec.IDPAddr); ok {
		t.Error("a record others can read was trusted")
	}
	os.Chmod(path, 0o600)
	// A later serve on the address replaced the record: the first one's
	// remove leaves it.
	if _, err := Write(dir, Record{IDPAddr: rec.IDPAddr, Token: "t2"}); err != nil {
		t.Fatal(err)
	}
	remove()
	if got, ok, _ := Find(dir, rec.IDPAddr); !ok || got.Token != "t2" {
		t.Errorf("the later serve's record: %+v %v", got, ok)
	}
}

// A serve over HTTPS (serve --tls-ca) is reached with its CA, which the
// record carries.
func TestRecordOverHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(Handler("s3cret", func(context.Context, string, func(checks.Event)) (*checks.Report, error) {
		return &checks.Report{}, nil
	}, func(error) bool { return false }))
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	rec := Record{IDPURL: srv.URL, IDPAddr: strings.TrimPrefix(srv.URL, "https://"), Token: "s3cret", CAPEM: string(ca)}
	client, err := rec.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := Ping(context.Background(), client, rec); err != nil {
		t.Fatal(err)
	}
	if rep, err := Run(context.Background(), client, rec, "x", nil); err != nil || rep == nil {
		t.Fatalf("run: %v %v", rep, err)
	}
	plain, _ := Record{}.Client()
	if err := Ping(context.Background(), plain, rec); !errors.Is(err, ErrNotServing) {
		t.Errorf("without the CA: %v", err)
	}
}
