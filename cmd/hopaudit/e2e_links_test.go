package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// brokenSite has the broken links of a migrated site: a page renamed
// without a redirect, a changed category base, a server error, a URL
// whose server drops the connection, and a redirect into a 404.
const brokenSite = `
-- / --
<a href="/about-old">about</a>
<a href="/category/news/">news</a>
<a href="/error">error</a>
<a href="/reset">reset</a>
<a href="/old">old</a>
<a href="/topics/news/">news, after the change</a>
-- /about-old 404 --
-- /category/news/ 404 --
-- /topics/news/ --
<p>news</p>
-- /error 500 --
-- /reset 0 --
-- /old 301 /gone --
-- /gone 404 --
`

// TestEndToEndBrokenLinks: crawl reports every broken link with the page
// that holds it, and check reports every listed URL that answers an
// error, each by one rule; --fail-on error exits 1.
func TestEndToEndBrokenLinks(t *testing.T) {
	site := crawlertest.New(t, brokenSite)
	type row struct{ rule, url, source, status string }
	findings := func(stdout string) []row {
		t.Helper()
		var rows []row
		for _, rec := range csvRecords(t, []byte(stdout))[1:] {
			rows = append(rows, row{rec[0], rec[2], rec[3], rec[4]})
		}
		return rows
	}

	code, stdout, stderr := runMain(t, append([]string{"crawl", "http://site.test/", "--format", "csv", "--quiet", "--max-retry-wait", "1ms", "--fail-on", "error"}, resolveArgs(site)...)...)
	if code != exitFindings {
		t.Errorf("crawl: exit code %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	got := findings(stdout)
	for _, want := range []row{
		{"broken-link", "http://site.test/about-old", "http://site.test/", "404"},
		{"broken-link", "http://site.test/category/news/", "http://site.test/", "404"},
		{"broken-link", "http://site.test/error", "http://site.test/", "500"},
		{"broken-link", "http://site.test/old", "http://site.test/", "404"},
		{"broken-link", "http://site.test/reset", "http://site.test/", "0"},
	} {
		if !slices.Contains(got, want) {
			t.Errorf("crawl: no finding %v in:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stdout, "looks renamed to http://site.test/topics/news/") {
		t.Errorf("crawl: the category's new URL is not suggested:\n%s", stdout)
	}

	list := filepath.Join(t.TempDir(), "urls.txt")
	urls := "http://site.test/about-old\nhttp://site.test/error\nhttp://site.test/reset\nhttp://site.test/old\nhttp://site.test/topics/news/\n"
	if err := os.WriteFile(list, []byte(urls), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runMain(t, append([]string{"check", list, "--format", "csv", "--quiet", "--max-retry-wait", "1ms", "--fail-on", "error"}, resolveArgs(site)...)...)
	if code != exitFindings {
		t.Errorf("check: exit code %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	want := []row{
		{"broken-link", "http://site.test/about-old", "", "404"},
		{"broken-link", "http://site.test/error", "", "500"},
		{"broken-redirect", "http://site.test/old", "", "404"},
		{"broken-link", "http://site.test/reset", "", "0"},
	}
	if got := findings(stdout); !slices.Equal(got, want) {
		t.Errorf("check: findings\n%v\nwant\n%v\n%s", got, want, stdout)
	}
	if !strings.Contains(stdout, "given URL http://site.test/about-old answers 404; if it is an old URL, let it answer 301 to its new URL, or 410") {
		t.Errorf("check: a listed URL's finding does not say what to do:\n%s", stdout)
	}
}
