package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestBrokenRedirect(t *testing.T) {
	const home, s = "http://site.test/", "http://site.test"
	status := func(u string, code int) *crawler.Response { return &crawler.Response{URL: u, Status: code} }
	litCheck(t, BrokenRedirect, []litCase{
		{
			name:  "404 after one redirect",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/old")}, litRedirect(s+"/old", 301, s+"/gone"), status(s+"/gone", 404)),
			want:  []string{"error http://site.test/old http://site.test/ 404 http://site.test/gone 1"},
			words: []string{"ends at http://site.test/gone, which answers 404, after 1 redirect; point the redirect at a page that answers 200, or let http://site.test/old answer 404 or 410 itself"},
		},
		{
			name: "5xx and 410 after chains",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litSeed(s + "/b")},
				litRedirect(s+"/a", 302, s+"/a2"), litRedirect(s+"/a2", 301, s+"/err"), status(s+"/err", 500),
				litRedirect(s+"/b", 301, s+"/retired"), status(s+"/retired", 410)),
			want: []string{
				"error http://site.test/a http://site.test/ 500 http://site.test/err 2",
				"error http://site.test/b - 410 http://site.test/retired 1",
			},
		},
		{
			name: "network error",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/down")},
				litRedirect(s+"/down", 301, "http://127.0.0.1:1/down"), &crawler.Response{URL: "http://127.0.0.1:1/down", Error: "connection refused"}),
			want:  []string{"error http://site.test/down http://site.test/ 0 http://127.0.0.1:1/down 1"},
			words: []string{"which fails to load (connection refused), after 1 redirect"},
		},
		{
			name: "an error after the page answered",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/slow")},
				litRedirect(s+"/slow", 301, s+"/big"), &crawler.Response{URL: s + "/big", Status: 200, Error: "timeout reading body"}),
			want: []string{"error http://site.test/slow http://site.test/ 200 http://site.test/big 1"},
		},
		{
			name: "the link into a broken chain on another site is broken",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/dead")},
				litRedirect("https://other.test/dead", 301, "https://other.test/dead2"), status("https://other.test/dead2", 404)),
			want: []string{"error https://other.test/dead http://site.test/ 404 https://other.test/dead2 1"},
		},
		{
			name: "not broken: 200, robots-blocked, unfetched, loop, too long, unfollowable 3xx",
			graph: litGraph([]crawler.Reference{
				litLink(home, s+"/fine"), litLink(home, s+"/to-private"), litLink(home, s+"/out"), litLink(home, s+"/loop"),
				litLink(home, s+"/z0"), litLink(home, s+"/to-nowhere"), litLink(home, s+"/to-bad"),
			},
				append(litLine(s+"/z", 25, 301),
					litRedirect(s+"/fine", 301, s+"/new"), litPage(s+"/new"),
					litRedirect(s+"/to-private", 301, s+"/private/x"), &crawler.Response{URL: s + "/private/x", Blocked: true},
					litRedirect(s+"/out", 301, "https://far.test/"),
					litRedirect(s+"/loop", 301, s+"/loop"),
					litRedirect(s+"/to-nowhere", 301, s+"/noloc"), status(s+"/noloc", 302),
					litRedirect(s+"/to-bad", 301, s+"/bad"), &crawler.Response{URL: s + "/bad", Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/%zz"}, LocationErr: "invalid URL escape"}, Error: "failed to parse Location"},
				)...),
		},
		{
			name:  "a 404 that is not reached by a redirect is not this rule's",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/missing")}, status(s+"/missing", 404)),
		},
	})
}

func TestBrokenRedirectFixture(t *testing.T) { testFixture(t, BrokenRedirect) }
