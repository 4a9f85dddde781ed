package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestRedirectChainTooLong(t *testing.T) {
	const home, s = "http://site.test/", "http://site.test"
	litCheck(t, RedirectChainTooLong, []litCase{
		{
			name:  "11 redirects",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/h0")}, litLine(s+"/h", 11, 301)...),
			want:  []string{"error http://site.test/h0 http://site.test/ 301 http://site.test/h11 11"},
			words: []string{"reaches 200 http://site.test/h11 after 11 redirects, more than 10 (Googlebot follows 10); redirect http://site.test/h0 straight to http://site.test/h11"},
		},
		{
			name:  "10 redirects are the limit",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/h0")}, litLine(s+"/h", 10, 301)...),
		},
		{
			name:  "no final response within 20",
			graph: litGraph([]crawler.Reference{litSeed(s + "/z0")}, litLine(s+"/z", 30, 302)...),
			want:  []string{"error http://site.test/z0 - 302 http://site.test/z20 20"},
			words: []string{"no final response within 20 redirects (browsers stop at 20, Googlebot at 10); it was cut off at http://site.test/z20"},
		},
		{
			name:  "cut off where the crawl stopped fetching",
			graph: litGraph([]crawler.Reference{litSeed(s + "/z0")}, litLine(s+"/z", 20, 302)[:20]...),
			want:  []string{"error http://site.test/z0 - 302 - 20"},
			words: []string{"reaches http://site.test/z20 (not fetched) after 20 redirects, more than 10 (Googlebot follows 10); " +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown"},
			absent: []string{"straight to"},
		},
		{
			name:  "not followed to its end, and no more hops than allowed so far",
			graph: litGraph([]crawler.Reference{litSeed(s + "/y0")}, litLine(s+"/y", 10, 302)[:10]...),
		},
		{
			name:  "max-hops 4",
			graph: litGraph([]crawler.Reference{litSeed(s + "/a0"), litSeed(s + "/b0")}, append(litLine(s+"/a", 4, 301), litLine(s+"/b", 5, 301)...)...),
			opts:  map[string]any{"max-hops": 4},
			want:  []string{"error http://site.test/b0 - 301 http://site.test/b5 5"},
			words: []string{"more than 4"},
		},
		{
			name: "a long loop is redirect-loop's",
			graph: litGraph([]crawler.Reference{litSeed(s + "/c0")},
				append(litLine(s+"/c", 11, 301)[:11], litRedirect(s+"/c11", 301, s+"/c0"))...),
		},
		{
			name: "other sites' chains count: the link is dead for Googlebot",
			graph: litGraph([]crawler.Reference{litLink(home, "http://other.test/e0")},
				litLine("http://other.test/e", 11, 302)...),
			want: []string{"error http://other.test/e0 http://site.test/ 302 http://other.test/e11 11"},
		},
	})
}

func TestRedirectChainTooLongFixture(t *testing.T) { testFixture(t, RedirectChainTooLong) }
