package output

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// issuesGraph is a site whose navigation links to /old, which redirects
// twice to /new, from five pages; /gone answers 404 and one page links
// to it, another refers to it as its canonical.
func issuesGraph() *crawler.Graph {
	const site = "https://example.com"
	g := &crawler.Graph{}
	add := func(r *crawler.Response) { g.Add(r) }
	add(&crawler.Response{URL: site + "/old", Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/mid"}, Location: site + "/mid"}})
	add(&crawler.Response{URL: site + "/mid", Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/new"}, Location: site + "/new"}})
	add(&crawler.Response{URL: site + "/new", Status: 200, Referrers: crawler.Referrers{Links: 7, Sitemaps: 1}})
	add(&crawler.Response{URL: site + "/gone", Status: 404})
	for _, p := range []string{"/e", "/d", "/c", "/b", "/a"} {
		add(&crawler.Response{URL: site + p, Status: 200})
		g.References = append(g.References, crawler.Reference{Kind: crawler.RefAnchor, Source: site + p, Target: site + "/old", Text: "Old " + p})
	}
	g.References = append(g.References,
		crawler.Reference{Kind: crawler.RefSeed, Target: site + "/old"},
		crawler.Reference{Kind: crawler.RefCanonical, Source: site + "/a", Target: site + "/old"},
		crawler.Reference{Kind: crawler.RefAnchor, Source: site + "/b", Target: site + "/gone", Text: "Gone"},
		crawler.Reference{Kind: crawler.RefCanonical, Source: site + "/c", Target: site + "/gone"},
	)
	return g
}

// issuesEngine reports /old once per linking page (a warning), its
// chain once (a notice), /gone as an error and /new as a notice.
func issuesEngine() *audit.Engine {
	const site = "https://example.com"
	var links []audit.Finding
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e"} {
		links = append(links, audit.Finding{URL: site + "/old", Source: site + p, Status: 301, Target: site + "/new", Hops: 2,
			Message: "links to https://example.com/old, which redirects; link the final URL"})
	}
	return &audit.Engine{Rules: []*audit.Rule{
		fixtureRule("redirect-chain", audit.Notice, audit.Finding{URL: site + "/old", Source: site + "/a", Status: 301, Target: site + "/new", Hops: 2,
			Fix: audit.Fix{Status: 301, Target: site + "/new"}, Message: "2 redirects; redirect straight to https://example.com/new"}),
		fixtureRule("link-to-redirect", audit.Warning, links...),
		fixtureRule("broken-link", audit.Error, audit.Finding{URL: site + "/gone", Source: site + "/b", Status: 404, Message: "404"}),
		fixtureRule("z-plain", audit.Warning, audit.Finding{URL: site + "/new", Message: "plain"}),
	}}
}

func TestIssues(t *testing.T) {
	rep := issuesEngine().Run(issuesGraph())
	got := Issues(rep)
	want := []Issue{
		{Rule: "broken-link", Severity: audit.Error, URL: "https://example.com/gone", Findings: 1, Inlinks: 2, Sources: 2,
			Samples: []Sample{{"https://example.com/b", "a", "Gone"}, {"https://example.com/c", "canonical", ""}},
			Status:  404, FinalURL: "https://example.com/gone", FinalStatus: 404, Message: "404"},
		{Rule: "link-to-redirect", Severity: audit.Warning, URL: "https://example.com/old", Findings: 5, Inlinks: 6, Sources: 5,
			Samples: []Sample{{"https://example.com/a", "a", "Old /a"}, {"https://example.com/b", "a", "Old /b"}, {"https://example.com/c", "a", "Old /c"}},
			Status:  301, FinalURL: "https://example.com/new", FinalStatus: 200,
			Message: "links to https://example.com/old, which redirects; link the final URL"},
		{Rule: "z-plain", Severity: audit.Warning, URL: "https://example.com/new", Findings: 1, Inlinks: 8, Samples: []Sample{},
			Status: 200, FinalURL: "https://example.com/new", FinalStatus: 200, Message: "plain"},
		{Rule: "redirect-chain", Severity: audit.Notice, URL: "https://example.com/old", Findings: 1, Inlinks: 6, Sources: 5,
			Samples: []Sample{{"https://example.com/a", "a", "Old /a"}, {"https://example.com/b", "a", "Old /b"}, {"https://example.com/c", "a", "Old /c"}},
			Status:  301, FinalURL: "https://example.com/new", FinalStatus: 200, FixStatus: 301, FixTarget: "https://example.com/new",
			Message: "2 redirects; redirect straight to https://example.com/new"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Issues:\n got %+v\nwant %+v", got, want)
	}
}

// TestIssuesOrder checks that issues of one rule and severity come with
// the most linked URL first.
func TestIssuesOrder(t *testing.T) {
	g := issuesGraph()
	rep := (&audit.Engine{Rules: []*audit.Rule{fixtureRule("r", audit.Warning,
		audit.Finding{URL: "https://example.com/gone", Message: "x"},
		audit.Finding{URL: "https://example.com/old", Message: "x"},
		audit.Finding{URL: "https://example.com/a", Message: "x"},
	)}}).Run(g)
	var urls []string
	for _, is := range Issues(rep) {
		urls = append(urls, is.URL)
	}
	want := []string{"https://example.com/old", "https://example.com/gone", "https://example.com/a"}
	if !reflect.DeepEqual(urls, want) {
		t.Errorf("order = %q, want %q", urls, want)
	}
}

// TestIssuesCompared checks each issue's change, and that a report read
// back from JSON (no graph) counts its findings' sources.
func TestIssuesCompared(t *testing.T) {
	const site = "https://example.com"
	base := issuesEngine().Run(issuesGraph())
	eng := issuesEngine()
	eng.Rules = eng.Rules[1:2] // link-to-redirect only, and one more source
	eng.Rules[0] = fixtureRule("link-to-redirect", audit.Warning,
		audit.Finding{URL: site + "/old", Source: site + "/a", Message: "m"},
		audit.Finding{URL: site + "/old", Source: site + "/f", Message: "m"})
	rep := eng.Run(&crawler.Graph{})
	rep.Rules = base.Rules
	rep.Compare(audit.Baseline{Findings: base.Findings})
	got := map[string]Issue{}
	for _, is := range Issues(rep) {
		got[is.Rule+" "+is.URL] = is
	}
	for key, want := range map[string]struct {
		change            string
		findings, sources int
	}{
		"link-to-redirect " + site + "/old": {"new", 2, 2},
		"redirect-chain " + site + "/old":   {"fixed", 0, 0},
		"broken-link " + site + "/gone":     {"fixed", 0, 0},
	} {
		is := got[key]
		if is.Change != want.change || is.Findings != want.findings || is.Sources != want.sources || is.Inlinks != want.sources {
			t.Errorf("%s: change %q, %d findings, %d inlinks, %d sources; want %q, %d, %d, %d",
				key, is.Change, is.Findings, is.Inlinks, is.Sources, want.change, want.findings, want.sources, want.sources)
		}
	}
	if s := got["link-to-redirect "+site+"/old"].Samples; len(s) != 2 || s[1].Source != site+"/f" || s[1].Kind != "" {
		t.Errorf("samples from findings = %+v", s)
	}
}

// TestCompactGolden writes the compact summary of the fixture report at
// 80 and 200 columns, in colour, and of a compared report.
func TestCompactGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		rep  *audit.Report
	}{
		{"compact_80", Options{Terminal: true, Width: 80}, fixtureReport()},
		{"compact_200", Options{Terminal: true, Width: 200}, fixtureReport()},
		{"compact_color", Options{Terminal: true, Width: 80, Color: true}, fixtureReport()},
		{"compact_issues", Options{Terminal: true, Width: 100}, issuesEngine().Run(issuesGraph())},
		{"compact_compared", Options{Terminal: true, Width: 100, HideUnchanged: true}, comparedReport()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, filepath.Join("table", tc.name+".golden"), format(t, "table", tc.opt, IssuesReport, tc.rep))
		})
	}
}

// TestCompactFits checks that no line of the compact summary is wider
// than the terminal, at any width, and that site data reaches it
// escaped.
func TestCompactFits(t *testing.T) {
	for width := 1; width <= 240; width++ {
		for _, color := range []bool{false, true} {
			out := string(format(t, "table", Options{Width: width, Color: color}, IssuesReport, fixtureReport()))
			for line := range strings.Lines(out) {
				line = strings.TrimSuffix(line, "\n")
				plain := ansiColor.ReplaceAllString(line, "")
				if w := twwidth.Width(plain); w > max(width, 20) {
					t.Fatalf("width %d: line of %d columns: %q", width, w, line)
				}
				if strings.ContainsFunc(plain, isControl) {
					t.Fatalf("width %d: control character in %q", width, line)
				}
				// A URL's line fits by cutting its URLs, not its end:
				// it ends with a status.
				if width >= 50 && urlLine.MatchString(plain) && strings.HasSuffix(plain, ellipsis) {
					t.Fatalf("width %d: URL line cut at its end: %q", width, line)
				}
				if !color && plain != line {
					t.Fatalf("width %d: colour without Color: %q", width, line)
				}
			}
		}
	}
}

// urlLine matches a URL's line of the compact summary.
var urlLine = regexp.MustCompile(`^ +[0-9]+  `)

// ansiColor matches the colour escapes the compact summary writes.
var ansiColor = regexp.MustCompile(`\x1b\[[0-9]+m`)

// TestCompactCapsURLs checks that a rule lists at most compactURLs URLs
// and says how many more there are.
func TestCompactCapsURLs(t *testing.T) {
	var fs []audit.Finding
	for i := range compactURLs + 5 {
		fs = append(fs, audit.Finding{URL: fmt.Sprintf("https://example.com/%02d", i), Message: "x"})
	}
	rep := (&audit.Engine{Rules: []*audit.Rule{fixtureRule("r", audit.Warning, fs...)}}).Run(&crawler.Graph{})
	out := string(format(t, "table", Options{Width: 80}, IssuesReport, rep))
	if n := strings.Count(out, "https://example.com/"); n != compactURLs {
		t.Errorf("%d URLs listed; want %d:\n%s", n, compactURLs, out)
	}
	if !strings.Contains(out, "… and 5 more URLs") {
		t.Errorf("no line says 5 more URLs:\n%s", out)
	}
}

func TestSameOriginPath(t *testing.T) {
	for _, tc := range []struct{ u, final, want string }{
		{"https://example.com/old", "https://example.com/new?x=1", "/new?x=1"},
		{"https://example.com/old", "https://example.com/", "/"},
		{"http://example.com/old", "https://example.com/new", "https://example.com/new"},
		{"https://example.com/old", "https://example.com.evil/new", "https://example.com.evil/new"},
		{"https://example.com:8443/a", "https://example.com/b", "https://example.com/b"},
		{"https://example.com", "https://example.com/b", "https://example.com/b"},
	} {
		if got := sameOriginPath(tc.u, tc.final); got != tc.want {
			t.Errorf("sameOriginPath(%q, %q) = %q; want %q", tc.u, tc.final, got, tc.want)
		}
	}
}
