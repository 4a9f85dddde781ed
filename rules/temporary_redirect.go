package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hopaudit/hopaudit/audit"
	"github.com/hopaudit/hopaudit/crawler"
)

// TemporaryRedirect flags 302, 303 and 307 redirects of the site, with
// the evidence for and against the move being permanent.
var TemporaryRedirect = &audit.Rule{
	Name:     "temporary-redirect",
	Severity: audit.Warning,
	Doc: audit.Doc{
		Title: "Temporary redirect (302, 303, 307) where a permanent one is likely meant",
		Text: "A URL of the site answers 302, 307, or 303 to a plain GET (a link, a sitemap <loc>, " +
			"a start URL). These say the resource is only elsewhere for now (RFC 9110 §15.4.3, " +
			"§15.4.4, §15.4.8), browsers and caches do not keep them (RFC 9111 §4.2.2), and " +
			"Google follows them without taking them as a signal that the target is canonical: " +
			"the old URL tends to stay in search results and signals consolidate slowly. " +
			"303 is meant as the answer to a POST; a 302 or 303 that only POST forms lead to is " +
			"form-post-redirect's, and a redirect a POST form also reaches is advised 308, which " +
			"keeps the method (a 301 turns the POST into a GET). " +
			"The finding is an error when the redirect is a canonicalisation, which is permanent " +
			"by nature: http to https on the same host, path and query; www to the bare host or " +
			"back with the same path; or path normalisation (trailing slash added or removed, " +
			"letter case changed, index.html, index.php, default.aspx and the like dropped, " +
			"duplicate slashes merged). It is a notice when a temporary redirect may be right: " +
			"the target looks like a login, SSO, checkout, cart, consent, maintenance or " +
			"back-office page (path segment or host name: /wp-admin/, /admin, /administrator, " +
			"/user/login ...), robots.txt disallows the target, the response has Retry-After, it varies on Cookie, " +
			"Accept-Language or User-Agent (Vary), or a home page sends visitors to a locale " +
			"folder (/en/, /de-de/). Canonicalisation wins over that counter-evidence: the target " +
			"is the same resource under its canonical URL, so the redirect cannot be temporary in " +
			"substance (a Vary header is often added to every response by the server). The " +
			"message lists further evidence that the move is permanent: pages linking to the " +
			"target, the sitemap listing it, a rel=canonical naming it, a long cache lifetime. " +
			"Only responses inside the crawl scope are checked, once per URL, also in the middle " +
			"of a chain; meta refreshes are meta-refresh's, and redirects that lead back to " +
			"themselves redirect-loop's (a permanent loop would be cached). " +
			"Fix: if the move is permanent, answer 301 instead of 302 or 303, and 308 instead of " +
			"307 (308 keeps the request method, RFC 7538). " +
			"Sources: RFC 9110 §15.4; RFC 9111 §4.2.2; Google Search Central, \"Redirects and " +
			"Google Search\" (developers.google.com/search/docs/crawling-indexing/301-redirects).",
	},
	Needs: []*audit.Fact{audit.Reached, audit.Inbound, audit.Chains},
	Run:   runTemporaryRedirect,
}

func runTemporaryRedirect(p *audit.Pass) error {
	g := p.Graph
	for _, x := range p.Reached() {
		h := x.Hop
		if h == nil || h.Kind != crawler.HopHTTP || !g.Internal(x.URL) {
			continue
		}
		switch h.Status {
		case 302, 303:
			if postOnly(p, x.Entries) {
				continue // form-post-redirect's: its advice fits a form
			}
		case 307:
		default:
			continue
		}
		use := permanentStatus(p, x.URL, h.Status, x.Entries)
		say := strconv.Itoa(use)
		if use == 308 && h.Status != 307 {
			say += " (a POST form submits to it, and a 301 would turn the POST into a GET)"
		}
		if onLoop(g, x.URL) {
			continue // a permanent loop would be worse: redirect-loop's
		}
		f := audit.Finding{URL: x.URL, Source: x.Source, Status: h.Status, Target: h.Target, Fix: audit.Fix{Status: use}}
		if why, ok := canonicalisation(x.URL, h.Target); ok {
			f.Severity = audit.Error
			p.Reportf(f, "%d to %s is a canonicalisation (%s), permanent by nature: use %s",
				h.Status, h.Target, why, say)
			continue
		}
		hdr := g.Header(x.URL)
		if why := counterEvidence(g, hdr, x.URL, h.Target); why != "" {
			f.Severity = audit.Notice
			p.Reportf(f, "%d to %s, but %s, so a temporary redirect may be intended; use %s only if the move is permanent",
				h.Status, h.Target, why, say)
			continue
		}
		if ev := permanenceEvidence(p, h, hdr); ev != "" {
			p.Reportf(f, "%d to %s; use %s if the move is permanent: %s", h.Status, h.Target, say, ev)
			continue
		}
		p.Reportf(f, "%d to %s; use %s if the move is permanent", h.Status, h.Target, say)
	}
	return nil
}

// onLoop reports whether the redirect at u leads back to u.
func onLoop(g *crawler.Graph, u string) bool {
	c := g.Follow(u)
	return c.End == crawler.EndLoop && c.FinalURL() == u
}

// postOnly reports whether every reference to the entry URLs is a form
// submitted with another method than GET: a 303 is then the answer it
// is meant to be (POST, redirect, GET). Links, sitemaps, start URLs,
// canonicals, hreflang and GET forms are GET navigations. It needs fact
// audit.Inbound.
func postOnly(p *audit.Pass, entries []string) bool {
	n := 0
	for _, e := range entries {
		for _, ref := range p.Inbound(e) {
			if ref.Kind != crawler.RefForm || ref.Text == "" || strings.EqualFold(ref.Text, "get") {
				return false
			}
			n++
		}
	}
	return n > 0
}

// canonicalisation reports whether a redirect from one normalised URL to
// another only changes the form of the same URL, and how: "http to
// https", "www to the bare host", "trailing slash added", ... joined with
// ", ". The scheme may only go from http to https, the host may only
// gain or lose "www.", the port and query must stay, and the path may
// only change as pathNormalisation allows.
func canonicalisation(from, to string) (string, bool) {
	f, ok := partsOf(from)
	if !ok {
		return "", false
	}
	t, ok := partsOf(to)
	if !ok {
		return "", false
	}
	var why []string
	fs, ts := f.scheme, t.scheme
	switch {
	case fs == ts:
	case fs == "http" && ts == "https":
		why = append(why, "http to https")
	default:
		return "", false
	}
	fh, th := strings.ToLower(f.hostname), strings.ToLower(t.hostname)
	switch {
	case fh == th:
	case "www."+fh == th:
		why = append(why, "bare host to www")
	case fh == "www."+th:
		why = append(why, "www to the bare host")
	default:
		return "", false
	}
	if f.port != t.port || f.rawQuery != t.rawQuery {
		return "", false
	}
	if fp, tp := f.escapedPath, t.escapedPath; fp != tp {
		how, ok := pathNormalisation(fp, tp)
		if !ok {
			return "", false
		}
		why = append(why, how...)
	}
	if len(why) == 0 {
		return "", false // the same URL: a loop, not a canonicalisation
	}
	return strings.Join(why, ", "), true
}

// isIndexFile reports whether a lowercase file name is a directory
// index document, which servers serve for a path that ends in a slash.
func isIndexFile(name string) bool {
	switch name {
	case "index.html", "index.htm", "index.shtml", "index.php", "index.asp", "index.aspx",
		"index.jsp", "index.cfm", "index.cgi", "default.aspx", "default.asp", "default.htm",
		"default.html":
		return true
	}
	return false
}

// pathNormalisation reports whether two different escaped paths name the
// same resource once duplicate slashes are merged, a directory index file
// is dropped, a trailing slash is dropped and letters are lowercased, and
// says what changed, in that order.
func pathNormalisation(from, to string) ([]string, bool) {
	fm, fdup := mergeSlashes(from)
	tm, tdup := mergeSlashes(to)
	fm, fidx := dropIndexFile(fm)
	tm, tidx := dropIndexFile(tm)
	fslash := fm != "/" && strings.HasSuffix(fm, "/")
	tslash := tm != "/" && strings.HasSuffix(tm, "/")
	fs, ts := strings.TrimSuffix(fm, "/"), strings.TrimSuffix(tm, "/")
	if !strings.EqualFold(fs, ts) {
		return nil, false
	}
	var how []string
	switch {
	case fdup && !tdup:
		how = append(how, "duplicate slashes merged")
	case tdup && !fdup:
		how = append(how, "slashes doubled")
	}
	switch {
	case fidx != "" && tidx == "":
		how = append(how, fidx+" dropped")
	case tidx != "" && fidx == "":
		how = append(how, tidx+" added")
	}
	switch {
	case fslash && !tslash:
		how = append(how, "trailing slash removed")
	case tslash && !fslash:
		how = append(how, "trailing slash added")
	}
	if fs != ts {
		how = append(how, "letter case changed")
	}
	if len(how) == 0 {
		how = append(how, "path normalised")
	}
	return how, true
}

// mergeSlashes merges runs of slashes into one and says whether there
// were any.
func mergeSlashes(p string) (string, bool) {
	if !strings.Contains(p, "//") {
		return p, false
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String(), true
}

// dropIndexFile removes a directory index file name from the end of a
// path, keeping the slash before it, and returns the name, lowercase.
func dropIndexFile(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	if name := strings.ToLower(p[i+1:]); isIndexFile(name) {
		return p[:i+1], name
	}
	return p, ""
}

// counterEvidence returns why the temporary redirect from one URL to
// another, sent with the header fields hdr, may be right, or "": the
// target is a login, checkout, consent, maintenance or back-office page,
// robots.txt disallows it, the response has Retry-After or varies on
// cookie, language or user agent, or a home page sends visitors to a
// locale folder.
func counterEvidence(g *crawler.Graph, hdr crawler.Headers, from, to string) string {
	if kind := pageKind(to); kind != "" {
		return "the target looks like a " + kind + " page"
	}
	if t := g.Lookup(to); t != nil && t.Blocked {
		return "robots.txt disallows the target"
	}
	if strings.TrimSpace(hdr.RetryAfter) != "" {
		return "the response has Retry-After"
	}
	if v := varies(hdr.Vary); v != "" {
		return "the response varies by " + v
	}
	if localeRedirect(from, to) {
		return "it sends the home page to a locale folder"
	}
	return ""
}

// segmentKind returns the kind of page a whole path segment or host
// label (lowercase, file extension removed) names when a temporary
// redirect may rightly lead to it: "login", "checkout", "consent",
// "maintenance", "back-office"; or "".
func segmentKind(s string) string {
	switch s {
	case "wp-admin", "admin", "administrator", "backend", "back-office", "backoffice", "typo3",
		"umbraco", "cms-admin", "siteadmin":
		return "back-office"
	case "login", "log-in", "log_in", "logon", "signin", "sign-in", "sign_in", "sso", "auth",
		"oauth", "oauth2", "authorize", "authenticate", "saml", "accounts":
		return "login"
	case "checkout", "cart", "basket":
		return "checkout"
	case "consent", "cookie", "cookies", "cookiewall", "cookie-wall", "cookie-consent", "gdpr":
		return "consent"
	case "maintenance":
		return "maintenance"
	}
	return wordKind(s)
}

// wordKind is segmentKind for a word inside a segment (between "-", "_"
// and "."), as in "/user-login" or "/add-to-cart": only words that
// rarely mean anything else.
func wordKind(w string) string {
	switch w {
	case "login", "logon", "signin", "sso", "oauth", "oauth2", "saml":
		return "login"
	case "checkout", "cart", "basket":
		return "checkout"
	case "consent", "gdpr":
		return "consent"
	case "maintenance":
		return "maintenance"
	}
	return ""
}

// pageKind returns what kind of page the normalised URL u looks like,
// from its host labels and path segments: "login", "checkout",
// "consent", "maintenance", "back-office", or "".
func pageKind(u string) string {
	p, ok := partsOf(u)
	if !ok {
		return ""
	}
	host := strings.ToLower(p.hostname)
	labels := strings.Split(host, ".")
	if len(labels) > 2 {
		for _, l := range labels[:len(labels)-2] {
			if k := segmentKind(l); k != "" {
				return k
			}
		}
	}
	for seg := range strings.SplitSeq(strings.ToLower(p.path), "/") {
		if seg == "" {
			continue
		}
		if k := segmentKind(seg); k != "" {
			return k
		}
		if i := strings.LastIndexByte(seg, '.'); i > 0 {
			if k := segmentKind(seg[:i]); k != "" {
				return k
			}
		}
		for w := range strings.FieldsFuncSeq(seg, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			if k := wordKind(w); k != "" {
				return k
			}
		}
	}
	return ""
}

// varies returns the request header a Vary field value names that makes
// a redirect depend on the visitor (Cookie, Accept-Language,
// User-Agent, or * for anything), or "".
func varies(vary string) string {
	for f := range strings.SplitSeq(vary, ",") {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "cookie":
			return "Cookie"
		case "accept-language":
			return "Accept-Language"
		case "user-agent":
			return "User-Agent"
		case "*":
			return "anything (Vary: *)"
		}
	}
	return ""
}

// localeRedirect reports whether a redirect goes from a home page ("/"
// without a query) to a locale folder of the same host or its www twin:
// a first path segment such as "en", "de-de", "fr_FR", "es-419" or
// "zh-hant".
func localeRedirect(from, to string) bool {
	f, ok := partsOf(from)
	if !ok || f.escapedPath != "/" || f.rawQuery != "" {
		return false
	}
	t, ok := partsOf(to)
	if !ok {
		return false
	}
	if strings.TrimPrefix(f.hostname, "www.") != strings.TrimPrefix(t.hostname, "www.") {
		return false
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(t.path, "/"), "/")
	return isLocale(first)
}

// isLocale reports whether s looks like a locale code: two letters, then
// optionally "-" or "_" and a region (two letters or three digits) or a
// script (four letters).
func isLocale(s string) bool {
	lang, region, ok := strings.Cut(s, "-")
	if !ok {
		lang, region, ok = strings.Cut(s, "_")
	}
	if len(lang) != 2 || !allBytes(lang, isASCIILetter) {
		return false
	}
	if !ok {
		return true
	}
	switch len(region) {
	case 2, 4:
		return allBytes(region, isASCIILetter)
	case 3:
		return allBytes(region, func(c byte) bool { return c >= '0' && c <= '9' })
	}
	return false
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// permanenceEvidence returns what in the graph says the move behind the
// temporary redirect h, sent with the header fields hdr, is permanent,
// for a message, or "": pages that link to the target, the sitemap
// listing it, rel=canonical naming it, and a cache lifetime of a day or
// more on the redirect itself. It needs fact audit.Inbound.
func permanenceEvidence(p *audit.Pass, h *crawler.Hop, hdr crawler.Headers) string {
	var ev []string
	links := map[string]bool{}
	sitemap, canonical := false, false
	for _, ref := range p.Inbound(h.Target) {
		switch ref.Kind {
		case crawler.RefAnchor, crawler.RefArea:
			if ref.Source != "" {
				links[ref.Source] = true
			}
		case crawler.RefSitemap:
			sitemap = true
		case crawler.RefCanonical:
			canonical = true
		}
	}
	// The graph keeps the references to a plain 2xx target only as
	// counts.
	n := len(links)
	if r := p.Graph.Lookup(h.Target); r != nil {
		n = max(n, int(r.Referrers.Links))
		sitemap = sitemap || r.Referrers.Sitemaps > 0
		canonical = canonical || r.Referrers.Canonicals > 0
	}
	switch {
	case n == 1:
		ev = append(ev, "1 page links to the target")
	case n > 1:
		ev = append(ev, fmt.Sprintf("%d pages link to the target", n))
	}
	if sitemap {
		ev = append(ev, "the sitemap lists the target")
	}
	if canonical {
		ev = append(ev, "rel=canonical names the target")
	}
	if l, ok := explicitLifetime(hdr, false); ok && l.Seconds >= 86400 {
		ev = append(ev, "browsers may cache the redirect for "+formatLifetime(l.Seconds))
	}
	return strings.Join(ev, "; ")
}
