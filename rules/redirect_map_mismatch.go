package rules

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// RedirectMapMismatch flags URLs of a redirect map (check --expect)
// whose redirect ends somewhere else than the map says.
var RedirectMapMismatch = &audit.Rule{
	Name:     "redirect-map-mismatch",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Redirect does not end where the redirect map says",
		Text: "Runs only with a redirect map (hopaudit check --expect MAP.csv), which lists, for " +
			"each old URL (from), the URL its redirect must end at (to). The chain of redirects " +
			"that starts at from ends at another URL: a different page (often the home page or a " +
			"category), a URL that to itself redirects on to, or nowhere at all (a loop, or more " +
			"than 20 redirects). URLs are compared after normalisation: scheme and host in lower " +
			"case, default port and fragment dropped; path and query must match exactly, so " +
			"/new and /new/ differ. A row whose to is its own from says the URL stays, and is " +
			"reported when the URL redirects. Visitors land on a page other than the one planned, " +
			"and the old URL's signals go to a page that may not match its content. " +
			"Not reported here: a chain that reaches to, whatever to answers (a 404 there is " +
			"broken-redirect's, a robots.txt block redirect-to-blocked's) and however it gets " +
			"there (a 302 is temporary-redirect's, extra hops redirect-chain's); a from that does " +
			"not redirect (redirect-map-missing); a chain the crawl did not follow to its end " +
			"(--max-pages or a crawl cut short: it may still reach to; the run's exit code says so), " +
			"unless it already passed through to, or from should stay. Status is the final URL's " +
			"(0 when not fetched), target where the chain ends (empty when it was not followed " +
			"to its end). " +
			"Fix: point from with one permanent redirect (301 or 308) straight at to; if to " +
			"redirects on, point from at to's own target and correct the map. " +
			"Sources: Google Search Central, \"Site moves with URL changes\" (map every old URL " +
			"to its new URL, redirect each one server-side and permanently, straight to the final " +
			"URL; developers.google.com/search/docs/crawling-indexing/site-move-with-url-changes) " +
			"and \"Redirects and Google Search\".",
	},
	NeedsExpect: true,
	Run:         runRedirectMapMismatch,
}

func runRedirectMapMismatch(p *audit.Pass) error {
	g := p.Graph
	tracking := trackingParams(p)
	for _, from := range slices.Sorted(maps.Keys(p.Expect)) {
		to := p.Expect[from]
		c := g.ChainOf(from)
		if c == nil {
			continue // no redirect (redirect-map-missing), or not fetched
		}
		f := audit.Finding{URL: from, Source: g.Source(from), Target: finalTarget(c), Hops: len(c.Hops)}
		if c.Final != nil {
			f.Status = c.Final.Status
		}
		status := permanentStatus(g, from, c.Hops[0].Status, []string{from})
		fix := fmt.Sprintf("point %s with one %d straight at %s, or correct the map", from, status, to)
		if from != to && !passesThrough(c, to) {
			f.Fix = audit.Fix{Status: status, Target: to}
		}
		switch {
		case c.End == crawler.EndLoop:
			p.Reportf(f, "never ends, the redirects loop: %s; the map says %s; %s", chainPath(c), to, fix)
		case c.End == crawler.EndTooLong:
			p.Reportf(f, "does not end within %d redirects: %s; the map says %s; %s", crawler.MaxHops, chainPath(c), to, fix)
		case c.FinalURL() == to:
			continue // reaches to: how it gets there and what to answers are other rules'
		case from == to:
			// It redirects, wherever it ends.
			p.Reportf(f, "the map keeps this URL, but it redirects: %s; let %s answer 200 itself, or correct the map", chainPath(c), from)
		case passesThrough(c, to) && unfinished(c):
			// to redirects on, but where to is unknown: no URL to point at.
			p.Reportf(f, "reaches %s, which redirects on: %s; %s; stop %s from redirecting, or correct the map",
				to, chainPath(c), unfinishedNote, to)
		case unfinished(c):
			continue // cut short before its end: it may still reach to
		case passesThrough(c, to):
			var at string
			f.Fix.Target, at = straightTo(g, p.Expect, c, tracking)
			p.Reportf(f, "reaches %s, which redirects on: %s; point %s straight at %s and correct the map, or stop %s from redirecting",
				to, chainPath(c), from, at, to)
		default:
			p.Reportf(f, "ends at %s, not at %s as the map says: %s; %s", c.FinalURL(), to, chainPath(c), fix)
		}
	}
	return nil
}

// passesThrough reports whether the chain c visits URL u before its end.
func passesThrough(c *crawler.Chain, u string) bool {
	for i := range c.Hops {
		if i > 0 && c.Hops[i].URL == u {
			return true
		}
	}
	return false
}
