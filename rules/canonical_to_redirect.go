package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// CanonicalToRedirect flags rel=canonical targets that redirect.
var CanonicalToRedirect = &audit.Rule{
	Name:     "canonical-to-redirect",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "rel=canonical points at a URL that redirects",
		Text: "A page's rel=canonical (in the HTML or a Link header) names a URL that redirects. " +
			"A canonical says \"index this URL\", the redirect says \"not this one\": Google sees " +
			"conflicting signals and may pick neither as the page you want. When the chain is " +
			"broken (it ends in a network error, a 4xx or 5xx, loops, or never ends) the canonical " +
			"points at nothing usable and the finding is an error. " +
			"Fix: point the canonical at the final URL of the chain, usually the page's own URL; " +
			"fix or remove a canonical whose chain is broken. A chain the crawl did not follow to its " +
			"end (--max-pages, --no-external, a crawl cut short) is reported as unfinished, with no " +
			"target. One finding per page and canonical URL. A page that names itself and " +
			"redirects with a meta refresh or a script is meta-refresh's and " +
			"javascript-redirect's: the fix is a server redirect, not another canonical. " +
			"Sources: Google Search Central, \"Consolidate duplicate URLs\" (do not point canonicals " +
			"at redirecting or broken URLs) and \"Site moves with URL changes\" (update canonicals).",
	},
	Needs: []*audit.Fact{audit.Inbound, audit.Chains},
	Run:   runCanonicalToRedirect,
}

func runCanonicalToRedirect(p *audit.Pass) error {
	brokenLinks := p.Other("broken-link") != nil
	for r := range redirectRefs(p, refKinds(crawler.RefCanonical)) {
		c := r.Chain
		if r.Source == r.URL {
			continue // a page that names itself and redirects with a refresh or a script: meta-refresh's and javascript-redirect's
		}
		if brokenLinks && endsInError(c) {
			continue // broken-link's
		}
		f := audit.Finding{URL: r.URL, Source: r.Source, Status: c.Hops[0].Status, Target: finalTarget(c), Hops: len(c.Hops)}
		switch {
		case chainBroken(c):
			f.Severity = audit.Error
			p.Reportf(f, "canonical points at %s, which %s; point rel=canonical at a working URL, usually this page's own", r.URL, describeChain(c))
		case c.End == crawler.EndFinal && c.FinalURL() == r.Source:
			p.Reportf(f, "canonical points at %s, which redirects back to this page; make rel=canonical this page's own URL", r.URL)
		case unfinished(c):
			p.Reportf(f, "canonical points at %s, which %s", r.URL, describeChain(c))
		default:
			p.Reportf(f, "canonical points at %s, which %s; point rel=canonical at the final URL", r.URL, describeChain(c))
		}
	}
	return nil
}
