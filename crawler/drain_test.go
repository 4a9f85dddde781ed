package crawler_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// TestResourceConnectionsReused: a page's small resources, whose bodies
// the crawler does not need, are read to their end so that their
// connections serve the next requests; closed early, each image would
// cost a connection of its own.
func TestResourceConnectionsReused(t *testing.T) {
	const images = 40
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			var b strings.Builder
			for i := range images {
				fmt.Fprintf(&b, `<img src="/i/%d.png">`, i)
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, b.String())
		case strings.HasPrefix(r.URL.Path, "/i/"):
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("Content-Length", "4096") // as a file server sends it
			_, _ = w.Write(make([]byte, 4<<10))
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	cfg := crawler.Config{Seeds: []string{srv.URL + "/"}, Concurrency: 4, Timeout: crawlertest.Timeout, NoSitemaps: true, IgnoreRobots: true, AllowPrivate: true}
	g := crawl(t, cfg)
	if n := g.Len(); n != images+1 {
		t.Fatalf("%d URLs fetched, want %d", n, images+1)
	}
	// At most one connection per request in flight, and a few more for
	// the moments when all are busy: far fewer than the images.
	if n := conns.Load(); n > 2*int64(cfg.Concurrency)+2 {
		t.Errorf("%d connections for %d requests: resources' connections are not reused", n, images+1)
	}
}

// TestDrainStalled: a resource whose server declares a small length and
// then stalls is closed after a short read, not at the request's
// timeout: the crawl ends while the server still holds the body, and
// the image is a 200 like any other.
func TestDrainStalled(t *testing.T) {
	release := make(chan struct{})
	hungUp := make(chan struct{}, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<img src="/a.png"><img src="/b.png"><img src="/c.png">`)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", "60000")
		_, _ = w.Write([]byte("PNG"))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
			hungUp <- struct{}{}
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	// The crawl's timeout is so long that no load reaches it: a crawl
	// that waited for it would still be waiting when the test times out.
	g := crawl(t, crawler.Config{Seeds: []string{srv.URL + "/"}, Concurrency: 1, Timeout: 10 * crawlertest.Timeout, NoSitemaps: true, IgnoreRobots: true, AllowPrivate: true})
	for _, p := range []string{"/a.png", "/b.png", "/c.png"} {
		if r := g.Lookup(srv.URL + p); r == nil || r.Status != 200 || r.Error != "" {
			t.Errorf("%s: %+v, want a 200 with no error", p, r)
		}
	}
	for range 3 {
		<-hungUp // each stalled body was closed by the crawler, not released by the test
	}
}
