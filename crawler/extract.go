package crawler

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"unicode"

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
	refresh   *Refresh // to another URL
	refreshes bool     // a meta refresh parsed, to this page or another
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
			add(RefArea, attr(n, "href"), collapse(attr(n, "alt")))
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
			case strings.EqualFold(attr(n, "http-equiv"), "refresh") && !p.refreshes:
				// The first refresh that parses is the one; a later
				// one never runs, even after a reload of the page.
				p.refresh, p.refreshes = refreshTo(HopMetaRefresh, attr(n, "content"), base, self)
				if p.refresh != nil {
					p.refs = append(p.refs, Reference{Kind: RefMetaRefresh, Source: self, Target: p.refresh.URL, Text: p.refresh.Raw})
				}
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

// refreshTo reads a refresh value. declared is true when it parses at
// all; r is nil unless it sends the client to another URL.
func refreshTo(kind HopKind, raw string, base *url.URL, self string) (r *Refresh, declared bool) {
	delay, ref, ok := ParseRefresh(raw)
	if !ok || ref == "" {
		return nil, ok
	}
	target, err := Resolve(base, ref)
	if err != nil || target == self {
		return nil, true
	}
	return &Refresh{Kind: kind, Delay: float64(delay), Raw: raw, URL: target}, true
}

// valuedDirectives are the robots directives written "name: value".
var valuedDirectives = map[string]bool{
	"max-snippet": true, "max-image-preview": true, "max-video-preview": true, "unavailable_after": true,
}

// isNoindex reads a robots meta tag or X-Robots-Tag value. A user agent
// prefix ("googlebot: noindex") counts too.
func isNoindex(v string) bool {
	for _, d := range strings.Split(strings.ToLower(v), ",") {
		d = strings.TrimSpace(d)
		if name, after, ok := strings.Cut(d, ":"); ok {
			if valuedDirectives[strings.TrimSpace(name)] {
				continue
			}
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

// anchorText is the link's text as a reader sees it: white space
// collapsed, no space between inline elements, an image's alt text
// standing in for it, cut to maxAnchorText runes.
func anchorText(n *html.Node) string {
	var t text
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				if !t.write(c.Data) {
					return false
				}
			case c.Type == html.ElementNode && c.Data == "img":
				t.space()
				if !t.write(attr(c, "alt")) {
					return false
				}
				t.space()
			case c.Type == html.ElementNode:
				block := blockElements[c.Data]
				if block {
					t.space()
				}
				if !walk(c) {
					return false
				}
				if block {
					t.space()
				}
			}
		}
		return true
	}
	walk(n)
	return t.b.String()
}

// collapse is s with white space collapsed, cut to maxAnchorText runes.
func collapse(s string) string {
	var t text
	t.write(s)
	return t.b.String()
}

// blockElements break words apart in a link's text.
var blockElements = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "ul": true, "ol": true, "tr": true, "td": true, "th": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"section": true, "article": true, "header": true, "footer": true, "figure": true, "figcaption": true,
}

// text collects words with single spaces between them, up to
// maxAnchorText runes.
type text struct {
	b       strings.Builder
	n       int  // runes written
	pending bool // a space is due before the next word
}

func (t *text) space() { t.pending = t.n > 0 }

// write adds s; it returns false once the text is full.
func (t *text) write(s string) bool {
	for _, r := range s {
		if unicode.IsSpace(r) {
			t.space()
			continue
		}
		need := 1
		if t.pending {
			need = 2
		}
		if t.n+need > maxAnchorText {
			return false
		}
		if t.pending {
			t.b.WriteByte(' ')
			t.pending = false
		}
		t.b.WriteRune(r)
		t.n += need
	}
	return true
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
