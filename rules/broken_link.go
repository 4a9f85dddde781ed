package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// BrokenLink flags references to URLs that answer an error, directly or
// at the end of their redirects.
var BrokenLink = &audit.Rule{
	Name:     "broken-link",
	Severity: audit.Error,
	Doc: audit.Doc{
		Title: "Link, page resource, sitemap entry, canonical, hreflang, form or start URL leads to an error",
		Text: "A page of the site links to a URL (<a>, <area>), loads it as a resource (an image, " +
			"stylesheet, script, frame, media, icon, manifest or preload: the message names the " +
			"kind, such as img, css or script), names it as canonical or hreflang " +
			"alternate, submits a form to it, a sitemap lists it, or it is a start URL or a line " +
			"of check's list, and the URL answers 4xx or 5xx or fails to load (DNS, connection, " +
			"TLS, timeout), after the crawl's retries; or it redirects, and its chain ends so " +
			"(a chain that loops or never ends is redirect-loop's or redirect-chain-too-long's, " +
			"and link-to-redirect lists the pages that link into it). Visitors land on an " +
			"error, search engines waste crawl budget " +
			"on it and drop the URL, and the page's signals leak into nothing. After a " +
			"migration (renamed slugs, a changed category base) these are the most damaging " +
			"problems of a site. One finding per URL and page (or sitemap): the source column " +
			"says where to edit; the status is that of the URL where the reference ends, 0 for " +
			"a failure to load, with the error in the message. An error for every reference " +
			"kind; a warning for links and resources of other sites, which the site does not control, unless " +
			"they redirect to a broken URL of the site (an old domain that redirects to a " +
			"renamed page). " +
			"When a broken URL of the site answers 404 or 410 and exactly one page of the site " +
			"that answers 2xx has the same last path segment (/category/news/ and " +
			"/topics/news/), the message suggests a 301 to that page (a 308 for the action of a POST form): the URL was most likely " +
			"renamed. Not flagged: 429 (the server asks to come back later: the crawl's " +
			"warnings report it), a URL robots.txt disallows or the crawl did not fetch " +
			"(nothing is known against it: a nofollow link's target is not fetched unless " +
			"something else leads there), a 3xx the client cannot follow (missing-location, " +
			"invalid-location, deprecated-status), an address the crawler refused to connect to " +
			"(loopback or private without --allow-private), and for a form that submits with " +
			"POST, any answer but 404, 410 or a failure to load, as the crawler asks with GET, " +
			"which such an endpoint may refuse. A reference into a redirect that ends in an " +
			"error is reported here, once per page, and nowhere else: broken-redirect then stays " +
			"silent on that URL (it reports the start URLs and list lines that redirect into an " +
			"error), and link-to-redirect, sitemap-redirect, canonical-to-redirect and " +
			"hreflang-to-redirect leave such references to this rule. A start URL or list line " +
			"that the redirect map of check --expect covers is redirect-map-missing's. " +
			"Fix: point the reference at a working URL or remove it; for a renamed page, let " +
			"the old URL answer 301 to the new one, then update the links. Sources: RFC 9110 " +
			"§15.5, §15.6; Google Search Central, HTTP status codes troubleshooting " +
			"(developers.google.com/crawling/docs/troubleshooting/http-status-codes) and " +
			"\"Site moves with URL changes\" (update internal links, sitemaps and canonicals).",
	},
	Needs: []*audit.Fact{audit.Entries, audit.Chains, audit.Inbound, renames},
	Run:   runBrokenLink,
}

func runBrokenLink(p *audit.Pass) error {
	g := p.Graph
	// mapped reports whether the redirect map of check --expect judges
	// URL u: redirect-map-missing says what a listed URL that answers an
	// error should do.
	mapped := func(u string) bool { return false }
	if p.Other("redirect-map-missing") != nil {
		mapped = func(u string) bool { _, ok := p.Expect[u]; return ok }
	}
	for _, target := range p.Entries() {
		a, ok := g.Answer(target)
		c := p.ChainOf(target)
		// Broken: the URL answers an error, or its chain ends on one (the
		// other reference rules leave such chains to this one).
		if !ok || c == nil && !answersError(a) || c != nil && !endsInError(c) {
			continue
		}
		f := audit.Finding{URL: target}
		var end *crawler.Response
		var what string
		if c == nil {
			end = g.Lookup(target)
			what = failure(end)
		} else {
			end, what = c.Final, describeChain(c)
			f.Target, f.Hops = c.FinalURL(), len(c.Hops)
		}
		f.Status = end.Status
		if _, ok := p.Expect[target]; !ok { // the redirect map says where it goes
			if f.Fix.Target = renamedTo(p, end); f.Fix.Target != "" && c == nil {
				// The renamed URL itself should redirect, keeping a
				// form's POST.
				f.Fix.Status = permanentStatus(p, target, 0, []string{target})
			}
		}
		// A link to another site is a warning, unless the error is on
		// this site: the other site redirects into a broken URL of ours.
		ours := g.Internal(target) || end != nil && g.Internal(end.URL)
		refs := p.Inbound(target) // ordered by source
		for i := 0; i < len(refs); {
			j := i + 1
			for j < len(refs) && refs[j].Source == refs[i].Source {
				j++
			}
			page := slices.DeleteFunc(slices.Clone(refs[i:j]), func(ref crawler.Reference) bool {
				return !counts(ref, c, end) || ref.Kind == crawler.RefSeed && mapped(target)
			})
			i = j
			if len(page) == 0 {
				continue
			}
			f.Source = page[0].Source
			f.Severity = audit.Warning
			if ours || slices.ContainsFunc(page, func(ref crawler.Reference) bool {
				return ref.Kind != crawler.RefAnchor && ref.Kind != crawler.RefArea && !ref.Kind.Resource()
			}) {
				f.Severity = audit.Error
			}
			p.Reportf(f, "%s %s; %s", referenceTo(page[0]), what, brokenFix(page[0], target, c, f.Fix))
		}
	}
	return nil
}

// referencedBroken reports whether broken-link reports a reference into
// chain c: it ends on an error, and a page, a sitemap or a form
// references its entry URL (a start URL that redirects is
// broken-redirect's). It needs fact audit.Inbound.
func referencedBroken(p *audit.Pass, c *crawler.Chain) bool {
	if !endsInError(c) {
		return false
	}
	return slices.ContainsFunc(p.Inbound(c.URL()), func(ref crawler.Reference) bool { return counts(ref, c, c.Final) })
}

// counts reports whether a reference to a URL whose chain c (nil when
// it does not redirect) ends at response end is a broken reference: a
// refresh is a hop (the chain rules'); a start URL that redirects into
// an error is broken-redirect's finding, which names no source either;
// and a form that submits with POST was only asked with GET,
// which a POST endpoint may refuse with any error but 404 or 410.
func counts(ref crawler.Reference, c *crawler.Chain, end *crawler.Response) bool {
	switch ref.Kind {
	case crawler.RefMetaRefresh, crawler.RefRefreshHeader, crawler.RefJavaScript:
		return false
	case crawler.RefSeed:
		return c == nil // broken-redirect reports a start URL that redirects into an error
	case crawler.RefForm:
		if ref.Text != "" && !strings.EqualFold(ref.Text, "get") && end != nil {
			return end.Status == 404 || end.Status == 410 || end.Status == 0
		}
	}
	return true
}

// failure says, for a message, how response r fails.
func failure(r *crawler.Response) string {
	switch {
	case r.Status != 0:
		return "answers " + strconv.Itoa(r.Status)
	case r.Error != "":
		return "fails to load (" + r.Error + ")"
	}
	return "fails to load"
}

// referenceTo says, for a message, how ref points at its target: "links
// to URL, which", "sitemap lists URL, which", ...
func referenceTo(ref crawler.Reference) string {
	u := ref.Target
	switch ref.Kind {
	case crawler.RefSeed:
		return "given URL " + u
	case crawler.RefSitemap:
		return "sitemap lists " + u + ", which"
	case crawler.RefCanonical:
		return "canonical points at " + u + ", which"
	case crawler.RefHreflang:
		if ref.Text != "" {
			return "hreflang " + strconv.Quote(ref.Text) + " alternate " + u
		}
		return "hreflang alternate " + u
	case crawler.RefForm:
		method := strings.ToUpper(ref.Text)
		if method == "" {
			method = "GET"
		}
		return method + " form submits to " + u + ", which"
	}
	if ref.Kind.Resource() {
		return "loads " + ref.Kind.String() + " " + u + ", which"
	}
	return "links to " + u + ", which"
}

// brokenFix says, for a message, how to mend a broken reference ref to
// URL u, whose chain is c (nil when it does not redirect): with the
// renamed page the finding's fix names, if any.
func brokenFix(ref crawler.Reference, u string, c *crawler.Chain, fix audit.Fix) string {
	var edit string
	switch ref.Kind {
	case crawler.RefSeed:
		edit = "if it is an old URL, let it answer 301 to its new URL, or 410 if the content is gone; else correct the start URL or the list"
	case crawler.RefSitemap:
		edit = "remove the entry or list a working URL"
	case crawler.RefCanonical:
		edit = "point rel=canonical at a working URL, usually the page's own"
	case crawler.RefHreflang:
		edit = "point it at the working URL of that language version"
	case crawler.RefForm:
		edit = "point the action at a working URL"
	default:
		if ref.Kind.Resource() {
			edit = "point the reference at a working URL, or put the file back"
			break
		}
		edit = "point the link at a working URL or remove it"
	}
	switch to := fix.Target; {
	case to != "" && c == nil:
		return fmt.Sprintf("it looks renamed to %s (the only page with the same last path segment): let %s answer %d to %s, and update the reference to it", to, u, fix.Status, to)
	case to != "":
		return fmt.Sprintf("the end looks renamed to %s (the only page with the same last path segment): point the redirect at %s, or %s", to, to, edit)
	case c != nil:
		return "fix the redirect, or " + edit
	}
	return edit
}

// renames is the fact that finds, for a broken URL of the site, the URL
// it was most likely renamed to: the only URL of the site that answers
// 2xx (a page, or a file a page links or loads: a moved PDF) and has the
// same last path segment. It maps a host and last segment (renameKey) to
// the page's URL, "" when several pages share them. Rules ask for it
// only once they have a URL to look up (renamedPage), as most runs need
// none.
var renames = &audit.Fact{
	Name: "renames",
	Doc:  "the pages of the site that answer 2xx, by host and last path segment",
	Compute: func(p *audit.Pass) (any, error) {
		pages := map[string]string{}
		for r := range p.Graph.Responses() {
			u := r.URL
			if !r.Internal || r.Status < 200 || r.Status >= 300 || r.Redirect != nil || r.Refresh != nil {
				continue
			}
			if k, ok := renameKey(u); ok {
				if _, dup := pages[k]; dup {
					pages[k] = ""
				} else {
					pages[k] = u
				}
			}
		}
		return pages, nil
	},
}

// renamedTo returns the page broken response r was likely renamed to,
// or "": r must be a URL of the site that answers 404 or 410. It needs
// fact renames.
func renamedTo(p *audit.Pass, r *crawler.Response) string {
	if r == nil || r.Status != 404 && r.Status != 410 {
		return ""
	}
	return renamedPage(p, r.URL)
}

// renamedPage returns the only page of the site that answers 2xx and has
// the same last path segment as URL u of the site, or "". It needs fact
// renames.
func renamedPage(p *audit.Pass, u string) string {
	key, ok := renameKey(u)
	if !ok || !p.Graph.Internal(u) {
		return ""
	}
	return p.ResultOf(renames).(map[string]string)[key]
}

// renameKey returns the host and last path segment of URL u, by which a
// renamed page is matched: a segment with a letter, at least three
// bytes long and no directory index file; u must have no query.
func renameKey(u string) (string, bool) {
	p, err := url.Parse(u)
	if err != nil || p.RawQuery != "" {
		return "", false
	}
	path := strings.TrimSuffix(p.EscapedPath(), "/")
	seg := strings.ToLower(path[strings.LastIndexByte(path, '/')+1:])
	if len(seg) < 3 || isIndexFile(seg) || !strings.ContainsFunc(seg, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		return "", false
	}
	return p.Host + " " + seg, true
}
