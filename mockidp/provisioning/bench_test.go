package provisioning

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/mockidp/directory"
)

// BenchmarkInitialCycle10k: the engine provisions 10,000 assigned users
// into ssowiz's real SP (sp, sp/scimserver, sp/accounts in memory) over
// loopback HTTP, each a filter GET and a POST. It reports users/s and the
// peak heap in use during the cycle. Each iteration gets a fresh SP and
// engine, made outside the timer; one iteration takes longer than the
// default -benchtime, so
//
//	go test -run XXX -bench 'InitialCycle10k|LoopbackRoundTrip' ./mockidp/provisioning
//
// runs it once and the round trip as often as it needs.
func BenchmarkInitialCycle10k(b *testing.B) {
	const n = 10000
	f := benchDirectory(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	var users time.Duration
	var peak uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := startSP(b)
		f.configure(func(c *directory.ProvisioningConfig) {
			c.TenantURL, c.SecretToken = s.base, directory.NewSecret(s.token)
		})
		eng, err := New(f.ctx, Config{Directory: f.dir, HTTPClient: s.client})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := sampleHeap(&peak)
		b.StartTimer()
		start := time.Now()
		rep, err := eng.RunCycle(f.ctx, f.app.AppID)
		users += time.Since(start)
		b.StopTimer()
		stop()
		if err != nil || rep.Counts.Created != n || rep.Requests != 2*n {
			b.Fatalf("cycle = %+v, %v", rep, err)
		}
		eng.Close()
	}
	b.ReportMetric(float64(n*b.N)/users.Seconds(), "users/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkLoopbackRoundTrip is one trivial GET over loopback HTTP with the
// same kind of client, the yardstick for the cycle's rate.
func BenchmarkLoopbackRoundTrip(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`)
	}))
	defer ts.Close()
	client := ts.Client()
	ctx := context.Background()
	get := func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/scim/v2/Users?filter=userName+eq+%22x%22", nil)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get() // open the connection outside the timer
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		get()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "roundtrips/s")
}

// benchDirectory is a fixture with n assigned users, made once.
func benchDirectory(b *testing.B, n int) *fixture {
	b.Helper()
	f := newFixture(b)
	for i := range n {
		u, err := f.dir.CreateUser(f.ctx, directory.User{
			UserPrincipalName: fmt.Sprintf("user%05d@contoso.onmicrosoft.com", i), DisplayName: fmt.Sprintf("User %05d", i),
			GivenName: "User", Surname: fmt.Sprintf("%05d", i), Mail: fmt.Sprintf("user%05d@contoso.com", i), JobTitle: "Analyst",
			AccountEnabled: true,
		}, "Passw0rd!")
		if err != nil {
			b.Fatal(err)
		}
		if err := f.dir.Assign(f.ctx, f.app.AppID, u.ObjectID); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// sampleHeap records the largest HeapInuse seen until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for !done.Load() {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > *peak {
				*peak = m.HeapInuse
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() { done.Store(true); wg.Wait() }
}
