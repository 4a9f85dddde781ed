package main

import (
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

// checkOutput checks -o's file before the crawl; nil means stdout.
func checkOutput(path string) (*reportFile, error) {
	if toStdout(path) {
		return nil, nil
	}
	f, err := checkReportFile(path)
	if err != nil {
		return nil, usageErrorf("-o: %v", err)
	}
	return f, nil
}

// writeReport writes one report with fill to -o's file (see reportFile)
// or, when f is nil, to stdout.
func (a *app) writeReport(f *reportFile, fill func(io.Writer) error) error {
	if f == nil {
		if err := writeAll(a.stdout, fill); err != nil {
			return &exitError{code: exitStdout, err: fmt.Errorf("stdout: %w: the report there is incomplete", err)}
		}
		return nil
	}
	if err := writeFiles([]*reportFile{f}, func(_ int, w io.Writer) error { return fill(w) }); err != nil {
		if f.file != "" {
			err = fmt.Errorf("%w; the file keeps what it had", err)
		}
		return &exitError{code: exitWrite, err: fmt.Errorf("-o: %w", err)}
	}
	return nil
}

// dirReports are the files --output-dir writes: every report as CSV,
// the findings report as JSON (the document --baseline and diff read
// back), and the HTML page to read and send.
var dirReports = []struct {
	name   string
	kind   output.Report
	format string
}{
	{"findings.csv", output.Findings, "csv"},
	{"chains.csv", output.Chains, "csv"},
	{"hops.csv", output.Hops, "csv"},
	{"urls.csv", output.URLs, "csv"},
	{"sitemaps.csv", output.Sitemaps, "csv"},
	{"summary.csv", output.Summary, "csv"},
	{"report.json", output.Findings, "json"},
	{"report.html", output.Findings, "html"},
}

// checkOutputDir creates dir if needed and checks each of its files
// before the crawl, so that an unusable folder or a name taken by a
// folder fails before any request.
func checkOutputDir(dir string) ([]*reportFile, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, usageErrorf("--output-dir: %v", err)
	}
	files := make([]*reportFile, len(dirReports))
	for i, r := range dirReports {
		f, err := checkReportFile(filepath.Join(dir, r.name))
		if err != nil {
			return nil, usageErrorf("--output-dir: %v", err)
		}
		files[i] = f
	}
	return files, nil
}

// writeOutputDir writes every report of rep into the files of
// --output-dir, all of them or none (see writeFiles).
func (a *app) writeOutputDir(dir string, files []*reportFile, rep *audit.Report, bom bool) error {
	err := writeFiles(files, func(i int, w io.Writer) error {
		fm, err := a.lookup(dirReports[i].format, output.Options{BOM: bom})
		if err != nil {
			return err
		}
		return fm.Format(w, dirReports[i].kind, rep)
	})
	if err != nil {
		return &exitError{code: exitWrite, err: fmt.Errorf("--output-dir: %w; %s keeps the reports it had", err, dir)}
	}
	return nil
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
