package rules

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
	"github.com/hopaudit/hopaudit/crawler/crawlertest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testFixture crawls testdata/<rule>/site.txt from http://site.test/ with
// the real crawler, runs the one rule with its defaults, and compares the
// findings with testdata/<rule>/findings.golden (CSV: severity, url,
// source, status, target, hops, message). Negative cases sit in the same
// site and must stay out of the golden file.
func testFixture(t *testing.T, r *audit.Rule) {
	t.Helper()
	dir := filepath.Join("testdata", r.Name)
	fixture, err := os.ReadFile(filepath.Join(dir, "site.txt"))
	if err != nil {
		t.Fatal(err)
	}
	site := crawlertest.New(t, string(fixture))
	g, err := crawler.Crawl(context.Background(), site.Config("http://"+crawlertest.Host+"/"))
	if err != nil {
		t.Fatal(err)
	}
	rep := (&audit.Engine{Rules: []*audit.Rule{r}}).Run(g)
	for _, e := range rep.Errors {
		t.Errorf("rule failed: %s", e.Err)
	}
	compareGolden(t, filepath.Join(dir, "findings.golden"), rep.Findings, false)
}

// compareGolden writes findings as the fixture goldens do, with the rule
// first when withRule is set, and compares them with the golden file.
func compareGolden(t *testing.T, golden string, findings []audit.Finding, withRule bool) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, f := range findings {
		rec := []string{f.Severity.String(), f.URL, f.Source, strconv.Itoa(f.Status), f.Target, strconv.Itoa(f.Hops), f.Message}
		if withRule {
			rec = append([]string{f.Rule}, rec...)
		}
		_ = w.Write(rec)
	}
	w.Flush()
	crawlertest.Golden(t, golden, buf.Bytes(), *update)
}
