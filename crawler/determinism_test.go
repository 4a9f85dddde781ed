package crawler_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// crawlSummary is what must be the same on every run: each URL fetched
// with its depth and status, and the chains.
func crawlSummary(g *crawler.Graph) []string {
	var out []string
	for r := range g.SortedResponses() {
		out = append(out, fmt.Sprintf("%s depth=%d status=%d", r.URL, r.Depth, r.Status))
	}
	for _, c := range g.Chains() {
		out = append(out, fmt.Sprintf("chain %s > %s %s hops=%d", c.URL(), c.FinalURL(), c.End, len(c.Hops)))
	}
	return out
}

// TestDeterministic: the same site and flags give the same URLs, depths
// and chains at any concurrency and any timing, with --max-pages cutting
// the crawl short and with --max-depth. With one request at a time the
// crawl is breadth first, so the depths are the shortest link distances,
// and so they are at 32.
func TestDeterministic(t *testing.T) {
	const pages = 120
	srv := crawlertest.Tangled(t, pages)
	for _, tc := range []struct {
		name               string
		maxPages, maxDepth int
	}{
		{"max-pages", 60, 0},
		{"max-pages", 100, 0},
		{"max-pages tight", 7, 0},
		{"max-depth", 0, 2},
		{"both", 45, 3},
		{"all", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(concurrency int) []string {
				cfg := crawler.Config{
					Seeds: []string{srv.URL + "/p/0"}, Concurrency: concurrency, MaxPages: tc.maxPages, MaxDepth: tc.maxDepth,
					Timeout: time.Minute, MaxBody: 1 << 20, UserAgent: "hopaudit-test", IgnoreRobots: true, NoSitemaps: true,
				}
				g := crawl(t, cfg)
				if tc.maxPages > 0 && g.Stats.Fetched > tc.maxPages {
					t.Errorf("concurrency %d: %d URLs fetched, more than --max-pages %d", concurrency, g.Stats.Fetched, tc.maxPages)
				}
				return crawlSummary(g)
			}
			want := run(1)
			for range 3 {
				if got := run(32); !slices.Equal(got, want) {
					t.Fatalf("concurrency 32 differs from 1:\n%s", diffLines(want, got))
				}
			}
		})
	}
}

// diffLines lists the lines only one side has.
func diffLines(want, got []string) string {
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

// TestMaxPagesOrder: --max-pages keeps the URLs a crawl of one request
// at a time would reach first: depth by depth, and within a depth in the
// order of the pages that link to them and of the links in each page,
// not in the order of their text.
func TestMaxPagesOrder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/zebra">z</a> <a href="/apple">a</a> <a href="/mango">m</a>`)
		case "/zebra":
			fmt.Fprint(w, `<a href="/zoo">zoo</a> <a href="/ant">ant</a>`)
		case "/apple":
			fmt.Fprint(w, `<a href="/ant">ant</a> <a href="/bee">bee</a>`)
		default:
			fmt.Fprint(w, "leaf")
		}
	}))
	defer srv.Close()
	for limit, want := range map[int][]string{
		3: {"/", "/apple", "/zebra"},                           // the first two links of the home page
		5: {"/", "/apple", "/mango", "/zebra", "/zoo"},         // depth 1, then /zebra's first link
		6: {"/", "/ant", "/apple", "/mango", "/zebra", "/zoo"}, // /ant comes second, on /zebra before /apple
	} {
		for _, concurrency := range []int{1, 8} {
			cfg := crawler.Config{
				Seeds: []string{srv.URL + "/"}, Concurrency: concurrency, MaxPages: limit, Timeout: time.Minute,
				MaxBody: 1 << 20, UserAgent: "hopaudit-test", IgnoreRobots: true, NoSitemaps: true,
			}
			var got []string
			for r := range crawl(t, cfg).SortedResponses() {
				got = append(got, strings.TrimPrefix(r.URL, srv.URL))
			}
			if !slices.Equal(got, want) {
				t.Errorf("--max-pages %d, concurrency %d: fetched %q, want %q", limit, concurrency, got, want)
			}
		}
	}
}
