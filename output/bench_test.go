package output

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// bigReport is a generated run: nChains redirect chains of two hops
// (entry 301 to a middle URL, 302 to a final page), so 3*nChains URLs
// and hops rows, a sitemap index listing nChains/10+1 sitemaps (some
// failed or cut), and nFindings findings of three rules, some with
// messages long enough to wrap in a table. With compared, half the
// findings are unchanged against a baseline that also has nFindings/10
// fixed ones.
func bigReport(nChains, nFindings int, compared bool) *audit.Report {
	u := func(kind string, i int) string {
		return fmt.Sprintf("https://www.example.com/section-%02d/%s/page-%06d", i%40, kind, i)
	}
	g := &crawler.Graph{}
	add := func(r *crawler.Response) { g.Add(r) }
	for i := range nChains {
		entry, mid, final := u("old", i), u("moved", i), u("new", i)
		add(&crawler.Response{URL: entry, Status: 301, Redirect: &crawler.Redirect{Locations: []string{mid}, Location: mid}, Elapsed: ms(12), Depth: 1, Internal: true})
		add(&crawler.Response{URL: mid, Status: 302, Redirect: &crawler.Redirect{Locations: []string{final}, Location: final}, Elapsed: ms(9), Depth: 2, Internal: true})
		add(&crawler.Response{URL: final, Status: 200, ContentType: "text/html; charset=utf-8", Bytes: 14000 + int64(i%1000),
			Elapsed: ms(40 + i%50), Depth: 3, Internal: true, Parsed: true})
		g.References = append(g.References, crawler.Reference{Kind: crawler.RefAnchor, Source: "https://www.example.com/", Target: entry})
	}
	slices.SortFunc(g.References, func(a, b crawler.Reference) int { return cmp.Compare(a.Target, b.Target) })
	parts := nChains/10 + 1
	g.Sitemaps = append(g.Sitemaps, crawler.Sitemap{URL: "https://www.example.com/sitemap-index.xml", From: crawler.SitemapRobots, Status: 200, Entries: parts, Index: true})
	for i := range parts {
		s := crawler.Sitemap{URL: fmt.Sprintf("https://www.example.com/sitemaps/part-%05d.xml", i), From: crawler.SitemapIndex, Status: 200, Entries: 30}
		switch i % 7 {
		case 3:
			s.Status, s.Entries, s.Error = 404, 0, "status 404"
		case 5:
			s.Entries, s.Error = 50000, "more than 50000 entries: the rest were not read"
		}
		g.Sitemaps = append(g.Sitemaps, s)
	}

	var chain, temp, slow []audit.Finding
	for i := range nFindings {
		c := i % nChains
		entry, mid, final := u("old", c), u("moved", c), u("new", c)
		switch i % 3 {
		case 0:
			chain = append(chain, audit.Finding{URL: entry, Source: "https://www.example.com/", Status: 301, Target: final, Hops: 2,
				Message: fmt.Sprintf("2 redirects: %s > %s > %s; link %s directly", entry, mid, final, final)})
		case 1:
			temp = append(temp, audit.Finding{URL: mid, Source: fmt.Sprintf("https://www.example.com/from-%d", i), Status: 302, Target: final,
				Message: "302 to " + final + "; use 301 if the move is permanent"})
		case 2:
			slow = append(slow, audit.Finding{URL: final, Source: fmt.Sprintf("https://www.example.com/list-%d", i), Status: 200,
				Message: "linked page answers slowly"})
		}
	}
	rep := (&audit.Engine{Rules: []*audit.Rule{
		fixtureRule("redirect-chain", audit.Warning, chain...),
		fixtureRule("temporary-redirect", audit.Warning, temp...),
		fixtureRule("slow-page", audit.Notice, slow...),
	}}).Run(g)
	if compared {
		var base []audit.Finding
		for i, f := range rep.Findings {
			if i%2 == 0 {
				base = append(base, f)
			}
		}
		for i := range nFindings / 10 {
			base = append(base, audit.Finding{Rule: "redirect-chain", Severity: audit.Warning, URL: u("gone", i), Message: "fixed since"})
		}
		rep.Compare(audit.Baseline{Findings: base})
	}
	return rep
}

// BenchmarkFormat writes each report of a generated run of 20,000
// redirect chains (60,000 URLs and hop rows) and 30,000 findings in
// every format, and reports the bytes and allocations per row of the
// report (for the findings report, per finding: its JSON document holds
// the chains too):
//
//	go test ./output -run '^$' -bench Format
func BenchmarkFormat(b *testing.B) {
	const nChains, nFindings = 20000, 30000
	rep := bigReport(nChains, nFindings, false)
	rep.Graph.Chains() // computed once per graph, before any report is written
	rows := map[Report]int{URLs: 3 * nChains, Hops: 3 * nChains, Chains: nChains, Findings: nFindings}
	for _, name := range FormatNames() {
		f, err := Lookup(name, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, kind := range []Report{URLs, Hops, Chains, Findings} {
			if format, _ := LookupFormat(name); !format.Writes(kind) {
				continue
			}
			b.Run(name+"/"+string(kind), func(b *testing.B) {
				b.ReportAllocs()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for b.Loop() {
					if err := f.Format(io.Discard, kind, rep); err != nil {
						b.Fatal(err)
					}
				}
				runtime.ReadMemStats(&after)
				n := float64(b.N) * float64(rows[kind])
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/row")
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/row")
			})
		}
	}
}

// BenchmarkIssues groups 100,000 findings on 30,000 chains, and writes
// the issues report as CSV and as the compact terminal summary:
//
//	go test ./output -run '^$' -bench Issues
func BenchmarkIssues(b *testing.B) {
	rep := bigReport(30000, 100000, false)
	b.Run("group", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(Issues(rep)) == 0 {
				b.Fatal("no issues")
			}
		}
	})
	for _, name := range []string{"csv", "markdown"} {
		f, _ := Lookup(name, Options{})
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := f.Format(io.Discard, IssuesReport, rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("compact", func(b *testing.B) {
		for b.Loop() {
			if err := (Table{Width: 120}).Format(io.Discard, IssuesReport, rep); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTableVsCSV writes the findings report of one generated run of
// 160,000 findings (on 50,000 chains) as a table and as CSV, taking
// turns in every iteration, and reports each one's seconds and their
// ratio (issue 18's target: the table at most 3 times the CSV):
//
//	go test ./output -run '^$' -bench TableVsCSV -benchtime 3x
func BenchmarkTableVsCSV(b *testing.B) {
	rep := bigReport(50000, 160000, false)
	rep.Graph.Chains()
	table, csv := Table{}, CSV{}
	var tableTime, csvTime time.Duration
	for b.Loop() {
		t := time.Now()
		if err := csv.Format(io.Discard, Findings, rep); err != nil {
			b.Fatal(err)
		}
		csvTime += time.Since(t)
		t = time.Now()
		if err := table.Format(io.Discard, Findings, rep); err != nil {
			b.Fatal(err)
		}
		tableTime += time.Since(t)
	}
	n := float64(b.N)
	b.ReportMetric(tableTime.Seconds()/n, "table-s/op")
	b.ReportMetric(csvTime.Seconds()/n, "csv-s/op")
	b.ReportMetric(tableTime.Seconds()/csvTime.Seconds(), "ratio")
}
