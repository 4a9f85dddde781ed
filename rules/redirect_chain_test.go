package rules

import (
	"fmt"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

// litLine builds a chain of n redirects with the given status from
// prefix0 to prefix1, ..., prefixN, which answers 200, and returns its
// responses.
func litLine(prefix string, n, status int) []*crawler.Response {
	var out []*crawler.Response
	for i := range n {
		out = append(out, litRedirect(fmt.Sprintf("%s%d", prefix, i), status, fmt.Sprintf("%s%d", prefix, i+1)))
	}
	return append(out, litPage(fmt.Sprintf("%s%d", prefix, n)))
}

func TestRedirectChain(t *testing.T) {
	const home, s = "http://site.test/", "http://site.test"
	refresh := &crawler.Response{URL: s + "/r2", Status: 200, Refresh: &crawler.Refresh{Kind: crawler.HopMetaRefresh, URL: s + "/r3"}}
	litCheck(t, RedirectChain, []litCase{
		{
			name: "two hops, and the 1-hop entry in its middle stays silent",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litLink(home, s+"/b")},
				litRedirect(s+"/a", 301, s+"/b"), litRedirect(s+"/b", 302, s+"/c"), litPage(s+"/c")),
			want:  []string{"warning http://site.test/a http://site.test/ 301 http://site.test/c 2"},
			words: []string{"2 redirects: 301 http://site.test/a > 302 http://site.test/b > 200 http://site.test/c; redirect http://site.test/a straight to http://site.test/c"},
		},
		{
			name:  "one hop is not a chain",
			graph: litGraph([]crawler.Reference{litSeed(s + "/a")}, litRedirect(s+"/a", 301, s+"/b"), litPage(s+"/b")),
		},
		{
			name:  "allowed-hops 0 reports every redirect",
			graph: litGraph([]crawler.Reference{litSeed(s + "/a")}, litRedirect(s+"/a", 301, s+"/b"), litPage(s+"/b")),
			opts:  map[string]any{"allowed-hops": 0},
			want:  []string{"warning http://site.test/a - 301 http://site.test/b 1"},
			words: []string{"1 redirect: 301 http://site.test/a > 200 http://site.test/b"},
		},
		{
			name:  "allowed-hops 3",
			graph: litGraph([]crawler.Reference{litSeed(s + "/x0"), litSeed(s + "/y0")}, append(litLine(s+"/x", 3, 301), litLine(s+"/y", 4, 308)...)...),
			opts:  map[string]any{"allowed-hops": 3},
			want:  []string{"warning http://site.test/y0 - 308 http://site.test/y4 4"},
		},
		{
			name: "a refresh is a hop",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/r1")},
				litRedirect(s+"/r1", 302, s+"/r2"), refresh, litPage(s+"/r3")),
			want:  []string{"warning http://site.test/r1 http://site.test/ 302 http://site.test/r3 2"},
			words: []string{"302 http://site.test/r1 > 200 http://site.test/r2 (meta refresh) > 200 http://site.test/r3"},
		},
		{
			name: "broken and blocked ends are still chains",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/g0"), litLink(home, s+"/p0")},
				litRedirect(s+"/g0", 301, s+"/g1"), litRedirect(s+"/g1", 301, s+"/g2"), &crawler.Response{URL: s + "/g2", Status: 404},
				litRedirect(s+"/p0", 301, s+"/p1"), litRedirect(s+"/p1", 301, s+"/private"), &crawler.Response{URL: s + "/private", Blocked: true}),
			want: []string{
				"warning http://site.test/g0 http://site.test/ 301 http://site.test/g2 2",
				"warning http://site.test/p0 http://site.test/ 301 http://site.test/private 2",
			},
			words: []string{"; redirect http://site.test/"},
		},
		{
			name: "a chain not followed to its end is still a chain, with no final URL to redirect to",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/u0")},
				litRedirect(s+"/u0", 301, s+"/u1"), litRedirect(s+"/u1", 301, "https://far.test/")),
			want: []string{"warning http://site.test/u0 http://site.test/ 301 - 2"},
			words: []string{"2 redirects: 301 http://site.test/u0 > 301 http://site.test/u1 > https://far.test/ (not fetched); " +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown"},
			absent: []string{"straight to"},
		},
		{
			name:  "silent: one hop not followed to its end may be the whole chain",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/u0")}, litRedirect(s+"/u0", 301, "https://far.test/")),
		},
		{
			name: "a broken end is no target to redirect to",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/g0")},
				litRedirect(s+"/g0", 301, s+"/g1"), litRedirect(s+"/g1", 301, s+"/g2"), &crawler.Response{URL: s + "/g2", Status: 500}),
			want:  []string{"warning http://site.test/g0 http://site.test/ 301 http://site.test/g2 2"},
			words: []string{"> 500 http://site.test/g2; redirect http://site.test/g0 straight to a page that answers 200"},
		},
		{
			name:  "a 12-hop chain that ends is a chain too",
			graph: litGraph([]crawler.Reference{litSeed(s + "/h0")}, litLine(s+"/h", 12, 301)...),
			want:  []string{"warning http://site.test/h0 - 301 http://site.test/h12 12"},
		},
		{
			name: "loops and chains cut off at 20 are other rules'",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/l1"), litSeed(s + "/z0")},
				append(litLine(s+"/z", 25, 301), litRedirect(s+"/l1", 301, s+"/l2"), litRedirect(s+"/l2", 301, s+"/l3"), litRedirect(s+"/l3", 301, s+"/l1"))...),
		},
		{
			name: "internal entry through other sites",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/go")},
				litRedirect(s+"/go", 301, "http://other.test/promo"), litRedirect("http://other.test/promo", 301, "https://other.test/promo"), litPage("https://other.test/promo")),
			want: []string{"warning http://site.test/go http://site.test/ 301 https://other.test/promo 2"},
		},
		{
			name: "chains of other sites are not reported",
			graph: litGraph([]crawler.Reference{litLink(home, "http://other.test/x")},
				litRedirect("http://other.test/x", 301, "https://other.test/x"), litRedirect("https://other.test/x", 301, "https://www.other.test/x"), litPage("https://www.other.test/x")),
		},
	})
}

func TestRedirectChainFixture(t *testing.T) { testFixture(t, RedirectChain) }
