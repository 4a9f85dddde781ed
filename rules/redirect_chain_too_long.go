package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// RedirectChainTooLong flags chains longer than Googlebot follows, and
// chains with no final response within the crawler's limit.
var RedirectChainTooLong = &audit.Rule{
	Name:     "redirect-chain-too-long",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Redirect chain is longer than search engines and browsers follow",
		Text: "An entry URL takes more than max-hops redirects (default 10) to reach its final " +
			"response, or reaches none within 20. Googlebot follows at most 10 hops and then " +
			"reports a redirect error in Search Console: the target is not indexed through this " +
			"URL. Browsers give up after 20 redirects (Fetch standard, HTTP-redirect fetch) and " +
			"show an error; hopaudit follows as far as browsers do. Refresh hops count as " +
			"redirects. Loops are redirect-loop's. A chain the crawl did not follow to its end " +
			"(--max-pages, --no-external, a crawl cut short) is reported when the hops it did follow " +
			"are too many, as unfinished: with no target and no final URL to redirect to. Every " +
			"entry URL the site references is " +
			"checked, also on other sites: a link into such a chain is dead for Googlebot. " +
			"Fix: point the first URL straight at the final URL, and link to the final URL. " +
			"Sources: Google Search Central, \"Redirects and Google Search\" and the HTTP status " +
			"codes troubleshooting guide (developers.google.com/crawling/docs/troubleshooting/" +
			"http-status-codes); Fetch standard (fetch.spec.whatwg.org); RFC 9110 §15.4.",
	},
	Options: []audit.Option{{
		Name:    "max-hops",
		Default: 10,
		Doc:     "most redirects a chain may take; Googlebot follows 10",
	}},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound},
	Run:   runRedirectChainTooLong,
}

func runRedirectChainTooLong(p *audit.Pass) error {
	g := p.Graph
	most := max(p.Int("max-hops"), 0)
	tracking := trackingParams(p)
	chains := p.Chains()
	for i := range chains {
		c := &chains[i]
		n := len(c.Hops)
		f := audit.Finding{URL: c.URL(), Source: p.Source(c.URL()), Status: c.Hops[0].Status, Target: finalTarget(c), Hops: n}
		switch {
		case c.End == crawler.EndLoop:
		case unfinished(c) && n > most:
			p.Reportf(f, "reaches %s after %s, more than %d (Googlebot follows 10); %s",
				chainEnd(c), plural(n, "redirect"), most, unfinishedNote)
		case c.End == crawler.EndTooLong:
			p.Reportf(f, "no final response within %s (browsers stop at %d, Googlebot at 10); it was cut off at %s: redirect %s straight to its final URL",
				plural(n, "redirect"), crawler.MaxHops, c.FinalURL(), c.URL())
		case n > most:
			var to string
			f.Fix.Target, to = straightTo(g, p.Expect, c, tracking)
			p.Reportf(f, "reaches %s after %s, more than %d (Googlebot follows 10); redirect %s straight to %s",
				chainEnd(c), plural(n, "redirect"), most, c.URL(), to)
		}
	}
	return nil
}
