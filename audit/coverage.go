package audit

import (
	"slices"

	"github.com/hopaudit/hopaudit/crawler"
)

// Coverage says which URLs a run looked at, so that a comparison of two
// runs knows which differences it can vouch for. A run that finished
// looked at every URL it could reach. A run cut short (cancelled,
// stopped by --max-pages, or by a site that became unreachable; see
// crawler.Stats.Partial) looked only at the URLs it lists: a finding it
// lacks on any other URL may simply not have been looked for.
type Coverage struct {
	Partial bool
	// URLs are, for a partial run, the URLs it got an answer from (see
	// answered) and the sitemaps it read, sorted and distinct. A partial
	// run with none (a report written before the list existed) looked at
	// no URL that can be named.
	URLs []string
	// Unread are, for any run, the URLs it requested but did not learn
	// about: those that failed after their retries (a site down for longer
	// than the retries last), and every URL of a redirect chain it did
	// not follow to its end. Sorted and distinct. A finding that names one
	// is neither new nor fixed, whatever else the run looked at.
	Unread []string
}

// CoverageOf returns what the crawl of g looked at: everything for a
// crawl that finished, else the URLs it got an answer from and the
// sitemaps it read.
func CoverageOf(g *crawler.Graph) Coverage {
	if g == nil {
		return Coverage{}
	}
	return coverage(g, g.Chains())
}

// coverage is CoverageOf with g's chains (crawler.Graph.Chains).
func coverage(g *crawler.Graph, chains []crawler.Chain) Coverage {
	var unread []string
	for u, a := range g.Answers() {
		if !answered(a) {
			unread = append(unread, u)
		}
	}
	for _, c := range chains {
		if c.End == crawler.EndUnfetched {
			for _, h := range c.Hops {
				unread = append(unread, h.URL)
			}
		}
	}
	slices.Sort(unread)
	unread = slices.Compact(unread)
	if !g.Stats.Partial() {
		return Coverage{Unread: unread}
	}
	urls := make([]string, 0, g.Len()+len(g.Sitemaps))
	for u, a := range g.Answers() {
		if answered(a) {
			urls = append(urls, u)
		}
	}
	for _, s := range g.Sitemaps {
		if s.Error == "" && answeredStatus(s.Status) {
			urls = append(urls, s.URL)
		}
	}
	slices.Sort(urls)
	return Coverage{Partial: true, URLs: slices.Compact(urls), Unread: unread}
}

// answered reports whether a crawl learnt what a URL answers: a status
// without an error (see answeredStatus), or a robots.txt block. A
// network error, a 429 or a 5xx (or a block because robots.txt failed
// so) says nothing about the URL itself: a site that is down answers so,
// which is one way a crawl is cut short.
func answered(a crawler.Answer) bool {
	return !a.Error && (a.Blocked || answeredStatus(a.Status))
}

// answeredStatus reports whether a status says what a URL answers when
// its site is up: any status but 0 (none), 429 and 5xx.
func answeredStatus(status int) bool {
	return status > 0 && status < 500 && status != 429
}

// Has reports whether the run looked at the normalised URL u.
func (c Coverage) Has(u string) bool {
	if _, unread := slices.BinarySearch(c.Unread, u); unread {
		return false
	}
	if !c.Partial {
		return true
	}
	_, ok := slices.BinarySearch(c.URLs, u)
	return ok
}

// covers reports whether the run looked at everything finding f names:
// its URL, its source and its target. Only then does the run having or
// lacking the finding say something: a rule's finding about a link, a
// chain or a hop rests on all three.
func (c Coverage) covers(f Finding) bool {
	return c.Has(f.URL) && (f.Source == "" || c.Has(f.Source)) && (f.Target == "" || c.Has(f.Target))
}
