package crawler

import (
	"errors"
	"net/url"
	"strconv"
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
// (RFC 3986 section 5) and normalises the result. Leading and trailing
// C0 controls and spaces are stripped first, as the URL standard's parser
// does.
func Resolve(base *url.URL, ref string) (string, error) {
	u, err := base.Parse(strings.TrimFunc(ref, func(r rune) bool { return r <= ' ' }))
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
	if u.Hostname() == "" {
		return "", errors.New("URL has no host")
	}
	// An IPv6 zone ("[fe80::1%en0]") is written escaped, as it came.
	host := strings.ReplaceAll(strings.ToLower(u.Host), "%", "%25")
	if port := u.Port(); port != "" || strings.HasSuffix(host, ":") {
		host = host[:len(host)-len(port)-1]
		// The port as the dialer reads it: "080" is 80.
		if n, err := strconv.ParseUint(port, 10, 16); err == nil {
			port = strconv.FormatUint(n, 10)
		}
		if port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
			host += ":" + port
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	user := ""
	if u.User != nil {
		user = u.User.String() + "@"
	}
	var b strings.Builder
	b.Grow(len(scheme) + len("://") + len(user) + len(host) + len(path) + len("?") + len(u.RawQuery))
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(user)
	b.WriteString(host)
	b.WriteString(path)
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteByte('?')
		b.WriteString(u.RawQuery)
	}
	return b.String(), nil
}
