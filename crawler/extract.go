package crawler

import (
	"bytes"
	"io"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

const maxAnchorText = 100

// page is what one HTML page says about other URLs.
type page struct {
	refs      []Reference
	refresh   *Refresh // to another URL
	canonical string
	noindex   bool
	nofollow  bool            // meta robots nofollow: every link of the page is nofollow
	script    *scriptRedirect // the first inline script's redirect on load, if any
}

// rawRef is a reference as written in the page, before the base URL is
// known: the first <base href> applies to the whole document, wherever
// it stands.
type rawRef struct {
	kind     RefKind
	nofollow bool
	href     string
	text     string
}

// An extractor reads pages: it keeps its scratch room from one page to
// the next, so that a worker reading page after page does not allocate
// it for each (each lane has one). The zero value is ready to use.
type extractor struct {
	raws []rawRef
	seen map[refKey]int // see unique
}

// refKey is what tells two references of one page apart (see unique).
type refKey struct {
	kind         RefKind
	target, lang string
}

// unique keeps the first of the references of one page that share kind
// and target (and language, for hreflang alternates). It is a nofollow
// link only if all of them are: a page that links to a URL both ways
// links to it.
func (x *extractor) unique(refs []Reference) []Reference {
	if x.seen == nil {
		x.seen = map[refKey]int{} // the index of the kept one
	}
	out := refs[:0]
	for _, ref := range refs {
		k := refKey{ref.Kind, ref.Target, ""}
		if ref.Kind == RefHreflang {
			k.lang = ref.Text
		}
		if i, dup := x.seen[k]; dup {
			out[i].Nofollow = out[i].Nofollow && ref.Nofollow
			continue
		}
		x.seen[k] = len(out)
		out = append(out, ref)
	}
	clear(refs[len(out):]) // as slices.DeleteFunc does: no string kept alive
	if len(x.seen) > maxLaneRefs {
		x.seen = nil // a cleared map keeps its room (see maxLaneBuffer)
	} else {
		clear(x.seen) // no string kept alive
	}
	return out
}

// page reads an HTML page in one streaming pass of the HTML
// tokenizer: links (with their text), canonical, hreflang alternates,
// forms, meta refresh, meta robots and the base URL. Nothing else of the
// page is kept, so neither its size nor its nesting depth costs memory.
// Targets are resolved against the base URL and normalised; unusable
// ones (other schemes, unparseable) are skipped.
func (x *extractor) page(pageURL *url.URL, body []byte) (page, error) {
	raws := x.raws[:0]
	defer func() {
		clear(raws) // no string kept alive
		x.raws = raws[:0]
	}()
	var (
		p       page
		baseRef string
		hasBase bool
		refresh string // content of the first meta refresh
		hasRefr bool
		anchor  = -1 // index in raws of the open <a>, if any
		inTempl int  // open <template> elements: their content never runs
		label   text // the open <a>'s text
	)
	inHead := true // in the document's <head>, where scripts block rendering
	closeAnchor := func() {
		if anchor >= 0 {
			raws[anchor].text = label.b.String()
			anchor = -1
		}
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	var nameBuf [maxTagName]byte
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			closeAnchor()
			if err := z.Err(); err != io.EOF {
				return p, err
			}
			return p.resolve(pageURL, raws, baseRef, hasBase, refresh, hasRefr), nil
		case html.TextToken:
			if anchor >= 0 {
				label.write(string(z.Text()))
			}
			continue
		case html.EndTagToken:
			name := tagName(z.Raw(), nameBuf[:0])
			switch {
			case string(name) == "a":
				closeAnchor()
			case string(name) == "template" && inTempl > 0:
				inTempl--
			case string(name) == "head":
				inHead = false
			case anchor >= 0 && blockElements[string(name)]:
				label.space()
			}
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		tag := string(tagName(z.Raw(), nameBuf[:0]))
		inHead = inHead && headElements[tag]
		if anchor >= 0 {
			switch {
			case tag == "img":
				a := readAttrs(z)
				label.space()
				label.write(a.alt)
				label.space()
				if inTempl == 0 {
					raws = mediaResource(raws, tag, &a)
				}
				continue
			case blockElements[tag]:
				label.space()
			}
		}
		switch tag {
		case "a":
			closeAnchor() // an <a> inside an <a> closes the first
			if a := readAttrs(z); a.hasHref {
				raws = append(raws, rawRef{kind: RefAnchor, href: a.href, nofollow: nofollowRel(a.rel)})
				if tt == html.StartTagToken {
					anchor = len(raws) - 1
					label = text{}
				}
			}
		case "area":
			if a := readAttrs(z); a.hasHref {
				raws = append(raws, rawRef{kind: RefArea, href: a.href, text: collapse(a.alt), nofollow: nofollowRel(a.rel)})
			}
		case "base":
			if a := readAttrs(z); a.hasHref && !hasBase {
				baseRef, hasBase = a.href, true
			}
		case "link":
			a := readAttrs(z)
			if !a.hasHref {
				break
			}
			rel := strings.Fields(strings.ToLower(a.rel))
			switch {
			case slices.Contains(rel, "canonical"):
				raws = append(raws, rawRef{kind: RefCanonical, href: a.href})
			case slices.Contains(rel, "alternate") && a.hasHreflang:
				raws = append(raws, rawRef{kind: RefHreflang, href: a.href, text: strings.TrimSpace(a.hreflang)})
			default:
				if inTempl == 0 {
					raws = linkResource(raws, rel, &a)
				}
			}
		case "meta":
			a := readAttrs(z)
			switch {
			case strings.EqualFold(a.httpEquiv, "refresh") && !hasRefr:
				// The first refresh that parses is the one; a later one
				// never runs, even after a reload of the page.
				if _, _, ok := ParseRefresh(a.content); ok {
					refresh, hasRefr = a.content, true
				}
			case strings.EqualFold(a.name, "robots") || strings.EqualFold(a.name, "googlebot"):
				p.noindex = p.noindex || isNoindex(a.content)
				p.nofollow = p.nofollow || isNofollow(a.content)
			}
		case "img", "source", "video", "audio", "track", "embed", "object", "iframe":
			if a := readAttrs(z); inTempl == 0 { // a <template>'s content loads nothing
				raws = mediaResource(raws, tag, &a)
			}
		case "form":
			a := readAttrs(z)
			method := strings.ToLower(strings.TrimSpace(a.method))
			switch method {
			case "dialog":
				continue
			case "post":
			default:
				method = "get"
			}
			raws = append(raws, rawRef{kind: RefForm, href: a.action, text: method})
		case "template":
			if tt == html.StartTagToken {
				inTempl++
			}
		case "script":
			a := readAttrs(z)
			switch {
			case inTempl > 0 || a.nomodule || !isJavaScript(a.typ):
				// Never runs: a template's content, a script modern
				// browsers skip, a data block.
			case a.hasSrc:
				raws = scriptResource(raws, &a, inHead) // runs the file, not its text
			case p.script == nil && tt == html.StartTagToken && z.Next() == html.TextToken:
				// An inline script's text is the next token.
				if r, ok := readScript(z.Text()); ok {
					p.script = &r
				}
			}
		}
	}
}

// resolve turns the raw references into the page's references, against
// the document's base URL.
func (p page) resolve(pageURL *url.URL, raws []rawRef, baseRef string, hasBase bool, refresh string, hasRefresh bool) page {
	base := pageURL
	if hasBase {
		if b, err := pageURL.Parse(strings.TrimSpace(baseRef)); err == nil {
			base = b
		}
	}
	self, _ := normalizeURL(pageURL)
	baseOrigin := origin(base)
	p.refs = make([]Reference, 0, len(raws)+1)
	for _, raw := range raws {
		if raw.kind == RefForm && strings.TrimSpace(raw.href) == "" {
			// An empty action submits to the document's own URL,
			// whatever the base URL says.
			p.refs = append(p.refs, Reference{Kind: RefForm, Source: self, Target: self, Text: raw.text})
			continue
		}
		target, err := resolveFast(base, baseOrigin, raw.href)
		if err != nil {
			continue
		}
		if raw.kind == RefCanonical && p.canonical == "" {
			p.canonical = target
		}
		p.refs = append(p.refs, Reference{Kind: raw.kind, Nofollow: raw.nofollow, Source: self, Target: target, Text: raw.text})
	}
	if p.nofollow {
		nofollowAll(p.refs)
	}
	if hasRefresh {
		if p.refresh, _ = refreshTo(HopMetaRefresh, refresh, base, self); p.refresh != nil {
			p.refs = append(p.refs, Reference{Kind: RefMetaRefresh, Source: self, Target: p.refresh.URL, Text: p.refresh.Raw})
		}
	}
	// A meta refresh is the page's hop; else an inline script's redirect.
	if s := p.script; s != nil && p.refresh == nil {
		if target, err := Resolve(base, s.href); err == nil && target != self {
			p.refresh = &Refresh{Kind: HopJavaScript, Delay: s.delay, Raw: s.raw, URL: target}
			p.refs = append(p.refs, Reference{Kind: RefJavaScript, Source: self, Target: target, Text: s.raw})
		}
	}
	return p
}

// origin is the normalised scheme and host of u, without the trailing
// slash ("https://example.com"), or "" when u has userinfo.
func origin(u *url.URL) string {
	if u.User != nil {
		return ""
	}
	o, err := normalizeURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(o, "/")
}

// resolveFast resolves the hrefs most links are made of without parsing
// them: a path (and query) of plain characters, path-absolute or
// absolute on the page's own origin, resolves to that origin plus
// itself. Anything else, and anything that would need normalising (dot
// segments, escapes, fragments), goes through Resolve.
func resolveFast(base *url.URL, origin, href string) (string, error) {
	if origin != "" {
		path := ""
		switch {
		case strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//"):
			path = href
		case len(href) > len(origin) && href[len(origin)] == '/' && strings.HasPrefix(href, origin):
			path = href[len(origin):]
		}
		if path != "" && plainPath(path) {
			return origin + path, nil
		}
	}
	return Resolve(base, href)
}

// plainPath reports whether p needs no resolving or normalising: letters,
// digits, "-_~/.=&" and one "?", with no "/." (dot segments) anywhere.
func plainPath(p string) bool {
	query := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '~', c == '=', c == '&':
		case c == '/':
			if i+1 < len(p) && p[i+1] == '.' && !query {
				return false
			}
		case c == '.':
		case c == '?' && !query:
			query = true
		default:
			return false
		}
	}
	return true
}

// nofollowAll marks every link (<a>, <area>) among refs nofollow: the
// page says nofollow in a robots meta tag or X-Robots-Tag.
func nofollowAll(refs []Reference) {
	for i := range refs {
		if refs[i].Kind == RefAnchor || refs[i].Kind == RefArea {
			refs[i].Nofollow = true
		}
	}
}

// nofollowRel reports whether a link's rel attribute asks crawlers not
// to follow it: it holds nofollow, ugc (user-generated content, such as
// comments) or sponsored, as a token of its space-separated,
// case-insensitive list.
func nofollowRel(rel string) bool {
	for _, token := range strings.FieldsFunc(rel, isHTMLSpace) {
		if strings.EqualFold(token, "nofollow") || strings.EqualFold(token, "ugc") || strings.EqualFold(token, "sponsored") {
			return true
		}
	}
	return false
}

// isHTMLSpace reports whether r is ASCII white space, which separates
// the tokens of an HTML attribute (tab, line feed, form feed, carriage
// return, space); other white space is part of a token.
func isHTMLSpace(r rune) bool {
	return r == '\t' || r == '\n' || r == '\f' || r == '\r' || r == ' '
}

// tagAttrs holds the attributes the crawler reads; has says which of
// href and hreflang were present (an empty value still counts).
type tagAttrs struct {
	href, rel, hreflang, alt         string
	httpEquiv, name, content, method string
	action, typ                      string
	hasHref, hasHreflang, hasSrc     bool
	src, srcset, data, poster, media string // of page resources
	async, deferred, nomodule        bool
}

// readAttrs reads the current tag's attributes; the first of a repeated
// name wins, as in the HTML parser.
func readAttrs(z *html.Tokenizer) tagAttrs {
	var a tagAttrs
	var seen uint16
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		var dst *string
		var bit uint16
		switch string(k) {
		case "href":
			dst, bit = &a.href, 1
			a.hasHref = true
		case "rel":
			dst, bit = &a.rel, 2
		case "hreflang":
			dst, bit = &a.hreflang, 4
			a.hasHreflang = true
		case "alt":
			dst, bit = &a.alt, 8
		case "http-equiv":
			dst, bit = &a.httpEquiv, 16
		case "name":
			dst, bit = &a.name, 32
		case "content":
			dst, bit = &a.content, 64
		case "method":
			dst, bit = &a.method, 128
		case "action":
			dst, bit = &a.action, 256
		case "type":
			dst, bit = &a.typ, 512
		case "src":
			dst, bit = &a.src, 1024
			a.hasSrc = true
		case "srcset":
			dst, bit = &a.srcset, 2048
		case "data":
			dst, bit = &a.data, 4096
		case "poster":
			dst, bit = &a.poster, 8192
		case "media":
			dst, bit = &a.media, 16384
		case "async":
			a.async = true
			continue
		case "defer":
			a.deferred = true
			continue
		case "nomodule":
			a.nomodule = true
			continue
		default:
			continue
		}
		if seen&bit == 0 {
			seen |= bit
			*dst = string(v)
		}
	}
	return a
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
func isNoindex(v string) bool { return hasDirective(v, "noindex") }

// isNofollow reads a robots meta tag or X-Robots-Tag value for nofollow,
// as isNoindex does for noindex.
func isNofollow(v string) bool { return hasDirective(v, "nofollow") }

// hasDirective reports whether a robots meta tag or X-Robots-Tag value
// holds the directive want ("noindex" or "nofollow"), or "none", which
// means both.
func hasDirective(v, want string) bool {
	for _, d := range strings.Split(strings.ToLower(v), ",") {
		d = strings.TrimSpace(d)
		if name, after, ok := strings.Cut(d, ":"); ok {
			if valuedDirectives[strings.TrimSpace(name)] {
				continue
			}
			d = strings.TrimSpace(after)
		}
		if d == want || d == "none" {
			return true
		}
	}
	return false
}

// collapse is s with white space collapsed, cut to maxAnchorText runes.
func collapse(s string) string {
	var t text
	t.write(s)
	return t.b.String()
}

// maxTagName is the longest tag name tagName returns: longer than any
// name this package looks for.
const maxTagName = 16

// tagName returns, in buf, the lower-case name of the tag token raw:
// what html.Tokenizer.TagName returns, without the copy of every name
// that it makes. A name longer than maxTagName is returned empty.
func tagName(raw, buf []byte) []byte {
	raw = bytes.TrimPrefix(raw, []byte("<"))
	raw = bytes.TrimPrefix(raw, []byte("/"))
	for _, c := range raw {
		switch c {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			return buf
		}
		if len(buf) == maxTagName {
			return buf[:0]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
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
		var kind RefKind
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
