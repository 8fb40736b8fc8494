// Package cputime reads the CPU time a process has used, for the
// benchmarks and the load generator that report CPU per request.
package cputime

import (
	"syscall"
	"time"
)

// Process is the user and system CPU time this process has used so far
// (zero if the kernel does not say).
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
