package har_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
)

// BenchmarkAnalyze analyses a generated 50 MB browser HAR holding one SSO
// flow, streamed from a file. It reports throughput (MB/s) and the peak
// heap the analysis adds (peak-heap-MB, measured in a separate run so the
// sampling does not slow the timed ones).
func BenchmarkAnalyze(b *testing.B) {
	path := filepath.Join(b.TempDir(), "large.har")
	data := hartest.Large(50 << 20)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	size := int64(len(data))
	data = nil
	analyze := func() *har.Report {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		rep, err := har.Analyze(context.Background(), f, har.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	rep := analyze()
	if len(rep.Flows) != 1 || rep.Flows[0].Outcome != har.OutcomeSignedIn || rep.Problem {
		b.Fatalf("the flow was not found: %+v", rep.Flows)
	}
	peak := peakHeap(func() { analyze() })
	b.SetBytes(size)
	for b.Loop() {
		analyze()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
}

// peakHeap runs fn and returns the most heap it held above what was live
// before, sampled every half millisecond.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > base && v-base > peak {
				peak = v - base
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak
}
