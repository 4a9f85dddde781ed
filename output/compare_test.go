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

// comparedReport is fixtureReport compared with baselineFindings.
func comparedReport() *audit.Report {
	rep := fixtureReport()
	rep.Compare(baselineFindings())
	return rep
}

func TestComparedGolden(t *testing.T) {
	for _, name := range Formats {
		for _, kind := range []Report{Findings, Summary} {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				golden(t, filepath.Join("compared", name, string(kind)+".golden"), format(t, name, Options{}, kind, comparedReport()))
			})
		}
	}
	for _, name := range Formats {
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
	want := "rule,severity,count,new,fixed\r\n" +
		"temporary-redirect,warning,2,1,0\r\n" +
		"redirect-chain,warning,1,1,1\r\n" +
		"redirect-loop,error,1,0,0\r\n" +
		"invalid-location,error,2,2,0\r\n" +
		"broken-redirect,error,1,1,1\r\n" +
		"meta-refresh,warning,1,1,0\r\n" +
		"redirect-to-blocked,warning,1,1,0\r\n" +
		"external-redirect,notice,1,1,0\r\n"
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
	rep := (&audit.Engine{Rules: silent}).Run(fixtureGraph())
	rep.Compare(baselineFindings())
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
		if !reflect.DeepEqual(got, want) {
			t.Errorf("baseline:\n%+v\nwant the run's findings:\n%+v", got, want)
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
	d, err := ReadDocument(bytes.NewReader(format(t, "json", Options{}, Findings, comparedReport())))
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
	for _, v := range []any{Document{}, Stats{}, Totals{}, Comparison{}, CountRow{}, FindingRow{}, RuleErrorRow{}, ChainRow{}, ChainRecord{}, HopRow{}, URLRow{}} {
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
