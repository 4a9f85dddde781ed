package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestCanonicalToRedirect(t *testing.T) {
	const site = "http://site.test"
	canon := func(source, target string) crawler.Reference {
		return litRef(crawler.RefCanonical, source, target, "")
	}
	litCheck(t, CanonicalToRedirect, []litCase{
		{
			name: "canonical to a redirect",
			graph: litGraph([]crawler.Reference{canon(site+"/p", site+"/old")},
				litPage(site+"/p"), litRedirect(site+"/old", 308, site+"/new"), litPage(site+"/new")),
			want:  []string{"warning http://site.test/old http://site.test/p 308 http://site.test/new 1"},
			words: []string{"canonical points at http://site.test/old, which redirects to http://site.test/new; point rel=canonical at the final URL"},
		},
		{
			name: "canonical that redirects back to the page",
			graph: litGraph([]crawler.Reference{canon("https://site.test/p", site+"/p")},
				litPage("https://site.test/p"), litRedirect(site+"/p", 301, "https://site.test/p")),
			want:  []string{"warning http://site.test/p https://site.test/p 301 https://site.test/p 1"},
			words: []string{"redirects back to this page; make rel=canonical this page's own URL"},
		},
		{
			name: "error when the chain ends in 404",
			graph: litGraph([]crawler.Reference{canon(site+"/p", site+"/old")},
				litPage(site+"/p"), litRedirect(site+"/old", 301, site+"/missing"), &crawler.Response{URL: site + "/missing", Status: 404}),
			want:  []string{"error http://site.test/old http://site.test/p 301 http://site.test/missing 1"},
			words: []string{"which answers 404; point rel=canonical at a working URL"},
		},
		{
			name: "error when the chain loops",
			graph: litGraph([]crawler.Reference{canon(site+"/p", site+"/a")},
				litPage(site+"/p"), litRedirect(site+"/a", 301, site+"/b"), litRedirect(site+"/b", 302, site+"/a")),
			want:  []string{"error http://site.test/a http://site.test/p 301 http://site.test/a 2"},
			words: []string{"redirects in a loop"},
		},
		{
			name: "error on a network error",
			graph: litGraph([]crawler.Reference{canon(site+"/p", site+"/a")},
				litPage(site+"/p"), litRedirect(site+"/a", 301, "https://down.test/"), &crawler.Response{URL: "https://down.test/", Error: "connection refused"}),
			want: []string{"error http://site.test/a http://site.test/p 301 https://down.test/ 1"},
		},
		{
			name: "warning when the target is blocked or was not fetched",
			graph: litGraph([]crawler.Reference{canon(site+"/p", site+"/a"), canon(site+"/p", site+"/b")},
				litPage(site+"/p"),
				litRedirect(site+"/a", 301, site+"/private"), &crawler.Response{URL: site + "/private", Blocked: true},
				litRedirect(site+"/b", 301, "https://other.test/")),
			want: []string{
				"warning http://site.test/a http://site.test/p 301 http://site.test/private 1",
				"warning http://site.test/b http://site.test/p 301 - 1",
			},
		},
		{
			name: "a chain not followed to its end: no final URL to point at",
			graph: litGraph([]crawler.Reference{canon(site+"/p", site+"/b")},
				litPage(site+"/p"), litRedirect(site+"/b", 301, site+"/c"), litRedirect(site+"/c", 302, "https://other.test/")),
			want: []string{"warning http://site.test/b http://site.test/p 301 - 2"},
			words: []string{"canonical points at http://site.test/b, which redirects to https://other.test/ in 2 hops; " +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown"},
			absent: []string{"final URL", "working URL"},
		},
		{
			name: "silent: self canonical, canonical to a 200, links to redirects",
			graph: litGraph([]crawler.Reference{canon(site+"/p", site+"/p"), canon(site+"/q", site+"/new"), litLink(site+"/p", site+"/old")},
				litPage(site+"/p"), litPage(site+"/q"), litRedirect(site+"/old", 301, site+"/new"), litPage(site+"/new")),
		},
	})
}

func TestCanonicalToRedirectFixture(t *testing.T) { testFixture(t, CanonicalToRedirect) }
