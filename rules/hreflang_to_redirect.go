package rules

import (
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// HreflangToRedirect flags hreflang alternates that redirect.
var HreflangToRedirect = &audit.Rule{
	Name:     "hreflang-to-redirect",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "hreflang alternate points at a URL that redirects",
		Text: "A <link rel=\"alternate\" hreflang> (in the HTML or a Link header) names a URL " +
			"that redirects. hreflang annotations must point at the canonical, indexable version " +
			"of each language page; an alternate that redirects is ignored or weakens the cluster, " +
			"and the return links between versions no longer match. " +
			"Fix: point the alternate at the final URL of the chain (the finding's target). A chain " +
			"the crawl did not follow to its end (--max-pages, --no-external, a crawl cut short) is " +
			"reported as unfinished, with no target. One " +
			"finding per page and alternate URL; the message names the hreflang codes. " +
			"Sources: Google Search Central, \"Tell Google about localized versions of your page\" " +
			"and \"Site moves with URL changes\" (update hreflang annotations to the new URLs).",
	},
	Needs: []*audit.Fact{audit.Inbound, audit.Chains},
	Run:   runHreflangToRedirect,
}

func runHreflangToRedirect(p *audit.Pass) error {
	brokenLinks := p.Other("broken-link") != nil
	for r := range redirectRefs(p, refKinds(crawler.RefHreflang)) {
		c := r.Chain
		if brokenLinks && endsInError(c) {
			continue // broken-link's
		}
		f := audit.Finding{URL: r.URL, Source: r.Source, Status: c.Hops[0].Status, Target: finalTarget(c), Hops: len(c.Hops)}
		alt := "hreflang alternate"
		if len(r.Texts) > 0 {
			codes := make([]string, len(r.Texts))
			for i, t := range r.Texts {
				codes[i] = strconv.Quote(t)
			}
			alt = "hreflang " + strings.Join(codes, ", ") + " alternate"
		}
		switch {
		case chainBroken(c):
			p.Reportf(f, "%s %s %s; point it at the working URL of that language version", alt, r.URL, describeChain(c))
		case unfinished(c):
			p.Reportf(f, "%s %s %s", alt, r.URL, describeChain(c))
		default:
			p.Reportf(f, "%s %s %s; point it at the final URL", alt, r.URL, describeChain(c))
		}
	}
	return nil
}
