package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestAuditMemory: the audit runs under a memory limit of what the
// process holds when it begins, which it then restores; GOGC or
// GOMEMLIMIT in the environment leave the collector as the user set it.
func TestAuditMemory(t *testing.T) {
	limit := func() int64 { return debug.SetMemoryLimit(-1) } // a negative limit reads it
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(env, "")
	}
	before := limit()
	restore := auditMemory()
	if got := limit(); got <= 0 || got >= before || got == math.MaxInt64 {
		t.Errorf("during the audit the memory limit is %d; want what the process holds, under %d", got, before)
	}
	restore()
	if got := limit(); got != before {
		t.Errorf("after the audit the memory limit is %d; want %d back", got, before)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}[env])
			restore := auditMemory()
			defer restore()
			if got := limit(); got != before {
				t.Errorf("%s set: the memory limit is %d; want it left at %d", env, got, before)
			}
		})
	}
}
