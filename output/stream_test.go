package output

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// The formatters write a row at a time. These tests check that they
// write what writing the whole report at once writes, for reports with
// many rows of every kind: the goldens are small.

// TestJSONStreamsDocument checks that JSON writes the bytes of the whole
// Document encoded at once.
func TestJSONStreamsDocument(t *testing.T) {
	reports := map[string]func() *audit.Report{
		"big":      func() *audit.Report { return bigReport(300, 500, false) },
		"compared": func() *audit.Report { return bigReport(300, 500, true) },
		"fixture":  fixtureReport,
		"empty": func() *audit.Report {
			return (&audit.Engine{}).Run(&crawler.Graph{})
		},
		"no graph": func() *audit.Report { return &audit.Report{} },
	}
	for name, rep := range reports {
		for _, kind := range Reports {
			for _, hide := range []bool{false, true} {
				r := rep()
				d, err := wholeDocument(kind, r, hide)
				if err != nil {
					t.Fatal(err)
				}
				want, err := marshal(d, "  ")
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := (JSON{HideUnchanged: hide}).Format(&got, kind, r); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s %s (hide unchanged %v): JSON differs from the whole document encoded:\n%s", name, kind, hide, firstDiff(got.String(), string(want)))
				}
			}
		}
	}
}

// TestTableStreamsAsBatch checks that a table written a row at a time is
// the table tablewriter writes from all rows at once (renderBatch).
func TestTableStreamsAsBatch(t *testing.T) {
	type sheetCase struct {
		name    string
		columns []string
		rows    [][]cell
	}
	var cases []sheetCase
	for _, rep := range []*audit.Report{bigReport(200, 300, false), bigReport(200, 300, true)} {
		for _, kind := range Reports {
			var inputs []string // the status report's: the first URLs
			for r := range rep.Graph.SortedResponses() {
				if inputs = append(inputs, r.URL); len(inputs) == 50 {
					break
				}
			}
			columns, rows, err := sheet(kind, rep, false, inputs)
			if err != nil {
				t.Fatal(err)
			}
			var all [][]cell
			for row := range rows {
				all = append(all, slices.Clone(row))
			}
			cases = append(cases, sheetCase{fmt.Sprintf("%s compared %v", kind, rep.Compared), columns, all})
		}
	}
	cases = append(cases, sheetCase{"tricky cells", []string{"text", "n", "more text", "empty"}, trickyRows()})
	// Wrapped at 70 columns, its widest line has 66: wrapped again at 66,
	// as a column of that width would wrap it, it breaks elsewhere.
	narrow := "xxxxxxxxxxxxxxxxxxx xx xxx xxxxxxxx xxxxxxxxxxxxxxx xxxxx xxxxxxxxxxxxxxxx xxxxxx xxxxxxxxxxxxxxxx " +
		"xxxxxxxxxxxxx xxxx xxxxxxxx xx xxxxxxxxxxxxxxxxxx x xxxxxxxxxxxxxxx xx xxxxx xxxxxxxxxxxxxxxxxx " +
		"xxxxxxxxxxxxxxxxxx xxxxxx xxxxxxxxxxxxxxx xxxx xxxxxx xxxxxxxxxxxxxxxxx xxxxxxx xxxx"
	cases = append(cases, sheetCase{"narrower than a cell", []string{"message"}, [][]cell{{text(narrow)}}})
	// Plain ASCII lines about cellWidth wide, which the table writes
	// without wrapping them when they fit, and long ones of many words.
	var edge [][]cell
	for n := cellWidth - 2; n <= cellWidth+2; n++ {
		line := strings.Repeat("ab ", n/3+1)[:n]
		for _, s := range []string{line, strings.TrimSpace(line), " " + line, line + " ", strings.Replace(line, " ", "  ", 1)} {
			edge = append(edge, []cell{text(s), number(n), text(strings.Repeat(s+" ", 3))})
		}
	}
	cases = append(cases, sheetCase{"about a cell wide", []string{"a", "n", "b"}, edge})
	cases = append(cases, sheetCase{"no wrap", []string{"a", "b"}, [][]cell{{text("x  y"), number(1)}, {text("\u00a0z "), number(22)}}})

	for _, c := range cases {
		for _, term := range []bool{false, true} {
			tbl := Table{Terminal: term}
			var got, want bytes.Buffer
			if err := tbl.render(&got, c.columns, slices.Values(c.rows), "none"); err != nil {
				t.Fatal(err)
			}
			if err := renderBatch(tbl, &want, c.columns, c.rows); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s (terminal %v): streamed table differs from the batch one:\n%s", c.name, term, firstDiff(got.String(), want.String()))
			}
		}
	}
}

// trickyRows are cells that wrap, or that tablewriter rewrites: runs of
// spaces, other white space, wide characters, empty cells, words longer
// than a cell.
func trickyRows() [][]cell {
	words := []string{"a", "redirect", "https://example.com/x", "日本語", "ページ", "  ", " ", "\u00a0", "\u3000",
		"Location", "é", strings.Repeat("w", 30), strings.Repeat("long", 25), "🙂", "=cmd", "\t", "\x1b[31m"}
	rnd := rand.New(rand.NewPCG(1, 2))
	phrase := func() string {
		var b strings.Builder
		for range rnd.IntN(40) {
			b.WriteString(words[rnd.IntN(len(words))])
			if rnd.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		return b.String()
	}
	rows := [][]cell{
		{text(strings.Repeat("x", cellWidth)), number(0), text(strings.Repeat("y ", cellWidth/2)), text("")},
		{text(strings.Repeat("x", cellWidth+1)), number(7), text(strings.Repeat("y ", cellWidth/2+1)), text("")},
	}
	for i := range 300 {
		rows = append(rows, []cell{text(phrase()), number(i * 997), text(phrase()), text("")})
	}
	return rows
}

// renderBatch is how render wrote a table before it streamed: all rows
// given to tablewriter at once.
func renderBatch(t Table, w io.Writer, columns []string, rows [][]cell) error {
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
		tablewriter.WithRowMaxWidth(cellWidth+2),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignLeft, PerColumn: align}),
	)
	tbl.Header(columns)
	if err := tbl.Bulk(body); err != nil {
		return err
	}
	return tbl.Render()
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, gl, wl)
		}
	}
	return "the same lines"
}
