package output

import (
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/hopaudit/hopaudit/audit"
)

// cellWidth is the widest a table cell gets, in display columns. A
// longer word (a URL) is cut in the middle with an ellipsis; longer
// text wraps at spaces onto more lines of the same row.
const cellWidth = 70

// Table writes a report as a text table for people. Column headers are
// the CSV column names. Site data is escaped (control characters as
// \r, \x1b, ...; invalid UTF-8 as U+FFFD) and long values are shortened,
// so a table shows the shape of a value, not always all of it: use CSV
// or JSON for complete values. The findings report prints the summary
// first, then the findings. An empty report prints one line, such as
// "no findings". A report compared with a baseline adds a line of
// changes under the totals, and a change column to the findings.
//
// With a Width, the issues report is not a table but a compact summary
// that fits a terminal of that width (see compact).
type Table struct {
	Terminal      bool     // Unicode box drawing; plain ASCII otherwise
	Width         int      // the terminal's columns, for the compact issues summary; 0 for none
	Color         bool     // colour the severities of the compact summary
	HideUnchanged bool     // list no unchanged finding of a compared report
	Inputs        []string // the status report's rows (see Options.Inputs)
}

// Format writes report kind.
func (t Table) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	switch kind {
	case Findings, Summary:
		return t.findings(w, kind, r)
	case IssuesReport:
		if t.Width > 0 {
			return t.compact(w, r)
		}
	}
	columns, rows, err := sheet(kind, r, t.HideUnchanged, t.Inputs)
	if err != nil {
		return err
	}
	return t.render(w, columns, rows, emptyLine[kind])
}

var emptyLine = map[Report]string{
	URLs:         "no URLs",
	Status:       "no URLs",
	IssuesReport: "no findings",
	Sitemaps:     "no sitemaps",
	Hops:         "no redirects",
	Chains:       "no redirect chains",
	Findings:     "no findings",
	Summary:      "no findings",
}

// findings writes the summary with the totals (and the changes of a
// compared report) and, for the findings report, the findings; then the
// rules that failed.
func (t Table) findings(w io.Writer, kind Report, r *audit.Report) error {
	if len(r.Findings) == 0 && len(r.Fixed) == 0 {
		if _, err := fmt.Fprintln(w, emptyLine[kind]); err != nil {
			return err
		}
	} else {
		columns, rows, err := sheet(Summary, r, false, nil)
		if err != nil {
			return err
		}
		if err := t.render(w, columns, rows, emptyLine[Summary]); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(w, totalsLine(totals(r))); err != nil {
			return err
		}
		if r.Compared {
			if _, err := fmt.Fprintln(w, changesLine(r)); err != nil {
				return err
			}
		}
		if kind == Findings {
			columns, rows, err := sheet(Findings, r, t.HideUnchanged, nil)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
			if err := t.render(w, columns, rows, "no new or fixed findings"); err != nil {
				return err
			}
		}
	}
	for _, e := range r.Errors {
		if _, err := fmt.Fprintf(w, "rule %s failed: %s\n", escapeControls(e.Rule), escapeControls(e.Err)); err != nil {
			return err
		}
	}
	return nil
}

// changesLine is the line under the totals of a compared report, such
// as "against the baseline: 2 new, 1 fixed, 5 unchanged", and ", 3
// unverified" when there are any.
func changesLine(r *audit.Report) string {
	s := fmt.Sprintf("against the baseline: %d new, %d fixed, %d unchanged",
		r.Tally(audit.ChangeNew), r.Tally(audit.ChangeFixed), r.Tally(audit.ChangeUnchanged))
	if n := r.Unverified(); n > 0 {
		s += fmt.Sprintf(", %d unverified", n)
	}
	return s
}

// totalsLine is the line under the summary table, such as
// "6 findings: 2 error, 3 warning, 1 notice".
func totalsLine(t Totals) string {
	noun := "findings"
	if t.Total == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("%d %s: %d error, %d warning, %d notice", t.Total, noun, t.Error, t.Warning, t.Notice)
}

// render writes one table, or the line empty when there are no rows.
// Number columns are aligned right. When a cell wraps onto several
// lines, a line separates the rows.
//
// A table may have a row per URL of a big crawl, so render does not
// hold its rows: it goes over them twice (rows must yield the same rows
// each time), first to measure the table (see layout), then to write it
// a row at a time with tablewriter's streaming mode, given the column
// widths. The bytes are those tablewriter's batch mode writes for all
// rows at once (TestTableStreamsAsBatch checks it).
func (t Table) render(w io.Writer, columns []string, rows iter.Seq[[]cell], empty string) error {
	l := measure(columns, rows)
	if l.rows == 0 {
		_, err := fmt.Fprintln(w, empty)
		return err
	}
	style := tw.StyleASCII
	if t.Terminal {
		style = tw.StyleLight
	}
	settings := tw.Settings{}
	if l.wraps {
		settings.Separators.BetweenRows = tw.On
	}
	tbl := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(style), Settings: settings})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowMaxWidth(cellWidth+2), // padding included
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignLeft, PerColumn: l.align}),
		tablewriter.WithStreaming(tw.StreamConfig{Enable: true}),
		tablewriter.WithColumnWidths(l.widths),
	)
	if err := tbl.Start(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	tbl.Header(columns)
	for row := range rows {
		body := make([]string, len(row))
		for i, v := range row {
			body[i] = wrapCell(tableText(v))
		}
		if err := tbl.Append(body); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	if err := tbl.Close(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

// A layout is what the rendering of a table depends on beyond each row:
// what tablewriter's batch mode works out from all rows.
type layout struct {
	rows   int
	widths tw.Mapper[int, int] // by column: its widest line, padding included
	align  []tw.Align          // by column: right for numbers, by the first row
	wraps  bool                // a cell is wider than cellWidth
}

// measure goes over the rows once to find their layout.
func measure(columns []string, rows iter.Seq[[]cell]) layout {
	const padding = 2 // a space either side
	l := layout{widths: tw.NewMapper[int, int](), align: make([]tw.Align, len(columns))}
	for i, c := range columns {
		l.widths.Set(i, twwidth.Width(c)+padding)
		l.align[i] = tw.AlignLeft
	}
	for row := range rows {
		for i, v := range row {
			if l.rows == 0 && v.kind == numberCell {
				l.align[i] = tw.AlignRight
			}
			s := tableText(v)
			if twwidth.Width(s) > cellWidth {
				l.wraps = true
			}
			for line := range strings.SplitSeq(wrapCell(s), "\n") {
				if w := twwidth.Width(line) + padding; w > l.widths.Get(i) {
					l.widths.Set(i, w)
				}
			}
		}
		l.rows++
	}
	return l
}

// tableText is a cell as a table shows it: text escaped and shortened
// word by word (see shortenWords); numbers and booleans as they are.
func tableText(v cell) string {
	if v.kind == textCell {
		return shortenWords(escapeControls(v.s), cellWidth)
	}
	return v.s
}

// wrapCell returns s wrapped as tablewriter's batch mode wraps a row
// cell at cellWidth, its lines joined by newlines: trimmed, split into
// words at white space, laid out with minimal raggedness. s holds no
// newline (tableText escapes them). The streaming mode wraps a cell at
// the width of its column instead, and minimal raggedness may then
// break the lines elsewhere; each line of a cell wrapped here fits its
// column, so tablewriter leaves it as it is.
func wrapCell(s string) string {
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s // one word, which tablewriter never breaks
	}
	lines, _ := twwarp.WrapString(strings.TrimSpace(s), cellWidth)
	return strings.Join(lines, "\n")
}
