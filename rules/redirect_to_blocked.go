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
			"The finding is a notice when the blocked URL looks like a login, checkout, consent " +
			"or back-office page (/wp-admin/, /admin, /user/login ...): disallowed on purpose. " +
			"Fix: remove the links to the entry URL or point them at a crawlable page, or " +
			"redirect it to one. Opening robots.txt is seldom the answer: what a site disallows " +
			"is usually meant to stay out of search. The finding is about the chain's entry URL; chains that pass only " +
			"through other sites are not checked. " +
			"Sources: RFC 9309 (Robots Exclusion Protocol); Google Search Central, \"Redirects and " +
			"Google Search\" and the robots.txt introduction.",
	},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound},
	Run:   runRedirectToBlocked,
}

func runRedirectToBlocked(p *audit.Pass) error {
	g := p.Graph
	for i := range p.Chains() {
		c := &p.Chains()[i]
		if c.End != crawler.EndBlocked || !chainTouchesScope(g, c) {
			continue
		}
		f := audit.Finding{URL: c.URL(), Source: p.Source(c.URL()), Status: c.Hops[0].Status, Target: c.FinalURL(), Hops: len(c.Hops)}
		if kind := pageKind(c.FinalURL()); kind != "" {
			// A back office or login is disallowed on purpose.
			f.Severity = audit.Notice
			p.Reportf(f, "%s: crawlers cannot follow it, as intended for a %s page; keep links to %s out of public pages if search engines need not see them",
				describeChain(c), kind, c.URL())
			continue
		}
		p.Reportf(f, "%s: crawlers cannot follow it; remove the links to %s or point them at a crawlable page, or redirect it to one",
			describeChain(c), c.URL())
	}
	return nil
}

// chainTouchesScope reports whether a URL that answers in the chain is
// inside the crawl scope: the site has a hand in the chain.
func chainTouchesScope(g *crawler.Graph, c *crawler.Chain) bool {
	for _, h := range c.Hops {
		if g.Internal(h.URL) {
			return true
		}
	}
	return false
}
