package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestRedirectToBlocked(t *testing.T) {
	const home, site = "http://site.test/", "http://site.test"
	blocked := func(u string) *crawler.Response { return &crawler.Response{URL: u, Blocked: true} }
	litCheck(t, RedirectToBlocked, []litCase{
		{
			name: "redirect to a disallowed URL",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/account")},
				litPage(home), litRedirect(site+"/account", 302, site+"/private/members"), blocked(site+"/private/members")),
			want:  []string{"warning http://site.test/account http://site.test/ 302 http://site.test/private/members 1"},
			words: []string{"redirects to http://site.test/private/members, which robots.txt disallows: crawlers cannot follow it", "remove the links to http://site.test/account or point them at a crawlable page"},
		},
		{
			name: "each entry of a chain",
			graph: litGraph([]crawler.Reference{litLink(home, site+"/a"), litLink(home, site+"/b")},
				litPage(home), litRedirect(site+"/a", 301, site+"/b"), litRedirect(site+"/b", 307, site+"/private/x"), blocked(site+"/private/x")),
			want: []string{
				"warning http://site.test/a http://site.test/ 301 http://site.test/private/x 2",
				"warning http://site.test/b http://site.test/ 307 http://site.test/private/x 1",
			},
			words: []string{"which robots.txt disallows"},
		},
		{
			name: "internal URL redirects into another site's disallowed URL",
			graph: litGraph([]crawler.Reference{litSeed(site + "/out")},
				litRedirect(site+"/out", 301, "https://other.test/private"), blocked("https://other.test/private")),
			want: []string{"warning http://site.test/out - 301 https://other.test/private 1"},
		},
		{
			name: "silent: a blocked link, a clean redirect, a chain only through other sites",
			graph: litGraph([]crawler.Reference{
				litLink(home, site+"/private/page"),
				litLink(home, site+"/moved"),
				litLink(home, "https://other.test/go"),
			},
				litPage(home), blocked(site+"/private/page"),
				litRedirect(site+"/moved", 301, site+"/new"), litPage(site+"/new"),
				litRedirect("https://other.test/go", 302, "https://other.test/private"), blocked("https://other.test/private")),
		},
	})
}

func TestRedirectToBlockedFixture(t *testing.T) { testFixture(t, RedirectToBlocked) }
