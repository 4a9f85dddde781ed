package rules

import (
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

// The unit tests of the first half of the catalogue use the literal
// graph helpers of refs_test.go (litGraph, litRedirect, litCheck, ...).

func TestReachedURLs(t *testing.T) {
	const s = "http://site.test"
	g := litGraph([]crawler.Reference{
		litSeed(s + "/"),
		litLink(s+"/", s+"/a"),
		litLink(s+"/", s+"/b"),
		litLink(s+"/z", s+"/b"),
		litLink(s+"/", s+"/loop"),
	},
		litPage(s+"/"),
		litRedirect(s+"/a", 301, s+"/mid"),
		litRedirect(s+"/b", 302, s+"/mid"),
		litRedirect(s+"/mid", 307, s+"/end"),
		litPage(s+"/end"),
		litRedirect(s+"/loop", 301, s+"/loop"),
		litPage(s+"/unreached"),
	)
	var got []string
	for _, x := range g.Reached() {
		hop := "-"
		if x.Hop != nil {
			hop = x.Hop.Target
		}
		got = append(got, x.URL+" "+hop+" "+strings.Join(x.Entries, ",")+" "+orDash(x.Source))
	}
	want := []string{
		"http://site.test/ - http://site.test/ -",
		"http://site.test/a http://site.test/mid http://site.test/a http://site.test/",
		"http://site.test/b http://site.test/mid http://site.test/b http://site.test/",
		"http://site.test/end - http://site.test/a,http://site.test/b http://site.test/",
		"http://site.test/loop http://site.test/loop http://site.test/loop http://site.test/",
		"http://site.test/mid http://site.test/end http://site.test/a,http://site.test/b http://site.test/",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reachedURLs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReachedURLsUnfetched(t *testing.T) {
	const s = "http://site.test"
	g := litGraph([]crawler.Reference{litLink(s+"/", s+"/gone"), litLink(s+"/", s+"/out")},
		litRedirect(s+"/out", 301, "https://other.test/"))
	xs := g.Reached()
	if len(xs) != 3 {
		t.Fatalf("got %d URLs, want 3", len(xs))
	}
	for _, x := range xs {
		if x.URL != s+"/out" && x.Response != nil {
			t.Errorf("%s: response %v, want nil", x.URL, x.Response)
		}
	}
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
		if got := chainPath(g.ChainOf(entry)); got != want {
			t.Errorf("chainPath(%s) =\n%s\nwant\n%s", entry, got, want)
		}
	}
}
