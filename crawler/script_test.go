package crawler

import (
	"strings"
	"testing"
)

func TestReadScript(t *testing.T) {
	for _, tc := range []struct {
		src   string
		href  string // "" = no redirect
		delay float64
	}{
		{src: `location = "/a"`, href: "/a"},
		{src: `window.location = '/b';`, href: "/b"},
		{src: `document.location.href = "/c"`, href: "/c"},
		{src: "self.location=`/d`", href: "/d"},
		{src: `top.location.href='https://other.test/e'`, href: "https://other.test/e"},
		{src: `location.replace("/f")`, href: "/f"},
		{src: `window.location.assign('/g?x=1&y=2')`, href: "/g?x=1&y=2"},
		{src: `setTimeout(function () { window.location.href = "/h"; }, 3000);`, href: "/h", delay: 3},
		{src: `window.setTimeout(() => location.replace('/i'), 0)`, href: "/i"},
		{src: `setTimeout(() => { location = "/j" })`, href: "/j"},
		{src: `var a = 1; /* location = "/no" */ location = "\/k\u002fl\x2e";`, href: "/k/l."},
		{src: "var re = /location = '\\/no'/g; location.href = '/m'", href: "/m"},
		{src: "// location = '/no'\nlocation = '/n' // after a comment", href: "/n"},
		{src: `location = "/first"; location = "/second"`, href: "/first"},
		{src: "location = 'line\\\ncontinued'", href: "linecontinued"},
		{src: `parent.location.href = "/parent"`, href: "/parent"},
		{src: `(function () { location.replace("/iife") })();`, href: "/iife"},
		{src: `(() => { window.location = "/arrow-iife" })()`, href: "/arrow-iife"},
		{src: `function go() { location.replace("/called") } go();`, href: "/called"},
		{src: `go(); function go() { step() } function step() { location = "/deep" }`, href: "/deep"},
		{src: `try { window.top.location.href = "/try" } catch (e) {}`, href: "/try"},
		{src: `{ location = "/block" }`, href: "/block"},
		{src: `window.onload = function () { location = "/onload" }`, href: "/onload"},
		{src: `document.addEventListener("DOMContentLoaded", () => location.replace("/ready"))`, href: "/ready"},
		{src: `window.addEventListener('load', function () { setTimeout(function () { location = "/late" }, 1500) })`, href: "/late", delay: 1.5},
		{src: `jQuery(document).ready(function ($) { window.location.href = "/jquery" })`, href: "/jquery"},
		{src: `$(function () { location.replace("/dollar") })`, href: "/dollar"},
		{src: `function go(to) { location = "/param" } go(x);`, href: "/param"},
		{src: `function go() { location = "/named" } window.onload = go;`, href: "/named"},
		{src: `function go() { location = "/listener" } document.addEventListener("DOMContentLoaded", go)`, href: "/listener"},

		// Decoys: no redirect on load.
		{src: `var here = location.href;`},
		{src: `if (location.href == "/x") { console.log(1) }`},
		{src: `// location = "/comment"`},
		{src: `/* location.replace("/comment") */`},
		{src: `var s = "location = '/string'";`},
		{src: "var t = `location.href = '/template'`;"},
		{src: `function go() { location = "/function" }`},
		{src: `var go = function () { location.replace("/function") };`},
		{src: `document.getElementById("b").onclick = function () { location = "/click" }`},
		{src: `if (mobile) { location = "/m" }`},
		{src: "location = `/t/${id}`"},
		{src: `location = base + "/x"`},
		{src: `location.reload()`},
		{src: `location.replace(url)`},
		{src: `setTimeout(go, 1000)`},
		{src: `setTimeout(function () { location = "/x" }, delay)`},
		{src: `location = "/broken" +`}, // does not parse
		{src: `var locationName = "/x"; locations = "/y"`},
		{src: `foo.location = "/y"`},
		{src: `function never() { location = "/never" }`},
		{src: `document.addEventListener("click", function () { location = "/click" })`},
		{src: `var f = function () { location = "/unused" };`},
		{src: `function f() { f() } f();`}, // recursion ends
		{src: `try { x() } catch (e) { location = "/catch" }`},
		{src: `setTimeout("location = '/string'", 10)`},
		{src: `$("#b").click(function () { location = "/click" })`},
	} {
		r, ok := readScript([]byte(tc.src))
		switch {
		case tc.href == "" && ok:
			t.Errorf("%q: a redirect to %q", tc.src, r.href)
		case tc.href != "" && (!ok || r.href != tc.href || r.delay != tc.delay):
			t.Errorf("%q: redirect %+v, %v; want %q after %vs", tc.src, r, ok, tc.href, tc.delay)
		case ok && r.raw == "":
			t.Errorf("%q: no raw statement", tc.src)
		}
	}
	// The statement kept for the reports is cut.
	long := `location = "/` + strings.Repeat("x", 1000) + `"`
	if r, ok := readScript([]byte(long)); !ok || len(r.raw) > maxScriptRaw+len("…") {
		t.Errorf("long statement: %d bytes, %v", len(r.raw), ok)
	}
}

func TestIsJavaScript(t *testing.T) {
	for typ, want := range map[string]bool{
		"": true, " ": true, "text/javascript": true, "TEXT/JavaScript; charset=utf-8": true,
		"application/javascript": true, "module": true, "Module": true, "text/ecmascript": true,
		"application/ld+json": false, "text/template": false, "text/x-template": false,
		"text/plain": false, "importmap": false, "speculationrules": false,
	} {
		if got := isJavaScript(typ); got != want {
			t.Errorf("isJavaScript(%q) = %v, want %v", typ, got, want)
		}
	}
}

// TestExtractScriptKeepsPage: reading an inline script leaves the rest
// of the page as it was (the JavaScript parser once wrote a NUL into the
// tokenizer's buffer, turning the </script> after it into text); a
// nomodule script, which modern browsers skip, and the scripts and
// resources inside a <template> are neither a redirect nor resources,
// nor is a script of another type.
func TestExtractScriptKeepsPage(t *testing.T) {
	page := func(html string) page {
		t.Helper()
		p, err := new(extractor).page(mustParse(t, testPage), []byte(html))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := page(`<a href="/x"><script>location.href="/y"</script>text</a>`)
	if len(p.refs) == 0 || p.refs[0].Text != "text" {
		t.Errorf("refs %+v: the anchor's text is not %q", p.refs, "text")
	}
	for _, html := range []string{
		`<script nomodule>window.location.href = "/unsupported-browser"</script>`,
		`<head><script nomodule src="/legacy.js"></script></head>`,
		`<template><img src="/tpl.png"><iframe src="/frame"></iframe><script src="/tpl.js"></script><link rel="stylesheet" href="/tpl.css"><script>location = "/tpl"</script></template>`,
		`<head><script type="text/plain" src="/consent-blocked.js"></script><script type="application/ld+json" src="/data.json"></script></head>`,
	} {
		if p := page(html); len(p.refs) != 0 || p.refresh != nil {
			t.Errorf("%s: refs %+v, refresh %+v; want none", html, p.refs, p.refresh)
		}
	}
}
