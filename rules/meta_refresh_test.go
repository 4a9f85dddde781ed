package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestMetaRefresh(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	notFound := litRefresh(site+"/gone", crawler.HopMetaRefresh, 0, site+"/new")
	notFound.Status = 404
	litCheck(t, MetaRefresh, []litCase{
		{
			name: "instant meta refresh",
			graph: litGraph([]crawler.Reference{litSeed(home), litLink(home, site+"/instant")},
				litPage(home), litRefresh(site+"/instant", crawler.HopMetaRefresh, 0, site+"/new"), litPage(site+"/new")),
			want:  []string{"warning http://site.test/instant http://site.test/ 200 http://site.test/new 0"},
			words: []string{"meta refresh sends visitors to http://site.test/new at once", "permanent", "301 or 308"},
		},
		{
			name: "delayed Refresh header",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/later")},
				litRefresh(site+"/later", crawler.HopRefreshHeader, 5, site+"/new"), litPage(site+"/new")),
			want:  []string{"warning http://site.test/later http://site.test/ 200 http://site.test/new 0"},
			words: []string{"Refresh header sends visitors to http://site.test/new after 5 seconds", "temporary", "301 or 308"},
		},
		{
			name: "fractional delay",
			graph: litGraph([]crawler.Reference{litSeed(site + "/later")},
				litRefresh(site+"/later", crawler.HopMetaRefresh, 1.5, site+"/new"), litPage(site+"/new")),
			want:  []string{"warning http://site.test/later - 200 http://site.test/new 0"},
			words: []string{"after 1.5 seconds"},
		},
		{
			name: "reported once in the middle of several chains",
			graph: litGraph([]crawler.Reference{
				litLink(site+"/z", site+"/via"),
				litLink(site+"/m", site+"/via2"),
				litSeed(site + "/refresh"),
			},
				litRedirect(site+"/via", 301, site+"/refresh"),
				litRedirect(site+"/via2", 308, site+"/refresh"),
				litRefresh(site+"/refresh", crawler.HopMetaRefresh, 0, site+"/new"), litPage(site+"/new")),
			want: []string{"warning http://site.test/refresh http://site.test/m 200 http://site.test/new 0"},
		},
		{
			name: "refresh chain to refresh",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a")},
				litRefresh(site+"/a", crawler.HopMetaRefresh, 0, site+"/b"),
				litRefresh(site+"/b", crawler.HopRefreshHeader, 3, site+"/c"), litPage(site+"/c")),
			want: []string{
				"warning http://site.test/a http://site.test/ 200 http://site.test/b 0",
				"warning http://site.test/b http://site.test/ 200 http://site.test/c 0",
			},
		},
		{
			name: "silent: refresh on a 404 is no redirect",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/gone")},
				notFound, litPage(site+"/new")),
		},
		{
			name: "silent: server redirects",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/old")},
				litRedirect(site+"/old", 301, site+"/new"), litPage(site+"/new")),
		},
		{
			name: "silent: refresh on another site",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/r")},
				litRefresh("https://other.test/r", crawler.HopMetaRefresh, 0, "https://other.test/"), litPage("https://other.test/")),
		},
		{
			name: "silent: no entry reaches the page",
			graph: litGraph([]crawler.Reference{litSeed(home)},
				litPage(home), litRefresh(site+"/orphan", crawler.HopMetaRefresh, 0, site+"/new")),
		},
	})
}

func TestMetaRefreshFixture(t *testing.T) { testFixture(t, MetaRefresh) }
