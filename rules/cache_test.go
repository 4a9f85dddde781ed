package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestCacheDirective(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"max-age=3600", map[string]string{"max-age": "3600"}},
		{"Public, MAX-AGE=60 ,no-transform", map[string]string{"public": "", "max-age": "60", "no-transform": ""}},
		{`max-age="600"`, map[string]string{"max-age": "600"}},
		{`no-cache="Set-Cookie, Vary", max-age=5`, map[string]string{"no-cache": "Set-Cookie, Vary", "max-age": "5"}},
		{`private="a\"b", s-maxage=9`, map[string]string{"private": `a"b`, "s-maxage": "9"}},
		{"max-age=10, max-age=20", map[string]string{"max-age": "10"}},
		{" , ,no-store,,", map[string]string{"no-store": ""}},
		{"max-age = 7", map[string]string{"max-age": "7"}},
		{"no-cache=", map[string]string{"no-cache": ""}},
	}
	for _, tt := range tests {
		for _, name := range []string{"public", "max-age", "no-transform", "no-cache", "private", "s-maxage", "no-store", "must-revalidate"} {
			want, wantOK := tt.want[name]
			if got, ok := cacheDirective(tt.in, name); got != want || ok != wantOK {
				t.Errorf("cacheDirective(%q, %q) = %q, %v; want %q, %v", tt.in, name, got, ok, want, wantOK)
			}
		}
	}
}

func TestDeltaSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"86400", 86400, true},
		{"99999999999999999999999", maxDeltaSeconds, true},
		{"2147483647", 2147483647, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"forever", 0, false},
		{" 5", 0, false},
	}
	for _, tt := range tests {
		got, ok := deltaSeconds(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("deltaSeconds(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestExplicitLifetime(t *testing.T) {
	const date = "Mon, 01 Jan 2024 00:00:00 GMT"
	tests := []struct {
		name   string
		h      crawler.Headers
		shared bool
		want   int64
		from   string
		ok     bool
	}{
		{name: "none", h: crawler.Headers{Date: date}},
		{name: "max-age", h: crawler.Headers{CacheControl: "max-age=31536000"}, want: 31536000, from: "Cache-Control max-age=31536000", ok: true},
		{name: "quoted max-age", h: crawler.Headers{CacheControl: `max-age="604800"`}, want: 604800, from: "Cache-Control max-age=604800", ok: true},
		{name: "invalid max-age is stale", h: crawler.Headers{CacheControl: "max-age=forever"}, want: 0, from: "Cache-Control max-age with an argument that is not a number", ok: true},
		{name: "max-age beats Expires", h: crawler.Headers{CacheControl: "max-age=60", Date: date, Expires: "Tue, 01 Jan 2025 00:00:00 GMT"}, want: 60, from: "Cache-Control max-age=60", ok: true},
		{name: "s-maxage ignored by browsers", h: crawler.Headers{CacheControl: "s-maxage=86400"}},
		{name: "s-maxage for shared caches", h: crawler.Headers{CacheControl: "max-age=0, s-maxage=86400"}, shared: true, want: 86400, from: "Cache-Control s-maxage=86400", ok: true},
		{name: "shared falls back to max-age", h: crawler.Headers{CacheControl: "max-age=30"}, shared: true, want: 30, from: "Cache-Control max-age=30", ok: true},
		{name: "private keeps shared caches out", h: crawler.Headers{CacheControl: "private, max-age=86400, s-maxage=86400"}, shared: true},
		{name: "private counts for browsers", h: crawler.Headers{CacheControl: "private, max-age=86400"}, want: 86400, from: "Cache-Control max-age=86400", ok: true},
		{name: "qualified private lets shared caches store", h: crawler.Headers{CacheControl: `private="Set-Cookie", max-age=90`}, shared: true, want: 90, from: "Cache-Control max-age=90", ok: true},
		{name: "Expires minus Date", h: crawler.Headers{Date: date, Expires: "Tue, 01 Jan 2025 00:00:00 GMT"}, want: 366 * 86400, from: "Expires 366 days after Date", ok: true},
		{name: "Expires in RFC 850 form", h: crawler.Headers{Date: date, Expires: "Tuesday, 02-Jan-24 00:00:00 GMT"}, want: 86400, from: "Expires 1 day after Date", ok: true},
		{name: "Expires before Date", h: crawler.Headers{Date: date, Expires: "Sun, 31 Dec 2023 00:00:00 GMT"}, want: 0, from: "an Expires no later than Date", ok: true},
		{name: "invalid Expires is stale", h: crawler.Headers{Expires: "0"}, want: 0, from: "an Expires that is not a date", ok: true},
		{name: "Expires without Date", h: crawler.Headers{Expires: "Tue, 01 Jan 2025 00:00:00 GMT"}},
		{name: "two Expires lines, first wins", h: crawler.Headers{Date: date, Expires: "Tue, 02 Jan 2024 00:00:00 GMT, Wed, 01 Jan 2025 00:00:00 GMT"}, want: 86400, from: "Expires 1 day after Date", ok: true},
		{name: "huge max-age is capped", h: crawler.Headers{CacheControl: "max-age=9999999999999"}, want: maxDeltaSeconds, from: "Cache-Control max-age=2147483648", ok: true},
	}
	for _, tt := range tests {
		l, ok := explicitLifetime(tt.h, tt.shared)
		if ok != tt.ok || l.Seconds != tt.want || l.From != tt.from {
			t.Errorf("%s: explicitLifetime = %+v, %v; want {%d %s}, %v", tt.name, l, ok, tt.want, tt.from, tt.ok)
		}
	}
}

func TestReuseForbidden(t *testing.T) {
	tests := map[string]string{
		"":                                "",
		"no-store":                        "no-store",
		"max-age=60, NO-STORE":            "no-store",
		"No-Cache":                        "no-cache",
		`no-cache="Set-Cookie"`:           "",
		`no-cache="Set-Cookie", no-store`: "no-store",
		"private, max-age=0":              "",
		"must-revalidate":                 "",
		`x="no-cache, no-store"`:          "",
	}
	for in, want := range tests {
		if got := reuseForbidden(in); got != want {
			t.Errorf("reuseForbidden(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatLifetime(t *testing.T) {
	tests := map[int64]string{
		0:             "0 seconds",
		1:             "1 second",
		59:            "59 seconds",
		3600:          "1 hour",
		5400:          "1 hour 30 minutes",
		86400:         "1 day",
		86400 + 7200:  "1 day 2 hours",
		86400 + 60:    "1 day",
		31536000:      "365 days",
		2 * 86400:     "2 days",
		3600*36 + 900: "1 day 12 hours",
	}
	for in, want := range tests {
		if got := formatLifetime(in); got != want {
			t.Errorf("formatLifetime(%d) = %q, want %q", in, got, want)
		}
	}
}
