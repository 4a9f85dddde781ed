package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/output"
)

// nextNight is testGraph a night later: /b answers 301 now (its
// temporary redirect is fixed), but the chain got a third hop, /c, that
// answers 302 (a new temporary redirect): /a 301 -> /b 301 -> /c 302 -> /d.
func nextNight() *crawler.Graph {
	g := testGraph()
	setStatus(g, "http://site.test/b", 301)
	g.Add(&crawler.Response{URL: "http://site.test/c", Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/d"}, Location: "http://site.test/d"}, Internal: true})
	g.Add(&crawler.Response{URL: "http://site.test/d", Status: 200, ContentType: "text/html", Internal: true, Parsed: true})
	g.Stats.Fetched = 4
	return g
}

// setStatus changes the status of g's response for URL u.
func setStatus(g *crawler.Graph, u string, status int) {
	r := g.Lookup(u)
	r.Status = status
	g.Add(r)
}

// writeBaseline runs the fake crawl of g and writes its JSON findings
// report to dir/name.
func writeBaseline(t *testing.T, g *crawler.Graph, dir, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f := newFake(t)
	f.graph = g
	if code := f.run(append([]string{"crawl", "http://site.test/a", "-o", path}, args...)...); code != exitOK {
		t.Fatalf("baseline run: exit code %d; stderr: %s", code, f.stderr.String())
	}
	return path
}

func csvRecords(t *testing.T, b []byte) [][]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV (%v):\n%s", err, b)
	}
	return records
}

func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	base := writeBaseline(t, testGraph(), dir, "night1.json")

	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{name: "no fail-on", code: exitOK},
		{name: "fail-on counts the new finding only", args: []string{"--fail-on", "warning"}, code: exitFindings,
			err: "1 new finding(s) at or above warning since the baseline (--fail-on warning)"},
		{name: "no new error", args: []string{"--fail-on", "error"}, code: exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.graph = nextNight()
			code := f.run(append([]string{"crawl", "http://site.test/a", "--format", "csv", "--baseline", base}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, f.stderr.String())
			}
			want := "change,rule,severity,url,source,status,target,hops,message\r\n" +
				"unchanged,redirect-chain,warning,http://site.test/a,,0,http://site.test/d,3,3 hops to http://site.test/d\r\n" +
				"fixed,temporary-redirect,warning,http://site.test/b,,302,http://site.test/c,0,302 to http://site.test/c\r\n" +
				"new,temporary-redirect,warning,http://site.test/c,,302,http://site.test/d,0,302 to http://site.test/d\r\n"
			if got := f.stdout.String(); got != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
			}
			if !strings.Contains(f.stderr.String(), " in 1.5s; 1 new, 1 fixed, 1 unchanged since the baseline\n") {
				t.Errorf("the summary line does not count the changes:\n%s", f.stderr.String())
			}
			if tt.err != "" {
				oneError(t, f.stderr.String(), tt.err)
			} else if strings.Contains(f.stderr.String(), "hopaudit: ") {
				t.Errorf("unexpected error:\n%s", f.stderr.String())
			}
		})
	}

	// Without --baseline, the same night fails on its two warnings.
	f := newFake(t)
	f.graph = nextNight()
	if code := f.run("crawl", "http://site.test/a", "--format", "csv", "--fail-on", "warning"); code != exitFindings {
		t.Errorf("without a baseline: exit code %d, want %d", code, exitFindings)
	}
	if !strings.HasPrefix(f.stdout.String(), "rule,severity,") {
		t.Errorf("without a baseline the columns change:\n%s", f.stdout.String())
	}

	// The compared report of night 2 is night 3's baseline: the fixed
	// finding is not carried over, and nothing is new.
	night2 := writeBaseline(t, nextNight(), dir, "night2.json", "--baseline", base)
	f = newFake(t)
	f.graph = nextNight()
	if code := f.run("crawl", "http://site.test/a", "--format", "csv", "--baseline", night2, "--fail-on", "notice"); code != exitOK {
		t.Errorf("night 3: exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	if got := f.stdout.String(); strings.Count(got, "\r\nunchanged,") != 2 || strings.Contains(got, "fixed,") || strings.Contains(got, "new,") {
		t.Errorf("night 3:\n%s", got)
	}
}

func TestBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	chains := writeBaseline(t, testGraph(), dir, "chains.json", "--report", "chains")
	for _, tt := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.json"), "crawl: --baseline: open "},
		{write("a.csv", "rule,severity\n"), "crawl: --baseline: " + filepath.Join(dir, "a.csv") + ": not a hopaudit JSON report"},
		{write("v2.json", `{"schema_version": 2, "report": "findings", "findings": []}`),
			"crawl: --baseline: " + filepath.Join(dir, "v2.json") + ": JSON report has schema version 2; this hopaudit reads version 1"},
		{chains, "crawl: --baseline: " + chains + ": a chains report holds no findings; compare findings reports"},
	} {
		f := newFake(t)
		if code := f.run("crawl", "http://site.test/a", "--baseline", tt.file); code != exitUsage {
			t.Errorf("%s: exit code %d, want %d", tt.file, code, exitUsage)
		}
		oneError(t, f.stderr.String(), tt.want)
		if f.cfg != nil {
			t.Errorf("%s: the crawler ran", tt.file)
		}
	}
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	old := writeBaseline(t, testGraph(), dir, "old.json")
	next := writeBaseline(t, nextNight(), dir, "new.json")

	f := newFake(t)
	if code := f.run("diff", old, next); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	golden(t, "diff.golden", f.stdout.Bytes())
	if got, want := f.stderr.String(), old+": 2 findings, "+next+": 2 findings; 1 new, 1 fixed, 1 unchanged\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if strings.Contains(f.stdout.String(), "unchanged ") {
		t.Errorf("diff lists unchanged findings by default:\n%s", f.stdout.String())
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		rows []string // CSV records after the header, first two columns
		err  string
	}{
		{name: "csv", args: []string{"--format", "csv"}, rows: []string{"fixed,temporary-redirect", "new,temporary-redirect"}},
		{name: "unchanged too", args: []string{"--format", "csv", "--unchanged"}, rows: []string{"unchanged,redirect-chain", "fixed,temporary-redirect", "new,temporary-redirect"}},
		{name: "fail-on", args: []string{"--format", "csv", "--fail-on", "warning"}, code: exitFindings, rows: []string{"fixed,temporary-redirect", "new,temporary-redirect"},
			err: "1 new finding(s) at or above warning in " + next + " (--fail-on warning)"},
		{name: "fail-on error", args: []string{"--format", "csv", "--fail-on", "error"}, rows: []string{"fixed,temporary-redirect", "new,temporary-redirect"}},
		{name: "summary", args: []string{"--format", "csv", "--report", "summary"}, rows: []string{"temporary-redirect,warning", "redirect-chain,warning"}},
		{name: "the other way round", args: []string{"--format", "csv", "--swap"}, rows: []string{"new,temporary-redirect", "fixed,temporary-redirect"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			args := []string{"diff", old, next}
			for _, a := range tt.args {
				if a == "--swap" {
					args[1], args[2] = next, old
					continue
				}
				args = append(args, a)
			}
			if code := f.run(append(args, "--quiet")...); code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, f.stderr.String())
			}
			records := csvRecords(t, f.stdout.Bytes())
			var got []string
			for _, rec := range records[1:] {
				got = append(got, rec[0]+","+rec[1])
			}
			if strings.Join(got, "\n") != strings.Join(tt.rows, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.rows, "\n"))
			}
			if tt.err != "" {
				oneError(t, f.stderr.String(), tt.err)
			} else if f.stderr.Len() != 0 {
				t.Errorf("stderr with --quiet: %s", f.stderr.String())
			}
		})
	}

	// -o picks the format from the extension; the JSON of a diff counts
	// every change.
	out := filepath.Join(dir, "changes.json")
	f = newFake(t)
	if code := f.run("diff", old, next, "-o", out); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	d, err := f.readDocument(out)
	if err != nil {
		t.Fatal(err)
	}
	if d.Comparison == nil || *d.Comparison != (output.Comparison{New: 1, Fixed: 1, Unchanged: 1}) || len(d.Findings) != 2 {
		t.Errorf("diff JSON: comparison %+v, %d findings", d.Comparison, len(d.Findings))
	}
	// ... and, listing no unchanged finding, is refused as a baseline.
	f = newFake(t)
	if code := f.run("crawl", "http://site.test/a", "--baseline", out); code != exitUsage {
		t.Errorf("a diff without --unchanged as a baseline: exit code %d", code)
	}
	oneError(t, f.stderr.String(), "does not say what its run found")
}

func TestDiffErrors(t *testing.T) {
	dir := t.TempDir()
	old := writeBaseline(t, testGraph(), dir, "old.json")
	summary := writeBaseline(t, testGraph(), dir, "summary.json", "--report", "summary")
	v2 := filepath.Join(dir, "v2.json")
	if err := os.WriteFile(v2, []byte(`{"schema_version": 2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"diff"}, "diff: want two JSON reports, OLD.json and NEW.json"},
		{[]string{"diff", old}, "diff: want two JSON reports"},
		{[]string{"diff", old, old, old}, "diff: want two JSON reports"},
		{[]string{"diff", old, v2}, "diff: " + v2 + ": JSON report has schema version 2; this hopaudit reads version 1"},
		{[]string{"diff", summary, old}, "diff: " + summary + ": a summary report holds no findings"},
		{[]string{"diff", old, filepath.Join(dir, "none.json")}, "diff: open "},
		{[]string{"diff", old, old, "--report", "chains"}, "diff: --report chains: diff compares findings; want findings, issues or summary"},
		{[]string{"diff", old, old, "--report", "pages"}, `diff: --report: unknown report "pages"`},
		{[]string{"diff", old, old, "--format", "xml"}, `diff: --format: unknown format "xml"`},
		{[]string{"diff", old, old, "--fail-on", "fatal"}, `diff: --fail-on: unknown severity "fatal"`},
		{[]string{"diff", old, old, "--max-pages", "3"}, "diff: flag provided but not defined: -max-pages"},
	} {
		f := newFake(t)
		if code := f.run(tt.args...); code != exitUsage {
			t.Errorf("%v: exit code %d, want %d", tt.args, code, exitUsage)
		}
		oneError(t, f.stderr.String(), tt.want)
		if f.stdout.Len() != 0 {
			t.Errorf("%v: stdout: %s", tt.args, f.stdout.String())
		}
	}
}

func TestOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2026-01-02", "nightly") // created with its parent
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "findings.csv"), []byte("last night's, to be replaced\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFake(t)
	if code := f.run("crawl", "http://site.test/a", "--output-dir", dir, "--quiet"); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	if f.stdout.Len() != 0 || f.stderr.Len() != 0 {
		t.Errorf("a quiet run with --output-dir writes nothing else; stdout %q, stderr %q", f.stdout.String(), f.stderr.String())
	}
	headers := map[string]string{
		"findings.csv": "rule,severity,url,source,status,target,hops,message",
		"chains.csv":   "url,final_url,final_status,hops,loop,temporary,statuses,path,x_redirect_by",
		"hops.csv":     "start,hop,url,status,location,target,kind,elapsed_ms,error,x_redirect_by",
		"urls.csv":     "url,status,content_type,bytes,depth,elapsed_ms,attempts,truncated,blocked,error",
		"sitemaps.csv": "url,from,status,index,entries,error",
		"summary.csv":  "rule,severity,count",
	}
	for name, header := range headers {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		records := csvRecords(t, b)
		if strings.Join(records[0], ",") != header || len(records) < 2 {
			t.Errorf("%s: header %q, %d records", name, records[0], len(records))
		}
	}
	d, err := f.readDocument(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if base, err := d.Baseline(); err != nil || len(base.Findings) != 2 || len(d.Chains) != 1 || len(d.Sitemaps) != 1 {
		t.Errorf("report.json: %d findings (%v), %d chains, %d sitemaps", len(base.Findings), err, len(d.Chains), len(d.Sitemaps))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.html")); !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) || !bytes.Contains(b, []byte("http://site.test/a")) {
		t.Errorf("report.html is not the page of the run")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(dirReports) {
		t.Errorf("%d files in the directory, want %d (no temporary file left)", len(entries), len(dirReports))
	}

	// With a report asked for, stdout gets it too; --bom reaches every CSV.
	f = newFake(t)
	if code := f.run("crawl", "http://site.test/a", "--output-dir", dir, "--format", "csv", "--bom", "--report", "chains"); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	if !strings.HasPrefix(f.stdout.String(), "\ufeffurl,final_url,") {
		t.Errorf("stdout: %q", f.stdout.String())
	}
	for name := range headers {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.HasPrefix(b, []byte("\ufeff")) {
			t.Errorf("%s has no BOM", name)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.json")); !bytes.HasPrefix(b, []byte("{")) {
		t.Errorf("report.json starts %q", b[:10])
	}

	// An unusable directory fails before the crawl.
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f = newFake(t)
	if code := f.run("crawl", "http://site.test/a", "--output-dir", filepath.Join(file, "sub")); code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	oneError(t, f.stderr.String(), "--output-dir: mkdir ")
	if f.cfg != nil {
		t.Error("the crawler ran")
	}
}

func TestQuiet(t *testing.T) {
	f := newFake(t)
	f.rules = append(f.rules, &audit.Rule{Name: "broken", Severity: audit.Error, Doc: audit.Doc{Title: "fails"},
		Run: func(*audit.Pass) error { return errors.New("boom") }})
	if code := f.run("crawl", "site.test/a", "--format", "csv", "--quiet"); code != exitOK {
		t.Fatalf("exit code %d", code)
	}
	// No note about the scheme, no summary line; the warning stays.
	if got := f.stderr.String(); got != "warning: rule broken failed: boom\n" {
		t.Errorf("stderr = %q", got)
	}
}

// cutShort is testGraph of a night whose crawl was cancelled before it
// fetched /c: /a 301 -> /b 302 -> /c (not fetched).
func cutShort() *crawler.Graph {
	whole := testGraph()
	g := &crawler.Graph{References: whole.References, Sitemaps: whole.Sitemaps, Scope: whole.Scope, Stats: whole.Stats}
	g.Add(whole.Lookup("http://site.test/a"), whole.Lookup("http://site.test/b"))
	g.Stats.Fetched, g.Stats.Parsed, g.Stats.Cancelled = 2, 0, true
	return g
}

// changeRows returns the CSV records after the header as "change,rule,url".
func changeRows(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for _, rec := range csvRecords(t, b)[1:] {
		out = append(out, rec[0]+","+rec[1]+","+rec[3])
	}
	return out
}

// TestBaselineCutShort: a night cut short is the next night's baseline.
// The full night after it calls nothing new that the cut-short night
// did not fetch: such findings are unverified, never fail the job, and
// stderr says the baseline was partial.
func TestBaselineCutShort(t *testing.T) {
	dir := t.TempDir()
	f := newFake(t)
	f.graph = cutShort()
	cut := filepath.Join(dir, "cut.json")
	if code := f.run("crawl", "http://site.test/a", "-o", cut); code != exitIncomplete {
		t.Fatalf("cut-short night: exit code %d, want %d; stderr:\n%s", code, exitIncomplete, f.stderr.String())
	}
	d, err := f.readDocument(cut)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Stats.Partial || strings.Join(d.FetchedURLs, " ") != "http://site.test/a http://site.test/b" {
		t.Fatalf("cut-short report: partial %v, fetched_urls %q", d.Stats.Partial, d.FetchedURLs)
	}

	// The next night is whole: /b is a 301 now (fixed: this night
	// fetched it), the chain is unchanged, and the 302 at /c is not new:
	// last night never fetched /c.
	f = newFake(t)
	f.graph = nextNight()
	code := f.run("crawl", "http://site.test/a", "--format", "csv", "--baseline", cut, "--fail-on", "notice")
	if code != exitOK {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitOK, f.stderr.String())
	}
	want := []string{
		"unchanged,redirect-chain,http://site.test/a",
		"fixed,temporary-redirect,http://site.test/b",
		"unverified,temporary-redirect,http://site.test/c",
	}
	if got := changeRows(t, f.stdout.Bytes()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	stderr := f.stderr.String()
	for _, line := range []string{
		"warning: the baseline " + cut + " is from a crawl that was cut short (cancelled): findings on URLs it did not fetch are unverified, not new\n",
		" in 1.5s; 0 new, 1 fixed, 1 unchanged, 1 unverified since the baseline\n",
	} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, stderr)
		}
	}
	if strings.Contains(stderr, "hopaudit: ") {
		t.Errorf("unexpected error:\n%s", stderr)
	}

	// Its compared report is the night after's baseline: the unverified
	// finding is one of its findings now, unchanged the night after.
	night2 := writeBaseline(t, nextNight(), dir, "night2.json", "--baseline", cut)
	f = newFake(t)
	f.graph = nextNight()
	if code := f.run("crawl", "http://site.test/a", "--format", "csv", "--baseline", night2, "--fail-on", "notice", "--quiet"); code != exitOK || f.stderr.Len() != 0 {
		t.Errorf("night 3: exit code %d, stderr %q", code, f.stderr.String())
	}
	if got := changeRows(t, f.stdout.Bytes()); strings.Join(got, "\n") != "unchanged,redirect-chain,http://site.test/a\nunchanged,temporary-redirect,http://site.test/c" {
		t.Errorf("night 3:\n%s", strings.Join(got, "\n"))
	}

	// A night cut short after a whole one: the 302 at /c, which it did
	// not fetch, is not fixed but unverified-fixed, and stays in its
	// report for the next night, which finds it unchanged.
	whole := writeBaseline(t, nextNight(), dir, "whole.json")
	f = newFake(t)
	f.graph = cutShort()
	setStatus(f.graph, "http://site.test/b", 301)
	cut2 := filepath.Join(dir, "cut2.json")
	if code := f.run("crawl", "http://site.test/a", "--baseline", whole, "-o", cut2, "--fail-on", "notice"); code != exitIncomplete {
		t.Errorf("a night cut short: exit code %d, want %d; stderr:\n%s", code, exitIncomplete, f.stderr.String())
	}
	if !strings.Contains(f.stderr.String(), "; 0 new, 0 fixed, 1 unchanged, 1 unverified since the baseline\n") {
		t.Errorf("a night cut short: stderr:\n%s", f.stderr.String())
	}
	d, err = f.readDocument(cut2)
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Comparison; c == nil || *c != (output.Comparison{Unchanged: 1, Unverified: 1}) || len(d.Findings) != 2 || d.Findings[1].Change != "unverified-fixed" {
		t.Errorf("a night cut short: comparison %+v, findings %+v", d.Comparison, d.Findings)
	}
	f = newFake(t)
	f.graph = nextNight()
	if code := f.run("crawl", "http://site.test/a", "--format", "csv", "--baseline", cut2, "--fail-on", "notice"); code != exitOK {
		t.Errorf("the night after: exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	if got := changeRows(t, f.stdout.Bytes()); strings.Join(got, "\n") != "unchanged,redirect-chain,http://site.test/a\nunchanged,temporary-redirect,http://site.test/c" {
		t.Errorf("the night after:\n%s", strings.Join(got, "\n"))
	}

	// A night cut short that fetched /c and /d, where /c answered 200:
	// the 302 at /c the night after is new, as both nights fetched /c
	// and its target.
	g := nextNight()
	g.Add(&crawler.Response{URL: "http://site.test/c", Status: 200, Internal: true})
	g.Stats.Cancelled = true
	f = newFake(t)
	f.graph = g
	fetchedAll := filepath.Join(dir, "fetched-all.json")
	if code := f.run("crawl", "http://site.test/a", "-o", fetchedAll); code != exitIncomplete {
		t.Fatalf("exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	f = newFake(t)
	f.graph = nextNight()
	if code := f.run("crawl", "http://site.test/a", "--format", "csv", "--baseline", fetchedAll, "--fail-on", "warning"); code != exitFindings {
		t.Errorf("a partial baseline that fetched the new finding's URLs: exit code %d, want %d; stderr:\n%s", code, exitFindings, f.stderr.String())
	}
	if got := changeRows(t, f.stdout.Bytes()); strings.Join(got, "\n") != "unchanged,redirect-chain,http://site.test/a\nnew,temporary-redirect,http://site.test/c" {
		t.Errorf("a partial baseline that fetched the new finding's URLs:\n%s", strings.Join(got, "\n"))
	}

	// The same report as written before the list of fetched URLs existed
	// vouches for no URL: nothing is new.
	old := filepath.Join(dir, "old-format.json")
	b, err := os.ReadFile(fetchedAll)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "fetched_urls")
	delete(doc["stats"].(map[string]any), "partial")
	delete(doc["stats"].(map[string]any), "unreachable")
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f = newFake(t)
	f.graph = nextNight()
	if code := f.run("crawl", "http://site.test/a", "--format", "csv", "--baseline", old, "--fail-on", "warning"); code != exitOK {
		t.Errorf("an old-format baseline: exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	if got := changeRows(t, f.stdout.Bytes()); strings.Join(got, "\n") != "unchanged,redirect-chain,http://site.test/a\nunverified,temporary-redirect,http://site.test/c" {
		t.Errorf("an old-format baseline:\n%s", strings.Join(got, "\n"))
	}
	if !strings.Contains(f.stderr.String(), "warning: the baseline "+old+" is from a crawl that was cut short (cancelled): it does not list the URLs it fetched (an earlier hopaudit wrote it), so every finding it lacks is unverified, not new\n") {
		t.Errorf("an old-format baseline: stderr:\n%s", f.stderr.String())
	}
}

// TestDiffCutShort: diff with a report of a crawl cut short, either way
// round, calls a finding new or fixed only where both crawls fetched
// it, and warns about the partial report.
func TestDiffCutShort(t *testing.T) {
	dir := t.TempDir()
	f := newFake(t)
	f.graph = cutShort()
	cut := filepath.Join(dir, "cut.json")
	if code := f.run("crawl", "http://site.test/a", "-o", cut); code != exitIncomplete {
		t.Fatalf("cut-short night: exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	whole := writeBaseline(t, nextNight(), dir, "whole.json")

	for _, tt := range []struct {
		name     string
		old, new string
		rows     []string
		stderr   string
	}{
		{
			name: "the older report was cut short", old: cut, new: whole,
			rows: []string{"fixed,temporary-redirect,http://site.test/b", "unverified,temporary-redirect,http://site.test/c"},
			stderr: "warning: " + cut + " is from a crawl that was cut short (cancelled): findings on URLs it did not fetch are unverified, not new\n" +
				cut + ": 2 findings, " + whole + ": 2 findings; 0 new, 1 fixed, 1 unchanged, 1 unverified\n",
		},
		{
			name: "the newer report was cut short", old: whole, new: cut,
			rows: []string{"new,temporary-redirect,http://site.test/b", "unverified-fixed,temporary-redirect,http://site.test/c"},
			stderr: "warning: " + cut + " is from a crawl that was cut short (cancelled): findings on URLs it did not fetch are unverified, not fixed\n" +
				whole + ": 2 findings, " + cut + ": 2 findings; 1 new, 0 fixed, 1 unchanged, 1 unverified\n",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			code := f.run("diff", tt.old, tt.new, "--format", "csv", "--fail-on", "warning")
			if wantCode := map[bool]int{true: exitFindings, false: exitOK}[tt.new == cut]; code != wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, wantCode, f.stderr.String())
			}
			if got := changeRows(t, f.stdout.Bytes()); strings.Join(got, "\n") != strings.Join(tt.rows, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.rows, "\n"))
			}
			if got := f.stderr.String(); !strings.HasPrefix(got, tt.stderr) {
				t.Errorf("stderr:\n%s\nwant it to start:\n%s", got, tt.stderr)
			}
		})
	}

	// The summary has an unverified column.
	f = newFake(t)
	if code := f.run("diff", cut, whole, "--format", "csv", "--report", "summary", "--quiet"); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	if got, want := f.stdout.String(), "rule,severity,count,new,fixed,unverified\r\ntemporary-redirect,warning,1,0,1,1\r\nredirect-chain,warning,1,0,0,0\r\n"; got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}
