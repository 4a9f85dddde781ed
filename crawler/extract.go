package crawler

import (
	"bytes"
	"net/url"
	"slices"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// pageSelector finds, in one pass, every element a page is read for.
var pageSelector = cascadia.MustCompile("a[href], area[href], link[href], meta[content], base[href], form")

const maxAnchorText = 100

// page is what one HTML page says about other URLs.
type page struct {
	refs      []Reference
	refresh   *Refresh
	canonical string
	noindex   bool
}

// extractPage parses an HTML page once and reads its links, canonical,
// hreflang alternates, forms, meta refresh, meta robots and base URL.
// Targets are resolved against the base URL and normalised; unusable
// ones (other schemes, unparseable) are skipped.
func extractPage(pageURL *url.URL, body []byte) (page, error) {
	var p page
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return p, err
	}
	nodes := doc.FindMatcher(pageSelector).Nodes
	base := pageURL
	for _, n := range nodes {
		if n.Data == "base" {
			if b, err := pageURL.Parse(strings.TrimSpace(attr(n, "href"))); err == nil {
				base = b
			}
			break
		}
	}
	self, _ := normalizeURL(pageURL)
	add := func(kind RefKind, ref, text string) string {
		target, err := Resolve(base, strings.TrimSpace(ref))
		if err != nil {
			return ""
		}
		p.refs = append(p.refs, Reference{Kind: kind, Source: self, Target: target, Text: text})
		return target
	}
	for _, n := range nodes {
		switch n.Data {
		case "a":
			add(RefAnchor, attr(n, "href"), anchorText(n))
		case "area":
			add(RefArea, attr(n, "href"), attr(n, "alt"))
		case "link":
			rel := strings.Fields(strings.ToLower(attr(n, "rel")))
			switch {
			case slices.Contains(rel, "canonical"):
				if t := add(RefCanonical, attr(n, "href"), ""); p.canonical == "" {
					p.canonical = t
				}
			case slices.Contains(rel, "alternate") && hasAttr(n, "hreflang"):
				add(RefHreflang, attr(n, "href"), strings.TrimSpace(attr(n, "hreflang")))
			}
		case "meta":
			switch {
			case strings.EqualFold(attr(n, "http-equiv"), "refresh") && p.refresh == nil:
				p.refresh = refreshTo(HopMetaRefresh, attr(n, "content"), base, self)
			case strings.EqualFold(attr(n, "name"), "robots") || strings.EqualFold(attr(n, "name"), "googlebot"):
				p.noindex = p.noindex || isNoindex(attr(n, "content"))
			}
		case "form":
			method := strings.ToLower(strings.TrimSpace(attr(n, "method")))
			if method != "post" && method != "dialog" {
				method = "get"
			}
			if method == "dialog" {
				continue
			}
			action := strings.TrimSpace(attr(n, "action"))
			if action == "" {
				// An empty action submits to the document's own URL,
				// whatever the base URL says.
				p.refs = append(p.refs, Reference{Kind: RefForm, Source: self, Target: self, Text: method})
				continue
			}
			add(RefForm, action, method)
		}
	}
	return p, nil
}

// refreshTo reads a refresh value; it returns nil unless it sends the
// client to another URL.
func refreshTo(kind HopKind, raw string, base *url.URL, self string) *Refresh {
	delay, ref, ok := ParseRefresh(raw)
	if !ok || ref == "" {
		return nil
	}
	target, err := Resolve(base, ref)
	if err != nil || target == self {
		return nil
	}
	return &Refresh{Kind: kind, Delay: float64(delay), Raw: raw, URL: target}
}

// isNoindex reads a robots meta tag or X-Robots-Tag value. A user agent
// prefix ("googlebot: noindex") counts too.
func isNoindex(v string) bool {
	for _, d := range strings.Split(strings.ToLower(v), ",") {
		d = strings.TrimSpace(d)
		if _, after, ok := strings.Cut(d, ":"); ok && !strings.Contains(d, "unavailable_after") {
			d = strings.TrimSpace(after)
		}
		if d == "noindex" || d == "none" {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// anchorText is the link's text with white space collapsed, cut to
// maxAnchorText runes; an image link's alt text stands in for it.
func anchorText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && b.Len() < 4*maxAnchorText; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(c.Data)
				b.WriteByte(' ')
			case c.Type == html.ElementNode && c.Data == "img":
				b.WriteString(attr(c, "alt"))
				b.WriteByte(' ')
			case c.Type == html.ElementNode:
				walk(c)
			}
		}
	}
	walk(n)
	text := strings.Join(strings.Fields(b.String()), " ")
	if r := []rune(text); len(r) > maxAnchorText {
		text = string(r[:maxAnchorText])
	}
	return text
}

// linkHeader reads rel=canonical and rel=alternate hreflang entries of a
// Link header (RFC 8288).
func linkHeader(v string, base *url.URL, self string) []Reference {
	var refs []Reference
	for _, link := range splitOutsideQuotes(v, ',') {
		link = strings.TrimSpace(link)
		if !strings.HasPrefix(link, "<") {
			continue
		}
		end := strings.IndexByte(link, '>')
		if end < 0 {
			continue
		}
		ref := link[1:end]
		var rel, hreflang string
		for _, param := range splitOutsideQuotes(link[end+1:], ';') {
			k, val, _ := strings.Cut(param, "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "rel":
				rel = strings.ToLower(val)
			case "hreflang":
				hreflang = val
			}
		}
		rels := strings.Fields(rel)
		kind := RefKind("")
		switch {
		case slices.Contains(rels, "canonical"):
			kind = RefCanonical
		case slices.Contains(rels, "alternate") && hreflang != "":
			kind = RefHreflang
		default:
			continue
		}
		if target, err := Resolve(base, ref); err == nil {
			refs = append(refs, Reference{Kind: kind, Source: self, Target: target, Text: hreflang})
		}
	}
	return refs
}

// splitOutsideQuotes splits s at sep where sep is outside double quotes
// and angle brackets.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted, angled, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' && !angled:
			quoted = !quoted
		case c == '<' && !quoted:
			angled = true
		case c == '>' && !quoted:
			angled = false
		case c == sep && !quoted && !angled:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
