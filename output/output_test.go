package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	// The width of ambiguous characters such as the ellipsis depends on
	// the locale; goldens are written with narrow ones.
	twwidth.SetEastAsian(false)
	os.Exit(m.Run())
}

// format runs the formatter called name on report kind of rep.
func format(t *testing.T, name string, opt Options, kind Report, rep *audit.Report) []byte {
	t.Helper()
	f, err := Lookup(name, opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Format(&buf, kind, rep); err != nil {
		t.Fatalf("%s %s: %v", name, kind, err)
	}
	return buf.Bytes()
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	crawlertest.Golden(t, filepath.Join("testdata", path), got, *update)
}

func TestGolden(t *testing.T) {
	for _, f := range Formats {
		name := f.Name
		if name == "html" {
			continue // TestHTMLGolden: its goldens leave the inline assets out
		}
		for _, kind := range Reports {
			if !f.Writes(kind) {
				continue // TestFormatRefuses
			}
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				golden(t, filepath.Join(name, string(kind)+".golden"), format(t, name, Options{Inputs: fixtureInputs}, kind, fixtureReport()))
			})
		}
	}
	t.Run("table/terminal", func(t *testing.T) {
		golden(t, "table/findings_terminal.golden", format(t, "table", Options{Terminal: true}, Findings, fixtureReport()))
	})
}

func TestLookup(t *testing.T) {
	opt := Options{Terminal: true, Width: 80, Color: true, BOM: true, HideUnchanged: true, Inputs: []string{"https://example.com/"}}
	for _, tc := range []struct {
		name string
		want Formatter
	}{
		{"table", Table{Terminal: true, Width: 80, Color: true, HideUnchanged: true, Inputs: opt.Inputs}},
		{"csv", CSV{BOM: true, HideUnchanged: true, Inputs: opt.Inputs}},
		{"json", JSON{HideUnchanged: true, Inputs: opt.Inputs}},
		{"jsonl", JSONL{HideUnchanged: true, Inputs: opt.Inputs}},
		{"html", HTML{HideUnchanged: true}},
	} {
		got, err := Lookup(tc.name, opt)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Lookup(%q) = %#v, %v; want %#v", tc.name, got, err, tc.want)
		}
	}
	_, err := Lookup("xml", Options{})
	if want := strings.Join(FormatNames()[:len(Formats)-1], ", ") + " or " + Formats[len(Formats)-1].Name; err == nil ||
		!strings.Contains(err.Error(), `"xml"`) || !strings.Contains(err.Error(), want) {
		t.Errorf("Lookup(xml) error = %v; want it to name xml and the valid formats (%s)", err, want)
	}
}

// TestRegistry checks the registry: names and extensions are unique,
// extensions lowercase with a dot, and each format writes its reports.
func TestRegistry(t *testing.T) {
	seen := map[string]string{}
	for _, f := range Formats {
		if f.Name == "" || f.Doc == "" || f.New == nil || strings.ToLower(f.Name) != f.Name {
			t.Errorf("format %+v: want a lowercase name and a constructor", f)
		}
		if seen[f.Name] != "" {
			t.Errorf("format %s twice", f.Name)
		}
		seen[f.Name] = f.Name
		for _, ext := range f.Extensions {
			if !strings.HasPrefix(ext, ".") || strings.ToLower(ext) != ext || len(ext) < 2 {
				t.Errorf("format %s: extension %q: want a lowercase extension with its dot", f.Name, ext)
			}
			if other := seen[ext]; other != "" {
				t.Errorf("extension %s is %s's and %s's", ext, other, f.Name)
			}
			seen[ext] = f.Name
			if got, err := FormatForFile("report" + strings.ToUpper(ext)); got != f.Name || err != nil {
				t.Errorf("FormatForFile(report%s) = %q, %v; want %s", strings.ToUpper(ext), got, err, f.Name)
			}
		}
		for _, kind := range f.Reports {
			if _, err := ParseReport(string(kind)); err != nil {
				t.Errorf("format %s: %v", f.Name, err)
			}
		}
	}
}

func TestFormatForFile(t *testing.T) {
	for name, want := range map[string]string{
		"REPORT.CSV":         "csv",
		"out/report.json":    "json",
		"findings.jsonl":     "jsonl",
		"findings.ndjson":    "jsonl",
		"findings.txt":       "table",
		"report.html":        "html",
		"Report.HTM":         "html",
		"findings":           "table",
		"/dev/stdout":        "table",
		"nightly.2026.json":  "json",
		"dir.csv/report.txt": "table",
	} {
		if got, err := FormatForFile(name); got != want || err != nil {
			t.Errorf("FormatForFile(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, name := range []string{"findings.csv.bak", "x.tsv", "report.xlsx", "report."} {
		_, err := FormatForFile(name)
		if err == nil || !strings.Contains(err.Error(), ".csv") || !strings.Contains(err.Error(), "--format") {
			t.Errorf("FormatForFile(%q) error = %v; want the known extensions and --format", name, err)
		}
	}
}

func TestUnknownReport(t *testing.T) {
	for _, name := range FormatNames() {
		f, _ := Lookup(name, Options{})
		err := f.Format(&bytes.Buffer{}, Report("pages"), fixtureReport())
		if err == nil || !strings.Contains(err.Error(), "pages") {
			t.Errorf("%s: error = %v; want unknown report pages", name, err)
		}
	}
}

func TestNeutralize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"+5s", "'+5s"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"https://example.com/=cmd", "https://example.com/=cmd"},
		{"a=b", "a=b"},
		{" =x", " =x"},
		{"'=x", "'=x"},
		{"\nx", "\nx"},
	} {
		if got := neutralize(tc.in); got != tc.want {
			t.Errorf("neutralize(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeControls(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain https://example.com/ä", "plain https://example.com/ä"},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"line\r\nnext\ttab", `line\r\nnext\ttab`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"csi\u009b31m", `csi\u009b31m`},
		{"bidi\u202egnp.exe", `bidi\u202egnp.exe`},
		{"bad\xff\xfeutf8", "bad\uFFFDutf8"}, // one U+FFFD per run of bad bytes
		{`back\slash`, `back\slash`},
	} {
		if got := escapeControls(tc.in); got != tc.want {
			t.Errorf("escapeControls(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"https://example.com/", 70, "https://example.com/"},
		{"abcdefghij", 10, "abcdefghij"},
		{"abcdefghijk", 10, "abcde…hijk"},
		{"日本語のページです", 10, "日本…です"},
		{"abc", 1, "…"},
	} {
		got := shorten(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("shorten(%q, %d) = %q; want %q", tc.in, tc.max, got, tc.want)
		}
		if w := twwidth.Width(got); w > tc.max {
			t.Errorf("shorten(%q, %d) is %d columns wide", tc.in, tc.max, w)
		}
	}
	got := shortenWords("see "+longURL+" now", cellWidth)
	if !strings.HasPrefix(got, "see https://example.com/") || !strings.HasSuffix(got, "campaign=spring now") ||
		twwidth.Width(got) != len("see  now")+cellWidth {
		t.Errorf("shortenWords = %q", got)
	}
}

// allOutputs formats every report of the fixture with the formatter.
func allOutputs(t *testing.T, name string, opt Options) map[Report][]byte {
	out := map[Report][]byte{}
	if opt.Inputs == nil {
		opt.Inputs = fixtureInputs
	}
	for _, kind := range Reports {
		out[kind] = format(t, name, opt, kind, fixtureReport())
	}
	return out
}

func TestCSVNoFormulaCell(t *testing.T) {
	for kind, b := range allOutputs(t, "csv", Options{}) {
		if !utf8.Valid(b) {
			t.Errorf("%s: CSV is not valid UTF-8", kind)
		}
		r := csv.NewReader(bytes.NewReader(b))
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if len(records) < 2 {
			t.Fatalf("%s: %d records; want a header and rows", kind, len(records))
		}
		for i, rec := range records {
			for j, c := range rec {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("%s: record %d field %d starts a formula: %q", kind, i, j, c)
				}
				if strings.ContainsFunc(c, isControl) {
					t.Errorf("%s: record %d field %d has a control character: %q", kind, i, j, c)
				}
			}
		}
	}
}

func TestCSVKeepsValues(t *testing.T) {
	b := format(t, "csv", Options{}, Hops, fixtureReport())
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(records[0], ","); got != strings.Join(hopColumns, ",") {
		t.Errorf("header = %s", got)
	}
	var sawLong, sawFormula bool
	for _, rec := range records[1:] {
		sawLong = sawLong || rec[0] == longURL
		sawFormula = sawFormula || rec[4] == "'=cmd|' /C calc'!A0"
	}
	if !sawLong || !sawFormula {
		t.Errorf("long URL kept whole: %v; formula Location neutralised: %v", sawLong, sawFormula)
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) || bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
		t.Error("CSV lines must end in CRLF")
	}
}

func TestCSVBOM(t *testing.T) {
	b := format(t, "csv", Options{BOM: true}, Summary, fixtureReport())
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbfrule,severity,count\r\n")) {
		t.Errorf("CSV with BOM starts %q", b[:min(len(b), 30)])
	}
	b = format(t, "csv", Options{}, Summary, fixtureReport())
	if !bytes.HasPrefix(b, []byte("rule,severity,count\r\n")) {
		t.Errorf("CSV without BOM starts %q", b[:min(len(b), 30)])
	}
}

func TestTableNoControlBytes(t *testing.T) {
	for _, term := range []bool{false, true} {
		for kind, b := range allOutputs(t, "table", Options{Terminal: term}) {
			if !utf8.Valid(b) {
				t.Errorf("terminal=%v %s: not valid UTF-8", term, kind)
			}
			for _, r := range string(b) {
				if r != '\n' && isControl(r) {
					t.Errorf("terminal=%v %s: control character %U in table", term, kind, r)
					break
				}
			}
			if !term && bytes.ContainsFunc(b, func(r rune) bool { return r >= utf8.RuneSelf && r != '…' && r != '\uFFFD' }) {
				t.Errorf("%s: non-terminal table has non-ASCII borders:\n%s", kind, b)
			}
			for i, line := range strings.Split(string(b), "\n") {
				// Nine columns of at most 70 columns each, with borders.
				if w := twwidth.Width(line); w > 9*(cellWidth+3)+1 {
					t.Errorf("terminal=%v %s: line %d is %d columns wide", term, kind, i+1, w)
				}
			}
		}
	}
}

func TestTableShortensLongURLs(t *testing.T) {
	b := string(format(t, "table", Options{}, URLs, fixtureReport()))
	if strings.Contains(b, longURL) {
		t.Error("table holds the long URL whole")
	}
	if !strings.Contains(b, "| https://example.com/products/catego…m_medium=email&utm_campaign=spring |") {
		t.Errorf("table does not shorten the long URL in the middle:\n%s", b)
	}
	if !strings.Contains(b, `https://example.com/a\x1b[31mred\r`) {
		t.Errorf("table does not escape the control characters of a URL:\n%s", b)
	}
}

func TestTableFindingsLayout(t *testing.T) {
	b := string(format(t, "table", Options{}, Findings, fixtureReport()))
	sum := strings.Index(b, "| rule ")
	find := strings.Index(b, "| url ")
	tot := strings.Index(b, "10 findings: 4 error, 5 warning, 1 notice")
	if sum < 0 || tot < sum {
		t.Fatalf("summary and totals missing or out of order:\n%s", b)
	}
	if find < tot {
		t.Errorf("findings table must follow the summary:\n%s", b)
	}
	if !strings.Contains(b, `rule query-dropped failed: boom\x1b[2J`) {
		t.Errorf("failed rule missing or unescaped:\n%s", b)
	}
}

func TestEmptyReport(t *testing.T) {
	rep := (&audit.Engine{}).Run(&crawler.Graph{})
	for kind, want := range map[Report]string{
		URLs: "no URLs\n", Status: "no URLs\n", Sitemaps: "no sitemaps\n", Hops: "no redirects\n", Chains: "no redirect chains\n",
		Findings: "no findings\n", IssuesReport: "no findings\n", Summary: "no findings\n",
	} {
		if got := string(format(t, "table", Options{}, kind, rep)); got != want {
			t.Errorf("table %s = %q; want %q", kind, got, want)
		}
		if got := string(format(t, "csv", Options{}, kind, rep)); strings.Count(got, "\n") != 1 {
			t.Errorf("csv %s = %q; want the header only", kind, got)
		}
		if got := format(t, "jsonl", Options{}, kind, rep); len(got) != 0 {
			t.Errorf("jsonl %s = %q; want nothing", kind, got)
		}
		got := string(format(t, "json", Options{}, kind, rep))
		if strings.Contains(got, "null") {
			t.Errorf("json %s holds null:\n%s", kind, got)
		}
		key := map[Report]string{URLs: "urls", Status: "status", Sitemaps: "sitemaps", Hops: "hops", Chains: "chains", Findings: "findings",
			IssuesReport: "issues", Summary: "summary"}[kind]
		if !strings.Contains(got, `"`+key+`": []`) {
			t.Errorf("json %s has no empty %s list:\n%s", kind, key, got)
		}
	}
	// A report without a graph (nothing crawled) is still written.
	for _, f := range Formats {
		for _, kind := range Reports {
			if err := f.New(Options{}).Format(&bytes.Buffer{}, kind, &audit.Report{}); err != nil && f.Writes(kind) {
				t.Errorf("%s %s without a graph: %v", f.Name, kind, err)
			}
		}
	}
}

// TestFormatRefuses checks that a format refuses the reports it does
// not write, naming them.
func TestFormatRefuses(t *testing.T) {
	for _, f := range Formats {
		for _, kind := range Reports {
			if f.Writes(kind) {
				continue
			}
			err := f.New(Options{}).Format(&bytes.Buffer{}, kind, fixtureReport())
			if err == nil || !strings.Contains(err.Error(), string(kind)) {
				t.Errorf("%s %s: error %v; want one that names %s", f.Name, kind, err, kind)
			}
		}
	}
}

func TestJSONDocument(t *testing.T) {
	for kind, b := range allOutputs(t, "json", Options{}) {
		if !utf8.Valid(b) {
			t.Errorf("%s: JSON is not valid UTF-8", kind)
		}
		if bytes.ContainsFunc(b, func(r rune) bool { return r != '\n' && isControl(r) }) {
			t.Errorf("%s: JSON holds a raw control character", kind)
		}
		d, err := ReadDocument(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if d.SchemaVersion != SchemaVersion || d.Report != kind {
			t.Errorf("%s: schema %d report %q", kind, d.SchemaVersion, d.Report)
		}
		if d.Stats.DurationMS != 90250 || d.Stats.Started.Format("2006-01-02T15:04:05Z07:00") != "2026-03-01T02:00:00Z" ||
			d.Stats.Fetched != 19 || !d.Stats.MaxPagesReached {
			t.Errorf("%s: stats = %+v", kind, d.Stats)
		}
	}

	d, err := ReadDocument(bytes.NewReader(format(t, "json", Options{}, Findings, fixtureReport())))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Findings) != 10 || len(d.Chains) != 11 || len(d.Summary) != 8 || len(d.RuleErrors) != 1 || len(d.Sitemaps) != 5 || d.URLs != nil || d.Hops != nil {
		t.Fatalf("findings document: %d findings, %d chains, %d counts, %d rule errors, %d sitemaps, urls %v, hops %v",
			len(d.Findings), len(d.Chains), len(d.Summary), len(d.RuleErrors), len(d.Sitemaps), d.URLs, d.Hops)
	}
	// The sitemaps come back exactly, the hostile URL included.
	if want := (SitemapRow{URL: sitemapCtrl, From: "index", Error: "not read: a crawl reads at most 10000 sitemaps"}); d.Sitemaps[0] != want {
		t.Errorf("first sitemap %+v; want %+v", d.Sitemaps[0], want)
	}
	if d.Totals == nil || *d.Totals != (Totals{Error: 4, Warning: 5, Notice: 1, Total: 10}) {
		t.Errorf("totals = %+v", d.Totals)
	}
	var sawCtrl, sawBad, sawSeverity bool
	for _, f := range d.Findings {
		// Valid strings come back exactly, control characters included.
		sawCtrl = sawCtrl || f.URL == ctrlURL
		// Invalid UTF-8 comes back as U+FFFD.
		sawBad = sawBad || f.URL == broken && strings.HasSuffix(f.Message, "no such host \uFFFD\uFFFD")
		sawSeverity = sawSeverity || f.Rule == "redirect-loop" && f.Severity == audit.Error
	}
	if !sawCtrl || !sawBad || !sawSeverity {
		t.Errorf("findings round trip: control URL %v, invalid UTF-8 %v, severity %v", sawCtrl, sawBad, sawSeverity)
	}
	for _, c := range d.Chains {
		if len(c.Steps) != c.Hops+1 || c.Steps[len(c.Steps)-1].Kind != FinalKind {
			t.Errorf("chain %s: %d hops, steps %+v", c.URL, c.Hops, c.Steps)
		}
	}
}

func TestJSONKeepsSeverityName(t *testing.T) {
	b := format(t, "json", Options{}, Summary, fixtureReport())
	if !bytes.Contains(b, []byte(`"severity": "error"`)) {
		t.Errorf("severity not written by name:\n%s", b)
	}
}

func TestReadDocumentRefusesOtherVersions(t *testing.T) {
	for in, want := range map[string]string{
		`{"schema_version": 2, "report": "findings"}`: "schema version 2",
		`{"report": "findings"}`:                      "no schema_version",
		`[1, 2]`:                                      "not a hopaudit JSON report",
	} {
		_, err := ReadDocument(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadDocument(%s) error = %v; want %q", in, err, want)
		}
	}
}

func TestEscapeJSON(t *testing.T) {
	v := map[string]string{"s": "del\x7f csi\u009b bidi\u202e nul\x00 esc\x1b é"}
	b, err := marshal(v, "")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"s":"del\u007f csi\u009b bidi\u202e nul\u0000 esc\u001b é"}` + "\n"
	if string(b) != want {
		t.Errorf("marshal = %s; want %s", b, want)
	}
	var back map[string]string
	if err := json.Unmarshal(b, &back); err != nil || back["s"] != v["s"] {
		t.Errorf("round trip = %q, %v", back["s"], err)
	}
}

func TestJSONLKeysInColumnOrder(t *testing.T) {
	columns := map[Report][]string{URLs: urlColumns, Status: statusColumns, Sitemaps: sitemapColumns, Hops: hopColumns, Chains: chainColumns,
		Findings: findingColumns, IssuesReport: issueColumns, Summary: countColumns}
	for kind, b := range allOutputs(t, "jsonl", Options{}) {
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) < 2 {
			t.Fatalf("%s: %d lines", kind, len(lines))
		}
		for _, line := range lines {
			dec := json.NewDecoder(strings.NewReader(line))
			var keys []string
			if _, err := dec.Token(); err != nil {
				t.Fatal(err)
			}
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					t.Fatalf("%s: %v in %s", kind, err, line)
				}
				keys = append(keys, tok.(string))
				var v json.RawMessage
				if err := dec.Decode(&v); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(keys, columns[kind]) {
				t.Errorf("%s: keys %v; want %v", kind, keys, columns[kind])
			}
		}
	}
}

// The row types' JSON keys are the report columns, in order; the
// columns of a compared report for findings and summary, whose extra keys
// are left out of a report that was not compared.
func TestRowTypesMatchColumns(t *testing.T) {
	for _, tc := range []struct {
		row     any
		columns []string
	}{
		{URLRow{}, urlColumns},
		{SitemapRow{}, sitemapColumns},
		{HopRow{}, hopColumns},
		{ChainRow{}, chainColumns},
		{FindingRow{}, changeFindingColumns},
		{CountRow{}, changeCountColumns},
		{Issue{}, changeIssueColumns},
		{StatusRow{}, statusColumns},
	} {
		typ := reflect.TypeOf(tc.row)
		var keys []string
		for i := range typ.NumField() {
			keys = append(keys, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
		}
		if !reflect.DeepEqual(keys, tc.columns) {
			t.Errorf("%s keys %v; columns %v", typ.Name(), keys, tc.columns)
		}
	}
}

func TestFitCell(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", 200_000)
	for _, tc := range []struct {
		name   string
		in     string
		cut    int    // characters cut, 0 = none
		suffix string // what the kept part ends with
	}{
		{name: "short", in: "https://example.com/"},
		{name: "exactly the limit", in: strings.Repeat("b", maxCellChars)},
		{name: "one over", in: strings.Repeat("b", maxCellChars+1), cut: 20, suffix: "b"},
		{name: "long URL", in: long, cut: 167_273, suffix: "a"}, // 200,020 chars, 32,747 kept and a marker of 20
		// 3 bytes but one UTF-16 unit each: 40,000 of them do not fit.
		{name: "BMP runes", in: strings.Repeat("€", 40_000), cut: 7_252, suffix: "€"},
		// 4 bytes and two UTF-16 units each: 16,383 fit (32,766 units), 16,384 do not.
		{name: "astral fits", in: strings.Repeat("😀", 16_383)},
		{name: "astral over", in: strings.Repeat("😀", 16_384), cut: 10, suffix: "😀"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitCell(tc.in)
			units := len(utf16.Encode([]rune(got)))
			if units > maxCellChars {
				t.Errorf("%d UTF-16 units, more than %d", units, maxCellChars)
			}
			if tc.cut == 0 {
				if got != tc.in {
					t.Errorf("a cell that fits was changed: %d units", units)
				}
				return
			}
			marker := "…[cut " + groupDigits(tc.cut) + " chars]"
			kept, ok := strings.CutSuffix(got, marker)
			if !ok {
				t.Fatalf("does not end with %q: ...%q", marker, got[max(0, len(got)-40):])
			}
			if !strings.HasPrefix(tc.in, kept) || !strings.HasSuffix(kept, tc.suffix) {
				t.Errorf("the kept part is not the start of the value")
			}
			if n := utf8.RuneCountInString(tc.in) - utf8.RuneCountInString(kept); n != tc.cut {
				t.Errorf("marker says %d cut, %d were", tc.cut, n)
			}
		})
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 167262: "167,262", 1234567: "1,234,567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestLongValues: a 200 KB Location is cut in CSV cells, with its marker,
// and kept whole in JSON and JSON lines.
func TestLongValues(t *testing.T) {
	const entry = "https://example.com/huge"
	loc := "/" + strings.Repeat("x", 200_000)
	target := "https://example.com" + loc
	g := &crawler.Graph{}
	g.Add(&crawler.Response{URL: entry, Status: 301, Redirect: &crawler.Redirect{Locations: []string{loc}, Location: target}, Internal: true},
		&crawler.Response{URL: target, Status: 200, Internal: true})
	g.References = []crawler.Reference{{Kind: crawler.RefSeed, Target: entry}}
	rep := (&audit.Engine{}).Run(g)

	var b bytes.Buffer
	if err := (CSV{}).Format(&b, Hops, rep); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cells := 0
	for _, rec := range records {
		for _, cell := range rec {
			if n := utf8.RuneCountInString(cell); n > maxCellChars {
				t.Errorf("a CSV cell of %d characters", n)
			}
			if strings.Contains(cell, "xxxx") {
				cells++
				if !strings.HasSuffix(cell, " chars]") || !strings.Contains(cell, "…[cut ") {
					t.Errorf("a cut cell has no marker: ...%q", cell[len(cell)-30:])
				}
			}
		}
	}
	if cells < 3 { // the location, the target, and the final hop's URL
		t.Errorf("%d long cells in the hops CSV, want at least 3", cells)
	}
	for _, fm := range []Formatter{JSON{}, JSONL{}} {
		b.Reset()
		if err := fm.Format(&b, Hops, rep); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), `"`+loc+`"`) || !strings.Contains(b.String(), `"`+target+`"`) {
			t.Errorf("%T does not keep the long Location and target whole", fm)
		}
	}
}
