package rules

import (
	"net/url"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// QueryDropped flags redirects that lose the entry URL's query string.
var QueryDropped = &audit.Rule{
	Name:     "query-dropped",
	Severity: audit.Notice,
	Doc: audit.Doc{
		Title: "Redirect drops the query string",
		Text: "The entry URL has query parameters and the chain's final URL keeps none of them. " +
			"Search terms, filters, pagination and campaign (utm_*) parameters are lost on the way, " +
			"visitors land on a different page than the link promised, and analytics lose the " +
			"campaign. A parameter counts as kept when the final URL has a parameter of the same " +
			"name, or carries its value as a query value or a whole path segment " +
			"(/product?id=42 to /products/42 keeps it). Chains that loop or never end are left to " +
			"the loop and length rules; chains of entry URLs outside the crawl scope are not checked. " +
			"A chain the crawl did not follow to its end (--max-pages, --no-external, a crawl cut " +
			"short) is judged by the last URL it reached, since no later hop brings a dropped query " +
			"back; the finding then has no target. " +
			"Not flagged: a query consumed into the path, when the entry URL is a front " +
			"controller (a folder such as / or /blog/, or /index.php and the like) that selects " +
			"a page by numeric IDs and redirects to that page's own path, as WordPress does with " +
			"/?p=9, /?page_id=6, /?cat=2 or /?author=1; unless a word (a search, /?s=shoes) or a " +
			"tracking parameter (utm_*, gclid ...) is dropped, which never selects a page, or the " +
			"front controller itself redirects to the same place; nor WordPress's comment reply " +
			"parameter replytocom, " +
			"which SEO plugins strip on purpose (?replytocom=2 to the post). " +
			"Fix: carry the query over in the redirect's Location (most servers have a flag for it, " +
			"e.g. nginx $is_args$args, Apache QSA), or link the final URL directly when the " +
			"parameters are not needed. Source: RFC 9110 §10.2.2 (a Location inherits the " +
			"request's fragment, never its query: the server must write the query into it).",
	},
	Needs: []*audit.Fact{audit.Chains, audit.Inbound},
	Run:   runQueryDropped,
}

func runQueryDropped(p *audit.Pass) error {
	g := p.Graph
	tracking := trackingParams(p)
	// follow returns where URL u ends, "" when it was not fetched.
	follow := func(u string) string {
		if c := g.Follow(u); c.Final != nil {
			return c.FinalURL()
		}
		return ""
	}
	chains := p.Chains()
	for i := range chains {
		c := &chains[i]
		// Most entry URLs have no query: no need to parse them.
		if !strings.Contains(c.URL(), "?") || c.End == crawler.EndLoop || c.End == crawler.EndTooLong || !g.Internal(c.URL()) {
			continue
		}
		entry, err := url.Parse(c.URL())
		if err != nil {
			continue
		}
		params, _ := url.ParseQuery(entry.RawQuery)
		if len(params) == 0 || keepsQuery(params, c.FinalURL()) || consumed(entry, params, c.FinalURL(), follow, tracking) || strippedOnPurpose(params) {
			continue
		}
		// A redirect map (check --expect) that sends the URL to where it
		// ends says the query is dropped on purpose.
		if p.Expect[c.URL()] == c.FinalURL() {
			continue
		}
		f := audit.Finding{URL: c.URL(), Source: p.Source(c.URL()), Status: c.Hops[0].Status, Target: finalTarget(c), Hops: len(c.Hops)}
		const fix = "keep the query in the redirect's Location so that search, filter and tracking parameters survive"
		if unfinished(c) {
			// The query is gone by the last URL reached: no later hop
			// brings it back, wherever the chain ends.
			p.Reportf(f, "%s without any of its query parameters; %s; %s", redirectsTo(c), unfinishedNote, fix)
			continue
		}
		p.Reportf(f, "%s without any of its query parameters; %s", describeChain(c), fix)
	}
	return nil
}

// keepsQuery reports whether the URL u keeps at least one of params: a
// parameter of the same name, or one of their non-empty values as a
// query value or a whole path segment.
func keepsQuery(params url.Values, u string) bool {
	t, err := url.Parse(u)
	if err != nil {
		return false
	}
	got, _ := url.ParseQuery(t.RawQuery)
	values := map[string]bool{}
	for _, vs := range got {
		for _, v := range vs {
			values[v] = true
		}
	}
	for _, seg := range strings.Split(t.Path, "/") {
		values[seg] = true
	}
	for name, vs := range params {
		if _, ok := got[name]; ok {
			return true
		}
		for _, v := range vs {
			if v != "" && values[v] {
				return true
			}
		}
	}
	return false
}

// consumed reports whether the entry URL's query was consumed into the
// path of URL u rather than dropped: the entry is a front controller
// (a folder, "/" or "/blog/", or a directory index file such as
// /index.php) that selects a page by a numeric ID, as /?p=9, /?page_id=6
// or /?cat=2 do in WordPress, and u has another path than both the
// entry and the front controller itself (follow) leads to. A word, such
// as a search term (/?s=shoes), or a tracking parameter, never selects
// a page: dropping it loses it.
func consumed(entry *url.URL, params url.Values, u string, follow func(string) string, tracking []string) bool {
	front, idx := dropIndexFile(entry.EscapedPath())
	if !strings.HasSuffix(front, "/") || idx == "" && front != entry.EscapedPath() {
		return false
	}
	t, err := url.Parse(u)
	if err != nil || t.EscapedPath() == entry.EscapedPath() {
		return false
	}
	for name, vs := range params {
		if isTracking(name, tracking) {
			return false
		}
		for _, v := range vs {
			if v == "" || !allBytes(v, func(c byte) bool { return c >= '0' && c <= '9' }) {
				return false
			}
		}
	}
	bare := *entry
	bare.RawQuery = ""
	return follow(bare.String()) != u // the front controller sends everyone there: the ID was dropped
}

// strippedOnPurpose reports whether every parameter is one a CMS or SEO
// plugin strips on purpose, to keep one URL per page: WordPress's
// comment reply parameter replytocom (Yoast SEO redirects it away).
func strippedOnPurpose(params url.Values) bool {
	for name := range params {
		if name != "replytocom" {
			return false
		}
	}
	return true
}
