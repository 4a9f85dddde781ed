package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestRedirectLoop(t *testing.T) {
	const home, s = "http://site.test/", "http://site.test"
	refresh := func(u string, delay float64, target string) *crawler.Response {
		return &crawler.Response{URL: u, Status: 200, Refresh: &crawler.Refresh{Kind: crawler.HopMetaRefresh, Delay: delay, URL: target}}
	}
	litCheck(t, RedirectLoop, []litCase{
		{
			name:  "self-redirect",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/self")}, litRedirect(s+"/self", 301, s+"/self")),
			want:  []string{"error http://site.test/self http://site.test/ 301 http://site.test/self 1"},
			words: []string{"301 to itself, a redirect loop; make it answer 200"},
		},
		{
			name: "two URLs linked both: one finding at the first",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/pong"), litLink(s+"/other", s+"/ping")},
				litRedirect(s+"/ping", 302, s+"/pong"), litRedirect(s+"/pong", 302, s+"/ping")),
			want:  []string{"error http://site.test/ping http://site.test/other 302 http://site.test/ping 2"},
			words: []string{"redirect loop: 302 http://site.test/ping > 302 http://site.test/pong > back to http://site.test/ping; also entered from http://site.test/pong; make one URL"},
		},
		{
			name: "entered from outside: reported at the entry, with its hops",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/into")},
				litRedirect(s+"/into", 301, s+"/r1"), litRedirect(s+"/r1", 301, s+"/r2"), litRedirect(s+"/r2", 301, s+"/r3"), litRedirect(s+"/r3", 301, s+"/r1")),
			want:  []string{"error http://site.test/into http://site.test/ 301 http://site.test/r1 4"},
			words: []string{"301 http://site.test/into > 301 http://site.test/r1 > 301 http://site.test/r2 > 301 http://site.test/r3 > back to http://site.test/r1"},
		},
		{
			name: "entries inside the loop win over entries leading into it",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a-into"), litLink(home, s+"/b-into"), litSeed(s + "/r2")},
				litRedirect(s+"/a-into", 301, s+"/r1"), litRedirect(s+"/b-into", 301, s+"/r1"),
				litRedirect(s+"/r1", 301, s+"/r2"), litRedirect(s+"/r2", 301, s+"/r1")),
			want:  []string{"error http://site.test/r2 http://site.test/ 301 http://site.test/r2 2"},
			words: []string{"also entered from http://site.test/a-into, http://site.test/b-into"},
		},
		{
			name: "separate loops are separate findings",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litLink(home, s+"/b")},
				litRedirect(s+"/a", 301, s+"/a"), litRedirect(s+"/b", 307, s+"/b")),
			want: []string{
				"error http://site.test/a http://site.test/ 301 http://site.test/a 1",
				"error http://site.test/b http://site.test/ 307 http://site.test/b 1",
			},
		},
		{
			name: "http and https",
			graph: litGraph([]crawler.Reference{litSeed(s + "/tls")},
				litRedirect(s+"/tls", 301, "https://site.test/tls"), litRedirect("https://site.test/tls", 301, s+"/tls")),
			want: []string{"error http://site.test/tls - 301 http://site.test/tls 2"},
		},
		{
			name: "an instant refresh loops, a delayed one is a slideshow",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/m1"), litLink(home, s+"/slide1")},
				litRedirect(s+"/m1", 302, s+"/m2"), refresh(s+"/m2", 0, s+"/m1"),
				refresh(s+"/slide1", 10, s+"/slide2"), refresh(s+"/slide2", 10, s+"/slide1")),
			want: []string{"error http://site.test/m1 http://site.test/ 302 http://site.test/m1 2"},
		},
		{
			name: "a loop on another site kills the link",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/x")},
				litRedirect("https://other.test/x", 302, "https://other.test/x")),
			want: []string{"error https://other.test/x http://site.test/ 302 https://other.test/x 1"},
		},
		{
			name: "chains that end are not loops",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a")},
				litRedirect(s+"/a", 301, s+"/b"), litRedirect(s+"/b", 301, s+"/c"), litPage(s+"/c")),
		},
	})
}

func TestRedirectLoopFixture(t *testing.T) { testFixture(t, RedirectLoop) }
