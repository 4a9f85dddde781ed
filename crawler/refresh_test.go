package crawler

import (
	"net/url"
	"strings"
	"testing"
)

// The cases follow the HTML standard's "shared declarative refresh steps"
// (https://html.spec.whatwg.org/multipage/semantics.html#shared-declarative-refresh-steps).
// The URL is the steps' urlString with trailing ASCII white space removed
// (the URL parser strips it anyway); "" means the document's own URL.
var refreshCases = []struct {
	in     string
	delay  int
	target string
	ok     bool
}{
	// The common forms.
	{"0;url=/a", 0, "/a", true},
	{"0; URL='/a'", 0, "/a", true},
	{`5, url="/a b"`, 5, "/a b", true},
	{"0;URL=/x", 0, "/x", true},
	{"0; uRl = '/x'", 0, "/x", true},
	{"0;\turl=/x", 0, "/x", true},
	{"0;url=http://example.com/a?b=1&c=2", 0, "http://example.com/a?b=1&c=2", true},

	// Step 5-7: the delay is the leading ASCII digits.
	{"3", 3, "", true},
	{"  7 ; url = /x", 7, "/x", true},
	{"007;url=/x", 7, "/x", true},
	{"99999999999999999999;url=/x", 1 << 30, "/x", true}, // saturated
	{"1073741825", 1 << 30, "", true},
	{"1073741824", 1 << 30, "", true},
	{"1073741823", 1<<30 - 1, "", true},

	// Step 6 and 8: a fraction is skipped; a leading "." is a delay of 0.
	{"1.5; url=/x", 1, "/x", true},
	{".5;url=/x", 0, "/x", true},
	{"1.2.3;url=/x", 1, "/x", true},
	{".", 0, "", true},
	{"..;url=/x", 0, "/x", true},
	{"1.", 1, "", true},
	{"5.9", 5, "", true},

	// Steps 1, 6 and 10.1: failures.
	{"", 0, "", false},
	{"   ", 0, "", false},
	{"abc", 0, "", false},
	{"-1;url=/x", 0, "", false},
	{"+1;url=/x", 0, "", false},
	{"url=/x", 0, "", false},
	{"0x", 0, "", false},
	{"0.5x;url=/x", 0, "", false},
	{"5s;url=/x", 0, "", false},
	{"\v0;url=/x", 0, "", false},     // VT is not ASCII white space
	{"\u00a00;url=/x", 0, "", false}, // nor is NBSP
	{"0\u00a0url=/x", 0, "", false},  // after the delay: not ; , or white space
	{"\u0663;url=/x", 0, "", false},  // ARABIC-INDIC DIGIT THREE is no ASCII digit
	{"0:url=/x", 0, "", false},       // a colon is no separator
	{"0/x", 0, "", false},            // the URL needs a separator
	{"0\x00;url=/x", 0, "", false},   // NUL neither
	{"0\v;url=/x", 0, "", false},     // VT neither
	{"\x0c0;url=/x", 0, "/x", true},  // FF is white space
	{"\r\n0\r\n;\r\nurl=/x", 0, "/x", true},

	// Step 10: separators.
	{"0;/x", 0, "/x", true},
	{"0,/x", 0, "/x", true},
	{"0 url=/x", 0, "/x", true},
	{"0 /x", 0, "/x", true},
	{"0 ; /x", 0, "/x", true},
	{"0 , url=/x", 0, "/x", true},
	{"0;", 0, "", true},
	{"0,", 0, "", true},
	{"0 ;  ", 0, "", true},
	{"5 ", 5, "", true},
	{"0;;url=/x", 0, ";url=/x", true}, // only one separator is skipped
	{"0;,/x", 0, ",/x", true},

	// Step 11: the "url" prefix. Without "=" after it, "url..." is the URL.
	{"0;url", 0, "url", true},
	{"0;URL", 0, "URL", true},
	{"0;url /x", 0, "url /x", true},
	{"0;url-x", 0, "url-x", true},
	{"0;urn:x", 0, "urn:x", true},
	{"0;ur", 0, "ur", true},
	{"0;u", 0, "u", true},
	{"0;u/x", 0, "u/x", true},
	{"0;ur'x'", 0, "ur'x'", true},
	{"0;url=", 0, "", true},
	{"0;url =  ", 0, "", true},
	{"0;url=url=/x", 0, "url=/x", true},

	// Step 11.8-11.10: quotes.
	{"0; url=/x'y", 0, "/x'y", true},
	{`0; url="/a'b"`, 0, "/a'b", true},
	{`0; url='/a"b'`, 0, `/a"b`, true},
	{"0;url='/a", 0, "/a", true},      // unterminated
	{`0;url="/a"junk`, 0, "/a", true}, // cut at the closing quote
	{"0;url=''", 0, "", true},         // empty: the document's URL
	{"0;'/a'", 0, "/a", true},         // quotes without url=
	{`0;"/a"`, 0, "/a", true},         // quotes without url=
	{"0;url= '/a' ", 0, "/a", true},   // white space before the quote
	{"0;url=/x;url=/y", 0, "/x;url=/y", true},
	{"0;url=`/x`", 0, "`/x`", true}, // a backtick is no quote

	// Trailing white space is no part of the URL.
	{"0;url=/x  \t\n", 0, "/x", true},
	{"0;url=/x\r\n", 0, "/x", true},
	{"0;url=/a b ", 0, "/a b", true},
	{"0;url='/x '", 0, "/x", true},
}

func TestParseRefresh(t *testing.T) {
	for _, tc := range refreshCases {
		delay, target, ok := ParseRefresh(tc.in)
		if delay != tc.delay || target != tc.target || ok != tc.ok {
			t.Errorf("ParseRefresh(%q) = %d, %q, %v; want %d, %q, %v",
				tc.in, delay, target, ok, tc.delay, tc.target, tc.ok)
		}
	}
}

// TestParseRefreshMatchesSpec checks the table against specRefresh, the
// steps written out one by one, so that the table itself is checked.
func TestParseRefreshMatchesSpec(t *testing.T) {
	for _, tc := range refreshCases {
		delay, target, ok := specRefresh(tc.in)
		if delay != tc.delay || target != tc.target || ok != tc.ok {
			t.Errorf("specRefresh(%q) = %d, %q, %v; the table says %d, %q, %v",
				tc.in, delay, target, ok, tc.delay, tc.target, tc.ok)
		}
	}
}

// specRefresh is steps 1 to 11.10 of the shared declarative refresh
// steps, literally, with the delay saturated as ParseRefresh does and
// trailing ASCII white space cut from the URL string.
func specRefresh(input string) (delay int, target string, ok bool) {
	pos := 0
	at := func(cs ...byte) bool {
		if pos >= len(input) {
			return false
		}
		for _, c := range cs {
			if input[pos] == c {
				return true
			}
		}
		return false
	}
	skipWS := func() {
		for at(' ', '\t', '\n', '\f', '\r') {
			pos++
		}
	}
	// 1. If input is the empty string, then return.
	if input == "" {
		return 0, "", false
	}
	// 3. Skip ASCII whitespace.
	skipWS()
	// 5. Collect ASCII digits: timeString.
	start := pos
	for at('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') {
		pos++
	}
	timeString := input[start:pos]
	time := 0
	if timeString == "" {
		// 6. If the code point is not ".", return.
		if !at('.') {
			return 0, "", false
		}
	} else {
		// 7. Parse timeString as a non-negative integer.
		for _, c := range timeString {
			time = min(time*10+int(c-'0'), 1<<30)
		}
	}
	// 8. Collect and ignore digits and ".".
	for at('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.') {
		pos++
	}
	// 10.
	if pos < len(input) {
		if !at(';', ',', ' ', '\t', '\n', '\f', '\r') {
			return 0, "", false
		}
		skipWS()
		if at(';', ',') {
			pos++
		}
		skipWS()
	}
	// 11.
	if pos >= len(input) {
		return time, "", true
	}
	urlString := input[pos:]
	trim := func(s string) string { return strings.TrimRight(s, " \t\n\f\r") }
	if !at('U', 'u') {
		goto skipQuotes
	}
	pos++
	if !at('R', 'r') {
		return time, trim(urlString), true // jump to parse
	}
	pos++
	if !at('L', 'l') {
		return time, trim(urlString), true
	}
	pos++
	skipWS()
	if !at('=') {
		return time, trim(urlString), true
	}
	pos++
	skipWS()
skipQuotes:
	var quote byte
	if at('\'', '"') {
		quote = input[pos]
		pos++
	}
	urlString = input[pos:]
	if quote != 0 {
		if k := strings.IndexByte(urlString, quote); k >= 0 {
			urlString = urlString[:k]
		}
	}
	return time, trim(urlString), true
}

func FuzzParseRefresh(f *testing.F) {
	for _, tc := range refreshCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		delay, target, ok := ParseRefresh(s)
		if delay < 0 || delay > 1<<30 {
			t.Fatalf("ParseRefresh(%q): delay %d out of [0, 1<<30]", s, delay)
		}
		if !ok && (delay != 0 || target != "") {
			t.Fatalf("ParseRefresh(%q) = %d, %q, false: a failure returns zero values", s, delay, target)
		}
		if !strings.Contains(s, target) {
			t.Fatalf("ParseRefresh(%q): target %q is not part of the input", s, target)
		}
		if strings.TrimRight(target, " \t\n\f\r") != target {
			t.Fatalf("ParseRefresh(%q): target %q ends in white space", s, target)
		}
		sd, st, sok := specRefresh(s)
		if delay != sd || target != st || ok != sok {
			t.Fatalf("ParseRefresh(%q) = %d, %q, %v; the spec's steps give %d, %q, %v",
				s, delay, target, ok, sd, st, sok)
		}
	})
}

// TestRefreshTo checks what becomes of a refresh value: only a refresh to
// another http(s) URL is kept, resolved against the base URL.
func TestRefreshTo(t *testing.T) {
	base, _ := url.Parse("http://example.com/dir/page.html")
	const self = "http://example.com/dir/page.html"
	tests := []struct {
		name string
		raw  string
		want *Refresh // nil: no refresh to another URL
	}{
		{"relative", "0; url=next", &Refresh{Kind: HopMetaRefresh, Delay: 0, Raw: "0; url=next", URL: "http://example.com/dir/next"}},
		{"absolute", "5;URL='HTTPS://Other.Example:443/x#f'", &Refresh{Kind: HopMetaRefresh, Delay: 5, Raw: "5;URL='HTTPS://Other.Example:443/x#f'", URL: "https://other.example/x"}},
		{"fraction", "2.5;url=/x", &Refresh{Kind: HopMetaRefresh, Delay: 2, Raw: "2.5;url=/x", URL: "http://example.com/x"}},
		{"no url", "30", nil},
		{"empty url", "0;url=", nil},
		{"self", "0;url=page.html", nil},
		{"self with fragment", "0;url=#top", nil},
		{"self absolute", "0;url=HTTP://EXAMPLE.COM:80/dir/page.html", nil},
		{"not a refresh", "soon", nil},
		{"javascript", "0;url=javascript:alert(1)", nil},
		{"mailto", "0;url=mailto:a@example.com", nil},
		{"no host", "0;url=http:///x", nil},
		// The URL parser strips leading and trailing C0 controls and
		// spaces from the URL string (URL standard, basic URL parser).
		{"space inside quotes", "0; url=' /next '", &Refresh{Kind: HopMetaRefresh, Delay: 0, Raw: "0; url=' /next '", URL: "http://example.com/next"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := refreshTo(HopMetaRefresh, tc.raw, base, self)
			switch {
			case got == nil && tc.want == nil:
			case got == nil || tc.want == nil || *got != *tc.want:
				t.Errorf("refreshTo(%q) = %+v; want %+v", tc.raw, got, tc.want)
			}
		})
	}
}
