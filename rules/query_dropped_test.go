package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestQueryDropped(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	one := func(from, to string) *crawler.Graph {
		return litGraph([]crawler.Reference{litLink(home, from)},
			litPage(home), litRedirect(from, 301, to), litPage(to))
	}
	litCheck(t, QueryDropped, []litCase{
		{
			name:  "query dropped",
			graph: one(site+"/search?q=shoes", site+"/search/"),
			want:  []string{"notice http://site.test/search?q=shoes http://site.test/ 301 http://site.test/search/ 1"},
			words: []string{"redirects to http://site.test/search/ without any of its query parameters; keep the query in the redirect's Location"},
		},
		{
			name:  "several parameters, all dropped",
			graph: one(site+"/promo?utm_source=mail&utm_medium=email", site+"/sale"),
			want:  []string{"notice http://site.test/promo?utm_source=mail&utm_medium=email http://site.test/ 301 http://site.test/sale 1"},
		},
		{
			name: "dropped at the second hop",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a?x=1")},
				litPage(home), litRedirect(site+"/a?x=1", 301, site+"/b?x=1"), litRedirect(site+"/b?x=1", 302, site+"/end"), litPage(site+"/end")),
			want:  []string{"notice http://site.test/a?x=1 http://site.test/ 301 http://site.test/end 2"},
			words: []string{"in 2 hops without"},
		},
		{
			name: "dropped on the way to a 404 or a blocked URL",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a?x=1"), litLink(home, site+"/b?y=2")},
				litPage(home), litRedirect(site+"/a?x=1", 301, site+"/gone"), &crawler.Response{URL: site + "/gone", Status: 404},
				litRedirect(site+"/b?y=2", 301, site+"/private"), &crawler.Response{URL: site + "/private", Blocked: true}),
			want: []string{
				"notice http://site.test/a?x=1 http://site.test/ 301 http://site.test/gone 1",
				"notice http://site.test/b?y=2 http://site.test/ 301 http://site.test/private 1",
			},
		},
		{
			name: "dropped on a chain not followed to its end: gone by the last URL reached",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a?x=1")},
				litPage(home), litRedirect(site+"/a?x=1", 301, site+"/b"), litRedirect(site+"/b", 302, "https://far.test/")),
			want: []string{"notice http://site.test/a?x=1 http://site.test/ 301 - 2"},
			words: []string{"redirects to https://far.test/ in 2 hops without any of its query parameters; " +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown; " +
				"keep the query in the redirect's Location"},
		},
		{
			name: "silent: kept as far as the chain was followed",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a?x=1")},
				litPage(home), litRedirect(site+"/a?x=1", 301, "https://far.test/?x=1")),
		},
		{name: "silent: same query on the target", graph: one(site+"/keep?page=2", site+"/kept?page=2")},
		{name: "silent: parameter renamed, value kept", graph: one(site+"/r?color=red", site+"/r/?colour=red")},
		{name: "silent: value moved into the path", graph: one(site+"/product?id=42", site+"/products/42")},
		{name: "silent: one of two parameters kept", graph: one(site+"/p?a=1&b=2", site+"/p/?b=2")},
		{name: "silent: name kept with another value", graph: one(site+"/p?lang=de", site+"/p/?lang=en")},
		{name: "silent: no query", graph: one(site+"/plain", site+"/plain/")},
		{name: "silent: empty query", graph: one(site+"/plain?", site+"/plain/")},
		{name: "silent: another site drops it", graph: one("https://other.test/?ref=site", "https://other.test/home")},
		{
			name: "silent: loops are left to redirect-loop",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/l?x=1")},
				litPage(home), litRedirect(site+"/l?x=1", 301, site+"/l"), litRedirect(site+"/l", 301, site+"/l?x=1")),
		},
	})
}

func TestQueryDroppedFixture(t *testing.T) { testFixture(t, QueryDropped) }
