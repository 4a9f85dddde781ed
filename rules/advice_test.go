package rules

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// TestOneAdvicePerURL crawls every fixture site of the repository and
// runs every rule over it, as crawl does (a fixture with a redirect map
// as check --expect does), and checks that the findings on one URL never
// contradict each other (checkOneAdvice).
func TestOneAdvicePerURL(t *testing.T) {
	for name, path := range fixtureSites(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g, expect := crawlSite(t, name, path)
			rep := (&audit.Engine{Rules: All(), Expect: expect}).Run(g)
			for _, e := range rep.Errors {
				t.Errorf("rule %s failed: %s", e.Rule, e.Err)
			}
			if len(rep.Findings) == 0 {
				t.Fatal("no findings: the fixture was not crawled")
			}
			checkOneAdvice(t, g, rep.Findings)
		})
	}
}

// fixtureSites returns the fixture sites of the repository, by name:
// one per rule, and the crawler's.
func fixtureSites(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*", "site.txt"))
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, filepath.Join("..", "crawler", "testdata", "site.txt"))
	if len(paths) < 25 {
		t.Fatalf("found %d fixture sites, want one per rule and the crawler's", len(paths))
	}
	sites := map[string]string{}
	for _, path := range paths {
		name := filepath.Base(filepath.Dir(path))
		if strings.HasPrefix(path, "..") {
			name = "crawler"
		}
		sites[name] = path
	}
	return sites
}

// crawlSite crawls the fixture site name at path as crawl does, or,
// when it has a redirect map, as check --expect does, and returns its
// graph and map (nil when none).
func crawlSite(t *testing.T, name, path string) (*crawler.Graph, map[string]string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "map.csv")); err == nil {
		return crawlMap(t, name)
	}
	fixture, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	site := crawlertest.New(t, string(fixture))
	g, err := crawler.Crawl(context.Background(), site.Config("http://"+crawlertest.Host+"/"))
	if err != nil {
		t.Fatal(err)
	}
	return g, nil
}

// checkOneAdvice checks that the findings on one URL advise at most one
// status to answer with and one URL to redirect to, never a redirect to
// the URL itself or to a URL that redirects back to it; that a too-long
// chain and a broken link are each reported by one rule; and that every
// message that names one status to use, or a URL to redirect straight
// to, says what its Fix says.
func checkOneAdvice(t *testing.T, g *crawler.Graph, findings []audit.Finding) {
	t.Helper()
	type advice struct {
		fix audit.Fix
		by  string // the rules that gave it
	}
	byURL := map[string]*advice{}
	rulesOf := map[string][]string{}
	for _, f := range findings {
		rulesOf[f.URL] = append(rulesOf[f.URL], f.Rule)
		checkMessage(t, f)
		a := byURL[f.URL]
		if a == nil {
			a = &advice{}
			byURL[f.URL] = a
		}
		if s := f.Fix.Status; s != 0 {
			if a.fix.Status != 0 && a.fix.Status != s {
				t.Errorf("%s: %s advises %d, %s advised %d", f.URL, f.Rule, s, a.by, a.fix.Status)
			}
			a.fix.Status = s
		}
		if to := f.Fix.Target; to != "" {
			if a.fix.Target != "" && a.fix.Target != to {
				t.Errorf("%s: %s advises a redirect to %s, %s advised %s", f.URL, f.Rule, to, a.by, a.fix.Target)
			}
			a.fix.Target = to
			if to == f.URL {
				t.Errorf("%s: %s advises a redirect to itself", f.URL, f.Rule)
			} else if c := g.Follow(to); len(c.Hops) > 0 && (c.FinalURL() == f.URL || c.End == crawler.EndLoop) {
				t.Errorf("%s: %s advises a redirect to %s, which redirects back (%s)", f.URL, f.Rule, to, c.End)
			}
		}
		if f.Fix != (audit.Fix{}) {
			a.by = strings.TrimPrefix(a.by+" and "+f.Rule, " and ")
		}
	}
	// Rules that report one thing between them: never both on a URL.
	for u, rules := range rulesOf {
		for _, pair := range [][2]string{
			{"redirect-chain", "redirect-chain-too-long"},
			{"broken-link", "broken-redirect"},
			{"broken-link", "redirect-loop"},
			{"broken-link", "redirect-chain-too-long"},
		} {
			if slices.Contains(rules, pair[0]) && slices.Contains(rules, pair[1]) {
				t.Errorf("%s: both %s and %s report it", u, pair[0], pair[1])
			}
		}
	}
}

var (
	// useStatus finds a redirect status a message tells to use: "use
	// 301", "answer 301 to", "answer with 308".
	useStatus = regexp.MustCompile(`\b(?:use|answer|answer with) (3\d\d)\b`)
	// straightTo finds a URL a message tells a redirect to go straight
	// to.
	straightToURL = regexp.MustCompile(`straight (?:at|to) (https?://[^\s;,)]+)`)
)

// checkMessage checks that what finding f's message advises is what its
// Fix says: a message that tells one redirect status to use ("use 301",
// not "301 or 308") has it as Fix.Status, and one that tells a redirect to go
// straight to a URL has it as Fix.Target.
func checkMessage(t *testing.T, f audit.Finding) {
	t.Helper()
	for _, m := range useStatus.FindAllStringSubmatchIndex(f.Message, -1) {
		if rest := f.Message[m[1]:]; strings.HasPrefix(rest, " or ") || strings.HasPrefix(rest, ", or ") {
			continue // a choice
		}
		if s, _ := strconv.Atoi(f.Message[m[2]:m[3]]); s != f.Fix.Status {
			t.Errorf("%s %s: the message tells to use %d, Fix.Status is %d: %s", f.Rule, f.URL, s, f.Fix.Status, f.Message)
		}
	}
	for _, m := range straightToURL.FindAllStringSubmatch(f.Message, -1) {
		if m[1] != f.Fix.Target {
			t.Errorf("%s %s: the message tells to redirect straight to %s, Fix.Target is %q: %s", f.Rule, f.URL, m[1], f.Fix.Target, f.Message)
		}
	}
}
