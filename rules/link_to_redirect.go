package rules

import (
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// LinkToRedirect flags internal links that point at a URL of the same
// site that redirects.
var LinkToRedirect = &audit.Rule{
	Name:     "link-to-redirect",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Internal link points at a URL that redirects",
		Text: "A page of the site links (<a href> or <area href>) to a URL of the same site " +
			"(the same registrable domain) that redirects. Every click and every crawl of the link " +
			"costs an extra round trip per hop, crawl budget goes to redirect URLs, and internal " +
			"links are one of the signals Google uses to pick the canonical URL: links to the old " +
			"URL argue for it. Fix: change the link to the final URL of the chain (the finding's " +
			"target); when the chain is broken, fix the redirect or remove the link. A chain the " +
			"crawl did not follow to its end (--max-pages, --no-external, a crawl cut short) is " +
			"reported as unfinished, with no target and no final URL to link. One finding " +
			"per linking page and redirecting URL. Links to other sites are not checked, nor " +
			"nofollow links (rel=nofollow, ugc or sponsored, or a page that says nofollow): they " +
			"pass no signal, and WordPress's comment reply links (?replytocom=N) redirect to " +
			"their own page by design; nor a page's links to itself (a skip link, #main, on a " +
			"page that redirects with a refresh or a script: meta-refresh and " +
			"javascript-redirect report the page). " +
			"Not flagged: a link to an alias that redirects temporarily to a login or back-office " +
			"page (/login to /wp-login.php, /admin to /wp-admin/): a CMS makes these on purpose, " +
			"and the page behind them changes with the visitor's session. When the final URL " +
			"looks like WordPress's guess (X-Redirect-By: WordPress, and its last path segment " +
			"only begins with the link's, in another folder: /category/news/ to /newsletter/), " +
			"the message asks to link the right page rather than the final URL. " +
			"Sources: Google Search Central, \"Site moves with URL changes\" (update internal " +
			"links to point to the new URLs) and \"Redirects and Google Search\".",
	},
	Needs: []*audit.Fact{audit.Inbound, audit.Chains, renames},
	Run:   runLinkToRedirect,
}

func runLinkToRedirect(p *audit.Pass) error {
	brokenLinks := p.Other("broken-link") != nil
	g := p.Graph
	keep := func(ref crawler.Reference) bool {
		return (ref.Kind == crawler.RefAnchor || ref.Kind == crawler.RefArea) && !ref.Nofollow &&
			ref.Source != "" && ref.Source != ref.Target && g.Internal(ref.Source) &&
			crawler.SameSite(crawler.Hostname(ref.Source), crawler.Hostname(ref.Target))
	}
	// The references come ordered by target: what depends on the
	// chain alone is worked out once per chain.
	var last *crawler.Chain
	var alias, guess bool
	for r := range redirectRefs(p, keep) {
		c := r.Chain
		if c != last {
			last, alias = c, loginAlias(c)
			guess = !alias && c.End == crawler.EndFinal && guessed(p.Graph, c)
		}
		if brokenLinks && endsInError(c) || alias {
			continue // broken-link's, or an alias kept on purpose
		}
		f := audit.Finding{URL: r.URL, Source: r.Source, Status: c.Hops[0].Status, Target: finalTarget(c), Hops: len(c.Hops)}
		switch {
		case chainBroken(c):
			p.Reportf(f, "links to %s, which %s; fix the redirect or remove the link", r.URL, describeChain(c))
		case unfinished(c):
			p.Reportf(f, "links to %s, which %s", r.URL, describeChain(c))
		case guess:
			right := "the right page"
			if u := renamedPage(p, r.URL); u != "" && u != c.FinalURL() {
				right += " (perhaps " + u + ", the only page with the same last path segment)"
			}
			p.Reportf(f, "links to %s, which %s; the target looks like WordPress's guess (it sends a URL it cannot find to the first page whose slug begins with the same word): link %s, and let %s answer 404 or 301 to it",
				r.URL, describeChain(c), right, r.URL)
		default:
			p.Reportf(f, "links to %s, which %s; link the final URL", r.URL, describeChain(c))
		}
	}
	return nil
}

// loginAlias reports whether chain c is a temporary redirect to a login
// or back-office page, such as WordPress's /login to /wp-login.php or
// /admin to /wp-admin/: an alias a CMS keeps on purpose.
func loginAlias(c *crawler.Chain) bool {
	if !c.Temporary() {
		return false
	}
	switch pageKind(c.FinalURL()) {
	case "login", "back-office":
		return true
	}
	return false
}

// guessed reports whether chain c looks like WordPress's guess for a URL
// it could not find (redirect_guess_404_permalink): its last redirect
// says X-Redirect-By: WordPress, and the final URL's last path segment
// begins with the entry's but is longer, in another folder
// (/category/news/ to /newsletter/). A renamed slug in the same folder
// (/webinar/ to /webinar-2024/) is not a guess, nor a redirect the site
// wrote itself. The header is looked up in g last: few chains have the
// shape.
func guessed(g *crawler.Graph, c *crawler.Chain) bool {
	// Both URLs are normalised: the path starts at the first slash after
	// the scheme's, and ends at the query.
	split := func(u string) (host, dir, seg string) {
		_, rest, _ := strings.Cut(u, "://")
		host, path, _ := strings.Cut(rest, "/")
		path, _, _ = strings.Cut(strings.TrimSuffix(strings.SplitN(path, "?", 2)[0], "/"), "#")
		i := strings.LastIndexByte(path, '/')
		return host, path[:i+1], strings.ToLower(path[i+1:])
	}
	fhost, fdir, fseg := split(c.URL())
	thost, tdir, tseg := split(c.FinalURL())
	return fhost == thost && fseg != "" && fdir != tdir && len(tseg) > len(fseg) && strings.HasPrefix(tseg, fseg) &&
		strings.Contains(strings.ToLower(g.Header(c.Hops[len(c.Hops)-1].URL).XRedirectBy), "wordpress")
}
