package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
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
	return a.lookup(j.format, output.Options{Terminal: a.terminal && toStdout(j.out), BOM: j.bom})
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

// openOutput opens a report's destination before the crawl, so that an
// unwritable file fails at once; flag names the flag that gave path,
// for the error.
func (a *app) openOutput(path, flag string) (*destination, error) {
	if toStdout(path) {
		return &destination{Writer: bufio.NewWriter(a.stdout)}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, usageErrorf("%s: %v", flag, err)
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

// dirReports are the files --output-dir writes: every report as CSV,
// and the findings report as JSON (the document --baseline and diff
// read back).
var dirReports = []struct {
	name   string
	kind   output.Report
	format string
}{
	{"findings.csv", output.Findings, "csv"},
	{"chains.csv", output.Chains, "csv"},
	{"hops.csv", output.Hops, "csv"},
	{"urls.csv", output.URLs, "csv"},
	{"summary.csv", output.Summary, "csv"},
	{"report.json", output.Findings, "json"},
}

// outputDir is the files of --output-dir, each written to a temporary
// file and moved into place once complete, as -o's file is.
type outputDir struct {
	files []*destination
}

// openOutputDir creates dir if needed and opens its files before the
// crawl, so that an unwritable directory fails at once.
func (a *app) openOutputDir(dir string) (*outputDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageErrorf("--output-dir: %v", err)
	}
	d := &outputDir{}
	for _, r := range dirReports {
		f, err := a.openOutput(filepath.Join(dir, r.name), "--output-dir")
		if err != nil {
			d.abort()
			return nil, err
		}
		d.files = append(d.files, f)
	}
	return d, nil
}

// write writes every report of rep into its file.
func (d *outputDir) write(a *app, rep *audit.Report, bom bool) error {
	for i, r := range dirReports {
		fm, err := a.lookup(r.format, output.Options{BOM: bom})
		if err != nil {
			return err
		}
		dst := d.files[i]
		if err := fm.Format(dst, r.kind, rep); err != nil {
			return fmt.Errorf("write %s: %w", dst.path, err)
		}
		if err := dst.commit(); err != nil {
			return fmt.Errorf("write %s: %w", dst.path, err)
		}
	}
	return nil
}

// abort removes the temporary files not yet moved into place.
func (d *outputDir) abort() {
	for _, f := range d.files {
		f.abort()
	}
}

// readDocument reads a JSON report (for --baseline and diff); its errors
// name the file.
func (a *app) readDocument(path string) (*output.Document, error) {
	var r io.Reader
	if path == "-" {
		r, path = a.stdin, "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	d, err := output.ReadDocument(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}
