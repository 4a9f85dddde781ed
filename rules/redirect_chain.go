package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// RedirectChain flags entry URLs that reach their final response through
// more redirects than allowed.
var RedirectChain = &audit.Rule{
	Name:     "redirect-chain",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "URL reaches its final response through a chain of redirects",
		Text: "An entry URL (a start URL, a sitemap <loc> or a URL a page references) of the site " +
			"redirects more than allowed-hops times (default 1) before it reaches its final " +
			"response. Every hop costs visitors a round trip, often a DNS lookup and a TLS " +
			"handshake; crawlers spend their budget on it, and Googlebot stops after 10 hops. " +
			"Google asks for redirects straight to the final URL (ideally no more than 3 and " +
			"fewer than 5 hops in a site move). Chains usually grow when redirects are stacked " +
			"(http to https, then www, then a trailing slash, then a moved page). Refresh hops " +
			"count as redirects. The message lists every hop with its status. " +
			"Loops are redirect-loop's, and chains longer than redirect-chain-too-long's max-hops " +
			"(default 10) or with no final response within 20 redirects are that rule's alone, " +
			"when it runs: a chain is reported once. " +
			"A chain whose end is broken is still a chain (broken-redirect reports the end). " +
			"A chain the crawl did not follow to its end (--max-pages, --no-external, a crawl cut " +
			"short) is reported when the hops it did follow are too many, as unfinished: with no " +
			"target and no final URL to redirect to. " +
			"Only entry URLs inside the crawl scope are checked, once each. " +
			"Fix: point the first URL straight at the final URL (one hop; the page that URL names " +
			"as canonical when that is another working page, or the target of the redirect map " +
			"with check --expect), and update links, " +
			"sitemaps and canonicals to the final URL. " +
			"Sources: Google Search Central, \"Redirects and Google Search\" and \"Site moves " +
			"with URL changes\" (developers.google.com/search/docs/crawling-indexing/" +
			"site-move-with-url-changes); RFC 9110 §15.4.",
	},
	Options: []audit.Option{{
		Name:    "allowed-hops",
		Default: 1,
		Doc:     "redirects an entry URL may take to its final response without a finding",
	}},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound},
	Run:   runRedirectChain,
}

func runRedirectChain(p *audit.Pass) error {
	g := p.Graph
	allowed := max(p.Int("allowed-hops"), 0)
	most := -1 // chains longer than this are redirect-chain-too-long's
	if o := p.Other("redirect-chain-too-long"); o != nil {
		most = max(o.Int("max-hops"), 0)
	}
	tracking := trackingParams(p)
	chains := p.Chains()
	for i := range chains {
		c := &chains[i]
		n := len(c.Hops)
		if n <= allowed || most >= 0 && n > most || c.End == crawler.EndLoop || c.End == crawler.EndTooLong || !g.Internal(c.URL()) {
			continue
		}
		f := audit.Finding{URL: c.URL(), Source: p.Source(c.URL()), Status: c.Hops[0].Status, Target: finalTarget(c), Hops: n}
		if unfinished(c) {
			// At least n redirects, but no final URL to redirect to.
			p.Reportf(f, "%s: %s; %s", plural(n, "redirect"), chainPath(c), unfinishedNote)
			continue
		}
		var to string
		f.Fix.Target, to = straightTo(g, p.Expect, c, tracking)
		p.Reportf(f, "%s: %s; redirect %s straight to %s", plural(n, "redirect"), chainPath(c), c.URL(), to)
	}
	return nil
}
