package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// TestRulesOnlyWithExpect runs the real catalogue: rules that need a
// redirect map are refused, naming them, unless check has one.
func TestRulesOnlyWithExpect(t *testing.T) {
	code, stdout, stderr := runMain(t, "crawl", "x.test", "--rules", "redirect-map-*")
	want := `hopaudit: crawl: --rules "redirect-map-*" selects only redirect-map-mismatch and redirect-map-missing, which run only with a redirect map (hopaudit check --expect MAP.csv): nothing to audit` + "\n"
	if code != exitUsage || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, exitUsage, want)
	}
	site := crawlertest.New(t, e2eSite)
	dir := t.TempDir()
	m := filepath.Join(dir, "map.csv")
	if err := os.WriteFile(m, []byte("from,to\nhttp://site.test/old,http://site.test/elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"check", "--expect", m, "--rules", "redirect-map-*", "--format", "csv", "--quiet"}, resolveArgs(site)...)
	code, stdout, stderr = runMain(t, args...)
	if code != exitOK || !strings.Contains(stdout, "redirect-map-mismatch,error,http://site.test/old,") {
		t.Errorf("check --expect: exit %d, stderr %q; stdout:\n%s", code, stderr, stdout)
	}
}

// navSite links every page to /old, which redirects twice, and two
// pages to /gone, which answers 404: the findings report has a row per
// linking page, the issues report one per URL.
const navSite = `
-- / --
<a href="/old">Old nav</a> <a href="/p1">p1</a> <a href="/p2">p2</a> <a href="/p3">p3</a>
-- /p1 --
<a href="/old">Old nav</a> <a href="/gone">Gone</a>
-- /p2 --
<a href="/old">Old nav</a> <a href="/gone">Broken | <b>link</b> @team</a>
-- /p3 --
<a href="/old">Old | nav</a>
-- /old 301 /mid --
-- /mid 302 /new --
-- /new --
<p>new</p>
`

func TestEndToEndIssues(t *testing.T) {
	site := crawlertest.New(t, navSite)
	for _, format := range []string{"csv", "jsonl"} {
		args := append([]string{"crawl", "http://site.test/", "--report", "issues", "--format", format, "--quiet", "--no-sitemaps"}, resolveArgs(site)...)
		code, stdout, stderr := runMain(t, args...)
		if code != exitOK {
			t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
		}
		golden(t, "e2e-issues."+format, []byte(stdout))
	}
}

// TestEndToEndStatus checks check's status report: a row per line of
// the list, in its order, repeats and URLs without a scheme included.
func TestEndToEndStatus(t *testing.T) {
	site := crawlertest.New(t, navSite)
	list := filepath.Join(t.TempDir(), "urls.txt")
	lines := "http://site.test/old\nhttp://site.test/gone\n# a comment\nhttp://site.test/new\nHTTP://SITE.TEST/old\nhttp://site.test/mid\nhttp://site.test/old\n"
	if err := os.WriteFile(list, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"check", list, "--report", "status", "--format", "csv", "--quiet"}, resolveArgs(site)...)
	code, stdout, stderr := runMain(t, args...)
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	golden(t, "e2e-check-status.csv", []byte(stdout))
	if n := strings.Count(stdout, "\n"); n != 7 {
		t.Errorf("%d lines; want a header and 6 rows:\n%s", n, stdout)
	}
}

// TestTerminalDefault checks the report a terminal gets without
// --report (the compact issues summary, at its width, coloured unless
// NO_COLOR), and that files, pipes and --report findings get the
// findings table as before.
func TestTerminalDefault(t *testing.T) {
	findingsTable := func(out string) bool { return strings.Contains(out, "| rule ") || strings.Contains(out, "│ rule ") }
	compact := func(out string) bool {
		return strings.Contains(ansi.ReplaceAllString(out, ""), "\nwarning  temporary-redirect: 1 URL\n")
	}
	for _, tc := range []struct {
		name            string
		terminal, color bool
		args            []string
		want            func(string) bool
		colored         bool
	}{
		{"terminal", true, true, nil, compact, true},
		{"terminal NO_COLOR", true, false, nil, compact, false},
		{"terminal findings", true, true, []string{"--report", "findings"}, findingsTable, false},
		{"terminal csv", true, true, []string{"--format", "csv"}, func(s string) bool { return strings.HasPrefix(s, "rule,severity,url,source,") }, false},
		{"pipe", false, false, nil, findingsTable, false},
		{"pipe issues", false, false, []string{"--report", "issues"}, func(s string) bool { return strings.Contains(s, "| inlinks |") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.terminal, f.width, f.color = tc.terminal, 60, tc.color
			if code := f.run(append([]string{"crawl", "http://site.test/a"}, tc.args...)...); code != exitOK {
				t.Fatalf("exit code %d; stderr: %s", code, f.stderr.String())
			}
			out := f.stdout.String()
			if !tc.want(out) {
				t.Errorf("unexpected report:\n%s", out)
			}
			if got := strings.Contains(out, "\x1b["); got != tc.colored {
				t.Errorf("coloured %v, want %v:\n%s", got, tc.colored, out)
			}
			if compact(out) {
				for line := range strings.Lines(out) {
					if w := len([]rune(strings.TrimSuffix(ansi.ReplaceAllString(line, ""), "\n"))); w > 60 {
						t.Errorf("line of %d columns at width 60: %q", w, line)
					}
				}
			}
		})
	}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestColumns(t *testing.T) {
	for _, tc := range []struct {
		env   string
		width int
		want  int
	}{
		{"", 132, 132},
		{"100", 132, 100},
		{" 90 ", 0, 90},
		{"wide", 0, 80},
		{"-3", 50, 50},
		{"", 0, 80},
	} {
		if got := columns(tc.env, tc.width); got != tc.want {
			t.Errorf("columns(%q, %d) = %d; want %d", tc.env, tc.width, got, tc.want)
		}
	}
}

// TestEndToEndCI writes the Markdown digest and the JUnit report of a
// crawl; with --fail-on error the run exits 1 and the JUnit file fails
// broken-link only.
func TestEndToEndCI(t *testing.T) {
	site := crawlertest.New(t, navSite)
	args := append([]string{"crawl", "http://site.test/", "--format", "markdown", "--quiet", "--no-sitemaps"}, resolveArgs(site)...)
	code, stdout, stderr := runMain(t, args...)
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	golden(t, "e2e-digest.md", []byte(stdout))

	junit := filepath.Join(t.TempDir(), "hopaudit.xml")
	args = append([]string{"crawl", "http://site.test/", "-o", junit, "--fail-on", "error", "--quiet", "--no-sitemaps"}, resolveArgs(site)...)
	code, stdout, stderr = runMain(t, args...)
	if code != exitFindings || stdout != "" {
		t.Fatalf("exit code %d, stdout %q; want %d and nothing; stderr:\n%s", code, stdout, exitFindings, stderr)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "e2e-junit.xml", b)
	if n := strings.Count(string(b), "<failure "); n != 1 || !strings.Contains(string(b), `name="broken-link">`+"\n      <failure ") {
		t.Errorf("%d failures; want broken-link's only:\n%s", n, b)
	}
}

// TestDiffTerminal checks that diff on a terminal gets the compact
// summary of the changes, the unchanged issues left out.
func TestDiffTerminal(t *testing.T) {
	dir := t.TempDir()
	old := writeBaseline(t, testGraph(), dir, "old.json")
	next := writeBaseline(t, nextNight(), dir, "new.json")
	f := newFake(t)
	f.terminal, f.width = true, 100
	if code := f.run("diff", old, next); code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, f.stderr.String())
	}
	golden(t, "diff-terminal.golden", f.stdout.Bytes())
	out := f.stdout.String()
	if !strings.Contains(out, "against the baseline: 1 new, 1 fixed, 1 unchanged") || strings.Contains(out, " unchanged  ") {
		t.Errorf("want the changes and no unchanged issue:\n%s", out)
	}
}
