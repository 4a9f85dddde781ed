package output

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestChainRows(t *testing.T) {
	g := fixtureGraph()
	for _, tc := range []struct {
		url  string
		want ChainRow
	}{
		// X-Redirect-By: "Yoast SEO", then "WordPress, Yoast SEO": each
		// name once, in chain order.
		{oldHTTP, ChainRow{URL: oldHTTP, FinalURL: newURL, FinalStatus: 200, Hops: 2, Temporary: true,
			Statuses: "301>302>200", Path: oldHTTP + " > " + oldHTTPS + " > " + newURL, RedirectBy: "Yoast SEO, WordPress"}},
		{loopA, ChainRow{URL: loopA, FinalURL: loopA, FinalStatus: 301, Hops: 2, Loop: true, Temporary: true,
			Statuses: "301>302>loop", Path: loopA + " > " + loopB + " > " + loopA}},
		{refresh, ChainRow{URL: refresh, FinalURL: newURL, FinalStatus: 200, Hops: 1, Temporary: true,
			Statuses: "meta-refresh>200", Path: refresh + " > " + newURL}},
		{toBlock, ChainRow{URL: toBlock, FinalURL: blocked, Hops: 1,
			Statuses: "301>blocked", Path: toBlock + " > " + blocked}},
		{broken, ChainRow{URL: broken, FinalURL: down, Hops: 1, Temporary: true,
			Statuses: "307>error", Path: broken + " > " + down}},
		{ext, ChainRow{URL: ext, FinalURL: "https://other.example.org/landing", Hops: 1,
			Statuses: "308>unfetched", Path: ext + " > https://other.example.org/landing"}},
		// A 302 without Location: a chain of no redirect in the reports,
		// whose X-Redirect-By is its final response's.
		{nowhere, ChainRow{URL: nowhere, FinalURL: nowhere, FinalStatus: 302, Statuses: "302", Path: nowhere, RedirectBy: "WordPress"}},
	} {
		c := g.ChainOf(tc.url)
		if c == nil {
			f := g.Follow(tc.url)
			c = &f
		}
		if got := chainRow(c, chainHopRows(g, c)); got != tc.want {
			t.Errorf("chainRow(%s)\n got %+v\nwant %+v", tc.url, got, tc.want)
		}
	}
}

func TestHopRowsFinalRow(t *testing.T) {
	g := fixtureGraph()
	for _, tc := range []struct {
		url  string
		want HopRow // the final row
	}{
		{oldHTTP, HopRow{Start: oldHTTP, Hop: 3, URL: newURL, Status: 200, Kind: FinalKind, ElapsedMS: 31}},
		{nowhere, HopRow{Start: nowhere, Hop: 1, URL: nowhere, Status: 302, Kind: FinalKind, ElapsedMS: 5, Error: "no Location", RedirectBy: "WordPress"}},
		{loopA, HopRow{Start: loopA, Hop: 3, URL: loopA, Status: 301, Location: "/loop-b", Target: loopB, Kind: FinalKind, ElapsedMS: 9, Error: "loop"}},
		{toBlock, HopRow{Start: toBlock, Hop: 2, URL: blocked, Kind: FinalKind, Error: "blocked by robots.txt"}},
		{broken, HopRow{Start: broken, Hop: 2, URL: down, Kind: FinalKind, ElapsedMS: 3, Error: badUTF8}},
		{ext, HopRow{Start: ext, Hop: 2, URL: "https://other.example.org/landing", Kind: FinalKind, Error: "not fetched"}},
	} {
		c := g.ChainOf(tc.url)
		if c == nil {
			f := g.Follow(tc.url)
			c = &f
		}
		rows := chainHopRows(g, c)
		if got := rows[len(rows)-1]; got != tc.want {
			t.Errorf("final row of %s\n got %+v\nwant %+v", tc.url, got, tc.want)
		}
	}

	rows := chainHopRows(g, g.ChainOf(refresh))
	want := HopRow{Start: refresh, Hop: 1, URL: refresh, Status: 200, Location: "5; URL='/new'", Target: newURL, Kind: "meta-refresh", ElapsedMS: 40}
	if len(rows) != 2 || rows[0] != want {
		t.Errorf("refresh hop rows = %+v; want first %+v", rows, want)
	}

	// Each redirect row has its own response's X-Redirect-By.
	rows = chainHopRows(g, g.ChainOf(oldHTTP))
	if got := []string{rows[0].RedirectBy, rows[1].RedirectBy, rows[2].RedirectBy}; !slices.Equal(got, []string{"Yoast SEO", "WordPress, Yoast SEO", ""}) {
		t.Errorf("x_redirect_by of the hop rows of %s = %q", oldHTTP, got)
	}
}

func TestTooLongAndBadLocation(t *testing.T) {
	g := &crawler.Graph{}
	u := func(i int) string { return fmt.Sprintf("https://example.com/%d", i) }
	for i := 0; i <= crawler.MaxHops+1; i++ {
		g.Add(&crawler.Response{URL: u(i), Status: 302, Redirect: &crawler.Redirect{Locations: []string{u(i + 1)}, Location: u(i + 1)}})
	}
	bad := "https://example.com/bad"
	g.Add(&crawler.Response{URL: bad, Status: 301, Redirect: &crawler.Redirect{Locations: []string{"http://[::1"}, LocationErr: "missing ']' in host"}})
	g.References = []crawler.Reference{{Kind: crawler.RefSeed, Target: u(0)}, {Kind: crawler.RefSeed, Target: bad}}

	c := g.ChainOf(u(0))
	if c == nil || c.End != crawler.EndTooLong {
		t.Fatalf("chain = %+v; want too-long", c)
	}
	row := chainRow(c, chainHopRows(g, c))
	if row.Hops != crawler.MaxHops || row.FinalStatus != 302 ||
		row.Statuses[len(row.Statuses)-len(">too-long"):] != ">too-long" {
		t.Errorf("too-long chain row = %+v", row)
	}
	rows := chainHopRows(g, c)
	wantFinal := HopRow{Start: u(0), Hop: crawler.MaxHops + 1, URL: u(crawler.MaxHops), Status: 302,
		Location: u(crawler.MaxHops + 1), Target: u(crawler.MaxHops + 1), Kind: FinalKind, Error: "more than 20 redirects"}
	if len(rows) != crawler.MaxHops+1 || !reflect.DeepEqual(rows[len(rows)-1], wantFinal) {
		t.Errorf("too-long final row = %+v; want %+v", rows[len(rows)-1], wantFinal)
	}

	// A 301 whose Location cannot be resolved does not redirect: it is
	// no chain of the graph's, which the rules read, but the reports
	// show it as a chain of no redirect (see TestStuckRows).
	if g.ChainOf(bad) != nil {
		t.Fatal("a 301 with a bad Location is not a chain entry")
	}
	c2 := g.Follow(bad)
	if got := chainHopRows(g, &c2)[0]; got.Error != "invalid Location: missing ']' in host" || got.Location != "http://[::1" || got.Hop != 1 {
		t.Errorf("bad Location final row = %+v", got)
	}
	if got := chainRow(&c2, chainHopRows(g, &c2)).Statuses; got != "301" {
		t.Errorf("bad Location statuses = %q", got)
	}
}

// TestSitemapRows: one row per sitemap of the graph with its source by
// name, in URL order even when the graph was built in another order,
// which is left as it was.
func TestSitemapRows(t *testing.T) {
	g := &crawler.Graph{Sitemaps: []crawler.Sitemap{
		{URL: "https://example.com/sitemap.xml", From: crawler.SitemapGuessed, Status: 404, Error: "status 404"},
		{URL: "https://example.com/b.xml", From: crawler.SitemapGiven, Status: 200, Entries: 3},
		{URL: "https://example.com/a.xml", From: crawler.SitemapRobots, Status: 200, Entries: 2, Index: true},
		{URL: "https://example.com/a/1.xml", From: crawler.SitemapIndex, Error: "not read: --max-pages was reached, no entry could be fetched"},
	}}
	built := slices.Clone(g.Sitemaps)
	want := []SitemapRow{
		{URL: "https://example.com/a.xml", From: "robots.txt", Status: 200, Entries: 2, Index: true},
		{URL: "https://example.com/a/1.xml", From: "index", Error: "not read: --max-pages was reached, no entry could be fetched"},
		{URL: "https://example.com/b.xml", From: "given", Status: 200, Entries: 3},
		{URL: "https://example.com/sitemap.xml", From: "guessed", Status: 404, Error: "status 404"},
	}
	if got := collect(sitemapRows(g)); !reflect.DeepEqual(got, want) {
		t.Errorf("sitemap rows\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(g.Sitemaps, built) {
		t.Errorf("the graph's sitemaps were reordered: %+v", g.Sitemaps)
	}
	if got := collect(sitemapRows(nil)); len(got) != 0 {
		t.Errorf("no graph: %+v", got)
	}
}

// TestStuckRows: an entry URL that answers a 3xx but sends the client
// nowhere (no Location, an empty or invalid one, a status clients do
// not follow) is a chain of no redirect in the hops and chains reports,
// between the redirect chains in entry URL order, with the reason in
// error; a chain that ends at such a URL says the same on its final
// row. The graph's chains, which the rules read, stay those that
// redirect.
func TestStuckRows(t *testing.T) {
	const (
		a       = "https://example.com/a" // 301 to /none: a chain
		none    = "https://example.com/none"
		empty   = "https://example.com/empty"
		invalid = "https://example.com/invalid"
		multi   = "https://example.com/multi"
		notMod  = "https://example.com/not-modified"
		page    = "https://example.com/page"
		proxy   = "https://example.com/proxy"
		robots  = "https://example.com/robots"
	)
	resps := []*crawler.Response{
		{URL: a, Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/none"}, Location: none}},
		{URL: none, Status: 302, Redirect: &crawler.Redirect{}},
		{URL: empty, Status: 307, Redirect: &crawler.Redirect{Locations: []string{" "}}},
		{URL: invalid, Status: 308, Redirect: &crawler.Redirect{Locations: []string{"http://[::1"}, LocationErr: "missing ']' in host"}},
		{URL: multi, Status: 300, Redirect: &crawler.Redirect{Locations: []string{"/en", "/fr"}, Location: "https://example.com/en"}},
		{URL: notMod, Status: 304, Redirect: &crawler.Redirect{}},
		{URL: page, Status: 200},
		{URL: proxy, Status: 305, Redirect: &crawler.Redirect{Locations: []string{"http://proxy.example/"}, Location: "http://proxy.example/"}},
		{URL: robots, Status: 302, Blocked: true},
	}
	g := &crawler.Graph{}
	for _, r := range resps {
		g.Add(r)
		g.References = append(g.References, crawler.Reference{Kind: crawler.RefAnchor, Source: page, Target: r.URL})
	}

	wantHops := []HopRow{
		{Start: a, Hop: 1, URL: a, Status: 301, Location: "/none", Target: none, Kind: "http"},
		{Start: a, Hop: 2, URL: none, Status: 302, Kind: FinalKind, Error: "no Location"},
		{Start: empty, Hop: 1, URL: empty, Status: 307, Location: " ", Kind: FinalKind, Error: "empty Location"},
		{Start: invalid, Hop: 1, URL: invalid, Status: 308, Location: "http://[::1", Kind: FinalKind, Error: "invalid Location: missing ']' in host"},
		{Start: multi, Hop: 1, URL: multi, Status: 300, Location: "/en", Kind: FinalKind, Error: "300 is not followed by clients"},
		{Start: none, Hop: 1, URL: none, Status: 302, Kind: FinalKind, Error: "no Location"},
		{Start: notMod, Hop: 1, URL: notMod, Status: 304, Kind: FinalKind, Error: "304 is not followed by clients"},
		{Start: proxy, Hop: 1, URL: proxy, Status: 305, Location: "http://proxy.example/", Kind: FinalKind, Error: "305 is not followed by clients"},
	}
	if got := collect(hopRows(g)); !reflect.DeepEqual(got, wantHops) {
		t.Errorf("hop rows\n got %+v\nwant %+v", got, wantHops)
	}
	wantChains := []ChainRow{
		{URL: a, FinalURL: none, FinalStatus: 302, Hops: 1, Statuses: "301>302", Path: a + " > " + none},
		{URL: empty, FinalURL: empty, FinalStatus: 307, Statuses: "307", Path: empty},
		{URL: invalid, FinalURL: invalid, FinalStatus: 308, Statuses: "308", Path: invalid},
		{URL: multi, FinalURL: multi, FinalStatus: 300, Statuses: "300", Path: multi},
		{URL: none, FinalURL: none, FinalStatus: 302, Statuses: "302", Path: none},
		{URL: notMod, FinalURL: notMod, FinalStatus: 304, Statuses: "304", Path: notMod},
		{URL: proxy, FinalURL: proxy, FinalStatus: 305, Statuses: "305", Path: proxy},
	}
	if got := collect(chainRows(g)); !reflect.DeepEqual(got, wantChains) {
		t.Errorf("chain rows\n got %+v\nwant %+v", got, wantChains)
	}
	var records []string
	for c := range chainRecords(g) {
		records = append(records, c.URL+" "+c.End)
	}
	if want := []string{a + " final", empty + " final", invalid + " final", multi + " final", none + " final", notMod + " final", proxy + " final"}; !slices.Equal(records, want) {
		t.Errorf("chain records %q; want %q", records, want)
	}
	if cs := g.Chains(); len(cs) != 1 || cs[0].URL() != a {
		t.Errorf("the graph's chains changed: %d of them", len(cs))
	}
}
