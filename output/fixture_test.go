package output

import (
	"errors"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// The fixture URLs. ctrlURL carries an escape sequence and a carriage
// return, as a hostile site or a careless test might; longURL is wider
// than a table cell.
const (
	home     = "https://example.com/"
	oldHTTP  = "http://example.com/old"
	oldHTTPS = "https://example.com/old"
	newURL   = "https://example.com/new"
	loopA    = "https://example.com/loop-a"
	loopB    = "https://example.com/loop-b"
	refresh  = "https://example.com/refresh"
	toBlock  = "https://example.com/to-private"
	blocked  = "https://example.com/private/report"
	broken   = "https://example.com/broken"
	down     = "https://down.example.net/"
	formula  = "https://example.com/=cmd"
	formulaT = "https://example.com/=cmd%7C'%20/C%20calc'!A0"
	ctrlURL  = "https://example.com/a\x1b[31mred\r"
	ctrlT    = "https://example.com/b%1B]8;;http://evil.example/%07"
	longURL  = "https://example.com/products/category/subcategory/item-with-a-very-long-slug-name?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
	product  = "https://example.com/products/item"
	ext      = "https://example.com/ext"
	reset    = "https://example.com/reset"
	big      = "https://example.com/big"
	choices  = "https://example.com/choices" // 300 with a Location: not followed
	nowhere  = "https://example.com/nowhere" // 302 without a Location

	// Sitemaps: one read whole, an index, one cut at the entry limit,
	// one robots.txt names that answers 404, and one not read whose URL
	// carries a formula, an escape sequence, a bell and a bidi override.
	sitemapOK      = "https://example.com/sitemap.xml"
	sitemapIndex   = "https://example.com/sitemap-index.xml"
	sitemapCut     = "https://example.com/sitemap-products.xml"
	sitemapMissing = "https://example.com/sitemaps/missing.xml"
	sitemapCtrl    = "https://example.com/sitemap-=cmd|' /C calc'!A0\x1b]8;;http://evil.example/\a\u202e.xml"
)

// fixtureInputs are the URLs a user gave, for the status report: a
// chain, the same URL written otherwise, a loop, a chain ending in an
// error, one not fetched, one with control characters, one too long for
// a table cell, and the home page.
var fixtureInputs = []string{home, oldHTTP, "HTTP://Example.COM:80/old", loopA, toBlock, broken, "https://example.com/never-fetched", ctrlURL, longURL, formula}

// anchorTexts are the texts of the home page's links: plain, with
// Markdown and HTML, and with an escape sequence.
var anchorTexts = map[string]string{
	oldHTTP: "Our old page",
	loopA:   "[loop](javascript:alert(1)) `code`",
	ctrlURL: "red\x1b[31m\u202eevil",
	formula: "=cmd|' /C calc'!A0",
}

// badUTF8 is an error string with bytes that are not UTF-8.
const badUTF8 = "dial tcp: lookup down.example.net: no such host \xff\xfe"

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// fixtureGraph is a small crawl: a 2-hop chain, a loop, a meta refresh,
// a chain ending at a robots.txt block, one ending in an error with
// invalid UTF-8, one leaving the crawl, a 300 and a 302 without a
// Location that redirect nowhere, X-Redirect-By fields (one of them
// formula-looking, with an escape sequence), formula-looking and control
// characters in URLs, headers and errors, a URL too long for a table,
// and sitemaps read whole, cut, failed and not read.
func fixtureGraph() *crawler.Graph {
	resps := []*crawler.Response{
		{URL: home, Status: 200, ContentType: "text/html; charset=utf-8", Bytes: 5120, Elapsed: ms(120), Internal: true, Parsed: true},
		{URL: oldHTTP, Status: 301, Redirect: &crawler.Redirect{Locations: []string{oldHTTPS}, Location: oldHTTPS,
			Header: &crawler.Headers{XRedirectBy: "Yoast SEO"}}, Elapsed: ms(15), Depth: 1, Internal: true},
		{URL: oldHTTPS, Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/new"}, Location: newURL,
			Header: &crawler.Headers{CacheControl: "max-age=86400", XRedirectBy: "WordPress, Yoast SEO"}}, Elapsed: ms(22), Depth: 2, Internal: true},
		{URL: newURL, Status: 200, ContentType: "text/html", Bytes: 2048, Elapsed: ms(31), Depth: 1, Internal: true, Parsed: true},
		{URL: loopA, Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/loop-b"}, Location: loopB}, Elapsed: ms(9), Depth: 1, Internal: true},
		{URL: loopB, Status: 302, Redirect: &crawler.Redirect{Locations: []string{"loop-a"}, Location: loopA}, Elapsed: ms(8), Depth: 2, Internal: true},
		{URL: refresh, Status: 200, ContentType: "text/html", Bytes: 300, Elapsed: ms(40), Depth: 1, Internal: true, Parsed: true,
			Refresh: &crawler.Refresh{Kind: crawler.HopMetaRefresh, Delay: 5, Raw: "5; URL='/new'", URL: newURL}},
		{URL: toBlock, Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/private/report"}, Location: blocked}, Elapsed: ms(11), Depth: 1, Internal: true},
		{URL: blocked, Blocked: true, Depth: 2, Internal: true},
		{URL: broken, Status: 307, Redirect: &crawler.Redirect{Locations: []string{down}, Location: down}, Elapsed: ms(12), Depth: 1, Internal: true},
		{URL: down, Error: badUTF8, Elapsed: ms(3), Depth: 2},
		{URL: formula, Status: 302, Redirect: &crawler.Redirect{Locations: []string{"=cmd|' /C calc'!A0"}, Location: formulaT,
			Header: &crawler.Headers{XRedirectBy: "=HYPERLINK(\"http://evil.example/\")\x1b[2J"}}, Elapsed: ms(7), Depth: 1, Internal: true},
		{URL: formulaT, Status: 404, ContentType: "@SUM(1+1)*cmd|' /C calc'!A0", Bytes: 12, Elapsed: ms(6), Depth: 2, Internal: true},
		{URL: ctrlURL, Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/b\x1b]8;;http://evil.example/\a"}, Location: ctrlT}, Elapsed: ms(5), Depth: 1, Internal: true},
		{URL: ctrlT, Status: 200, ContentType: "text/html\u009b31m\x7f", Bytes: 10, Elapsed: ms(4), Depth: 2, Internal: true},
		{URL: longURL, Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/products/item"}, Location: product}, Elapsed: ms(10), Depth: 1, Internal: true},
		{URL: product, Status: 200, ContentType: "text/html", Bytes: 900, Elapsed: ms(25), Depth: 2, Internal: true, Parsed: true},
		{URL: ext, Status: 308, Redirect: &crawler.Redirect{Locations: []string{"https://other.example.org/landing"}, Location: "https://other.example.org/landing"}, Elapsed: ms(14), Depth: 1, Internal: true},
		{URL: reset, Status: 200, ContentType: "text/html", Bytes: 70, Elapsed: ms(2000), Depth: 1, Internal: true,
			Error: "read tcp 10.0.0.1:443: connection reset by peer\r\n-- retry"},
		{URL: choices, Status: 300, Redirect: &crawler.Redirect{Locations: []string{"/en/"}, Location: "https://example.com/en/"}, Elapsed: ms(6), Depth: 1, Internal: true},
		{URL: nowhere, Status: 302, Redirect: &crawler.Redirect{Header: &crawler.Headers{XRedirectBy: "WordPress"}}, Elapsed: ms(5), Depth: 1, Internal: true},
		{URL: big, Status: 200, ContentType: "application/octet-stream", Bytes: 5 << 20, Elapsed: ms(1500), Depth: 1, Internal: true, Truncated: true},
	}
	g := &crawler.Graph{
		Scope: crawler.Scope{Hosts: []string{"example.com"}},
		Stats: crawler.Stats{
			Started:         time.Date(2026, 3, 1, 3, 0, 0, 0, time.FixedZone("CET", 3600)),
			Finished:        time.Date(2026, 3, 1, 2, 1, 30, 250e6, time.UTC),
			Fetched:         19,
			Parsed:          4,
			Blocked:         1,
			Errors:          2,
			MaxPagesReached: true,
		},
	}
	for _, r := range resps {
		g.Add(r)
	}
	g.References = append(g.References, crawler.Reference{Kind: crawler.RefSeed, Target: home})
	for _, u := range []string{oldHTTP, loopA, refresh, toBlock, broken, formula, ctrlURL, longURL, ext, reset, big, choices, nowhere} {
		g.References = append(g.References, crawler.Reference{Kind: crawler.RefAnchor, Source: home, Target: u, Text: anchorTexts[u]})
	}
	g.References = append(g.References,
		crawler.Reference{Kind: crawler.RefAnchor, Source: newURL, Target: oldHTTP, Text: "Old | page"},
		crawler.Reference{Kind: crawler.RefCanonical, Source: product, Target: oldHTTP},
		crawler.Reference{Kind: crawler.RefAnchor, Source: refresh, Target: oldHTTP, Text: "@here <b>old</b>"},
		crawler.Reference{Kind: crawler.RefAnchor, Source: reset, Target: oldHTTP})
	g.References = append(g.References, crawler.Reference{Kind: crawler.RefSitemap, Source: sitemapOK, Target: newURL})
	g.Sitemaps = []crawler.Sitemap{ // in URL order, as the crawler keeps them
		{URL: sitemapCtrl, From: crawler.SitemapIndex, Error: "not read: a crawl reads at most 10000 sitemaps"},
		{URL: sitemapIndex, From: crawler.SitemapGiven, Status: 200, Entries: 2, Index: true},
		{URL: sitemapCut, From: crawler.SitemapIndex, Status: 200, Entries: 50000, Error: "more than 50000 entries: the rest were not read"},
		{URL: sitemapOK, From: crawler.SitemapRobots, Status: 200, Entries: 1},
		{URL: sitemapMissing, From: crawler.SitemapRobots, Status: 404, Error: "status 404"},
	}
	return g
}

// fixtureRule returns a rule that reports the given findings.
func fixtureRule(name string, sev audit.Severity, fs ...audit.Finding) *audit.Rule {
	return &audit.Rule{Name: name, Severity: sev, Run: func(p *audit.Pass) error {
		for _, f := range fs {
			p.Reportf(f, "%s", f.Message)
		}
		return nil
	}}
}

// fixtureReport runs a few rules with fixed findings over the fixture
// graph, one of which fails. The crawl stopped at --max-pages: its
// report is partial.
func fixtureReport() *audit.Report { return fixtureEngine().Run(fixtureGraph()) }

// fixtureEngine runs fixtureReport's rules.
func fixtureEngine() *audit.Engine {
	return &audit.Engine{Rules: []*audit.Rule{
		fixtureRule("temporary-redirect", audit.Warning,
			audit.Finding{URL: oldHTTPS, Source: home, Status: 302, Target: newURL,
				Message: "302 to https://example.com/new; use 301 if the move is permanent"},
			audit.Finding{URL: formula, Source: home, Status: 302, Target: formulaT,
				Message: "302 to https://example.com/=cmd%7C'%20/C%20calc'!A0; use 301 if the move is permanent"}),
		fixtureRule("redirect-chain", audit.Warning,
			audit.Finding{URL: oldHTTP, Source: home, Status: 301, Target: newURL, Hops: 2,
				Message: "2 redirects: http://example.com/old > https://example.com/old > https://example.com/new; link https://example.com/new directly"}),
		fixtureRule("redirect-loop", audit.Error,
			audit.Finding{URL: loopA, Source: home, Status: 301, Target: loopA, Hops: 2,
				Message: "https://example.com/loop-a > https://example.com/loop-b > https://example.com/loop-a; break the loop"}),
		fixtureRule("invalid-location", audit.Error,
			audit.Finding{URL: formula, Status: 302, Target: "=cmd|' /C calc'!A0",
				Message: "=cmd|' /C calc'!A0 is not a valid Location"},
			audit.Finding{URL: ctrlURL, Status: 301, Target: "/b\x1b]8;;http://evil.example/\a",
				Message: "Location has control characters: \"/b\x1b]8;;http://evil.example/\a\""}),
		fixtureRule("broken-redirect", audit.Error,
			audit.Finding{URL: broken, Source: home, Status: 307, Target: down, Hops: 1,
				Message: "chain ends in an error: " + badUTF8}),
		fixtureRule("meta-refresh", audit.Warning,
			audit.Finding{URL: refresh, Source: home, Status: 200, Target: newURL, Hops: 1,
				Message: "+5s meta refresh to https://example.com/new is read as temporary; use a 301"}),
		fixtureRule("redirect-to-blocked", audit.Warning,
			audit.Finding{URL: toBlock, Source: home, Status: 301, Target: blocked, Hops: 1,
				Message: "target https://example.com/private/report is disallowed by robots.txt"}),
		{Name: "query-dropped", Severity: audit.Notice, Run: func(*audit.Pass) error {
			return errors.New("boom\x1b[2J")
		}},
		fixtureRule("external-redirect", audit.Notice,
			audit.Finding{URL: ext, Source: home, Status: 308, Target: "https://other.example.org/landing", Hops: 1,
				Message: "redirects to another site: other.example.org"}),
	}}
}
