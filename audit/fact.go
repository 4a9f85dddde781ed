package audit

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"

	"github.com/hopaudit/hopaudit/crawler"
)

// Fact is data derived from the crawl graph that several rules read,
// such as the redirect chains. A rule declares the facts it reads in
// Rule.Needs and reads them through its Pass (Pass.Chains,
// Pass.ResultOf, ...); a rule that asks for a fact it did not declare
// panics, so that the declarations stay true. The engine computes a fact
// once per run, when a rule that needs it first asks for it, and drops
// it once the last rule that needs it has run. Anchor: go/analysis's
// Analyzer.Requires and Pass.ResultOf.
type Fact struct {
	Name  string  // kebab-case; names the fact in messages
	Doc   string  // what the fact holds
	Needs []*Fact // the facts Compute asks for
	// Compute derives the fact from p.Graph, p.Expect and the facts it
	// needs, and changes none of them. p runs no rule: it has no options
	// and reports nothing. An error fails every rule that asks for the
	// fact.
	Compute func(p *Pass) (any, error)
}

// The facts most rules read. Each has its own Pass method.
var (
	// Entries are the distinct targets of all references, sorted
	// (crawler.Graph.Entries): Pass.Entries.
	Entries = &Fact{Name: "entries", Doc: "the distinct targets of all references, sorted", Compute: func(p *Pass) (any, error) {
		return p.Graph.Entries(), nil
	}}
	// Chains are the redirect chains the entries start, ordered by entry
	// URL (crawler.Graph.Chains): Pass.Chains and Pass.ChainOf.
	Chains = &Fact{Name: "chains", Doc: "the redirect chains the entries start, by entry URL", Compute: func(p *Pass) (any, error) {
		return p.Graph.Chains(), nil
	}}
	// Inbound is the graph's references checked to be in their order
	// (crawler.CompareReferences), so that the references to one URL are
	// found by searching them: Pass.Inbound and Pass.Source. A graph whose
	// references are out of order fails the rules that ask for it.
	Inbound = &Fact{Name: "inbound", Doc: "the references to each URL", Compute: computeInbound}
	// Reached are the URLs reached from the entries that redirect or try
	// to: Pass.Reached.
	Reached = &Fact{Name: "reached", Doc: "the URLs reached from the entries that redirect or try to, by URL",
		Needs: []*Fact{Entries, Chains, Inbound}, Compute: computeReached}
)

// ResultOf returns fact f, computed once per run. It panics when the
// rule (or fact) of p does not declare f in its Needs.
func (p *Pass) ResultOf(f *Fact) any {
	if !slices.Contains(p.needs, f) {
		panic(fmt.Sprintf("%s asks for fact %q without declaring it in its Needs", p.who(), f.Name))
	}
	return p.facts.get(f)
}

// who names what p runs, for messages.
func (p *Pass) who() string {
	switch {
	case p.fact != nil:
		return "fact " + p.fact.Name
	case p.Rule != nil:
		return "rule " + p.Rule.Name
	}
	return "a pass of no rule"
}

// Entries returns the distinct targets of all references (start URLs,
// sitemap entries and URLs referenced from pages), sorted. It needs
// fact Entries.
func (p *Pass) Entries() []string { return p.ResultOf(Entries).([]string) }

// Chains returns, for each entry URL that redirects, the chain it
// starts, ordered by entry URL. It needs fact Chains.
func (p *Pass) Chains() []crawler.Chain { return p.ResultOf(Chains).([]crawler.Chain) }

// ChainOf returns the chain that starts at entry URL u, or nil when u is
// not an entry URL that redirects. It needs fact Chains. A rule that asks
// for URLs in order, as most walk the entries, is served fastest (see
// searchFrom).
func (p *Pass) ChainOf(u string) *crawler.Chain {
	chains := p.Chains()
	p.chainAt = searchFrom(len(chains), u, p.chainAt, func(i int) string { return chains[i].URL() })
	if p.chainAt < len(chains) && chains[p.chainAt].URL() == u {
		return &chains[p.chainAt]
	}
	return nil
}

// Inbound returns the references whose target is the normalised URL u,
// ordered by source, kind and text. They are the graph's own: read
// them, never change them. It needs fact Inbound. A rule that asks for
// URLs in order, as most walk the chains or entries, is served fastest.
func (p *Pass) Inbound(u string) []crawler.Reference {
	refs := p.ResultOf(Inbound).(references)
	p.inboundAt = searchFrom(len(refs), u, p.inboundAt, func(i int) string { return refs[i].Target })
	return refs.to(u, p.inboundAt)
}

// Source returns the page or sitemap to name as the source of a finding
// about URL u: the smallest non-empty source among the references to u
// from other pages (a page's skip link to itself names no source), so
// that the choice does not depend on crawl order; "" when only start
// URLs and u itself reference u. It needs fact Inbound.
func (p *Pass) Source(u string) string {
	src := ""
	for _, ref := range p.Inbound(u) {
		if ref.Source != "" && ref.Source != u && (src == "" || ref.Source < src) {
			src = ref.Source
		}
	}
	return src
}

// Reached returns every URL reached from an entry point that redirects
// or tries to, once each, ordered by URL (see Reach). It needs fact
// Reached.
func (p *Pass) Reached() []Reach { return p.ResultOf(Reached).([]Reach) }

// references are a graph's references in their order
// (crawler.CompareReferences).
type references []crawler.Reference

// to returns the references whose target is u, the first of which is
// refs[i] if there is one (see searchFrom).
func (refs references) to(u string, i int) []crawler.Reference {
	j := i
	for j < len(refs) && refs[j].Target == u {
		j++
	}
	return refs[i:j:j]
}

// searchFrom returns the first index of a sorted list of n keys whose
// key is not before u, searching from a guess: the index it gave for the
// URL asked for before. The rules ask for URLs in order, mostly: from
// the guess on, it looks 1, 2, 4... keys ahead and searches the last
// step alone, which is a few comparisons for a URL close to the last one
// where a search of all the keys is about twenty, each a cache miss on a
// big site. A URL before the guess is searched for before it.
func searchFrom(n int, u string, guess int, key func(i int) string) int {
	lo := min(guess, n)
	if lo > 0 && key(lo-1) >= u {
		return sort.Search(lo, func(i int) bool { return key(i) >= u })
	}
	// Every key before lo is before u.
	hi := lo
	for step := 1; hi < n && key(hi) < u; step *= 2 {
		lo, hi = hi+1, hi+step
	}
	hi = min(hi, n)
	return lo + sort.Search(hi-lo, func(i int) bool { return key(lo+i) >= u })
}

// computeInbound checks that the graph's references are in their order:
// a crawl keeps them so, and a graph built otherwise must sort them
// (crawler.SortReferences), or searching them would miss some.
func computeInbound(p *Pass) (any, error) {
	refs := p.Graph.References
	for i := 1; i < len(refs); i++ {
		if crawler.CompareReferences(refs[i-1], refs[i]) > 0 {
			return nil, fmt.Errorf("the graph's references are out of order (see crawler.SortReferences): the reference to %s from %q comes before that to %s from %q",
				refs[i-1].Target, refs[i-1].Source, refs[i].Target, refs[i].Source)
		}
	}
	return references(refs), nil
}

// Reach is one URL the crawl reached from its entry points that
// redirects or tries to: an entry URL itself, or a URL in the chain an
// entry URL starts. Its URL has a response in the graph (a URL that was
// not fetched redirects nowhere): a rule that reads more than its gist
// and its hop looks it up (crawler.Graph.Lookup, or the part it reads:
// Graph.Redirect, Graph.Header).
type Reach struct {
	URL     string
	Answer  crawler.Answer // the gist of its response
	Hop     *crawler.Hop   // how it redirects; nil when it tries to and leads nowhere
	Entries []string       // the entry URLs it is reached from, sorted
	// Source is the page or sitemap to name for a finding about the URL:
	// the smallest non-empty source among the references to its entry
	// URLs, so that the choice does not depend on crawl order; "" when
	// only start URLs lead to it.
	Source string
}

// computeReached returns every URL reached from an entry point that
// redirects or tries to, once each, ordered by URL: every hop of the
// chain an entry starts, and every entry or final URL whose response has
// a Redirect (a 3xx answer, or a Location field) though it leads
// nowhere. A URL answers the same way in every chain, so one record per
// URL is all there is to see. Plain answers, and responses no entry point
// reaches (robots.txt, sitemaps), are left out: the rules look at
// redirects one by one, and at the rest in bulk.
func computeReached(p *Pass) (any, error) {
	g, entries := p.Graph, p.Entries()
	// walk calls f for every URL entry k reaches that redirects or tries
	// to: the entry, or the hops and final URL of the chain it starts.
	walk := func(f func(u string, h *crawler.Hop, k int)) {
		for k, e := range entries {
			c := p.ChainOf(e)
			if c == nil {
				if a, ok := g.Answer(e); ok && a.Redirect {
					f(e, nil, k)
				}
				continue
			}
			for i := range c.Hops {
				f(c.Hops[i].URL, &c.Hops[i], k)
			}
			if c.Final != nil && c.Final.Redirect != nil {
				f(c.FinalURL(), nil, k)
			}
		}
	}
	// Two walks: the first numbers the URLs, so that the list is made at
	// its size.
	index := make(map[string]int, len(entries))
	walk(func(u string, _ *crawler.Hop, _ int) {
		if _, ok := index[u]; !ok {
			index[u] = len(index)
		}
	})
	reached := make([]Reach, len(index))
	src, srcOf := "", -1
	walk(func(u string, h *crawler.Hop, k int) {
		x := &reached[index[u]]
		if x.URL == "" {
			x.URL = u
			x.Answer, _ = g.Answer(u)
		}
		if x.Hop == nil && h != nil {
			x.Hop = h
		}
		// Entries come in order and a chain holds a URL at most twice (a
		// loop's last URL): comparing with the last one keeps the list
		// sorted and free of repeats. A first entry takes no memory: the
		// list is then a slice of entries, whose capacity of one makes a
		// second entry copy it.
		switch n := len(x.Entries); {
		case n == 0:
			x.Entries = entries[k : k+1 : k+1]
		case x.Entries[n-1] != entries[k]:
			x.Entries = append(x.Entries, entries[k])
		}
		if k != srcOf {
			src, srcOf = p.Source(entries[k]), k
		}
		if src != "" && (x.Source == "" || src < x.Source) {
			x.Source = src
		}
	})
	slices.SortFunc(reached, func(a, b Reach) int { return cmp.Compare(a.URL, b.URL) })
	return reached, nil
}

// factSet holds the facts of one run: it computes each on first ask and
// drops it after its last consumer.
type factSet struct {
	g      *crawler.Graph
	expect map[string]string
	held   map[*Fact]*factResult
	last   map[*Fact]int // the last consumer that needs each fact, itself or through another fact
}

// factResult is a fact as computed.
type factResult struct {
	v         any
	err       error
	computing bool
}

// factError is a fact that could not be computed: a rule that asks for
// it fails with it.
type factError struct {
	fact *Fact
	err  error
}

func (e *factError) Error() string { return "fact " + e.fact.Name + ": " + e.err.Error() }
func (e *factError) Unwrap() error { return e.err }

// newFactSet returns the facts of a run over g whose consumers (the
// rules, in the order they run, then the engine itself) need the given
// facts.
func newFactSet(g *crawler.Graph, expect map[string]string, consumers [][]*Fact) *factSet {
	s := &factSet{g: g, expect: expect, held: map[*Fact]*factResult{}, last: map[*Fact]int{}}
	for i, needs := range consumers {
		for f := range allNeeds(needs) {
			s.last[f] = i
		}
	}
	return s
}

// allNeeds yields facts and the facts they need, each once: a fact may
// need itself (get fails it then).
func allNeeds(facts []*Fact) iter.Seq[*Fact] {
	return func(yield func(*Fact) bool) {
		seen := map[*Fact]bool{}
		var walk func([]*Fact) bool
		walk = func(fs []*Fact) bool {
			for _, f := range fs {
				if seen[f] {
					continue
				}
				seen[f] = true
				if !yield(f) || !walk(f.Needs) {
					return false
				}
			}
			return true
		}
		walk(facts)
	}
}

// get returns fact f, computing it on first ask. It panics with a
// *factError when f could not be computed.
func (s *factSet) get(f *Fact) any {
	r := s.held[f]
	switch {
	case r == nil:
		r = &factResult{computing: true}
		s.held[f] = r
		r.v, r.err = s.compute(f)
		r.computing = false
	case r.computing:
		panic(&factError{f, errors.New("it needs itself")})
	}
	if r.err != nil {
		panic(&factError{f, r.err})
	}
	return r.v
}

// compute runs f's Compute, turning a panic into an error.
func (s *factSet) compute(f *Fact) (v any, err error) {
	defer func() {
		if x := recover(); x != nil {
			if fe, ok := x.(*factError); ok {
				err = fe // a fact f needs failed
				return
			}
			err = fmt.Errorf("panic: %v", x)
		}
	}()
	return f.Compute(&Pass{Graph: s.g, Expect: s.expect, needs: f.Needs, facts: s, fact: f})
}

// done drops the facts whose last consumer is consumer i.
func (s *factSet) done(i int) {
	for f, l := range s.last {
		if l == i {
			delete(s.held, f)
		}
	}
}
