package crawler

import "strings"

// ParseRefresh reads a meta refresh content attribute or a Refresh header
// value with the HTML standard's "shared declarative refresh steps". It
// returns the delay in seconds and the URL, which is "" when the value
// refreshes the page itself. ok is false when the value is not a refresh.
func ParseRefresh(s string) (delay int, target string, ok bool) {
	i := skipSpace(s, 0)
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	digits := s[start:i]
	if digits == "" && (i >= len(s) || s[i] != '.') {
		return 0, "", false
	}
	for _, c := range digits {
		delay = delay*10 + int(c-'0')
		if delay > 1<<30 {
			delay = 1 << 30
		}
	}
	for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
		i++
	}
	if i >= len(s) {
		return delay, "", true
	}
	if s[i] != ';' && s[i] != ',' && !isSpace(s[i]) {
		return 0, "", false
	}
	i = skipSpace(s, i)
	if i < len(s) && (s[i] == ';' || s[i] == ',') {
		i++
	}
	i = skipSpace(s, i)
	if i >= len(s) {
		return delay, "", true
	}
	rest := s[i:]
	if len(rest) >= 3 && strings.EqualFold(rest[:3], "url") {
		j := skipSpace(rest, 3)
		if j < len(rest) && rest[j] == '=' {
			rest = rest[skipSpace(rest, j+1):]
		} else {
			// "url" not followed by "=" is the URL itself.
			return delay, strings.TrimRight(rest, " \t\n\f\r"), true
		}
	}
	if rest != "" && (rest[0] == '\'' || rest[0] == '"') {
		q := rest[0]
		rest = rest[1:]
		if k := strings.IndexByte(rest, q); k >= 0 {
			rest = rest[:k]
		}
	}
	return delay, strings.TrimRight(rest, " \t\n\f\r"), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSpace reports ASCII whitespace as the HTML standard defines it.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}
