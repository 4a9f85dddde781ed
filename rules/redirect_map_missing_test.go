package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestRedirectMapMissing(t *testing.T) {
	const s = "http://site.test"
	status := func(u string, code int) *crawler.Response { return &crawler.Response{URL: u, Status: code} }
	mapCheck(t, RedirectMapMissing, []mapCase{
		{
			name:   "the old page is still served",
			graph:  litGraph([]crawler.Reference{litSeed(s + "/old")}, litPage(s+"/old")),
			expect: []string{s + "/old", s + "/new"},
			want:   []string{"error http://site.test/old - 200 http://site.test/new 0"},
			words:  []string{"answers 200 instead of redirecting to http://site.test/new; answer 301 with Location: http://site.test/new"},
		},
		{
			name:   "404 and 410",
			graph:  litGraph([]crawler.Reference{litSeed(s + "/a"), litSeed(s + "/b")}, status(s+"/a", 404), status(s+"/b", 410)),
			expect: []string{s + "/a", s + "/new-a", s + "/b", s + "/new-b"},
			want: []string{
				"error http://site.test/a - 404 http://site.test/new-a 0",
				"error http://site.test/b - 410 http://site.test/new-b 0",
			},
		},
		{
			name:   "a 3xx no client follows",
			graph:  litGraph([]crawler.Reference{litSeed(s + "/a"), litSeed(s + "/b")}, status(s+"/a", 302), litLocation(s+"/b", 300, "/x")),
			expect: []string{s + "/a", s + "/new", s + "/b", s + "/new"},
			want: []string{
				"error http://site.test/a - 302 http://site.test/new 0",
				"error http://site.test/b - 300 http://site.test/new 0",
			},
			words: []string{"answers 302 without a Location clients follow, so nothing leads to http://site.test/new", "answers 300 without a Location"},
		},
		{
			name: "not verifiable: blocked, failed to load",
			graph: litGraph([]crawler.Reference{litSeed(s + "/private/a"), litSeed(s + "/down")},
				&crawler.Response{URL: s + "/private/a", Blocked: true}, &crawler.Response{URL: s + "/down", Error: "connection refused"}),
			expect: []string{s + "/private/a", s + "/new", s + "/down", s + "/new"},
			want: []string{
				"error http://site.test/down - 0 http://site.test/new 0",
				"error http://site.test/private/a - 0 http://site.test/new 0",
			},
			words: []string{"failed to load (connection refused): its redirect to http://site.test/new could not be checked", "robots.txt disallows it"},
		},
		{
			name: "not this rule's: redirects (anywhere), stays, not fetched, no map",
			graph: litGraph([]crawler.Reference{litSeed(s + "/ok"), litSeed(s + "/wrong"), litSeed(s + "/stays"), litSeed(s + "/refresh")},
				litRedirect(s+"/ok", 301, s+"/new"), litPage(s+"/new"),
				litRedirect(s+"/wrong", 302, s+"/"), litPage(s+"/"),
				litPage(s+"/stays"),
				litRefresh(s+"/refresh", crawler.HopMetaRefresh, 0, s+"/new")),
			expect: []string{s + "/ok", s + "/new", s + "/wrong", s + "/new", s + "/stays", s + "/stays", s + "/refresh", s + "/new", s + "/absent", s + "/new"},
		},
		{
			name:  "without a map the rule is silent",
			graph: litGraph([]crawler.Reference{litSeed(s + "/old")}, litPage(s+"/old")),
		},
	})
}

func TestRedirectMapMissingFixture(t *testing.T) { testMapFixture(t, RedirectMapMissing) }
