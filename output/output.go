// Package output writes audit reports as tables, CSV, JSON and JSON lines.
// Formatters only write; the command decides exit codes.
package output

import (
	"fmt"
	"io"

	"github.com/hopaudit/hopaudit/audit"
)

// Report names one view of a run.
type Report string

// The reports.
const (
	URLs     Report = "urls"     // one row per fetched or blocked URL
	Sitemaps Report = "sitemaps" // one row per sitemap read or not read
	Hops     Report = "hops"     // one row per hop of every chain
	Chains   Report = "chains"   // one row per entry URL that redirects
	Findings Report = "findings" // one row per finding
	Summary  Report = "summary"  // counts per rule and severity
)

// Reports lists every report, in the order the help text names them.
var Reports = []Report{URLs, Sitemaps, Hops, Chains, Findings, Summary}

// ParseReport checks a report name.
func ParseReport(s string) (Report, error) {
	for _, r := range Reports {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown report %q (want urls, sitemaps, hops, chains, findings or summary)", s)
}

// Formatter writes one report of a run.
type Formatter interface {
	Format(w io.Writer, kind Report, r *audit.Report) error
}

// Options tune formatters.
type Options struct {
	Terminal bool // the table goes to a terminal
	BOM      bool // CSV starts with a UTF-8 byte order mark, for Excel
	// HideUnchanged lists only the new and fixed findings of a report
	// compared with a baseline; the summary and totals still count all.
	HideUnchanged bool
}

// Formats lists the formatter names Lookup knows, default first.
var Formats = []string{"table", "csv", "json", "jsonl"}

// Lookup returns the formatter called name: table, csv, json or jsonl.
func Lookup(name string, opt Options) (Formatter, error) {
	switch name {
	case "table":
		return Table{Terminal: opt.Terminal, HideUnchanged: opt.HideUnchanged}, nil
	case "csv":
		return CSV{BOM: opt.BOM, HideUnchanged: opt.HideUnchanged}, nil
	case "json":
		return JSON{HideUnchanged: opt.HideUnchanged}, nil
	case "jsonl":
		return JSONL{HideUnchanged: opt.HideUnchanged}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want table, csv, json or jsonl)", name)
}
