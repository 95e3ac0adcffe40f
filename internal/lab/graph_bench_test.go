package lab

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// BenchmarkGraphCalls measures Graph calls answered per second — a token
// checked (RS256), a user read from the directory and written in Graph's
// shape — against the loopback round-trip rate measured in the same run
// (a handler that only writes a small page, over the same transport), and
// reports their ratio: how much of a bare HTTP round trip's rate a Graph
// call keeps.
func BenchmarkGraphCalls(b *testing.B) {
	l := startLab(b, Options{})
	info := l.Info()
	tok := graphToken(b, l)
	u := demoUser(b, l, "AdeleV")
	client := &http.Client{Transport: l.Transport()}
	get := func(url, token string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %s", url, resp.Status)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	page := make([]byte, 700) // about a user's JSON
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(page) })}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	bare := "http://" + ln.Addr().String() + "/"
	userURL := info.GraphBaseURL + "/users/" + u.UPN

	var graphTime, bareTime time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		get(userURL, tok)
		mid := time.Now()
		get(bare, "")
		graphTime += mid.Sub(start)
		bareTime += time.Since(mid)
	}
	graphRate := float64(b.N) / graphTime.Seconds()
	bareRate := float64(b.N) / bareTime.Seconds()
	b.ReportMetric(graphRate, "graph-calls/s")
	b.ReportMetric(bareRate, "loopback-round-trips/s")
	b.ReportMetric(graphRate/bareRate, "graph/loopback")
}
