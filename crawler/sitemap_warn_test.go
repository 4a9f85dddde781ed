package crawler_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// logBuffer is a crawl log the crawler's goroutines may write at once.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSitemapWarnings: a sitemap that robots.txt or the user names and
// that fails, one cut at the entry limit, and sitemaps a limit keeps
// from being read are warnings on the log and rows of Graph.Sitemaps
// with their error and source; a guessed /sitemap.xml that answers 404
// is a row only.
func TestSitemapWarnings(t *testing.T) {
	var many strings.Builder
	many.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 50_001 {
		fmt.Fprintf(&many, "<url><loc>/m/%d</loc></url>", i)
	}
	many.WriteString("</urlset>")
	site := crawlertest.New(t, `
-- /robots.txt --
> Content-Type: text/plain
Sitemap: http://site.test/missing.xml
Sitemap: http://site.test/many.xml
-- / --
home
-- http://other.test/ --
other
-- /many.xml --
> Content-Type: application/xml
`+many.String()+`
`)
	site.AddHost("other.test")
	cfg := site.Config("http://site.test/", "http://other.test/")
	cfg.Sitemaps = []string{"http://site.test/given.xml"}
	cfg.MaxPages = 10 // the home pages and a few entries: most of many.xml's entries are not fetched
	var log logBuffer
	cfg.Log = &log
	g := crawl(t, cfg)

	rows := map[string]crawler.Sitemap{}
	for _, s := range g.Sitemaps {
		rows[s.URL] = s
	}
	for u, want := range map[string]struct {
		from    crawler.SitemapSource
		status  int
		err     string
		warning bool
	}{
		"http://site.test/missing.xml":  {crawler.SitemapRobots, 404, "status 404", true},
		"http://site.test/given.xml":    {crawler.SitemapGiven, 404, "status 404", true},
		"http://site.test/many.xml":     {crawler.SitemapRobots, 200, "more than 50000 entries", true},
		"http://other.test/sitemap.xml": {crawler.SitemapGuessed, 404, "status 404", false},
	} {
		s, ok := rows[u]
		if !ok {
			t.Errorf("%s is not a row of the sitemaps", u)
			continue
		}
		if s.From != want.from || s.Status != want.status || !strings.Contains(s.Error, want.err) {
			t.Errorf("%s: from %s, status %d, error %q; want %s, %d, %q", u, s.From, s.Status, s.Error, want.from, want.status, want.err)
		}
		if got := strings.Contains(log.String(), "warning: sitemap "+u+" ("+want.from.String()+")"); got != want.warning {
			t.Errorf("%s: warned %v, want %v; the log:\n%s", u, got, want.warning, log.String())
		}
	}
	if !g.Stats.MaxPagesReached {
		t.Error("MaxPagesReached is false")
	}
}

// TestSitemapsNotRead: sitemaps that the limit on sitemaps keeps from
// being read are rows with their reason, and one warning says so.
func TestSitemapsNotRead(t *testing.T) {
	var index strings.Builder
	index.WriteString(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 4 {
		fmt.Fprintf(&index, "<sitemap><loc>/s%d.xml</loc></sitemap>", i)
	}
	index.WriteString("</sitemapindex>")
	site := crawlertest.New(t, `
-- / --
home
-- /index.xml --
> Content-Type: application/xml
`+index.String()+`
`)
	cfg := site.Config("http://site.test/")
	cfg.NoSitemaps = false
	cfg.Sitemaps = []string{"http://site.test/index.xml"}
	cfg.MaxPages = 2 // at most as many sitemaps as pages: the index and one more
	var log logBuffer
	cfg.Log = &log
	g := crawl(t, cfg)
	notRead := 0
	for _, s := range g.Sitemaps {
		if strings.HasPrefix(s.Error, "not read: --max-pages") {
			notRead++
		}
	}
	// The index and one more (a child, or the guessed /sitemap.xml): two
	// read; the other four are rows that say why they were not read.
	if read := len(g.Sitemaps) - notRead; read != 2 || notRead != 4 {
		t.Errorf("%d sitemaps read, %d not read; want 2 and 4: %+v", read, notRead, g.Sitemaps)
	}
	if !strings.Contains(log.String(), "further sitemaps are not read either") || !strings.Contains(log.String(), "4 sitemaps were not read because of a limit") {
		t.Errorf("the log does not warn of the sitemaps not read:\n%s", log.String())
	}
}

// TestSitemapLineInvalid: a robots.txt Sitemap line that is not an
// absolute URL is a warning and a row, never silently dropped.
func TestSitemapLineInvalid(t *testing.T) {
	site := crawlertest.New(t, "-- /robots.txt --\n> Content-Type: text/plain\nSitemap: /relative.xml\nSitemap: http://\x1b[31m/x.xml\n-- / --\nhome\n")
	cfg := site.Config("http://site.test/")
	var log logBuffer
	cfg.Log = &log
	g := crawl(t, cfg)
	var rows []string
	for _, s := range g.Sitemaps {
		if strings.HasPrefix(s.Error, "not read: ") && s.From == crawler.SitemapRobots {
			rows = append(rows, s.URL)
		}
	}
	if len(rows) != 2 || strings.Count(log.String(), "warning: sitemap ") != 2 {
		t.Errorf("rows %q; log:\n%s", rows, log.String())
	}
}

// TestRobotsWarning: a robots.txt that cannot be read says so on the log
// as a warning, like every other warning of the crawl.
func TestRobotsWarning(t *testing.T) {
	site := crawlertest.New(t, "-- /robots.txt 503 --\n-- / --\nhome\n")
	cfg := site.Config("http://site.test/")
	var log logBuffer
	cfg.Log = &log
	crawl(t, cfg)
	if !strings.Contains(log.String(), "warning: http://site.test: robots.txt answered 503") {
		t.Errorf("log:\n%s", log.String())
	}
}
