package output

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
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
type Table struct {
	Terminal      bool // Unicode box drawing; plain ASCII otherwise
	HideUnchanged bool // list no unchanged finding of a compared report
}

// Format writes report kind.
func (t Table) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	switch kind {
	case Findings, Summary:
		return t.findings(w, kind, r)
	}
	columns, rows, err := sheet(kind, r, false)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, emptyLine[kind])
		return err
	}
	return t.render(w, columns, rows)
}

var emptyLine = map[Report]string{
	URLs:     "no URLs",
	Hops:     "no redirects",
	Chains:   "no redirect chains",
	Findings: "no findings",
	Summary:  "no findings",
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
		columns, rows, err := sheet(Summary, r, false)
		if err != nil {
			return err
		}
		if err := t.render(w, columns, rows); err != nil {
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
			columns, rows, err := sheet(Findings, r, t.HideUnchanged)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
			if len(rows) == 0 {
				_, err = fmt.Fprintln(w, "no new or fixed findings")
			} else {
				err = t.render(w, columns, rows)
			}
			if err != nil {
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
// as "against the baseline: 2 new, 1 fixed, 5 unchanged".
func changesLine(r *audit.Report) string {
	return fmt.Sprintf("against the baseline: %d new, %d fixed, %d unchanged",
		r.Tally(audit.ChangeNew), r.Tally(audit.ChangeFixed), r.Tally(audit.ChangeUnchanged))
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

// render writes one table. Number columns are aligned right. When a
// cell wraps onto several lines, a line separates the rows.
func (t Table) render(w io.Writer, columns []string, rows [][]cell) error {
	style := tw.StyleASCII
	if t.Terminal {
		style = tw.StyleLight
	}
	align := make([]tw.Align, len(columns))
	for i := range align {
		align[i] = tw.AlignLeft
		if len(rows) > 0 && rows[0][i].kind == numberCell {
			align[i] = tw.AlignRight
		}
	}
	body := make([][]string, len(rows))
	wraps := false
	for i, row := range rows {
		body[i] = make([]string, len(row))
		for j, v := range row {
			s := v.s
			if v.kind == textCell {
				s = shortenWords(escapeControls(s), cellWidth)
			}
			if twwidth.Width(s) > cellWidth {
				wraps = true
			}
			body[i][j] = s
		}
	}
	settings := tw.Settings{}
	if wraps {
		settings.Separators.BetweenRows = tw.On
	}
	tbl := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(style), Settings: settings})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowMaxWidth(cellWidth+2), // padding included
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignLeft, PerColumn: align}),
	)
	tbl.Header(columns)
	if err := tbl.Bulk(body); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}
