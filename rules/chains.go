package rules

import (
	"fmt"
	"strings"

	"github.com/hopaudit/hopaudit/crawler"
)

// This file holds how the chain rules write a chain in a message. The
// URLs the crawl reached from its entry points, with the page to name as
// a finding's source, come from audit.Pass.Reached.

// hopVia says, for a message, how a hop of kind k that is no HTTP
// redirect sends the client on: " (meta refresh)", " (Refresh header)",
// " (JavaScript)"; "" for an HTTP redirect.
func hopVia(k crawler.HopKind) string {
	switch k {
	case crawler.HopMetaRefresh:
		return " (meta refresh)"
	case crawler.HopRefreshHeader:
		return " (Refresh header)"
	case crawler.HopJavaScript:
		return " (JavaScript)"
	}
	return ""
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
		fmt.Fprintf(&b, "%d %s%s", h.Status, h.URL, hopVia(h.Kind))
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
		return "back to " + c.FinalURL()
	case c.End == crawler.EndBlocked:
		return c.FinalURL() + " (blocked by robots.txt)"
	case c.End == crawler.EndUnfetched || c.Final == nil:
		return c.FinalURL() + " (not fetched)"
	case c.End == crawler.EndTooLong:
		return fmt.Sprintf("%d %s (not followed further)", status, c.FinalURL())
	case status == 0:
		return c.FinalURL() + " (network error)"
	}
	return fmt.Sprintf("%d %s", status, c.FinalURL())
}
