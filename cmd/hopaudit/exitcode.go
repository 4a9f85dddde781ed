package main

import (
	"errors"
	"fmt"
)

// Exit codes. The README's "Exit codes" section is the same table.
// Compared with a baseline (crawl and check with --baseline, and diff),
// --fail-on counts only the new findings.
const (
	exitOK         = 0 // the run finished; no finding (compared: no new finding) at or above --fail-on
	exitFindings   = 1 // findings (compared: new findings) at or above --fail-on
	exitUsage      = 2 // usage, configuration or output error, or a baseline or diff report that cannot be read: no report, or none to trust
	exitIncomplete = 3 // the crawl could not start (every start URL failed to fetch) or was cut short; never from diff
)

// exitError is an error with the exit code it ends the run with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is a usage or configuration error.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCode maps the error a command returned to the process's exit code.
// An error without a code is a usage, configuration or output error.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitUsage
}
