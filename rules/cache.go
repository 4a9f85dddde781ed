package rules

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hopaudit/hopaudit/crawler"
)

// This file reads the caching headers of a response (RFC 9111) for
// cacheable-temporary-redirect and uncacheable-permanent-redirect.

// maxDeltaSeconds is the value a cache must use for a delta-seconds
// argument too large to represent (RFC 9111 §1.2.2): 2^31.
const maxDeltaSeconds = 1 << 31

// cacheDirective looks up directive name in a Cache-Control field value
// (RFC 9111 §5.2): comma-separated directives, names compared
// case-insensitively, arguments as tokens or quoted strings (returned
// unquoted). A quoted argument may hold commas. When a directive repeats,
// the first occurrence wins (§4.2.1). A directive without an argument
// has "". ok is false when the directive is not there. It allocates
// nothing but an argument with escapes: every redirect's header is
// looked up several times.
func cacheDirective(v, name string) (arg string, ok bool) {
	start, quoted := 0, false
	for i := 0; i <= len(v); i++ {
		switch {
		case i == len(v) || !quoted && v[i] == ',':
			item := v[start:i]
			start = i + 1
			n, a, _ := strings.Cut(item, "=")
			if strings.EqualFold(strings.TrimSpace(n), name) {
				return unquote(strings.TrimSpace(a)), true
			}
		case quoted && v[i] == '\\':
			i++
		case v[i] == '"':
			quoted = !quoted
		}
	}
	return "", false
}

// unquote returns a quoted-string's content with its escapes resolved
// (RFC 9110 §5.6.4), or s itself when it is not quoted.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '\\' && i+1 < len(s)-1 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// deltaSeconds reads a delta-seconds argument (RFC 9111 §1.2.2): digits
// only, capped at 2^31. ok is false when s is not a number.
func deltaSeconds(s string) (n int64, ok bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
		if n >= maxDeltaSeconds {
			n = maxDeltaSeconds
		}
	}
	return n, true
}

// cacheLifetime is an explicit freshness lifetime: how long a cache may
// reuse a response without asking the server again.
type cacheLifetime struct {
	Seconds int64  // 0 when the response is stale at once
	From    string // the header that gives it, for messages
}

// explicitLifetime computes a response's explicit freshness lifetime as
// a browser's private cache (shared false) or a shared cache such as a
// CDN (shared true) does (RFC 9111 §4.2.1): s-maxage for shared caches,
// else max-age, else Expires minus Date. An argument that is not a
// number, or an Expires that is not a date, makes the response stale
// (§4.2.1, §5.3). ok is false when no header gives a lifetime, when an
// Expires cannot be set against a Date, or, for shared caches, when
// an unqualified private forbids them to store the response.
// Directives that forbid reuse (no-store, no-cache) are not looked at
// here: see reuseForbidden.
func explicitLifetime(h crawler.Headers, shared bool) (l cacheLifetime, ok bool) {
	cc := h.CacheControl
	if shared {
		if arg, private := cacheDirective(cc, "private"); private && arg == "" {
			return cacheLifetime{}, false
		}
		if arg, has := cacheDirective(cc, "s-maxage"); has {
			return directiveLifetime("s-maxage", arg), true
		}
	}
	if arg, has := cacheDirective(cc, "max-age"); has {
		return directiveLifetime("max-age", arg), true
	}
	if strings.TrimSpace(h.Expires) == "" {
		return cacheLifetime{}, false
	}
	expires, err := http.ParseTime(strings.TrimSpace(firstValue(h.Expires)))
	if err != nil {
		return cacheLifetime{Seconds: 0, From: "an Expires that is not a date"}, true
	}
	date, err := http.ParseTime(strings.TrimSpace(firstValue(h.Date)))
	if err != nil {
		return cacheLifetime{}, false
	}
	secs := min(int64(expires.Sub(date).Seconds()), maxDeltaSeconds)
	if secs <= 0 {
		return cacheLifetime{Seconds: 0, From: "an Expires no later than Date"}, true
	}
	return cacheLifetime{Seconds: secs, From: "Expires " + formatLifetime(secs) + " after Date"}, true
}

// directiveLifetime reads the argument of max-age or s-maxage.
func directiveLifetime(name, arg string) cacheLifetime {
	n, ok := deltaSeconds(arg)
	if !ok {
		return cacheLifetime{Seconds: 0, From: "Cache-Control " + name + " with an argument that is not a number"}
	}
	return cacheLifetime{Seconds: n, From: fmt.Sprintf("Cache-Control %s=%d", name, n)}
}

// firstValue returns the first of several field lines joined with ", "
// for a field whose value is a date, itself holding a comma: the first
// 29 characters of an IMF-fixdate, or the whole value when shorter.
func firstValue(v string) string {
	v = strings.TrimSpace(v)
	if _, err := http.ParseTime(v); err == nil {
		return v
	}
	// "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 ..." -> the first.
	if len(v) > 29 && v[29] == ',' {
		return v[:29]
	}
	return v
}

// reuseForbidden returns the Cache-Control directive that forbids
// caches to reuse the response without asking the server: no-store
// (§5.2.2.5), or an unqualified no-cache (§5.2.2.4; no-cache="field"
// only concerns the listed fields). It is "" when there is none.
func reuseForbidden(cacheControl string) string {
	if _, ok := cacheDirective(cacheControl, "no-store"); ok {
		return "no-store"
	}
	if arg, ok := cacheDirective(cacheControl, "no-cache"); ok && arg == "" {
		return "no-cache"
	}
	return ""
}

// formatLifetime writes seconds in days, hours, minutes or seconds: the
// largest unit that is not zero, and the next one when it is not zero
// either: "365 days", "1 day 12 hours", "30 minutes". The rest is
// dropped.
func formatLifetime(secs int64) string {
	units := []struct {
		n    int64
		name string
	}{{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}}
	var parts []string
	for _, u := range units {
		if q := secs / u.n; q > 0 && len(parts) < 2 {
			parts = append(parts, plural(int(q), u.name))
			secs -= q * u.n
		} else if len(parts) > 0 {
			break
		}
	}
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}
