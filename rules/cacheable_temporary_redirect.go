package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// CacheableTemporaryRedirect flags temporary redirects that caches may
// reuse for a long time.
var CacheableTemporaryRedirect = &audit.Rule{
	Name:     "cacheable-temporary-redirect",
	Severity: audit.Notice,
	Doc: audit.Doc{
		Title: "Temporary redirect is cached for a day or more",
		Text: "A 302, 303 or 307 is sent with an explicit freshness lifetime of at least " +
			"min-lifetime seconds (default 86400, one day): Cache-Control max-age or s-maxage, or " +
			"Expires minus Date. These statuses are not cached by default, but with explicit " +
			"freshness browsers and CDNs store them and send visitors on without asking the " +
			"server again (RFC 9111 §3, §4.2.1): a temporary redirect cached for a year is " +
			"permanent in practice, and cannot be taken back, while search engines still treat " +
			"it as temporary. The lifetime is computed as RFC 9111 §4.2.1 says: s-maxage (for " +
			"shared caches) and max-age win over Expires, a repeated directive counts once (the " +
			"first), an argument that is not a number means stale. The larger of the browser and " +
			"shared-cache lifetimes counts. Not flagged: no-store and an unqualified no-cache " +
			"(nothing is reused without asking the server); private still lets the browser cache " +
			"it, so it is flagged. Only responses inside the crawl scope are checked, once per URL. " +
			"Fix: if the move is permanent, answer 301 (308 for a 307, or when a POST form reaches " +
			"it, as temporary-redirect advises); if it is temporary, lower the " +
			"lifetime or send Cache-Control: no-cache. Sources: RFC 9111 §3, §4.2.1, §5.2, §5.3; " +
			"RFC 9110 §15.4.",
	},
	Options: []audit.Option{{
		Name:    "min-lifetime",
		Default: 86400,
		Doc:     "smallest explicit freshness lifetime, in seconds, that is flagged",
	}},
	Needs: []*audit.Fact{audit.Reached, audit.Inbound, audit.Chains},
	Run:   runCacheableTemporaryRedirect,
}

func runCacheableTemporaryRedirect(p *audit.Pass) error {
	minLifetime := int64(p.Int("min-lifetime"))
	g := p.Graph
	for _, x := range p.Reached() {
		h := x.Hop
		if h == nil || h.Kind != crawler.HopHTTP || !g.Internal(x.URL) {
			continue
		}
		switch h.Status {
		case 302, 303, 307:
		default:
			continue
		}
		hdr := g.Header(h.URL)
		if reuseForbidden(hdr.CacheControl) != "" {
			continue
		}
		l, ok := explicitLifetime(hdr, false)
		if s, sok := explicitLifetime(hdr, true); sok && (!ok || s.Seconds > l.Seconds) {
			l, ok = s, true
		}
		if !ok || l.Seconds < max(minLifetime, 1) {
			continue
		}
		f := audit.Finding{URL: x.URL, Source: x.Source, Status: h.Status, Target: h.Target}
		f.Fix.Status = permanentStatus(p, x.URL, h.Status, x.Entries)
		p.Reportf(f, "temporary %d to %s may be reused by caches for %s (%s): visitors keep being sent on as if it were permanent; answer %d if the move is permanent, else lower the lifetime",
			h.Status, h.Target, formatLifetime(l.Seconds), l.From, f.Fix.Status)
	}
	return nil
}
