package output

import (
	"fmt"
	"io"
	"iter"

	"github.com/hopaudit/hopaudit/audit"
)

// JSONL writes a report as JSON lines: one object per row, with the
// report's columns as keys in column order (the row types of Document:
// URLRow, StatusRow, SitemapRow, HopRow, ChainRow, FindingRow, Issue,
// CountRow). Values are complete;
// strings are escaped as by JSON. An empty report writes nothing.
type JSONL struct {
	HideUnchanged bool     // list no unchanged finding of a compared report
	Inputs        []string // the status report's rows (see Options.Inputs)
}

// Format writes report kind. The findings report holds only the
// findings; the counts are the summary report.
func (j JSONL) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	switch kind {
	case URLs:
		return writeLines(w, urlRows(r.Graph))
	case Status:
		return writeLines(w, statusRows(r, j.Inputs))
	case Sitemaps:
		return writeLines(w, sitemapRows(r.Graph))
	case Hops:
		return writeLines(w, hopRows(r.Graph))
	case Chains:
		return writeLines(w, chainRows(r.Graph))
	case Findings:
		return writeLines(w, findingRows(r, j.HideUnchanged))
	case IssuesReport:
		return writeLines(w, issueRows(r, j.HideUnchanged))
	case Summary:
		return writeLines(w, countRows(r))
	}
	return unknownReport(kind)
}

// writeLines writes each row as a line of JSON.
func writeLines[T any](w io.Writer, rows iter.Seq[T]) error {
	e := newEncoder("")
	for row := range rows {
		b, err := e.encode("", "", row)
		if err != nil {
			return fmt.Errorf("encode JSON line: %w", err)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
