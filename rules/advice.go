package rules

import (
	"net/url"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// This file holds what rules share to give one URL one advice: the
// permanent status to use in place of a temporary one, and the URL a
// chain's entry should redirect straight to. Every rule that names one
// status, or a URL to redirect to, in a finding's Fix asks here, so that
// two findings on one URL never advise two statuses or two targets (see
// audit.Fix and TestOneAdvicePerURL).

// permanentStatus returns the permanent status to advise in place of
// the redirect at hop URL u, answering status: 308 when the redirect
// already keeps the request method (307, 308) or a POST form reaches it
// (a 301 would turn the POST into a GET: RFC 9110 §15.4.2), else 301.
// It needs fact audit.Inbound, and audit.Chains when an entry is not u.
func permanentStatus(p *audit.Pass, u string, status int, entries []string) int {
	if status == 307 || status == 308 || postReaches(p, u, entries) {
		return 308
	}
	return 301
}

// postReaches reports whether a form submitted with POST (or any method
// but GET) reaches URL u from one of the entry URLs: it submits to the
// entry, and every redirect before u keeps the method (307 or 308).
func postReaches(p *audit.Pass, u string, entries []string) bool {
	for _, e := range entries {
		if !postedTo(p, e) {
			continue
		}
		if e == u {
			return true
		}
		c := p.ChainOf(e)
		if c == nil {
			continue
		}
		for _, h := range c.Hops {
			if h.URL == u {
				return true
			}
			if h.Kind != crawler.HopHTTP || (h.Status != 307 && h.Status != 308) {
				break
			}
		}
	}
	return false
}

// postedTo reports whether a form submits to URL u with another method
// than GET.
func postedTo(p *audit.Pass, u string) bool {
	for _, ref := range p.Inbound(u) {
		if ref.Kind == crawler.RefForm && ref.Text != "" && !strings.EqualFold(ref.Text, "get") {
			return true
		}
	}
	return false
}

// chainTarget returns the URL to advise chain c's entry to redirect
// straight to: the redirect map's target when it has one for the entry
// (check --expect) and the chain does not pass through it, else the
// working page the chain ends on, or the page that one names as
// canonical when that is another working page (canonicalElsewhere). It
// returns "" when the chain does not end on a working page (broken,
// blocked, in a loop or not followed to its end) or ends on what looks
// like WordPress's guess (guessed).
func chainTarget(g *crawler.Graph, expect map[string]string, c *crawler.Chain, tracking []string) string {
	if to, ok := expect[c.URL()]; ok && !passesThrough(c, to) {
		if to == c.URL() {
			return "" // the map says it should not redirect at all
		}
		return to
	}
	if c.End != crawler.EndFinal || c.Final == nil || c.Final.Status < 200 || c.Final.Status >= 300 || guessed(g, c) {
		return ""
	}
	if canon := canonicalElsewhere(g, c.Final, tracking); canon != "" {
		return canon
	}
	return c.FinalURL()
}

// straightTo returns the URL to advise chain c's entry to redirect
// straight to, and how a message names it: chainTarget, else the URL
// robots.txt blocks where the chain ends (redirect-to-blocked says what
// to do about that), else no URL but "a page that answers 200".
func straightTo(g *crawler.Graph, expect map[string]string, c *crawler.Chain, tracking []string) (target, phrase string) {
	target = chainTarget(g, expect, c, tracking)
	switch {
	case target != "":
		return target, target
	case c.End == crawler.EndBlocked:
		return c.FinalURL(), c.FinalURL() // a page, though crawlers may not see it
	case c.End == crawler.EndFinal && guessed(g, c):
		return "", "the right page (" + c.FinalURL() + " looks like WordPress's guess)"
	}
	return "", "a page that answers 200"
}

// canonicalElsewhere returns the page that page r names as canonical
// when that is another working page of the site: its rel=canonical,
// followed through its redirects to a page that answers 2xx. It returns
// "" when r names none, names itself, names a URL that differs from r's
// only by tracking parameters (trackingOnly), names one whose redirects
// lead back to r or to no working page (canonical-to-redirect and
// broken-link report those), one the crawl did not fetch (nothing is
// known of it: check never fetches canonicals), or a page of another
// site (a syndicated article's source: no redirect should send visitors
// there).
func canonicalElsewhere(g *crawler.Graph, r *crawler.Response, tracking []string) string {
	canon := r.Canonical
	if canon == "" || canon == r.URL || trackingOnly(r.URL, canon, tracking) {
		return ""
	}
	c := g.Follow(canon)
	switch {
	case c.Final == nil || c.End != crawler.EndFinal || c.Final.Status < 200 || c.Final.Status >= 300:
		return ""
	case c.FinalURL() == r.URL || trackingOnly(r.URL, c.FinalURL(), tracking) || !g.Internal(c.FinalURL()):
		return ""
	}
	return c.FinalURL()
}

// defaultTracking names the query parameters that track a visit and
// never change the page: campaign tags (utm_ and the like) and the
// click identifiers of ad platforms. A name ending in "*" is a prefix.
var defaultTracking = []string{
	"utm_*", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "fbclid", "msclkid", "yclid",
	"twclid", "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
	"mkt_tok", "srsltid",
}

// isTracking reports whether the query parameter name is a tracking
// parameter: one of defaultTracking or of extra (the same forms).
func isTracking(name string, extra []string) bool {
	name = strings.ToLower(name)
	match := func(list []string) bool {
		for _, t := range list {
			if p, ok := strings.CutSuffix(t, "*"); ok && strings.HasPrefix(name, p) || t == name {
				return true
			}
		}
		return false
	}
	return match(defaultTracking) || match(extra)
}

// trackingOnly reports whether two URLs differ only by tracking
// parameters (isTracking), in the order their other parameters keep.
func trackingOnly(a, b string, extra []string) bool {
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	if err != nil {
		return false
	}
	if ua.Scheme != ub.Scheme || ua.Host != ub.Host || ua.EscapedPath() != ub.EscapedPath() {
		return false
	}
	strip := func(q string) string {
		var kept []string
		for p := range strings.SplitSeq(q, "&") {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); p == "" || err == nil && isTracking(n, extra) {
				continue
			}
			kept = append(kept, p)
		}
		return strings.Join(kept, "&")
	}
	return ua.RawQuery != ub.RawQuery && strip(ua.RawQuery) == strip(ub.RawQuery)
}

// trackingParams returns the tracking parameters the run names beyond
// defaultTracking: the tracking-params option of
// redirect-target-not-indexable, which every rule reads so that they
// agree on what a tracking parameter is.
func trackingParams(p *audit.Pass) []string {
	if o := p.Other("redirect-target-not-indexable"); o != nil {
		return splitList(o.String("tracking-params"))
	}
	return nil
}

// splitList reads a rule option that lists names, separated by commas
// or spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' })
}
