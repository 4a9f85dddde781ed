package audit

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/hopaudit/hopaudit/crawler"
)

// reporting is a rule that reports the given findings.
func reporting(name string, fs ...Finding) *Rule {
	return &Rule{Name: name, Severity: Warning, Run: func(p *Pass) error {
		for _, f := range fs {
			p.Reportf(f, "%s", f.Message)
		}
		return nil
	}}
}

// changes writes each finding as "change rule url source message".
func changes(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s %s %s %s\n", f.Change, f.Rule, f.URL, f.Source, f.Message)
	}
	return b.String()
}

func TestCompare(t *testing.T) {
	rep := (&Engine{Rules: []*Rule{
		reporting("chain",
			Finding{URL: "/a", Source: "/", Message: "2 hops"},    // unchanged, another message
			Finding{URL: "/b", Source: "/", Message: "3 hops"},    // new: last night from another source
			Finding{URL: "/c", Message: "first", Severity: Error}, // two findings with one key:
			Finding{URL: "/c", Message: "second"}),                // the same message pairs first
		reporting("loop", Finding{URL: "/a", Source: "/", Message: "loop"}), // new: another rule
	}}).Run(&crawler.Graph{})
	rep.Compare([]Finding{
		{Rule: "chain", URL: "/a", Source: "/", Message: "3 hops", Severity: Error},
		{Rule: "chain", URL: "/b", Source: "/old", Message: "3 hops", Severity: Warning},
		{Rule: "chain", URL: "/c", Message: "second"},
		{Rule: "chain", URL: "/gone", Message: "fixed since", Severity: Warning},
		{Rule: "chain", URL: "/earlier", Message: "fixed the night before", Change: ChangeFixed},
		{Rule: "retired", URL: "/a", Message: "a rule that did not run fixed nothing"},
	})
	if !rep.Compared {
		t.Error("Compared is false")
	}
	want := "unchanged chain /a / 2 hops\n" +
		"new loop /a / loop\n" +
		"new chain /b / 3 hops\n" +
		"new chain /c  first\n" +
		"unchanged chain /c  second\n"
	if got := changes(rep.Findings); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	wantFixed := "fixed chain /b /old 3 hops\nfixed chain /gone  fixed since\n"
	if got := changes(rep.Fixed); got != wantFixed {
		t.Errorf("fixed:\n%s\nwant:\n%s", got, wantFixed)
	}
	if got := changes(rep.WithFixed()); got != "unchanged chain /a / 2 hops\nnew loop /a / loop\nnew chain /b / 3 hops\nfixed chain /b /old 3 hops\n"+
		"new chain /c  first\nunchanged chain /c  second\nfixed chain /gone  fixed since\n" {
		t.Errorf("with fixed:\n%s", got)
	}
	for c, n := range map[Change]int{ChangeNew: 3, ChangeUnchanged: 2, ChangeFixed: 2} {
		if got := rep.Tally(c); got != n {
			t.Errorf("Tally(%s) = %d, want %d", c, got, n)
		}
	}
	if n := rep.NewAtLeast(Error); n != 1 {
		t.Errorf("NewAtLeast(error) = %d, want 1 (the first /c)", n)
	}
	if n := rep.NewAtLeast(Warning); n != 3 {
		t.Errorf("NewAtLeast(warning) = %d, want 3", n)
	}
	if n := rep.AtLeast(Warning); n != 5 {
		t.Errorf("AtLeast(warning) = %d, want 5: the run's findings, new or not", n)
	}
	// The summary counts the run's findings, and the new and fixed ones.
	wantSum := []Count{
		{Rule: "chain", Severity: Error, Count: 1, New: 1},
		{Rule: "chain", Severity: Warning, Count: 3, New: 1, Fixed: 2},
		{Rule: "loop", Severity: Warning, Count: 1, New: 1},
	}
	if got := rep.Summary(); !reflect.DeepEqual(got, wantSum) {
		t.Errorf("summary %+v\nwant %+v", got, wantSum)
	}
}

func TestCompareNothingInCommon(t *testing.T) {
	rep := (&Engine{Rules: []*Rule{reporting("chain")}}).Run(&crawler.Graph{})
	if rep.Compared || rep.Tally(ChangeNew) != 0 || rep.Fixed != nil {
		t.Fatalf("a fresh report is not compared: %+v", rep)
	}
	rep.Compare(nil)
	if !rep.Compared || rep.Fixed == nil || len(rep.Fixed) != 0 {
		t.Errorf("compared with an empty baseline: compared %v, fixed %v", rep.Compared, rep.Fixed)
	}
	// Only fixed findings: the summary has rows with a zero count.
	rep.Compare([]Finding{{Rule: "chain", Severity: Error, URL: "/x"}})
	if got := rep.Summary(); !reflect.DeepEqual(got, []Count{{Rule: "chain", Severity: Error, Fixed: 1}}) {
		t.Errorf("summary %+v", got)
	}
}

func TestFindingKey(t *testing.T) {
	f := Finding{Rule: "r", URL: "u", Source: "s", Severity: Error, Status: 301, Target: "t", Hops: 2, Message: "m"}
	g := f
	g.Severity, g.Status, g.Target, g.Hops, g.Message = Notice, 302, "t2", 3, "m2"
	if f.Key() != g.Key() {
		t.Error("severity, status, target, hops and message change the key")
	}
	for _, h := range []Finding{{Rule: "x", URL: "u", Source: "s"}, {Rule: "r", URL: "x", Source: "s"}, {Rule: "r", URL: "u", Source: "x"}} {
		if h.Key() == f.Key() {
			t.Errorf("%+v has the key of %+v", h, f)
		}
	}
}

func TestEngineExpect(t *testing.T) {
	expect := map[string]string{"http://site.test/old": "http://site.test/new"}
	var seen map[string]string
	rule := &Rule{Name: "reads-map", Severity: Error, Run: func(p *Pass) error {
		seen = p.Expect
		return nil
	}}
	(&Engine{Rules: []*Rule{rule}, Expect: expect}).Run(&crawler.Graph{})
	if !reflect.DeepEqual(seen, expect) {
		t.Errorf("Pass.Expect = %v, want %v", seen, expect)
	}
	(&Engine{Rules: []*Rule{rule}}).Run(&crawler.Graph{})
	if seen != nil {
		t.Errorf("Pass.Expect without a map = %v, want nil", seen)
	}
}

// TestFindingSize guards the size of a finding: a report holds one per
// finding, and a big site has hundreds of thousands of them.
func TestFindingSize(t *testing.T) {
	if got := unsafe.Sizeof(Finding{}); got > 104 {
		t.Errorf("unsafe.Sizeof(Finding{}) = %d bytes, more than 104", got)
	}
}

// TestChangeNames: every change reads back from its name.
func TestChangeNames(t *testing.T) {
	for _, c := range []Change{0, ChangeNew, ChangeFixed, ChangeUnchanged} {
		if got, err := ParseChange(c.String()); got != c || err != nil {
			t.Errorf("ParseChange(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	if _, err := ParseChange("better"); err == nil {
		t.Error(`ParseChange("better") gave no error`)
	}
}
