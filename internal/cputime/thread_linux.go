package cputime

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Thread is the CPU time of the calling OS thread so far. Call it from a
// goroutine locked to its thread (runtime.LockOSThread), or the thread may
// change between two readings. It reads the thread's CPU clock, which, unlike
// getrusage(RUSAGE_THREAD), counts the running time slice too, so an
// interval of a millisecond is measured, not rounded to scheduler ticks.
func Thread() (time.Duration, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, fmt.Errorf("clock_gettime(CLOCK_THREAD_CPUTIME_ID): %w", err)
	}
	return time.Duration(ts.Nano()), nil
}
