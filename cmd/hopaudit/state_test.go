package main

// Tests of --state, resume and audit: a crawl kept in a crawl file.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
	"github.com/hopaudit/hopaudit/crawlfile"
)

// stateSite is a site of pages, redirect chains, a missing page and a
// sitemap named by robots.txt.
func stateSite(pages int) string {
	var b strings.Builder
	b.WriteString("-- /robots.txt --\n> Content-Type: text/plain\nUser-agent: *\nDisallow: /private/\nSitemap: http://site.test/sitemap.xml\n")
	fmt.Fprintf(&b, "-- /sitemap.xml --\n> Content-Type: application/xml\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>http://site.test/orphan</loc></url><url><loc>http://site.test/old/1</loc></url></urlset>\n")
	b.WriteString("-- /orphan --\n<p>only in the sitemap</p>\n")
	b.WriteString("-- / --\n")
	for i := range pages {
		fmt.Fprintf(&b, "<a href=\"/page/%d\">page %d</a>\n", i, i)
	}
	b.WriteString("<a href=\"/private/x\">private</a>\n")
	for i := range pages {
		fmt.Fprintf(&b, "-- /page/%d --\n<a href=\"/old/%d\">old</a> <a href=\"/page/%d\">next</a>\n", i, i, (i+1)%pages)
		if i%5 == 0 {
			fmt.Fprintf(&b, "<a href=\"/missing/%d\">gone</a>\n", i)
		}
		switch {
		case i%3 == 0: // a two-hop chain, temporary then permanent
			fmt.Fprintf(&b, "-- /old/%d 302 /older/%d --\n-- /older/%d 301 /page/%d --\n", i, i, i, i)
		default:
			fmt.Fprintf(&b, "-- /old/%d 301 /page/%d --\n", i, i)
		}
	}
	return b.String()
}

// stateArgs are the arguments of a crawl of a stateSite kept in state,
// writing every report into dir.
func stateArgs(site *crawlertest.Site, state, dir string) []string {
	return append([]string{"crawl", "http://" + crawlertest.Host + "/", "--state", state, "--output-dir", dir, "--quiet", "--concurrency", "4"}, resolveArgs(site)...)
}

// timing matches the report fields that say when or how fast, which no
// two crawls share.
var (
	timing     = regexp.MustCompile(`"(started|finished|duration_ms|elapsed_ms)": *("[^"]*"|\d+)`)
	htmlTiming = regexp.MustCompile(`(Crawl started|<th scope="row">(Started|Finished|Duration)</th>)[^\n]*`)
)

// readReports reads every report of --output-dir dir. With untimed, the
// fields that say when or how fast are blanked: two crawls of a site
// differ in nothing else.
func readReports(t *testing.T, dir string, untimed bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range dirReports {
		b, err := os.ReadFile(filepath.Join(dir, r.name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if untimed {
			s = timing.ReplaceAllString(s, `"$1": 0`)
			s = htmlTiming.ReplaceAllString(s, "$1")
			s = blankColumn(s, "elapsed_ms")
		}
		out[r.name] = s
	}
	return out
}

// blankColumn blanks the CSV column name of s, if it has one; the
// fixture's values hold no comma or quote.
func blankColumn(s, name string) string {
	lines := strings.Split(s, "\r\n")
	col := slices.Index(strings.Split(lines[0], ","), name)
	if col < 0 {
		return s
	}
	for i := 1; i < len(lines); i++ {
		if f := strings.Split(lines[i], ","); len(f) > col {
			f[col] = ""
			lines[i] = strings.Join(f, ",")
		}
	}
	return strings.Join(lines, "\r\n")
}

func sameReports(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	for name, w := range want {
		if g := got[name]; g != w {
			t.Errorf("%s: %s differs:\n%s", what, name, crawlertest.DiffLines(w, g))
		}
	}
}

// recordedURLs returns the URLs of urls that crawl file path holds a
// record of, in its last crawl.
func recordedURLs(t *testing.T, path string, urls []string) map[string]bool {
	t.Helper()
	f, err := crawlfile.OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	infos, err := f.Crawls()
	if err != nil || len(infos) != 1 {
		t.Fatalf("crawls of %s: %v, %v; want one", path, infos, err)
	}
	c, err := f.Crawl(infos[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := map[string]bool{}
	for _, u := range urls {
		rec, err := c.Recorded(crawler.RecordURL, u)
		if err != nil {
			t.Fatal(err)
		}
		if rec != nil {
			out[u] = true
		}
	}
	return out
}

// hold counts a site's requests, and holds those from the at-th on.
type hold struct {
	at      int32
	n       atomic.Int32
	once    sync.Once
	reached chan struct{} // closed at the at-th request
}

// TestStateKillResume kills a crawl kept in a crawl file with SIGKILL at
// several points (at its second request, half way, at its last request)
// and runs the same command again: it fetches nothing the file holds,
// and writes the reports an uninterrupted crawl writes.
func TestStateKillResume(t *testing.T) {
	site := crawlertest.New(t, stateSite(30))
	// From the at-th request of the site on (robots.txt aside), the
	// hold in place answers nothing: the crawl is stuck there when it
	// is killed.
	var holding atomic.Pointer[hold]
	site.Hold = func(r *http.Request) {
		h := holding.Load()
		if h == nil || strings.HasSuffix(r.URL.Path, "/robots.txt") {
			return
		}
		if h.n.Add(1) >= h.at {
			h.once.Do(func() { close(h.reached) })
			<-r.Context().Done()
		}
	}
	tmp := t.TempDir()

	code, _, stderr := runMain(t, stateArgs(site, filepath.Join(tmp, "whole.db"), filepath.Join(tmp, "whole"))...)
	if code != exitOK {
		t.Fatalf("uninterrupted crawl: exit %d; stderr:\n%s", code, stderr)
	}
	want := readReports(t, filepath.Join(tmp, "whole"), true)
	var urls []string
	for _, r := range site.Requests() {
		if !strings.HasSuffix(r.URL, "/robots.txt") {
			urls = append(urls, r.URL)
		}
	}
	total := len(urls)

	for _, kill := range []struct {
		at      int  // the request the crawl is stuck at
		written bool // killed once the file holds records, not before
	}{{2, false}, {total / 2, true}, {total, true}} {
		at := kill.at
		t.Run(fmt.Sprintf("kill at request %d of %d", at, total), func(t *testing.T) {
			state, dir := filepath.Join(tmp, fmt.Sprint(at, ".db")), filepath.Join(tmp, fmt.Sprint(at))
			h := &hold{at: int32(at), reached: make(chan struct{})}
			holding.Store(h)
			cmd := command(stateArgs(site, state, dir)...)
			var childErr bytes.Buffer
			cmd.Stderr = &childErr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := false
			t.Cleanup(func() {
				if !killed { // the test failed on the way
					cmd.Process.Kill()
					cmd.Wait()
				}
			})
			<-h.reached
			deadline, ok := t.Deadline()
			for kill.written && len(recordedURLs(t, state, urls)) == 0 {
				if ok && time.Until(deadline) < time.Minute {
					t.Fatalf("the crawl file holds no record while the crawl waits at request %d", at)
				}
				time.Sleep(10 * time.Millisecond) // the writer commits its batch in its own time
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			if code := exitStatus(t, cmd.Wait()); code != 128+int(syscall.SIGKILL) {
				t.Fatalf("child exit %d, want killed; stderr:\n%s", code, childErr.String())
			}
			holding.Store(nil)
			recorded := recordedURLs(t, state, urls)
			t.Logf("killed with %d URLs recorded", len(recorded))

			mark := len(site.Requests())
			code, _, stderr := runMain(t, stateArgs(site, state, dir)...)
			if code != exitOK {
				t.Fatalf("resumed crawl: exit %d; stderr:\n%s", code, stderr)
			}
			for _, r := range site.Requests()[mark:] {
				if recorded[r.URL] {
					t.Errorf("resumed crawl fetched %s again: the crawl file holds it", r.URL)
				}
			}
			sameReports(t, "resumed crawl", want, readReports(t, dir, true))
		})
	}
}

// TestAuditReproducesCrawl: hopaudit audit writes, from the crawl file
// alone, byte for byte the reports the crawl wrote; with other rules
// and severities it writes what a crawl with them would.
func TestAuditReproducesCrawl(t *testing.T) {
	site := crawlertest.New(t, stateSite(12))
	tmp := t.TempDir()
	state := filepath.Join(tmp, "crawl.db")
	code, _, stderr := runMain(t, stateArgs(site, state, filepath.Join(tmp, "crawl"))...)
	if code != exitOK {
		t.Fatalf("crawl: exit %d; stderr:\n%s", code, stderr)
	}
	mark := len(site.Requests())
	code, _, stderr = runMain(t, "audit", state, "--output-dir", filepath.Join(tmp, "audit"), "--quiet")
	if code != exitOK {
		t.Fatalf("audit: exit %d; stderr:\n%s", code, stderr)
	}
	if n := len(site.Requests()) - mark; n != 0 {
		t.Errorf("audit sent %d requests, want none", n)
	}
	sameReports(t, "audit", readReports(t, filepath.Join(tmp, "crawl"), false), readReports(t, filepath.Join(tmp, "audit"), false))

	// Other rules and severities: as a crawl with them.
	flags := []string{"--rules", "all,-broken-link", "--severity", "temporary-redirect=error", "--report", "summary", "--format", "json"}
	_, want, _ := runMain(t, append(stateArgs(site, filepath.Join(tmp, "other.db"), filepath.Join(tmp, "other")), flags...)...)
	_, got, stderr := runMain(t, append([]string{"audit", state, "--quiet"}, flags...)...)
	if untimed(got) != untimed(want) || !strings.Contains(got, `"temporary-redirect"`) {
		t.Errorf("audit with other rules:\n%s\nwant as the crawl:\n%s\nstderr: %s", got, want, stderr)
	}
}

// TestAuditStatus: the status report of a kept check has one row per
// line of its list, in its order, repeats too, as the check's had.
func TestAuditStatus(t *testing.T) {
	site := crawlertest.New(t, stateSite(3))
	tmp := t.TempDir()
	list := filepath.Join(tmp, "urls.txt")
	if err := os.WriteFile(list, []byte("http://site.test/page/2\nhttp://site.test/old/0\nhttp://site.test/page/2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(tmp, "check.db")
	code, want, stderr := runMain(t, append([]string{"check", list, "--state", state, "--report", "status", "--format", "csv", "--quiet"}, resolveArgs(site)...)...)
	if code != exitOK || strings.Count(want, "\n") != 4 {
		t.Fatalf("check: exit %d, want 0 and 3 rows; stdout:\n%s\nstderr:\n%s", code, want, stderr)
	}
	if _, got, _ := runMain(t, "audit", state, "--report", "status", "--format", "csv", "--quiet"); got != want {
		t.Errorf("audit --report status:\n%s\nwant the check's:\n%s", got, want)
	}
}

// TestStateNotReport: a report is never written over the crawl file.
func TestStateNotReport(t *testing.T) {
	site := crawlertest.New(t, stateSite(3))
	tmp := t.TempDir()
	state := filepath.Join(tmp, "report.json")
	for _, args := range [][]string{
		append(stateArgs(site, state, filepath.Join(tmp, "out")), "-o", state),
		stateArgs(site, state, tmp),
	} {
		if code, _, stderr := runMain(t, args...); code != exitUsage || !strings.Contains(stderr, "both the crawl file and a report file") {
			t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
		}
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("the crawl file was made although the command was refused")
	}
	kept := filepath.Join(tmp, "kept.db")
	if code, _, stderr := runMain(t, stateArgs(site, kept, filepath.Join(tmp, "out"))...); code != exitOK {
		t.Fatalf("crawl: exit %d; stderr:\n%s", code, stderr)
	}
	if code, _, stderr := runMain(t, "audit", kept, "-o", kept, "--format", "json"); code != exitUsage {
		t.Errorf("audit -o FILE: exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
	}
	if _, _, stderr := runMain(t, "audit", kept, "--quiet", "--report", "summary"); stderr != "" {
		t.Errorf("the crawl file does not audit after audit -o FILE was refused: %s", stderr)
	}
}

func untimed(s string) string { return timing.ReplaceAllString(s, `"$1": 0`) }

// TestStateSettings: a crawl file whose crawl has other settings is
// refused, and --restart starts a new crawl in it; a file that is not a
// crawl file is refused and left as it was.
func TestStateSettings(t *testing.T) {
	site := crawlertest.New(t, stateSite(3))
	tmp := t.TempDir()
	state := filepath.Join(tmp, "crawl.db")
	args := stateArgs(site, state, filepath.Join(tmp, "out"))
	if code, _, stderr := runMain(t, args...); code != exitOK {
		t.Fatalf("crawl: exit %d; stderr:\n%s", code, stderr)
	}
	code, _, stderr := runMain(t, append(args, "--max-depth", "1")...)
	if code != exitUsage || !strings.Contains(stderr, "--restart") || !strings.Contains(stderr, "max_depth") {
		t.Errorf("other settings: exit %d, want %d with a message naming max_depth and --restart; stderr:\n%s", code, exitUsage, stderr)
	}
	if code, _, stderr := runMain(t, append(args, "--max-depth", "1", "--restart")...); code != exitOK {
		t.Errorf("--restart: exit %d; stderr:\n%s", code, stderr)
	}

	// Another version of hopaudit (its own user agent names it) is not
	// another crawl; another server (--resolve) is.
	old := version
	version = "v9.9.9"
	code, _, stderr = runMain(t, append(args, "--max-depth", "1")...)
	version = old
	if code != exitOK {
		t.Errorf("another hopaudit version: exit %d; stderr:\n%s", code, stderr)
	}
	moved := append(stateArgs(site, state, filepath.Join(tmp, "out")), "--max-depth", "1", "--resolve", "site.test:80:127.0.0.1:1")
	if code, _, stderr := runMain(t, moved...); code != exitUsage || !strings.Contains(stderr, "resolve") {
		t.Errorf("another --resolve: exit %d, want %d naming resolve; stderr:\n%s", code, exitUsage, stderr)
	}

	text := filepath.Join(tmp, "notes.txt")
	if err := os.WriteFile(text, []byte("not a crawl file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{stateArgs(site, text, filepath.Join(tmp, "out2")), {"audit", text}} {
		if code, _, stderr := runMain(t, cmd...); code != exitUsage {
			t.Errorf("%s with a text file: exit %d, want %d; stderr:\n%s", cmd[0], code, exitUsage, stderr)
		}
	}
	if b, _ := os.ReadFile(text); string(b) != "not a crawl file\n" {
		t.Errorf("the text file became %q", b)
	}
}

// TestBaselineLast: --baseline last compares a crawl with the one
// before it in the crawl file.
func TestBaselineLast(t *testing.T) {
	tmp := t.TempDir()
	state := filepath.Join(tmp, "crawl.db")
	// One server, as a site is from night to night (--resolve is a
	// setting of the crawl), answering as either night's site.
	one, two := crawlertest.New(t, nightOne), crawlertest.New(t, nightTwo)
	var night atomic.Pointer[crawlertest.Site]
	night.Store(one)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { night.Load().ServeHTTP(w, r) }))
	defer srv.Close()
	site := &crawlertest.Site{HTTP: srv, TLS: one.TLS}
	// The nightly job's first night has nothing to compare with.
	code, _, stderr := runMain(t, append(stateArgs(site, state, filepath.Join(tmp, "one")), "--baseline", "last")...)
	if code != exitOK || !strings.Contains(stderr, "holds no crawl before this one") {
		t.Fatalf("night one with --baseline last: exit %d, want 0 with a warning; stderr:\n%s", code, stderr)
	}
	night.Store(two)
	args := append(stateArgs(site, state, filepath.Join(tmp, "two")), "--baseline", "last", "--report", "summary", "--format", "json")
	code, stdout, stderr := runMain(t, args...)
	if code != exitOK {
		t.Fatalf("night two: exit %d; stderr:\n%s", code, stderr)
	}
	var doc struct {
		Comparison struct{ New, Fixed, Unchanged int } `json:"comparison"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if c := doc.Comparison; c.New == 0 || c.Fixed == 0 || c.Unchanged == 0 {
		t.Errorf("night two against night one: %+v; want new, fixed and unchanged findings", c)
	}
	// The same comparison from the file alone.
	_, again, _ := runMain(t, "audit", state, "--baseline", "last", "--report", "summary", "--format", "json", "--quiet")
	if untimed(again) != untimed(stdout) {
		t.Errorf("audit --baseline last:\n%s\nwant as the crawl:\n%s", again, stdout)
	}
	if code, _, stderr := runMain(t, "crawl", "http://site.test/", "--baseline", "last"); code != exitUsage || !strings.Contains(stderr, "--state") {
		t.Errorf("--baseline last without --state: exit %d; stderr:\n%s", code, stderr)
	}
}
