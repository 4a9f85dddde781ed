package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestDeprecatedStatus(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	entry := func(status int, location string) *crawler.Graph {
		r := litRedirect(site+"/x", status, location)
		if location == "" {
			r.Redirect.Locations = nil
		}
		return litGraph([]crawler.Reference{litLink(home, site+"/x")}, litPage(home), r)
	}
	litCheck(t, DeprecatedStatus, []litCase{
		{
			name:  "300 with a Location",
			graph: entry(300, site+"/a"),
			want:  []string{"warning http://site.test/x http://site.test/ 300 http://site.test/a 0"},
			words: []string{"answers 300 Multiple Choices, which browsers and Googlebot do not follow; answer 301 or 308"},
		},
		{name: "305", graph: entry(305, "http://proxy.test:8080/"), want: []string{"warning http://site.test/x http://site.test/ 305 http://proxy.test:8080/ 0"}, words: []string{"305 Use Proxy, deprecated"}},
		{name: "306", graph: entry(306, ""), want: []string{"warning http://site.test/x http://site.test/ 306 - 0"}, words: []string{"306, a reserved, unused code"}},
		{name: "unknown 399", graph: entry(399, site+"/new"), want: []string{"warning http://site.test/x http://site.test/ 399 http://site.test/new 0"}, words: []string{"answers 399, an undefined 3xx code that clients treat as 300"}},
		{
			name: "at the end of chains, once",
			graph: litGraph([]crawler.Reference{litLink(site+"/z", site+"/a"), litLink(site+"/m", site+"/b")},
				litRedirect(site+"/a", 301, site+"/choices"), litRedirect(site+"/b", 302, site+"/choices"),
				&crawler.Response{URL: site + "/choices", Status: 300}),
			want: []string{"warning http://site.test/choices http://site.test/m 300 - 0"},
		},
		{
			name: "an entry and the end of a chain",
			graph: litGraph([]crawler.Reference{litSeed(site + "/choices"), litLink(site+"/z", site+"/a")},
				litRedirect(site+"/a", 301, site+"/choices"), &crawler.Response{URL: site + "/choices", Status: 300}),
			want: []string{"warning http://site.test/choices http://site.test/z 300 - 0"},
		},
		{name: "silent: 304", graph: entry(304, "")},
		{name: "silent: 301", graph: entry(301, site+"/new")},
		{name: "silent: 307", graph: entry(307, site+"/new")},
		{name: "silent: 200", graph: entry(200, "")},
		{
			name:  "silent: another site",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/")}, &crawler.Response{URL: "https://other.test/", Status: 300}),
		},
		{
			name:  "silent: not reached from any entry",
			graph: litGraph([]crawler.Reference{litSeed(home)}, litPage(home), &crawler.Response{URL: site + "/orphan", Status: 300}),
		},
	})
}

func TestDeprecatedStatusFixture(t *testing.T) { testFixture(t, DeprecatedStatus) }
