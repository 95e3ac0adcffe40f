package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestThreadCountsARunningSlice: a few milliseconds of work on a locked
// thread read as about that much CPU on the thread's clock, as on the
// process's. The thread's figure must not lag the process's by whole
// scheduler ticks (4 ms at HZ=250), as getrusage(RUSAGE_THREAD)'s does
// while the thread is running, or a benchmark reading a 1.5 ms signature
// would see a fraction of it.
func TestThreadCountsARunningSlice(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Reading the process's CPU brings the calling thread's count up to
	// date, so the work measured below must not read it: find first how
	// many rounds of spinning make about 3 ms.
	rounds := 1
	for {
		p0 := process(t)
		spin(rounds)
		if process(t)-p0 >= 3*time.Millisecond {
			break
		}
		rounds *= 2
	}
	for range 5 {
		p0, t0 := process(t), thread(t)
		spin(rounds)
		t1 := thread(t)
		p1 := process(t)
		th, pr := t1-t0, p1-p0
		// The process's figure includes the runtime's own threads (a GC
		// worker, say), so the thread's may be a little less, never more.
		if th < pr/2 || th > pr+time.Millisecond {
			t.Errorf("the thread used %v of CPU while the process used %v", th, pr)
		}
	}
}

var sink uint64

// spin does rounds of arithmetic that the compiler cannot drop.
func spin(rounds int) {
	x := sink
	for range rounds * 10000 {
		x = x*6364136223846793005 + 1
	}
	sink = x
}

func process(t *testing.T) time.Duration {
	t.Helper()
	d, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func thread(t *testing.T) time.Duration {
	t.Helper()
	d, err := Thread()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
