// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU per operation: unlike a rate, it hardly moves when other
// processes share the machine.
package cputime

import (
	"fmt"
	"syscall"
	"time"
)

// Process is the user and system CPU time of the whole process so far.
func Process() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
