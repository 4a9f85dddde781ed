package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/crawler"
)

// This file holds what the hop, response and chain rules of the first
// half of the catalogue (temporary-redirect to https-downgrade) share:
// every URL the crawl reached from an entry point, which page to name as
// a finding's source, and how to write a chain in a message. They also
// use entrySource, plural and inScope from refs.go.

// reached is one URL the crawl reached from its entry points: an entry
// URL itself, or a URL in the chain an entry URL starts.
type reached struct {
	URL      string
	Response *crawler.Response // nil when the URL was not fetched
	Hop      *crawler.Hop      // how it redirects; nil when it redirects nowhere
	Entries  []string          // the entry URLs it is reached from, sorted
}

// reachedURLs returns every URL reached from an entry point, once each,
// ordered by URL: the entries, and the hops and final URL of the chain
// each entry starts. A URL answers the same way in every chain, so one
// record per URL is all there is to see. Responses no entry point
// reaches (robots.txt, sitemaps) are left out.
func reachedURLs(g *crawler.Graph) []*reached {
	byURL := map[string]*reached{}
	var out []*reached
	add := func(u string, r *crawler.Response, h *crawler.Hop, entry string) {
		x := byURL[u]
		if x == nil {
			x = &reached{URL: u, Response: r}
			byURL[u] = x
			out = append(out, x)
		}
		if x.Hop == nil && h != nil {
			x.Hop = h
		}
		// Entries are visited in order and each chain holds a URL at most
		// twice (a loop's last URL), so comparing with the last one
		// keeps the list sorted and free of repeats.
		if n := len(x.Entries); n == 0 || x.Entries[n-1] != entry {
			x.Entries = append(x.Entries, entry)
		}
	}
	for _, e := range g.Entries() {
		c := g.ChainOf(e)
		if c == nil {
			add(e, g.Lookup(e), nil, e)
			continue
		}
		for i := range c.Hops {
			add(hopURL(c, i), c.Hops[i].Response, &c.Hops[i], e)
		}
		add(c.FinalURL, c.Final, nil, e)
	}
	slices.SortFunc(out, func(a, b *reached) int { return cmp.Compare(a.URL, b.URL) })
	return out
}

// source returns the page or sitemap to name as the source of a finding
// about x: the smallest non-empty source among the references to the
// entry URLs x is reached from (as reachedHops in refs.go chooses), or
// "" when only seeds lead to it.
func (x *reached) source(g *crawler.Graph) string {
	src := ""
	for _, e := range x.Entries {
		if s := entrySource(g, e); s != "" && (src == "" || s < src) {
			src = s
		}
	}
	return src
}

// hopURL returns the normalised URL that answered hop i of c: the entry
// URL, then each hop's target. It is the key of the response in the
// graph, whatever the response's own URL field says.
func hopURL(c *crawler.Chain, i int) string {
	if i == 0 {
		return c.URL
	}
	return c.Hops[i-1].Target
}

// chainPath writes a chain for a message: each URL with its status, the
// way it redirects when that is a refresh, and how the chain ends:
// "301 http://a/ > 302 http://b/ > 200 http://c/".
func chainPath(c *crawler.Chain) string {
	var b strings.Builder
	for i, h := range c.Hops {
		if i > 0 {
			b.WriteString(" > ")
		}
		fmt.Fprintf(&b, "%d %s", h.Status, hopURL(c, i))
		switch h.Kind {
		case crawler.HopMetaRefresh:
			b.WriteString(" (meta refresh)")
		case crawler.HopRefreshHeader:
			b.WriteString(" (Refresh header)")
		}
	}
	if len(c.Hops) > 0 {
		b.WriteString(" > ")
	}
	b.WriteString(chainEnd(c))
	return b.String()
}

// chainEnd writes the last URL of a chain and how it ends.
func chainEnd(c *crawler.Chain) string {
	status := 0
	if c.Final != nil {
		status = c.Final.Status
	}
	switch {
	case c.End == crawler.EndLoop:
		return "back to " + c.FinalURL
	case c.End == crawler.EndBlocked:
		return c.FinalURL + " (blocked by robots.txt)"
	case c.End == crawler.EndUnfetched || c.Final == nil:
		return c.FinalURL + " (not fetched)"
	case c.End == crawler.EndTooLong:
		return fmt.Sprintf("%d %s (not followed further)", status, c.FinalURL)
	case status == 0:
		return c.FinalURL + " (network error)"
	}
	return fmt.Sprintf("%d %s", status, c.FinalURL)
}
