package crawler_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// TestLaneBodies checks the bodies a lane reads into the buffer it
// reuses: with one worker, every page is read into the same buffer, so a
// short page after a long one must not see the long one's tail, and a
// page in another character set is read as UTF-8, as colly reads it.
func TestLaneBodies(t *testing.T) {
	var long strings.Builder
	long.WriteString(`<a href="/short">short</a>`)
	for range 2000 {
		long.WriteString(`<p>padding that the short page after it must not read</p>`)
	}
	long.WriteString(`<a href="/tail-of-long">tail</a>`)
	site := crawlertest.NewFromRoutes([]crawlertest.Route{
		{Host: crawlertest.Host, Path: "/", Status: 200, Body: long.String()},
		{Host: crawlertest.Host, Path: "/short", Status: 200, Body: `<a href="/latin">l</a>`},
		{Host: crawlertest.Host, Path: "/latin", Status: 200,
			Header: map[string][]string{"Content-Type": {"text/html; charset=iso-8859-1"}},
			Body:   "<a href=\"/caf\xe9\">caf\xe9</a>"},
	})
	defer site.Close()
	cfg := site.Config("http://site.test/")
	cfg.Concurrency = 1
	g := crawl(t, cfg)

	if r := g.Lookup("http://site.test/tail-of-long"); r == nil || r.Referrers.Links != 1 {
		t.Errorf("/tail-of-long: %+v; want one link to it, from the long page", r)
	}
	if r := g.Lookup("http://site.test/latin"); r == nil || r.Referrers.Links != 1 {
		t.Errorf("/latin: %+v; want one link to it, from the short page", r)
	}
	refs := g.Inbound("http://site.test/caf%C3%A9")
	if len(refs) != 1 || refs[0].Text != "café" {
		t.Errorf("references to /café: %+v; want one, whose text is café in UTF-8", refs)
	}
}

// TestSharedHeaders: the workers' requests share their header, which
// nothing may change. A --header "Accept:" without a value would have
// colly set one in the shared header, from every worker at once (the race
// detector sees it); the crawl sends colly's Accept instead, as colly did
// with a header of each request's own.
func TestSharedHeaders(t *testing.T) {
	routes := []crawlertest.Route{{Host: crawlertest.Host, Path: "/"}}
	var page strings.Builder
	for i := range 40 {
		p := fmt.Sprintf("/p%d", i)
		page.WriteString(`<a href="` + p + `">x</a>`)
		routes = append(routes, crawlertest.Route{Host: crawlertest.Host, Path: p, Status: 200, Body: "<p>leaf</p>"})
	}
	routes[0].Status, routes[0].Body = 200, page.String()
	site := crawlertest.NewFromRoutes(routes)
	defer site.Close()
	cfg := site.Config("http://site.test/")
	cfg.Concurrency = 8
	cfg.Header = http.Header{"Accept": {""}, "X-Token": {"t"}}
	crawl(t, cfg)
	for _, r := range site.Requests() {
		if strings.HasPrefix(r.URL, "http://site.test/p") && (r.Header.Get("Accept") != "*/*" || r.Header.Get("X-Token") != "t") {
			t.Errorf("%s: Accept %q, X-Token %q; want */* and t", r.URL, r.Header.Get("Accept"), r.Header.Get("X-Token"))
		}
	}
}
