package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// ExternalRedirect flags URLs of the site that redirect to another site.
var ExternalRedirect = &audit.Rule{
	Name:     "external-redirect",
	Severity: audit.Notice,
	Doc: audit.Doc{
		Title: "URL of the site redirects to another site",
		Text: "A URL inside the crawl scope redirects (with a 3xx or a refresh) to a host of another " +
			"registrable domain (public suffix list). That may be intended (a domain move, a " +
			"shop on a partner platform), but it is also how old pages leak to parked domains, how " +
			"open redirects are abused for phishing, and how a page's signals are handed to " +
			"another site. Redirects between www and the bare domain or between subdomains of " +
			"the same registrable domain are not flagged. Each URL is reported once. " +
			"Fix: check that the redirect is intended; link the external URL directly instead of " +
			"through a redirect of your own; never redirect to a target taken from the request " +
			"without checking it. Sources: Google Search Central, \"Redirects and Google Search\"; " +
			"OWASP Unvalidated Redirects and Forwards Cheat Sheet.",
	},
	Needs: []*audit.Fact{audit.Reached},
	Run:   runExternalRedirect,
}

func runExternalRedirect(p *audit.Pass) error {
	for h := range reachedHops(p) {
		if !p.Graph.Internal(h.URL) || crawler.SameSite(crawler.Hostname(h.URL), crawler.Hostname(h.Target)) {
			continue
		}
		// A redirect map (check --expect) that sends the URL to that site
		// says the move is intended: a domain move.
		if to, ok := p.Expect[h.URL]; ok && crawler.SameSite(crawler.Hostname(to), crawler.Hostname(h.Target)) {
			continue
		}
		f := audit.Finding{URL: h.URL, Source: h.Source, Status: h.Status, Target: h.Target}
		p.Reportf(f, "redirects to another site, %s; check that this is intended, and link the external URL directly", h.Target)
	}
	return nil
}
