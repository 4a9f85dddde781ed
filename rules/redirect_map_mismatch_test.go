package rules

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

// Helpers for the redirect map rules, which read Pass.Expect.

// litExpect builds a redirect map from from,to pairs, normalised as the
// command normalises them.
func litExpect(t *testing.T, pairs ...string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		from, err := crawler.Normalize(pairs[i])
		if err != nil {
			t.Fatal(err)
		}
		to, err := crawler.Normalize(pairs[i+1])
		if err != nil {
			t.Fatal(err)
		}
		m[from] = to
	}
	return m
}

// mapCase is a unit test of a redirect map rule.
type mapCase struct {
	name   string
	graph  *crawler.Graph
	expect []string // from, to, from, to, ...
	want   []string // litRow of each finding
	words  []string // the messages contain each of these, in order of the findings
	absent []string // no message contains any of these
}

func mapCheck(t *testing.T, r *audit.Rule, cases []mapCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := (&audit.Engine{Rules: []*audit.Rule{r}, Expect: litExpect(t, tc.expect...)}).Run(tc.graph)
			for _, e := range rep.Errors {
				t.Fatalf("rule failed: %s", e.Err)
			}
			var got []string
			for i, f := range rep.Findings {
				got = append(got, litRow(f))
				if i < len(tc.words) && !strings.Contains(f.Message, tc.words[i]) {
					t.Errorf("message %q lacks %q", f.Message, tc.words[i])
				}
				for _, w := range tc.absent {
					if strings.Contains(f.Message, w) {
						t.Errorf("message %q has %q", f.Message, w)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				for _, f := range rep.Findings {
					t.Logf("message: %s", f.Message)
				}
			}
		})
	}
}

func TestRedirectMapMismatch(t *testing.T) {
	const s = "http://site.test"
	status := func(u string, code int) *crawler.Response { return &crawler.Response{URL: u, Status: code} }
	seeds := func(us ...string) []crawler.Reference {
		var refs []crawler.Reference
		for _, u := range us {
			refs = append(refs, litSeed(u))
		}
		return refs
	}
	mapCheck(t, RedirectMapMismatch, []mapCase{
		{
			name:   "one permanent hop to the map's target",
			graph:  litGraph(seeds(s+"/old"), litRedirect(s+"/old", 301, s+"/new"), litPage(s+"/new")),
			expect: []string{s + "/old", s + "/new"},
		},
		{
			name:   "compared after normalisation",
			graph:  litGraph(seeds(s+"/old"), litRedirect(s+"/old", 308, s+"/new"), litPage(s+"/new")),
			expect: []string{"HTTP://Site.Test:80/old#frag", "http://SITE.TEST/new#section"},
		},
		{
			name:   "path case and trailing slash are not normalised",
			graph:  litGraph(seeds(s+"/a", s+"/b"), litRedirect(s+"/a", 301, s+"/New"), litPage(s+"/New"), litRedirect(s+"/b", 301, s+"/new/"), litPage(s+"/new/")),
			expect: []string{s + "/a", s + "/new", s + "/b", s + "/new"},
			want: []string{
				"error http://site.test/a - 200 http://site.test/New 1",
				"error http://site.test/b - 200 http://site.test/new/ 1",
			},
		},
		{
			name:   "ends elsewhere",
			graph:  litGraph(seeds(s+"/blog"), litRedirect(s+"/blog", 301, s+"/"), litPage(s+"/")),
			expect: []string{s + "/blog", s + "/news"},
			want:   []string{"error http://site.test/blog - 200 http://site.test/ 1"},
			words: []string{"ends at http://site.test/, not at http://site.test/news as the map says: 301 http://site.test/blog > 200 http://site.test/; " +
				"point http://site.test/blog with one 301 straight at http://site.test/news, or correct the map"},
		},
		{
			name:   "the map's target redirects on",
			graph:  litGraph(seeds(s+"/careers"), litRedirect(s+"/careers", 301, s+"/jobs"), litRedirect(s+"/jobs", 301, s+"/jobs/"), litPage(s+"/jobs/")),
			expect: []string{s + "/careers", s + "/jobs"},
			want:   []string{"error http://site.test/careers - 200 http://site.test/jobs/ 2"},
			words:  []string{"reaches http://site.test/jobs, which redirects on: 301 http://site.test/careers > 301 http://site.test/jobs > 200 http://site.test/jobs/"},
		},
		{
			name:   "ends elsewhere at an error",
			graph:  litGraph(seeds(s+"/old"), litRedirect(s+"/old", 301, s+"/typo"), status(s+"/typo", 404)),
			expect: []string{s + "/old", s + "/new"},
			want:   []string{"error http://site.test/old - 404 http://site.test/typo 1"},
		},
		{
			name:   "loop",
			graph:  litGraph(seeds(s+"/a"), litRedirect(s+"/a", 301, s+"/b"), litRedirect(s+"/b", 302, s+"/a")),
			expect: []string{s + "/a", s + "/b"},
			want:   []string{"error http://site.test/a - 301 http://site.test/a 2"},
			words:  []string{"never ends, the redirects loop: 301 http://site.test/a > 302 http://site.test/b > back to http://site.test/a; the map says http://site.test/b"},
		},
		{
			name:   "too long",
			graph:  litGraph(seeds(s+"/z0"), litLine(s+"/z", 25, 301)...),
			expect: []string{s + "/z0", s + "/z1"},
			want:   []string{"error http://site.test/z0 - 301 http://site.test/z20 20"},
			words:  []string{"does not end within 20 redirects"},
		},
		{
			name:   "a URL the map keeps redirects",
			graph:  litGraph(seeds(s+"/terms"), litRedirect(s+"/terms", 301, s+"/legal"), litPage(s+"/legal")),
			expect: []string{s + "/terms", s + "/terms"},
			want:   []string{"error http://site.test/terms - 200 http://site.test/legal 1"},
			words:  []string{"the map keeps this URL, but it redirects: 301 http://site.test/terms > 200 http://site.test/legal; let http://site.test/terms answer 200 itself"},
		},
		{
			name: "reaches the map's target however it gets there and whatever it answers",
			graph: litGraph(seeds(s+"/t302", s+"/t404", s+"/tchain", s+"/tblocked", s+"/trefresh", s+"/terr"),
				litRedirect(s+"/t302", 302, s+"/plans"), litPage(s+"/plans"),
				litRedirect(s+"/t404", 301, s+"/people"), status(s+"/people", 404),
				litRedirect(s+"/tchain", 301, s+"/step"), litRedirect(s+"/step", 301, s+"/end"), litPage(s+"/end"),
				litRedirect(s+"/tblocked", 301, s+"/private/x"), &crawler.Response{URL: s + "/private/x", Blocked: true},
				litRefresh(s+"/trefresh", crawler.HopMetaRefresh, 0, s+"/fresh"), litPage(s+"/fresh"),
				litRedirect(s+"/terr", 301, "http://127.0.0.1:1/"), &crawler.Response{URL: "http://127.0.0.1:1/", Error: "connection refused"},
			),
			expect: []string{s + "/t302", s + "/plans", s + "/t404", s + "/people", s + "/tchain", s + "/end",
				s + "/tblocked", s + "/private/x", s + "/trefresh", s + "/fresh", s + "/terr", "http://127.0.0.1:1/"},
		},
		{
			name:   "a chain not followed to its end: a URL the map keeps redirects wherever it ends",
			graph:  litGraph(seeds(s+"/stay"), litRedirect(s+"/stay", 301, s+"/elsewhere")),
			expect: []string{s + "/stay", s + "/stay"},
			want:   []string{"error http://site.test/stay - 0 - 1"},
			words:  []string{"the map keeps this URL, but it redirects: 301 http://site.test/stay > http://site.test/elsewhere (not fetched); let http://site.test/stay answer 200 itself"},
		},
		{
			name:   "a chain not followed to its end: the map's target redirects on, to somewhere unknown",
			graph:  litGraph(seeds(s+"/careers"), litRedirect(s+"/careers", 301, s+"/jobs"), litRedirect(s+"/jobs", 301, s+"/jobs/")),
			expect: []string{s + "/careers", s + "/jobs"},
			want:   []string{"error http://site.test/careers - 0 - 2"},
			words: []string{"reaches http://site.test/jobs, which redirects on: 301 http://site.test/careers > 301 http://site.test/jobs > http://site.test/jobs/ (not fetched); " +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown; " +
				"stop http://site.test/jobs from redirecting, or correct the map"},
			absent: []string{"straight at"},
		},
		{
			name: "not this rule's: no redirect, not fetched, chain cut short, no map",
			graph: litGraph(seeds(s+"/page", s+"/cut"),
				litPage(s+"/page"),
				litRedirect(s+"/cut", 301, s+"/never-fetched")),
			expect: []string{s + "/page", s + "/new", s + "/cut", s + "/new", s + "/absent", s + "/new"},
		},
		{
			name:  "without a map the rule is silent",
			graph: litGraph(seeds(s+"/blog"), litRedirect(s+"/blog", 301, s+"/"), litPage(s+"/")),
		},
	})
}

func TestRedirectMapMismatchFixture(t *testing.T) { testMapFixture(t, RedirectMapMismatch) }

// readMap reads a fixture's map.csv: a header naming from and to first,
// then absolute URLs. The command's own reader (check --expect) has its
// own tests; this one only feeds the fixtures.
func readMap(t *testing.T, path string) (froms []string, expect map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) < 2 || records[0][0] != "from" || records[0][1] != "to" {
		t.Fatalf("%s: want a from,to header and rows", path)
	}
	var pairs []string
	for _, rec := range records[1:] {
		froms = append(froms, rec[0])
		pairs = append(pairs, rec[0], rec[1])
	}
	return froms, litExpect(t, pairs...)
}

// crawlMap serves testdata/<name>/site.txt and checks the from URLs of
// testdata/<name>/map.csv in list mode, as `hopaudit check --expect`
// does, with robots.txt obeyed.
func crawlMap(t *testing.T, name string) (*crawler.Graph, map[string]string) {
	t.Helper()
	dir := filepath.Join("testdata", name)
	fixture, err := os.ReadFile(filepath.Join(dir, "site.txt"))
	if err != nil {
		t.Fatal(err)
	}
	froms, expect := readMap(t, filepath.Join(dir, "map.csv"))
	site := crawlertest.New(t, string(fixture))
	cfg := site.Config(froms...)
	cfg.ListMode, cfg.NoSitemaps = true, true
	g, err := crawler.Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g, expect
}

// testMapFixture is testFixture for the redirect map rules: it checks
// the map of testdata/<rule>/map.csv against testdata/<rule>/site.txt
// and compares the rule's findings with testdata/<rule>/findings.golden.
func testMapFixture(t *testing.T, r *audit.Rule) {
	t.Helper()
	g, expect := crawlMap(t, r.Name)
	rep := (&audit.Engine{Rules: []*audit.Rule{r}, Expect: expect}).Run(g)
	for _, e := range rep.Errors {
		t.Errorf("rule failed: %s", e.Err)
	}
	compareGolden(t, filepath.Join("testdata", r.Name, "findings.golden"), rep.Findings, false)
}

// TestRedirectMapWholeCatalogue checks the migration fixture with every
// rule, as `hopaudit check --expect` does: correct rows get no finding
// from any rule, and each wrong row gets the findings that say what is
// wrong with it, and no more.
func TestRedirectMapWholeCatalogue(t *testing.T) {
	g, expect := crawlMap(t, "redirect-map-mismatch")
	rep := (&audit.Engine{Rules: All(), Expect: expect}).Run(g)
	for _, e := range rep.Errors {
		t.Errorf("rule %s failed: %s", e.Rule, e.Err)
	}
	byURL := map[string][]string{}
	for _, f := range rep.Findings {
		byURL[f.URL] = append(byURL[f.URL], f.Rule)
	}
	const s = "http://site.test"
	for from, want := range map[string][]string{
		s + "/about-us":        nil, // one 301 to the map's target, which answers 200
		s + "/products/shoes":  nil, // one 308
		s + "/faq":             nil, // the map's target written in another case, with a port and a fragment
		s + "/legal":           nil, // the map keeps it, and it does not redirect
		s + "/blog":            {"redirect-map-mismatch"},
		s + "/contact":         {"redirect-map-missing"},
		s + "/team":            {"broken-redirect"},    // the redirect is right; the target is broken
		s + "/pricing":         {"temporary-redirect"}, // the right place, the wrong status
		s + "/careers":         {"redirect-chain", "redirect-map-mismatch"},
		s + "/spin":            {"redirect-loop", "redirect-map-mismatch"},
		s + "/terms":           {"redirect-map-mismatch"},
		s + "/jobs":            nil, // a hop of /careers: its own redirect is fine
		s + "/spin2":           nil, // the loop is reported once, at its entry
		s + "/plans":           nil,
		s + "/people":          nil,
		s + "/about":           nil,
		"http://site.test/new": nil,
	} {
		if got := byURL[from]; !slices.Equal(got, want) {
			t.Errorf("%s: rules %v, want %v", from, got, want)
		}
	}
	compareGolden(t, filepath.Join("testdata", "redirect-map-mismatch", "catalogue.golden"), rep.Findings, true)
}
