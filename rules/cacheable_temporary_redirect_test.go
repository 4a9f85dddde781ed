package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

// litCached is a page linked from the home page that redirects to /new
// with the given caching headers.
func litCached(status int, h crawler.Headers) *crawler.Graph {
	const home, site = "http://site.test/", "http://site.test"
	r := litRedirect(site+"/r", status, site+"/new")
	r.Redirect.Header = &h
	return litGraph([]crawler.Reference{litLink(home, site+"/r")}, litPage(home), r, litPage(site+"/new"))
}

func TestCacheableTemporaryRedirect(t *testing.T) {
	const date = "Mon, 01 Jan 2024 00:00:00 GMT"
	row := func(status string) []string {
		return []string{"notice http://site.test/r http://site.test/ " + status + " http://site.test/new 0"}
	}
	litCheck(t, CacheableTemporaryRedirect, []litCase{
		{
			name:  "302 with max-age of a year",
			graph: litCached(302, crawler.Headers{CacheControl: "max-age=31536000"}),
			want:  row("302"),
			words: []string{"temporary 302 to http://site.test/new may be reused by caches for 365 days (Cache-Control max-age=31536000)", "answer 301 if the move is permanent"},
		},
		{
			name:  "307 with s-maxage of exactly a day",
			graph: litCached(307, crawler.Headers{CacheControl: "public, s-maxage=86400"}),
			want:  row("307"),
			words: []string{"for 1 day (Cache-Control s-maxage=86400)"},
		},
		{
			name:  "303 with a quoted max-age",
			graph: litCached(303, crawler.Headers{CacheControl: `max-age="604800"`}),
			want:  row("303"),
			words: []string{"for 7 days"},
		},
		{
			name:  "Expires a year after Date",
			graph: litCached(302, crawler.Headers{Date: date, Expires: "Wed, 01 Jan 2025 00:00:00 GMT"}),
			want:  row("302"),
			words: []string{"for 366 days (Expires 366 days after Date)"},
		},
		{
			name:  "private is still cached by the browser",
			graph: litCached(302, crawler.Headers{CacheControl: "private, max-age=86400"}),
			want:  row("302"),
		},
		{
			name:  "lower min-lifetime",
			graph: litCached(302, crawler.Headers{CacheControl: "max-age=3600"}),
			opts:  map[string]any{"min-lifetime": 3600},
			want:  row("302"),
			words: []string{"for 1 hour"},
		},
		{
			name: "a POST form reaches it through a 307: answer 308",
			graph: func() *crawler.Graph {
				const site = "http://site.test"
				r := litRedirect(site+"/r", 302, site+"/new")
				r.Redirect.Header = &crawler.Headers{CacheControl: "max-age=31536000"}
				return litGraph([]crawler.Reference{litRef(crawler.RefForm, site+"/", site+"/kept", "post")},
					litRedirect(site+"/kept", 307, site+"/r"), r, litPage(site+"/new"))
			}(),
			want:  row("302"),
			words: []string{"answer 308 if the move is permanent"},
		},
		{name: "silent: an hour", graph: litCached(302, crawler.Headers{CacheControl: "max-age=3600"})},
		{name: "silent: no headers", graph: litCached(302, crawler.Headers{})},
		{name: "silent: no-store wins", graph: litCached(302, crawler.Headers{CacheControl: "max-age=31536000, no-store"})},
		{name: "silent: no-cache wins", graph: litCached(307, crawler.Headers{CacheControl: "no-cache, max-age=31536000"})},
		{name: "silent: max-age beats Expires", graph: litCached(302, crawler.Headers{CacheControl: "max-age=60", Date: date, Expires: "Wed, 01 Jan 2025 00:00:00 GMT"})},
		{name: "silent: invalid max-age is stale", graph: litCached(302, crawler.Headers{CacheControl: "max-age=forever"})},
		{name: "silent: private s-maxage", graph: litCached(302, crawler.Headers{CacheControl: "private, s-maxage=31536000"})},
		{name: "silent: permanent", graph: litCached(301, crawler.Headers{CacheControl: "max-age=31536000"})},
		{name: "silent: 308", graph: litCached(308, crawler.Headers{CacheControl: "max-age=31536000"})},
		{
			name: "silent: another site",
			graph: func() *crawler.Graph {
				r := litRedirect("https://other.test/r", 302, "https://other.test/new")
				r.Redirect.Header = &crawler.Headers{CacheControl: "max-age=31536000"}
				return litGraph([]crawler.Reference{litLink("http://site.test/", r.URL)}, r, litPage("https://other.test/new"))
			}(),
		},
	})
}

func TestCacheableTemporaryRedirectFixture(t *testing.T) { testFixture(t, CacheableTemporaryRedirect) }
