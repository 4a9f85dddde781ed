package main

import (
	"runtime/debug"
	"testing"
)

// TestAuditMemory: the audit runs at GOGC auditGOGC, and restores the
// pace after; GOGC or GOMEMLIMIT in the environment leave the collector
// as the user set it.
func TestAuditMemory(t *testing.T) {
	pace := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(env, "")
	}
	before := pace()
	restore := auditMemory()
	if got := pace(); got != auditGOGC {
		t.Errorf("during the audit GOGC is %d; want %d (it was %d)", got, auditGOGC, before)
	}
	restore()
	if got := pace(); got != before {
		t.Errorf("after the audit GOGC is %d; want %d back", got, before)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}[env])
			restore := auditMemory()
			defer restore()
			if got := pace(); got != before {
				t.Errorf("%s set: GOGC is %d; want it left at %d", env, got, before)
			}
		})
	}
}
