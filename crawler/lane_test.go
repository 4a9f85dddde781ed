package crawler_test

import (
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
