package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"

	"github.com/hopaudit/hopaudit/output"
)

// formatForFile picks the format from -o's extension when --format is
// not given: .csv, .json, .jsonl (or .ndjson), else table.
func formatForFile(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".json":
		return "json"
	case ".jsonl", ".ndjson":
		return "jsonl"
	}
	return "table"
}

// formatter returns the job's formatter. The table is styled for a
// terminal only when it goes to stdout and stdout is one.
func (a *app) formatter(j *job) (output.Formatter, error) {
	return a.lookup(j.format, output.Options{Terminal: a.terminal && toStdout(j.out)})
}

func toStdout(out string) bool { return out == "" || out == "-" }

// destination is where the report goes: stdout, or a temporary file that
// replaces -o's file only once the report is complete, so that a failed
// run never leaves half a report where last night's was.
type destination struct {
	*bufio.Writer
	file *os.File // nil for stdout
	path string
	done bool
}

// openOutput opens the report's destination before the crawl, so that an
// unwritable -o fails at once.
func (a *app) openOutput(path string) (*destination, error) {
	if toStdout(path) {
		return &destination{Writer: bufio.NewWriter(a.stdout)}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, usageErrorf("-o: %v", err)
	}
	return &destination{Writer: bufio.NewWriter(f), file: f, path: path}, nil
}

// commit flushes the report and, for a file, moves it into place.
func (d *destination) commit() error {
	if err := d.Flush(); err != nil {
		return err
	}
	if d.file == nil {
		d.done = true
		return nil
	}
	if err := d.file.Chmod(0o644); err != nil {
		return err
	}
	if err := d.file.Close(); err != nil {
		return err
	}
	if err := os.Rename(d.file.Name(), d.path); err != nil {
		return err
	}
	d.done = true
	return nil
}

// abort removes the temporary file of a report that was not committed.
func (d *destination) abort() {
	if d.done || d.file == nil {
		return
	}
	d.file.Close()
	os.Remove(d.file.Name())
}
