package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// Helpers for the unit tests of the second half of the catalogue: small
// graphs built from literals.

// litGraph builds a graph whose scope is site.test, with refs sorted
// as a crawl sorts them. A response's Internal flag is set from the
// scope.
func litGraph(refs []crawler.Reference, resps ...*crawler.Response) *crawler.Graph {
	crawler.SortReferences(refs)
	g := &crawler.Graph{
		References: refs,
		Scope:      crawler.Scope{Hosts: []string{"site.test"}},
	}
	for _, r := range resps {
		r.Internal = g.Scope.Internal(r.URL)
		g.Add(r)
	}
	return g
}

// litRedirect is a response with a status and a resolved Location.
func litRedirect(u string, status int, location string) *crawler.Response {
	return &crawler.Response{URL: u, Status: status, Redirect: &crawler.Redirect{Locations: []string{location}, Location: location}}
}

// litPage is a 200 HTML page.
func litPage(u string) *crawler.Response {
	return &crawler.Response{URL: u, Status: 200, ContentType: "text/html", Parsed: true}
}

// litRef is a reference.
func litRef(kind crawler.RefKind, source, target, text string) crawler.Reference {
	return crawler.Reference{Kind: kind, Source: source, Target: target, Text: text}
}

// litLink is an <a href> from source to target.
func litLink(source, target string) crawler.Reference {
	return litRef(crawler.RefAnchor, source, target, "")
}

// litSeed is a start URL.
func litSeed(target string) crawler.Reference {
	return litRef(crawler.RefSeed, "", target, "")
}

// litRun runs one rule over g with its defaults, or with the options
// given, and returns its findings.
func litRun(t *testing.T, r *audit.Rule, g *crawler.Graph, opts ...map[string]any) []audit.Finding {
	t.Helper()
	e := &audit.Engine{Rules: []*audit.Rule{r}}
	if len(opts) > 0 {
		e.Options = map[string]map[string]any{r.Name: opts[0]}
	}
	rep := e.Run(g)
	for _, err := range rep.Errors {
		t.Fatalf("rule %s failed: %s", err.Rule, err.Err)
	}
	return rep.Findings
}

// litPass runs f with the pass of a rule over g that needs every fact
// of the engine and of the catalogue.
func litPass(t *testing.T, g *crawler.Graph, f func(p *audit.Pass)) {
	t.Helper()
	probe := &audit.Rule{Name: "probe", Severity: audit.Notice,
		Needs: []*audit.Fact{audit.Entries, audit.Chains, audit.Inbound, audit.Reached, renames},
		Run:   func(p *audit.Pass) error { f(p); return nil }}
	for _, err := range (&audit.Engine{Rules: []*audit.Rule{probe}}).Run(g).Errors {
		t.Fatalf("%s", err.Err)
	}
}

// litRow writes a finding without its message, as the fixture goldens
// order the columns: severity url source status target hops.
func litRow(f audit.Finding) string {
	return fmt.Sprintf("%s %s %s %d %s %d", f.Severity, f.URL, orDash(f.Source), f.Status, orDash(f.Target), f.Hops)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// litCase is one unit test of a rule: a graph, the rows it must report,
// words each message must contain, and words none may contain.
type litCase struct {
	name   string
	graph  *crawler.Graph
	opts   map[string]any
	want   []string // litRow of each finding, in report order
	words  []string // every message contains each of these
	absent []string // no message contains any of these
}

// litCheck runs the cases of one rule.
func litCheck(t *testing.T, r *audit.Rule, cases []litCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []map[string]any
			if tc.opts != nil {
				opts = append(opts, tc.opts)
			}
			findings := litRun(t, r, tc.graph, opts...)
			var got []string
			for _, f := range findings {
				got = append(got, litRow(f))
				for _, w := range tc.words {
					if !strings.Contains(f.Message, w) {
						t.Errorf("message %q lacks %q", f.Message, w)
					}
				}
				for _, w := range tc.absent {
					if strings.Contains(f.Message, w) {
						t.Errorf("message %q has %q", f.Message, w)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				for _, f := range findings {
					t.Logf("message: %s", f.Message)
				}
			}
		})
	}
}

func TestEntrySource(t *testing.T) {
	g := litGraph([]crawler.Reference{
		litSeed("http://site.test/a"),
		litLink("http://site.test/z", "http://site.test/a"),
		litLink("http://site.test/m", "http://site.test/a"),
		litSeed("http://site.test/b"),
	})
	litPass(t, g, func(p *audit.Pass) {
		for u, want := range map[string]string{
			"http://site.test/a": "http://site.test/m",
			"http://site.test/b": "",
			"http://site.test/c": "",
		} {
			if got := p.Source(u); got != want {
				t.Errorf("Source(%s) = %q, want %q", u, got, want)
			}
		}
	})
}

func TestReachedHops(t *testing.T) {
	// /b is in the middle of /a's chain and starts its own; /c is reached
	// only through chains.
	g := litGraph([]crawler.Reference{
		litLink("http://site.test/z", "http://site.test/a"),
		litLink("http://site.test/y", "http://site.test/b"),
		litSeed("http://site.test/b"),
	},
		litRedirect("http://site.test/a", 301, "http://site.test/b"),
		litRedirect("http://site.test/b", 302, "http://site.test/c"),
		litPage("http://site.test/c"),
		litRedirect("http://site.test/unreached", 302, "http://site.test/c"),
	)
	var got []string
	litPass(t, g, func(p *audit.Pass) {
		for h := range reachedHops(p) {
			got = append(got, fmt.Sprintf("%s %d %s %s", h.URL, h.Status, h.Target, h.Source))
		}
	})
	want := []string{
		"http://site.test/a 301 http://site.test/b http://site.test/z",
		"http://site.test/b 302 http://site.test/c http://site.test/y",
	}
	if !slices.Equal(got, want) {
		t.Errorf("reachedHops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRedirectRefs(t *testing.T) {
	g := litGraph([]crawler.Reference{
		litRef(crawler.RefHreflang, "http://site.test/p", "http://site.test/de", "x-default"),
		litRef(crawler.RefHreflang, "http://site.test/p", "http://site.test/de", "de"),
		litRef(crawler.RefHreflang, "http://site.test/p", "http://site.test/de", "de"),
		litRef(crawler.RefHreflang, "http://site.test/a", "http://site.test/de", "de"),
		litRef(crawler.RefHreflang, "http://site.test/p", "http://site.test/fr", "fr"),
		litRef(crawler.RefAnchor, "http://site.test/p", "http://site.test/de", "Deutsch"),
	},
		litRedirect("http://site.test/de", 301, "http://site.test/de/"),
		litPage("http://site.test/de/"),
		litPage("http://site.test/fr"),
	)
	var got []string
	litPass(t, g, func(p *audit.Pass) {
		for r := range redirectRefs(p, refKinds(crawler.RefHreflang)) {
			got = append(got, fmt.Sprintf("%s %s %v %s", r.URL, r.Source, r.Texts, r.Chain.FinalURL()))
		}
	})
	want := []string{
		"http://site.test/de http://site.test/a [de] http://site.test/de/",
		"http://site.test/de http://site.test/p [de x-default] http://site.test/de/",
	}
	if !slices.Equal(got, want) {
		t.Errorf("redirectRefs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDescribeChain(t *testing.T) {
	final := litPage("http://site.test/new")
	gone := &crawler.Response{URL: "http://site.test/gone", Status: 404}
	hop := func(u string, status int, target string) crawler.Hop {
		return crawler.Hop{URL: u, Status: status, Kind: crawler.HopHTTP, Target: target}
	}
	to := func(u string) []crawler.Hop { return []crawler.Hop{hop("http://site.test/a", 301, u)} }
	one := to("http://site.test/new")
	two := []crawler.Hop{hop("http://site.test/a", 301, "http://site.test/b"), hop("http://site.test/b", 302, "http://site.test/new")}
	loop := []crawler.Hop{hop("http://site.test/a", 301, "http://site.test/b"), hop("http://site.test/b", 302, "http://site.test/a")}
	long := make([]crawler.Hop, 20)
	for i := range long {
		long[i] = hop(fmt.Sprintf("http://site.test/%d", i), 301, "http://site.test/u")
	}
	tests := []struct {
		c      crawler.Chain
		want   string
		broken bool
	}{
		{crawler.Chain{Hops: one, Final: final, End: crawler.EndFinal}, "redirects to http://site.test/new", false},
		{crawler.Chain{Hops: two, Final: final, End: crawler.EndFinal}, "redirects to http://site.test/new in 2 hops", false},
		{crawler.Chain{Hops: to(gone.URL), Final: gone, End: crawler.EndFinal}, "redirects to http://site.test/gone, which answers 404", true},
		{crawler.Chain{Hops: to("http://site.test/x"), Final: &crawler.Response{URL: "http://site.test/x", Error: "reset"}, End: crawler.EndError}, "redirects to http://site.test/x, which fails to load", true},
		{crawler.Chain{Hops: loop, End: crawler.EndLoop}, "redirects in a loop (back to http://site.test/a after 2 hops)", true},
		{crawler.Chain{Hops: to("http://site.test/p"), Final: &crawler.Response{URL: "http://site.test/p", Blocked: true}, End: crawler.EndBlocked}, "redirects to http://site.test/p, which robots.txt disallows", false},
		{crawler.Chain{Hops: to("http://site.test/u"), End: crawler.EndUnfetched}, "redirects to http://site.test/u; " + unfinishedNote, false},
		{crawler.Chain{Hops: []crawler.Hop{hop("http://site.test/a", 301, "http://site.test/b"), hop("http://site.test/b", 302, "http://site.test/u")}, End: crawler.EndUnfetched},
			"redirects to http://site.test/u in 2 hops; the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown", false},
		{crawler.Chain{Hops: long, End: crawler.EndTooLong}, "redirects more than 20 times", true},
		{crawler.Chain{Hops: to("http://site.test/m"), Final: &crawler.Response{URL: "http://site.test/m", Status: 300}, End: crawler.EndFinal}, "redirects to http://site.test/m, which answers 300", false},
	}
	for _, tt := range tests {
		if got, want := finalTarget(&tt.c), tt.c.FinalURL(); tt.c.End != crawler.EndUnfetched && got != want || tt.c.End == crawler.EndUnfetched && got != "" {
			t.Errorf("finalTarget(%s) = %q", tt.want, got)
		}
		if got := describeChain(&tt.c); got != tt.want {
			t.Errorf("describeChain = %q, want %q", got, tt.want)
		}
		if got := chainBroken(&tt.c); got != tt.broken {
			t.Errorf("chainBroken(%s) = %v, want %v", tt.want, got, tt.broken)
		}
	}
}

// litRefresh is a 200 page that refreshes to target after delay seconds.
func litRefresh(u string, kind crawler.HopKind, delay float64, target string) *crawler.Response {
	r := litPage(u)
	r.Refresh = &crawler.Refresh{Kind: kind, Delay: delay, Raw: fmt.Sprintf("%g; url=%s", delay, target), URL: target}
	return r
}
