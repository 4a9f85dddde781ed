package rules

import (
	"testing"

	"github.com/hopaudit/hopaudit/crawler"
)

func TestHreflangToRedirect(t *testing.T) {
	const site = "http://site.test"
	alt := func(source, target, code string) crawler.Reference {
		return litRef(crawler.RefHreflang, source, target, code)
	}
	litCheck(t, HreflangToRedirect, []litCase{
		{
			name: "alternate that redirects",
			graph: litGraph([]crawler.Reference{alt(site+"/", site+"/de", "de"), alt(site+"/", site+"/", "en")},
				litPage(site+"/"), litRedirect(site+"/de", 301, site+"/de/"), litPage(site+"/de/")),
			want:  []string{"warning http://site.test/de http://site.test/ 301 http://site.test/de/ 1"},
			words: []string{`hreflang "de" alternate http://site.test/de redirects to http://site.test/de/; point it at the final URL`},
		},
		{
			name: "several codes for one URL make one finding",
			graph: litGraph([]crawler.Reference{alt(site+"/", site+"/de", "x-default"), alt(site+"/", site+"/de", "de")},
				litPage(site+"/"), litRedirect(site+"/de", 302, site+"/de/"), litPage(site+"/de/")),
			want:  []string{"warning http://site.test/de http://site.test/ 302 http://site.test/de/ 1"},
			words: []string{`hreflang "de", "x-default" alternate`},
		},
		{
			name: "code is quoted, not trusted",
			graph: litGraph([]crawler.Reference{alt(site+"/", site+"/de", "de\n%s\x1b[31m")},
				litPage(site+"/"), litRedirect(site+"/de", 301, site+"/de/"), litPage(site+"/de/")),
			want:  []string{"warning http://site.test/de http://site.test/ 301 http://site.test/de/ 1"},
			words: []string{`hreflang "de\n%s\x1b[31m" alternate`},
		},
		{
			name: "external alternate, broken chain",
			graph: litGraph([]crawler.Reference{alt(site+"/", "https://other.test/es", "es")},
				litPage(site+"/"), litRedirect("https://other.test/es", 301, "https://other.test/es/"), &crawler.Response{URL: "https://other.test/es/", Status: 500}),
			want:  []string{"warning https://other.test/es http://site.test/ 301 https://other.test/es/ 1"},
			words: []string{"which answers 500; point it at the working URL"},
		},
		{
			name: "a chain not followed to its end: no final URL to point at",
			graph: litGraph([]crawler.Reference{alt(site+"/", site+"/fr", "fr")},
				litPage(site+"/"), litRedirect(site+"/fr", 301, "https://fr.other.test/")),
			want: []string{"warning http://site.test/fr http://site.test/ 301 - 1"},
			words: []string{`hreflang "fr" alternate http://site.test/fr redirects to https://fr.other.test/; ` +
				"the chain was not followed to its end (not fetched: --max-pages, --no-external or the crawl was cut short), so where it ends is unknown"},
			absent: []string{"final URL", "working URL"},
		},
		{
			name: "silent: alternates that answer 200, links to redirects",
			graph: litGraph([]crawler.Reference{alt(site+"/", site+"/de/", "de"), litLink(site+"/", site+"/de")},
				litPage(site+"/"), litRedirect(site+"/de", 301, site+"/de/"), litPage(site+"/de/")),
		},
	})
}

func TestHreflangToRedirectFixture(t *testing.T) { testFixture(t, HreflangToRedirect) }
