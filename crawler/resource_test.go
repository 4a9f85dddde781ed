package crawler_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

func resourceSite(t *testing.T) *crawlertest.Site {
	t.Helper()
	fixture, err := os.ReadFile(filepath.Join("testdata", "resources.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return crawlertest.New(t, string(fixture))
}

// TestResources crawls a site with every kind of page resource, some
// redirecting, one missing, some shared by two pages and some on
// another site, beside decoys (a data: URL, an empty src, an inline
// <svg>, rel=alternate, a link to an image), and compares the graph
// with a golden file. Each resource URL is fetched once however many
// pages use it, and the body of a resource is read only when it is an
// HTML page: an <iframe>'s page is parsed like a page.
func TestResources(t *testing.T) {
	site := resourceSite(t)
	g := crawl(t, site.Config("http://site.test/"))
	golden(t, "resources.golden", crawlertest.Dump(g))

	for _, u := range []string{"http://site.test/img/old.png", "http://site.test/css/old.css", "http://site.test/img/new.png", "https://cdn.test/moved.png", "https://cdn.test/v2/moved.png"} {
		if n := site.Hits(u); n != 1 {
			t.Errorf("%s requested %d times, want once", u, n)
		}
	}
	for _, u := range []string{"http://site.test/img/svg-decoy.png", "http://site.test/feed"} {
		if n := site.Hits(u); n != 0 {
			t.Errorf("decoy %s requested %d times", u, n)
		}
	}
	for u, want := range map[string]int64{
		"http://site.test/img/new.png":     4, // a hop of a redirecting image: read as every hop is, whoever asked
		"http://site.test/media/doc.pdf":   0,
		"http://site.test/img/missing.png": 0,
		"http://site.test/img/linked.png":  4, // linked with <a>: read as links are
	} {
		r := g.Lookup(u)
		if r == nil || r.Error != "" || r.Bytes != want {
			t.Errorf("%s: response %+v, want %d body bytes and no error", u, r, want)
		}
	}
	if r := g.Lookup("http://site.test/frame"); r == nil || !r.Parsed {
		t.Errorf("the iframe's page is not parsed: %+v", r)
	}
}

// TestNoResources: with NoResources, no resource is fetched nor
// recorded; links are crawled as before.
func TestNoResources(t *testing.T) {
	site := resourceSite(t)
	cfg := site.Config("http://site.test/")
	cfg.NoResources = true
	g := crawl(t, cfg)
	for _, ref := range g.References {
		if ref.Kind.Resource() {
			t.Errorf("resource reference kept: %+v", ref)
		}
	}
	var got []string
	for _, req := range site.Requests() {
		got = append(got, strings.TrimPrefix(req.URL, "http://site.test"))
	}
	slices.Sort(got)
	want := []string{"/", "/img/linked.png", "/page2", "/page3", "/page4", "/robots.txt", "/sitemap.xml"}
	if !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}

// TestResourcesMaxDepth: the resources of a page at --max-depth are
// fetched, one level deeper, but no link of that level; an iframe's page
// one level deeper is parsed, and its own resources are not fetched.
func TestResourcesMaxDepth(t *testing.T) {
	site := resourceSite(t)
	cfg := site.Config("http://site.test/")
	cfg.MaxDepth = 1
	g := crawl(t, cfg)
	check := func(u string, fetched bool) {
		t.Helper()
		if got := g.Lookup(u) != nil; got != fetched {
			t.Errorf("%s fetched: %v, want %v", u, got, fetched)
		}
	}
	check("http://site.test/page2", true)
	check("http://site.test/img/missing.png", true) // a resource of /page2, at depth 2
	check("http://site.test/page3", false)          // a link of /page2
	check("http://site.test/img/framed.png", true)  // the frame is at depth 1, its image at 2
	if r := g.Lookup("http://site.test/img/missing.png"); r != nil && r.Depth != 2 {
		t.Errorf("resource depth %d, want 2", r.Depth)
	}

	// The frame of a page at the last depth is fetched and parsed; its
	// resources are not: they are two levels beyond.
	site2 := crawlertest.New(t, `
-- / --
<a href="/p">p</a>
-- /p --
<iframe src="/f"></iframe>
-- /f --
<img src="/f.png"><a href="/q">q</a>
-- /f.png --
> Content-Type: image/png
PNG
`)
	cfg = site2.Config("http://site.test/")
	cfg.MaxDepth = 1
	g = crawl(t, cfg)
	check("http://site.test/f", true)
	check("http://site.test/f.png", false)
	check("http://site.test/q", false)
	if r := g.Lookup("http://site.test/f"); r == nil || !r.Parsed {
		t.Errorf("frame not parsed: %+v", r)
	}
}

// TestResourceHeadersOnly: the body of an image is never read. The
// server sends the header, then holds the body until the client hangs
// up; a crawler that read it would wait out its timeout and record an
// error.
func TestResourceHeadersOnly(t *testing.T) {
	release := make(chan struct{})
	img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/big.png" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("PNG"))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(img.Close)
	t.Cleanup(func() { close(release) })
	site := crawlertest.New(t, `
-- / --
<img src="http://img.test/big.png">
`)
	cfg := site.Config("http://site.test/")
	_, port, _ := net.SplitHostPort(img.Listener.Addr().String())
	cfg.Resolve["img.test:80"] = "127.0.0.1:" + port
	cfg.Timeout = crawlertest.Timeout
	g := crawl(t, cfg)
	r := g.Lookup("http://img.test/big.png")
	if r == nil || r.Status != 200 || r.Error != "" || r.Bytes != 0 {
		t.Fatalf("image: %+v, want 200 with no error and no body read", r)
	}
}

// TestHopBodyRead: a URL that a link's chain and a resource's chain both
// reach is read whole whichever chain gets there first, so its bytes are
// the same every run.
func TestHopBodyRead(t *testing.T) {
	site := crawlertest.New(t, `
-- / --
<a href="/old-doc">the document</a>
<img src="/old-img">
-- /old-doc 301 /file.pdf --
-- /old-img 301 /file.pdf --
-- /file.pdf --
> Content-Type: application/pdf
`+strings.Repeat("x", 1000)+`
`)
	// The image's chain reaches /file.pdf first: the link's waits for it.
	reached := make(chan struct{})
	var once sync.Once
	site.Hold = func(r *http.Request) {
		switch r.URL.Path {
		case "/file.pdf":
			once.Do(func() { close(reached) })
		case "/old-doc":
			select {
			case <-reached:
			case <-r.Context().Done():
			}
		}
	}
	g := crawl(t, site.Config("http://site.test/"))
	if r := g.Lookup("http://site.test/file.pdf"); r == nil || r.Bytes != 1001 {
		t.Errorf("/file.pdf: %+v, want its 1001 bytes read", r)
	}
}
