package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestLinkToRedirect(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	old := func() []*crawler.Response {
		return []*crawler.Response{litPage(home), litRedirect(site+"/old", 301, site+"/new"), litPage(site + "/new")}
	}
	litCheck(t, LinkToRedirect, []litCase{
		{
			name:  "one finding for several links from one page",
			graph: litGraph([]crawler.Reference{litSeed(home), litLink(home, site+"/old"), litRef(crawler.RefAnchor, home, site+"/old", "again")}, old()...),
			want:  []string{"warning http://site.test/old http://site.test/ 301 http://site.test/new 1"},
			words: []string{"links to http://site.test/old, which redirects to http://site.test/new; link the final URL"},
		},
		{
			name: "one finding per linking page",
			graph: litGraph([]crawler.Reference{litLink(site+"/b", site+"/old"), litLink(home, site+"/old")},
				append(old(), litPage(site+"/b"))...),
			want: []string{
				"warning http://site.test/old http://site.test/ 301 http://site.test/new 1",
				"warning http://site.test/old http://site.test/b 301 http://site.test/new 1",
			},
		},
		{
			name:  "area",
			graph: litGraph([]crawler.Reference{litRef(crawler.RefArea, home, site+"/old", "")}, old()...),
			want:  []string{"warning http://site.test/old http://site.test/ 301 http://site.test/new 1"},
		},
		{
			name: "chain: hop count and first status",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a")},
				litPage(home), litRedirect(site+"/a", 302, site+"/b"), litRedirect(site+"/b", 301, site+"/c"), litPage(site+"/c")),
			want:  []string{"warning http://site.test/a http://site.test/ 302 http://site.test/c 2"},
			words: []string{"redirects to http://site.test/c in 2 hops; link the final URL"},
		},
		{
			name: "www twin, http to https, subdomain of the same site",
			graph: litGraph([]crawler.Reference{
				litLink(home, "http://www.site.test/x"),
				litLink(home, "http://site.test/s"),
				litLink(home, "http://blog.site.test/"),
			},
				litPage(home),
				litRedirect("http://www.site.test/x", 301, site+"/x"), litPage(site+"/x"),
				litRedirect(site+"/s", 301, "https://site.test/s"), litPage("https://site.test/s"),
				litRedirect("http://blog.site.test/", 302, "http://blog.site.test/en/"), litPage("http://blog.site.test/en/")),
			want: []string{
				"warning http://blog.site.test/ http://site.test/ 302 http://blog.site.test/en/ 1",
				"warning http://site.test/s http://site.test/ 301 https://site.test/s 1",
				"warning http://www.site.test/x http://site.test/ 301 http://site.test/x 1",
			},
		},
		{
			name: "broken chain",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/gone")},
				litPage(home), litRedirect(site+"/gone", 301, site+"/missing"), &crawler.Response{URL: site + "/missing", Status: 404}),
			want:  []string{"warning http://site.test/gone http://site.test/ 301 http://site.test/missing 1"},
			words: []string{"which redirects to http://site.test/missing, which answers 404; fix the redirect or remove the link"},
		},
		{
			name: "a chain not followed to its end: still a link to a redirect, with no final URL to link",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/old")},
				litPage(home), litRedirect(site+"/old", 301, site+"/mid"), litRedirect(site+"/mid", 302, "https://far.test/x")),
			want: []string{"warning http://site.test/old http://site.test/ 301 - 2"},
			words: []string{"links to http://site.test/old, which redirects to https://far.test/x in 2 hops; " +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown"},
			absent: []string{"link the final URL", "fix the redirect"},
		},
		{
			name: "self-redirect",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/self")},
				litPage(home), litRedirect(site+"/self", 302, site+"/self")),
			want:  []string{"warning http://site.test/self http://site.test/ 302 http://site.test/self 1"},
			words: []string{"redirects in a loop", "fix the redirect or remove the link"},
		},
		{
			name: "silent: links to other sites, even back to this one",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/a"), litLink(home, "https://other.test/b")},
				litPage(home),
				litRedirect("https://other.test/a", 301, "https://other.test/a/"), litPage("https://other.test/a/"),
				litRedirect("https://other.test/b", 302, site+"/b"), litPage(site+"/b")),
		},
		{
			name: "silent: other kinds of reference",
			graph: litGraph([]crawler.Reference{
				litSeed(site + "/old"),
				litRef(crawler.RefSitemap, site+"/sitemap.xml", site+"/old", ""),
				litRef(crawler.RefCanonical, home, site+"/old", ""),
				litRef(crawler.RefHreflang, home, site+"/old", "de"),
				litRef(crawler.RefForm, home, site+"/old", "post"),
			}, old()...),
		},
		{
			name:  "silent: links to pages that answer 200",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/new")}, old()...),
		},
		{
			name: "silent: links found on another site's page",
			graph: litGraph([]crawler.Reference{litLink("https://other.test/", "https://other.test/a")},
				litRedirect("https://other.test/a", 301, "https://other.test/b"), litPage("https://other.test/b")),
		},
	})
}

func TestLinkToRedirectFixture(t *testing.T) { testFixture(t, LinkToRedirect) }
