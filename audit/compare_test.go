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
	rep.Compare(Baseline{Findings: []Finding{
		{Rule: "chain", URL: "/a", Source: "/", Message: "3 hops", Severity: Error},
		{Rule: "chain", URL: "/b", Source: "/old", Message: "3 hops", Severity: Warning},
		{Rule: "chain", URL: "/c", Message: "second"},
		{Rule: "chain", URL: "/gone", Message: "fixed since", Severity: Warning},
		{Rule: "chain", URL: "/earlier", Message: "fixed the night before", Change: ChangeFixed},
		{Rule: "retired", URL: "/a", Message: "a rule that did not run fixed nothing"},
	}})
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
	rep.Compare(Baseline{})
	if !rep.Compared || rep.Fixed == nil || len(rep.Fixed) != 0 {
		t.Errorf("compared with an empty baseline: compared %v, fixed %v", rep.Compared, rep.Fixed)
	}
	// Only fixed findings: the summary has rows with a zero count.
	rep.Compare(Baseline{Findings: []Finding{{Rule: "chain", Severity: Error, URL: "/x"}}})
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
// finding, and a big site has hundreds of thousands of them. The advice
// in a form programs compare (Fix) takes 24 of its 128 bytes.
func TestFindingSize(t *testing.T) {
	if got := unsafe.Sizeof(Finding{}); got > 128 {
		t.Errorf("unsafe.Sizeof(Finding{}) = %d bytes, more than 128", got)
	}
}

// TestChangeNames: every change reads back from its name.
func TestChangeNames(t *testing.T) {
	for _, c := range []Change{0, ChangeNew, ChangeFixed, ChangeUnchanged, ChangeUnverified, ChangeUnverifiedFixed} {
		if got, err := ParseChange(c.String()); got != c || err != nil {
			t.Errorf("ParseChange(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	if _, err := ParseChange("better"); err == nil {
		t.Error(`ParseChange("better") gave no error`)
	}
}

// TestComparePartial: when either run was cut short, a finding in one
// run only is new or fixed only when the other run looked at its URL,
// its source and its target; else it is unverified (of this run) or
// unverified-fixed (of the baseline). Unchanged findings stay unchanged.
func TestComparePartial(t *testing.T) {
	full := Coverage{}
	partial := func(urls ...string) Coverage { return Coverage{Partial: true, URLs: urls} } // sorted by the caller
	// Tonight's findings and last night's. /a is in both; the others in
	// one run only.
	tonight := []Finding{
		{URL: "/a", Source: "/", Target: "/t", Message: "both"},
		{URL: "/n1", Source: "/", Target: "/t", Message: "tonight"},
		{URL: "/n2", Source: "/p", Target: "/t", Message: "tonight, from a page"},
		{URL: "/n3", Target: "/far", Message: "tonight, to a far target"},
		{URL: "/n4", Message: "tonight, no source, no target"},
	}
	lastNight := []Finding{
		{Rule: "r", Severity: Warning, URL: "/a", Source: "/", Target: "/t", Message: "both"},
		{Rule: "r", Severity: Warning, URL: "/f1", Source: "/", Target: "/t", Message: "last night"},
		{Rule: "r", Severity: Warning, URL: "/f2", Source: "/p", Message: "last night, from a page"},
		{Rule: "r", Severity: Warning, URL: "/f3", Message: "last night, carried over", Change: ChangeUnverifiedFixed},
		{Rule: "r", Severity: Warning, URL: "/f4", Message: "fixed the night before", Change: ChangeFixed},
	}
	tests := []struct {
		name     string
		old, new Coverage
		want     string // change and URL of every finding, fixed ones merged in
		tally    [6]int // by change: new, fixed, unchanged, unverified, unverified-fixed; [0] is NewAtLeast(warning)
	}{
		{
			name: "both whole: new or fixed", old: full, new: full,
			want:  "unchanged /a, fixed /f1, fixed /f2, fixed /f3, new /n1, new /n2, new /n3, new /n4",
			tally: [6]int{4, 4, 3, 1, 0, 0},
		},
		{
			name: "the baseline was cut short: what it did not look at is unverified, not new",
			old:  partial("/", "/a", "/n1", "/n2", "/t"), new: full,
			want:  "unchanged /a, fixed /f1, fixed /f2, fixed /f3, new /n1, unverified /n2, unverified /n3, unverified /n4",
			tally: [6]int{1, 1, 3, 1, 3, 0},
		},
		{
			name: "the baseline was cut short and lists nothing (an old report): nothing is new",
			old:  partial(), new: full,
			want:  "unchanged /a, fixed /f1, fixed /f2, fixed /f3, unverified /n1, unverified /n2, unverified /n3, unverified /n4",
			tally: [6]int{0, 0, 3, 1, 4, 0},
		},
		{
			name: "this run was cut short: what it did not look at is unverified-fixed, not fixed",
			old:  full, new: partial("/", "/a", "/f1", "/f2", "/n1", "/t"),
			want:  "unchanged /a, fixed /f1, unverified-fixed /f2, unverified-fixed /f3, new /n1, new /n2, new /n3, new /n4",
			tally: [6]int{4, 4, 1, 1, 0, 2},
		},
		{
			name: "both whole, with holes: what names an unread URL of the other run is unverified",
			old:  Coverage{Unread: []string{"/n1"}}, new: Coverage{Unread: []string{"/p"}},
			want:  "unchanged /a, fixed /f1, unverified-fixed /f2, fixed /f3, unverified /n1, new /n2, new /n3, new /n4",
			tally: [6]int{3, 3, 2, 1, 1, 1},
		},
		{
			name: "both were cut short",
			old:  partial("/", "/n1", "/n4", "/p", "/t"), new: partial("/", "/f1", "/t"),
			want:  "unchanged /a, fixed /f1, unverified-fixed /f2, unverified-fixed /f3, new /n1, unverified /n2, unverified /n3, new /n4",
			tally: [6]int{2, 2, 1, 1, 2, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := (&Engine{Rules: []*Rule{reporting("r", tonight...)}}).Run(&crawler.Graph{})
			rep.Coverage = tt.new
			rep.Compare(Baseline{Findings: lastNight, Coverage: tt.old})
			var got []string
			for _, f := range rep.WithFixed() {
				got = append(got, f.Change.String()+" "+f.URL)
			}
			if s := strings.Join(got, ", "); s != tt.want {
				t.Errorf("changes:\n%s\nwant:\n%s", s, tt.want)
			}
			tally := [6]int{rep.NewAtLeast(Warning)}
			for c := ChangeNew; c <= ChangeUnverifiedFixed; c++ {
				tally[c] = rep.Tally(c)
			}
			if tally != tt.tally {
				t.Errorf("NewAtLeast(warning) and tallies %v, want %v", tally, tt.tally)
			}
			if n := rep.Unverified(); n != tt.tally[ChangeUnverified]+tt.tally[ChangeUnverifiedFixed] {
				t.Errorf("Unverified() = %d", n)
			}
			// The summary: this run's findings, of them the new and the
			// unverified ones; the baseline's fixed and unverified-fixed.
			want := []Count{{Rule: "r", Severity: Warning, Count: 5, New: tt.tally[ChangeNew], Fixed: tt.tally[ChangeFixed],
				Unverified: tt.tally[ChangeUnverified] + tt.tally[ChangeUnverifiedFixed]}}
			if got := rep.Summary(); !reflect.DeepEqual(got, want) {
				t.Errorf("summary %+v, want %+v", got, want)
			}
		})
	}
}

// TestCoverageOf: a crawl cut short looked at the URLs it got an answer
// from, blocked ones included, and the sitemaps it read; not at those
// that failed as a site that is down fails. A crawl that finished looked
// at everything.
func TestCoverageOf(t *testing.T) {
	resp := func(u string, status int, errText string) *crawler.Response {
		return &crawler.Response{URL: u, Status: status, Error: errText}
	}
	g := &crawler.Graph{}
	for _, r := range []*crawler.Response{
		resp("/ok", 200, ""), resp("/moved", 301, ""), resp("/gone", 404, ""), resp("/odd", 300, ""),
		resp("/down", 503, ""), resp("/busy", 429, ""), resp("/broken", 500, ""), resp("/refused", 0, "connection refused"),
		resp("/reset", 200, "connection reset"),
		{URL: "/private", Blocked: true},
		{URL: "/robots-failed", Blocked: true, Error: "robots.txt answered 503: all disallowed"},
		// A redirect the crawl did not follow: its chain is unfinished.
		{URL: "/cut", Status: 301, Redirect: &crawler.Redirect{Locations: []string{"/not-fetched"}, Location: "/not-fetched"}},
	} {
		g.Add(r)
	}
	g.References = []crawler.Reference{{Kind: crawler.RefAnchor, Source: "/ok", Target: "/cut"}}
	unread := []string{"/broken", "/busy", "/cut", "/down", "/refused", "/reset", "/robots-failed"}
	g.Sitemaps = []crawler.Sitemap{{URL: "/sitemap.xml", Status: 200}, {URL: "/ok", Status: 200}, {URL: "/sitemap-down.xml", Status: 502},
		{URL: "/sitemap-bad.xml", Status: 200, Error: "not XML"}}

	if c := CoverageOf(g); c.Partial || c.URLs != nil || !c.Has("/anything") || !reflect.DeepEqual(c.Unread, unread) || c.Has("/down") || c.Has("/cut") {
		t.Errorf("a crawl that finished: %+v, want unread %q", c, unread)
	}
	for _, stats := range []crawler.Stats{{Cancelled: true}, {MaxPagesReached: true}, {Unreachable: "site.test: 503 Service Unavailable"}} {
		g.Stats = stats
		c := CoverageOf(g)
		if want := []string{"/cut", "/gone", "/moved", "/odd", "/ok", "/private", "/sitemap.xml"}; !c.Partial || !reflect.DeepEqual(c.URLs, want) || !reflect.DeepEqual(c.Unread, unread) {
			t.Errorf("%+v: %+v, want %q", stats, c, want)
		}
		if !c.Has("/ok") || c.Has("/down") || c.Has("/elsewhere") || c.Has("/cut") {
			t.Errorf("%+v: Has is wrong", stats)
		}
	}
	if c := CoverageOf(nil); c.Partial {
		t.Errorf("no graph: %+v", c)
	}
}
