package crawler_test

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// scriptSite has pages that redirect with an inline script on load, and
// decoys that do not: an event handler, a JSON-LD block, a script with
// src, a function only defined, a redirect in a comment, a script in a
// <template>, whose content never runs.
const scriptSite = `
-- / --
<a href="/js">js</a>
<a href="/js-timeout">js after a delay</a>
<a href="/js-chain">js into a chain</a>
<a href="/meta-and-js">a meta refresh and a script</a>
<a href="/decoys">decoys</a>
-- /js --
<html><head><script>
  // Moved: send visitors on.
  window.location.replace("/new");
</script></head><body>moved</body></html>
-- /js-timeout --
<script type="text/javascript">setTimeout(function () { location.href = 'new?from=js'; }, 2500);</script>
-- /js-chain --
<script>document.location = "/old"</script>
-- /old 301 /new --
-- /meta-and-js --
<meta http-equiv="refresh" content="0; url=/from-meta">
<script>location = "/from-js"</script>
-- /from-meta --
<p>meta</p>
-- /decoys --
<button onclick="location.href='/click'">go</button>
<a href="javascript:location.replace('/href')">go</a>
<script type="application/ld+json">{"url": "location = '/json'"}</script>
<script src="/app.js">location = "/ignored"</script>
<script>function go() { location = "/function" } /* location = "/comment" */ var here = location.href;</script>
<script type="text/template">location = "/template"</script>
<template id="card"><script>location.replace("/in-template")</script></template>
-- /new --
<p>new</p>
`

// TestScriptRedirect: a page whose inline script sends it elsewhere on
// load is a hop of kind javascript, followed like a meta refresh; a
// meta refresh wins over a script; decoys are no hop and fetch nothing.
func TestScriptRedirect(t *testing.T) {
	site := crawlertest.New(t, scriptSite)
	g := crawl(t, site.Config("http://site.test/"))
	for u, want := range map[string]struct {
		kind   crawler.HopKind
		target string
		delay  float64
	}{
		"/js":          {crawler.HopJavaScript, "http://site.test/new", 0},
		"/js-timeout":  {crawler.HopJavaScript, "http://site.test/new?from=js", 2.5},
		"/js-chain":    {crawler.HopJavaScript, "http://site.test/old", 0},
		"/meta-and-js": {crawler.HopMetaRefresh, "http://site.test/from-meta", 0},
	} {
		c := g.ChainOf("http://site.test" + u)
		if c == nil || c.Hops[0].Kind != want.kind || c.Hops[0].Target != want.target || c.Hops[0].Delay != want.delay {
			t.Errorf("%s: chain %+v; want a %s hop to %s after %vs", u, c, want.kind, want.target, want.delay)
		}
	}
	if c := g.ChainOf("http://site.test/js-chain"); c == nil || len(c.Hops) != 2 || c.FinalURL() != "http://site.test/new" {
		t.Errorf("/js-chain: chain %+v, want /old then /new", c)
	}
	if r := g.Lookup("http://site.test/decoys"); r == nil || r.Refresh != nil {
		t.Errorf("/decoys: %+v, want no refresh", r)
	}
	for _, u := range []string{"/click", "/href", "/json", "/ignored", "/function", "/comment", "/template", "/in-template", "/from-js"} {
		if n := site.Hits("http://site.test" + u); n != 0 {
			t.Errorf("%s fetched %d times: no script sends the page there on load", u, n)
		}
	}
}
