package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// TestEndToEndDefaultMaxPages crawls a site larger than --max-pages:
// stopped by the default limit, the run is cut short (exit 3) and says
// so, and how to lift the limit, in its summary line, its error line and
// its reports; stopped by a --max-pages given, it is a sample asked for
// (exit 0, a plain line). The default is lowered to 2 URLs for the test.
func TestEndToEndDefaultMaxPages(t *testing.T) {
	old := defaultMaxPages
	defaultMaxPages = 2
	t.Cleanup(func() { defaultMaxPages = old })
	site := crawlertest.New(t, e2eSite)
	crawl := func(args ...string) (int, string, string) {
		t.Helper()
		args = append([]string{"crawl", "http://" + crawlertest.Host + "/", "--no-sitemaps", "--ignore-robots"}, args...)
		return runMain(t, append(args, resolveArgs(site)...)...)
	}
	stats := func(dir string) map[string]any {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ Stats map[string]any }
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		return d.Stats
	}

	dir := t.TempDir()
	code, _, stderr := crawl("--output-dir", dir)
	if code != exitIncomplete {
		t.Errorf("default limit: exit code %d, want %d; stderr:\n%s", code, exitIncomplete, stderr)
	}
	oneError(t, stderr, "the crawl stopped at the default limit of 2 URLs (--max-pages); the site has more, not fetched: give --max-pages 0 for no limit, or a larger --max-pages N; the report covers the 2 URLs fetched")
	if !regexp.MustCompile(`(?m)^2 URLs fetched, .*; stopped at the default --max-pages 2: the site has more URLs$`).MatchString(stderr) {
		t.Errorf("default limit: the summary line does not say the default limit stopped the crawl:\n%s", stderr)
	}
	if strings.Contains(stderr, "--max-pages 2 reached") {
		t.Errorf("default limit: the plain line too:\n%s", stderr)
	}
	if s := stats(dir); s["default_max_pages"] != 2.0 || s["max_pages_reached"] != true || s["partial"] != true {
		t.Errorf("default limit: report.json stats %v, want default_max_pages 2, max_pages_reached and partial", s)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "the crawl stopped at the default limit of 2 URLs (--max-pages)") {
		t.Errorf("default limit: report.html does not say the default limit stopped the crawl")
	}
	code, stdout, _ := crawl("--format", "markdown", "--quiet")
	if code != exitIncomplete || !strings.Contains(stdout, "> The crawl was cut short: the crawl stopped at the default limit of 2 URLs (--max-pages); the site has more, not fetched: give --max-pages 0 for no limit") {
		t.Errorf("default limit, markdown: exit code %d, want %d:\n%s", code, exitIncomplete, stdout)
	}

	// The same limit given: a sample, not a failure.
	dir = t.TempDir()
	code, _, stderr = crawl("--output-dir", dir, "--max-pages", "2")
	if code != exitOK {
		t.Errorf("--max-pages 2: exit code %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	if !strings.Contains(stderr, "--max-pages 2 reached: URLs found after that were not fetched\n") || strings.Contains(stderr, "default") {
		t.Errorf("--max-pages 2: stderr:\n%s", stderr)
	}
	if s := stats(dir); s["default_max_pages"] != nil || s["max_pages_reached"] != true {
		t.Errorf("--max-pages 2: report.json stats %v, want max_pages_reached and no default_max_pages", s)
	}

	// --max-pages 0 lifts it.
	code, _, stderr = crawl("--max-pages", "0", "--format", "csv")
	if code != exitOK || strings.Contains(stderr, "--max-pages") {
		t.Errorf("--max-pages 0: exit code %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
}
