// Package output writes audit reports as tables, CSV, JSON, JSON lines,
// HTML pages, Markdown digests and JUnit XML. Formatters only write; the command
// decides exit codes.
package output

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
)

// Report names one view of a run.
type Report string

// The reports.
const (
	URLs         Report = "urls"     // one row per fetched or blocked URL
	Status       Report = "status"   // one row per start URL or list-mode line, in the order given
	Sitemaps     Report = "sitemaps" // one row per sitemap read or not read
	Hops         Report = "hops"     // one row per hop of every chain
	Chains       Report = "chains"   // one row per entry URL that redirects
	Findings     Report = "findings" // one row per finding
	IssuesReport Report = "issues"   // one row per rule and URL (see Issues)
	Summary      Report = "summary"  // counts per rule and severity
)

// Reports lists every report, in the order the help text names them.
var Reports = []Report{URLs, Status, Sitemaps, Hops, Chains, Findings, IssuesReport, Summary}

// ParseReport checks a report name.
func ParseReport(s string) (Report, error) {
	for _, r := range Reports {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown report %q (want %s)", s, orList(Reports))
}

// Formatter writes one report of a run.
type Formatter interface {
	Format(w io.Writer, kind Report, r *audit.Report) error
}

// Options tune formatters. Each format reads the options it has a use
// for.
type Options struct {
	Terminal bool // the output is a terminal: the table draws Unicode boxes
	// Width, when above 0, is the terminal's width in columns: a table
	// of issues is then a compact summary that fits it (see Table).
	Width int
	Color bool // colour severities with ANSI escapes (a terminal, NO_COLOR unset)
	BOM   bool // CSV starts with a UTF-8 byte order mark, for Excel
	// HideUnchanged lists only the new and fixed findings of a report
	// compared with a baseline; the summary and totals still count all.
	HideUnchanged bool
	// FailOn is --fail-on: JUnit fails a rule's test case for findings
	// at or above it (new ones of a compared report); at none (0), for
	// any finding.
	FailOn audit.Severity
	// Inputs are the URLs of the run as the user gave them, in order:
	// crawl's start URLs, check's list lines. The status report has a
	// row for each; without them, a row per start URL of the graph.
	Inputs []string
}

// Format is one way to write reports: what --format names, the file
// extensions that pick it for -o, the reports it writes, and its
// formatter. Formats lists them all; adding a format is adding an entry.
type Format struct {
	Name       string
	Doc        string   // what it is, for help texts: a few words
	Extensions []string // lowercase, with the dot
	Reports    []Report // the reports it writes; nil for every report
	New        func(Options) Formatter
}

// Writes reports whether the format writes report kind.
func (f Format) Writes(kind Report) bool {
	return f.Reports == nil || slices.Contains(f.Reports, kind)
}

// Formats is the registry of formats, in the order help texts name
// them; the first is the default. Lookup, FormatForFile and the help
// texts read it.
var Formats = []Format{
	{Name: "table", Doc: "a text table", Extensions: []string{".txt"}, New: func(o Options) Formatter {
		return Table{Terminal: o.Terminal, Width: o.Width, Color: o.Color, HideUnchanged: o.HideUnchanged, Inputs: o.Inputs}
	}},
	{Name: "csv", Doc: "comma-separated values", Extensions: []string{".csv"}, New: func(o Options) Formatter {
		return CSV{BOM: o.BOM, HideUnchanged: o.HideUnchanged, Inputs: o.Inputs}
	}},
	{Name: "json", Doc: "one JSON document", Extensions: []string{".json"}, New: func(o Options) Formatter {
		return JSON{HideUnchanged: o.HideUnchanged, Inputs: o.Inputs}
	}},
	{Name: "jsonl", Doc: "JSON lines", Extensions: []string{".jsonl", ".ndjson"}, New: func(o Options) Formatter {
		return JSONL{HideUnchanged: o.HideUnchanged, Inputs: o.Inputs}
	}},
	{Name: "html", Doc: "one self-contained web page", Extensions: []string{".html", ".htm"}, Reports: htmlReports, New: func(o Options) Formatter {
		return HTML{HideUnchanged: o.HideUnchanged}
	}},
	{Name: "markdown", Doc: "a digest for a CI job summary or a chat", Extensions: []string{".md", ".markdown"}, New: func(o Options) Formatter {
		return Markdown{HideUnchanged: o.HideUnchanged, Inputs: o.Inputs}
	}},
	{Name: "junit", Doc: "JUnit XML, a test case per rule that fails at --fail-on", Extensions: []string{".xml"}, Reports: junitReports, New: func(o Options) Formatter {
		return JUnit{FailOn: o.FailOn}
	}},
}

// FormatsHelp lists the formats with their docs, for help texts:
// "table (a text table), csv (comma-separated values), ...".
func FormatsHelp() string {
	parts := make([]string, len(Formats))
	for i, f := range Formats {
		parts[i] = f.Name + " (" + f.Doc + ")"
	}
	return strings.Join(parts, ", ")
}

// FormatNames lists the names of the formats, default first.
func FormatNames() []string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	return names
}

// LookupFormat returns the format called name.
func LookupFormat(name string) (Format, error) {
	for _, f := range Formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q (want %s)", name, orList(FormatNames()))
}

// Lookup returns the formatter of the format called name.
func Lookup(name string, opt Options) (Formatter, error) {
	f, err := LookupFormat(name)
	if err != nil {
		return nil, err
	}
	return f.New(opt), nil
}

// FormatForFile returns the name of the format a file name's extension
// picks, in any case: a name without an extension gets the default
// format (a text table), and an extension no format has is an error
// that lists the known ones.
func FormatForFile(name string) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == "" {
		return Formats[0].Name, nil
	}
	for _, f := range Formats {
		if slices.Contains(f.Extensions, ext) {
			return f.Name, nil
		}
	}
	return "", fmt.Errorf("unknown extension %s (want %s, or give --format)", ext, orList(Extensions()))
}

// Extensions lists every format's file extensions, "report.txt" style:
// each extension once, in the order of Formats.
func Extensions() []string {
	var out []string
	for _, f := range Formats {
		out = append(out, f.Extensions...)
	}
	return out
}

// ExtensionsHelp says which extension picks which format, for help
// texts: ".txt table, .csv csv, ..., .jsonl or .ndjson jsonl".
func ExtensionsHelp() string {
	parts := make([]string, len(Formats))
	for i, f := range Formats {
		parts[i] = strings.Join(f.Extensions, " or ") + " " + f.Name
	}
	return strings.Join(parts, ", ")
}

// orList joins names as "a, b or c".
func orList[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// DefaultMaxPagesText says that a crawl stopped at the default page
// limit n, which the user did not choose, and how to lift it; for the
// reports of such a crawl and the command's messages.
func DefaultMaxPagesText(n int) string {
	return fmt.Sprintf("the crawl stopped at the default limit of %d URLs (--max-pages); the site has more, not fetched: give --max-pages 0 for no limit, or a larger --max-pages N", n)
}
