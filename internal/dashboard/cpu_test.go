//go:build unix

package dashboard_test

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time this process has used,
// so that a figure can be stated independently of other load on the
// machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
