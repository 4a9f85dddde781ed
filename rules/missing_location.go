package rules

import (
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// MissingLocation flags redirect statuses sent without a Location.
var MissingLocation = &audit.Rule{
	Name:     "missing-location",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Redirect status without a Location",
		Text: "A URL of the site answers 301, 302, 303, 307 or 308 with no Location field, or an " +
			"empty or whitespace-only one (field values are trimmed, RFC 9110 §5.5). These " +
			"statuses promise a target in Location (RFC 9110 §10.2.2, §15.4): without it there " +
			"is nothing to follow. Browsers render the body of the 3xx as if it were a page " +
			"(Fetch standard), Go and most HTTP clients return the 3xx as it is, and search " +
			"engines see neither a page nor a redirect (Search Console: a bad or empty URL in " +
			"the redirect chain). It often comes from a redirect rule whose target variable is " +
			"empty. The URL is checked wherever the crawl met it: as an entry URL, in the middle " +
			"or at the end of a chain; once per URL, inside the crawl scope. Several Location " +
			"fields of which some are empty are invalid-location's. " +
			"Fix: send Location with the absolute target URL, or answer 200, 404 or 410 " +
			"instead of a redirect status. Sources: RFC 9110 §10.2.2 and §15.4; Fetch standard, " +
			"HTTP-redirect fetch (fetch.spec.whatwg.org); Google Search Central, \"Redirects and " +
			"Google Search\".",
	},
	Needs: []*audit.Fact{audit.Reached},
	Run:   runMissingLocation,
}

func runMissingLocation(p *audit.Pass) error {
	g := p.Graph
	for _, x := range p.Reached() {
		a := x.Answer
		if !crawler.IsRedirectStatus(a.Status) || x.Hop != nil && x.Hop.Kind == crawler.HopHTTP || !g.Internal(x.URL) {
			continue // an HTTP hop followed its first Location, which is not blank
		}
		var locations []string
		if d := g.Redirect(x.URL); d != nil {
			locations = d.Locations
		}
		if slices.ContainsFunc(locations, func(v string) bool { return strings.TrimSpace(v) != "" }) {
			continue
		}
		f := audit.Finding{URL: x.URL, Source: x.Source, Status: a.Status}
		if len(locations) > 0 {
			p.Reportf(f, "%d with an empty Location: nothing to follow, browsers show the body instead; send Location with the target URL", a.Status)
			continue
		}
		p.Reportf(f, "%d without a Location: nothing to follow, browsers show the body instead; send Location with the target URL", a.Status)
	}
	return nil
}
