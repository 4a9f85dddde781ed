package audit

import (
	"fmt"
	"slices"
)

// Change says how a finding compares with the same audit of an earlier
// run (a baseline). The zero value is no comparison. It is one byte, as
// a report holds one in every finding.
type Change uint8

// The changes.
const (
	ChangeNew       Change = iota + 1 // in this run, not in the baseline
	ChangeFixed                       // in the baseline, not in this run
	ChangeUnchanged                   // in both
)

var changeNames = [...]string{"", "new", "fixed", "unchanged"}

// String returns the change's name, as reports write it; "" for none.
func (c Change) String() string {
	if int(c) >= len(changeNames) {
		return fmt.Sprintf("change(%d)", int(c))
	}
	return changeNames[c]
}

// ParseChange reads "new", "fixed", "unchanged" or "" (none).
func ParseChange(s string) (Change, error) {
	if i := slices.Index(changeNames[:], s); i >= 0 {
		return Change(i), nil
	}
	return 0, fmt.Errorf("unknown change %q (want new, fixed or unchanged)", s)
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
// Baseline findings of rules that r did not run are left out: a rule
// that was not run fixed nothing. Baseline findings already marked fixed
// (a compared report read back) are not findings of the baseline run and
// are left out too. A report is compared at most once.
func (r *Report) Compare(baseline []Finding) {
	ran := make(map[string]bool, len(r.Rules))
	for _, rule := range r.Rules {
		ran[rule.Name] = true
	}
	var old []Finding
	for _, f := range baseline {
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
	r.Fixed = []Finding{}
	for j, f := range old {
		if !matched[j] {
			f.Change = ChangeFixed
			r.Fixed = append(r.Fixed, f)
		}
	}
	slices.SortStableFunc(r.Fixed, compareFindings)
	r.Compared = true
}

// Tally counts the findings with change c: new and unchanged ones among
// Findings, fixed ones in Fixed. It is 0 for a report that was not
// compared.
func (r *Report) Tally(c Change) int {
	if c == ChangeFixed {
		return len(r.Fixed)
	}
	n := 0
	for _, f := range r.Findings {
		if f.Change == c {
			n++
		}
	}
	return n
}

// NewAtLeast counts the new findings at severity s or above: what
// --fail-on counts in a run compared with a baseline.
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
