package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestRedirectTargetNotIndexable(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	to := func(final *crawler.Response) *crawler.Graph {
		return litGraph([]crawler.Reference{litLink(home, site+"/old")},
			litPage(home), litRedirect(site+"/old", 301, final.URL), final, litPage(site+"/canonical"), litPage("https://news.test/story"))
	}
	page := func(noindex bool, canonical string) *crawler.Response {
		r := litPage(site + "/new")
		r.Noindex, r.Canonical = noindex, canonical
		return r
	}
	gone := page(true, "")
	gone.Status = 404
	litCheck(t, RedirectTargetNotIndexable, []litCase{
		{
			name:  "noindex",
			graph: to(page(true, "")),
			want:  []string{"warning http://site.test/old http://site.test/ 301 http://site.test/new 1"},
			words: []string{"redirects to http://site.test/new, which is noindex; redirect to an indexable page, or remove the noindex"},
		},
		{
			name:  "canonical elsewhere",
			graph: to(page(false, site+"/canonical")),
			want:  []string{"warning http://site.test/old http://site.test/ 301 http://site.test/new 1"},
			words: []string{"redirects to http://site.test/new, whose canonical is http://site.test/canonical; redirect straight to http://site.test/canonical"},
		},
		{
			name:  "both",
			graph: to(page(true, site+"/canonical")),
			want:  []string{"warning http://site.test/old http://site.test/ 301 http://site.test/new 1"},
			words: []string{"which is noindex and names http://site.test/canonical as canonical"},
		},
		{
			name: "two hops, every entry",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a"), litSeed(site + "/b")},
				litPage(home), litRedirect(site+"/a", 301, site+"/b"), litRedirect(site+"/b", 308, site+"/new"), page(true, "")),
			want: []string{
				"warning http://site.test/a http://site.test/ 301 http://site.test/new 2",
				"warning http://site.test/b - 308 http://site.test/new 1",
			},
		},
		{
			name: "silent: a chain not followed to its end has no target to judge",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/old")},
				litPage(home), litRedirect(site+"/old", 301, site+"/new")),
		},
		{name: "silent: self canonical", graph: to(page(false, site+"/new"))},
		{name: "silent: canonical on another site (syndication)", graph: to(page(false, "https://news.test/story"))},
		{name: "silent: canonical not fetched", graph: to(page(false, site+"/unknown"))},
		{name: "silent: indexable", graph: to(page(false, ""))},
		{name: "silent: 404 with noindex", graph: to(gone)},
		{
			name: "silent: final page on another site",
			graph: func() *crawler.Graph {
				r := litPage("https://other.test/")
				r.Noindex = true
				return to(r)
			}(),
		},
		{
			name: "silent: noindex page linked directly",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/new")},
				litPage(home), page(true, site+"/x")),
		},
	})
}

func TestRedirectTargetNotIndexableFixture(t *testing.T) { testFixture(t, RedirectTargetNotIndexable) }
