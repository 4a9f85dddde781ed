package rules

import (
	"net/url"
	"strings"
)

// urlParts are the parts of an absolute URL that rules compare, as
// net/url gives them.
type urlParts struct {
	scheme      string // lowercase
	hostname    string // url.URL.Hostname()
	port        string // url.URL.Port()
	path        string // unescaped
	escapedPath string // url.URL.EscapedPath()
	rawQuery    string
}

// partsOf parses u as url.Parse does, and returns false when it cannot.
// Rules look at the URLs of every redirect, which are normalised and
// plain: such a URL is split where it stands (see plainParts), without
// url.Parse's allocations, which were a third of the audit's.
func partsOf(u string) (urlParts, bool) {
	if p, ok := plainParts(u); ok {
		return p, true
	}
	pu, err := url.Parse(u)
	if err != nil {
		return urlParts{}, false
	}
	return urlParts{scheme: pu.Scheme, hostname: pu.Hostname(), port: pu.Port(), path: pu.Path, escapedPath: pu.EscapedPath(), rawQuery: pu.RawQuery}, true
}

// plainParts splits u when it is scheme://host[:port][/path][?query]
// with nothing url.Parse would decode, escape, check or reject: a
// scheme of letters, a host of letters, digits, dots, hyphens and
// underscores, a port of digits, a path of unreserved characters and
// those sub-delimiters a path keeps as they are, printable ASCII in the
// query, no user information, no IPv6 literal, no percent-encoding and
// no fragment. ok is false for any other URL; then the parts are those
// url.Parse gives (TestPlainParts checks it).
func plainParts(u string) (p urlParts, ok bool) {
	scheme, rest, found := strings.Cut(u, "://")
	if !found || scheme == "" || !allBytes(scheme, isASCIILetter) {
		return urlParts{}, false
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	hostport := rest[:end]
	rest = rest[end:]
	host, port, hasPort := strings.Cut(hostport, ":")
	if host == "" || !allBytes(host, hostByte) || hasPort && (port == "" || !allBytes(port, isDigit)) {
		return urlParts{}, false
	}
	path, query, _ := strings.Cut(rest, "?")
	if !allBytes(path, pathByte) || !allBytes(query, queryByte) {
		return urlParts{}, false
	}
	return urlParts{scheme: strings.ToLower(scheme), hostname: host, port: port, path: path, escapedPath: path, rawQuery: query}, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func hostByte(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || c == '.' || c == '-' || c == '_'
}

// pathByte: what url.URL.EscapedPath leaves as it is (RFC 3986
// unreserved characters and the sub-delimiters net/url does not escape
// in a path), and the slash.
func pathByte(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || strings.IndexByte("-._~/$&+,:;=@", c) >= 0
}

// queryByte: printable ASCII but the percent sign (an escape) and the
// number sign (a fragment).
func queryByte(c byte) bool { return c > ' ' && c < 0x7f && c != '%' && c != '#' }
