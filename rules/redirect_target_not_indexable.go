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
			"Not flagged: a target that looks like a login, SSO, checkout, cart, consent, " +
			"maintenance or back-office page (noindex by design); a canonical that differs from " +
			"the target only by tracking parameters (utm_*, gclid, fbclid and the like, and the " +
			"tracking-params option); a canonical whose own redirects lead back to the target " +
			"or to no working page (canonical-to-redirect and broken-link report those). A " +
			"canonical that redirects to a working page is followed: the advice names that page. " +
			"Fix: redirect straight to the page that should be indexed (the canonical one), or " +
			"remove the noindex if the target should be indexed. Sources: Google Search Central, " +
			"\"Redirects and Google Search\", \"Consolidate duplicate URLs\", \"Block Search " +
			"indexing with noindex\" and \"Site moves with URL changes\" (redirect to the final, " +
			"indexable URL).",
	},
	Options: []audit.Option{{
		Name:    "tracking-params",
		Default: "",
		Doc: "query parameters that only track visits, beyond utm_*, gclid, fbclid and the other " +
			"click identifiers hopaudit knows (comma-separated; name* for a prefix); every rule " +
			"that compares URLs reads it while this rule runs",
	}},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound},
	Run:   runRedirectTargetNotIndexable,
}

func runRedirectTargetNotIndexable(p *audit.Pass) error {
	g := p.Graph
	tracking := trackingParams(p)
	for i := range p.Chains() {
		c := &p.Chains()[i]
		r := c.Final
		if c.End != crawler.EndFinal || r == nil || r.Status < 200 || r.Status >= 300 || !g.Internal(c.FinalURL()) {
			continue
		}
		if !r.Noindex && (r.Canonical == "" || r.Canonical == r.URL) {
			continue // most pages: nothing to look into
		}
		if pageKind(c.FinalURL()) != "" {
			continue // a login, checkout, consent or back-office page is not meant to be indexed
		}
		canon := canonicalElsewhere(g, r, tracking)
		if !r.Noindex && canon == "" {
			continue
		}
		f := audit.Finding{URL: c.URL(), Source: p.Source(c.URL()), Status: c.Hops[0].Status, Target: c.FinalURL(), Hops: len(c.Hops)}
		fix := "redirect straight to " + canon
		if canon != "" && chainTarget(g, p.Expect, c, tracking) != canon {
			// The redirect map says where the redirect goes.
			fix = "make " + c.FinalURL() + " the canonical page, or correct the redirect map"
		} else {
			f.Fix.Target = canon
		}
		named := canon
		if r.Canonical != canon {
			named = r.Canonical + " (which redirects to " + canon + ")"
		}
		switch {
		case r.Noindex && canon != "":
			p.Reportf(f, "%s, which is noindex and names %s as canonical; %s", describeChain(c), named, fix)
		case r.Noindex:
			f.Fix.Target = ""
			p.Reportf(f, "%s, which is noindex; redirect to an indexable page, or remove the noindex", describeChain(c))
		default:
			p.Reportf(f, "%s, whose canonical is %s; %s", describeChain(c), named, fix)
		}
	}
	return nil
}
