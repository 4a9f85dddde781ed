package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// RedirectLoop flags redirect chains that come back to a URL they
// already passed, once per loop.
var RedirectLoop = &audit.Rule{
	Name:     "redirect-loop",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Redirects run in a loop",
		Text: "A redirect chain comes back to a URL it already passed, so it never ends: a URL " +
			"that redirects to itself (often through a fragment, /a to /a#top, or a cookie the " +
			"client does not keep), or URLs that redirect to each other. Browsers stop and show " +
			"an error (RFC 9110 §15.4: a client SHOULD detect cyclical redirects; Fetch standard: " +
			"at most 20 redirects), and Googlebot, which keeps no cookies, reports a redirect " +
			"error: the URL drops out of search. " +
			"Each loop is reported once, at an entry URL that leads into it: one that is part of " +
			"the loop if any, else the first by URL; the message names the other entry URLs that " +
			"lead into the same loop (their links are dead too). Hops counts the redirects of the " +
			"reported entry's chain, up to the repeated URL. Loops through a delayed refresh (a " +
			"slideshow) are not flagged: visitors see that page. Every entry URL the site " +
			"references is checked, also on other sites. " +
			"Fix: make one URL of the loop answer 200, or point every redirect of the loop at the " +
			"final page. Sources: RFC 9110 §15.4; Fetch standard, HTTP-redirect fetch " +
			"(fetch.spec.whatwg.org); Google Search Central, HTTP status codes troubleshooting " +
			"(developers.google.com/crawling/docs/troubleshooting/http-status-codes).",
	},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound},
	Run:   runRedirectLoop,
}

func runRedirectLoop(p *audit.Pass) error {
	type loop struct {
		members map[string]bool
		chains  []*crawler.Chain // in entry order
	}
	byKey := map[string]*loop{}
	var keys []string
	chains := p.Chains()
	for i := range chains {
		c := &chains[i]
		if c.End != crawler.EndLoop {
			continue
		}
		start := loopStart(c)
		if start < 0 || delayedRefreshLoop(c, start) {
			continue
		}
		members := map[string]bool{}
		key := ""
		for j := start; j < len(c.Hops); j++ {
			u := c.Hops[j].URL
			members[u] = true
			if key == "" || u < key {
				key = u
			}
		}
		l := byKey[key]
		if l == nil {
			l = &loop{members: members}
			byKey[key] = l
			keys = append(keys, key)
		}
		l.chains = append(l.chains, c)
	}
	for _, k := range keys {
		l := byKey[k]
		// Report at the first entry that is part of the loop, else at the
		// first entry leading into it.
		at := l.chains[0]
		for _, c := range l.chains {
			if l.members[c.URL()] {
				at = c
				break
			}
		}
		var others []string
		src := p.Source(at.URL())
		for _, c := range l.chains {
			if c != at {
				others = append(others, c.URL())
			}
		}
		if src == "" {
			for _, u := range others {
				if s := p.Source(u); s != "" && (src == "" || s < src) {
					src = s
				}
			}
		}
		f := audit.Finding{URL: at.URL(), Source: src, Status: at.Hops[0].Status, Target: at.FinalURL(), Hops: len(at.Hops)}
		also := ""
		if len(others) > 0 {
			also = "; also entered from " + listURLs(others, 3)
		}
		if len(at.Hops) == 1 {
			p.Reportf(f, "%d to itself, a redirect loop%s; make it answer 200, or redirect it to a page that does",
				at.Hops[0].Status, also)
			continue
		}
		p.Reportf(f, "redirect loop: %s%s; make one URL of the loop answer 200, or point its redirects at a page that does",
			chainPath(at), also)
	}
	return nil
}

// loopStart returns the index of the hop of a looping chain where the
// loop begins: the hop answered by the URL the chain comes back to.
func loopStart(c *crawler.Chain) int {
	for i := range c.Hops {
		if c.Hops[i].URL == c.FinalURL() {
			return i
		}
	}
	return -1
}

// delayedRefreshLoop reports whether a hop of the loop from index start
// on is a refresh with a delay: visitors see that page before they are
// sent on, as in a slideshow, so the loop does not trap them.
func delayedRefreshLoop(c *crawler.Chain, start int) bool {
	for _, h := range c.Hops[start:] {
		if h.Kind != crawler.HopHTTP && h.Delay > 0 {
			return true
		}
	}
	return false
}

// listURLs joins up to n URLs, sorted, with ", " and says how many more
// there are.
func listURLs(urls []string, n int) string {
	urls = slices.Clone(urls)
	slices.SortFunc(urls, cmp.Compare[string])
	if len(urls) <= n {
		return strings.Join(urls, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(urls[:n], ", "), len(urls)-n)
}
