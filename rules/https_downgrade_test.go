package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestHTTPSDowngrade(t *testing.T) {
	const home = "http://site.test/"
	refresh := func(u string, kind crawler.HopKind, target string) *crawler.Response {
		return &crawler.Response{URL: u, Status: 200, Refresh: &crawler.Refresh{Kind: kind, URL: target}}
	}
	litCheck(t, HTTPSDowngrade, []litCase{
		{
			name:  "301 to http",
			graph: litGraph([]crawler.Reference{litLink(home, "https://site.test/a")}, litRedirect("https://site.test/a", 301, "http://site.test/b"), litPage("http://site.test/b")),
			want:  []string{"error https://site.test/a http://site.test/ 301 http://site.test/b 0"},
			words: []string{"301 from https to http://site.test/b; redirect to https://site.test/b instead"},
		},
		{
			name: "refreshes",
			graph: litGraph([]crawler.Reference{litLink(home, "https://site.test/m"), litLink(home, "https://site.test/h")},
				refresh("https://site.test/m", crawler.HopMetaRefresh, "http://site.test/x"), refresh("https://site.test/h", crawler.HopRefreshHeader, "http://site.test/x"), litPage("http://site.test/x")),
			want: []string{
				"error https://site.test/h http://site.test/ 200 http://site.test/x 0",
				"error https://site.test/m http://site.test/ 200 http://site.test/x 0",
			},
			words: []string{"200 (", ") from https to http://site.test/x"},
		},
		{
			name: "in the middle of a chain, once",
			graph: litGraph([]crawler.Reference{litLink(home, "http://site.test/start"), litSeed("http://site.test/again")},
				litRedirect("http://site.test/start", 301, "https://site.test/s2"), litRedirect("http://site.test/again", 301, "https://site.test/s2"),
				litRedirect("https://site.test/s2", 302, "http://site.test/s3"), litPage("http://site.test/s3")),
			want: []string{"error https://site.test/s2 http://site.test/ 302 http://site.test/s3 0"},
		},
		{
			name:  "to another site's http URL",
			graph: litGraph([]crawler.Reference{litLink(home, "https://site.test/out")}, litRedirect("https://site.test/out", 302, "http://other.test/page"), litPage("http://other.test/page")),
			want:  []string{"error https://site.test/out http://site.test/ 302 http://other.test/page 0"},
		},
		{
			name: "upgrades and https to https are fine; other sites' downgrades are theirs",
			graph: litGraph([]crawler.Reference{litLink(home, "http://site.test/up"), litLink(home, "https://site.test/tls"), litLink(home, "https://other.test/x")},
				litRedirect("http://site.test/up", 301, "https://site.test/up"), litPage("https://site.test/up"),
				litRedirect("https://site.test/tls", 302, "https://www.site.test/tls"), litPage("https://www.site.test/tls"),
				litRedirect("https://other.test/x", 301, "http://other.test/x"), litPage("http://other.test/x")),
		},
	})
}

func TestHTTPSDowngradeFixture(t *testing.T) { testFixture(t, HTTPSDowngrade) }
