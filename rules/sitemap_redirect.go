package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// SitemapRedirect flags sitemap entries that redirect.
var SitemapRedirect = &audit.Rule{
	Name:     "sitemap-redirect",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Sitemap lists a URL that redirects",
		Text: "A sitemap <loc> is a URL that redirects. A sitemap tells search engines which " +
			"URLs are canonical and worth crawling; listing a redirecting URL sends the crawler " +
			"through the redirect on every visit and contradicts the redirect's own signal. " +
			"Fix: list the final URL of the chain (the finding's target) instead, or remove the " +
			"entry when the chain is broken. A chain the crawl did not follow to its end " +
			"(--max-pages, --no-external, a crawl cut short) is reported as unfinished, with no " +
			"target. The finding's source is the sitemap that lists the " +
			"URL. Sources: Google Search Central, \"Site moves with URL changes\" (sitemaps list " +
			"the new URLs) and \"Consolidate duplicate URLs\" (list only canonical URLs in sitemaps).",
	},
	Needs: []*audit.Fact{audit.Inbound, audit.Chains},
	Run:   runSitemapRedirect,
}

func runSitemapRedirect(p *audit.Pass) error {
	brokenLinks := p.Other("broken-link") != nil
	for r := range redirectRefs(p, refKinds(crawler.RefSitemap)) {
		c := r.Chain
		if brokenLinks && endsInError(c) {
			continue // broken-link's
		}
		f := audit.Finding{URL: r.URL, Source: r.Source, Status: c.Hops[0].Status, Target: finalTarget(c), Hops: len(c.Hops)}
		switch {
		case chainBroken(c):
			p.Reportf(f, "sitemap lists %s, which %s; remove the entry or fix the redirect", r.URL, describeChain(c))
		case unfinished(c):
			p.Reportf(f, "sitemap lists %s, which %s", r.URL, describeChain(c))
		default:
			p.Reportf(f, "sitemap lists %s, which %s; list the final URL instead", r.URL, describeChain(c))
		}
	}
	return nil
}
