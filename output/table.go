package output

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"unicode"

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
// a row at a time. It draws the table itself, with tablewriter's
// symbols: tablewriter, given a row at a time, took 70 times as long as
// CSV for the same 160,000 findings (BenchmarkTableVsCSV). The bytes are
// those tablewriter's batch mode writes for all rows at once
// (TestTableStreamsAsBatch checks it).
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
	sym := tw.NewSymbols(style)
	g := grid{w: bufio.NewWriterSize(w, 64<<10), layout: l, column: sym.Column()}
	between := g.border(sym, sym.MidLeft(), sym.Center(), sym.MidRight())
	g.w.WriteString(g.border(sym, sym.TopLeft(), sym.TopMid(), sym.TopRight()))
	for _, c := range columns {
		g.add(c, true)
	}
	g.row(false)
	g.w.WriteString(between)
	n := 0
	for row := range rows {
		if n > 0 && l.wraps {
			g.w.WriteString(between)
		}
		touch(row)
		for _, v := range row {
			s, _, one := cellText(v)
			g.add(s, one)
		}
		g.row(true)
		n++
	}
	g.w.WriteString(g.border(sym, sym.BottomLeft(), sym.BottomMid(), sym.BottomRight()))
	if err := g.w.Flush(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

// A grid draws the lines of a table of a layout.
type grid struct {
	w *bufio.Writer
	layout
	column string // the vertical line
	text   []byte // the row's cells one after the other, their lines ended by newlines
	ends   []int  // where each cell of the row ends in text
	rest   [][]byte
}

// add adds the next cell of the row: s as it is when it is one line,
// else s wrapped (see cellText).
func (g *grid) add(s string, one bool) {
	if one {
		g.text = append(g.text, s...)
	} else {
		g.text = appendWrapped(g.text, s, cellWidth)
	}
	g.ends = append(g.ends, len(g.text))
}

// border returns a horizontal line: left, a run of the row symbol for
// each column with mid between them, right.
func (g *grid) border(sym tw.Symbols, left, mid, right string) string {
	var b strings.Builder
	b.WriteString(left)
	for i, n := range g.widths {
		if i > 0 {
			b.WriteString(mid)
		}
		b.WriteString(strings.Repeat(sym.Row(), n))
	}
	b.WriteString(right)
	b.WriteByte('\n')
	return b.String()
}

// row writes the cells added, as many lines as its tallest cell has,
// and empties the row; aligned says whether the columns' alignment
// applies (the header is aligned left).
func (g *grid) row(aligned bool) {
	g.rest = g.rest[:0]
	start := 0
	for _, end := range g.ends {
		g.rest = append(g.rest, g.text[start:end])
		start = end
	}
	for more := true; more; {
		more = false
		g.w.WriteString(g.column)
		for i, rest := range g.rest {
			line, rest, ok := bytes.Cut(rest, newline)
			g.rest[i] = rest
			more = more || ok
			pad := g.widths[i] - 2 - width(line)
			right := aligned && g.align[i] == tw.AlignRight
			g.w.WriteByte(' ')
			if right {
				g.spaces(pad)
			}
			g.w.Write(line)
			if !right {
				g.spaces(pad)
			}
			g.w.WriteByte(' ')
			g.w.WriteString(g.column)
		}
		g.w.WriteByte('\n')
	}
	g.text, g.ends = g.text[:0], g.ends[:0]
}

var newline = []byte{'\n'}

const blanks = "                                                                " // 64

func (g *grid) spaces(n int) {
	for n > 0 {
		k := min(n, len(blanks))
		g.w.WriteString(blanks[:k])
		n -= k
	}
}

// A layout is what the rendering of a table depends on beyond each row:
// what tablewriter's batch mode works out from all rows.
type layout struct {
	rows   int
	widths []int      // by column: its widest line, padding included
	align  []tw.Align // by column: right for numbers, by the first row
	wraps  bool       // a cell is wider than cellWidth
}

// measure goes over the rows once to find their layout.
func measure(columns []string, rows iter.Seq[[]cell]) layout {
	const padding = 2 // a space either side
	l := layout{widths: make([]int, len(columns)), align: make([]tw.Align, len(columns))}
	for i, c := range columns {
		l.widths[i] = width(c) + padding
		l.align[i] = tw.AlignLeft
	}
	var wrapped []byte
	for row := range rows {
		touch(row)
		for i, v := range row {
			if l.rows == 0 && v.kind == numberCell {
				l.align[i] = tw.AlignRight
			}
			s, w, one := cellText(v)
			l.wraps = l.wraps || w > cellWidth
			if !one {
				wrapped = appendWrapped(wrapped[:0], s, cellWidth)
				w = 0
				for line := range bytes.SplitSeq(wrapped, newline) {
					w = max(w, width(line))
				}
			}
			l.widths[i] = max(l.widths[i], w+padding)
		}
		l.rows++
	}
	return l
}

// touched keeps touch's loads.
var touched byte

// touch reads the first byte of each cell of row before they are
// looked at one by one. A big report's strings lie all over the heap,
// and reading them is most of a table's time: read together, they are
// fetched from memory together, not one after the other.
func touch(row []cell) {
	var b byte
	for _, v := range row {
		if v.s != "" {
			b |= v.s[0]
		}
	}
	touched |= b
}

// cellText returns cell v as the table shows it before wrapping
// (tableText), its width, and whether it is one line that wrapping
// leaves as it is.
// Most cells are a short line of plain ASCII, which is shown as it is:
// they are looked at once.
func cellText(v cell) (s string, w int, one bool) {
	if plainLine(v.s) && (v.kind != textCell || len(v.s) <= cellWidth) {
		return v.s, len(v.s), true
	}
	s = tableText(v)
	w = width(s)
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s, w, true // one word, which tablewriter never breaks
	}
	return s, w, plainLine(s) && w <= cellWidth
}

// plainLine reports whether s is printable ASCII with no space at
// either end and no two spaces in a row: text that escaping, shortening
// (up to cellWidth) and wrapping leave as it is.
func plainLine(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		case c < 0x20 || c >= 0x7f:
			return false
		}
	}
	return true
}

// printableASCII reports whether every byte of s is printable ASCII,
// looking at 8 bytes at a time.
func printableASCII(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		// A byte below 0x20 or above 0x7e (bit twiddling hacks:
		// "determine if a word has a byte less than n", "greater than
		// n").
		if (x-ones*0x20)&^x&highs != 0 || (x+ones*(127-0x7e)|x)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// tableText is a cell as a table shows it: text escaped and shortened
// word by word (see shortenWords); numbers and booleans as they are.
func tableText(v cell) string {
	if v.kind == textCell {
		return shortenWords(escapeControls(v.s), cellWidth)
	}
	return v.s
}

// appendWrapped appends s wrapped as tablewriter's batch mode wraps a
// row cell at lim columns, its lines joined by newlines: twwarp's
// WrapString, redone without its allocations. The words of s (split at
// white space) are laid out in lines of at most lim columns (or the
// widest word's) with minimal raggedness: the least sum of the squares
// of the room left on each line but the last. s holds no newline
// (tableText escapes them). Each line fits its column, so tablewriter
// (whose streaming mode wrapped again at the column's width) would
// leave it as it is.
func appendWrapped(dst []byte, s string, lim int) []byte {
	type word struct{ start, end, width, cost, next int }
	var buf [32]word
	words := buf[:0]
	if printableASCII(s) {
		// Words between spaces, as wide as long: most text.
		for i := 0; i < len(s); {
			if s[i] == ' ' {
				i++
				continue
			}
			j := strings.IndexByte(s[i:], ' ')
			if j < 0 {
				j = len(s) - i
			}
			words = append(words, word{start: i, end: i + j, width: j})
			i += j
		}
	} else {
		start := -1
		for i, r := range s {
			switch space := unicode.IsSpace(r); {
			case space && start >= 0:
				words = append(words, word{start: start, end: i, width: width(s[start:i])})
				start = -1
			case !space && start < 0:
				start = i
			}
		}
		if start >= 0 {
			words = append(words, word{start: start, end: len(s), width: width(s[start:])})
		}
	}
	n := len(words)
	if n == 0 {
		return dst
	}
	for _, w := range words {
		lim = max(lim, w.width)
	}
	const penalty = 1e5 // twwarp's for a line longer than lim
	rest := words[n-1].width
	for i := n - 1; i >= 0; i-- {
		if i < n-1 {
			rest += 1 + words[i].width
		}
		words[i].cost, words[i].next = math.MaxInt32, n
		if rest <= lim || i == n-1 {
			words[i].cost = 0
			continue
		}
		line := words[i].width
		for j := i + 1; j < n; j++ {
			if j > i+1 {
				line += 1 + words[j-1].width
			}
			d := lim - line
			if line > lim && d*d+penalty >= words[i].cost {
				break // a longer line costs more still
			}
			c := d*d + words[j].cost
			if line > lim {
				c += penalty
			}
			if c < words[i].cost {
				words[i].cost, words[i].next = c, j
			}
		}
	}
	for i := 0; i < n; i = words[i].next {
		if i > 0 {
			dst = append(dst, '\n')
		}
		for j := i; j < words[i].next; j++ {
			if j > i {
				dst = append(dst, ' ')
			}
			dst = append(dst, s[words[j].start:words[j].end]...)
		}
	}
	return dst
}
