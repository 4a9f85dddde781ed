package rules

import (
	"fmt"
	"iter"
	"slices"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// This file holds what the reference, hop and chain rules of the second
// half of the catalogue (meta-refresh to redirect-target-not-indexable)
// share: the hops the crawl reached, the references whose target
// redirects, and how a chain ends. The page to name as a finding's source
// is audit.Pass.Source.

// reachedHop is a redirect that some entry URL's chain passes through;
// its URL is the response's, the graph's key for it.
type reachedHop struct {
	crawler.Hop
	// Source is the smallest non-empty source among the references to
	// the entry URLs of the chains through this hop.
	Source string
}

// reachedHops yields every hop of every chain, once per URL that
// answered with it, ordered by that URL (audit.Pass.Reached). It needs
// fact audit.Reached.
func reachedHops(p *audit.Pass) iter.Seq[reachedHop] {
	return func(yield func(reachedHop) bool) {
		for _, x := range p.Reached() {
			if x.Hop != nil && !yield(reachedHop{Hop: *x.Hop, Source: x.Source}) {
				return
			}
		}
	}
}

// redirectRef stands for the references from one source to one URL that
// starts a redirect chain.
type redirectRef struct {
	Source string
	URL    string
	Texts  []string // the references' distinct non-empty texts, sorted
	Chain  *crawler.Chain
}

// redirectRefs yields, once per (source, target) pair, the references
// that keep accepts and whose target starts a chain, ordered by target,
// then source. It needs facts audit.Inbound and audit.Chains.
func redirectRefs(p *audit.Pass, keep func(crawler.Reference) bool) iter.Seq[redirectRef] {
	return func(yield func(redirectRef) bool) {
		chains := p.Chains() // one per target that starts a chain, in the targets' order
		for i := range chains {
			c := &chains[i]
			target := c.URL()
			// r is the pair being gathered; r.URL is "" until one is kept.
			r := redirectRef{Chain: c}
			for _, ref := range p.Inbound(target) { // ordered by source
				if !keep(ref) {
					continue
				}
				if r.URL != "" && r.Source != ref.Source {
					slices.Sort(r.Texts)
					if !yield(r) {
						return
					}
					r = redirectRef{Chain: c}
				}
				r.Source, r.URL = ref.Source, target
				if ref.Text != "" && !slices.Contains(r.Texts, ref.Text) {
					r.Texts = append(r.Texts, ref.Text)
				}
			}
			if r.URL != "" {
				slices.Sort(r.Texts)
				if !yield(r) {
					return
				}
			}
		}
	}
}

// refKinds returns a filter for redirectRefs that keeps references of
// the given kinds.
func refKinds(kinds ...crawler.RefKind) func(crawler.Reference) bool {
	return func(ref crawler.Reference) bool { return slices.Contains(kinds, ref.Kind) }
}

// chainBroken reports whether a chain leads nowhere usable: in a loop,
// with no end within crawler.MaxHops, or to an error (endsInError).
func chainBroken(c *crawler.Chain) bool {
	return c.End == crawler.EndLoop || c.End == crawler.EndTooLong || endsInError(c)
}

// endsInError reports whether a chain ends on an error (answersError):
// broken-redirect's test, and broken-link's for a reference into a
// chain. Loops and chains with no end are redirect-loop's and
// redirect-chain-too-long's; a robots-blocked or unfetched end is not
// broken: nothing is known against it.
func endsInError(c *crawler.Chain) bool {
	return (c.End == crawler.EndFinal || c.End == crawler.EndError) && c.Final != nil && answersError(c.Final.Answer())
}

// answersError reports whether a response is an error: a 4xx or 5xx
// but 429 (the server asks to come back later), or a request that
// failed before an answer or while reading it. A request the address
// guard refused was never made: nothing is known.
func answersError(a crawler.Answer) bool {
	switch {
	case a.Blocked || a.Refused:
		return false
	case a.Status >= 400 && a.Status < 600:
		return a.Status != 429
	}
	return a.Error && a.Status < 300
}

// unfinishedNote is what a message says of a chain the crawl did not
// follow to its end (see unfinished).
const unfinishedNote = "the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown"

// unfinished reports whether the crawl did not follow chain c to its
// end: the URL its last hop sends the client to was not fetched (out of
// scope with --no-external, over --max-pages, or the crawl was cut
// short). Its FinalURL is then only where the crawl stopped, and its
// Final is nil: no advice may name that URL as where the chain ends, and
// no finding may rest on what the end answers.
func unfinished(c *crawler.Chain) bool { return c.End == crawler.EndUnfetched }

// finalTarget returns the target of a finding about chain c: the URL
// where the chain ends, or "" when the crawl did not follow it to its
// end.
func finalTarget(c *crawler.Chain) string {
	if unfinished(c) {
		return ""
	}
	return c.FinalURL()
}

// redirectsTo says, for a message, where a chain's last hop sends the
// client: "redirects to URL", with the hop count when there are
// several.
func redirectsTo(c *crawler.Chain) string {
	s := "redirects to " + c.FinalURL()
	if len(c.Hops) > 1 {
		s += " in " + plural(len(c.Hops), "hop")
	}
	return s
}

// describeChain says, for a message, where a chain leads: "redirects to
// URL", the hop count when there are several, and how the chain ends
// when that is not an ordinary response. Of an unfinished chain it says
// so (unfinishedNote): a rule that describes one adds no advice that
// depends on its end.
func describeChain(c *crawler.Chain) string {
	switch c.End {
	case crawler.EndLoop:
		return fmt.Sprintf("redirects in a loop (back to %s after %s)", c.FinalURL(), plural(len(c.Hops), "hop"))
	case crawler.EndTooLong:
		return fmt.Sprintf("redirects more than %d times", len(c.Hops))
	case crawler.EndUnfetched:
		return redirectsTo(c) + "; " + unfinishedNote
	}
	s := redirectsTo(c)
	switch {
	case c.End == crawler.EndBlocked:
		s += ", which robots.txt disallows"
	case c.End == crawler.EndError || c.Final == nil || c.Final.Status == 0:
		s += ", which fails to load"
	case c.Final.Status < 200 || c.Final.Status >= 300:
		s += fmt.Sprintf(", which answers %d", c.Final.Status)
	}
	return s
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
