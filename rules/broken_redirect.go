package rules

import (
	"github.com/hopaudit/hopaudit/audit"
)

// BrokenRedirect flags redirect chains that end in an error.
var BrokenRedirect = &audit.Rule{
	Name:     "broken-redirect",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Redirect leads to an error",
		Text: "An entry URL redirects, directly or through a chain, to a URL that answers 4xx " +
			"or 5xx, or that fails to load (DNS, connection, TLS, timeout). Visitors following " +
			"a link end on an error page, and search engines drop the URL: Google treats a " +
			"redirect to an error as the error (Search Console: redirect error or not found). " +
			"Every entry URL the site references is checked, also on other sites: a link whose " +
			"redirect ends in an error is a broken link. Not flagged: a chain whose next URL " +
			"robots.txt disallows (redirect-to-blocked), one that was not fetched (out of scope " +
			"or over a limit: nothing is known against it), loops (redirect-loop), chains with " +
			"no end within 20 redirects (redirect-chain-too-long), and a chain that ends at a " +
			"3xx that cannot be followed (missing-location, invalid-location, deprecated-status " +
			"report that URL), and an address the crawler refused to connect to (loopback or " +
			"private without --allow-private: nothing is known). Status is the final URL's, 0 " +
			"for a network error. When the end is a URL of the site that answers 404 or 410 and " +
			"exactly one page of the site has the same last path segment, the message suggests " +
			"it as the new target. A URL that a page, a sitemap or a form references is " +
			"broken-link's (one finding per page, with this rule's fix), when that rule runs: " +
			"this rule reports the rest, such as start URLs and lines of check's list. " +
			"Fix: point the redirect at a page that answers 200; if the content is gone, let " +
			"the old URL answer 404 or 410 itself rather than redirect to an error, and update " +
			"the links. Sources: RFC 9110 §15.4, §15.5, §15.6; Google Search Central, HTTP " +
			"status codes troubleshooting (developers.google.com/crawling/docs/troubleshooting/" +
			"http-status-codes) and \"Redirects and Google Search\".",
	},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound, renames},
	Run:   runBrokenRedirect,
}

func runBrokenRedirect(p *audit.Pass) error {
	brokenLinks := p.Other("broken-link") != nil
	chains := p.Chains()
	for i := range chains {
		c := &chains[i]
		r := c.Final
		if !endsInError(c) || brokenLinks && referencedBroken(p, c) {
			continue // fine, or broken-link's: once per page that references it
		}
		n := len(c.Hops)
		f := audit.Finding{URL: c.URL(), Source: p.Source(c.URL()), Status: r.Status, Target: c.FinalURL(), Hops: n}
		fix := "point the redirect at a page that answers 200, or let " + c.URL() + " answer 404 or 410 itself"
		if _, mapped := p.Expect[c.URL()]; mapped {
			// The redirect map says where it goes (redirect-map-mismatch).
		} else if to := renamedTo(p, r); to != "" {
			f.Fix.Target = to
			fix = "the end looks renamed to " + to + " (the only page with the same last path segment): point the redirect at it"
		}
		switch {
		case r.Status >= 400:
			p.Reportf(f, "ends at %s, which answers %d, after %s; %s", c.FinalURL(), r.Status, plural(n, "redirect"), fix)
		case r.Error != "":
			p.Reportf(f, "ends at %s, which fails to load (%s), after %s; %s", c.FinalURL(), r.Error, plural(n, "redirect"), fix)
		default:
			p.Reportf(f, "ends at %s, which fails to load, after %s; %s", c.FinalURL(), plural(n, "redirect"), fix)
		}
	}
	return nil
}
