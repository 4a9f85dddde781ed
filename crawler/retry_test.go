package crawler_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// flaky is a test server whose handlers see how many times their URL
// was requested before.
type flaky struct {
	mu    sync.Mutex
	hits  map[string]int
	times map[string][]time.Time // when each request arrived
}

func newFlaky(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, before int)) (*flaky, *httptest.Server) {
	f := &flaky{hits: map[string]int{}, times: map[string][]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		before := f.hits[r.URL.Path]
		f.hits[r.URL.Path]++
		f.times[r.URL.Path] = append(f.times[r.URL.Path], time.Now())
		f.mu.Unlock()
		handle(w, r, before)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *flaky) count(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

// retryConfig crawls srv with retries that wait almost nothing.
func retryConfig(srv *httptest.Server, seeds ...string) crawler.Config {
	return crawler.Config{
		Seeds:        seeds,
		Concurrency:  4,
		Timeout:      time.Minute, // never reached: the failures here are immediate
		Retries:      3,
		RetryBackoff: time.Millisecond,
		MaxRetryWait: 20 * time.Millisecond,
		MaxBody:      1 << 20,
		UserAgent:    "hopaudit-test",
		IgnoreRobots: true,
		NoSitemaps:   true,
	}
}

// cutShort answers 200 with a Content-Length it does not send in full,
// then closes the connection: the client gets the head, and a body cut
// short.
func cutShort(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", "100")
	io.WriteString(w, "<p>cut")
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	hangUp(w)
}

// hangUp closes the connection without an answer: a reset, to the client.
func hangUp(w http.ResponseWriter) {
	c, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		c.Close()
	}
}

// TestRetryTransient: each way a request can fail once (429 and 503 with
// Retry-After, 502, 504, a connection closed without an answer, a body
// cut short) is tried again; only the final outcome is recorded, with
// the number of attempts.
func TestRetryTransient(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter){
		"/429": func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		"/503": func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		"/502": func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) },
		"/504": func(w http.ResponseWriter) { w.WriteHeader(http.StatusGatewayTimeout) },
		"/reset": func(w http.ResponseWriter) { // the connection breaks in the middle of the head
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
				c.Close()
			}
		},
		"/cut": func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1000")
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>the start of a page")
			w.(http.Flusher).Flush()
			hangUp(w)
		},
	}
	f, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, before int) {
		if fail := cases[r.URL.Path]; fail != nil && before == 0 {
			fail(w)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<p>fine</p>")
	})
	var seeds []string
	for path := range cases {
		seeds = append(seeds, srv.URL+path)
	}
	cfg := retryConfig(srv, seeds...)
	cfg.ListMode = true
	g := crawl(t, cfg)
	for path := range cases {
		r := mustLookup(t, g, srv.URL+path)
		if r.Status != 200 || r.Error != "" || r.Attempts != 2 {
			t.Errorf("%s: status %d, error %q, %d attempts; want 200 after 2", path, r.Status, r.Error, r.Attempts)
		}
		if n := f.count(path); n != 2 {
			t.Errorf("%s requested %d times, want 2", path, n)
		}
	}
	if g.Stats.Unreachable != "" {
		t.Errorf("Unreachable = %q", g.Stats.Unreachable)
	}
}

// TestRetryGivesUp: a transient failure that lasts is recorded after
// 1 + Retries attempts; a 404 or a 500 is not transient and is asked
// once; Retries 0 asks once.
func TestRetryGivesUp(t *testing.T) {
	f, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.URL.Path {
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/error":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	})
	for _, retries := range []int{3, 0} {
		cfg := retryConfig(srv, srv.URL+"/down", srv.URL+"/error", srv.URL+"/missing")
		cfg.ListMode = true
		cfg.Retries = retries
		before := map[string]int{"/down": f.count("/down"), "/error": f.count("/error"), "/missing": f.count("/missing")}
		g := crawl(t, cfg)
		for path, want := range map[string]int{"/down": 1 + retries, "/error": 1, "/missing": 1} {
			r := mustLookup(t, g, srv.URL+path)
			if int(r.Attempts) != want || f.count(path)-before[path] != want {
				t.Errorf("retries %d: %s: %d attempts recorded, %d requests; want %d", retries, path, r.Attempts, f.count(path)-before[path], want)
			}
		}
		if r := g.Lookup(srv.URL + "/down"); r.Status != 503 {
			t.Errorf("/down recorded with status %d, want 503", r.Status)
		}
	}
}

// TestRetryAfterIsHonoured: the wait before a retry is what Retry-After
// asks, up to MaxRetryWait. The test only asserts a lower bound, at the
// server: a slow machine can only make the wait longer.
func TestRetryAfterIsHonoured(t *testing.T) {
	f, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, before int) {
		if before == 0 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, "ok")
	})
	cfg := retryConfig(srv, srv.URL+"/")
	cfg.ListMode = true
	cfg.MaxRetryWait = 300 * time.Millisecond // the cap: the server asked for an hour
	g := crawl(t, cfg)
	if r := mustLookup(t, g, srv.URL+"/"); r.Status != 200 || r.Attempts != 2 {
		t.Fatalf("status %d after %d attempts", r.Status, r.Attempts)
	}
	f.mu.Lock()
	times := f.times["/"]
	f.mu.Unlock()
	if gap := times[1].Sub(times[0]); gap < cfg.MaxRetryWait {
		t.Errorf("retried after %s, before the %s Retry-After allowed (capped)", gap, cfg.MaxRetryWait)
	}
}

// manyLinks is a handler for a home page linking to n pages /p/0 ...
func manyLinks(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", "text/html")
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "<a href=\"/p/%d\">%d</a>\n", i, i)
	}
	_, _ = io.WriteString(w, b.String())
}

// TestSafeguardStops: a site whose pages fail one after another is
// paused after more than half of its last 50 requests failed, probed
// once, and when the probe fails too the crawl stops, saying why,
// without requesting the rest.
func TestSafeguardStops(t *testing.T) {
	const pages = 300
	f, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/" {
			manyLinks(w, pages)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	})
	cfg := retryConfig(srv, srv.URL+"/")
	cfg.Concurrency = 1 // one request at a time: the count below is exact
	g := crawl(t, cfg)
	if !strings.Contains(g.Stats.Unreachable, "stopped answering") || !strings.Contains(g.Stats.Unreachable, "500 Internal Server Error") {
		t.Errorf("Unreachable = %q", g.Stats.Unreachable)
	}
	requested := 0
	for i := range pages {
		requested += f.count(fmt.Sprintf("/p/%d", i))
	}
	// The home page and 49 failing pages fill the window, 49 failures
	// of 50: the host is paused. The 50th page is the probe, and its
	// failure stops the crawl.
	if requested != 50 {
		t.Errorf("%d pages requested, want 50", requested)
	}
	if g.Stats.Partial() != true {
		t.Error("a crawl stopped by the safeguard is not partial")
	}
}

// TestSafeguardBodies: the safeguard counts bodies the network cut
// short, as it counts failed requests, but not bodies the site sent
// corrupt, which no pause mends: that crawl goes on to the end, and is
// judged unreachable only then, as too many of its URLs failed.
func TestSafeguardBodies(t *testing.T) {
	const pages = 100
	for _, tc := range []struct {
		path, want string
		all        bool // every page requested
	}{
		{"/cut", "stopped answering", false},
		{"/corrupt", "100 of the site's 101 URLs could not be fetched", true},
	} {
		f, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			switch {
			case r.URL.Path == tc.path:
				manyLinks(w, pages)
			case tc.path == "/cut":
				cutShort(w)
			default:
				w.Header().Set("Content-Encoding", "gzip")
				io.WriteString(w, "<p>not gzip</p>")
			}
		})
		cfg := retryConfig(srv, srv.URL+tc.path)
		cfg.Concurrency = 1
		g := crawl(t, cfg)
		if !strings.Contains(g.Stats.Unreachable, tc.want) {
			t.Errorf("%s: Unreachable = %q, want %q", tc.path, g.Stats.Unreachable, tc.want)
		}
		requested := 0
		for i := range pages {
			requested += min(f.count(fmt.Sprintf("/p/%d", i)), 1)
		}
		if all := requested == pages; all != tc.all {
			t.Errorf("%s: %d of %d pages requested", tc.path, requested, pages)
		}
	}
}

// TestSafeguardResumes: a site that fails for a while and answers the
// probe is crawled to the end.
func TestSafeguardResumes(t *testing.T) {
	const pages = 300
	var mu sync.Mutex
	failures := 0
	_, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/" {
			manyLinks(w, pages)
			return
		}
		mu.Lock()
		down := failures < 49 // the window's 50th outcome pauses the host; the probe succeeds
		failures++
		mu.Unlock()
		if down {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "ok")
	})
	cfg := retryConfig(srv, srv.URL+"/")
	cfg.Concurrency = 1
	g := crawl(t, cfg)
	if g.Stats.Unreachable != "" {
		t.Errorf("Unreachable = %q", g.Stats.Unreachable)
	}
	if n := g.Len(); n != pages+1 {
		t.Errorf("%d URLs fetched, want %d", n, pages+1)
	}
}

// TestUnreachable: a finished crawl whose start URL failed (a 503 on
// every try, as a site in maintenance answers, or a body cut short on
// every try, or sent corrupt), answered 404 with no other page to crawl,
// or is disallowed by robots.txt, or in which more than a quarter of the
// site's URLs failed (their bodies too), says so; a few failures do not.
func TestUnreachable(t *testing.T) {
	_, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch {
		case r.URL.Path == "/maintenance":
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/cut" || strings.HasPrefix(r.URL.Path, "/q/"):
			cutShort(w)
		case r.URL.Path == "/corrupt":
			w.Header().Set("Content-Encoding", "gzip")
			io.WriteString(w, "<p>not gzip</p>")
		case r.URL.Path == "/many":
			manyLinks(w, 40)
		case r.URL.Path == "/few":
			manyLinks(w, 9)
		case r.URL.Path == "/cuts":
			w.Header().Set("Content-Type", "text/html")
			for i := range 12 {
				fmt.Fprintf(w, "<a href=\"/q/%d\">%d</a>\n", i, i)
			}
		case strings.HasPrefix(r.URL.Path, "/p/"):
			w.WriteHeader(http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	})
	for _, tc := range []struct{ seed, want string }{
		{"/maintenance", "the start URL could not be fetched: " + srv.URL + "/maintenance: 503 Service Unavailable (after 4 attempts)"},
		{"/cut", "the start URL could not be fetched: " + srv.URL + "/cut: 200 OK: body cut short: unexpected EOF (after 4 attempts)"},
		{"/corrupt", "the start URL could not be fetched: " + srv.URL + "/corrupt: 200 OK: body is not the gzip data its Content-Encoding says"},
		{"/many", "40 of the site's 41 URLs could not be fetched"},
		{"/cuts", "12 of the site's 13 URLs could not be fetched"},
		{"/few", ""},
		{"/missing", "the start URL could not be fetched: " + srv.URL + "/missing: 404 Not Found"},
	} {
		g := crawl(t, retryConfig(srv, srv.URL+tc.seed))
		if tc.want == "" && g.Stats.Unreachable != "" || !strings.Contains(g.Stats.Unreachable, tc.want) {
			t.Errorf("%s: Unreachable = %q, want %q", tc.seed, g.Stats.Unreachable, tc.want)
		}
	}

	// A site whose robots.txt disallows the start URL: nothing audited.
	_, closed := newFlaky(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
	})
	cfg := retryConfig(closed, closed.URL+"/")
	cfg.IgnoreRobots = false
	g := crawl(t, cfg)
	if want := "the start URL could not be fetched: " + closed.URL + "/: disallowed by robots.txt"; !strings.Contains(g.Stats.Unreachable, want) {
		t.Errorf("Unreachable = %q, want %q", g.Stats.Unreachable, want)
	}
}

// TestRobotsRetried: a robots.txt that answers 503 once is asked again
// before RFC 9309's "5xx means disallow all" applies; one that keeps
// answering 503 disallows the site, and the blocked URLs say why.
func TestRobotsRetried(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int // 503s before robots.txt answers
		blocked  string
	}{
		{"once", 1, ""},
		{"always", 100, "robots.txt answered 503 after 4 attempts: everything disallowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, before int) {
				switch {
				case r.URL.Path == "/robots.txt" && before < tc.failures:
					w.WriteHeader(http.StatusServiceUnavailable)
				case r.URL.Path == "/robots.txt":
					fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
				default:
					fmt.Fprint(w, "ok")
				}
			})
			cfg := retryConfig(srv, srv.URL+"/", srv.URL+"/private")
			cfg.ListMode = true
			cfg.IgnoreRobots = false
			g := crawl(t, cfg)
			home, private := mustLookup(t, g, srv.URL+"/"), mustLookup(t, g, srv.URL+"/private")
			if !private.Blocked {
				t.Error("/private is not blocked")
			}
			if tc.blocked == "" {
				if home.Blocked || home.Status != 200 {
					t.Errorf("/ blocked %v, status %d: robots.txt was not asked again", home.Blocked, home.Status)
				}
				if n := f.count("/robots.txt"); n != 2 {
					t.Errorf("robots.txt requested %d times, want 2", n)
				}
				return
			}
			if !home.Blocked || !strings.Contains(home.Error, tc.blocked) {
				t.Errorf("/: blocked %v, error %q; want blocked with %q", home.Blocked, home.Error, tc.blocked)
			}
		})
	}
}

// TestSitemapRetried: a sitemap that answers 503 once is read on the
// retry, its entries fetched.
func TestSitemapRetried(t *testing.T) {
	f, srv := newFlaky(t, func(w http.ResponseWriter, r *http.Request, before int) {
		switch {
		case r.URL.Path == "/sitemap.xml" && before == 0:
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/sitemap.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/listed</loc></url></urlset>`)
		default:
			fmt.Fprint(w, "ok")
		}
	})
	cfg := retryConfig(srv, srv.URL+"/")
	cfg.NoSitemaps = false
	g := crawl(t, cfg)
	if len(g.Sitemaps) != 1 || g.Sitemaps[0].Status != 200 || g.Sitemaps[0].Error != "" || f.count("/sitemap.xml") != 2 {
		t.Errorf("sitemaps %+v, requested %d times; want read on the second", g.Sitemaps, f.count("/sitemap.xml"))
	}
	mustLookup(t, g, srv.URL+"/listed")
}

// TestUnreachableStartURL4xx: a start URL that answers 4xx lets nothing
// in, unless the crawl reached pages of the site otherwise (a sitemap);
// the lines of a list are checked one by one, and a 404 there is a
// finding, not a site that cannot be read.
func TestUnreachableStartURL4xx(t *testing.T) {
	site := crawlertest.New(t, `
-- /robots.txt --
> Content-Type: text/plain
Sitemap: http://site.test/sitemap.xml
-- /sitemap.xml --
> Content-Type: application/xml
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://site.test/page</loc></url></urlset>
-- /page --
<p>a page</p>
-- /forbidden 403 --
`)
	for _, tc := range []struct {
		name string
		cfg  func(*crawler.Config)
		want string
	}{
		{"no other page", func(c *crawler.Config) { c.NoSitemaps = true }, "the start URL could not be fetched: http://site.test/forbidden: 403 Forbidden"},
		{"a sitemap's page", func(*crawler.Config) {}, ""},
		{"a list", func(c *crawler.Config) { c.ListMode, c.NoSitemaps = true, true }, ""},
	} {
		cfg := site.Config("http://site.test/forbidden")
		tc.cfg(&cfg)
		if got := crawl(t, cfg).Stats.Unreachable; got != tc.want {
			t.Errorf("%s: Unreachable = %q, want %q", tc.name, got, tc.want)
		}
	}
}
