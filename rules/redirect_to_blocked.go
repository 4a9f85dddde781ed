package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// RedirectToBlocked flags chains that lead into a URL robots.txt
// disallows.
var RedirectToBlocked = &audit.Rule{
	Name:     "redirect-to-blocked",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Redirect leads to a URL that robots.txt disallows",
		Text: "A chain's next URL is disallowed by robots.txt, so crawlers that obey it (Googlebot " +
			"does) stop there: the target is never fetched, and the entry URL can neither pass its " +
			"signals on nor be replaced by its target in the index. This is not a broken redirect " +
			"(browsers follow it) but search engines cannot see where it goes. " +
			"Fix: redirect to a URL crawlers may fetch, or allow the target in robots.txt if it " +
			"should be crawled. The finding is about the chain's entry URL; chains that pass only " +
			"through other sites are not checked. " +
			"Sources: RFC 9309 (Robots Exclusion Protocol); Google Search Central, \"Redirects and " +
			"Google Search\" and the robots.txt introduction.",
	},
	Run: runRedirectToBlocked,
}

func runRedirectToBlocked(p *audit.Pass) error {
	g := p.Graph
	for i := range g.Chains() {
		c := &g.Chains()[i]
		if c.End != crawler.EndBlocked || !chainTouchesScope(g, c) {
			continue
		}
		f := audit.Finding{URL: c.URL(), Source: g.Source(c.URL()), Status: c.Hops[0].Status, Target: c.FinalURL(), Hops: len(c.Hops)}
		p.Reportf(f, "%s: crawlers cannot follow it; redirect to a crawlable URL or allow %s in robots.txt",
			describeChain(c), c.FinalURL())
	}
	return nil
}

// chainTouchesScope reports whether a URL that answers in the chain is
// inside the crawl scope: the site has a hand in the chain.
func chainTouchesScope(g *crawler.Graph, c *crawler.Chain) bool {
	for _, h := range c.Hops {
		if inScope(g, h.URL) {
			return true
		}
	}
	return false
}
