package main

// End-to-end tests: run() with the real crawler, catalogue and
// formatters against loopback fixture sites.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

const e2eSite = `
-- / --
<a href="/old">old page</a>
<a href="/new">new page</a>
-- /old 301 /new --
-- /new --
<p>new</p>
`

// resolveArgs points the fixture's host at its loopback servers, with a
// timeout no load on the machine reaches.
func resolveArgs(site *crawlertest.Site) []string {
	return []string{
		"--resolve", crawlertest.Host + ":80:" + site.HTTP.Listener.Addr().String(),
		"--resolve", crawlertest.Host + ":443:" + site.TLS.Listener.Addr().String(),
		"--insecure", "--timeout", crawlertest.Timeout.String(),
	}
}

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

var summaryRE = regexp.MustCompile(`(?m)^\d+ URLs fetched, \d+ redirect chains, \d+ findings \(\d+ error, \d+ warning, \d+ notice\) in \S+$`)

func TestEndToEndCrawlChains(t *testing.T) {
	site := crawlertest.New(t, e2eSite)
	// flags before and after the start URL
	args := append([]string{"crawl", "--report", "chains", "http://" + crawlertest.Host + "/", "--format", "csv"}, resolveArgs(site)...)
	code, stdout, stderr := runMain(t, args...)
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	golden(t, "e2e-crawl-chains.csv", []byte(stdout))
	if !summaryRE.MatchString(stderr) || !strings.Contains(stderr, " 1 redirect chains,") {
		t.Errorf("stderr has no summary line with 1 chain:\n%s", stderr)
	}
	if n := site.Hits("http://site.test/new"); n != 1 {
		t.Errorf("/new fetched %d times, want 1", n)
	}
}

func TestEndToEndCheck(t *testing.T) {
	site := crawlertest.New(t, e2eSite)
	list := filepath.Join(t.TempDir(), "urls.txt")
	if err := os.WriteFile(list, []byte("# migration map\n\nhttp://site.test/old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "chains.csv")
	args := append([]string{"check", list, "--report", "chains", "-o", out}, resolveArgs(site)...)
	code, stdout, stderr := runMain(t, args...)
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout with -o: %q", stdout)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The same chain as the crawl found, from the list alone.
	golden(t, "e2e-crawl-chains.csv", got)
	if n := site.Hits("http://site.test/"); n != 0 {
		t.Errorf("list mode fetched the home page %d times: it must not discover links", n)
	}
}

func TestEndToEndStartURLUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/"
	srv.Close() // nothing listens there any more: connection refused
	// Retried at once: the waits are what --max-retry-wait allows.
	code, stdout, stderr := runMain(t, "crawl", u, "--format", "csv", "--report", "urls", "--ignore-robots", "--no-sitemaps", "--max-retry-wait", "1ms")
	if code != exitIncomplete {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitIncomplete, stderr)
	}
	oneError(t, stderr, "site unreachable: the start URL could not be fetched: "+u)
	if !strings.Contains(stderr, "connection refused (after 4 attempts)") {
		t.Errorf("stderr does not say the start URL was tried 4 times:\n%s", stderr)
	}
	if !strings.HasPrefix(stdout, "url,") || !strings.Contains(stdout, u) {
		t.Errorf("the urls report does not list the start URL:\n%s", stdout)
	}
}

// TestEndToEndInterrupt cancels the run's context (as SIGINT does) while
// the crawler is fetching a page: what was crawled is still audited and
// written, and the exit code says the crawl was cut short.
func TestEndToEndInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<a href="/moved">moved</a>`)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/stop", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/stop", func(w http.ResponseWriter, r *http.Request) {
		cancel() // the signal arrives while this page is being fetched
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"crawl", srv.URL + "/", "--report", "urls", "--format", "csv", "--ignore-robots", "--no-sitemaps", "--concurrency", "1",
		"--timeout", crawlertest.Timeout.String()}, &stdout, &stderr)
	if code != exitIncomplete {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitIncomplete, stderr.String())
	}
	oneError(t, stderr.String(), "crawl cut short")
	if !strings.Contains(stderr.String(), "interrupted: stopping the crawl") {
		t.Errorf("stderr does not announce the interruption:\n%s", stderr.String())
	}
	for _, u := range []string{srv.URL + "/,200,", srv.URL + "/moved,301,"} {
		if !strings.Contains(stdout.String(), u) {
			t.Errorf("the report lacks %q:\n%s", u, stdout.String())
		}
	}
	if !summaryRE.MatchString(stderr.String()) {
		t.Errorf("no summary line:\n%s", stderr.String())
	}
}

// The same site on two nights: /promo's 302 became a 301 (fixed), /gone
// now redirects to a page that is missing (new), /old and /chain did
// not change.
const (
	nightOne = `
-- / --
<a href="/old">old page</a>
<a href="/promo">promo</a>
<a href="/chain">chain</a>
-- /old 301 /new --
-- /new --
<p>new</p>
-- /promo 302 /sale --
-- /sale --
<p>sale</p>
-- /chain 301 /chain2 --
-- /chain2 301 /final --
-- /final --
<p>final</p>
`
	nightTwo = `
-- / --
<a href="/old">old page</a>
<a href="/promo">promo</a>
<a href="/chain">chain</a>
<a href="/gone">gone</a>
-- /old 301 /new --
-- /new --
<p>new</p>
-- /promo 301 /sale --
-- /sale --
<p>sale</p>
-- /chain 301 /chain2 --
-- /chain2 301 /final --
-- /final --
<p>final</p>
-- /gone 301 /missing --
`
)

// TestEndToEndNightly runs hopaudit as a nightly job would, against a
// site that changes between two nights: a quiet first run into a
// folder, a second one against it with --baseline, a third with nothing
// new, and diff between the folders.
func TestEndToEndNightly(t *testing.T) {
	root := t.TempDir()
	night1, night2, night3 := filepath.Join(root, "night1"), filepath.Join(root, "night2"), filepath.Join(root, "night3")
	crawl := func(site *crawlertest.Site, args ...string) (int, string, string) {
		t.Helper()
		return runMain(t, append(append([]string{"crawl", "http://" + crawlertest.Host + "/"}, resolveArgs(site)...), args...)...)
	}

	site1 := crawlertest.New(t, nightOne)
	code, stdout, stderr := crawl(site1, "--output-dir", night1, "--quiet", "--fail-on", "error")
	if code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("night 1: exit code %d, stdout %q, stderr %q; want 0 and nothing", code, stdout, stderr)
	}

	site2 := crawlertest.New(t, nightTwo)
	code, stdout, stderr = crawl(site2, "--output-dir", night2, "--baseline", filepath.Join(night1, "report.json"), "--fail-on", "error")
	if code != exitFindings {
		t.Errorf("night 2: exit code %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	oneError(t, stderr, "1 new finding(s) at or above error since the baseline (--fail-on error)")
	if stdout != "" {
		t.Errorf("night 2: stdout %q", stdout)
	}
	if !strings.Contains(stderr, "; 1 new, 1 fixed, 4 unchanged since the baseline\n") {
		t.Errorf("night 2: the summary line does not count the changes:\n%s", stderr)
	}
	findings, err := os.ReadFile(filepath.Join(night2, "findings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "e2e-nightly-findings.csv", findings)
	for _, row := range []string{
		"new,broken-link,error,http://site.test/gone,http://site.test/,404,",
		"fixed,temporary-redirect,warning,http://site.test/promo,http://site.test/,302,",
		"unchanged,link-to-redirect,warning,http://site.test/promo,http://site.test/,",
		"unchanged,redirect-chain,warning,http://site.test/chain,http://site.test/,",
	} {
		if !bytes.Contains(findings, []byte("\r\n"+row)) {
			t.Errorf("night 2's findings.csv lacks a row starting %q", row)
		}
	}
	summary, _ := os.ReadFile(filepath.Join(night2, "summary.csv"))
	if !bytes.HasPrefix(summary, []byte("rule,severity,count,new,fixed,unverified\r\n")) || !bytes.Contains(summary, []byte("\r\ntemporary-redirect,warning,0,0,1,0\r\n")) {
		t.Errorf("night 2's summary.csv:\n%s", summary)
	}

	// A third night like the second: nothing new, whatever --fail-on says.
	code, _, stderr = crawl(site2, "--output-dir", night3, "--baseline", filepath.Join(night2, "report.json"), "--fail-on", "notice", "--quiet")
	if code != exitOK || stderr != "" {
		t.Errorf("night 3: exit code %d, stderr %q; want 0 and nothing", code, stderr)
	}

	// diff between the folders says what night 2 said.
	code, stdout, stderr = runMain(t, "diff", filepath.Join(night1, "report.json"), filepath.Join(night2, "report.json"), "--format", "csv", "--fail-on", "warning")
	if code != exitFindings {
		t.Errorf("diff: exit code %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	oneError(t, stderr, "1 new finding(s) at or above warning in ")
	records := csvRecords(t, []byte(stdout))
	var got []string
	for _, rec := range records[1:] {
		got = append(got, rec[0]+" "+rec[1]+" "+rec[3])
	}
	want := []string{
		"new broken-link http://site.test/gone",
		"fixed temporary-redirect http://site.test/promo",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	code, stdout, _ = runMain(t, "diff", filepath.Join(night2, "report.json"), filepath.Join(night3, "report.json"))
	if code != exitOK || !strings.Contains(stdout, "against the baseline: 0 new, 0 fixed, 5 unchanged\n\nno new or fixed findings\n") {
		t.Errorf("diff of two equal nights: exit code %d\n%s", code, stdout)
	}
}

// TestEndToEndMigration checks a redirect map as a spreadsheet exports
// it (byte order mark, CRLF, a notes column) with check --expect.
func TestEndToEndMigration(t *testing.T) {
	site := crawlertest.New(t, `
-- /about-us 301 /about --
-- /about --
<p>about</p>
-- /products/shoes 308 /shop/shoes --
-- /shop/shoes --
<p>shoes</p>
-- /blog 301 / --
-- / --
<p>home</p>
-- /contact --
<p>contact</p>
-- /team 301 /people --
-- /pricing 302 /plans --
-- /plans --
<p>plans</p>
`)
	path := filepath.Join(t.TempDir(), "map.csv")
	m := "\ufeffFrom,To,Notes\r\n" +
		"http://site.test/about-us,http://site.test/about,\r\n" +
		"http://site.test/products/shoes,http://SITE.test/shop/shoes#top,\"case, fragment\"\r\n" +
		"http://site.test/blog,http://site.test/news,\r\n" +
		"http://site.test/contact,http://site.test/contact-us,\r\n" +
		"http://site.test/team,http://site.test/people,\r\n" +
		"http://site.test/pricing,http://site.test/plans,\r\n"
	if err := os.WriteFile(path, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"check", "--expect", path, "--format", "csv", "--fail-on", "error"}, resolveArgs(site)...)
	code, stdout, stderr := runMain(t, args...)
	if code != exitFindings {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitFindings, stderr)
	}
	oneError(t, stderr, "3 finding(s) at or above error (--fail-on error)")
	golden(t, "e2e-migration.csv", []byte(stdout))
	records := csvRecords(t, []byte(stdout))
	byURL := map[string][]string{}
	for _, rec := range records[1:] {
		byURL[rec[2]] = append(byURL[rec[2]], rec[0])
	}
	for u, want := range map[string]string{
		"http://site.test/about-us":       "",
		"http://site.test/products/shoes": "",
		"http://site.test/blog":           "redirect-map-mismatch",
		"http://site.test/contact":        "redirect-map-missing",
		"http://site.test/team":           "broken-redirect",
		"http://site.test/pricing":        "temporary-redirect",
	} {
		if got := strings.Join(byURL[u], ","); got != want {
			t.Errorf("%s: rules %q, want %q", u, got, want)
		}
	}
	if n := site.Hits("http://site.test/news"); n != 0 {
		t.Errorf("the map's to URLs are fetched only where a chain leads: /news %d times", n)
	}
}

// TestEndToEndSitemaps crawls a site whose robots.txt names a sitemap
// that answers 404 and one that lists a page: --report sitemaps has a
// row for each, the failed one with its error, which is a warning on
// stderr too.
func TestEndToEndSitemaps(t *testing.T) {
	site := crawlertest.New(t, `
-- /robots.txt --
> Content-Type: text/plain
User-agent: *
Allow: /
Sitemap: http://site.test/sitemap.xml
Sitemap: http://site.test/missing.xml
-- /sitemap.xml --
> Content-Type: application/xml
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://site.test/listed</loc></url></urlset>
-- / --
<p>home</p>
-- /listed --
<p>listed</p>
`)
	code, stdout, stderr := runMain(t, append([]string{"crawl", "http://site.test/", "--report", "sitemaps", "--format", "csv", "--quiet"}, resolveArgs(site)...)...)
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	want := "url,from,status,index,entries,error\r\n" +
		"http://site.test/missing.xml,robots.txt,404,false,0,status 404\r\n" +
		"http://site.test/sitemap.xml,robots.txt,200,false,1,\r\n"
	if stdout != want {
		t.Errorf("sitemaps report:\n%s\nwant:\n%s", stdout, want)
	}
	if !strings.Contains(stderr, "warning: sitemap http://site.test/missing.xml") || !strings.Contains(stderr, "404") {
		t.Errorf("no warning about the missing sitemap on stderr:\n%s", stderr)
	}
}

// TestEndToEndCSVIsInert crawls a site whose Location values, URLs and
// anchors start formulas, and checks every CSV of --output-dir and of
// stdout: RFC 4180 with a header row, and no cell that a spreadsheet
// would evaluate.
func TestEndToEndCSVIsInert(t *testing.T) {
	site := crawlertest.New(t, `
-- / --
<a href="/=1+1">sum</a>
<a href="/calc">calc</a>
<a href="/at">at</a>
<a href="/minus">minus</a>
-- /=1+1 301 /new --
-- /calc 302 --
> Location: =HYPERLINK("http://evil.example/")
-- /at 302 --
> Location: @SUM(1+1)
> X-Redirect-By: +cmd|' /C calc'!A0
-- /minus 307 --
> Location: -2+3
-- /new --
<p>new</p>
`)
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runMain(t, append([]string{"crawl", "http://site.test/", "--output-dir", dir, "--format", "csv", "--report", "hops"}, resolveArgs(site)...)...)
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	outputs := map[string][]byte{"stdout": []byte(stdout)}
	for _, name := range []string{"findings.csv", "chains.csv", "hops.csv", "urls.csv", "sitemaps.csv", "summary.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		outputs[name] = b
	}
	sawNeutralised, sawRedirectBy := false, false
	for name, b := range outputs {
		records := csvRecords(t, b)
		if len(records) < 2 {
			t.Errorf("%s: %d records", name, len(records))
		}
		for i, rec := range records {
			for j, c := range rec {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("%s: record %d field %d starts a formula: %q", name, i+1, j+1, c)
				}
				sawNeutralised = sawNeutralised || c == "'@SUM(1+1)"
				sawRedirectBy = sawRedirectBy || c == "'+cmd|' /C calc'!A0"
			}
		}
	}
	if !sawNeutralised || !sawRedirectBy {
		t.Errorf("the formula Location (%v) or X-Redirect-By (%v) is not in any report: the test proves nothing", sawNeutralised, sawRedirectBy)
	}
}

// TestEndToEndWordPressRedirects crawls a site whose redirects, as
// WordPress and its plugins make them, say who made them in
// X-Redirect-By, and which has a 302 without Location and a 300 with
// one: the hops and chains reports name the software of each hop, and
// list the 3xx answers that send the client nowhere with the reason.
func TestEndToEndWordPressRedirects(t *testing.T) {
	site := crawlertest.New(t, `
-- / --
<a href="/?p=9">spring sale</a>
<a href="/old-slug/">renamed</a>
<a href="/members">members</a>
<a href="/choose">language</a>
-- /?p=9 301 /spring-sale/ --
> X-Redirect-By: WordPress
-- /spring-sale/ --
<p>sale</p>
-- /old-slug/ 301 /old-slug-2/ --
> X-Redirect-By: redirection
-- /old-slug-2/ 302 /renamed/ --
> X-Redirect-By: WordPress
> X-Redirect-By: Yoast SEO
-- /renamed/ --
<p>renamed</p>
-- /members 302 --
> X-Redirect-By: WordPress
-- /choose 300 /en/ --
`)
	for _, report := range []string{"hops", "chains"} {
		code, stdout, stderr := runMain(t, append([]string{"crawl", "http://site.test/", "--report", report, "--format", "csv", "--quiet"}, resolveArgs(site)...)...)
		if code != exitOK {
			t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
		}
		golden(t, "e2e-wordpress-"+report+".csv", withoutElapsed(t, stdout))
	}
	if n := site.Hits("http://site.test/en/"); n != 0 {
		t.Errorf("the 300's Location was fetched %d times: clients do not follow a 300", n)
	}
}

// withoutElapsed returns a CSV report with its elapsed_ms cells, which
// differ on every run, set to 0.
func withoutElapsed(t *testing.T, report string) []byte {
	t.Helper()
	records := csvRecords(t, []byte(report))
	col := slices.Index(records[0], "elapsed_ms")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for i, rec := range records {
		if i > 0 && col >= 0 {
			rec[col] = "0"
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.Bytes()
}
