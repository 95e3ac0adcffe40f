package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/cputime"
	"github.com/ssowiz/ssowiz/internal/syncbuf"
)

// processCPU is the CPU time the whole test process has used: the
// benchmark's client and the servers' handlers alike.
func processCPU(b *testing.B) time.Duration {
	d, err := cputime.Process()
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkServeReady is the time from starting `ssowiz serve --json` to
// its JSON on stdout, when both servers answer; the process's own start
// (loading the binary) is not in it. Keys come from the user's cache
// directory (TestMain points it at a temporary one; the first iteration
// fills it), as they do for every serve without --data after the first.
// Each iteration then times one loopback round trip to the served SP's
// sign-in page, the yardstick the figure is reported against
// (ready-per-round-trip).
func BenchmarkServeReady(b *testing.B) {
	var ready, trip, cpu time.Duration
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		stdout := &syncbuf.Buffer{}
		done := make(chan int, 1)
		start, cpuStart := time.Now(), processCPU(b)
		go func() {
			done <- run(ctx, []string{"serve", "--json", "--idp-addr", "127.0.0.1:0", "--sp-addr", "127.0.0.1:0"}, newEnv(strings.NewReader(""), stdout, io.Discard))
		}()
		for !strings.Contains(stdout.String(), "\n") {
			select {
			case code := <-done:
				b.Fatalf("serve exited %d before it was ready", code)
			default:
			}
			time.Sleep(100 * time.Microsecond)
		}
		ready += time.Since(start)
		cpu += processCPU(b) - cpuStart
		var info struct {
			SPLoginURL string `json:"sp_login_url"`
		}
		if err := json.Unmarshal([]byte(stdout.String()), &info); err != nil {
			b.Fatal(err)
		}
		t := time.Now()
		resp, err := http.Get(info.SPLoginURL)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		trip += time.Since(t)
		cancel()
		<-done
	}
	n := float64(b.N)
	b.ReportMetric(ready.Seconds()*1000/n, "ready-ms")
	// CPU to ready hardly moves with the machine's load, unlike ready-ms.
	b.ReportMetric(cpu.Seconds()*1000/n, "cpu-ms-to-ready")
	b.ReportMetric(trip.Seconds()*1000/n, "round-trip-ms")
	b.ReportMetric(ready.Seconds()/trip.Seconds(), "ready-per-round-trip")
}
