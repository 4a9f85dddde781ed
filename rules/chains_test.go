package rules

import (
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// The unit tests of the first half of the catalogue use the literal
// graph helpers of refs_test.go (litGraph, litRedirect, litCheck, ...).

// TestReachedURLs: every redirecting URL reached from an entry, once,
// with the entries that reach it and the source to name; plain answers
// are left out, but an entry or final URL that answers 3xx without a
// usable Location is kept.
func TestReachedURLs(t *testing.T) {
	const s = "http://site.test"
	g := litGraph([]crawler.Reference{
		litSeed(s + "/"),
		litLink(s+"/", s+"/a"),
		litLink(s+"/", s+"/b"),
		litLink(s+"/z", s+"/b"),
		litLink(s+"/", s+"/loop"),
		litLink(s+"/", s+"/noloc"),
		litLink(s+"/", s+"/c"),
	},
		litPage(s+"/"),
		litRedirect(s+"/a", 301, s+"/mid"),
		litRedirect(s+"/b", 302, s+"/mid"),
		litRedirect(s+"/mid", 307, s+"/end"),
		litPage(s+"/end"),
		litRedirect(s+"/loop", 301, s+"/loop"),
		litPage(s+"/unreached"),
		&crawler.Response{URL: s + "/noloc", Status: 302, Redirect: &crawler.Redirect{}},
		litRedirect(s+"/c", 301, s+"/nolocfinal"),
		&crawler.Response{URL: s + "/nolocfinal", Status: 301, Redirect: &crawler.Redirect{}},
	)
	var got []string
	litPass(t, g, func(p *audit.Pass) {
		for _, x := range p.Reached() {
			hop := "-"
			if x.Hop != nil {
				hop = x.Hop.Target
			}
			got = append(got, x.URL+" "+hop+" "+strings.Join(x.Entries, ",")+" "+orDash(x.Source))
		}
	})
	want := []string{
		"http://site.test/a http://site.test/mid http://site.test/a http://site.test/",
		"http://site.test/b http://site.test/mid http://site.test/b http://site.test/",
		"http://site.test/c http://site.test/nolocfinal http://site.test/c http://site.test/",
		"http://site.test/loop http://site.test/loop http://site.test/loop http://site.test/",
		"http://site.test/mid http://site.test/end http://site.test/a,http://site.test/b http://site.test/",
		"http://site.test/noloc - http://site.test/noloc http://site.test/",
		"http://site.test/nolocfinal - http://site.test/c http://site.test/",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reachedURLs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReachedURLsUnfetched: a URL that was not fetched is not a
// redirect the crawl saw; the redirect that leads to one is.
func TestReachedURLsUnfetched(t *testing.T) {
	const s = "http://site.test"
	g := litGraph([]crawler.Reference{litLink(s+"/", s+"/gone"), litLink(s+"/", s+"/out")},
		litRedirect(s+"/out", 301, "https://other.test/"))
	litPass(t, g, func(p *audit.Pass) {
		xs := p.Reached()
		if len(xs) != 1 || xs[0].URL != s+"/out" || xs[0].Hop == nil {
			t.Errorf("got %+v; want /out alone, with its hop", xs)
		}
	})
}

func TestChainPath(t *testing.T) {
	const s = "http://site.test"
	refresh := &crawler.Response{URL: s + "/r", Status: 200, Refresh: &crawler.Refresh{Kind: crawler.HopMetaRefresh, URL: s + "/c"}}
	blocked := &crawler.Response{URL: s + "/private/x", Blocked: true}
	neterr := &crawler.Response{URL: "http://down.test/", Error: "connection refused"}
	g := litGraph([]crawler.Reference{
		litSeed(s + "/a"), litSeed(s + "/loop"), litSeed(s + "/p"), litSeed(s + "/e"), litSeed(s + "/u"),
	},
		litRedirect(s+"/a", 301, s+"/b"),
		litRedirect(s+"/b", 302, s+"/r"),
		refresh,
		&crawler.Response{URL: s + "/c", Status: 404},
		litRedirect(s+"/loop", 308, s+"/loop2"),
		litRedirect(s+"/loop2", 308, s+"/loop"),
		litRedirect(s+"/p", 301, s+"/private/x"), blocked,
		litRedirect(s+"/e", 301, "http://down.test/"), neterr,
		litRedirect(s+"/u", 301, "http://far.test/"),
	)
	for entry, want := range map[string]string{
		s + "/a":    "301 http://site.test/a > 302 http://site.test/b > 200 http://site.test/r (meta refresh) > 404 http://site.test/c",
		s + "/loop": "308 http://site.test/loop > 308 http://site.test/loop2 > back to http://site.test/loop",
		s + "/p":    "301 http://site.test/p > http://site.test/private/x (blocked by robots.txt)",
		s + "/e":    "301 http://site.test/e > http://down.test/ (network error)",
		s + "/u":    "301 http://site.test/u > http://far.test/ (not fetched)",
	} {
		c := g.Follow(entry)
		if got := chainPath(&c); got != want {
			t.Errorf("chainPath(%s) =\n%s\nwant\n%s", entry, got, want)
		}
	}
}
