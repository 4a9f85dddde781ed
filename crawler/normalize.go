package crawler

import (
	"errors"
	"net/url"
	"strings"
)

// Normalize returns the key under which a URL is fetched once and
// compared in chains: scheme and host lowercase, default port dropped,
// empty path "/", fragment dropped. Path and query are kept as they are.
// Only absolute http and https URLs are accepted.
func Normalize(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	return normalizeURL(u)
}

// Resolve resolves the reference ref against the absolute URL base
// (RFC 3986 section 5) and normalises the result.
func Resolve(base *url.URL, ref string) (string, error) {
	u, err := base.Parse(ref)
	if err != nil {
		return "", err
	}
	return normalizeURL(u)
}

var errNotHTTP = errors.New("not an http or https URL")

func normalizeURL(u *url.URL) (string, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", errNotHTTP
	}
	host := strings.ToLower(u.Host)
	if host == "" {
		return "", errors.New("URL has no host")
	}
	if port := u.Port(); (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		host = host[:len(host)-len(port)-1]
	} else if port == "" && strings.HasSuffix(host, ":") {
		host = host[:len(host)-1]
	}
	var b strings.Builder
	b.Grow(len(scheme) + len(host) + len(u.RawPath) + len(u.Path) + len(u.RawQuery) + 8)
	b.WriteString(scheme)
	b.WriteString("://")
	if u.User != nil {
		b.WriteString(u.User.String())
		b.WriteByte('@')
	}
	b.WriteString(host)
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(u.RawQuery)
	}
	return b.String(), nil
}
