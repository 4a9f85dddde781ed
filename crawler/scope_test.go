package crawler

import (
	"net/url"
	"testing"
)

func TestScopeInternal(t *testing.T) {
	apex := Scope{Hosts: []string{"example.com"}}
	www := Scope{Hosts: []string{"www.example.com"}}
	sub := Scope{Hosts: []string{"example.com"}, Subdomains: true}
	uk := Scope{Hosts: []string{"a.example.co.uk"}, Subdomains: true}
	ukNoSub := Scope{Hosts: []string{"a.example.co.uk"}}
	ukApex := Scope{Hosts: []string{"example.co.uk"}, Subdomains: true}
	ip := Scope{Hosts: []string{"127.0.0.1"}, Subdomains: true}
	ip6 := Scope{Hosts: []string{"::1"}, Subdomains: true}
	local := Scope{Hosts: []string{"localhost"}, Subdomains: true}
	two := Scope{Hosts: []string{"example.com", "example.org"}}
	gh := Scope{Hosts: []string{"alice.github.io"}, Subdomains: true}
	none := Scope{}

	tests := []struct {
		name  string
		scope Scope
		url   string
		want  bool
	}{
		{"start host", apex, "http://example.com/", true},
		{"start host https", apex, "https://example.com/a?b", true},
		{"port ignored", apex, "http://example.com:8080/", true},
		{"www twin of apex", apex, "https://www.example.com/", true},
		{"apex twin of www", www, "http://example.com/x", true},
		{"www itself", www, "http://www.example.com/", true},
		{"other host", apex, "http://example.org/", false},
		{"suffix is not a subdomain", apex, "http://notexample.com/", false},
		{"host as a path", apex, "http://evil.test/example.com", false},
		{"host as userinfo", apex, "http://example.com@evil.test/", false},
		{"subdomain without Subdomains", apex, "http://blog.example.com/", false},
		{"www2 without Subdomains", apex, "http://www2.example.com/", false},
		{"www of a subdomain without Subdomains", apex, "http://www.blog.example.com/", false},
		{"subdomain with Subdomains", sub, "http://blog.example.com/", true},
		{"deep subdomain with Subdomains", sub, "https://a.b.c.example.com:444/", true},
		{"other domain with Subdomains", sub, "http://example.net/", false},
		{"look-alike with Subdomains", sub, "http://example.com.evil.test/", false},
		{"co.uk siblings", uk, "http://b.example.co.uk/", true},
		{"co.uk apex", uk, "http://example.co.uk/", true},
		{"co.uk siblings without Subdomains", ukNoSub, "http://b.example.co.uk/", false},
		{"co.uk www twin without Subdomains", ukNoSub, "http://www.a.example.co.uk/", true},
		{"co.uk other registrant", ukApex, "http://other.co.uk/", false},
		{"co.uk public suffix itself", ukApex, "http://co.uk/", false},
		{"private suffix github.io", gh, "https://bob.github.io/", false},
		{"private suffix github.io same", gh, "https://alice.github.io/repo/", true},
		{"IP host", ip, "http://127.0.0.1:8080/", true},
		{"other IP", ip, "http://127.0.0.2/", false},
		{"other IP, same last labels", Scope{Hosts: []string{"10.0.0.1"}, Subdomains: true}, "http://192.168.0.1/", false},
		{"IPv6 host", ip6, "http://[::1]:8080/", true},
		{"other IPv6 host", ip6, "http://[::2]/", false},
		{"single label", local, "http://localhost:3000/", true},
		{"single label subdomain", local, "http://a.localhost/", false},
		{"second start host", two, "http://www.example.org/", true},
		{"neither start host", two, "http://example.net/", false},
		{"no hosts", none, "http://example.com/", false},
		{"ftp scheme", apex, "ftp://example.com/", false},
		{"mailto", apex, "mailto:someone@example.com", false},
		{"javascript", apex, "javascript:alert(1)", false},
		{"relative", apex, "/path", false},
		{"unparseable", apex, "http://exa mple.com/", false},
		{"empty", apex, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.scope.Internal(tc.url); got != tc.want {
				t.Errorf("%+v.Internal(%q) = %v; want %v", tc.scope, tc.url, got, tc.want)
			}
		})
	}
}

func TestSameSite(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"example.com", "example.com", true},
		{"www.example.com", "example.com", true},
		{"a.example.com", "b.c.example.com", true},
		{"example.com", "example.org", false},
		{"example.com", "com", false},
		{"a.example.co.uk", "b.example.co.uk", true},
		{"example.co.uk", "other.co.uk", false},
		{"co.uk", "co.uk", true}, // identical hosts
		{"co.uk", "example.co.uk", false},
		{"alice.github.io", "bob.github.io", false},
		{"a.alice.github.io", "alice.github.io", true},
		{"127.0.0.1", "127.0.0.1", true},
		{"10.0.0.1", "192.168.0.1", false},
		{"1.2.3.4", "5.2.3.4", false},
		{"::1", "::1", true},
		{"::1", "::2", false},
		{"localhost", "localhost", true},
		{"localhost", "a.localhost", false},
		{"intranet", "wiki", false},
		{"", "", true},
		{"", "example.com", false},
	}
	for _, tc := range tests {
		if got := SameSite(tc.a, tc.b); got != tc.want {
			t.Errorf("SameSite(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
		if got := SameSite(tc.b, tc.a); got != tc.want {
			t.Errorf("SameSite(%q, %q) = %v; want %v", tc.b, tc.a, got, tc.want)
		}
	}
}

// FuzzHostname checks the fast path of Hostname and Scope.Internal
// against net/url.
func FuzzHostname(f *testing.F) {
	for _, u := range []string{"http://example.com/a", "https://a.example.com:8443/x?y#z", "http://127.0.0.1:8080",
		"http://[::1]:80/", "http://u:p@a.com/", "HTTP://A.com/", "http://a.com:/", "http://a.com:x/", "http://xn--bcher-kva.de/",
		"mailto:a@b.com", "http://a%2ecom/", "http://:80/", "ftp://a.com/", "http://a.com?q", "http://a.com#f"} {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, u string) {
		p, err := url.Parse(u)
		if err != nil {
			return // the fast path does not read the path: it may accept more
		}
		if got, want := Hostname(u), p.Hostname(); got != want {
			t.Errorf("Hostname(%q) = %q; url.Parse gives %q", u, got, want)
		}
	})
}
