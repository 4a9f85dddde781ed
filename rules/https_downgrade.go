package rules

import (
	"strings"

	"github.com/hopaudit/hopaudit/audit"
)

// HTTPSDowngrade flags redirects from https to http.
var HTTPSDowngrade = &audit.Rule{
	Name:     "https-downgrade",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Redirect from https to http",
		Text: "A URL of the site served over https redirects (with a 3xx or a refresh) to an " +
			"http URL. The next request travels unencrypted and can be read or altered on the " +
			"way (RFC 9110 §4.2.2 and §17: only https secures the connection), browsers drop " +
			"the secure context and warn on forms, HSTS-enabled browsers rewrite the URL back " +
			"to https (which can end in a loop), and Google, which prefers https URLs as " +
			"canonical, gets contradicting signals. Only redirects answered inside the crawl " +
			"scope are checked, once per URL, also in the middle of a chain. " +
			"Fix: redirect to the https URL of the target, and serve it over https. " +
			"Sources: RFC 9110 §4.2.2 and §17; RFC 6797 (HSTS); Google Search Central, " +
			"\"Consolidate duplicate URLs\" (developers.google.com/search/docs/crawling-indexing/" +
			"consolidate-duplicate-urls) and \"Redirects and Google Search\".",
	},
	Needs: []*audit.Fact{audit.Reached},
	Run:   runHTTPSDowngrade,
}

func runHTTPSDowngrade(p *audit.Pass) error {
	g := p.Graph
	tracking := trackingParams(p)
	for _, x := range p.Reached() {
		h := x.Hop
		if h == nil || !strings.HasPrefix(x.URL, "https://") || !strings.HasPrefix(h.Target, "http://") || !g.Internal(x.URL) {
			continue
		}
		how := hopVia(h.Kind)
		f := audit.Finding{URL: x.URL, Source: x.Source, Status: h.Status, Target: h.Target}
		// Where to redirect instead: where the chain from here ends, when
		// that is an https page (the redirect-chain rule says the same),
		// else the https version of the target.
		to := "https://" + strings.TrimPrefix(h.Target, "http://")
		c := g.Follow(x.URL)
		if end := chainTarget(g, p.Expect, &c, tracking); strings.HasPrefix(end, "https://") {
			to, f.Fix.Target = end, end
		}
		p.Reportf(f, "%d%s from https to %s; redirect to %s instead", h.Status, how, h.Target, to)
	}
	return nil
}
