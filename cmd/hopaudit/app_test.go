package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
	"github.com/hopaudit/hopaudit/output"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	crawlertest.Golden(t, filepath.Join("testdata", name), got, *update)
}

// testCatalogue is a small rule catalogue standing in for rules.All().
func testCatalogue() []*audit.Rule {
	return []*audit.Rule{
		{
			Name:     "temporary-redirect",
			Severity: audit.Warning,
			Doc: audit.Doc{
				Title: "A redirect is temporary",
				Text:  "A 302 or 307 keeps the old URL indexed.\nUse 301 or 308 when the move is permanent.",
			},
			Run: func(p *audit.Pass) error {
				for r := range p.Graph.SortedResponses() {
					if (r.Status == 302 || r.Status == 307) && r.Redirect != nil {
						p.Reportf(audit.Finding{URL: r.URL, Status: r.Status, Target: r.Redirect.Location}, "%d to %s", r.Status, r.Redirect.Location)
					}
				}
				return nil
			},
		},
		{
			Name:     "redirect-chain",
			Severity: audit.Warning,
			Doc:      audit.Doc{Title: "URL reaches its target through more than one redirect", Text: "Point the first URL straight at the final target."},
			Options: []audit.Option{
				{Name: "allowed-hops", Default: 1, Doc: "redirects an entry URL may take"},
				{Name: "label", Default: "chain", Doc: "a string option"},
			},
			Run: func(p *audit.Pass) error {
				for _, c := range p.Graph.Chains() {
					if len(c.Hops) > p.Int("allowed-hops") {
						p.Reportf(audit.Finding{URL: c.URL(), Hops: len(c.Hops), Target: c.FinalURL()}, "%d hops to %s", len(c.Hops), c.FinalURL())
					}
				}
				return nil
			},
		},
		{
			Name:     "query-dropped",
			Severity: audit.Notice,
			Doc:      audit.Doc{Title: "A redirect drops the query"},
			Run:      func(*audit.Pass) error { return nil },
		},
	}
}

// testGraph is a crawl of one start URL that redirects twice:
// /a 301 -> /b 302 -> /c 200.
func testGraph() *crawler.Graph {
	g := &crawler.Graph{
		References: []crawler.Reference{{Kind: crawler.RefSeed, Target: "http://site.test/a"}},
		Sitemaps:   []crawler.Sitemap{{URL: "http://site.test/sitemap.xml", From: crawler.SitemapGuessed, Status: 404, Error: "status 404"}},
		Scope:      crawler.Scope{Hosts: []string{"site.test"}},
		Stats:      crawler.Stats{Fetched: 3, Parsed: 1},
	}
	g.Add(&crawler.Response{URL: "http://site.test/a", Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/b"}, Location: "http://site.test/b"}, Internal: true},
		&crawler.Response{URL: "http://site.test/b", Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/c"}, Location: "http://site.test/c"}, Internal: true},
		&crawler.Response{URL: "http://site.test/c", Status: 200, ContentType: "text/html", Internal: true, Parsed: true})
	return g
}

// fakeRun is a test app's environment and what happened in it.
type fakeRun struct {
	*app
	stdout, stderr bytes.Buffer
	graph          *crawler.Graph // what the fake crawler returns
	crawlErr       error
	cfg            *crawler.Config // what the fake crawler was given; nil if not called
	formats        []string        // formatter lookups: "name terminal=bool"
}

// newFake returns an app with the test catalogue, a fake crawler that
// returns testGraph(), the real formatters, and a clock that advances
// 1.5s per call.
func newFake(t *testing.T) *fakeRun {
	t.Helper()
	f := &fakeRun{graph: testGraph()}
	clock := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	f.app = &app{
		stdin:  strings.NewReader(""),
		stdout: &f.stdout,
		stderr: &f.stderr,
		rules:  testCatalogue(),
		crawl: func(_ context.Context, cfg crawler.Config) (*crawler.Graph, error) {
			f.cfg = &cfg
			return f.graph, f.crawlErr
		},
		lookup: func(name string, opts output.Options) (output.Formatter, error) {
			f.formats = append(f.formats, fmt.Sprintf("%s terminal=%v", name, opts.Terminal))
			return output.Lookup(name, opts)
		},
		now: func() time.Time {
			clock = clock.Add(1500 * time.Millisecond)
			return clock
		},
	}
	return f
}

func (f *fakeRun) run(args ...string) int {
	return f.app.run(context.Background(), args)
}

// oneError checks that stderr holds exactly one "hopaudit: " line and
// that it contains want.
func oneError(t *testing.T, stderr, want string) {
	t.Helper()
	var errs []string
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if strings.HasPrefix(line, "hopaudit: ") {
			errs = append(errs, line)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("stderr has %d hopaudit: lines, want 1:\n%s", len(errs), stderr)
	}
	if !strings.Contains(errs[0], want) {
		t.Errorf("error line %q does not contain %q", errs[0], want)
	}
	if strings.HasSuffix(errs[0], ".") {
		t.Errorf("error line %q ends with a period", errs[0])
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badConfig, []byte("rules:\n  redirect-chain:\n    options:\n      allowed-hops: two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{nil, "missing command"},
		{[]string{"crwal", "https://x"}, `unknown command "crwal"`},
		{[]string{"crawl"}, "crawl: missing start URL"},
		{[]string{"crawl", "ftp://example.com/"}, "crawl: start URL: URL \"ftp://example.com/\": scheme ftp is not http or https"},
		{[]string{"crawl", "mailto:seo@example.com"}, "scheme mailto is not http or https"},
		{[]string{"crawl", "x.test", "--bogus"}, "crawl: flag provided but not defined: -bogus (see hopaudit crawl -h)"},
		{[]string{"crawl", "x.test", "--concurrency"}, "flag needs an argument: -concurrency"},
		{[]string{"crawl", "x.test", "--concurrency", "0"}, "--concurrency must be at least 1"},
		{[]string{"crawl", "x.test", "--concurrency", "many"}, `invalid value "many" for flag -concurrency`},
		{[]string{"crawl", "x.test", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"crawl", "x.test", "--delay", "-1s"}, "--delay must not be negative"},
		{[]string{"crawl", "x.test", "--max-pages", "-1"}, "--max-pages must not be negative"},
		{[]string{"crawl", "x.test", "--max-depth", "-2"}, "--max-depth must not be negative"},
		{[]string{"crawl", "x.test", "--max-body", "5XB"}, `invalid value "5XB" for flag -max-body`},
		{[]string{"crawl", "x.test", "--user-agent", " "}, "--user-agent must not be empty"},
		{[]string{"crawl", "x.test", "--header", "NoColon"}, `invalid value "NoColon" for flag -header: want "Name: value"`},
		{[]string{"crawl", "x.test", "--include", "("}, "for flag -include"},
		{[]string{"crawl", "x.test", "--resolve", "x.test:443"}, "want host:port:addr"},
		{[]string{"crawl", "x.test", "--proxy", "ftp://proxy:21"}, "want an http, https, socks5 or socks5h URL"},
		{[]string{"crawl", "x.test", "--sitemap", "ftp://x.test/s.xml"}, "--sitemap: URL"},
		{[]string{"crawl", "x.test", "--sitemap", "x.test/s.xml", "--no-sitemaps"}, "contradict"},
		{[]string{"crawl", "x.test", "--format", "xml"}, `--format: unknown format "xml"`},
		{[]string{"crawl", "x.test", "-o", "r.xml", "--format", "yaml"}, `unknown format "yaml"`},
		{[]string{"crawl", "x.test", "--report", "pages"}, `--report: unknown report "pages"`},
		{[]string{"crawl", "x.test", "--format", "junit", "--report", "hops"}, "crawl: --format junit writes the findings, issues or summary report, not hops"},
		{[]string{"crawl", "x.test", "-o", "r.xml", "--report", "urls"}, "crawl: --format junit writes the findings, issues or summary report, not urls"},
		{[]string{"crawl", "x.test", "-o", "r.tsv"}, "crawl: -o r.tsv: unknown extension .tsv (want .txt, .csv, .json, .jsonl"},
		{[]string{"crawl", "x.test", "-o", "findings.csv.bak"}, "crawl: -o findings.csv.bak: unknown extension .bak"},
		{[]string{"crawl", "x.test", "--rules", "-*"}, `crawl: --rules "-*" selects no rule: nothing to audit`},
		{[]string{"crawl", "x.test", "--rules", "all,-*"}, `crawl: --rules "all,-*" selects no rule`},
		{[]string{"crawl", "x.test", "--fail-on", "fatal"}, `--fail-on: unknown severity "fatal"`},
		{[]string{"crawl", "x.test", "--rules", "nope"}, `--rules: unknown rule "nope"`},
		{[]string{"crawl", "x.test", "--rules", "all,-zz-*"}, `--rules: rule pattern "zz-*" matches no rule`},
		{[]string{"crawl", "x.test", "--severity", "nope=error"}, `--severity: unknown rule "nope"`},
		{[]string{"crawl", "x.test", "--severity", "redirect-chain=high"}, `--severity redirect-chain: unknown severity "high"`},
		{[]string{"crawl", "x.test", "--severity", "redirect-chain"}, "want RULE=LEVEL"},
		{[]string{"crawl", "x.test", "--config", filepath.Join(dir, "missing.yaml")}, "config: open "},
		{[]string{"crawl", "x.test", "--config", badConfig}, "config: " + badConfig + `:4: rule redirect-chain: option allowed-hops: want an integer, got the string "two"`},
		{[]string{"crawl", "x.test", "-o", filepath.Join(dir, "no", "such", "dir", "r.csv")}, "-o: "},
		{[]string{"check"}, "check: want one FILE, or - for stdin"},
		{[]string{"check", "a.txt", "b.txt"}, "check: want one FILE"},
		{[]string{"check", filepath.Join(dir, "missing.txt")}, "check: open "},
		{[]string{"check", "-", "--max-pages", "5"}, "check: flag provided but not defined: -max-pages"},
		{[]string{"check", "-", "--sitemap", "x.test/s.xml"}, "check: flag provided but not defined: -sitemap"},
		{[]string{"rules", "redirect-chain"}, "rules: takes no arguments"},
		{[]string{"explain"}, "explain: missing rule name"},
		{[]string{"explain", "redirect-chian"}, `explain: unknown rule "redirect-chian" (see hopaudit rules)`},
		{[]string{"version", "--short"}, "version: flag provided but not defined: -short"},
		{[]string{"help", "crawl", "check"}, "help: want one command"},
		{[]string{"help", "nope"}, `unknown command "nope"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := newFake(t)
			if code := f.run(tt.args...); code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			oneError(t, f.stderr.String(), tt.want)
			if f.stdout.Len() != 0 {
				t.Errorf("stdout is not empty:\n%s", f.stdout.String())
			}
			if f.cfg != nil {
				t.Error("the crawler ran")
			}
		})
	}
	// No -o temp file is left behind by a failed run.
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
}

func TestVersion(t *testing.T) {
	f := newFake(t)
	if code := f.run("version"); code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	if got := f.stdout.String(); got != "hopaudit dev\n" {
		t.Errorf("version printed %q, want %q", got, "hopaudit dev\n")
	}
	if f.stderr.Len() != 0 {
		t.Errorf("stderr: %s", f.stderr.String())
	}
	old := version
	version = "v1.2.3"
	defer func() { version = old }()
	if got := defaultUserAgent(); got != "hopaudit/v1.2.3 (+https://github.com/hopaudit/hopaudit)" {
		t.Errorf("user agent %q", got)
	}
}

func TestRulesAndExplain(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"rules.golden", []string{"rules"}},
		{"explain.golden", []string{"explain", "redirect-chain"}},
		{"explain-two.golden", []string{"explain", "query-dropped", "temporary-redirect"}},
		{"help.golden", []string{"-h"}},
		{"help-crawl.golden", []string{"crawl", "-h"}},
		{"help-check.golden", []string{"help", "check"}},
		{"help-diff.golden", []string{"diff", "-h"}},
		{"help-audit.golden", []string{"audit", "-h"}},
		{"help-worker.golden", []string{"worker", "-h"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := newFake(t)
			if code := f.run(tt.args...); code != exitOK {
				t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
			}
			if f.stderr.Len() != 0 {
				t.Errorf("stderr: %s", f.stderr.String())
			}
			golden(t, tt.name, f.stdout.Bytes())
		})
	}
}

// TestHelpListsEveryFlag checks that no flag is missing from the help.
func TestHelpListsEveryFlag(t *testing.T) {
	for _, list := range []bool{false, true} {
		var cf crawlFlags
		fs := flagSet("crawl")
		sections := cf.define(fs, list)
		var buf bytes.Buffer
		crawlHelp(list, fs, sections)(&buf)
		checkHelpFlags(t, fmt.Sprintf("list=%v", list), fs, buf.Bytes())
	}
	var df diffFlags
	fs := flagSet("diff")
	sections := df.define(fs)
	var buf bytes.Buffer
	diffHelp(func(w io.Writer) { printFlags(w, fs, sections) })(&buf)
	checkHelpFlags(t, "diff", fs, buf.Bytes())
}

func checkHelpFlags(t *testing.T, name string, fs *flag.FlagSet, help []byte) {
	t.Helper()
	fs.VisitAll(func(fl *flag.Flag) {
		dash := "--"
		if len(fl.Name) == 1 {
			dash = "-"
		}
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(dash+fl.Name) + `\b`).Match(help) {
			t.Errorf("%s: help does not list %s%s", name, dash, fl.Name)
		}
	})
}

func TestCrawlConfigDefaults(t *testing.T) {
	f := newFake(t)
	if code := f.run("crawl", "example.com"); code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	got := *f.cfg
	if got.Log == nil {
		t.Error("Log is nil, want stderr")
	}
	got.Log = nil
	want := crawler.Config{
		Seeds:        []string{"https://example.com"},
		Concurrency:  8,
		MaxPages:     100000,
		Timeout:      15 * time.Second,
		Retries:      3,
		RetryBackoff: time.Second,
		MaxRetryWait: time.Minute,
		MaxBody:      5 << 20,
		UserAgent:    "hopaudit/dev (+https://github.com/hopaudit/hopaudit)",
		Sitemaps:     []string{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config\n got %+v\nwant %+v", got, want)
	}
	if !strings.Contains(f.stderr.String(), "1 URL(s) without a scheme: using https://\n") {
		t.Errorf("stderr does not say https:// was assumed:\n%s", f.stderr.String())
	}
}

func TestCrawlConfigFlags(t *testing.T) {
	f := newFake(t)
	code := f.run("crawl", "--concurrency", "2", "https://a.test/", "--delay=250ms", "--max-pages", "50",
		"--max-depth", "3", "http://b.test/x", "--timeout", "30s", "--retries", "1", "--max-retry-wait", "5s", "--max-body", "512KiB", "--user-agent", "SEO-bot/1",
		"--header", "Authorization: Bearer t", "--header", "X-Env: staging", "--include", `^https://a\.test/blog/`,
		"--exclude", `\?sort=`, "--exclude", "/tag/", "--sitemap", "https://a.test/extra.xml", "--no-external", "--follow-nofollow",
		"--subdomains", "--ignore-robots", "--proxy", "http://proxy.test:3128", "--resolve", "a.test:443:127.0.0.1",
		"--insecure", "--allow-private")
	if code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	got := *f.cfg
	if len(got.Include) != 1 || got.Include[0].String() != `^https://a\.test/blog/` {
		t.Errorf("Include = %v", got.Include)
	}
	if len(got.Exclude) != 2 || got.Exclude[0].String() != `\?sort=` || got.Exclude[1].String() != "/tag/" {
		t.Errorf("Exclude = %v", got.Exclude)
	}
	got.Include, got.Exclude, got.Log = nil, nil, nil
	want := crawler.Config{
		Seeds:        []string{"https://a.test/", "http://b.test/x"},
		Concurrency:  2,
		Delay:        250 * time.Millisecond,
		MaxPages:     50,
		MaxDepth:     3,
		Timeout:      30 * time.Second,
		Retries:      1,
		RetryBackoff: time.Second,
		MaxRetryWait: 5 * time.Second,
		MaxBody:      512 << 10,
		UserAgent:    "SEO-bot/1",
		Header:       map[string][]string{"Authorization": {"Bearer t"}, "X-Env": {"staging"}},
		Sitemaps:     []string{"https://a.test/extra.xml"},
		NoExternal:   true,
		Subdomains:   true,
		IgnoreRobots: true,
		Proxy:        "http://proxy.test:3128",
		Resolve:      map[string]string{"a.test:443": "127.0.0.1:443"},
		Insecure:     true,
		AllowPrivate: true,

		FollowNofollow: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config\n got %+v\nwant %+v", got, want)
	}
	if strings.Contains(f.stderr.String(), "without a scheme") {
		t.Errorf("stderr mentions a missing scheme:\n%s", f.stderr.String())
	}
}

func TestCheckReadsList(t *testing.T) {
	list := "\ufeff# redirect map, night of the switch\r\n" +
		"http://site.test/old\r\n" +
		"\r\n" +
		"   # indented comment\n" +
		"  https://site.test/other?q=1  \n" +
		"site.test/no-scheme\n" +
		"\n"
	want := []string{"http://site.test/old", "https://site.test/other?q=1", "https://site.test/no-scheme"}

	path := filepath.Join(t.TempDir(), "urls.txt")
	if err := os.WriteFile(path, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{path, "-"} {
		t.Run(src, func(t *testing.T) {
			f := newFake(t)
			f.stdin = strings.NewReader(list)
			if code := f.run("check", src, "--concurrency", "3"); code != exitOK {
				t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
			}
			if !reflect.DeepEqual(f.cfg.Seeds, want) {
				t.Errorf("seeds = %q, want %q", f.cfg.Seeds, want)
			}
			if !f.cfg.ListMode || !f.cfg.NoSitemaps || f.cfg.Concurrency != 3 || f.cfg.MaxPages != 0 {
				t.Errorf("config = %+v, want list mode, no sitemaps, concurrency 3, no page limit", *f.cfg)
			}
		})
	}
}

func TestCheckListErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ list, want string }{
		{"# only comments\n\n", "lists no URL"},
		{"http://site.test/a\n\n# x\nftp://site.test/b\n", "urls.txt:4: URL \"ftp://site.test/b\": scheme ftp is not http or https"},
	} {
		path := filepath.Join(dir, "urls.txt")
		if err := os.WriteFile(path, []byte(tt.list), 0o644); err != nil {
			t.Fatal(err)
		}
		f := newFake(t)
		if code := f.run("check", path); code != exitUsage {
			t.Errorf("exit code %d, want %d", code, exitUsage)
		}
		oneError(t, f.stderr.String(), tt.want)
		if f.cfg != nil {
			t.Error("the crawler ran")
		}
	}
}

func TestFormatSelection(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args   []string
		file   string // where the report should be, "" = stdout
		format string // the formatter looked up
	}{
		{args: nil, format: "table terminal=true"},
		{args: []string{"--format", "csv"}, format: "csv terminal=true"},
		{args: []string{"--format=jsonl"}, format: "jsonl terminal=true"},
		{args: []string{"-o", "-"}, format: "table terminal=true"},
		{args: []string{"-o", "r.csv"}, file: "r.csv", format: "csv terminal=false"},
		{args: []string{"-o", "R.JSON"}, file: "R.JSON", format: "json terminal=false"},
		{args: []string{"-o", "r.jsonl"}, file: "r.jsonl", format: "jsonl terminal=false"},
		{args: []string{"-o", "r.txt"}, file: "r.txt", format: "table terminal=false"},
		{args: []string{"-o", "r2.csv", "--format", "json"}, file: "r2.csv", format: "json terminal=false"},
		{args: []string{"-o", "r3.csv", "--format", "table"}, file: "r3.csv", format: "table terminal=false"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := newFake(t)
			f.terminal = true
			args := []string{"crawl", "http://site.test/a"}
			for i, a := range tt.args {
				if i > 0 && tt.args[i-1] == "-o" && a != "-" {
					a = filepath.Join(dir, a)
				}
				args = append(args, a)
			}
			if code := f.run(args...); code != exitOK {
				t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
			}
			if len(f.formats) == 0 || f.formats[len(f.formats)-1] != tt.format {
				t.Errorf("formatter lookups %q, want the last to be %q", f.formats, tt.format)
			}
			report := f.stdout.Bytes()
			if tt.file != "" {
				if f.stdout.Len() != 0 {
					t.Errorf("stdout is not empty with -o:\n%s", f.stdout.String())
				}
				var err error
				if report, err = os.ReadFile(filepath.Join(dir, tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			// the report holds the findings of the fake graph
			if !bytes.Contains(report, []byte("http://site.test/b")) {
				t.Errorf("report does not mention http://site.test/b:\n%s", report)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestOutputFileReplacedWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.csv")
	if err := os.WriteFile(path, []byte("last night's report, much longer than tonight's\n"+strings.Repeat("x", 4096)), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFake(t)
	if code := f.run("crawl", "http://site.test/a", "-o", path, "--rules", "query-dropped"); code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte("last night")) || bytes.Contains(got, []byte("xxx")) {
		t.Errorf("old content survived:\n%s", got)
	}
	if !bytes.HasPrefix(got, []byte("rule,severity,url,source,status,target,hops,message")) {
		t.Errorf("report is not a findings CSV:\n%s", got)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v (%v), want 0600, the mode it had", fi.Mode().Perm(), err)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	quiet := filepath.Join(dir, "quiet.yaml")
	if err := os.WriteFile(quiet, []byte("rules:\n  temporary-redirect:\n    enabled: false\n  redirect-chain:\n    options:\n      allowed-hops: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loud := filepath.Join(dir, "loud.yaml")
	if err := os.WriteFile(loud, []byte("rules:\n  redirect-chain:\n    severity: error\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		graph func(*crawler.Graph)
		code  int
		rows  int    // findings in the CSV report
		err   string // the hopaudit: line, "" = none
	}{
		{name: "default fail-on none", code: exitOK, rows: 2},
		{name: "fail-on warning", args: []string{"--fail-on", "warning"}, code: exitFindings, rows: 2, err: "2 finding(s) at or above warning (--fail-on warning)"},
		{name: "fail-on notice", args: []string{"--fail-on", "notice"}, code: exitFindings, rows: 2, err: "at or above notice"},
		{name: "fail-on error", args: []string{"--fail-on", "error"}, code: exitOK, rows: 2},
		{name: "severity override", args: []string{"--fail-on", "error", "--severity", "temporary-redirect=error"}, code: exitFindings, rows: 2, err: "1 finding(s) at or above error"},
		{name: "severity none hides", args: []string{"--fail-on", "notice", "--severity", "temporary-redirect=none", "--severity", "redirect-chain=none"}, code: exitOK, rows: 0},
		{name: "rules removal", args: []string{"--fail-on", "warning", "--rules", "-temporary-redirect"}, code: exitFindings, rows: 1, err: "1 finding(s)"},
		{name: "rules glob", args: []string{"--fail-on", "warning", "--rules", "query-*"}, code: exitOK, rows: 0},
		{name: "config disables and sets options", args: []string{"--fail-on", "notice", "--config", quiet}, code: exitOK, rows: 0},
		{name: "rules flag after config", args: []string{"--config", quiet, "--rules", "all"}, code: exitOK, rows: 1},
		{name: "config severity", args: []string{"--fail-on", "error", "--config", loud}, code: exitFindings, rows: 2, err: "1 finding(s) at or above error"},
		{name: "severity flag beats config", args: []string{"--fail-on", "error", "--config", loud, "--severity", "redirect-chain=warning"}, code: exitOK, rows: 2},
		{
			name:  "cut short",
			args:  []string{"--fail-on", "warning"},
			graph: func(g *crawler.Graph) { g.Stats.Cancelled = true },
			code:  exitIncomplete, rows: 2, err: "crawl cut short: the report covers the 3 URLs fetched",
		},
		{
			name: "site unreachable",
			graph: func(g *crawler.Graph) {
				*g = crawler.Graph{References: g.References, Sitemaps: g.Sitemaps, Scope: g.Scope, Stats: g.Stats}
				g.Add(&crawler.Response{URL: "http://site.test/a", Error: "dial tcp: connection refused"})
				g.Stats.Fetched, g.Stats.Errors = 1, 1
				g.Stats.Unreachable = "the start URL could not be fetched: http://site.test/a: dial tcp: connection refused"
			},
			code: exitIncomplete, rows: 0, err: "site unreachable: the start URL could not be fetched: http://site.test/a: dial tcp: connection refused; the report covers the 1 URLs fetched",
		},
		{
			name: "site unreachable wins over --fail-on",
			args: []string{"--fail-on", "warning"},
			graph: func(g *crawler.Graph) {
				g.Stats.Unreachable = "site.test stopped answering"
			},
			code: exitIncomplete, rows: 2, err: "site unreachable: site.test stopped answering",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.graph != nil {
				tt.graph(f.graph)
			}
			args := append([]string{"crawl", "http://site.test/a", "--format", "csv"}, tt.args...)
			code := f.run(args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, f.stderr.String())
			}
			records, err := csv.NewReader(bytes.NewReader(f.stdout.Bytes())).ReadAll()
			if err != nil || len(records) == 0 || strings.Join(records[0], ",") != "rule,severity,url,source,status,target,hops,message" {
				t.Fatalf("stdout is not a findings CSV (%v):\n%s", err, f.stdout.String())
			}
			if got := len(records) - 1; got != tt.rows {
				t.Errorf("%d findings, want %d:\n%s", got, tt.rows, f.stdout.String())
			}
			if tt.err == "" {
				if strings.Contains(f.stderr.String(), "hopaudit: ") {
					t.Errorf("unexpected error on stderr:\n%s", f.stderr.String())
				}
			} else {
				oneError(t, f.stderr.String(), tt.err)
			}
		})
	}
}

func TestSeveritiesReachTheEngine(t *testing.T) {
	f := newFake(t)
	code := f.run("crawl", "http://site.test/a", "--format", "csv", "--severity", "temporary-redirect=error", "--severity", "redirect-chain=notice")
	if code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	golden(t, "findings-severity.csv", f.stdout.Bytes())
}

func TestSummaryLine(t *testing.T) {
	f := newFake(t)
	if code := f.run("crawl", "http://site.test/a", "--format", "csv"); code != exitOK {
		t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
	}
	want := "3 URLs fetched, 1 redirect chains, 2 findings (0 error, 2 warning, 0 notice) in 1.5s\n"
	if got := f.stderr.String(); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}

func TestCrawlerError(t *testing.T) {
	f := newFake(t)
	f.crawlErr = errors.New(`proxy "x" is not a URL`)
	if code := f.run("crawl", "http://site.test/a"); code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	oneError(t, f.stderr.String(), `hopaudit: crawl: proxy "x" is not a URL`)
	if f.stdout.Len() != 0 {
		t.Errorf("stdout: %s", f.stdout.String())
	}
}

func TestRuleFailureIsReported(t *testing.T) {
	f := newFake(t)
	f.rules = append(f.rules, &audit.Rule{Name: "broken", Severity: audit.Error, Doc: audit.Doc{Title: "panics"},
		Run: func(*audit.Pass) error { return errors.New("boom") }})
	if code := f.run("crawl", "http://site.test/a", "--format", "csv"); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	if !strings.Contains(f.stderr.String(), "warning: rule broken failed: boom\n") {
		t.Errorf("stderr does not report the failed rule:\n%s", f.stderr.String())
	}
}

// TestRunWiring checks run() itself: the real catalogue and formatters,
// with nothing to crawl.
func TestRunWiring(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &stdout, &stderr); code != exitOK || stdout.String() != "hopaudit dev\n" {
		t.Errorf("version: code %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"crawl", "gopher://x"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("crawl gopher: code %d", code)
	}
	if got := stderr.String(); got != "hopaudit: crawl: start URL: URL \"gopher://x\": scheme gopher is not http or https\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestWrap(t *testing.T) {
	text := "A chain costs a round trip per hop; Googlebot stops after 10 hops.\n\n- keep this list item\n- and this one"
	want := "A chain costs a round\ntrip per hop;\nGooglebot stops after\n10 hops.\n\n- keep this list item\n- and this one"
	if got := wrap(text, 21); got != want {
		t.Errorf("wrap =\n%s\nwant\n%s", got, want)
	}
	if got := wrap("averyveryverylongword x", 5); got != "averyveryverylongword\nx" {
		t.Errorf("a long word: %q", got)
	}
	if got := wrap("  indented words here", 12); got != "  indented\n  words here" {
		t.Errorf("indented: %q", got)
	}
}
