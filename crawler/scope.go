package crawler

import (
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Scope decides which URLs are internal: crawled and parsed as pages.
type Scope struct {
	Hosts      []string // start hosts, lowercase, without port
	Subdomains bool     // every host under the start hosts' registrable domains
}

// Internal reports whether the normalised URL u is inside the scope:
// one of the start hosts or its www / non-www twin, or with Subdomains
// any host of the same registrable domain.
func (s Scope) Internal(u string) bool {
	scheme, host, ok := splitHost(u)
	return ok && (scheme == "http" || scheme == "https") && s.internalHost(host)
}

// Hostname returns the host name of the absolute URL u, without port or
// brackets, as url.Parse(u).Hostname() does for a URL that parses.
func Hostname(u string) string {
	_, host, _ := splitHost(u)
	return host
}

// splitHost returns the scheme and host name of the absolute URL u as
// url.Parse gives them. The rules ask for hosts a few times per URL: a
// normalised URL whose authority is a plain host name or IPv4 address
// with an optional port (almost every URL) is read without parsing and
// allocating.
func splitHost(u string) (scheme, host string, ok bool) {
	// A plain scheme has no colon: the first one ends it (a byte search
	// is cheaper than one for "://" through the whole URL).
	if i := strings.IndexByte(u, ':'); i > 0 && strings.HasPrefix(u[i:], "://") && plainScheme(u[:i]) {
		auth := u[i+3:]
		if j := strings.IndexAny(auth, "/?#"); j >= 0 {
			auth = auth[:j]
		}
		if plainAuthority(auth) {
			if j := strings.IndexByte(auth, ':'); j >= 0 {
				auth = auth[:j]
			}
			return u[:i], auth, true
		}
	}
	p, err := url.Parse(u)
	if err != nil {
		return "", "", false
	}
	return p.Scheme, p.Hostname(), true
}

// plainScheme reports whether s is a scheme of lowercase letters.
func plainScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// plainAuthority reports whether a is a nonempty host of lowercase
// letters, digits, dots and hyphens, with an optional port of digits.
func plainAuthority(a string) bool {
	port := false
	for i := 0; i < len(a); i++ {
		switch c := a[i]; {
		case c >= '0' && c <= '9':
		case port:
			return false
		case c >= 'a' && c <= 'z', c == '.', c == '-':
		case c == ':' && i > 0:
			port = true
		default:
			return false
		}
	}
	return a != ""
}

// internalHost is Internal for a host name.
func (s Scope) internalHost(host string) bool {
	for _, h := range s.Hosts {
		if host == h || strings.TrimPrefix(host, "www.") == strings.TrimPrefix(h, "www.") {
			return true
		}
		if s.Subdomains && SameSite(host, h) {
			return true
		}
	}
	return false
}

// SameSite reports whether two hosts share a registrable domain
// (eTLD+1, from the public suffix list). IP addresses and single-label
// hosts are only the same site as themselves.
func SameSite(a, b string) bool {
	if a == b {
		return true
	}
	da, err := publicsuffix.EffectiveTLDPlusOne(a)
	if err != nil {
		return false
	}
	db, err := publicsuffix.EffectiveTLDPlusOne(b)
	return err == nil && da == db
}
