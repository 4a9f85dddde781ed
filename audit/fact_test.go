package audit

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

// ruleRun is a rule that needs the given facts and runs f.
func ruleRun(name string, needs []*Fact, f func(p *Pass) error) *Rule {
	return &Rule{Name: name, Severity: Warning, Needs: needs, Run: f}
}

// TestFactUndeclared: a rule that asks for a fact it does not declare
// fails with a message that says so, as does a fact that asks for one
// it does not declare; the other rules still run.
func TestFactUndeclared(t *testing.T) {
	sneaky := &Fact{Name: "sneaky", Compute: func(p *Pass) (any, error) { return len(p.Chains()), nil }}
	var ran []string
	rep := (&Engine{Rules: []*Rule{
		ruleRun("chains-undeclared", nil, func(p *Pass) error { p.Chains(); return nil }),
		ruleRun("inbound-undeclared", []*Fact{Chains}, func(p *Pass) error { p.Source("http://h.test/"); return nil }),
		ruleRun("fact-undeclared", []*Fact{sneaky}, func(p *Pass) error { p.ResultOf(sneaky); return nil }),
		ruleRun("declared", []*Fact{Chains, Entries}, func(p *Pass) error {
			ran = append(ran, p.Rule.Name)
			p.Chains()
			p.Entries()
			return nil
		}),
	}}).Run(&crawler.Graph{})
	want := []RuleError{
		{Rule: "chains-undeclared", Err: `panic: rule chains-undeclared asks for fact "chains" without declaring it in its Needs`},
		{Rule: "inbound-undeclared", Err: `panic: rule inbound-undeclared asks for fact "inbound" without declaring it in its Needs`},
		{Rule: "fact-undeclared", Err: `fact sneaky: panic: fact sneaky asks for fact "chains" without declaring it in its Needs`},
	}
	if !reflect.DeepEqual(rep.Errors, want) {
		t.Errorf("errors:\n got %q\nwant %q", rep.Errors, want)
	}
	if !reflect.DeepEqual(ran, []string{"declared"}) {
		t.Errorf("ran %q; want the rule that declares its facts", ran)
	}
}

// TestFactLifetime: the engine computes a fact once, when a rule that
// needs it first asks, keeps it while a later rule needs it, itself or
// through another fact, and drops it after the last one; a rule that
// declares a fact and does not ask for it costs nothing.
func TestFactLifetime(t *testing.T) {
	computed := map[string]int{}
	count := func(name string) func(*Pass) (any, error) {
		return func(*Pass) (any, error) { computed[name]++; return name, nil }
	}
	f := &Fact{Name: "f", Compute: count("f")}
	lazy := &Fact{Name: "lazy", Compute: count("lazy")}
	h := &Fact{Name: "h", Needs: []*Fact{f}, Compute: func(p *Pass) (any, error) {
		computed["h"]++
		return p.ResultOf(f).(string) + "h", nil
	}}
	// held lists the facts the run holds when it is called.
	var held []string
	look := func(p *Pass) {
		var names []string
		for _, x := range []*Fact{f, h, lazy} {
			if p.facts.held[x] != nil {
				names = append(names, x.Name)
			}
		}
		held = append(held, p.Rule.Name+":"+strings.Join(names, ","))
	}
	rules := []*Rule{
		ruleRun("a", []*Fact{f, lazy}, func(p *Pass) error { p.ResultOf(f); look(p); return nil }),
		ruleRun("b", nil, func(p *Pass) error { look(p); return nil }),
		ruleRun("c", []*Fact{f}, func(p *Pass) error { p.ResultOf(f); look(p); return nil }),
		ruleRun("d", []*Fact{h}, func(p *Pass) error {
			if v := p.ResultOf(h); v != "fh" {
				t.Errorf("h = %v; want fh", v)
			}
			look(p)
			return nil
		}),
		ruleRun("e", nil, func(p *Pass) error { look(p); return nil }),
	}
	rep := (&Engine{Rules: rules}).Run(&crawler.Graph{})
	if len(rep.Errors) > 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
	want := []string{"a:f", "b:f", "c:f", "d:f,h", "e:"}
	if !reflect.DeepEqual(held, want) {
		t.Errorf("facts held during each rule:\n got %q\nwant %q", held, want)
	}
	if !reflect.DeepEqual(computed, map[string]int{"f": 1, "h": 1}) {
		t.Errorf("computed %v; want f and h once, lazy never", computed)
	}
}

// TestReachedRulesFirst: the rules that read the reached URLs, or a
// fact that does, run first, in their order, and the reached URLs are
// dropped before the others run; the report lists the rules and their
// errors in the rules' order.
func TestReachedRulesFirst(t *testing.T) {
	viaReached := &Fact{Name: "via-reached", Needs: []*Fact{Reached}, Compute: func(p *Pass) (any, error) { return len(p.Reached()), nil }}
	var ran []string
	rule := func(name string, needs []*Fact, err error) *Rule {
		return ruleRun(name, needs, func(p *Pass) error {
			held := ""
			if p.facts.held[Reached] != nil {
				held = "+reached"
			}
			ran = append(ran, name+held)
			for _, f := range needs {
				p.ResultOf(f)
			}
			return err
		})
	}
	// A fact that needs itself fails the rules that ask for it (get),
	// and the order is still found.
	loop := &Fact{Name: "loop", Compute: func(*Pass) (any, error) { return nil, nil }}
	loop.Needs = []*Fact{loop}
	rules := []*Rule{
		ruleRun("loop", []*Fact{loop}, func(p *Pass) error { return nil }),
		rule("chains", []*Fact{Chains}, errors.New("first error")),
		rule("reached", []*Fact{Reached}, nil),
		rule("none", nil, errors.New("second error")),
		rule("via", []*Fact{viaReached}, errors.New("third error")),
	}
	rep := (&Engine{Rules: rules}).Run(&crawler.Graph{})
	if want := []string{"reached", "via+reached", "chains", "none"}; !reflect.DeepEqual(ran, want) {
		t.Errorf("ran %q; want %q (+reached: the reached URLs were held)", ran, want)
	}
	if !reflect.DeepEqual(rep.Rules, rules) {
		t.Errorf("the report lists rules %v; want them in their order", rep.Rules)
	}
	var failed []string
	for _, e := range rep.Errors {
		failed = append(failed, e.Rule)
	}
	if want := []string{"chains", "none", "via"}; !reflect.DeepEqual(failed, want) {
		t.Errorf("errors of %q; want %q", failed, want)
	}
}

// TestFactError: a fact that cannot be computed fails the rules that
// ask for it, and the facts that need it, with its error; it is not
// computed again, and the other rules run.
func TestFactError(t *testing.T) {
	n := 0
	broken := &Fact{Name: "broken", Compute: func(*Pass) (any, error) { n++; return nil, errors.New("no luck") }}
	above := &Fact{Name: "above", Needs: []*Fact{broken}, Compute: func(p *Pass) (any, error) { return p.ResultOf(broken), nil }}
	ok := false
	rep := (&Engine{Rules: []*Rule{
		ruleRun("one", []*Fact{broken}, func(p *Pass) error { p.ResultOf(broken); return nil }),
		ruleRun("two", []*Fact{above}, func(p *Pass) error { p.ResultOf(above); return nil }),
		ruleRun("three", []*Fact{broken}, func(p *Pass) error { p.ResultOf(broken); return nil }),
		ruleRun("fine", nil, func(*Pass) error { ok = true; return nil }),
	}}).Run(&crawler.Graph{})
	want := []RuleError{
		{Rule: "one", Err: "fact broken: no luck"},
		{Rule: "two", Err: "fact above: fact broken: no luck"},
		{Rule: "three", Err: "fact broken: no luck"},
	}
	if !reflect.DeepEqual(rep.Errors, want) {
		t.Errorf("errors:\n got %q\nwant %q", rep.Errors, want)
	}
	if n != 1 || !ok {
		t.Errorf("computed %d times, other rule ran %v; want once, and it ran", n, ok)
	}
}

// passOver runs one rule that needs the given facts over g and gives its
// pass to f.
func passOver(t *testing.T, g *crawler.Graph, needs []*Fact, f func(p *Pass)) {
	t.Helper()
	rep := (&Engine{Rules: []*Rule{ruleRun("probe", needs, func(p *Pass) error { f(p); return nil })}}).Run(g)
	for _, e := range rep.Errors {
		t.Errorf("%s: %s", e.Rule, e.Err)
	}
}

// TestInbound: the references to a URL, in their order; a graph whose
// references are out of order fails the rules that read them, loudly,
// rather than let a search miss some.
func TestInbound(t *testing.T) {
	const x, y = "http://h.test/x", "http://h.test/y"
	refs := []crawler.Reference{
		{Kind: crawler.RefSeed, Target: x},
		{Kind: crawler.RefAnchor, Source: "http://h.test/1", Target: y, Text: "first"},
		{Kind: crawler.RefAnchor, Source: "http://h.test/2", Target: x, Text: "to x"},
		{Kind: crawler.RefCanonical, Source: "http://h.test/3", Target: y},
		{Kind: crawler.RefAnchor, Source: "http://h.test/1", Target: y, Text: "again"},
	}
	unsorted := &crawler.Graph{References: refs}
	rep := (&Engine{Rules: []*Rule{ruleRun("r", []*Fact{Inbound}, func(p *Pass) error { p.Inbound(x); return nil })}}).Run(unsorted)
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Err, "fact inbound: the graph's references are out of order (see crawler.SortReferences)") {
		t.Errorf("out of order references: errors %q; want the fact's error", rep.Errors)
	}

	sorted := append([]crawler.Reference(nil), refs...)
	crawler.SortReferences(sorted)
	g := &crawler.Graph{References: sorted}
	passOver(t, g, []*Fact{Inbound}, func(p *Pass) {
		for _, tc := range []struct {
			u    string
			want []crawler.Reference
		}{
			{x, []crawler.Reference{refs[0], refs[2]}},
			{y, []crawler.Reference{refs[4], refs[1], refs[3]}},
			{"http://h.test/z", []crawler.Reference{}},
			{"http://h.test/", []crawler.Reference{}},
		} {
			if got := p.Inbound(tc.u); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Inbound(%s) = %v; want %v", tc.u, got, tc.want)
			}
		}
		// The result cannot grow into the next URL's references.
		if got := append(p.Inbound(x), crawler.Reference{}); g.References[2].Target != y || len(got) != 3 {
			t.Error("appending to Inbound's result changed the graph")
		}
	})
}

// TestSourceIsAnotherPage: a finding's source is a page that references
// the URL, never the URL itself (a skip link, #main, on a page that
// redirects with a script or a refresh).
func TestSourceIsAnotherPage(t *testing.T) {
	const a, b, self = "http://site.test/a", "http://site.test/b", "http://site.test/moved"
	for _, tc := range []struct {
		refs []crawler.Reference
		want string
	}{
		{[]crawler.Reference{
			{Kind: crawler.RefAnchor, Source: self, Target: self},
			{Kind: crawler.RefAnchor, Source: b, Target: self},
			{Kind: crawler.RefAnchor, Source: "http://site.test/c", Target: self},
			{Kind: crawler.RefSeed, Target: self},
		}, b},
		{[]crawler.Reference{{Kind: crawler.RefAnchor, Source: self, Target: self}, {Kind: crawler.RefAnchor, Source: a, Target: b}}, ""},
	} {
		crawler.SortReferences(tc.refs)
		passOver(t, &crawler.Graph{References: tc.refs}, []*Fact{Inbound}, func(p *Pass) {
			if got := p.Source(self); got != tc.want {
				t.Errorf("Source = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestChainOf: the chain an entry URL starts, found among the chains;
// nil for a URL that is no entry or does not redirect.
func TestChainOf(t *testing.T) {
	const a, b, c, d = "http://h.test/a", "http://h.test/b", "http://h.test/c", "http://h.test/d"
	redirect := func(u string, status int, to string) *crawler.Response {
		return &crawler.Response{URL: u, Status: status, Redirect: &crawler.Redirect{Locations: []string{to}, Location: to}}
	}
	g := &crawler.Graph{
		References: []crawler.Reference{
			{Kind: crawler.RefSeed, Target: a},
			{Kind: crawler.RefSeed, Target: "http://h.test/block"},
			{Kind: crawler.RefAnchor, Source: a, Target: c},
			{Kind: crawler.RefSeed, Target: d},
			{Kind: crawler.RefSeed, Target: "http://h.test/unfetched"},
		},
	}
	g.Add(redirect(a, 301, b), redirect(b, 302, c), &crawler.Response{URL: c, Status: 200}, redirect(d, 307, c),
		redirect("http://h.test/orphan", 301, c), &crawler.Response{URL: "http://h.test/block", Blocked: true})
	passOver(t, g, []*Fact{Chains}, func(p *Pass) {
		chains := p.Chains()
		if len(chains) != 2 || chains[0].URL() != a || chains[1].URL() != d {
			t.Fatalf("chains %+v; want those of %s and %s", chains, a, d)
		}
		for u, want := range map[string]*crawler.Chain{
			a: &chains[0], d: &chains[1],
			b: nil, c: nil, "http://h.test/orphan": nil, "http://h.test/block": nil, "http://h.test/unfetched": nil, "http://h.test/": nil,
		} {
			if got := p.ChainOf(u); got != want {
				t.Errorf("ChainOf(%s) = %p; want %p", u, got, want)
			}
		}
	})
}

// TestFactPassIsNoRule: the pass a fact is computed with reports nothing
// and has no options.
func TestFactPassIsNoRule(t *testing.T) {
	for name, compute := range map[string]func(*Pass) (any, error){
		"reports": func(p *Pass) (any, error) { p.Reportf(Finding{}, "x"); return nil, nil },
		"options": func(p *Pass) (any, error) { return p.Int("n"), nil },
	} {
		f := &Fact{Name: name, Compute: compute}
		rep := (&Engine{Rules: []*Rule{ruleRun("r", []*Fact{f}, func(p *Pass) error { p.ResultOf(f); return nil })}}).Run(&crawler.Graph{})
		if len(rep.Errors) != 1 || !strings.HasPrefix(rep.Errors[0].Err, "fact "+name+": panic: fact "+name+" ") || len(rep.Findings) != 0 {
			t.Errorf("%s: errors %q, findings %v; want the fact to fail", name, rep.Errors, rep.Findings)
		}
	}
}

// TestRunLeavesGraph: the engine reads the graph, computes what the
// rules share apart from it, and changes nothing in it.
func TestRunLeavesGraph(t *testing.T) {
	const a, b, c = "http://h.test/a", "http://h.test/b", "http://h.test/c"
	graph := func() *crawler.Graph {
		g := &crawler.Graph{
			References: []crawler.Reference{{Kind: crawler.RefSeed, Target: a}, {Kind: crawler.RefAnchor, Source: c, Target: a}},
			Stats:      crawler.Stats{Fetched: 3, Cancelled: true},
		}
		g.Add(&crawler.Response{URL: a, Status: 301, Redirect: &crawler.Redirect{Locations: []string{b}, Location: b}},
			&crawler.Response{URL: b, Status: 302, Redirect: &crawler.Redirect{Locations: []string{c}, Location: c}},
			&crawler.Response{URL: c, Status: 200})
		return g
	}
	g := graph()
	all := []*Fact{Entries, Chains, Inbound, Reached}
	var chains []crawler.Chain // the facts' responses are made from the graph: they must not change either
	rep := (&Engine{Rules: []*Rule{ruleRun("all", all, func(p *Pass) error {
		chains = p.Chains()
		if len(p.Entries()) != 1 || len(p.Chains()) != 1 || p.ChainOf(a) == nil || p.Source(a) != c || len(p.Reached()) != 2 {
			t.Errorf("facts: entries %q, chains %d, reached %d", p.Entries(), len(p.Chains()), len(p.Reached()))
		}
		p.Reportf(Finding{URL: a}, "seen")
		return nil
	})}}).Run(g)
	if len(rep.Errors) > 0 || len(rep.Findings) != 1 || !rep.Coverage.Partial {
		t.Fatalf("report: %+v", rep)
	}
	if !reflect.DeepEqual(g, graph()) {
		t.Error("the run changed its graph")
	}
	if !reflect.DeepEqual(chains, g.Chains()) {
		t.Errorf("the run changed the responses of its chains: %+v", chains)
	}
}

// TestRulesDone: the engine calls its hook once, after the rules and
// before the findings are gathered, and leaves the rest to the caller.
func TestRulesDone(t *testing.T) {
	var order []string
	e := &Engine{Rules: []*Rule{
		ruleRun("a", []*Fact{Chains}, func(p *Pass) error { order = append(order, "a"); p.Reportf(Finding{URL: "/x"}, "x"); return nil }),
		ruleRun("b", nil, func(*Pass) error { order = append(order, "b"); return nil }),
	}}
	e.RulesDone = func() { order = append(order, "done") }
	rep := e.Run(&crawler.Graph{})
	if !reflect.DeepEqual(order, []string{"a", "b", "done"}) || len(rep.Findings) != 1 {
		t.Errorf("order %q, %d findings; want the hook once after the rules, and the finding", order, len(rep.Findings))
	}
}

// TestSearchFrom: searching the references from any guess finds what a
// search of them all finds, for URLs among the targets, between them,
// before the first and after the last, asked in order and out of it;
// and the references to a URL are those from where it was found.
func TestSearchFrom(t *testing.T) {
	var refs references
	for _, target := range []string{"b", "d", "d", "d", "f", "h", "h", "j", "l", "l", "n", "p", "r", "t", "v", "x"} {
		refs = append(refs, crawler.Reference{Target: target, Source: "s"})
	}
	target := func(i int) string { return refs[i].Target }
	for _, u := range []string{"a", "b", "c", "d", "e", "h", "i", "l", "x", "y", "z"} {
		want := 0
		for want < len(refs) && refs[want].Target < u {
			want++
		}
		for guess := 0; guess <= len(refs)+1; guess++ {
			if got := searchFrom(len(refs), u, guess, target); got != want {
				t.Errorf("searchFrom(%q, guess %d) = %d, want %d", u, guess, got, want)
			}
		}
		n := 0
		for _, r := range refs {
			if r.Target == u {
				n++
			}
		}
		if got := refs.to(u, want); len(got) != n || n > 0 && got[0].Target != u {
			t.Errorf("to(%q) = %d references, want %d", u, len(got), n)
		}
	}
	if got := searchFrom(0, "a", 3, target); got != 0 {
		t.Errorf("search of no keys = %d, want 0", got)
	}
}
