package main

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes. The README's "Exit codes" section is the same table.
// Compared with a baseline (crawl and check with --baseline, and diff),
// --fail-on counts only the new findings.
const (
	exitOK         = 0 // the run finished; no finding (compared: no new finding) at or above --fail-on
	exitFindings   = 1 // findings (compared: new findings) at or above --fail-on
	exitUsage      = 2 // usage or configuration error, an unusable -o or --output-dir, or a baseline or diff report that cannot be read: nothing was fetched or written
	exitIncomplete = 3 // the crawl could not start, the site was unreachable (start URLs or a quarter of its URLs failed, the safeguard stopped it) or it was cut short; never from diff
	exitWrite      = 4 // a report file (-o, --output-dir) could not be written: it keeps what it had, and so does every file of --output-dir
	exitStdout     = 5 // stdout did not take the whole report (closed early, as by | head): the report files were written
)

// precedence orders the codes of the problems one run can have at once,
// the first winning: a missing report hides the others' evidence.
var precedence = []int{exitUsage, exitWrite, exitStdout, exitIncomplete, exitFindings}

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

// worst returns the error whose code comes first in precedence, the
// others' messages appended to it; nil when errs holds none.
func worst(errs ...error) error {
	var first error
	var rest []string
	for _, code := range precedence {
		for _, err := range errs {
			if err == nil || exitCode(err) != code {
				continue
			}
			if first == nil {
				first = err
			} else {
				rest = append(rest, err.Error())
			}
		}
	}
	if first == nil || len(rest) == 0 {
		return first
	}
	return &exitError{code: exitCode(first), err: fmt.Errorf("%w; %s", first, strings.Join(rest, "; "))}
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
