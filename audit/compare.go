package audit

import (
	"fmt"
	"slices"
)

// Change says how a finding compares with the same audit of an earlier
// run (a baseline). The zero value is no comparison. It is one byte, as
// a report holds one in every finding.
//
// A finding in one run only is new or fixed only when the other run
// looked at everything it names (Coverage.covers): after a crawl cut
// short, or one whose page failed, a finding may be missing only
// because its URL was not fetched or read.
// It is then unverified, on the side of the run that has it.
type Change uint8

// The changes.
const (
	ChangeNew             Change = iota + 1 // in this run, not in the baseline
	ChangeFixed                             // in the baseline, not in this run
	ChangeUnchanged                         // in both
	ChangeUnverified                        // in this run, not in the baseline, which did not look at all it names: new or not, unknown
	ChangeUnverifiedFixed                   // in the baseline, not in this run, which did not look at all it names: fixed or not, unknown
)

var changeNames = [...]string{"", "new", "fixed", "unchanged", "unverified", "unverified-fixed"}

// String returns the change's name, as reports write it; "" for none.
func (c Change) String() string {
	if int(c) >= len(changeNames) {
		return fmt.Sprintf("change(%d)", int(c))
	}
	return changeNames[c]
}

// ParseChange reads "new", "fixed", "unchanged", "unverified",
// "unverified-fixed" or "" (none).
func ParseChange(s string) (Change, error) {
	if i := slices.Index(changeNames[:], s); i >= 0 {
		return Change(i), nil
	}
	return 0, fmt.Errorf("unknown change %q (want new, fixed, unchanged, unverified or unverified-fixed)", s)
}

// Baseline is an earlier run to compare a report with (Report.Compare):
// its findings, and what it looked at.
type Baseline struct {
	Findings []Finding
	Coverage Coverage
}

// Key is a finding's identity from one run to the next: its rule, its
// URL and its source. Severity, status, target, hops and message may
// differ between two runs without making it another finding.
type Key struct {
	Rule, URL, Source string
}

// Key returns the finding's identity.
func (f Finding) Key() Key { return Key{Rule: f.Rule, URL: f.URL, Source: f.Source} }

// Compare marks every finding of r new or unchanged against the
// findings of a baseline run, and sets r.Fixed to the baseline findings
// that r no longer has, marked fixed. Findings are matched by Key; when
// several share a key (a rule may report a URL more than once), those
// with the same message are paired first, then the rest in order, so
// that each baseline finding matches at most one finding of r.
//
// A finding of r that would be new is unverified instead when the
// baseline run did not look at its URL, its source or its target, and a
// baseline finding that would be fixed is unverified-fixed when r's run
// did not look at them (r.Coverage): a crawl cut short (Coverage.Partial)
// found nothing about a URL it did not fetch, and no crawl learnt
// anything from a URL that failed or a chain it did not follow to its
// end (Coverage.Unread).
//
// Baseline findings of rules that r did not run are left out: a rule
// that was not run fixed nothing. Baseline findings already marked fixed
// (a compared report read back) are not findings of the baseline run and
// are left out too; unverified-fixed ones are kept, as nothing says they
// are gone. A report is compared at most once.
func (r *Report) Compare(baseline Baseline) {
	ran := make(map[string]bool, len(r.Rules))
	for _, rule := range r.Rules {
		ran[rule.Name] = true
	}
	var old []Finding
	for _, f := range baseline.Findings {
		if ran[f.Rule] && f.Change != ChangeFixed {
			old = append(old, f)
		}
	}
	byKey := make(map[Key][]int, len(old))
	for i, f := range old {
		byKey[f.Key()] = append(byKey[f.Key()], i)
	}
	matched := make([]bool, len(old))
	for i := range r.Findings {
		r.Findings[i].Change = ChangeNew
	}
	pair := func(sameMessage bool) {
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.Change == ChangeUnchanged {
				continue
			}
			for _, j := range byKey[f.Key()] {
				if !matched[j] && (!sameMessage || old[j].Message == f.Message) {
					matched[j], f.Change = true, ChangeUnchanged
					break
				}
			}
		}
	}
	pair(true)
	pair(false)
	for i := range r.Findings {
		if f := &r.Findings[i]; f.Change == ChangeNew && !baseline.Coverage.covers(*f) {
			f.Change = ChangeUnverified
		}
	}
	r.Fixed = []Finding{}
	for j, f := range old {
		if !matched[j] {
			f.Change = ChangeFixed
			if !r.Coverage.covers(f) {
				f.Change = ChangeUnverifiedFixed
			}
			r.Fixed = append(r.Fixed, f)
		}
	}
	slices.SortStableFunc(r.Fixed, compareFindings)
	r.Compared = true
}

// Tally counts the findings with change c: new, unchanged and
// unverified ones among Findings, fixed and unverified-fixed ones in
// Fixed. It is 0 for a report that was not compared.
func (r *Report) Tally(c Change) int {
	list := r.Findings
	if c == ChangeFixed || c == ChangeUnverifiedFixed {
		list = r.Fixed
	}
	n := 0
	for _, f := range list {
		if f.Change == c {
			n++
		}
	}
	return n
}

// Unverified counts the findings in one run only that the other run did
// not look at: unverified ones of this run and unverified-fixed ones of
// the baseline.
func (r *Report) Unverified() int {
	return r.Tally(ChangeUnverified) + r.Tally(ChangeUnverifiedFixed)
}

// NewAtLeast counts the new findings at severity s or above: what
// --fail-on counts in a run compared with a baseline. Unverified
// findings are not new: they never count.
func (r *Report) NewAtLeast(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Change == ChangeNew && f.Severity >= s {
			n++
		}
	}
	return n
}

// WithFixed returns the findings and, for a compared report, the fixed
// ones merged in, in the order of Findings (url, rule, source, message).
func (r *Report) WithFixed() []Finding {
	out := make([]Finding, 0, len(r.Findings)+len(r.Fixed))
	out = append(out, r.Findings...)
	out = append(out, r.Fixed...)
	slices.SortStableFunc(out, compareFindings)
	return out
}
