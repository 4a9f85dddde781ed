package crawler

import (
	"reflect"
	"testing"
)

// TestExtractResources: every resource syntax of a page, with its kind,
// and whether it blocks rendering; decoys are no resource.
func TestExtractResources(t *testing.T) {
	html := `<!doctype html><html><head>
<base href="/base/">
<link rel="stylesheet" href="a.css">
<link rel="STYLESHEET" href="print.css" media=" print ">
<link rel="alternate stylesheet" href="alt.css">
<link rel="shortcut icon" href="/favicon.ico">
<link rel="apple-touch-icon" href="/touch.png">
<link rel="manifest" href="/m.json">
<link rel="preload" href="/f.woff2" as="font">
<link rel="modulepreload" href="/m.js">
<link rel="alternate" href="/feed.xml" type="application/rss+xml">
<link rel="dns-prefetch" href="//cdn.example.com">
<script src="/head.js"></script>
<script async src="/async.js"></script>
<script defer src="/defer.js"></script>
<script type="module" src="/module.js"></script>
<script src=""></script>
<script>document.write("<img src=/decoy-in-script.png>")</script>
</head>
<body>
<script src="/body.js"></script>
<img src="/i.png" srcset="/i-1x.png 1x,/i-2x.png 2x, /i,3x.png 3x">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<img src="">
<img alt="no src">
<picture><source srcset="/p.webp 800w, /p-small.webp" type="image/webp"><img src="/p.jpg"></picture>
<video src="/v.mp4" poster="/poster.jpg"><source src="/v.webm" type="video/webm"><track src="/v.vtt" kind="captions"></video>
<audio src="/a.mp3"></audio>
<embed src="/e.swf"><object data="/o.pdf"></object><iframe src="/frame.html"></iframe>
<svg><image href="/svg.png"/><use href="#i"/></svg>
<!-- <img src="/commented.png"> -->
<a href="/i.png">a link to an image</a>
</body></html>`
	p, err := new(extractor).page(mustParse(t, testPage), []byte(html))
	if err != nil {
		t.Fatal(err)
	}
	var got []Reference
	for _, r := range p.refs {
		if r.Kind.Resource() {
			got = append(got, r)
		}
	}
	e := "http://example.com"
	want := []Reference{
		ref(RefCSS, e+"/base/a.css", Blocking),
		ref(RefCSS, e+"/base/print.css", ""),
		ref(RefCSS, e+"/base/alt.css", ""),
		ref(RefIcon, e+"/favicon.ico", ""),
		ref(RefIcon, e+"/touch.png", ""),
		ref(RefManifest, e+"/m.json", ""),
		ref(RefPreload, e+"/f.woff2", Blocking),
		ref(RefPreload, e+"/m.js", Blocking),
		ref(RefScript, e+"/head.js", Blocking),
		ref(RefScript, e+"/async.js", ""),
		ref(RefScript, e+"/defer.js", ""),
		ref(RefScript, e+"/module.js", ""),
		ref(RefScript, e+"/body.js", ""),
		ref(RefImage, e+"/i.png", ""),
		ref(RefImage, e+"/i-1x.png", ""),
		ref(RefImage, e+"/i-2x.png", ""),
		ref(RefImage, e+"/i,3x.png", ""),
		ref(RefSource, e+"/p.webp", ""),
		ref(RefSource, e+"/p-small.webp", ""),
		ref(RefImage, e+"/p.jpg", ""),
		ref(RefVideo, e+"/v.mp4", ""),
		ref(RefVideo, e+"/poster.jpg", "poster"),
		ref(RefSource, e+"/v.webm", ""),
		ref(RefTrack, e+"/v.vtt", ""),
		ref(RefAudio, e+"/a.mp3", ""),
		ref(RefEmbed, e+"/e.swf", ""),
		ref(RefObject, e+"/o.pdf", ""),
		ref(RefIframe, e+"/frame.html", ""),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resources:\n got %v\nwant %v", got, want)
	}
}

// TestHeadEnds: a script is in the <head> until </head>, <body>, or an
// element that belongs to the body.
func TestHeadEnds(t *testing.T) {
	for _, tc := range []struct{ name, html, text string }{
		{"head", `<head><script src="/s.js"></script></head>`, Blocking},
		{"no head tag", `<title>t</title><script src="/s.js"></script>`, Blocking},
		{"after head", `<head></head><script src="/s.js"></script>`, ""},
		{"after body", `<body><script src="/s.js"></script>`, ""},
		{"after content", `<title>t</title><p>text</p><script src="/s.js"></script>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := new(extractor).page(mustParse(t, testPage), []byte(tc.html))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.refs) != 1 || p.refs[0].Kind != RefScript || p.refs[0].Text != tc.text {
				t.Errorf("refs %v, want one script with text %q", p.refs, tc.text)
			}
		})
	}
}

func TestSrcsetURLs(t *testing.T) {
	for in, want := range map[string][]string{
		"a.png":                             {"a.png"},
		"a.png 1x, b.png 2x":                {"a.png", "b.png"},
		"a.png,b.png":                       {"a.png,b.png"},
		"a.png, b.png":                      {"a.png", "b.png"},
		" a,1.png 1x ,b.png 480w ":          {"a,1.png", "b.png"},
		"a.png 1x (odd, descriptor), b.png": {"a.png", "b.png"},
		"":                                  nil,
		" , ":                               nil,
	} {
		if got := srcsetURLs(in); !reflect.DeepEqual(got, want) {
			t.Errorf("srcsetURLs(%q) = %q, want %q", in, got, want)
		}
	}
}
