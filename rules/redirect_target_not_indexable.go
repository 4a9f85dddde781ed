package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// RedirectTargetNotIndexable flags chains whose final page asks not to
// be indexed, or names another URL as canonical.
var RedirectTargetNotIndexable = &audit.Rule{
	Name:     "redirect-target-not-indexable",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Redirect ends on a page that is noindex or canonicalised elsewhere",
		Text: "A chain ends on a 2xx page that says noindex (meta robots, meta googlebot or " +
			"X-Robots-Tag) or whose rel=canonical names another URL. A redirect says \"the content " +
			"now lives there\"; a noindex target drops the old URL's content from the index " +
			"altogether, and a target that canonicalises elsewhere sends Google through one more " +
			"step of conflicting signals. Only final pages inside the crawl scope are checked. " +
			"Fix: redirect straight to the page that should be indexed (the canonical one), or " +
			"remove the noindex if the target should be indexed. Sources: Google Search Central, " +
			"\"Redirects and Google Search\", \"Consolidate duplicate URLs\", \"Block Search " +
			"indexing with noindex\" and \"Site moves with URL changes\" (redirect to the final, " +
			"indexable URL).",
	},
	Run: runRedirectTargetNotIndexable,
}

func runRedirectTargetNotIndexable(p *audit.Pass) error {
	g := p.Graph
	for i := range g.Chains() {
		c := &g.Chains()[i]
		r := c.Final
		if c.End != crawler.EndFinal || r == nil || r.Status < 200 || r.Status >= 300 || !inScope(g, c.FinalURL()) {
			continue
		}
		elsewhere := r.Canonical != "" && r.Canonical != c.FinalURL()
		if !r.Noindex && !elsewhere {
			continue
		}
		f := audit.Finding{URL: c.URL(), Source: g.Source(c.URL()), Status: c.Hops[0].Status, Target: c.FinalURL(), Hops: len(c.Hops)}
		switch {
		case r.Noindex && elsewhere:
			p.Reportf(f, "%s, which is noindex and names %s as canonical; redirect to the page that should be indexed",
				describeChain(c), r.Canonical)
		case r.Noindex:
			p.Reportf(f, "%s, which is noindex; redirect to an indexable page, or remove the noindex",
				describeChain(c))
		default:
			p.Reportf(f, "%s, whose canonical is %s; redirect straight to the canonical URL",
				describeChain(c), r.Canonical)
		}
	}
	return nil
}
