package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

func TestExternalRedirect(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	litCheck(t, ExternalRedirect, []litCase{
		{
			name: "redirect to another site",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/out")},
				litPage(home), litRedirect(site+"/out", 301, "https://other.test/landing"), litPage("https://other.test/landing")),
			want:  []string{"notice http://site.test/out http://site.test/ 301 https://other.test/landing 0"},
			words: []string{"redirects to another site, https://other.test/landing; check that this is intended"},
		},
		{
			name: "middle of a chain, reported once; refresh hops count",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a"), litLink(site+"/p", site+"/out"), litLink(home, site+"/r")},
				litPage(home),
				litRedirect(site+"/a", 301, site+"/out"),
				litRedirect(site+"/out", 302, "https://shop.other.test/"), litPage("https://shop.other.test/"),
				litRefresh(site+"/r", crawler.HopMetaRefresh, 0, "https://other.test/")),
			want: []string{
				"notice http://site.test/out http://site.test/ 302 https://shop.other.test/ 0",
				"notice http://site.test/r http://site.test/ 200 https://other.test/ 0",
			},
		},
		{
			name: "silent: www, subdomains, https, other sites' own redirects",
			graph: litGraph([]crawler.Reference{
				litLink(home, site+"/www"),
				litLink(home, site+"/blog"),
				litLink(home, site+"/s"),
				litLink(home, "https://other.test/go"),
			},
				litPage(home),
				litRedirect(site+"/www", 301, "http://www.site.test/www"), litPage("http://www.site.test/www"),
				litRedirect(site+"/blog", 301, "https://blog.site.test/"), litPage("https://blog.site.test/"),
				litRedirect(site+"/s", 301, "https://site.test/s"), litPage("https://site.test/s"),
				litRedirect("https://other.test/go", 301, "https://another.test/")),
		},
	})
}

func TestExternalRedirectFixture(t *testing.T) { testFixture(t, ExternalRedirect) }

// TestExpectedMoves: a redirect map that asks for a domain move or for a
// query to be dropped silences external-redirect and query-dropped for
// those rows, and only those.
func TestExpectedMoves(t *testing.T) {
	const site = "http://site.test"
	g := litGraph([]crawler.Reference{litSeed(site + "/moved"), litSeed(site + "/moved-too"), litSeed(site + "/p?id=1"), litSeed(site + "/q?id=2")},
		litRedirect(site+"/moved", 301, "https://new.test/moved"),
		litRedirect(site+"/moved-too", 301, "https://new.test/moved-too"),
		litRedirect(site+"/p?id=1", 301, site+"/products"),
		litRedirect(site+"/q?id=2", 301, site+"/products"),
		litPage("https://new.test/moved"), litPage("https://new.test/moved-too"), litPage(site+"/products"))
	expect := map[string]string{site + "/moved": "https://new.test/moved", site + "/p?id=1": site + "/products"}
	for _, tc := range []struct {
		rule *audit.Rule
		want string // the one URL still reported
	}{
		{ExternalRedirect, site + "/moved-too"},
		{QueryDropped, site + "/q?id=2"},
	} {
		rep := (&audit.Engine{Rules: []*audit.Rule{tc.rule}, Expect: expect}).Run(g)
		if len(rep.Findings) != 1 || rep.Findings[0].URL != tc.want {
			t.Errorf("%s with the map: %+v; want one finding for %s", tc.rule.Name, rep.Findings, tc.want)
		}
		if rep := (&audit.Engine{Rules: []*audit.Rule{tc.rule}}).Run(g); len(rep.Findings) != 2 {
			t.Errorf("%s without a map: %d findings, want 2", tc.rule.Name, len(rep.Findings))
		}
	}
}
