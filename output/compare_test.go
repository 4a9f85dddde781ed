package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// baselineFindings is an earlier run of fixtureReport's rules: two
// findings it still has (one with another message), two it no longer
// has (one with formula-looking text, as a hostile site can plant in
// last night's report), one of a rule that did not run this time, and
// one that was already fixed in that run.
func baselineFindings() []audit.Finding {
	return []audit.Finding{
		{Rule: "temporary-redirect", Severity: audit.Warning, URL: oldHTTPS, Source: home, Status: 302, Target: newURL,
			Message: "302 to https://example.com/new; use 301 if the move is permanent"},
		{Rule: "redirect-loop", Severity: audit.Error, URL: loopA, Source: home, Status: 301, Target: loopA, Hops: 3,
			Message: "a longer loop last night"},
		{Rule: "redirect-chain", Severity: audit.Warning, URL: "https://example.com/=gone", Source: "@home", Status: 301,
			Target: "+1 555", Hops: 3, Message: "=HYPERLINK(\"http://evil.example/\")"},
		{Rule: "broken-redirect", Severity: audit.Error, URL: "https://example.com/was-broken", Source: home, Status: 404,
			Target: "https://example.com/missing", Hops: 1, Message: "ends at a 404"},
		{Rule: "https-downgrade", Severity: audit.Error, URL: oldHTTPS, Message: "not run tonight"},
		{Rule: "meta-refresh", Severity: audit.Warning, URL: "https://example.com/fixed-before", Message: "fixed the night before", Change: audit.ChangeFixed},
	}
}

// finishedGraph is fixtureGraph as if its crawl had finished, not
// stopped at --max-pages.
func finishedGraph() *crawler.Graph {
	g := fixtureGraph()
	g.Stats.MaxPagesReached = false
	return g
}

// comparedReport is fixtureReport, of a crawl that finished, compared
// with baselineFindings of a crawl that finished too: every finding in
// one run only is new or fixed.
func comparedReport() *audit.Report {
	rep := fixtureEngine().Run(finishedGraph())
	rep.Compare(audit.Baseline{Findings: baselineFindings()})
	return rep
}

// partialBaseline is an earlier run of fixtureReport's rules that was
// cut short: it fetched the home page, the chain from
// http://example.com/old, the loop and the formula URLs, nothing else.
// It has baselineFindings and a meta refresh at the product page.
func partialBaseline() audit.Baseline {
	return audit.Baseline{
		Findings: append(baselineFindings(), audit.Finding{Rule: "meta-refresh", Severity: audit.Warning, URL: product, Source: home,
			Status: 200, Target: newURL, Message: "meta refresh last night"}),
		Coverage: audit.Coverage{Partial: true, URLs: slices.Sorted(slices.Values([]string{
			home, oldHTTP, oldHTTPS, newURL, loopA, loopB, formula, formulaT}))},
	}
}

// partialComparedReport is fixtureReport, whose crawl stopped at
// --max-pages, compared with partialBaseline: both runs are partial.
func partialComparedReport() *audit.Report {
	rep := fixtureReport()
	rep.Compare(partialBaseline())
	return rep
}

func TestComparedGolden(t *testing.T) {
	for _, name := range FormatNames() {
		if name == "html" {
			continue // TestHTMLGolden
		}
		for _, kind := range []Report{Findings, Summary} {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				golden(t, filepath.Join("compared", name, string(kind)+".golden"), format(t, name, Options{}, kind, comparedReport()))
			})
		}
	}
	for _, name := range FormatNames() {
		if name == "html" {
			continue
		}
		t.Run(name+"/changes-only", func(t *testing.T) {
			golden(t, filepath.Join("compared", name, "findings_changes.golden"), format(t, name, Options{HideUnchanged: true}, Findings, comparedReport()))
		})
	}
}

func TestComparedCSV(t *testing.T) {
	b := format(t, "csv", Options{}, Findings, comparedReport())
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(records[0], ","); got != "change,rule,severity,url,source,status,target,hops,message" {
		t.Errorf("header = %s", got)
	}
	changes := map[string]int{}
	for _, rec := range records[1:] {
		changes[rec[0]]++
	}
	// 10 findings tonight, 2 of them known; 2 of last night's are gone.
	if want := map[string]int{"new": 8, "unchanged": 2, "fixed": 2}; !reflect.DeepEqual(changes, want) {
		t.Errorf("changes %v, want %v", changes, want)
	}
	for _, opt := range []Options{{}, {HideUnchanged: true}, {BOM: true}} {
		for _, kind := range []Report{Findings, Summary} {
			b := format(t, "csv", opt, kind, comparedReport())
			if !utf8.Valid(b) {
				t.Errorf("%s: not UTF-8", kind)
			}
			records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for i, rec := range records {
				for j, c := range rec {
					if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
						t.Errorf("%+v %s: record %d field %d starts a formula: %q", opt, kind, i, j, c)
					}
				}
			}
		}
	}
	if !bytes.Contains(b, []byte(`fixed,redirect-chain,warning,https://example.com/=gone,'@home,301,'+1 555,3,"'=HYPERLINK(""http://evil.example/"")"`)) {
		t.Errorf("the fixed finding from the baseline is missing or not neutralised:\n%s", b)
	}
}

func TestComparedSummaryCounts(t *testing.T) {
	b := format(t, "csv", Options{}, Summary, comparedReport())
	want := "rule,severity,count,new,fixed,unverified\r\n" +
		"temporary-redirect,warning,2,1,0,0\r\n" +
		"redirect-chain,warning,1,1,1,0\r\n" +
		"redirect-loop,error,1,0,0,0\r\n" +
		"invalid-location,error,2,2,0,0\r\n" +
		"broken-redirect,error,1,1,1,0\r\n" +
		"meta-refresh,warning,1,1,0,0\r\n" +
		"redirect-to-blocked,warning,1,1,0,0\r\n" +
		"external-redirect,notice,1,1,0,0\r\n"
	if string(b) != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b, want)
	}
	// Not compared: the columns of before.
	if b := format(t, "csv", Options{}, Summary, fixtureReport()); !bytes.HasPrefix(b, []byte("rule,severity,count\r\n")) {
		t.Errorf("summary of a report not compared starts %q", b[:30])
	}
}

func TestComparedTable(t *testing.T) {
	b := string(format(t, "table", Options{HideUnchanged: true}, Findings, comparedReport()))
	for _, want := range []string{
		"10 findings: 4 error, 5 warning, 1 notice\nagainst the baseline: 8 new, 2 fixed, 2 unchanged\n",
		"| change | rule ",
		"| fixed  | broken-redirect ",
	} {
		if !strings.Contains(b, want) {
			t.Errorf("table lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(b, "| unchanged") {
		t.Errorf("table lists unchanged findings:\n%s", b)
	}
	// Everything fixed: the summary still says what was fixed.
	var silent []*audit.Rule
	for _, r := range fixtureReport().Rules {
		silent = append(silent, fixtureRule(r.Name, r.Severity))
	}
	rep := (&audit.Engine{Rules: silent}).Run(finishedGraph())
	rep.Compare(audit.Baseline{Findings: baselineFindings()})
	b = string(format(t, "table", Options{}, Findings, rep))
	if !strings.Contains(b, "0 findings: 0 error, 0 warning, 0 notice\nagainst the baseline: 0 new, 4 fixed, 0 unchanged\n") ||
		!strings.Contains(b, "| fixed  | redirect-chain ") {
		t.Errorf("all-fixed table:\n%s", b)
	}
	rep.Fixed = nil
	if b := format(t, "table", Options{HideUnchanged: true}, Findings, rep); string(b) != "no findings\n" {
		t.Errorf("nothing at all: %q", b)
	}
}

func TestComparedJSON(t *testing.T) {
	b := format(t, "json", Options{}, Findings, comparedReport())
	d, err := ReadDocument(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if d.Comparison == nil || *d.Comparison != (Comparison{New: 8, Fixed: 2, Unchanged: 2}) {
		t.Errorf("comparison = %+v", d.Comparison)
	}
	if d.Totals.Total != 10 || len(d.Findings) != 12 {
		t.Errorf("totals %+v, %d findings listed; want 10 counted, 12 listed", d.Totals, len(d.Findings))
	}
	for _, f := range d.Findings {
		if f.Change == "" {
			t.Errorf("finding without a change: %+v", f)
		}
	}
	// A report that was not compared has no change keys at all.
	plain := format(t, "json", Options{}, Findings, fixtureReport())
	if bytes.Contains(plain, []byte(`"change"`)) || bytes.Contains(plain, []byte(`"comparison"`)) || bytes.Contains(plain, []byte(`"new"`)) {
		t.Errorf("a report not compared has change keys:\n%s", plain)
	}
}

// TestBaselineRoundTrip reads a compared report back as the next
// night's baseline: it stands for the run's own findings, without the
// fixed ones.
func TestBaselineRoundTrip(t *testing.T) {
	rep := comparedReport()
	for _, opt := range []Options{{}, {HideUnchanged: false, BOM: true}} {
		d, err := ReadDocument(bytes.NewReader(format(t, "json", opt, Findings, rep)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Baseline()
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(rep.Findings)
		for i := range want {
			want[i].Message = viaJSON(t, want[i].Message) // invalid UTF-8 comes back as U+FFFD
		}
		if !reflect.DeepEqual(got.Findings, want) {
			t.Errorf("baseline:\n%+v\nwant the run's findings:\n%+v", got.Findings, want)
		}
		if got.Coverage.Partial {
			t.Errorf("the baseline of a crawl that finished is partial: %+v", got.Coverage)
		}
	}
	// Compared again with itself, nothing changed.
	next := fixtureReport()
	d, _ := ReadDocument(bytes.NewReader(format(t, "json", Options{}, Findings, rep)))
	base, _ := d.Baseline()
	next.Compare(base)
	if next.Tally(audit.ChangeNew) != 0 || next.Tally(audit.ChangeFixed) != 0 || next.Tally(audit.ChangeUnchanged) != 10 {
		t.Errorf("self-comparison: %d new, %d fixed, %d unchanged", next.Tally(audit.ChangeNew), next.Tally(audit.ChangeFixed), next.Tally(audit.ChangeUnchanged))
	}
}

// TestComparedPartial: both runs were cut short. A finding in one run
// only is new or fixed only when the other run fetched its URL, source
// and target; else it is unverified (this run's) or unverified-fixed
// (the baseline's). The counts say so; the JSON document lists what the
// run fetched, and its unverified-fixed findings stay in the next
// baseline, not in the run's own findings.
func TestComparedPartial(t *testing.T) {
	rep := partialComparedReport()
	var got []string
	for _, f := range rep.WithFixed() {
		got = append(got, f.Change.String()+" "+f.Rule+" "+f.URL)
	}
	want := []string{
		"new redirect-chain http://example.com/old", // the baseline fetched its URL, source and target
		"unverified invalid-location https://example.com/=cmd",
		"new temporary-redirect https://example.com/=cmd",
		"unverified-fixed redirect-chain https://example.com/=gone", // this run did not fetch it
		"unverified invalid-location " + ctrlURL,
		"unverified broken-redirect https://example.com/broken",
		"unverified external-redirect https://example.com/ext",
		"unchanged redirect-loop https://example.com/loop-a",
		"unchanged temporary-redirect https://example.com/old",
		"fixed meta-refresh https://example.com/products/item", // this run fetched it, its source and its target
		"unverified meta-refresh https://example.com/refresh",
		"unverified redirect-to-blocked https://example.com/to-private",
		"unverified-fixed broken-redirect https://example.com/was-broken",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := rep.NewAtLeast(audit.Notice); n != 2 {
		t.Errorf("NewAtLeast(notice) = %d, want 2: unverified findings never fail a run", n)
	}
	if got := changesLine(rep); got != "against the baseline: 2 new, 1 fixed, 2 unchanged, 8 unverified" {
		t.Errorf("changes line %q", got)
	}
	wantSum := "rule,severity,count,new,fixed,unverified\r\n" +
		"temporary-redirect,warning,2,1,0,0\r\n" +
		"redirect-chain,warning,1,1,0,1\r\n" +
		"redirect-loop,error,1,0,0,0\r\n" +
		"invalid-location,error,2,0,0,2\r\n" +
		"broken-redirect,error,1,0,0,2\r\n" +
		"meta-refresh,warning,1,0,1,1\r\n" +
		"redirect-to-blocked,warning,1,0,0,1\r\n" +
		"external-redirect,notice,1,0,0,1\r\n"
	if b := format(t, "csv", Options{}, Summary, rep); string(b) != wantSum {
		t.Errorf("summary:\n%s\nwant:\n%s", b, wantSum)
	}

	// The document says the crawl was partial and what it fetched.
	d, err := ReadDocument(bytes.NewReader(format(t, "json", Options{HideUnchanged: true}, Findings, rep)))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Stats.Partial || !d.Stats.MaxPagesReached || d.Comparison == nil || *d.Comparison != (Comparison{New: 2, Fixed: 1, Unchanged: 2, Unverified: 8}) {
		t.Errorf("stats %+v, comparison %+v", d.Stats, d.Comparison)
	}
	fetched := rep.Coverage.URLs
	if len(fetched) != 22 || slices.Contains(fetched, down) || slices.Contains(fetched, reset) || !slices.Contains(fetched, blocked) ||
		!slices.Contains(fetched, sitemapOK) || slices.Contains(fetched, sitemapCut) || !slices.Equal(d.FetchedURLs, fetched) {
		t.Errorf("fetched_urls %q; want the 20 URLs that answered, the robots.txt block but not the network error nor the reset, and the 2 sitemaps read whole", d.FetchedURLs)
	}
	// Read back as the next baseline: the run's own findings and the
	// unverified-fixed ones, which nothing says are gone; the fixed one
	// is left out.
	d, err = ReadDocument(bytes.NewReader(format(t, "json", Options{}, Findings, rep)))
	if err != nil {
		t.Fatal(err)
	}
	base, err := d.Baseline()
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, f := range base.Findings {
		if f.Change != audit.ChangeNew && f.Change != audit.ChangeUnchanged && f.Change != audit.ChangeUnverified {
			kept = append(kept, f.Change.String()+" "+f.URL)
		}
	}
	if len(base.Findings) != 12 || strings.Join(kept, ",") != "unverified-fixed https://example.com/=gone,unverified-fixed https://example.com/was-broken" {
		t.Errorf("next baseline: %d findings, besides the run's: %q", len(base.Findings), kept)
	}
	if !base.Coverage.Partial || !slices.Equal(base.Coverage.URLs, fetched) {
		t.Errorf("next baseline's coverage %+v", base.Coverage)
	}
	// The next night finishes and has none of them: a run that looked
	// everywhere can tell that each one is fixed, the unverified-fixed
	// ones too, but for the two that name a URL it could not read (the
	// network error and the reset, on the finished night too).
	var silent []*audit.Rule
	for _, r := range fixtureEngine().Rules {
		silent = append(silent, fixtureRule(r.Name, r.Severity))
	}
	next := (&audit.Engine{Rules: silent}).Run(finishedGraph())
	next.Compare(base)
	if next.Tally(audit.ChangeFixed) != 10 || next.Unverified() != 2 {
		t.Errorf("next night: %d fixed, %d unverified; want 10 and 2", next.Tally(audit.ChangeFixed), next.Unverified())
	}
	for _, f := range next.Fixed {
		if f.Change == audit.ChangeUnverifiedFixed && !slices.Contains(next.Coverage.Unread, f.URL) && !slices.Contains(next.Coverage.Unread, f.Target) {
			t.Errorf("%s %s is unverified, but names no URL the night could not read (%q)", f.Rule, f.URL, next.Coverage.Unread)
		}
	}

	// A crawl that finished lists no fetched URLs; one that was cut
	// short always does, [] when it fetched nothing.
	if b := format(t, "json", Options{}, Findings, comparedReport()); bytes.Contains(b, []byte(`"fetched_urls"`)) || !bytes.Contains(b, []byte(`"partial": false`)) {
		t.Errorf("a crawl that finished: fetched_urls or no partial:\n%s", b)
	}
	empty := (&audit.Engine{}).Run(&crawler.Graph{Stats: crawler.Stats{Cancelled: true}})
	if b := format(t, "json", Options{}, Findings, empty); !bytes.Contains(b, []byte(`"fetched_urls": []`)) || !bytes.Contains(b, []byte(`"partial": true`)) {
		t.Errorf("a cancelled crawl that fetched nothing:\n%s", b)
	}
}

func TestBaselineRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  []byte
		want string
	}{
		{"chains report", format(t, "json", Options{}, Chains, fixtureReport()), "a chains report holds no findings"},
		{"summary report", format(t, "json", Options{}, Summary, fixtureReport()), "a summary report holds no findings"},
		{"changes only", format(t, "json", Options{HideUnchanged: true}, Findings, comparedReport()), "listing 0 of its 2 unchanged findings"},
		{"unknown change", []byte(`{"schema_version": 1, "report": "findings", "findings": [{"change": "better", "rule": "x", "severity": "error", "url": "u"}]}`), `unknown change "better"`},
		{"no severity", []byte(`{"schema_version": 1, "report": "findings", "findings": [{"rule": "x", "url": "u"}]}`), "severity none is not error, warning or notice"},
	} {
		d, err := ReadDocument(bytes.NewReader(tc.doc))
		if err == nil {
			_, err = d.Baseline()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestAuditReport(t *testing.T) {
	catalogue := []*audit.Rule{{Name: "temporary-redirect"}, {Name: "redirect-chain"}, {Name: "broken-redirect"}}
	// A partial run compared with a partial baseline: its fixed and
	// unverified-fixed findings are its baseline's, not its own.
	d, err := ReadDocument(bytes.NewReader(format(t, "json", Options{}, Findings, partialComparedReport())))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.AuditReport(catalogue)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Compared || len(rep.Fixed) != 0 || len(rep.Findings) != 10 || rep.Findings[0].Change != 0 {
		t.Errorf("report: compared %v, %d fixed, %d findings, first %+v", rep.Compared, len(rep.Fixed), len(rep.Findings), rep.Findings[0])
	}
	if want := fixtureReport().Coverage; !rep.Coverage.Partial || !slices.Equal(rep.Coverage.URLs, want.URLs) {
		t.Errorf("coverage %+v, want the run's %+v", rep.Coverage, want)
	}
	if got := strings.Join(ruleNames(rep), ","); got != strings.Join(d.Rules, ",") {
		t.Errorf("rules %s, want the document's %s", got, strings.Join(d.Rules, ","))
	}
	if rep.Rules[0] != catalogue[0] || rep.Rules[2].Name != "redirect-loop" {
		t.Errorf("rules are not looked up in the catalogue: %+v", rep.Rules[:3])
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Rule != "query-dropped" {
		t.Errorf("rule errors %+v", rep.Errors)
	}
	if rep.Graph.Stats.Fetched != 19 || !rep.Graph.Stats.MaxPagesReached || rep.Graph.Stats.Finished.Sub(rep.Graph.Stats.Started).Milliseconds() != 90250 {
		t.Errorf("stats %+v", rep.Graph.Stats)
	}
	// Written again, the document says the same (but for the chains the
	// graph no longer has).
	again, err := wholeDocument(Findings, rep, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Stats, d.Stats) || !reflect.DeepEqual(again.Summary, mustDoc(t, Findings, fixtureReport()).Summary) {
		t.Errorf("stats or summary changed on the way back")
	}

	// A document without a rules list ran the catalogue and the rules
	// its findings name.
	d.Rules = nil
	rep, err = d.AuditReport(catalogue)
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Join(ruleNames(rep), ",")
	if !strings.HasPrefix(names, "temporary-redirect,redirect-chain,broken-redirect,") || !strings.Contains(names, "external-redirect") {
		t.Errorf("rules without a list: %s", names)
	}
}

// viaJSON returns s as it comes back from JSON.
func viaJSON(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func mustDoc(t *testing.T, kind Report, r *audit.Report) *Document {
	t.Helper()
	d, err := wholeDocument(kind, r, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSchemaDocumented keeps docs/report-schema.md true: every key of
// the document and of its rows is described there, as a table row.
func TestSchemaDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/report-schema.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte(fmt.Sprintf("# The JSON report, schema version %d\n", SchemaVersion))) {
		t.Errorf("docs/report-schema.md is not about schema version %d", SchemaVersion)
	}
	for _, v := range []any{Document{}, Stats{}, Totals{}, Comparison{}, CountRow{}, FindingRow{}, RuleErrorRow{}, ChainRow{}, ChainRecord{}, HopRow{}, URLRow{}, SitemapRow{}, Issue{}, Sample{}, StatusRow{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			key := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			if key == "" {
				continue // an embedded row
			}
			if !bytes.Contains(doc, []byte("| `"+key+"` |")) && !bytes.Contains(doc, []byte("`"+key+"`, ")) && !bytes.Contains(doc, []byte(", `"+key+"` |")) {
				t.Errorf("docs/report-schema.md does not describe %s.%s (%q)", typ.Name(), typ.Field(i).Name, key)
			}
		}
	}
}
