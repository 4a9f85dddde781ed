package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestUncacheablePermanentRedirect(t *testing.T) {
	const date = "Mon, 01 Jan 2024 00:00:00 GMT"
	row := func(status string) []string {
		return []string{"notice http://site.test/r http://site.test/ " + status + " http://site.test/new 0"}
	}
	litCheck(t, UncacheablePermanentRedirect, []litCase{
		{
			name:  "301 no-store",
			graph: litCached(301, crawler.Headers{CacheControl: "no-store"}),
			want:  row("301"),
			words: []string{"permanent 301 to http://site.test/new is sent with Cache-Control no-store: browsers ask the server again on every visit", "answer 302 or 307 if the move may be undone"},
		},
		{
			name:  "308 No-Cache",
			graph: litCached(308, crawler.Headers{CacheControl: "No-Cache"}),
			want:  row("308"),
			words: []string{"Cache-Control no-cache"},
		},
		{
			name:  "max-age=0",
			graph: litCached(301, crawler.Headers{CacheControl: "public, max-age=0"}),
			want:  row("301"),
			words: []string{"sent with Cache-Control max-age=0"},
		},
		{
			name:  "Expires in the past",
			graph: litCached(301, crawler.Headers{Date: date, Expires: "Thu, 19 Nov 1981 08:52:00 GMT"}),
			want:  row("301"),
			words: []string{"sent with an Expires no later than Date"},
		},
		{
			name:  "Expires that is not a date",
			graph: litCached(301, crawler.Headers{Expires: "-1"}),
			want:  row("301"),
			words: []string{"sent with an Expires that is not a date"},
		},
		{
			name:  "invalid max-age",
			graph: litCached(308, crawler.Headers{CacheControl: "max-age=never"}),
			want:  row("308"),
		},
		{name: "silent: long max-age", graph: litCached(301, crawler.Headers{CacheControl: "max-age=31536000"})},
		{name: "silent: no headers", graph: litCached(308, crawler.Headers{})},
		{name: "silent: private", graph: litCached(301, crawler.Headers{CacheControl: "private, max-age=86400"})},
		{name: "silent: qualified no-cache", graph: litCached(301, crawler.Headers{CacheControl: `no-cache="Set-Cookie", max-age=86400`})},
		{name: "silent: max-age beats an old Expires", graph: litCached(301, crawler.Headers{CacheControl: "max-age=600", Date: date, Expires: "0"})},
		{name: "silent: s-maxage=0 alone", graph: litCached(301, crawler.Headers{CacheControl: "max-age=3600, s-maxage=0"})},
		{name: "silent: temporary no-store", graph: litCached(302, crawler.Headers{CacheControl: "no-store"})},
		{name: "silent: 307 max-age=0", graph: litCached(307, crawler.Headers{CacheControl: "max-age=0"})},
	})
}

func TestUncacheablePermanentRedirectFixture(t *testing.T) {
	testFixture(t, UncacheablePermanentRedirect)
}
