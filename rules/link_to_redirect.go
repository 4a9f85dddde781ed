package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// LinkToRedirect flags internal links that point at a URL of the same
// site that redirects.
var LinkToRedirect = &audit.Rule{
	Name:     "link-to-redirect",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Internal link points at a URL that redirects",
		Text: "A page of the site links (<a href> or <area href>) to a URL of the same site " +
			"(the same registrable domain) that redirects. Every click and every crawl of the link " +
			"costs an extra round trip per hop, crawl budget goes to redirect URLs, and internal " +
			"links are one of the signals Google uses to pick the canonical URL: links to the old " +
			"URL argue for it. Fix: change the link to the final URL of the chain (the finding's " +
			"target); when the chain is broken, fix the redirect or remove the link. A chain the " +
			"crawl did not follow to its end (--max-pages, --no-external, a crawl cut short) is " +
			"reported as unfinished, with no target and no final URL to link. One finding " +
			"per linking page and redirecting URL. Links to other sites are not checked. " +
			"Not flagged: a link to an alias that redirects temporarily to a login or back-office " +
			"page (/login to /wp-login.php, /admin to /wp-admin/): a CMS makes these on purpose, " +
			"and the page behind them changes with the visitor's session. " +
			"Sources: Google Search Central, \"Site moves with URL changes\" (update internal " +
			"links to point to the new URLs) and \"Redirects and Google Search\".",
	},
	Run: runLinkToRedirect,
}

func runLinkToRedirect(p *audit.Pass) error {
	brokenLinks := p.Other("broken-link") != nil
	g := p.Graph
	keep := func(ref crawler.Reference) bool {
		return (ref.Kind == crawler.RefAnchor || ref.Kind == crawler.RefArea) &&
			ref.Source != "" && inScope(g, ref.Source) &&
			crawler.SameSite(crawler.Hostname(ref.Source), crawler.Hostname(ref.Target))
	}
	for r := range redirectRefs(g, keep) {
		c := r.Chain
		if brokenLinks && leadsToError(c, nil) {
			continue // broken-link's
		}
		if loginAlias(c) {
			continue
		}
		f := audit.Finding{URL: r.URL, Source: r.Source, Status: c.Hops[0].Status, Target: finalTarget(c), Hops: len(c.Hops)}
		switch {
		case chainBroken(c):
			p.Reportf(f, "links to %s, which %s; fix the redirect or remove the link", r.URL, describeChain(c))
		case unfinished(c):
			p.Reportf(f, "links to %s, which %s", r.URL, describeChain(c))
		default:
			p.Reportf(f, "links to %s, which %s; link the final URL", r.URL, describeChain(c))
		}
	}
	return nil
}

// loginAlias reports whether chain c is a temporary redirect to a login
// or back-office page, such as WordPress's /login to /wp-login.php or
// /admin to /wp-admin/: an alias a CMS keeps on purpose.
func loginAlias(c *crawler.Chain) bool {
	if !c.Temporary() {
		return false
	}
	switch pageKind(c.FinalURL()) {
	case "login", "back-office":
		return true
	}
	return false
}
