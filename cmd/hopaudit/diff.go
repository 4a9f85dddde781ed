package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/output"
)

// diffFlags are the flags of diff.
type diffFlags struct {
	report    string
	format    string
	out       string
	bom       bool
	unchanged bool
	failOn    string
	quiet     bool
}

// define defines the flags on fs and returns the sections of the help.
func (f *diffFlags) define(fs *flag.FlagSet) []flagSection {
	fs.StringVar(&f.report, "report", "", "write the `REPORT`: findings, issues (one row per rule and URL) or summary (counts per rule with new, fixed and unverified) (default issues on a terminal, a summary by rule and URL that fits it; findings otherwise)")
	fs.StringVar(&f.format, "format", "table", "write the report as `FORMAT`: "+output.FormatsHelp())
	fs.StringVar(&f.out, "o", "", "write the report to `FILE` instead of stdout (- is stdout); without --format, its extension picks the format ("+output.ExtensionsHelp()+", none table; any other is an error); replaced whole once complete, keeping its mode; a device or FIFO is written to")
	fs.BoolVar(&f.bom, "bom", false, "start the CSV with a UTF-8 byte order mark, for Excel")
	fs.BoolVar(&f.unchanged, "unchanged", false, "list the unchanged findings too, not only the new, fixed and unverified ones")
	fs.StringVar(&f.failOn, "fail-on", "none", "exit 1 when a new finding at `LEVEL` or above exists: error, warning, notice or none")
	fs.BoolVar(&f.quiet, "quiet", false, "write no summary line to stderr")
	return []flagSection{{title: "Report", names: []string{"report", "format", "o", "bom", "unchanged", "fail-on", "quiet"}}}
}

func diffHelp(print func(io.Writer)) func(io.Writer) {
	return func(w io.Writer) {
		fmt.Fprint(w, `Usage: hopaudit diff [flags] OLD.json NEW.json

Compares the findings of two JSON findings reports (written with
--report findings --format json, or report.json of --output-dir): a
finding of NEW that OLD lacks is new, a finding of OLD that NEW lacks is
fixed, the others are unchanged. A finding is the same in both when its
rule, url and source are. When a report is of a crawl cut short, a
finding the other has is new or fixed only if that crawl fetched its
url, source and target; else it is unverified (of NEW) or
unverified-fixed (of OLD), and never counts for --fail-on. The report
lists the new, fixed and unverified findings with a change column first
(--unchanged lists all); the summary and totals count NEW's findings.
Flags may come before or after the files.
`)
		print(w)
		fmt.Fprint(w, `
Exit codes: 0 done, 1 new findings at or above --fail-on, 2 usage error or
a report that cannot be read (not JSON, another schema version, not a
findings report), 4 -o's file could not be written (it keeps what it had),
5 stdout closed early.
`)
	}
}

// runDiff compares two JSON reports.
func (a *app) runDiff(args []string) error {
	var f diffFlags
	fs := flagSet("diff")
	sections := f.define(fs)
	pos, err := a.parse(fs, args, diffHelp(func(w io.Writer) { printFlags(w, fs, sections) }))
	if err != nil {
		return helpOK(err)
	}
	if len(pos) != 2 {
		return usageErrorf("diff: want two JSON reports, OLD.json and NEW.json")
	}
	var kind output.Report
	if f.report != "" {
		if kind, err = output.ParseReport(f.report); err != nil {
			return usageErrorf("diff: --report: %v", err)
		}
		if kind != output.Findings && kind != output.IssuesReport && kind != output.Summary {
			return usageErrorf("diff: --report %s: diff compares findings; want findings, issues or summary", kind)
		}
	}
	level, err := audit.ParseSeverity(f.failOn)
	if err != nil {
		return usageErrorf("diff: --fail-on: %v", err)
	}
	format := f.format
	if !flagGiven(fs, "format") {
		if format, err = formatForFile(f.out); err != nil {
			return usageErrorf("diff: %v", err)
		}
	}
	if kind == "" {
		kind = a.defaultReport(format, f.out)
	}
	if err := checkFormat(format, kind); err != nil {
		return usageErrorf("diff: %v", err)
	}
	opt := output.Options{BOM: f.bom, HideUnchanged: !f.unchanged, FailOn: level}
	if a.terminal && toStdout(f.out) {
		opt.Terminal, opt.Width, opt.Color = true, a.width, a.color
	}
	fm, err := a.lookup(format, opt)
	if err != nil {
		return usageErrorf("diff: --format: %v", err)
	}

	dst, err := checkOutput(f.out)
	if err != nil {
		return err
	}

	docs := make([]*output.Document, 2)
	for i, path := range pos {
		if docs[i], err = a.readDocument(path); err != nil {
			return usageErrorf("diff: %v", err)
		}
	}
	old, err := docs[0].Baseline()
	if err != nil {
		return usageErrorf("diff: %s: %v", pos[0], err)
	}
	rep, err := docs[1].AuditReport(a.rules)
	if err != nil {
		return usageErrorf("diff: %s: %v", pos[1], err)
	}
	rep.Compare(old)
	if w := partialWarning(pos[0], docs[0], "new"); w != "" {
		fmt.Fprintln(a.stderr, w)
	}
	if w := partialWarning(pos[1], docs[1], "fixed"); w != "" {
		fmt.Fprintln(a.stderr, w)
	}

	if err := a.writeReport(dst, func(w io.Writer) error { return fm.Format(w, kind, rep) }); err != nil {
		return err
	}
	if !f.quiet {
		line := fmt.Sprintf("%s: %d findings, %s: %d findings; %d new, %d fixed, %d unchanged",
			pos[0], len(old.Findings), pos[1], len(rep.Findings),
			rep.Tally(audit.ChangeNew), rep.Tally(audit.ChangeFixed), rep.Tally(audit.ChangeUnchanged))
		if n := rep.Unverified(); n > 0 {
			line += fmt.Sprintf(", %d unverified", n)
		}
		fmt.Fprintln(a.stderr, line)
	}
	if level > 0 {
		if n := rep.NewAtLeast(level); n > 0 {
			return &exitError{code: exitFindings, err: fmt.Errorf("%d new finding(s) at or above %s in %s (--fail-on %s)", n, level, pos[1], level)}
		}
	}
	return nil
}

// partialWarning returns the warning about a JSON report read back whose
// crawl was cut short, or "" for one whose crawl finished. who names the
// report ("the baseline old.json"); not says what the findings it may
// have missed are not called: "new" for an earlier report, "fixed" for
// a later one.
func partialWarning(who string, d *output.Document, not string) string {
	if !d.Coverage().Partial {
		return ""
	}
	s := d.Stats
	var why []string
	if s.Cancelled {
		why = append(why, "cancelled")
	}
	if s.MaxPagesReached {
		why = append(why, "--max-pages reached")
	}
	if s.Unreachable != "" {
		why = append(why, "site unreachable: "+s.Unreachable)
	}
	if len(why) == 0 {
		why = append(why, "partial")
	}
	what := "findings on URLs it did not fetch are unverified, not " + not
	if d.FetchedURLs == nil {
		what = "it does not list the URLs it fetched (an earlier hopaudit wrote it), so every finding it lacks is unverified, not " + not
	}
	return fmt.Sprintf("warning: %s is from a crawl that was cut short (%s): %s", who, strings.Join(why, ", "), what)
}
