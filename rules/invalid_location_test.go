package rules

import (
	"net/url"
	"strings"
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

// litLocation is a response with raw Location values, the first resolved
// as the crawler does.
func litLocation(u string, status int, locations ...string) *crawler.Response {
	r := &crawler.Response{URL: u, Status: status, Redirect: &crawler.Redirect{Locations: locations}}
	if len(locations) > 0 && strings.TrimSpace(locations[0]) != "" {
		base, _ := url.Parse(u)
		loc, err := crawler.Resolve(base, locations[0])
		if err != nil {
			r.Redirect.LocationErr = err.Error()
		} else {
			r.Redirect.Location = loc
		}
	}
	return r
}

func TestLocationProblem(t *testing.T) {
	for v, want := range map[string]string{
		"/new":                            "",
		"/a:b;c=d@e,f$?x=1&y=[2]":         "",
		"new":                             "",
		"../new?a=1#top":                  "",
		"//site.test/new":                 "",
		"https://site.test/new":           "",
		"HTTPS://site.test/new":           "",
		"/caf%C3%A9":                      "",
		"/a b":                            `Location "/a b" holding a space: percent-encode it as %20`,
		"/\\evil.test":                    `Location "/\\evil.test" holding a backslash`,
		"/a\tb":                           `Location "/a\tb" holding control characters`,
		"/a\x00":                          `holding control characters`,
		"/%zz":                            `Location "/%zz", which is not a valid URI reference`,
		"http://[bad":                     `which is not a valid URI reference`,
		"ftp://site.test/file":            `Location "ftp://site.test/file" of scheme ftp, which browsers treat as a network error`,
		"javascript:alert(1)":             `of scheme javascript`,
		"https://user:secret@site.test/x": `Location "https://user:xxxxx@site.test/x" carrying user credentials`,
		"//user@site.test/x":              `carrying user credentials`,
		"http:/nohost":                    `without a host`,
	} {
		got := locationProblem(v)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("locationProblem(%q) = %q, want %q", v, got, want)
		}
		if strings.Contains(got, "secret") {
			t.Errorf("locationProblem(%q) = %q shows the password", v, got)
		}
	}
}

func TestInvalidLocation(t *testing.T) {
	const home, s = "http://site.test/", "http://site.test"
	litCheck(t, InvalidLocation, []litCase{
		{
			name: "one finding per response, with the raw value",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/space"), litLink(home, s+"/scheme"), litLink(home, s+"/escape")},
				litLocation(s+"/space", 302, "/new page"), litLocation(s+"/scheme", 301, "ftp://site.test/f"), litLocation(s+"/escape", 307, "/%zz")),
			want: []string{
				"error http://site.test/escape http://site.test/ 307 - 0",
				"error http://site.test/scheme http://site.test/ 301 - 0",
				"error http://site.test/space http://site.test/ 302 http://site.test/new%20page 0",
			},
		},
		{
			name:  "credentials are redacted in the target",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/creds")}, litLocation(s+"/creds", 301, "https://user:secret@site.test/x")),
			want:  []string{"error http://site.test/creds http://site.test/ 301 https://user:xxxxx@site.test/x 0"},
			words: []string{"301 with Location \"https://user:xxxxx@site.test/x\" carrying user credentials"},
		},
		{
			name:  "several different Location fields",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/two")}, litLocation(s+"/two", 302, "/one-a", "/one-b")),
			want:  []string{"error http://site.test/two http://site.test/ 302 http://site.test/one-a 0"},
			words: []string{`302 with 2 Location fields with different values ("/one-a", "/one-b"): browsers fail and Go takes the first; send one`},
		},
		{
			name:  "an empty field next to a value",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/half")}, litLocation(s+"/half", 302, "", "/x")),
			want:  []string{"error http://site.test/half http://site.test/ 302 - 0"},
			words: []string{`("", "/x")`},
		},
		{
			name: "several problems in one message",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/many")},
				litLocation(s+"/many", 302, "/a b", "javascript:x")),
			want:  []string{"error http://site.test/many http://site.test/ 302 http://site.test/a%20b 0"},
			words: []string{"different values", "holding a space", "of scheme javascript"},
		},
		{
			name:  "an unresolvable first value the checks miss",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/odd")}, &crawler.Response{URL: s + "/odd", Status: 302, Redirect: &crawler.Redirect{Locations: []string{"/x"}, LocationErr: "proxy says no"}}),
			want:  []string{"error http://site.test/odd http://site.test/ 302 - 0"},
			words: []string{`Location "/x" cannot be resolved (proxy says no)`},
		},
		{
			name: "in the middle of a chain, and on a 300",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/a"), litLink(home, s+"/choices")},
				litRedirect(s+"/a", 301, s+"/b"), litLocation(s+"/b", 302, "/c d"), litPage(s+"/c%20d"),
				litLocation(s+"/choices", 300, "/x y")),
			want: []string{
				"error http://site.test/b http://site.test/ 302 http://site.test/c%20d 0",
				"error http://site.test/choices http://site.test/ 300 http://site.test/x%20y 0",
			},
		},
		{
			name: "valid: relative, absolute, scheme-relative, repeated identical value, empty (missing-location's)",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/r1"), litLink(home, s+"/r2"), litLink(home, s+"/r3"), litLink(home, s+"/r4"), litLink(home, s+"/r5")},
				litLocation(s+"/r1", 301, "../ok"), litLocation(s+"/r2", 301, "https://site.test/ok"), litLocation(s+"/r3", 308, "//site.test/ok"),
				litLocation(s+"/r4", 302, "/ok", "/ok"), litLocation(s+"/r5", 302, ""), litPage(s+"/ok"), litPage("https://site.test/ok")),
		},
		{
			name:  "a Location on a 2xx is not a redirect",
			graph: litGraph([]crawler.Reference{litLink(home, s+"/created")}, litLocation(s+"/created", 201, "/a b")),
		},
		{
			name:  "other sites' responses are theirs",
			graph: litGraph([]crawler.Reference{litLink(home, "https://other.test/bad")}, litLocation("https://other.test/bad", 302, "ftp://x")),
		},
	})
}

func TestInvalidLocationFixture(t *testing.T) { testFixture(t, InvalidLocation) }
