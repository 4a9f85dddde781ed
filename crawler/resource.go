package crawler

import (
	"mime"
	"strings"
)

// Resource reports whether a reference of this kind is a page resource:
// a file the browser loads to show the page (an image, a stylesheet, a
// script, a frame, media, an icon, a manifest, a preload), rather than a
// URL the visitor or a search engine goes to.
func (k RefKind) Resource() bool {
	switch k {
	case RefAudio, RefCSS, RefEmbed, RefIcon, RefIframe, RefImage, RefManifest, RefObject,
		RefPreload, RefScript, RefSource, RefTrack, RefVideo:
		return true
	}
	return false
}

// Blocking is the Text of a resource reference that holds up the first
// paint of its page: a stylesheet, a script in the <head> without async,
// defer or type=module, a preload.
const Blocking = "render-blocking"

// headElements may stand in a document's <head>: any other start tag
// ends it (HTML standard, "in head" insertion mode), as <body> and
// </head> do.
var headElements = map[string]bool{
	"html": true, "head": true, "title": true, "meta": true, "link": true, "base": true,
	"script": true, "style": true, "noscript": true, "template": true,
}

// mediaResource appends the resources of an <img>, <source>, <video>,
// <audio>, <track>, <embed>, <object> or <iframe> tag with attributes
// a to raws.
func mediaResource(raws []rawRef, tag string, a *tagAttrs) []rawRef {
	var kind RefKind
	switch tag {
	case "img":
		kind = RefImage
	case "source":
		kind = RefSource
	case "video":
		kind = RefVideo
	case "audio":
		kind = RefAudio
	case "track":
		kind = RefTrack
	case "embed":
		kind = RefEmbed
	case "iframe":
		kind = RefIframe
	case "object":
		return resourceRef(raws, RefObject, a.data, "")
	default:
		return raws
	}
	raws = resourceRef(raws, kind, a.src, "")
	if kind == RefVideo {
		raws = resourceRef(raws, kind, a.poster, "poster")
	}
	if a.srcset != "" && (kind == RefImage || kind == RefSource) {
		for _, u := range srcsetURLs(a.srcset) {
			raws = resourceRef(raws, kind, u, "")
		}
	}
	return raws
}

// linkResource appends the resource of a <link> whose rel tokens are
// rel, if it loads one: a stylesheet (render-blocking unless it is an
// alternate stylesheet or for print only), an icon, a manifest, a
// preload or modulepreload (render-blocking: the browser fetches it at
// once, as the page needs it early).
func linkResource(raws []rawRef, rel []string, a *tagAttrs) []rawRef {
	has := func(token string) bool {
		for _, r := range rel {
			if r == token {
				return true
			}
		}
		return false
	}
	switch {
	case has("stylesheet"):
		text := Blocking
		if has("alternate") || strings.EqualFold(strings.TrimSpace(a.media), "print") {
			text = ""
		}
		return resourceRef(raws, RefCSS, a.href, text)
	case has("preload"), has("modulepreload"):
		return resourceRef(raws, RefPreload, a.href, Blocking)
	case has("icon"), has("apple-touch-icon"), has("apple-touch-icon-precomposed"), has("mask-icon"):
		return resourceRef(raws, RefIcon, a.href, "")
	case has("manifest"):
		return resourceRef(raws, RefManifest, a.href, "")
	}
	return raws
}

// scriptResource appends the file of a <script src> that runs (the
// caller checks its type and nomodule): render-blocking in the <head>
// unless async, defer or a module.
func scriptResource(raws []rawRef, a *tagAttrs, inHead bool) []rawRef {
	text := ""
	if inHead && !a.async && !a.deferred && !strings.EqualFold(strings.TrimSpace(a.typ), "module") {
		text = Blocking
	}
	return resourceRef(raws, RefScript, a.src, text)
}

// resourceRef appends a resource at href, unless href is empty: an
// empty src loads nothing.
func resourceRef(raws []rawRef, kind RefKind, href, text string) []rawRef {
	if strings.TrimFunc(href, isHTMLSpace) == "" {
		return raws
	}
	return append(raws, rawRef{kind: kind, href: href, text: text})
}

// srcsetURLs returns the URLs of a srcset attribute: image candidates
// separated by commas, each a URL and optional descriptors ("1x",
// "480w"). A URL may hold commas but not end with one (HTML standard,
// "parse a srcset attribute").
func srcsetURLs(s string) []string {
	var urls []string
	for i := 0; i < len(s); {
		for i < len(s) && (isHTMLSpace(rune(s[i])) || s[i] == ',') {
			i++
		}
		start := i
		for i < len(s) && !isHTMLSpace(rune(s[i])) {
			i++
		}
		u := s[start:i]
		if strings.HasSuffix(u, ",") {
			urls = append(urls, strings.TrimRight(u, ","))
			continue // no descriptors
		}
		if u != "" {
			urls = append(urls, u)
		}
		// Descriptors, up to the next comma outside parentheses.
		for depth := 0; i < len(s) && (s[i] != ',' || depth > 0); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth = max(depth-1, 0)
			}
		}
	}
	return urls
}

// mayBeHTML reports whether a resource's answer may be an HTML page,
// whose body the crawl reads: a 2xx whose Content-Type says HTML, or
// says nothing (the body tells).
func mayBeHTML(status int, contentType string) bool {
	if status < 200 || status > 299 {
		return false
	}
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}
