package crawler

import (
	"net/url"
	"strings"
	"testing"
)

var normalizeCases = []struct {
	in   string
	want string // "" = an error
}{
	// Scheme and host lowercase; path and query as they are.
	{"HTTP://Example.COM/Path?Query=A", "http://example.com/Path?Query=A"},
	{"HtTpS://WWW.Example.com/A/B", "https://www.example.com/A/B"},

	// Default ports.
	{"http://example.com:80/", "http://example.com/"},
	{"https://example.com:443/", "https://example.com/"},
	{"http://example.com:443/", "http://example.com:443/"},
	{"https://example.com:80/", "https://example.com:80/"},
	{"http://example.com:8080", "http://example.com:8080/"},
	{"HTTP://EXAMPLE.COM:80", "http://example.com/"},
	{"http://example.com:/", "http://example.com/"}, // empty port
	{"https://example.com:/a", "https://example.com/a"},

	// Empty path, fragment.
	{"http://example.com", "http://example.com/"},
	{"http://example.com?q=1", "http://example.com/?q=1"},
	{"http://example.com#top", "http://example.com/"},
	{"http://example.com/a#frag", "http://example.com/a"},
	{"http://example.com/a#", "http://example.com/a"},
	{"http://example.com/a?q#f", "http://example.com/a?q"},

	// A trailing "?" is kept: /a and /a? are different request targets.
	{"http://example.com/a?", "http://example.com/a?"},
	{"http://example.com/a?#f", "http://example.com/a?"},
	{"http://example.com?", "http://example.com/?"},

	// Path and query are not touched: case, escapes, dot segments,
	// duplicate slashes, parameter order.
	{"http://example.com/A%2Fb", "http://example.com/A%2Fb"},
	{"http://example.com/a%2fb", "http://example.com/a%2fb"},
	{"http://example.com/%7Euser", "http://example.com/%7Euser"},
	{"http://example.com/~user", "http://example.com/~user"},
	{"http://example.com/caf%C3%A9", "http://example.com/caf%C3%A9"},
	{"http://example.com/caf%c3%a9", "http://example.com/caf%c3%a9"},
	{"http://example.com/a//b/../c/./d", "http://example.com/a//b/../c/./d"},
	{"http://example.com/Index.HTML", "http://example.com/Index.HTML"},
	{"http://example.com/a/", "http://example.com/a/"},
	{"http://example.com/?b=2&a=1", "http://example.com/?b=2&a=1"},
	{"http://example.com/?Q=%20+x&y=%2F", "http://example.com/?Q=%20+x&y=%2F"},
	{"http://example.com/?a=b?c", "http://example.com/?a=b?c"},
	{"http://example.com/;p=1?q", "http://example.com/;p=1?q"},
	// Go's parser escapes what may not stand in a path.
	{"http://example.com/a b", "http://example.com/a%20b"},
	{"http://example.com/é", "http://example.com/%C3%A9"},

	// IPv4 and IPv6 hosts.
	{"http://127.0.0.1:80/", "http://127.0.0.1/"},
	{"http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"},
	{"http://[::1]:80/", "http://[::1]/"},
	{"http://[::1]/", "http://[::1]/"},
	{"http://[::1]:8080/", "http://[::1]:8080/"},
	{"http://[::1]:/", "http://[::1]/"},
	{"https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"},
	{"https://[2001:db8::1]:80/x", "https://[2001:db8::1]:80/x"},

	// Userinfo is kept (the audit reports it; RFC 9110 §4.2.4).
	{"http://user:pass@Example.com:80/", "http://user:pass@example.com/"},

	// Rejected: other schemes, no host, relative references, bad syntax.
	{"mailto:a@example.com", ""},
	{"javascript:alert(1)", ""},
	{"ftp://example.com/", ""},
	{"data:text/html,<p>hi", ""},
	{"file:///etc/passwd", ""},
	{"ws://example.com/", ""},
	{"tel:+15550100", ""},
	{"http:///x", ""},
	{"http://", ""},
	{"http:x", ""},
	{"http:/x", ""},
	{"https://:443/", ""}, // a port alone is no host
	{"http://:80/", ""},
	{"http://:8080/", ""},
	{"//example.com/", ""},
	{"/relative", ""},
	{"relative", ""},
	{"", ""},
	{"http://a b/", ""},
	{"http://example.com:port/", ""},
	{"http://example.com/%zz", ""},
	{"http://[::1/", ""},
	{"http://exa\x00mple.com/", ""},
	{"\x7fhttp://example.com/", ""},
}

func TestNormalize(t *testing.T) {
	for _, tc := range normalizeCases {
		got, err := Normalize(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("Normalize(%q) = %q; want an error", tc.in, got)
		case tc.want != "" && err != nil:
			t.Errorf("Normalize(%q): %v; want %q", tc.in, err, tc.want)
		case got != tc.want:
			t.Errorf("Normalize(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mailto:a@example.com", "not an http or https URL"},
		{"ftp://example.com/", "not an http or https URL"},
		{"http:///x", "URL has no host"},
		{"https:x", "URL has no host"},
	}
	for _, tc := range tests {
		if _, err := Normalize(tc.in); err == nil || err.Error() != tc.want {
			t.Errorf("Normalize(%q): error %v; want %q", tc.in, err, tc.want)
		}
	}
}

// TestResolveRFC3986 runs the examples of RFC 3986 §5.4 against the
// base URI http://a/b/c/d;p?q. The results are normalised, so the
// fragment is gone and an empty path is "/".
func TestResolveRFC3986(t *testing.T) {
	base, err := url.Parse("http://a/b/c/d;p?q")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref  string
		want string // "" = an error
	}{
		// §5.4.1 normal examples.
		{"g:h", ""}, // "g:h": not http
		{"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"},
		{"//g", "http://g/"},
		{"?y", "http://a/b/c/d;p?y"},
		{"g?y", "http://a/b/c/g?y"},
		{"#s", "http://a/b/c/d;p?q"},
		{"g#s", "http://a/b/c/g"},
		{"g?y#s", "http://a/b/c/g?y"},
		{";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"},
		{"g;x?y#s", "http://a/b/c/g;x?y"},
		{"", "http://a/b/c/d;p?q"},
		{".", "http://a/b/c/"},
		{"./", "http://a/b/c/"},
		{"..", "http://a/b/"},
		{"../", "http://a/b/"},
		{"../g", "http://a/b/g"},
		{"../..", "http://a/"},
		{"../../", "http://a/"},
		{"../../g", "http://a/g"},

		// §5.4.2 abnormal examples.
		{"../../../g", "http://a/g"},
		{"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"},
		{"/../g", "http://a/g"},
		{"g.", "http://a/b/c/g."},
		{".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."},
		{"..g", "http://a/b/c/..g"},
		{"./../g", "http://a/b/g"},
		{"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"},
		{"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"},
		{"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g"},
		{"g#s/../x", "http://a/b/c/g"},
		// RFC 3986 gives "http:g" for strict parsers and http://a/b/c/g
		// for backward-compatible ones. Go's url.ResolveReference is
		// strict: it yields the opaque URL "http:g", which has no host
		// and is rejected.
		{"http:g", ""},
	}
	for _, tc := range tests {
		got, err := Resolve(base, tc.ref)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("Resolve(%q) = %q; want an error", tc.ref, got)
		case tc.want != "" && err != nil:
			t.Errorf("Resolve(%q): %v; want %q", tc.ref, err, tc.want)
		case got != tc.want:
			t.Errorf("Resolve(%q) = %q; want %q", tc.ref, got, tc.want)
		}
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		base, ref string
		want      string // "" = an error
	}{
		// Relative Location values as servers send them.
		{"https://example.com/old/page", "/new", "https://example.com/new"},
		{"https://example.com/old/page", "new", "https://example.com/old/new"},
		{"https://example.com/old/page", "../new/", "https://example.com/new/"},
		{"https://example.com/old/page?x=1", "?y=2", "https://example.com/old/page?y=2"},
		{"https://example.com/old/page", "//CDN.Example.com:443/x", "https://cdn.example.com/x"},
		{"http://example.com/a", "//cdn.example.com:443/x", "http://cdn.example.com:443/x"},
		{"https://example.com/a", "HTTP://Example.com:80", "http://example.com/"},
		{"http://example.com/a", "https://example.com:443/b#c", "https://example.com/b"},
		{"http://example.com/a", "https://example.com/x/../y", "https://example.com/y"},
		{"http://example.com/a", "/b?", "http://example.com/b?"},
		{"http://example.com/a", "/B%2Fc?Q=%41", "http://example.com/B%2Fc?Q=%41"},
		{"http://example.com/a/b", "/x y", "http://example.com/x%20y"},
		{"http://[::1]:8080/a/b", "c", "http://[::1]:8080/a/c"},
		{"http://[::1]:8080/a/b", "//[::1]:80/", "http://[::1]/"},
		{"https://example.com/a", "http://user:pw@example.com/", "http://user:pw@example.com/"},

		// Rejected targets.
		{"http://example.com/a", "mailto:a@example.com", ""},
		{"http://example.com/a", "javascript:void(0)", ""},
		{"http://example.com/a", "JavaScript:alert(1)", ""},
		{"http://example.com/a", "ftp://example.com/f", ""},
		{"http://example.com/a", "data:text/html,hi", ""},
		{"http://example.com/a", "tel:+15550100", ""},
		{"http://example.com/a", "http:///x", ""},
		{"http://example.com/a", "http://:80/x", ""},
		{"http://example.com/a", "//:8080/x", ""},
		{"http://example.com/a", "http://exa mple.com/", ""},
		{"http://example.com/a", "/%zz", ""},
		{"http://example.com/a", "http://[::1", ""},
	}
	for _, tc := range tests {
		base, err := url.Parse(tc.base)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Resolve(base, tc.ref)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("Resolve(%q, %q) = %q; want an error", tc.base, tc.ref, got)
		case tc.want != "" && err != nil:
			t.Errorf("Resolve(%q, %q): %v; want %q", tc.base, tc.ref, err, tc.want)
		case got != tc.want:
			t.Errorf("Resolve(%q, %q) = %q; want %q", tc.base, tc.ref, got, tc.want)
		}
	}
}

// checkNormalized fails unless u is an absolute http(s) URL with a host
// and no fragment that Normalize leaves unchanged.
func checkNormalized(t *testing.T, what, u string) {
	t.Helper()
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		t.Fatalf("%s = %q: not an http(s) URL", what, u)
	}
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("%s = %q does not parse: %v", what, u, err)
	}
	if p.Hostname() == "" || p.Fragment != "" || p.Opaque != "" {
		t.Fatalf("%s = %q: host %q, fragment %q, opaque %q", what, u, p.Host, p.Fragment, p.Opaque)
	}
	again, err := Normalize(u)
	if err != nil {
		t.Fatalf("%s = %q, which Normalize rejects: %v", what, u, err)
	}
	if again != u {
		t.Fatalf("%s = %q, but Normalize of it is %q", what, u, again)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, tc := range normalizeCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if err != nil {
			return
		}
		checkNormalized(t, "Normalize("+strings.ToValidUTF8(s, "?")+")", n)
	})
}

func FuzzResolve(f *testing.F) {
	f.Add("http://a/b/c/d;p?q", "../../g")
	f.Add("http://a/b/c/d;p?q", "http:g")
	f.Add("https://example.com/old", "//CDN.example.com:443/x#f")
	f.Add("http://[::1]:8080/a/b", "?q")
	f.Add("http://example.com/a", "mailto:a@example.com")
	f.Add("http://example.com/%7E/", "../%2e%2e/x y")
	f.Add("http://u:p@example.com/", "HTTP://EXAMPLE.COM:80")
	f.Fuzz(func(t *testing.T, rawBase, ref string) {
		nb, err := Normalize(rawBase)
		if err != nil {
			return
		}
		base, err := url.Parse(nb)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which does not parse: %v", rawBase, nb, err)
		}
		got, err := Resolve(base, ref)
		if err != nil {
			return
		}
		checkNormalized(t, "Resolve("+nb+", "+strings.ToValidUTF8(ref, "?")+")", got)
	})
}
