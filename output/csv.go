package output

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/hopaudit/hopaudit/audit"
)

// CSV writes a report as RFC 4180 comma-separated values in UTF-8: a
// header row of column names, then one record per row, each line ended
// by CRLF. Values are complete (never shortened), but site data is made
// inert: control characters are escaped as in tables (\r, \x1b, ...),
// invalid UTF-8 becomes U+FFFD, and a text cell a spreadsheet would
// evaluate as a formula is neutralised (see neutralize). Numbers are
// plain digits, booleans true or false. Every CSV hopaudit writes goes
// through here.
type CSV struct {
	BOM           bool // start with a UTF-8 byte order mark, for Excel
	HideUnchanged bool // list no unchanged finding of a compared report
}

// Format writes report kind. The findings report holds only the
// findings; the counts are the summary report.
func (c CSV) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	columns, rows, err := sheet(kind, r, c.HideUnchanged)
	if err != nil {
		return err
	}
	if c.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(columns); err != nil {
		return err
	}
	record := make([]string, len(columns))
	for row := range rows {
		for i, v := range row {
			record[i] = v.s
			if v.kind == textCell {
				record[i] = neutralize(escapeControls(v.s))
			}
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// neutralize prefixes s with a single quote when a spreadsheet would
// read it as a formula: when it starts with =, +, -, @, a tab or a
// carriage return (OWASP, CSV injection). Spreadsheets show the quote
// as a text marker. Applied to every text cell, whatever its column.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
