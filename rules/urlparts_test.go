package rules

import (
	"net/url"
	"testing"
)

// TestPlainParts checks that a URL plainParts splits gets the parts
// url.Parse gives, over URLs built from pieces that net/url reads in
// many ways, and that plain URLs are split without url.Parse.
func TestPlainParts(t *testing.T) {
	schemes := []string{"http", "HTTPS", "h2", "", "svn+ssh"}
	hosts := []string{"site.test", "WWW.Site.test", "a_b.test", "site.test:8080", "site.test:", "site.test:x", "[::1]:80", "u:p@site.test", "", "si te.test", "s%41.test", "é.test"}
	paths := []string{"", "/", "/a/b/", "//x", "/a b", "/%41", "/é", "/a:b@c;d=e", "/a!b", "/a'(b)*", "/a\"b", "/a<b>", "/a\\b", "/a|b", "/~x-y_z.html", "/a#f"}
	queries := []string{"", "?", "?q=1&r=2", "?a?b", "?%41", "?a b", "?a<b>\"", "?a#f", "?é"}
	var n, plain int
	for _, s := range schemes {
		for _, h := range hosts {
			for _, p := range paths {
				for _, q := range queries {
					u := s + "://" + h + p + q
					n++
					got, ok := plainParts(u)
					if !ok {
						continue
					}
					plain++
					pu, err := url.Parse(u)
					if err != nil {
						t.Errorf("plainParts(%q) split what url.Parse refuses: %v", u, err)
						continue
					}
					want := urlParts{scheme: pu.Scheme, hostname: pu.Hostname(), port: pu.Port(), path: pu.Path, escapedPath: pu.EscapedPath(), rawQuery: pu.RawQuery}
					if got != want {
						t.Errorf("plainParts(%q) = %+v, url.Parse gives %+v", u, got, want)
					}
				}
			}
		}
	}
	t.Logf("%d of %d URLs plain", plain, n)
	for _, u := range []string{"http://site.test/", "https://www.site.test:8443/a/b.html?x=1&y=2", "http://127.0.0.1:8093/r301/17"} {
		if _, ok := plainParts(u); !ok {
			t.Errorf("plainParts(%q) is not split: url.Parse does it", u)
		}
	}
	for _, u := range []string{"http://site.test/%41", "mailto:a@site.test", "/relative", "http://[::1]/"} {
		got, ok := partsOf(u)
		pu, err := url.Parse(u)
		if !ok || err != nil || got.escapedPath != pu.EscapedPath() || got.path != pu.Path || got.hostname != pu.Hostname() {
			t.Errorf("partsOf(%q) = %+v, %v; url.Parse: %v, %v", u, got, ok, pu, err)
		}
	}
}
