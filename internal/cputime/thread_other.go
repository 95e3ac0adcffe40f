//go:build !linux

package cputime

import (
	"errors"
	"time"
)

// Thread is the CPU time of the calling OS thread; only Linux reports it.
func Thread() (time.Duration, error) {
	return 0, errors.New("per-thread CPU time is read on Linux only")
}
