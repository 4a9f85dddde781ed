package rules

import (
	"maps"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
)

// RedirectMapMissing flags URLs of a redirect map (check --expect) that
// do not redirect.
var RedirectMapMissing = &audit.Rule{
	Name:     "redirect-map-missing",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "URL of the redirect map does not redirect",
		Text: "Runs only with a redirect map (hopaudit check --expect MAP.csv), which lists, for " +
			"each old URL (from), the URL its redirect must end at (to). A from URL answers without " +
			"redirecting: a 200 (the old page is still served), a 404 or 410 (the redirect was " +
			"never set up), or a 3xx without a Location that clients can follow (missing-location " +
			"and invalid-location say what is wrong with it). Visitors and search engines that " +
			"know the old URL never reach the new one, and the old URL's signals are not passed " +
			"on. A from URL whose redirect could not be seen at all is reported too, so that no " +
			"row of the map passes unchecked: one that failed to load (network error) or that " +
			"robots.txt disallows (run with --ignore-robots to check it). A row whose to is its " +
			"own from says the URL stays: it must not redirect, and is not reported here. " +
			"Status is what from answered (0 when nothing was), target the to of the map. " +
			"Where a redirect leads is redirect-map-mismatch's. " +
			"Fix: make from answer a permanent redirect (301 or 308) straight to to. " +
			"Sources: Google Search Central, \"Site moves with URL changes\" (map every old URL " +
			"to its new URL and redirect each one server-side, permanently; " +
			"developers.google.com/search/docs/crawling-indexing/site-move-with-url-changes) and " +
			"\"Redirects and Google Search\".",
	},
	NeedsExpect: true,
	Run:         runRedirectMapMissing,
}

func runRedirectMapMissing(p *audit.Pass) error {
	g := p.Graph
	for _, from := range slices.Sorted(maps.Keys(p.Expect)) {
		to := p.Expect[from]
		r := g.Lookup(from)
		if r == nil || from == to {
			continue // not fetched (the crawl was cut short), or the URL stays
		}
		if _, _, ok := r.Next(); ok {
			continue // it redirects: where to is redirect-map-mismatch's
		}
		f := audit.Finding{URL: from, Source: g.Source(from), Status: r.Status, Target: to}
		switch {
		case r.Blocked:
			p.Reportf(f, "not fetched, robots.txt disallows it: its redirect to %s could not be checked; run with --ignore-robots to check it", to)
		case r.Status == 0 && r.Error != "":
			p.Reportf(f, "failed to load (%s): its redirect to %s could not be checked", r.Error, to)
		case r.Status == 0:
			p.Reportf(f, "got no response: its redirect to %s could not be checked", to)
		case r.Status >= 300 && r.Status < 400:
			f.Fix = audit.Fix{Status: permanentStatus(g, from, r.Status, []string{from}), Target: to}
			p.Reportf(f, "answers %d without a Location clients follow, so nothing leads to %s; answer %d with Location: %s", r.Status, to, f.Fix.Status, to)
		default:
			f.Fix = audit.Fix{Status: permanentStatus(g, from, r.Status, []string{from}), Target: to}
			p.Reportf(f, "answers %d instead of redirecting to %s; answer %d with Location: %s", r.Status, to, f.Fix.Status, to)
		}
	}
	return nil
}
