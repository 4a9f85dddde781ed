package crawler_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	crawlertest.Golden(t, filepath.Join("testdata", name), []byte(got), *update)
}

func crawl(t *testing.T, cfg crawler.Config) *crawler.Graph {
	t.Helper()
	g, err := crawler.Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func readSite(t *testing.T) *crawlertest.Site {
	t.Helper()
	fixture, err := os.ReadFile(filepath.Join("testdata", "site.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return crawlertest.New(t, string(fixture))
}

// TestCrawl crawls a site with every kind of redirect the crawler must
// record and compares the whole graph with a golden file.
func TestCrawl(t *testing.T) {
	site := readSite(t)
	g := crawl(t, site.Config("http://site.test/"))
	golden(t, "crawl.golden", crawlertest.Dump(g))

	hits := map[string]int{}
	for _, r := range site.Requests() {
		hits[r.URL]++
		if r.Method != http.MethodGet || r.Body != 0 {
			t.Errorf("%s %s with a %d-byte body: the crawler only sends GET without a body", r.Method, r.URL, r.Body)
		}
	}
	for u, n := range hits {
		if n > 1 {
			t.Errorf("%s fetched %d times", u, n)
		}
	}
	for _, u := range []string{"http://site.test/private/secret", "http://other.test/never"} {
		if hits[u] > 0 {
			t.Errorf("%s was fetched", u)
		}
	}
	for _, u := range []string{"http://site.test/subscribe", "http://site.test/only-in-sitemap", "http://other.test/there", "http://site.test/c13"} {
		if hits[u] != 1 {
			t.Errorf("%s fetched %d times, want once", u, hits[u])
		}
	}
	if c := g.ChainOf("http://site.test/c1"); c == nil || len(c.Hops) != 12 || c.End != crawler.EndFinal {
		t.Errorf("12-hop chain: %+v", c)
	}
	if c := g.ChainOf("http://site.test/via-fetched"); c == nil || len(c.Hops) != 3 || c.FinalURL() != "https://site.test/landing" {
		t.Errorf("chain through an already fetched URL: %+v", c)
	}
	if g.Stats.Blocked != 1 || g.Stats.Cancelled || g.Stats.MaxPagesReached {
		t.Errorf("stats: %+v", g.Stats)
	}
}

// TestListMode fetches exactly the listed URLs and their chains.
func TestListMode(t *testing.T) {
	site := readSite(t)
	cfg := site.Config("http://site.test/two-hop", "http://site.test/meta", "http://other.test/away")
	cfg.ListMode = true
	g := crawl(t, cfg)
	golden(t, "list.golden", crawlertest.Dump(g))
	want := []string{
		"http://site.test/robots.txt", "http://site.test/two-hop", "http://site.test/hop2",
		"https://site.test/robots.txt", "https://site.test/landing",
		"http://site.test/meta", "http://site.test/landing-meta",
		"http://other.test/robots.txt", "http://other.test/away", "http://other.test/there",
	}
	got := map[string]bool{}
	for _, r := range site.Requests() {
		got[r.URL] = true
	}
	for _, u := range want {
		if !got[u] {
			t.Errorf("%s not fetched", u)
		}
		delete(got, u)
	}
	for u := range got {
		t.Errorf("%s fetched in list mode", u)
	}
}

func TestMaxHops(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "-- /h%d 301 /h%d --\n", i, i+1)
	}
	site := crawlertest.New(t, b.String())
	cfg := site.Config("http://site.test/h0")
	cfg.ListMode = true
	g := crawl(t, cfg)
	c := g.ChainOf("http://site.test/h0")
	if c == nil || c.End != crawler.EndTooLong || len(c.Hops) != crawler.MaxHops {
		t.Fatalf("chain of 30 redirects: %+v", c)
	}
	if n := site.Hits("http://site.test/h21"); n != 0 {
		t.Errorf("/h21 fetched %d times: the crawler stops after %d redirects", n, crawler.MaxHops)
	}
	if n := site.Hits("http://site.test/h20"); n != 1 {
		t.Errorf("/h20 fetched %d times, want once", n)
	}
}

func TestLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- / --\n<a href=\"/d1\">1</a><a href=\"/skip/x\">x</a><a href=\"/keep/y\">y</a>\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "-- /d%d --\n<a href=\"/d%d\">next</a>\n", i, i+1)
	}
	fixture := b.String()

	t.Run("max-depth", func(t *testing.T) {
		site := crawlertest.New(t, fixture)
		cfg := site.Config("http://site.test/")
		cfg.MaxDepth = 3
		g := crawl(t, cfg)
		if g.Lookup("http://site.test/d3") == nil || g.Lookup("http://site.test/d4") != nil {
			t.Errorf("max depth 3: d3 fetched %v, d4 fetched %v", g.Lookup("http://site.test/d3") != nil, g.Lookup("http://site.test/d4") != nil)
		}
	})
	t.Run("max-pages", func(t *testing.T) {
		site := crawlertest.New(t, fixture)
		cfg := site.Config("http://site.test/")
		cfg.MaxPages = 4
		g := crawl(t, cfg)
		if g.Len() != 4 || !g.Stats.MaxPagesReached {
			t.Errorf("max pages 4: %d responses, reached=%v", g.Len(), g.Stats.MaxPagesReached)
		}
	})
	t.Run("include-exclude", func(t *testing.T) {
		site := crawlertest.New(t, fixture)
		cfg := site.Config("http://site.test/")
		cfg.Exclude = []*regexp.Regexp{regexp.MustCompile(`/skip/`)}
		cfg.Include = []*regexp.Regexp{regexp.MustCompile(`/(keep|skip)/`)}
		g := crawl(t, cfg)
		var got []string
		for r := range g.SortedResponses() {
			got = append(got, r.URL)
		}
		want := "http://site.test/ http://site.test/keep/y"
		if strings.Join(got, " ") != want {
			t.Errorf("fetched %v, want %s", got, want)
		}
	})
	t.Run("no-external", func(t *testing.T) {
		site := readSite(t)
		cfg := site.Config("http://site.test/")
		cfg.NoExternal = true
		crawl(t, cfg)
		for _, r := range site.Requests() {
			if strings.Contains(r.URL, "other.test") {
				t.Errorf("%s fetched with NoExternal", r.URL)
			}
		}
	})
}

// TestProxyFromEnvironment sends every request through the proxy named by
// HTTP_PROXY.
func TestProxyFromEnvironment(t *testing.T) {
	site := crawlertest.New(t, "-- / --\n<a href=\"/a\">a</a>\n-- /a 301 / --\n")
	target, _ := url.Parse(site.HTTP.URL)
	var mu sync.Mutex
	var proxied []string
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		mu.Lock()
		defer mu.Unlock()
		proxied = append(proxied, r.In.URL.String())
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}})
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	cfg := site.Config("http://site.test/")
	cfg.Resolve = nil // only the proxy knows where site.test is
	cfg.Concurrency = 1
	g := crawl(t, cfg)
	if r := g.Lookup("http://site.test/a"); r == nil || r.Status != 301 {
		t.Fatalf("through the proxy: /a = %+v", r)
	}
	want := []string{"http://site.test/", "http://site.test/a", "http://site.test/robots.txt", "http://site.test/sitemap.xml"}
	slices.Sort(proxied)
	if strings.Join(proxied, " ") != strings.Join(want, " ") {
		t.Errorf("proxied %v, want %v", proxied, want)
	}
}

// TestResolve reaches a host name that has no DNS record through an
// address given for it, as curl --resolve does.
func TestResolve(t *testing.T) {
	site := crawlertest.New(t, "-- //www.example.com/ --\n<p>staging</p>\n")
	cfg := site.Config("http://www.example.com/")
	cfg.Resolve = map[string]string{"WWW.example.com:80": site.HTTP.Listener.Addr().String()}
	g := crawl(t, cfg)
	if r := g.Lookup("http://www.example.com/"); r == nil || r.Status != 200 {
		t.Fatalf("resolved host: %+v", r)
	}
	if n := site.Hits("http://www.example.com/"); n != 1 {
		t.Errorf("the fixture saw %d requests for http://www.example.com/", n)
	}
}

// TestCancel cuts a crawl short: what was fetched is kept and the graph
// says the crawl was cancelled.
func TestCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- / --\n")
	for i := range 200 {
		fmt.Fprintf(&b, "<a href=\"/p%d\">p</a>\n", i)
	}
	site := crawlertest.New(t, b.String())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The tenth request (robots.txt is the first) cancels the crawl,
	// and it and every later one are held until the crawler lets go of
	// them: the crawl is cut while requests are in flight, whatever the
	// machine's speed.
	var requests atomic.Int32
	tenth := make(chan struct{})
	site.Hold = func(r *http.Request) {
		n := requests.Add(1)
		if n == 10 {
			close(tenth)
		}
		if n >= 10 {
			<-r.Context().Done()
		}
	}
	go func() {
		select {
		case <-tenth:
			cancel()
		case <-ctx.Done():
		}
	}()
	cfg := site.Config("http://site.test/")
	cfg.NoSitemaps = true
	cfg.Concurrency = 2
	g, err := crawler.Crawl(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	seen := g.Len()
	if !g.Stats.Cancelled {
		t.Error("Stats.Cancelled is false")
	}
	if seen == 0 || seen > 8 {
		t.Errorf("%d responses after cancelling; want 1 to 8, the pages answered before", seen)
	}
	for r := range g.Responses() {
		if r.Error != "" {
			t.Errorf("%s recorded with error %q: a cancelled request is not the site's fault", r.URL, r.Error)
		}
	}
}

// TestBodies: a body over the limit is cut and marked; a slow server
// runs into the timeout and is recorded with an error.
func TestBodies(t *testing.T) {
	site := crawlertest.New(t, "-- /big --\n"+strings.Repeat("<p>lorem ipsum</p>\n", 1000))
	cfg := site.Config("http://site.test/big")
	cfg.ListMode = true
	cfg.IgnoreRobots = true
	cfg.MaxBody = 1000
	if r := crawl(t, cfg).Lookup("http://site.test/big"); r == nil || !r.Truncated || r.Bytes != 1000 {
		t.Errorf("big body: %+v", r)
	}

	// The slow server never ends its body and is the only request of
	// its crawl: a short timeout cuts it, however slow the machine.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("x"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer slow.Close()
	cfg = site.Config("http://slow.test/")
	cfg.ListMode = true
	cfg.IgnoreRobots = true
	cfg.Timeout = 500 * time.Millisecond
	cfg.Resolve["slow.test:80"] = slow.Listener.Addr().String()
	// The head may or may not have arrived by then, on a busy machine.
	if r := crawl(t, cfg).Lookup("http://slow.test/"); r == nil || !strings.Contains(r.Error, "not received within the 500ms timeout") {
		t.Errorf("slow body: %+v", r)
	}
}

// TestSitemapIndex follows robots.txt to a sitemap index and a gzip
// sitemap; a URL listed only there is crawled.
func TestSitemapIndex(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`<urlset><url><loc>http://site.test/hidden</loc></url></urlset>`))
	_ = zw.Close()
	site := crawlertest.New(t, `
-- /robots.txt --
Sitemap: http://site.test/index.xml
-- /index.xml --
> Content-Type: application/xml
<sitemapindex><sitemap><loc>http://files.test/pages.xml.gz</loc></sitemap></sitemapindex>
-- / --
home
-- /hidden 301 /found --
-- /found --
found
`)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-gzip")
		_, _ = w.Write(gz.Bytes())
	}))
	defer files.Close()
	cfg := site.Config("http://site.test/")
	cfg.Resolve["files.test:80"] = files.Listener.Addr().String()
	g := crawl(t, cfg)
	c := g.ChainOf("http://site.test/hidden")
	if c == nil || c.FinalURL() != "http://site.test/found" {
		t.Fatalf("URL only in a gzip sitemap: chain %+v", c)
	}
	refs := g.Inbound("http://site.test/hidden")
	if len(refs) != 1 || refs[0].Kind != crawler.RefSitemap || refs[0].Source != "http://files.test/pages.xml.gz" {
		t.Errorf("references to /hidden: %+v", refs)
	}
	if len(g.Sitemaps) != 2 || !g.Sitemaps[0].Index && !g.Sitemaps[1].Index {
		t.Errorf("sitemaps: %+v", g.Sitemaps)
	}
}

// TestIgnoreRobots neither reads robots.txt nor obeys it.
func TestIgnoreRobots(t *testing.T) {
	site := readSite(t)
	cfg := site.Config("http://site.test/")
	cfg.IgnoreRobots = true
	g := crawl(t, cfg)
	if n := site.Hits("http://site.test/robots.txt"); n != 0 {
		t.Errorf("robots.txt fetched %d times with IgnoreRobots", n)
	}
	if r := g.Lookup("http://site.test/private/secret"); r == nil || r.Blocked || r.Status != 404 {
		t.Errorf("disallowed URL with IgnoreRobots: %+v", r)
	}
}

// TestDeepHTML: a page nested far deeper than a DOM parser allows (512
// open elements for golang.org/x/net/html) is still read: its links count.
func TestDeepHTML(t *testing.T) {
	site := crawlertest.New(t, "-- /old 301 /deep --\n-- /deep --\n"+strings.Repeat("<div>", 200000)+"<a href=\"/x\">x</a>\n")
	cfg := site.Config("http://site.test/old")
	g := crawl(t, cfg)
	r := g.Lookup("http://site.test/deep")
	if r == nil || r.Status != 200 || r.Error != "" || r.ParseError != "" || !r.Parsed {
		t.Fatalf("deep page: %+v", r)
	}
	if refs := g.Inbound("http://site.test/x"); len(refs) != 1 || refs[0].Source != "http://site.test/deep" {
		t.Errorf("link from the deep page: %+v", refs)
	}
}

// TestProgress: the callback sees every fetch, in order, never two at once.
func TestProgress(t *testing.T) {
	site := readSite(t)
	cfg := site.Config("http://site.test/")
	var calls, last int
	cfg.Progress = func(p crawler.Progress) {
		calls++ // unsynchronised on purpose: the race detector checks "never concurrently"
		if p.Fetched < last {
			t.Errorf("Fetched went back from %d to %d", last, p.Fetched)
		}
		last = p.Fetched
	}
	g := crawl(t, cfg)
	if calls != g.Stats.Fetched+g.Stats.Blocked || last != g.Stats.Fetched {
		t.Errorf("%d calls, last Fetched %d; stats %+v", calls, last, g.Stats)
	}
}

// TestPoliteness: however fast the site, no more requests are in flight
// than Concurrency, and with a Delay the requests to one host start at
// least that far apart.
func TestPoliteness(t *testing.T) {
	const concurrency = 3
	// The latency gives a crawler that sends more requests than it may
	// the time to be seen doing so; it can make most larger, never
	// smaller, so it decides nothing for a crawler that keeps its limit.
	site := &crawlertest.Synthetic{Pages: 60, PageBytes: 2000, Nav: 5, Content: 3, Latency: 5 * time.Millisecond}
	var mu sync.Mutex
	var inFlight, most int
	var robots time.Time        // when robots.txt was asked for
	var starts []time.Time      // when each other URL was
	full := make(chan struct{}) // closed once concurrency requests are in flight
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		if most < concurrency && inFlight >= concurrency {
			close(full)
		}
		most = max(most, inFlight)
		if r.URL.Path == "/robots.txt" {
			robots = time.Now()
		} else {
			starts = append(starts, time.Now())
		}
		mu.Unlock()
		if r.URL.Path != "/p/0" {
			// The requests after the start page wait for one another
			// until the crawler has all it may have in flight: it
			// reaches its limit, however slow the machine.
			select {
			case <-full:
			case <-r.Context().Done():
			}
		}
		site.ServeHTTP(w, r)
		mu.Lock()
		inFlight--
		mu.Unlock()
	}))
	defer srv.Close()

	cfg := crawler.Config{Seeds: []string{srv.URL + "/p/0"}, Concurrency: concurrency, Timeout: crawlertest.Timeout,
		UserAgent: "hopaudit-test", NoSitemaps: true, IgnoreRobots: true}
	g := crawl(t, cfg)
	if g.Len() != site.URLs() {
		t.Fatalf("crawled %d URLs, the site has %d", g.Len(), site.URLs())
	}
	if most != cfg.Concurrency {
		t.Errorf("at most %d requests in flight, want %d", most, cfg.Concurrency)
	}

	starts = nil
	cfg.Delay = 20 * time.Millisecond
	cfg.Seeds = []string{srv.URL + "/p/1"}
	cfg.IgnoreRobots = false
	site.Pages = 8
	crawl(t, cfg)
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	if len(starts) < 8 || robots.IsZero() {
		t.Fatalf("%d requests with a delay, robots.txt asked for at %v", len(starts), robots)
	}
	// Every request waits for robots.txt, then the crawler spaces their
	// starts by the delay. The server sees each start late, by as much
	// as a busy machine makes it, which can only lengthen the span from
	// robots.txt to the last start.
	span, want := starts[len(starts)-1].Sub(robots), time.Duration(len(starts)-1)*cfg.Delay
	if span < want {
		t.Errorf("%d requests to one host within %v of robots.txt, want at least %v with a %v delay", len(starts), span, want, cfg.Delay)
	}
}

// TestLinksBeyondLimits: references to URLs the crawl will never fetch
// are not kept, so a page of endless links costs no memory past
// MaxPages.
func TestLinksBeyondLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- / --\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "<a href=\"/missing/%d\">m</a>\n", i)
	}
	site := crawlertest.New(t, b.String())
	cfg := site.Config("http://site.test/")
	cfg.MaxPages = 50
	cfg.NoSitemaps = true
	g := crawl(t, cfg)
	if g.Len() != 50 || !g.Stats.MaxPagesReached {
		t.Errorf("%d responses, max pages reached %v", g.Len(), g.Stats.MaxPagesReached)
	}
	// Every fetched /missing/N answers 404, so its reference is kept;
	// the 4951 others are dropped.
	if n := len(g.References); n > 60 {
		t.Errorf("%d references kept for 50 fetched URLs", n)
	}
}

// TestNestedSitemapIndex: an index listed in an index is recorded with
// an error and not read, so nested indexes cannot make a crawl endless.
func TestNestedSitemapIndex(t *testing.T) {
	site := crawlertest.New(t, `
-- /robots.txt --
Sitemap: http://site.test/index0.xml
-- /index0.xml --
<sitemapindex><sitemap><loc>http://site.test/index1.xml</loc></sitemap></sitemapindex>
-- /index1.xml --
<sitemapindex><sitemap><loc>http://site.test/index2.xml</loc></sitemap></sitemapindex>
-- / --
home
`)
	g := crawl(t, site.Config("http://site.test/"))
	var nested *crawler.Sitemap
	for i, s := range g.Sitemaps {
		if s.URL == "http://site.test/index1.xml" {
			nested = &g.Sitemaps[i]
		}
	}
	if nested == nil || !strings.Contains(nested.Error, "indexes do not nest") {
		t.Errorf("nested index: %+v", nested)
	}
	if n := site.Hits("http://site.test/index2.xml"); n != 0 {
		t.Errorf("an index three levels down was fetched %d times", n)
	}
}
