package output

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// hostileReport has findings whose URLs, sources, anchor texts and
// messages carry what a hostile site may send: Markdown links to
// javascript:, HTML, @mentions, table pipes, backticks, escape
// sequences, NUL and characters XML forbids.
func hostileReport() *audit.Report {
	const site = "https://evil.example"
	bad := []string{
		site + "/a|b|c",
		site + "/<script>alert(1)</script>",
		site + "/\"><img src=x onerror=alert(1)>",
		"javascript:alert(document.cookie)",
		site + "/@channel/@here",
		site + "/``tick``/`x`",
		site + "/[click](javascript:alert(1))",
		site + "/nul\x00\x1b[2J\u202e\ufffe\uffff",
		site + "/**bold**_em_ ~~s~~ :smile: #1 <!-- c -->",
	}
	g := &crawler.Graph{}
	var fs []audit.Finding
	for i, u := range bad {
		g.Add(&crawler.Response{URL: u, Status: 301, Redirect: &crawler.Redirect{Location: bad[(i+1)%len(bad)]}})
		g.References = append(g.References, crawler.Reference{Kind: crawler.RefAnchor, Source: bad[(i+2)%len(bad)], Target: u, Text: bad[(i+3)%len(bad)]})
		fs = append(fs, audit.Finding{URL: u, Source: bad[(i+2)%len(bad)], Status: 301, Message: "see " + bad[(i+4)%len(bad)]})
	}
	rep := (&audit.Engine{Rules: []*audit.Rule{
		fixtureRule("r|<b>`x`</b>@here", audit.Error, fs...),
		{Name: "fails", Severity: audit.Notice, Run: func(*audit.Pass) error { return errors.New("boom \x00 <x> \uffff") }},
	}}).Run(g)
	return rep
}

// outsideCode returns a Markdown line with its code spans removed.
func outsideCode(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == '`' {
			j++
		}
		fence := line[i:j]
		end := strings.Index(line[j:], fence)
		for end >= 0 && j+end+len(fence) < len(line) && line[j+end+len(fence)] == '`' {
			next := strings.Index(line[j+end+len(fence):], fence)
			if next < 0 {
				end = -1
				break
			}
			end += len(fence) + next
		}
		if end < 0 {
			b.WriteString(line[i:]) // an unclosed fence is text
			break
		}
		i = j + end + len(fence)
	}
	return b.String()
}

// unescapedPipes counts the | of a line that no backslash escapes.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

func TestMarkdownHostile(t *testing.T) {
	for _, kind := range Reports {
		out := string(format(t, "markdown", Options{}, kind, hostileReport()))
		if strings.ContainsFunc(out, func(r rune) bool { return r != '\n' && isControl(r) }) {
			t.Errorf("%s: a control character:\n%s", kind, out)
		}
		var columns int
		for line := range strings.Lines(out) {
			line = strings.TrimSuffix(line, "\n")
			rest := outsideCode(line)
			for _, bad := range []string{"<", "@", "javascript:", "http", "](", "**bold", "\\`"} {
				if strings.Contains(rest, bad) && !(bad == "http" && strings.Contains(line, "more")) {
					t.Errorf("%s: %q outside code in %q", kind, bad, line)
				}
			}
			if !strings.HasPrefix(line, "|") {
				columns = 0
				continue
			}
			n := len(unescapedPipe.FindAllString(" "+line, -1))
			if columns == 0 {
				columns = n
			} else if n != columns {
				t.Errorf("%s: %d cell separators, the header has %d: %q", kind, n, columns, line)
			}
		}
	}
}

func TestMarkdownCaps(t *testing.T) {
	rep := bigReport(300, 500, false)
	out := format(t, "markdown", Options{}, Findings, rep)
	if n := bytes.Count(out, []byte("\n| ")); n > markdownIssues+20 {
		t.Errorf("%d table rows; want the issues capped at %d", n, markdownIssues)
	}
	if !bytes.Contains(out, []byte("more issues (rule and URL) not shown")) {
		t.Errorf("no line says issues were left out:\n%s", out)
	}
	out = format(t, "markdown", Options{}, Hops, rep)
	if n := bytes.Count(out, []byte("\n| `")); n != markdownRows {
		t.Errorf("%d rows of hops; want %d", n, markdownRows)
	}
	if !bytes.Contains(out, []byte("more rows not shown: `--report hops --format csv`")) {
		t.Errorf("no line says rows were left out")
	}
}

func TestMDCode(t *testing.T) {
	for in, want := range map[string]string{
		"":          "",
		"plain":     "`plain`",
		"a|b":       "`a\\|b`",
		"a`b":       "``a`b``",
		"`x`":       "`` `x` ``",
		"a``b`":     "``` a``b` ```",
		"<b>@here":  "`<b>@here`",
		"a\x1b[2Jb": "`a\\x1b[2Jb`",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q; want %q", in, got, want)
		}
	}
}

// junitDoc is what a JUnit reader reads.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Text string `xml:",chardata"`
			} `xml:"error"`
			Out string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// readJUnit decodes a JUnit document strictly, checking every token.
func readJUnit(t *testing.T, b []byte) junitDoc {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, b)
		}
	}
	var d junitDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("invalid JUnit: %v", err)
	}
	return d
}

func TestJUnitHostile(t *testing.T) {
	out := format(t, "junit", Options{}, Findings, hostileReport())
	d := readJUnit(t, out)
	if d.Tests != 2 || d.Failures != 1 || d.Errors != 1 || len(d.Suites) != 1 || len(d.Suites[0].Cases) != 2 {
		t.Fatalf("decoded %+v", d)
	}
	c := d.Suites[0].Cases[0]
	if c.Name != "r|<b>`x`</b>@here" || c.Failure == nil || !strings.Contains(c.Failure.Text, "<script>alert(1)</script>") ||
		!strings.Contains(c.Failure.Text, `nul\x00\x1b[2J\u202e\ufffe\uffff`) {
		t.Errorf("test case %+v", c)
	}
	if e := d.Suites[0].Cases[1].Error; e == nil || e.Text != `boom \x00 <x> \uffff` {
		t.Errorf("error %+v", e)
	}
	if bytes.ContainsFunc(out, func(r rune) bool { return r != '\n' && isControl(r) || r == 0xfffe || r == 0xffff }) {
		t.Errorf("a character XML or a terminal must not see:\n%s", out)
	}
}

// TestJUnitFailOn checks which findings fail their rule: at or above
// --fail-on, any with none, only new ones in a compared report.
func TestJUnitFailOn(t *testing.T) {
	failing := func(opt Options, rep *audit.Report) map[string]int {
		out := map[string]int{}
		for _, c := range readJUnit(t, format(t, "junit", opt, Summary, rep)).Suites[0].Cases {
			if c.Failure != nil {
				out[c.Name] = strings.Count(strings.TrimSpace(c.Failure.Text), "\n") + 1
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		opt  Options
		rep  *audit.Report
		want map[string]int
	}{
		{"none", Options{}, fixtureReport(), map[string]int{"temporary-redirect": 2, "redirect-chain": 1, "redirect-loop": 1, "invalid-location": 2,
			"broken-redirect": 1, "meta-refresh": 1, "redirect-to-blocked": 1, "external-redirect": 1}},
		{"error", Options{FailOn: audit.Error}, fixtureReport(), map[string]int{"redirect-loop": 1, "invalid-location": 2, "broken-redirect": 1}},
		{"compared warning", Options{FailOn: audit.Warning}, comparedReport(), map[string]int{"temporary-redirect": 1, "redirect-chain": 1,
			"invalid-location": 2, "broken-redirect": 1, "meta-refresh": 1, "redirect-to-blocked": 1}},
	} {
		if got := failing(tc.opt, tc.rep); !maps.Equal(got, tc.want) {
			t.Errorf("%s: failing %v; want %v", tc.name, got, tc.want)
		}
	}
}

// TestMarkdownSize checks the digest's bound with URLs and anchor texts
// far longer than a cell.
func TestMarkdownSize(t *testing.T) {
	long := strings.Repeat("x", 5000)
	g := &crawler.Graph{}
	var fs []audit.Finding
	for i := range 200 {
		u := fmt.Sprintf("https://example.com/%d/%s", i, long)
		g.Add(&crawler.Response{URL: u, Status: 301, Redirect: &crawler.Redirect{Location: u + "/next"}})
		g.References = append(g.References, crawler.Reference{Kind: crawler.RefAnchor, Source: u + "/from", Target: u, Text: long})
		fs = append(fs, audit.Finding{URL: u, Source: u + "/from", Message: long})
	}
	rep := (&audit.Engine{Rules: []*audit.Rule{fixtureRule("r", audit.Error, fs...)}}).Run(g)
	if n := len(format(t, "markdown", Options{}, Findings, rep)); n > 40<<10 {
		t.Errorf("digest of %d bytes; want at most 40 KiB", n)
	}
}
