package output

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/hopaudit/hopaudit/audit"
)

// CSV writes a report as RFC 4180 comma-separated values in UTF-8: a
// header row of column names, then one record per row, each line ended
// by CRLF. Site data is made inert: control characters are escaped as in
// tables (\r, \x1b, ...), invalid UTF-8 becomes U+FFFD, and a text cell a
// spreadsheet would evaluate as a formula is neutralised (see neutralize).
// A text cell longer than a spreadsheet cell holds is cut, visibly (see
// fitCell); JSON keeps every value whole. Numbers are plain digits,
// booleans true or false. Every CSV hopaudit writes goes through here.
type CSV struct {
	BOM           bool     // start with a UTF-8 byte order mark, for Excel
	HideUnchanged bool     // list no unchanged finding of a compared report
	Inputs        []string // the status report's rows (see Options.Inputs)
}

// Format writes report kind. The findings report holds only the
// findings; the counts are the summary report.
func (c CSV) Format(w io.Writer, kind Report, r *audit.Report) error {
	if r == nil {
		return fmt.Errorf("no report")
	}
	columns, rows, err := sheet(kind, r, c.HideUnchanged, c.Inputs)
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
				record[i] = fitCell(neutralize(escapeControls(v.s)))
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

// maxCellChars is the most a spreadsheet cell holds: 32,767 characters
// in Excel, which counts UTF-16 code units (LibreOffice holds more).
const maxCellChars = 32767

// fitCell returns s, valid UTF-8, cut to at most maxCellChars UTF-16
// code units, the last of them a marker that says how many characters
// were cut ("…[cut 167,262 chars]"), so that a cut URL is never taken
// for a real one. A cell that fits is returned as it is.
func fitCell(s string) string {
	if len(s) <= maxCellChars { // UTF-8 is never shorter than UTF-16
		return s
	}
	units, runes := 0, 0
	for _, r := range s {
		units += utf16.RuneLen(r)
		runes++
	}
	if units <= maxCellChars {
		return s
	}
	// The marker is longest when it counts every character as cut.
	room := maxCellChars - len([]rune(cutMarker(runes)))
	kept, keptRunes, end := 0, 0, 0
	for i, r := range s {
		n := utf16.RuneLen(r)
		if kept+n > room {
			end = i
			break
		}
		kept += n
		keptRunes++
	}
	return s[:end] + cutMarker(runes-keptRunes)
}

// cutMarker is the marker of fitCell for n characters cut.
func cutMarker(n int) string {
	return "…[cut " + groupDigits(n) + " chars]"
}

// groupDigits writes n with a comma between groups of three digits.
func groupDigits(n int) string {
	d := strconv.Itoa(n)
	var b strings.Builder
	for i := range len(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(d[i])
	}
	return b.String()
}
