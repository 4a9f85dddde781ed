package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestMissingLocation(t *testing.T) {
	const home, s = "http://site.test/", "http://site.test"
	status := func(u string, code int, locations ...string) *crawler.Response {
		return &crawler.Response{URL: u, Status: code, Redirect: &crawler.Redirect{Locations: locations}}
	}
	litCheck(t, MissingLocation, []litCase{
		{
			name: "no Location at an entry, for every redirect status",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/301"), litLink(home, s+"/302"), litLink(home, s+"/303"), litLink(home, s+"/307"), litSeed(s + "/308")},
				status(s+"/301", 301), status(s+"/302", 302), status(s+"/303", 303), status(s+"/307", 307), status(s+"/308", 308)),
			want: []string{
				"error http://site.test/301 http://site.test/ 301 - 0",
				"error http://site.test/302 http://site.test/ 302 - 0",
				"error http://site.test/303 http://site.test/ 303 - 0",
				"error http://site.test/307 http://site.test/ 307 - 0",
				"error http://site.test/308 - 308 - 0",
			},
			words: []string{"without a Location: nothing to follow"},
		},
		{
			name:  "empty and whitespace-only",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/e"), litLink(home, s+"/w")}, status(s+"/e", 302, ""), status(s+"/w", 301, "  \t", " ")),
			want: []string{
				"error http://site.test/e http://site.test/ 302 - 0",
				"error http://site.test/w http://site.test/ 301 - 0",
			},
			words: []string{"with an empty Location"},
		},
		{
			name: "at the end of a chain, with the entry's source",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/via")},
				litRedirect(s+"/via", 301, s+"/end"), status(s+"/end", 303)),
			want: []string{"error http://site.test/end http://site.test/ 303 - 0"},
		},
		{
			name: "Location present, relative or unresolvable: not missing",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/rel"), litLink(home, s+"/bad"), litLink(home, s+"/some-empty")},
				&crawler.Response{URL: s + "/rel", Status: 301, Redirect: &crawler.Redirect{Locations: []string{"new"}, Location: s + "/new"}}, litPage(s+"/new"),
				&crawler.Response{URL: s + "/bad", Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/%zz"}, LocationErr: "invalid URL escape"}},
				status(s+"/some-empty", 302, "", "/x")),
		},
		{
			name: "other 3xx may go without Location",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/300"), litLink(home, s+"/304")},
				status(s+"/300", 300), status(s+"/304", 304)),
		},
		{
			name:  "other sites' responses are theirs",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/x")}, status("https://other.test/x", 302)),
		},
		{
			name:  "blocked or unfetched",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/private"), litLink(home, s+"/never")}, &crawler.Response{URL: s + "/private", Blocked: true}),
		},
	})
}

func TestMissingLocationFixture(t *testing.T) { testFixture(t, MissingLocation) }
