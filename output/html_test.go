package output

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// withoutAssets returns a page with its inline CSS and JavaScript, and
// the hashes of its Content-Security-Policy, replaced by their names:
// the goldens hold the markup, and output/html holds the assets
// (TestHTMLAssets checks that the page carries them whole).
func withoutAssets(t *testing.T, page []byte) []byte {
	t.Helper()
	for _, r := range []struct{ asset, name string }{
		{htmlStyle, "/* report.css */"},
		{htmlScript, "/* report.js */"},
		{cspHash(htmlStyle), "sha256-of-report.css"},
		{cspHash(htmlScript), "sha256-of-report.js"},
	} {
		if n := bytes.Count(page, []byte(r.asset)); n != 1 {
			t.Fatalf("the page holds %s %d times, want once", r.name, n)
		}
		page = bytes.Replace(page, []byte(r.asset), []byte(r.name), 1)
	}
	return page
}

// TestHTMLGolden: the page of the fixture report (findings, summary),
// and of the compared report (all findings, and the changes only).
func TestHTMLGolden(t *testing.T) {
	for _, kind := range []Report{Findings, Summary} {
		t.Run(string(kind), func(t *testing.T) {
			golden(t, filepath.Join("html", string(kind)+".golden"), withoutAssets(t, format(t, "html", Options{}, kind, fixtureReport())))
		})
	}
	t.Run("compared", func(t *testing.T) {
		golden(t, "compared/html/findings.golden", withoutAssets(t, format(t, "html", Options{}, Findings, comparedReport())))
		golden(t, "compared/html/findings_changes.golden", withoutAssets(t, format(t, "html", Options{HideUnchanged: true}, Findings, comparedReport())))
	})
}

// TestHTMLReadBack: the page of a report rebuilt from its JSON document,
// as diff writes it, says why it has no chains.
func TestHTMLReadBack(t *testing.T) {
	d, err := ReadDocument(bytes.NewReader(format(t, "json", Options{}, Findings, fixtureReport())))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.AuditReport(fixtureEngine().Rules)
	if err != nil {
		t.Fatal(err)
	}
	page := string(format(t, "html", Options{}, Findings, rep))
	if !strings.Contains(page, "it has no chains") || strings.Contains(page, "No URL redirects") {
		t.Error("the page of a report read back does not say why it has no chains")
	}
	if !strings.Contains(page, `<span class="n-findings">2</span> findings`) {
		t.Error("the page of a report read back lost its findings")
	}
}

// TestHTMLAssets: the page carries its CSS and JavaScript whole, right
// after the tags the policy names them for, and the policy allows
// nothing else.
func TestHTMLAssets(t *testing.T) {
	page := string(format(t, "html", Options{}, Findings, fixtureReport()))
	if !strings.Contains(page, "<style>"+htmlStyle+"</style>") || !strings.Contains(page, "<script>"+htmlScript+"</script>") {
		t.Error("the page does not carry report.css and report.js byte for byte: their hashes would not match")
	}
	want := `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src '` + cspHash(htmlStyle) +
		`'; script-src '` + cspHash(htmlScript) + `'; img-src data:; base-uri 'none'; form-action 'none'">`
	if !strings.Contains(page, want) {
		t.Errorf("the page has no policy %s", want)
	}
	if i, j := strings.Index(page, "Content-Security-Policy"), strings.Index(page, "<style>"); i < 0 || i > j {
		t.Error("the policy must come before the first style and script")
	}
	for _, s := range []string{"http://", "https://", "//"} {
		// The fixture's URLs are in the page; the assets name none.
		if strings.Contains(htmlStyle, s) || strings.Contains(htmlScript, s+"cdn") {
			t.Errorf("an asset names %s", s)
		}
	}
	if strings.Contains(htmlScript, "innerHTML") || strings.Contains(htmlScript, "eval(") || strings.Contains(htmlScript, "document.write") {
		t.Error("report.js must make site data text, never markup")
	}
}

// hostileGraph is a crawl whose site data tries to break out of every
// context the page writes it in.
func hostileGraph() (*crawler.Graph, []audit.Finding) {
	const (
		home   = "https://example.com/"
		script = "https://example.com/x?q=</script><script>window.__pwned=1</script><!--"
		attr   = `https://example.com/"><img src=x onerror=alert(1)>`
		js     = "javascript:alert(1)"
		jsCase = " JaVaScRiPt:alert(1)"
		data   = "data:text/html,<script>alert(1)</script>"
		bidi   = "https://example.com/\u202egnp.exe"
	)
	g := &crawler.Graph{Scope: crawler.Scope{Hosts: []string{"example.com</title><script>alert(1)</script>"}}}
	add := func(r *crawler.Response) { g.Add(r) }
	add(&crawler.Response{URL: home, Status: 200, Parsed: true})
	add(&crawler.Response{URL: script, Status: 301, Redirect: &crawler.Redirect{Locations: []string{attr}, Location: attr,
		Header: &crawler.Headers{XRedirectBy: "<svg onload=alert(1)>"}}})
	add(&crawler.Response{URL: attr, Status: 302, Redirect: &crawler.Redirect{Locations: []string{js}, LocationErr: "not an http or https URL"}})
	add(&crawler.Response{URL: bidi, Status: 200, Refresh: &crawler.Refresh{Kind: crawler.HopMetaRefresh, Raw: "0; url=" + data, URL: data}})
	g.References = []crawler.Reference{
		{Kind: crawler.RefSeed, Target: home},
		{Kind: crawler.RefAnchor, Source: home, Target: script, Text: "</script><script>window.__pwned=1</script>"},
		{Kind: crawler.RefAnchor, Source: home, Target: bidi, Text: `"><img src=x onerror=alert(1)>`},
		{Kind: crawler.RefAnchor, Source: attr, Target: attr, Text: "self"},
	}
	findings := []audit.Finding{
		{URL: script, Source: home, Target: js, Message: "to " + js + " </script><!--"},
		{URL: attr, Source: jsCase, Target: jsCase, Message: `"><img src=x onerror=alert(1)>`},
		{URL: bidi, Source: data, Target: data, Message: "\u202e" + data},
		{URL: js, Source: script, Target: attr, Message: "<style>*{display:none}</style>"},
	}
	return g, findings
}

// TestHTMLHostile parses the page of a hostile crawl as a browser does
// and checks that site data made no element, attribute or link, and that
// the data blocks hold JSON that does not end its script element.
func TestHTMLHostile(t *testing.T) {
	g, findings := hostileGraph()
	rep := (&audit.Engine{Rules: []*audit.Rule{
		fixtureRule("hostile</code><script>alert(1)</script>", audit.Error, findings...),
	}}).Run(g)
	page := format(t, "html", Options{}, Findings, rep)
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	scripts, links := 0, 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "img", "svg", "iframe", "object", "embed", "base", "style", "link", "meta":
				if !(n.Data == "svg" && hasClass(n, "bar")) && !(n.Parent != nil && n.Parent.Data == "head") {
					t.Errorf("element <%s> in %s", n.Data, n.Parent.Data)
				}
			case "script":
				typ := attr(n, "type")
				if typ == "" {
					scripts++
				} else if typ != "application/json" {
					t.Errorf("script of type %q", typ)
				}
			case "a":
				links++
				href := attr(n, "href")
				if !strings.HasPrefix(href, "#") && !regexp.MustCompile(`^https?://`).MatchString(href) {
					t.Errorf("link to %q", href)
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") || a.Key == "style" || a.Key == "srcdoc" {
					t.Errorf("attribute %s on <%s>", a.Key, n.Data)
				}
			}
		}
		if n.Type == html.CommentNode {
			t.Errorf("comment %.80q: site data opened one", n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if scripts != 1 {
		t.Errorf("%d scripts, want the report's one", scripts)
	}
	if links == 0 {
		t.Error("no link at all: the test proves nothing")
	}
	for _, s := range []string{"</script><script>", "<img src", "<svg onload", "\u202e"} {
		if bytes.Contains(page, []byte(s)) {
			t.Errorf("the page holds %q as it is", s)
		}
	}
	if !bytes.Contains(page, []byte(`\u202egnp.exe`)) {
		t.Error("the bidi override is not shown as an escape")
	}
}

// TestHTMLDataBlocks: each data block of a hostile crawl's page holds
// no "<" (so no site data ends its script element or opens a comment)
// and is a JSON array the page's script can parse.
func TestHTMLDataBlocks(t *testing.T) {
	g, findings := hostileGraph()
	rep := (&audit.Engine{Rules: []*audit.Rule{fixtureRule("hostile", audit.Error, findings...)}}).Run(g)
	page := string(format(t, "html", Options{}, Findings, rep))
	blocks := regexp.MustCompile(`(?s)<script type="application/json" id="([^"]+)">(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(blocks) != 2 {
		t.Fatalf("%d data blocks, want the rule's and the chains'", len(blocks))
	}
	for _, b := range blocks {
		if strings.Contains(b[2], "<") {
			t.Errorf("%s holds a <", b[1])
		}
		var v []map[string]any
		if err := json.Unmarshal([]byte(b[2]), &v); err != nil || len(v) == 0 {
			t.Errorf("%s: %d items, %v", b[1], len(v), err)
		}
	}
	if !strings.Contains(blocks[0][2], `\u003c/script\u003e\u003cscript\u003ewindow.__pwned=1`) {
		t.Error("the anchor text that closes a script is not in the data, escaped: the test proves nothing")
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
}

func TestLinkable(t *testing.T) {
	for u, want := range map[string]bool{
		"https://example.com/":             true,
		"HTTP://example.com/a?b=<c>":       true,
		"http://example.com/\x1b[31m":      false,
		"javascript:alert(1)":              false,
		" javascript:alert(1)":             false,
		"JavaScript:alert(1)":              false,
		"data:text/html,<b>":               false,
		"vbscript:msgbox":                  false,
		"/relative":                        false,
		"//example.com/protocol-relative":  false,
		"https:///no-host":                 false,
		"http://example.com/\u202egnp.exe": false,
		"":                                 false,
	} {
		if got := linkable(u); got != want {
			t.Errorf("linkable(%q) = %v; want %v", u, got, want)
		}
	}
}

// BenchmarkHTML writes the page of a generated run of 100,000 findings
// on 40,000 redirect chains, and reports its size:
//
//	go test ./output -run '^$' -bench HTML -benchtime 3x
//
// The browser test says how fast a browser paints such a page
// (TestHTMLInBrowser/large with HOPAUDIT_BROWSER_FINDINGS=100000).
func BenchmarkHTML(b *testing.B) {
	const nFindings = 100000
	rep := bigReport(40000, nFindings, false)
	rep.Graph.Chains() // computed once per graph, before any report is written
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var w countWriter
		if err := (HTML{}).Format(&w, Findings, rep); err != nil {
			b.Fatal(err)
		}
		size = int(w)
	}
	b.ReportMetric(float64(size)/1e6, "MB")
	b.ReportMetric(float64(size)/nFindings, "B/finding")
}

// countWriter counts the bytes written to it.
type countWriter int

func (w *countWriter) Write(p []byte) (int, error) {
	*w += countWriter(len(p))
	return len(p), nil
}
