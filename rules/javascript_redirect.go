package rules

import (
	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// JavaScriptRedirect flags pages whose inline script sends visitors on
// when the page loads.
var JavaScriptRedirect = &audit.Rule{
	Name:     "javascript-redirect",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Page redirects with JavaScript",
		Text: "The page answers 200 and an inline script sends the visitor to another URL as it " +
			"loads: it assigns a URL to location, window.location, document.location, " +
			"self.location, top.location or parent.location (or their href), or calls " +
			"location.replace or location.assign, at the top level of the script or in a " +
			"function that runs on load (called by name or at once, given to setTimeout, to a " +
			"load or DOMContentLoaded listener, window.onload or jQuery's ready). " +
			"Google only sees such a redirect after rendering the page, which may come much later " +
			"than the crawl, and may miss it; other crawlers and tools do not run scripts at all; " +
			"visitors see the first page flash before they are sent on, and the browser's back " +
			"button may bring them back to it. hopaudit reads the script with a JavaScript parser: " +
			"a redirect in a comment, a string, an event handler (onclick), a function that is " +
			"only defined, a condition, a nomodule script, a script inside <template>, or a " +
			"<script> of another type (JSON-LD, templates) is " +
			"not one, nor a URL that is built at run time. A page with a meta refresh or a Refresh " +
			"header is meta-refresh's. The chain goes on from the script's target like any " +
			"other. Only pages inside the crawl scope are checked, once per URL. " +
			"Fix: answer the old URL with a server-side 301 or 308 to the new one (302 or 307 if " +
			"the move really is temporary) and remove the script. Sources: Google Search " +
			"Central, \"Redirects and Google Search\" (JavaScript location redirects: use them " +
			"only when server-side or meta refresh redirects are not possible) and \"Understand " +
			"the JavaScript SEO basics\".",
	},
	Needs: []*audit.Fact{audit.Reached},
	Run:   runJavaScriptRedirect,
}

func runJavaScriptRedirect(p *audit.Pass) error {
	for h := range reachedHops(p) {
		if h.Kind != crawler.HopJavaScript || !p.Graph.Internal(h.URL) {
			continue
		}
		script := p.Graph.Lookup(h.URL).Refresh.Raw
		f := audit.Finding{URL: h.URL, Source: h.Source, Status: h.Status, Target: h.Target}
		if h.Delay > 0 {
			p.Reportf(f, "a script sends visitors to %s after %s (%s): Google only sees it after rendering, and visitors see this page first; answer with a 301 or 308 server redirect",
				h.Target, seconds(h.Delay), script)
			continue
		}
		p.Reportf(f, "a script sends visitors to %s as the page loads (%s): Google only sees it after rendering, and visitors see this page flash; answer with a 301 or 308 server redirect",
			h.Target, script)
	}
	return nil
}
