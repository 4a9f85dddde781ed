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
// not given (see output.FormatForFile): stdout and a file without an
// extension get a table; an extension no format has is a usage error.
func formatForFile(name string) (string, error) {
	if toStdout(name) {
		return "table", nil
	}
	f, err := output.FormatForFile(name)
	if err != nil {
		return "", fmt.Errorf("-o %s: %w", name, err)
	}
	return f, nil
}

// checkFormat checks that format exists and writes report kind.
func checkFormat(format string, kind output.Report) error {
	f, err := output.LookupFormat(format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if !f.Writes(kind) {
		names := make([]string, len(f.Reports))
		for i, r := range f.Reports {
			names[i] = string(r)
		}
		return fmt.Errorf("--format %s writes the %s report, not %s", f.Name, orList(names), kind)
	}
	return nil
}

// defaultReport is the report written when --report is not given: on a
// terminal, a table of the issues, a summary that fits its width; the
// findings everywhere else, so that files and pipes get what they
// always got.
func (a *app) defaultReport(format, out string) output.Report {
	if a.terminal && toStdout(out) && format == "table" {
		return output.IssuesReport
	}
	return output.Findings
}

// formatter returns the job's formatter. The table is styled for a
// terminal only when it goes to stdout and stdout is one.
func (a *app) formatter(j *job) (output.Formatter, error) {
	opt := output.Options{BOM: j.bom, FailOn: j.failOn, Inputs: j.seeds}
	if a.terminal && toStdout(j.out) {
		opt.Terminal, opt.Width, opt.Color = true, a.width, a.color
	}
	return a.lookup(j.format, opt)
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

// reportNames lists the reports for help texts: "urls, status, ... or
// summary".
func reportNames() string {
	names := make([]string, len(output.Reports))
	for i, r := range output.Reports {
		names[i] = string(r)
	}
	return orList(names)
}

// orList joins names as "a, b or c".
func orList(names []string) string { return joinList(names, "or") }

// joinList joins names as "a, b" and conj "c".
func joinList(names []string, conj string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + conj + " " + names[len(names)-1]
}
