// Package audit runs rules over a crawl graph and collects their findings.
// It knows no rule by name: the catalogue lives in package rules.
package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/crawler"
)

// Severity ranks findings. The zero value is no severity. It is one
// byte, as a report holds one in every finding.
type Severity int8

// The severities, lowest first.
const (
	Notice Severity = iota + 1
	Warning
	Error
)

var severityNames = [...]string{"none", "notice", "warning", "error"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads "notice", "warning", "error" or "none".
func ParseSeverity(s string) (Severity, error) {
	for i, name := range severityNames {
		if strings.EqualFold(s, name) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning, notice or none)", s)
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Doc documents a rule for `hopaudit explain`.
type Doc struct {
	Title string // one line: what is wrong
	Text  string // why it hurts, how to fix it, and the source
}

// Option is a rule setting with its default. Values are int, bool or string.
type Option struct {
	Name    string
	Default any
	Doc     string
}

// Rule is one check over the crawl graph.
type Rule struct {
	Name     string   // kebab-case, stable: used in CSV, config and --rules
	Severity Severity // default severity
	Doc      Doc
	Options  []Option
	// NeedsExpect says the rule finds nothing without a redirect map
	// (Engine.Expect, check --expect): a command without one tells a
	// user who selects only such rules.
	NeedsExpect bool
	// Needs lists the facts the rule reads through its Pass (Pass.Chains,
	// Pass.ResultOf, ...): the engine computes them once for all the
	// rules that need them. Asking for a fact not listed here panics.
	Needs []*Fact
	Run   func(*Pass) error
}

// Finding is one problem at one URL.
type Finding struct {
	Rule     string
	URL      string // what the finding is about
	Source   string // a page or sitemap that references it, if any
	Target   string
	Message  string
	Status   int
	Hops     int
	Severity Severity
	Change   Change // how it compares with a baseline run; none unless the report was compared (see Report.Compare)
	Fix      Fix    // what the message advises URL itself to answer, where it names a status or a URL
}

// Fix is the change a finding's message advises for the response of
// the finding's URL, in a form a program can compare: the status to
// answer with and the URL to redirect to. A field is zero when the
// advice names none (a link to edit, a header to drop, a choice left to
// the site). A catalogue keeps its findings on one URL to one status
// and one target, never a redirect to the URL itself; hopaudit's rules
// are tested for it over their fixture sites. Reports do not write it:
// the message says the same in words.
type Fix struct {
	Status int    // e.g. 301 or 308; 0 when the advice names no status
	Target string // normalised URL to redirect to; "" when it names none
}

// Pass is one rule's view of a run.
type Pass struct {
	Graph *crawler.Graph
	Rule  *Rule
	// Expect is the run's redirect map (Engine.Expect): normalised from
	// URL to the normalised URL its redirect must end at. It is nil when
	// the run has none. Rules read it and never change it.
	Expect map[string]string

	options    map[string]any
	override   Severity // the user's severity for the rule (Engine.Severity)
	overridden bool
	findings   *findingList
	engine     *Engine
	needs      []*Fact  // what the rule or fact declares it reads
	facts      *factSet // the run's facts; nil in a view of another rule (Other)
	inboundAt  int      // where Inbound found the references to the URL it was last asked for (see searchFrom)
	chainAt    int      // where ChainOf looked for the chain of the URL it was last asked for
	fact       *Fact    // the fact the pass computes, if it computes one
	msg        []byte   // room to format a message in (see Reportf)
	packer     packer   // to pack it with
	lastMsg    string   // the packed message of the last finding reported
}

// Other returns a view of the rule named name as it runs beside this
// one, to read its options (Int, Bool, String), or nil when that rule
// does not run or all its findings are dropped (severity none): a rule
// leaves to another what that one reports, and reports it itself when
// the other is off. The view reports nothing.
func (p *Pass) Other(name string) *Pass {
	e := p.engine
	if e == nil {
		return nil
	}
	i := slices.IndexFunc(e.Rules, func(r *Rule) bool { return r.Name == name })
	if i < 0 {
		return nil
	}
	if s, ok := e.Severity[name]; ok && s <= 0 {
		return nil
	}
	return &Pass{Graph: p.Graph, Rule: e.Rules[i], Expect: p.Expect, options: e.Options[name]}
}

// Reportf records a finding with a formatted message. A rule may set
// f.Severity to raise or lower one finding from the rule's default; a
// severity set by the user overrides both. A finding at severity none is
// dropped.
//
// A message that is the same as the one before it shares its memory: a
// link to one redirect in the template of every page is a finding per
// page, each saying the same, and a rule reports the references to one
// URL one after another. Until the report, it is kept packed (see
// packer.pack).
func (p *Pass) Reportf(f Finding, format string, args ...any) {
	if p.findings == nil {
		panic(p.who() + " reports a finding, which only a running rule does")
	}
	f.Rule = p.Rule.Name
	switch {
	case p.overridden:
		f.Severity = p.override
	case f.Severity == 0:
		f.Severity = p.Rule.Severity
	}
	if f.Severity <= 0 {
		return
	}
	p.msg = fmt.Appendf(p.msg[:0], format, args...)
	if packed := p.packer.pack(p.msg, &f); string(packed) != p.lastMsg {
		p.lastMsg = string(packed)
	}
	f.Message = p.lastMsg
	p.findings.add(f)
}

// Int returns the rule's int option name.
func (p *Pass) Int(name string) int { return option[int](p, name) }

// Bool returns the rule's bool option name.
func (p *Pass) Bool(name string) bool { return option[bool](p, name) }

// String returns the rule's string option name.
func (p *Pass) String(name string) string { return option[string](p, name) }

func option[T any](p *Pass, name string) T {
	if p.Rule == nil {
		panic(fmt.Sprintf("%s asks for option %q: only rules have options", p.who(), name))
	}
	if v, ok := p.options[name]; ok {
		return v.(T)
	}
	for _, o := range p.Rule.Options {
		if o.Name == name {
			return o.Default.(T)
		}
	}
	panic(fmt.Sprintf("rule %s has no option %q", p.Rule.Name, name))
}

// RuleError is a rule that failed; the other rules still ran.
type RuleError struct {
	Rule string
	Err  string
}

// Engine runs rules over a graph.
type Engine struct {
	Rules    []*Rule
	Severity map[string]Severity       // by rule name: overrides every finding's severity
	Options  map[string]map[string]any // by rule name, then option name
	// Expect is a redirect map, as `hopaudit check --expect` reads it:
	// each key is a URL whose redirect is checked (the map's from), and
	// its value the URL where the redirect must end (the map's to). Both
	// are written as crawler.Normalize writes them, so that rules compare
	// them with graph URLs as they are. Every rule sees it as Pass.Expect;
	// nil means no map.
	Expect map[string]string
	// RulesDone, when set, is called once the rules have run and the
	// facts they shared are dropped, just before the findings are
	// gathered into one list: on a big site, that copy is the peak of a
	// run, and a command may collect garbage here (debug.FreeOSMemory).
	// The engine itself leaves the garbage collector alone.
	RulesDone func()
}

// Report is the outcome of a run.
type Report struct {
	Graph    *crawler.Graph
	Rules    []*Rule     // the rules that ran, in the Engine's order
	Findings []Finding   // sorted by url, rule, source, message
	Errors   []RuleError // the rules that failed

	// Coverage is what the run looked at: Engine.Run sets it from the
	// graph's crawl (CoverageOf), and a report rebuilt from a document
	// from what the document lists. Compare reads it.
	Coverage Coverage

	// Compared says the report was compared with a baseline (Compare):
	// every finding is marked new, unchanged or unverified, and Fixed
	// holds the baseline's findings that this run no longer has.
	Compared bool
	Fixed    []Finding // sorted like Findings; Change is ChangeFixed or ChangeUnverifiedFixed
}

// Run runs every rule over g and returns the sorted findings. It reads g
// and changes nothing in it. The facts the rules share are computed once
// and dropped after the last rule that needs them (the chains after the
// coverage), before the findings are gathered into one list.
//
// The rules that read the reached URLs (Reached) run first, each group
// in the rules' order: the reached URLs are dropped before the other
// rules add their findings, which on a big site is the audit's peak of
// memory. The report lists the rules, and their errors, in the rules'
// order.
func (e *Engine) Run(g *crawler.Graph) *Report {
	rep := &Report{Graph: g, Rules: e.Rules}
	var findings findingList
	order := make([]int, 0, len(e.Rules)) // indexes in e.Rules
	for _, first := range []bool{true, false} {
		for i, r := range e.Rules {
			if needsFact(r.Needs, Reached) == first {
				order = append(order, i)
			}
		}
	}
	// The rules need their facts, and the coverage the chains.
	needs := make([][]*Fact, 0, len(order)+1)
	for _, i := range order {
		needs = append(needs, e.Rules[i].Needs)
	}
	facts := newFactSet(g, e.Expect, append(needs, []*Fact{Chains}))
	errs := make([]error, len(e.Rules))
	for k, i := range order {
		r := e.Rules[i]
		p := &Pass{Graph: g, Rule: r, Expect: e.Expect, options: e.Options[r.Name], findings: &findings, engine: e, needs: r.Needs, facts: facts}
		p.override, p.overridden = e.Severity[r.Name]
		errs[i] = run(p)
		facts.done(k)
	}
	for i, err := range errs {
		if err != nil {
			rep.Errors = append(rep.Errors, RuleError{Rule: e.Rules[i].Name, Err: err.Error()})
		}
	}
	rep.Coverage = coverage(g, facts.get(Chains).([]crawler.Chain))
	facts.done(len(e.Rules))
	if e.RulesDone != nil {
		e.RulesDone()
	}
	rep.Findings = findings.all()
	slices.SortStableFunc(rep.Findings, compareFindings)
	return rep
}

// needsFact reports whether facts, or the facts they need, include f.
func needsFact(facts []*Fact, f *Fact) bool {
	for x := range allNeeds(facts) {
		if x == f {
			return true
		}
	}
	return false
}

// compareFindings orders findings by url, rule, source and message.
func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.URL, b.URL),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Source, b.Source),
		cmp.Compare(a.Message, b.Message),
	)
}

// run calls the rule, turning a panic into an error, and a fact that
// could not be computed into its error.
func run(p *Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if fe, ok := v.(*factError); ok {
				err = fe
				return
			}
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return p.Rule.Run(p)
}

// Count is the number of findings of one rule at one severity.
type Count struct {
	Rule     string
	Severity Severity
	Count    int // findings of this run
	New      int // of them, new since the baseline (compared reports only)
	Fixed    int // baseline findings that this run no longer has (compared reports only)
	// Unverified counts, in a compared report, the findings in one run
	// only that the other run did not look at: this run's unverified
	// ones (counted in Count too) and the baseline's unverified-fixed
	// ones.
	Unverified int
}

// Summary counts the findings per rule and severity, in the report's
// rule order, most severe first within a rule. A compared report also
// counts its new, fixed and unverified findings; a fixed or
// unverified-fixed finding counts at the severity the baseline gave it,
// and a rule and severity with only such findings has a row with Count
// 0.
func (r *Report) Summary() []Count {
	order := make(map[string]int, len(r.Rules))
	for i, rule := range r.Rules {
		order[rule.Name] = i
	}
	pos := func(rule string) int { // rules the report does not list go last, by name
		if i, ok := order[rule]; ok {
			return i
		}
		return len(order)
	}
	type key struct {
		rule string
		sev  Severity
	}
	n := map[key]*Count{}
	row := func(f Finding) *Count {
		k := key{f.Rule, f.Severity}
		if n[k] == nil {
			n[k] = &Count{Rule: f.Rule, Severity: f.Severity}
		}
		return n[k]
	}
	for _, f := range r.Findings {
		c := row(f)
		c.Count++
		switch f.Change {
		case ChangeNew:
			c.New++
		case ChangeUnverified:
			c.Unverified++
		}
	}
	for _, f := range r.Fixed {
		if c := row(f); f.Change == ChangeUnverifiedFixed {
			c.Unverified++
		} else {
			c.Fixed++
		}
	}
	out := make([]Count, 0, len(n))
	for _, c := range n {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(pos(a.Rule), pos(b.Rule)), cmp.Compare(a.Rule, b.Rule), cmp.Compare(b.Severity, a.Severity))
	})
	return out
}

// AtLeast counts the findings at severity s or above.
func (r *Report) AtLeast(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= s {
			n++
		}
	}
	return n
}
