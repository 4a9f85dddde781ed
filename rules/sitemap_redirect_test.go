package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestSitemapRedirect(t *testing.T) {
	const site, sm = "http://site.test", "http://site.test/sitemap.xml"
	loc := func(sitemap, target string) crawler.Reference { return litRef(crawler.RefSitemap, sitemap, target, "") }
	litCheck(t, SitemapRedirect, []litCase{
		{
			name: "loc that redirects, listed twice",
			graph: litGraph([]crawler.Reference{loc(sm, site+"/old"), loc(sm, site+"/old"), loc(sm, site+"/new")},
				litRedirect(site+"/old", 301, site+"/new"), litPage(site+"/new")),
			want:  []string{"warning http://site.test/old http://site.test/sitemap.xml 301 http://site.test/new 1"},
			words: []string{"sitemap lists http://site.test/old, which redirects to http://site.test/new; list the final URL instead"},
		},
		{
			name: "two sitemaps, a chain",
			graph: litGraph([]crawler.Reference{loc(sm, site+"/a"), loc(site+"/sitemap-2.xml", site+"/a")},
				litRedirect(site+"/a", 302, site+"/b"), litRedirect(site+"/b", 308, site+"/c"), litPage(site+"/c")),
			want: []string{
				"warning http://site.test/a http://site.test/sitemap-2.xml 302 http://site.test/c 2",
				"warning http://site.test/a http://site.test/sitemap.xml 302 http://site.test/c 2",
			},
		},
		{
			name: "broken chain",
			graph: litGraph([]crawler.Reference{loc(sm, site+"/gone")},
				litRedirect(site+"/gone", 301, site+"/missing"), &crawler.Response{URL: site + "/missing", Status: 410}),
			want:  []string{"warning http://site.test/gone http://site.test/sitemap.xml 301 http://site.test/missing 1"},
			words: []string{"which answers 410; remove the entry or fix the redirect"},
		},
		{
			name: "a chain not followed to its end: no final URL to list",
			graph: litGraph([]crawler.Reference{loc(sm, site+"/old")},
				litRedirect(site+"/old", 301, site+"/later")),
			want: []string{"warning http://site.test/old http://site.test/sitemap.xml 301 - 1"},
			words: []string{"sitemap lists http://site.test/old, which redirects to http://site.test/later; " +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown"},
			absent: []string{"final URL", "remove the entry"},
		},
		{
			name: "silent: links and seeds to redirects, locs that answer 200 or are blocked",
			graph: litGraph([]crawler.Reference{
				litLink("http://site.test/", site+"/old"),
				litSeed(site + "/old"),
				loc(sm, site+"/new"),
				loc(sm, site+"/private"),
			},
				litRedirect(site+"/old", 301, site+"/new"), litPage(site+"/new"),
				&crawler.Response{URL: site + "/private", Blocked: true}),
		},
	})
}

func TestSitemapRedirectFixture(t *testing.T) { testFixture(t, SitemapRedirect) }
