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
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") {
		return false
	}
	return s.internalHost(p.Hostname())
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
