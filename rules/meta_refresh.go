package rules

import (
	"strconv"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// MetaRefresh flags pages that send visitors on with a meta refresh or a
// Refresh header instead of a server redirect.
var MetaRefresh = &audit.Rule{
	Name:     "meta-refresh",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Page redirects with a meta refresh or Refresh header",
		Text: "The page answers 200 and then sends the visitor to another URL with " +
			"<meta http-equiv=\"refresh\"> or a Refresh response header. The browser loads and " +
			"renders the page first, and not every crawler or tool follows a refresh at all. " +
			"Google reads an instant refresh (delay 0) as a permanent redirect and a delayed one as " +
			"a temporary redirect, so a delayed refresh keeps the old URL in the index. " +
			"Fix: answer the old URL with a server-side 301 or 308 to the new one (302 or 307 if the " +
			"move really is temporary) and remove the refresh. Only pages inside the crawl scope are " +
			"checked, once per URL, wherever a chain passes through them; a script's redirect is " +
			"javascript-redirect's. " +
			"Sources: Google Search Central, \"Redirects and Google Search\" (meta refresh); " +
			"HTML Living Standard, the refresh pragma; W3C WCAG technique F41.",
	},
	Needs: []*audit.Fact{audit.Reached},
	Run:   runMetaRefresh,
}

func runMetaRefresh(p *audit.Pass) error {
	for h := range reachedHops(p) {
		if h.Kind == crawler.HopHTTP || h.Kind == crawler.HopJavaScript || !p.Graph.Internal(h.URL) {
			continue
		}
		what := "meta refresh"
		if h.Kind == crawler.HopRefreshHeader {
			what = "Refresh header"
		}
		f := audit.Finding{URL: h.URL, Source: h.Source, Status: h.Status, Target: h.Target}
		if h.Delay <= 0 {
			p.Reportf(f, "%s sends visitors to %s at once; Google reads an instant refresh as a permanent redirect but other clients may not follow it; answer with a 301 or 308 server redirect",
				what, h.Target)
			continue
		}
		p.Reportf(f, "%s sends visitors to %s after %s; Google reads a delayed refresh as a temporary redirect and keeps this URL indexed; answer with a 301 or 308 server redirect",
			what, h.Target, seconds(h.Delay))
	}
	return nil
}

// seconds writes a refresh delay.
func seconds(d float64) string {
	if d == 1 {
		return "1 second"
	}
	return strconv.FormatFloat(d, 'f', -1, 64) + " seconds"
}
