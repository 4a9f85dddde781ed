package crawler

import (
	"bytes"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

const testPage = "http://example.com/dir/page.html"

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// ref is a reference found on testPage.
func ref(kind RefKind, target, text string) Reference {
	return Reference{Kind: kind, Source: testPage, Target: target, Text: text}
}

func TestExtractPage(t *testing.T) {
	long := strings.Repeat("é", 150)
	tests := []struct {
		name      string
		html      string
		refs      []Reference
		canonical string
		noindex   bool
		refresh   *Refresh
	}{
		{
			name: "anchors",
			html: `<html><body>
<a href="/a">  Hello
   <b>bold</b>	world  </a>
<a href="b.html"><img src="logo.png" alt="Logo"> Home</a>
<a href="/img"><img src="x.png"></a>
<a href="/long">` + long + `</a>
<a>no href</a>
<a name="anchor">named</a>
<area href="/map" alt="Region">
<map><area href="map2"></map>
</body></html>`,
			refs: []Reference{
				ref(RefAnchor, "http://example.com/a", "Hello bold world"),
				ref(RefAnchor, "http://example.com/dir/b.html", "Logo Home"),
				ref(RefImage, "http://example.com/dir/logo.png", ""), // an image in a link is a resource too
				ref(RefAnchor, "http://example.com/img", ""),
				ref(RefImage, "http://example.com/dir/x.png", ""),
				ref(RefAnchor, "http://example.com/long", strings.Repeat("é", 100)),
				ref(RefArea, "http://example.com/map", "Region"),
				ref(RefArea, "http://example.com/dir/map2", ""),
			},
		},
		{
			name: "hrefs resolved and normalised",
			html: `<a href=" /spaced ">s</a>
<a href="HTTP://Example.COM:80/X?Q#frag">abs</a>
<a href="//other.example/p">proto</a>
<a href="../up">up</a>
<a href="?q=1">query</a>
<a href="#top">top</a>
<a href="">empty</a>
<a href="page.html#x">self</a>`,
			refs: []Reference{
				ref(RefAnchor, "http://example.com/spaced", "s"),
				ref(RefAnchor, "http://example.com/X?Q", "abs"),
				ref(RefAnchor, "http://other.example/p", "proto"),
				ref(RefAnchor, "http://example.com/up", "up"),
				ref(RefAnchor, "http://example.com/dir/page.html?q=1", "query"),
				ref(RefAnchor, testPage, "top"),
				ref(RefAnchor, testPage, "empty"),
				ref(RefAnchor, testPage, "self"),
			},
		},
		{
			name: "unusable links skipped",
			html: `<a href="javascript:void(0)">js</a>
<a href="JavaScript:alert(1)">js2</a>
<a href="mailto:a@example.com">mail</a>
<a href="tel:+15550100">tel</a>
<a href="ftp://example.com/f">ftp</a>
<a href="data:text/html,hi">data</a>
<a href="http:///nohost">nohost</a>
<a href="http://exa mple.com/">bad</a>
<a href="/ok">ok</a>`,
			refs: []Reference{ref(RefAnchor, "http://example.com/ok", "ok")},
		},
		{
			name: "base after the links applies to all",
			html: `<html><head><title>t</title></head><body>
<a href="a">a</a>
<base href="http://other.example/base/">
<a href="b">b</a>
<base href="http://third.example/">
<link rel="canonical" href="c">
</body></html>`,
			refs: []Reference{
				ref(RefAnchor, "http://other.example/base/a", "a"),
				ref(RefAnchor, "http://other.example/base/b", "b"),
				ref(RefCanonical, "http://other.example/base/c", ""),
			},
			canonical: "http://other.example/base/c",
		},
		{
			name: "relative base",
			html: `<head><base href=" /sub/ "></head><a href="x">x</a><a href="/root">r</a>`,
			refs: []Reference{
				ref(RefAnchor, "http://example.com/sub/x", "x"),
				ref(RefAnchor, "http://example.com/root", "r"),
			},
		},
		{
			name: "base without href ignored",
			html: `<head><base target="_blank"><base href="/b/"></head><a href="x">x</a>`,
			refs: []Reference{ref(RefAnchor, "http://example.com/b/x", "x")},
		},
		{
			name: "canonical",
			html: `<head>
<link rel="Canonical" href="/c1">
<link rel="CANONICAL" href="/c2">
<link rel="stylesheet" href="/style.css">
<link rel="canonicalx" href="/not">
</head>`,
			refs: []Reference{
				ref(RefCanonical, "http://example.com/c1", ""),
				ref(RefCanonical, "http://example.com/c2", ""),
				ref(RefCSS, "http://example.com/style.css", Blocking), // a resource
			},
			canonical: "http://example.com/c1",
		},
		{
			name:      "canonical among rel tokens",
			html:      `<link rel=" alternate  Canonical " href="https://Example.com:443/c#x">`,
			refs:      []Reference{ref(RefCanonical, "https://example.com/c", "")},
			canonical: "https://example.com/c",
		},
		{
			name:      "canonical that does not resolve is skipped",
			html:      `<link rel="canonical" href="javascript:x"><link rel="canonical" href="/good">`,
			refs:      []Reference{ref(RefCanonical, "http://example.com/good", "")},
			canonical: "http://example.com/good",
		},
		{
			name: "hreflang alternates",
			html: `<head>
<link rel="alternate" hreflang="de" href="/de/">
<link rel="ALTERNATE" hreflang=" x-default " href="/">
<link rel="alternate" href="/feed.xml" type="application/rss+xml">
<link hreflang="fr" href="/fr/">
<link rel="alternate stylesheet" hreflang="en" href="/en.css">
</head>`,
			refs: []Reference{
				ref(RefHreflang, "http://example.com/de/", "de"),
				ref(RefHreflang, "http://example.com/", "x-default"),
				ref(RefHreflang, "http://example.com/en.css", "en"),
			},
		},
		{
			name: "meta refresh",
			html: `<head><meta http-equiv="Refresh" content="0; URL='/next'"></head>`,
			refresh: &Refresh{Kind: HopMetaRefresh, Delay: 0, Raw: "0; URL='/next'",
				URL: "http://example.com/next"},
		},
		{
			name: "meta refresh upper case, against the base",
			html: `<head><base href="/b/"><META HTTP-EQUIV="REFRESH" CONTENT="5;url=next"></head>`,
			refresh: &Refresh{Kind: HopMetaRefresh, Delay: 5, Raw: "5;url=next",
				URL: "http://example.com/b/next"},
		},
		{
			name: "meta refresh to self is none",
			html: `<meta http-equiv="refresh" content="0;url=page.html#top">`,
		},
		{
			name: "meta refresh without URL is none",
			html: `<meta http-equiv="refresh" content="30">`,
		},
		{
			// A value that fails the refresh steps does not count: the
			// next meta refresh is read.
			name: "unparseable meta refresh, then a good one",
			html: `<meta http-equiv="refresh" content="soon"><meta http-equiv="refresh" content="1;url=/second">`,
			refresh: &Refresh{Kind: HopMetaRefresh, Delay: 1, Raw: "1;url=/second",
				URL: "http://example.com/second"},
		},
		{
			name: "only the first meta refresh counts",
			html: `<meta http-equiv="refresh" content="0;url=/first"><meta http-equiv="refresh" content="0;url=/second">`,
			refresh: &Refresh{Kind: HopMetaRefresh, Delay: 0, Raw: "0;url=/first",
				URL: "http://example.com/first"},
		},
		{
			name: "meta with other http-equiv",
			html: `<meta http-equiv="content-type" content="0;url=/x"><meta name="refresh" content="0;url=/y">`,
		},
		{
			name:    "meta robots noindex",
			html:    `<meta name="robots" content="noindex">`,
			noindex: true,
		},
		{
			name:    "meta googlebot none",
			html:    `<meta name="googlebot" content="none">`,
			noindex: true,
		},
		{
			name:    "meta robots noindex, nofollow, upper case",
			html:    `<meta name="ROBOTS" content="NOINDEX, nofollow">`,
			noindex: true,
		},
		{
			name: "meta robots index",
			html: `<meta name="robots" content="index, follow"><meta name="robots" content="nofollow">`,
		},
		{
			name:    "meta robots: one of several",
			html:    `<meta name="robots" content="all"><meta name="googlebot" content="noindex">`,
			noindex: true,
		},
		{
			name: "meta robots of another crawler",
			html: `<meta name="bingbot" content="noindex"><meta name="description" content="noindex">`,
		},
		{
			name: "forms",
			html: `<form method="post" action="/submit"></form>
<form method="POST" action="/upper"></form>
<form method=" Post " action="/spaced"></form>
<form method="get" action="/search"></form>
<form action="/nomethod"></form>
<form method="put" action="/put"></form>
<form method="dialog" action="/dialog"></form>
<form method="DIALOG"></form>
<form method="post" action="javascript:void(0)"></form>
<form method="post" action="mailto:a@example.com"></form>`,
			refs: []Reference{
				ref(RefForm, "http://example.com/submit", "post"),
				ref(RefForm, "http://example.com/upper", "post"),
				ref(RefForm, "http://example.com/spaced", "post"),
				ref(RefForm, "http://example.com/search", "get"),
				ref(RefForm, "http://example.com/nomethod", "get"),
				ref(RefForm, "http://example.com/put", "get"), // invalid value: the GET state
			},
		},
		{
			// HTML: an empty action is the form document's URL, not the
			// base URL; other relative actions resolve against the base.
			name: "form actions with a base",
			html: `<head><base href="http://other.example/base/"></head>
<form method="post"></form>
<form action=""></form>
<form method="post" action="   "></form>
<form action="rel"></form>
<form action="#frag"></form>`,
			refs: []Reference{
				ref(RefForm, testPage, "post"),
				ref(RefForm, testPage, "get"),
				ref(RefForm, testPage, "post"),
				ref(RefForm, "http://other.example/base/rel", "get"),
				ref(RefForm, "http://other.example/base/", "get"),
			},
		},
		{
			name: "everything in document order",
			html: `<html><head>
<link rel="canonical" href="/canon">
<link rel="alternate" hreflang="en" href="/en/">
<meta http-equiv="refresh" content="3;url=/later">
<meta name="robots" content="noindex,follow">
</head><body>
<a href="/one">One</a>
<form method="post" action="/login"></form>
<a href="/two">Two</a>
</body></html>`,
			refs: []Reference{
				ref(RefCanonical, "http://example.com/canon", ""),
				ref(RefHreflang, "http://example.com/en/", "en"),
				ref(RefAnchor, "http://example.com/one", "One"),
				ref(RefForm, "http://example.com/login", "post"),
				ref(RefAnchor, "http://example.com/two", "Two"),
			},
			canonical: "http://example.com/canon",
			noindex:   true,
			refresh: &Refresh{Kind: HopMetaRefresh, Delay: 3, Raw: "3;url=/later",
				URL: "http://example.com/later"},
		},
		{
			name: "not HTML at all",
			html: "\x00\x01\xff plain bytes, no tags",
		},
		{
			// rel is a list of tokens split at ASCII white space, in any
			// letter case; nofollow, ugc and sponsored mark a link the
			// crawl does not follow. Not on link or form elements.
			name: "nofollow links",
			html: `<a rel="nofollow" class="comment-reply-link" href="/p/?replytocom=2#respond">Reply</a>
<a href="https://spam.example/" rel='external NoFollow ugc'>Bob</a>
<a rel="UGC" href="/ugc">ugc</a>
<a rel="noopener sponsored" href="/ad">ad</a>
<a rel="	nofollow
" href="/tabbed">tabbed</a>
<a rel="nofollow-ish no-follow follow" href="/followed">followed</a>
<a rel="nofollow` + "\u00a0" + `" href="/nbsp">no-break space is part of the token</a>
<a rel="" href="/empty-rel">empty</a>
<area rel="nofollow" href="/area" alt="region">
<area href="/area-followed">
<link rel="canonical nofollow" href="/canon">
<form action="/search" rel="nofollow"></form>`,
			refs: []Reference{
				{Kind: RefAnchor, Nofollow: true, Source: testPage, Target: "http://example.com/p/?replytocom=2", Text: "Reply"},
				{Kind: RefAnchor, Nofollow: true, Source: testPage, Target: "https://spam.example/", Text: "Bob"},
				{Kind: RefAnchor, Nofollow: true, Source: testPage, Target: "http://example.com/ugc", Text: "ugc"},
				{Kind: RefAnchor, Nofollow: true, Source: testPage, Target: "http://example.com/ad", Text: "ad"},
				{Kind: RefAnchor, Nofollow: true, Source: testPage, Target: "http://example.com/tabbed", Text: "tabbed"},
				ref(RefAnchor, "http://example.com/followed", "followed"),
				ref(RefAnchor, "http://example.com/nbsp", "no-break space is part of the token"),
				ref(RefAnchor, "http://example.com/empty-rel", "empty"),
				{Kind: RefArea, Nofollow: true, Source: testPage, Target: "http://example.com/area", Text: "region"},
				ref(RefArea, "http://example.com/area-followed", ""),
				ref(RefCanonical, "http://example.com/canon", ""),
				ref(RefForm, "http://example.com/search", "get"),
			},
			canonical: "http://example.com/canon",
		},
		{
			name: "meta robots nofollow makes every link of the page nofollow",
			html: `<head><meta name="robots" content="noindex, NOFOLLOW"><link rel="canonical" href="/canon"></head>
<a href="/a">a</a><area href="/area"><form action="/f"></form>`,
			refs: []Reference{
				ref(RefCanonical, "http://example.com/canon", ""),
				{Kind: RefAnchor, Nofollow: true, Source: testPage, Target: "http://example.com/a", Text: "a"},
				{Kind: RefArea, Nofollow: true, Source: testPage, Target: "http://example.com/area"},
				ref(RefForm, "http://example.com/f", "get"),
			},
			canonical: "http://example.com/canon",
			noindex:   true,
		},
		{
			name:    "meta robots none is noindex and nofollow",
			html:    `<meta name="googlebot" content="none"><a href="/a">a</a>`,
			refs:    []Reference{{Kind: RefAnchor, Nofollow: true, Source: testPage, Target: "http://example.com/a", Text: "a"}},
			noindex: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := new(extractor).page(mustParse(t, testPage), []byte(tc.html))
			if err != nil {
				t.Fatal(err)
			}
			// References to the refresh target are checked by
			// TestExtractPageRefreshReference.
			var refs []Reference
			for _, r := range p.refs {
				if r.Kind != RefMetaRefresh {
					refs = append(refs, r)
				}
			}
			if !reflect.DeepEqual(refs, tc.refs) {
				t.Errorf("refs:\n got %v\nwant %v", refs, tc.refs)
			}
			if p.canonical != tc.canonical {
				t.Errorf("canonical = %q; want %q", p.canonical, tc.canonical)
			}
			if p.noindex != tc.noindex {
				t.Errorf("noindex = %v; want %v", p.noindex, tc.noindex)
			}
			if !reflect.DeepEqual(p.refresh, tc.refresh) {
				t.Errorf("refresh = %+v; want %+v", p.refresh, tc.refresh)
			}
		})
	}
}

// TestAnchorText: the text a link shows, white space collapsed, an image's
// alt text in its place, at most maxAnchorText runes. Elements do not
// separate words: "one<em>two</em>" reads "onetwo" (its textContent).
func TestAnchorText(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"plain", "Home", "Home"},
		{"white space", "  a\n\t b\r\n  c  ", "a b c"},
		{"entities", "a&amp;&#32;b&nbsp;c", "a& b c"}, // NBSP is white space too
		{"nested", "<span>one <em>two</em></span> three", "one two three"},
		{"image alt", `<img src=x alt=" Logo  text "> Home`, "Logo text Home"},
		{"image without alt", `<img src=x>`, ""},
		{"nested image", `<span><img alt="A"></span>`, "A"},
		{"comment skipped", "a<!-- hidden -->b c", "ab c"},
		{"inline elements do not split words", "one<em>two</em> three", "onetwo three"},
		{"split word", "Bl<b>u</b>e", "Blue"},
		{"indented icon before the text", "<svg viewBox=\"0 0 9 9\">" + strings.Repeat("\n        <path d=\"M0 0\"/>", 80) + "\n      </svg>\n      Read more", "Read more"},
		{"cap", strings.Repeat("x", 150), strings.Repeat("x", 100)},
		{"cap counts runes", strings.Repeat("日本", 80), strings.Repeat("日本", 50)},
		{"cap after collapsing", strings.Repeat("a  ", 60), strings.TrimSpace(strings.Repeat("a ", 50))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := new(extractor).page(mustParse(t, testPage), []byte(`<a href="/x">`+tc.html+`</a>`))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.refs) == 0 || p.refs[0].Kind != RefAnchor || len(p.refs) > 1 && p.refs[1].Kind != RefImage {
				t.Fatalf("refs = %v; want the link, and its image if it has one", p.refs)
			}
			if got := p.refs[0].Text; got != tc.want {
				t.Errorf("anchor text = %q; want %q", got, tc.want)
			}
		})
	}
}

// TestAreaText: an <area>'s alt text is its anchor text, collapsed and
// capped like a link's.
func TestAreaText(t *testing.T) {
	tests := []struct{ alt, want string }{
		{"Region", "Region"},
		{" North \n side ", "North side"},
		{strings.Repeat("y", 300), strings.Repeat("y", 100)},
	}
	for _, tc := range tests {
		p, err := new(extractor).page(mustParse(t, testPage), []byte(`<map><area href="/m" alt="`+tc.alt+`"></map>`))
		if err != nil {
			t.Fatal(err)
		}
		if len(p.refs) != 1 || p.refs[0].Text != tc.want {
			t.Errorf("area alt %q: refs %v; want text %q", tc.alt, p.refs, tc.want)
		}
	}
}

// TestExtractPageFirstRefreshWins follows the shared declarative refresh
// steps: step 1 returns when the document "will declaratively refresh",
// and step 12 sets that flag after any value that parsed, including a
// refresh of the page itself. So a later meta refresh never runs.
func TestExtractPageFirstRefreshWins(t *testing.T) {
	tests := []struct{ name, html string }{
		{"reload first", `<meta http-equiv="refresh" content="30"><meta http-equiv="refresh" content="0;url=/other">`},
		{"self first", `<meta http-equiv="refresh" content="0;url=page.html"><meta http-equiv="refresh" content="0;url=/other">`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := new(extractor).page(mustParse(t, testPage), []byte(tc.html))
			if err != nil {
				t.Fatal(err)
			}
			if p.refresh != nil {
				t.Errorf("refresh = %+v; want none: the first meta refresh reloads the page and the second never runs", p.refresh)
			}
		})
	}
}

// TestExtractPageRefreshReference: a meta refresh to another URL is a
// reference of kind RefMetaRefresh from the page (issue 2: "References
// parsed ... from each internal HTML page: ... meta http-equiv=refresh").
func TestExtractPageRefreshReference(t *testing.T) {
	p, err := new(extractor).page(mustParse(t, testPage), []byte(`<meta http-equiv="refresh" content="0;url=/next"><a href="/a">a</a>`))
	if err != nil {
		t.Fatal(err)
	}
	var got []Reference
	for _, r := range p.refs {
		if r.Kind == RefMetaRefresh {
			got = append(got, Reference{Kind: r.Kind, Source: r.Source, Target: r.Target})
		}
	}
	want := []Reference{{Kind: RefMetaRefresh, Source: testPage, Target: "http://example.com/next"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("meta refresh references = %v; want %v (all refs: %v)", got, want, p.refs)
	}
}

func TestLinkHeader(t *testing.T) {
	base := mustParse(t, testPage)
	tests := []struct {
		name   string
		header string
		want   []Reference
	}{
		{"empty", "", nil},
		{"canonical", `<https://example.com/c>; rel="canonical"`,
			[]Reference{ref(RefCanonical, "https://example.com/c", "")}},
		{"unquoted, relative", `</c>; rel=canonical`,
			[]Reference{ref(RefCanonical, "http://example.com/c", "")}},
		{"several links", `<https://example.com/de/>; rel="alternate"; hreflang="de", </fr/>; rel=alternate; hreflang=fr, <x-default>; rel="alternate"; hreflang="x-default"`,
			[]Reference{
				ref(RefHreflang, "https://example.com/de/", "de"),
				ref(RefHreflang, "http://example.com/fr/", "fr"),
				ref(RefHreflang, "http://example.com/dir/x-default", "x-default"),
			}},
		{"comma inside the URL", `<https://example.com/a,b>; rel="canonical"`,
			[]Reference{ref(RefCanonical, "https://example.com/a,b", "")}},
		{"comma and semicolon inside quotes", `</style.css>; rel="preload"; title="a, b; c", </c>; rel=canonical`,
			[]Reference{ref(RefCanonical, "http://example.com/c", "")}},
		{"quoted title then hreflang", `</en/>; rel="alternate"; title="x;y,z"; hreflang="en"`,
			[]Reference{ref(RefHreflang, "http://example.com/en/", "en")}},
		{"rel list", `</c>; rel="Canonical Alternate"`,
			[]Reference{ref(RefCanonical, "http://example.com/c", "")}},
		{"rel list with hreflang", `</es/>; rel="next alternate"; hreflang="es"`,
			[]Reference{ref(RefHreflang, "http://example.com/es/", "es")}},
		{"parameter names in any case, spaces", `</c> ;  REL = "canonical" `,
			[]Reference{ref(RefCanonical, "http://example.com/c", "")}},
		{"alternate without hreflang", `</feed>; rel="alternate"; type="application/rss+xml"`, nil},
		{"other rel", `</s.css>; rel=stylesheet, </n>; rel=next`, nil},
		{"no rel", `</c>`, nil},
		{"garbage first", `garbage, ; rel=canonical, </c>; rel=canonical`,
			[]Reference{ref(RefCanonical, "http://example.com/c", "")}},
		{"unterminated", `<https://example.com/c; rel=canonical`, nil},
		{"not http", `<mailto:a@example.com>; rel=canonical, <javascript:x>; rel=canonical`, nil},
		{"fragment dropped", `<https://EXAMPLE.com:443/c#x>; rel=canonical`,
			[]Reference{ref(RefCanonical, "https://example.com/c", "")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := linkHeader(tc.header, base, testPage)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("linkHeader(%q):\n got %v\nwant %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestIsNoindex(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"noindex", true},
		{"NOINDEX", true},
		{" noindex ", true},
		{"none", true},
		{"None", true},
		{"noindex, nofollow", true},
		{"nofollow,noindex", true},
		{"index, follow, noarchive", false},
		{"googlebot: noindex", true},
		{"googlebot:noindex, nofollow", true},
		{"GoogleBot: NONE", true},
		{"googlebot: nofollow", false},
		{"unavailable_after: 25 Jun 2010 15:00:00 PST", false},
		{"googlebot: unavailable_after: 25 Jun 2010 15:00:00 PST", false},
		{"max-snippet: 0, max-image-preview:none", false},
		{"noindexing", false},
		{"nonempty", false},
		{"all", false},
		{"", false},
		{",,", false},
	}
	for _, tc := range tests {
		if got := isNoindex(tc.in); got != tc.want {
			t.Errorf("isNoindex(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

func FuzzExtractPage(f *testing.F) {
	f.Add([]byte(`<base href="/b/"><a href="x">x</a><link rel=canonical href=c><meta http-equiv=refresh content="0;url=/n"><form method=post></form>`))
	f.Add([]byte(`<a href="#">` + strings.Repeat("<b>", 50) + "text"))
	f.Add([]byte("\xff\xfe<\x00a href=\x00>"))
	f.Add([]byte(`<svg><a href="/svg">s</a></svg><math><a href="javascript:x">m</a></math><template><a href="/t">t</a></template>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := new(extractor).page(mustParse(t, testPage), body)
		if err != nil {
			return
		}
		for _, r := range p.refs {
			if r.Source != testPage {
				t.Fatalf("reference %+v: source is not the page", r)
			}
			if n, err := Normalize(r.Target); err != nil || n != r.Target {
				t.Fatalf("reference %+v: target not normalised (%q, %v)", r, n, err)
			}
			if r.Kind == RefAnchor && len([]rune(r.Text)) > maxAnchorText {
				t.Fatalf("anchor text of %d runes", len([]rune(r.Text)))
			}
		}
		if p.refresh != nil && (p.refresh.URL == "" || p.refresh.URL == testPage || p.refresh.Delay < 0) {
			t.Fatalf("refresh %+v", p.refresh)
		}
	})
}

// FuzzResolveFast: the fast path gives what Resolve gives, for any href
// on a few kinds of page URL.
func FuzzResolveFast(f *testing.F) {
	for _, href := range []string{"/a/b", "/a/./b", "/a/../b", "/p?q=1&r=2", "/x#f", "/%41", "//other.test/x",
		"http://Example.com:80/a", "http://example.com/a?b", "/a/.b", "/a?/.", "/a?x?y", "/~u/", "/a b", "/é"} {
		f.Add(href)
	}
	bases := []string{"http://example.com/dir/page.html", "https://Example.COM:443/", "http://example.com:8080/a/", "http://u:p@example.com/"}
	f.Fuzz(func(t *testing.T, href string) {
		for _, b := range bases {
			base, err := url.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			want, werr := Resolve(base, href)
			got, gerr := resolveFast(base, origin(base), href)
			if (werr == nil) != (gerr == nil) || got != want {
				t.Errorf("resolveFast(%q, %q) = %q, %v; Resolve gives %q, %v", b, href, got, gerr, want, werr)
			}
		}
	})
}

// FuzzTagName: tagName reads from the raw token the name that
// html.Tokenizer.TagName returns, for every tag of any page (a name with
// NUL, which TagName rewrites and no tag of interest has, aside).
func FuzzTagName(f *testing.F) {
	f.Add([]byte(`<A HREF=x>t</A ><link/rel=canonical><Meta	name=robots><br/><div
class=x></DIV\f><figcaption>`))
	f.Add([]byte(`<abcdefghijklmnopq x=1></abcdefghijklmnop><p/><a>`))
	f.Add([]byte("<\x00a href=\x00><a\x00b></a\xc3\xa9><ÄREA href=/>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		z := html.NewTokenizer(bytes.NewReader(body))
		var buf [maxTagName]byte
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken && tt != html.EndTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			raw := string(z.Raw())
			got := string(tagName(z.Raw(), buf[:0]))
			want, _ := z.TagName()
			switch {
			case bytes.Contains(want, []byte("\ufffd")) && strings.Contains(raw, "\x00"):
			case len(want) > maxTagName:
				if got != "" {
					t.Fatalf("tagName(%q) = %q; want \"\" for a name of %d bytes", raw, got, len(want))
				}
			case got != string(want):
				t.Fatalf("tagName(%q) = %q; TagName says %q", raw, got, want)
			}
		}
	})
}
