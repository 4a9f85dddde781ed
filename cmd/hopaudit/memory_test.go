package main

import (
	"runtime/debug"
	"testing"
)

// TestAuditMemory: the audit runs under a memory limit of what the
// process reached when it begins (auditMemoryLimit), and restores the
// limit after; GOGC or GOMEMLIMIT in the environment leave the collector
// as the user set it.
func TestAuditMemory(t *testing.T) {
	limit := func() int64 { return debug.SetMemoryLimit(-1) } // a negative limit reads it
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(env, "")
	}
	before := limit()
	lo := auditMemoryLimit()
	restore := auditMemory()
	got := limit()
	hi := auditMemoryLimit()
	if got < min(lo, hi)*9/10 || got > max(lo, hi)*11/10 || got >= before {
		t.Errorf("during the audit the memory limit is %d; want what the process reached, %d to %d, under %d", got, lo, hi, before)
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
