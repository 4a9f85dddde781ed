package crawlertest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
)

// Dump writes a graph without timings and dates, for golden files.
func Dump(g *crawler.Graph) string {
	var b strings.Builder
	b.WriteString("# responses\n")
	for r := range g.SortedResponses() {
		fmt.Fprintf(&b, "%s status=%d depth=%d", r.URL, r.Status, r.Depth)
		if d := r.Redirect; d != nil {
			for _, l := range d.Locations {
				fmt.Fprintf(&b, " location=%q", l)
			}
			if d.Location != "" {
				fmt.Fprintf(&b, " target=%s", d.Location)
			}
			if d.LocationErr != "" {
				fmt.Fprintf(&b, " location-error=%q", d.LocationErr)
			}
		}
		if r.Refresh != nil {
			fmt.Fprintf(&b, " %s=%g:%s", r.Refresh.Kind, r.Refresh.Delay, r.Refresh.URL)
		}
		for _, flag := range []struct {
			on   bool
			name string
		}{{r.Internal, "internal"}, {r.Parsed, "parsed"}, {r.Blocked, "blocked"}, {r.Noindex, "noindex"}, {r.Truncated, "truncated"}} {
			if flag.on {
				b.WriteString(" " + flag.name)
			}
		}
		if r.Canonical != "" {
			fmt.Fprintf(&b, " canonical=%s", r.Canonical)
		}
		if n := r.Referrers; n != (crawler.Referrers{}) {
			fmt.Fprintf(&b, " referrers=%+v", n)
		}
		if r.Error != "" {
			fmt.Fprintf(&b, " error=%q", r.Error)
		}
		b.WriteString("\n")
	}
	b.WriteString("# chains\n")
	for _, c := range g.Chains() {
		fmt.Fprintf(&b, "%s end=%s final=%s", c.URL(), c.End, c.FinalURL())
		if c.Final != nil {
			fmt.Fprintf(&b, " final-status=%d", c.Final.Status)
		}
		if c.Temporary() {
			b.WriteString(" temporary")
		}
		b.WriteString("\n")
		for i, h := range c.Hops {
			fmt.Fprintf(&b, "  %d %s %d %s -> %s\n", i+1, h.Kind, h.Status, h.URL, h.Target)
		}
	}
	b.WriteString("# references\n")
	for _, r := range g.References {
		fmt.Fprintf(&b, "%s %s -> %s %q\n", r.Kind, r.Source, r.Target, r.Text)
	}
	b.WriteString("# sitemaps\n")
	for _, s := range g.Sitemaps {
		fmt.Fprintf(&b, "%s status=%d entries=%d index=%v error=%q\n", s.URL, s.Status, s.Entries, s.Index, s.Error)
	}
	return b.String()
}

// Tangled serves n pages whose links reach most pages by several
// paths of different lengths, and redirect chains of 1 to 7 hops, each
// ending at a page that is also linked directly. Every
// response waits 0 to 3 ms at random, so that pages finish in a
// different order on every run.
func Tangled(t testing.TB, n int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) // shuffles the order, asserts nothing
		var kind string
		var i, k int
		if _, err := fmt.Sscanf(r.URL.Path, "/%1s/%d/%d", &kind, &i, &k); err != nil && kind == "" {
			http.NotFound(w, r)
			return
		}
		switch kind {
		case "p":
			w.Header().Set("Content-Type", "text/html")
			for _, j := range []int{(i*7 + 1) % n, (i*13 + 5) % n, (i + 1) % n, i / 2} {
				fmt.Fprintf(w, "<a href=\"/p/%d\">p%d</a>\n", j, j)
			}
			for k := range 3 {
				fmt.Fprintf(w, "<a href=\"/r/%d/0\">r</a>\n", (i*3+k)%n)
			}
		case "r": // /r/i/0 -> /r/i/1 -> ... -> a page: i%7 hops
			if k+1 < i%7 {
				http.Redirect(w, r, fmt.Sprintf("/r/%d/%d", i, k+1), 301+k%2)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/p/%d", (i*11)%n), http.StatusMovedPermanently)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}
