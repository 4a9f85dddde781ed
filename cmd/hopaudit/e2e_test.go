package main

// End-to-end tests: run() with the real crawler, catalogue and
// formatters against loopback fixture sites.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
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

// resolveArgs points the fixture's host at its loopback servers.
func resolveArgs(site *crawlertest.Site) []string {
	return []string{
		"--resolve", crawlertest.Host + ":80:" + site.HTTP.Listener.Addr().String(),
		"--resolve", crawlertest.Host + ":443:" + site.TLS.Listener.Addr().String(),
		"--insecure",
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
	code, stdout, stderr := runMain(t, "crawl", u, "--format", "csv", "--report", "urls", "--ignore-robots", "--no-sitemaps")
	if code != exitIncomplete {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitIncomplete, stderr)
	}
	oneError(t, stderr, "the start URL could not be fetched: "+u)
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
	code := run(ctx, []string{"crawl", srv.URL + "/", "--report", "urls", "--format", "csv", "--ignore-robots", "--no-sitemaps", "--concurrency", "1"}, &stdout, &stderr)
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
