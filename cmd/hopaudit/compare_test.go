package main

import (
	"bytes"
	"encoding/csv"
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
	g.Responses["http://site.test/b"].Status = 301
	g.Responses["http://site.test/c"] = &crawler.Response{URL: "http://site.test/c", Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/d"}, Location: "http://site.test/d"}, Internal: true}
	g.Responses["http://site.test/d"] = &crawler.Response{URL: "http://site.test/d", Status: 200, ContentType: "text/html", Internal: true, Parsed: true}
	g.Stats.Fetched = 4
	return g
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
		{[]string{"diff", old, old, "--report", "chains"}, "diff: --report chains: diff compares findings; want findings or summary"},
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
		"chains.csv":   "url,final_url,final_status,hops,loop,temporary,statuses,path",
		"hops.csv":     "start,hop,url,status,location,target,kind,elapsed_ms,error",
		"urls.csv":     "url,status,content_type,bytes,depth,elapsed_ms,attempts,truncated,blocked,error",
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
	if base, err := d.Baseline(); err != nil || len(base) != 2 || len(d.Chains) != 1 {
		t.Errorf("report.json: %d findings (%v), %d chains", len(base), err, len(d.Chains))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 6 {
		t.Errorf("%d files in the directory, want 6 (no temporary file left)", len(entries))
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
