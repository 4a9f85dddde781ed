package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// UncacheablePermanentRedirect flags permanent redirects that browsers
// may not reuse.
var UncacheablePermanentRedirect = &audit.Rule{
	Name:     "uncacheable-permanent-redirect",
	Severity: audit.Notice,
	Doc: audit.Doc{
		Title: "Permanent redirect forbids caching",
		Text: "A 301 or 308 is sent with Cache-Control no-store, an unqualified no-cache, or a " +
			"max-age of 0 (or an Expires no later than Date, with no max-age). 301 and 308 are " +
			"cacheable by default (RFC 9110 §15.4.2, §15.4.9; RFC 9111 §4.2.2), so that browsers " +
			"go straight to the new URL; these headers make every visit pay the extra round trip " +
			"again, and say the move is not meant to last, which contradicts the status. " +
			"no-cache=\"field\" only concerns the listed fields and is not flagged; an invalid " +
			"max-age counts as 0 (RFC 9111 §4.2.1). Only the browser's view counts: s-maxage " +
			"alone is not looked at. Only responses inside the crawl scope are checked, once per URL. " +
			"Fix: drop the header (or send a long max-age) so the redirect is cached, or answer " +
			"302 or 307 if the move may be undone. Sources: RFC 9111 §4.2.1, §4.2.2, §5.2.2; " +
			"RFC 9110 §15.4.",
	},
	Needs: []*audit.Fact{audit.Reached},
	Run:   runUncacheablePermanentRedirect,
}

func runUncacheablePermanentRedirect(p *audit.Pass) error {
	for h := range reachedHops(p) {
		if h.Kind != crawler.HopHTTP || (h.Status != 301 && h.Status != 308) || !p.Graph.Internal(h.URL) {
			continue
		}
		why := ""
		hdr := p.Graph.Header(h.URL)
		if d := reuseForbidden(hdr.CacheControl); d != "" {
			why = "Cache-Control " + d
		} else if l, ok := explicitLifetime(hdr, false); ok && l.Seconds == 0 {
			why = l.From
		}
		if why == "" {
			continue
		}
		f := audit.Finding{URL: h.URL, Source: h.Source, Status: h.Status, Target: h.Target}
		p.Reportf(f, "permanent %d to %s is sent with %s: browsers ask the server again on every visit; let it be cached (drop the header or send a long max-age), or answer 302 or 307 if the move may be undone",
			h.Status, h.Target, why)
	}
	return nil
}
