package output

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Every string that came from a website is untrusted: a Location header,
// an error message or a URL may carry escape sequences that repaint a
// terminal, carriage returns that hide a line, or invalid UTF-8. The
// helpers here make such strings inert for tables and CSV. JSON keeps
// the exact value and relies on its own escaping (see escapeJSON).

// isControl reports whether r must not reach a report raw: C0 controls
// (NUL, TAB, CR, LF, ESC, ...), DEL, C1 controls (U+0080-U+009F, among
// them the 8-bit CSI), the Unicode line and paragraph separators, and the
// bidirectional formatting characters that reorder what a terminal shows.
func isControl(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x200e, r == 0x200f, // LRM, RLM
		r == 0x2028, r == 0x2029, // line and paragraph separators
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0xfeff:                // zero-width no-break space (BOM)
		return true
	}
	return false
}

// escapeControls returns s as valid UTF-8 (each invalid byte becomes
// U+FFFD) with every control character written as a visible escape:
// \t, \n, \r, \xHH for the other ASCII controls and \uHHHH above them.
// A backslash already in s is left as it is.
func escapeControls(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case !isControl(r):
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// clean reports whether s is valid UTF-8 without control characters.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return utf8.ValidString(s) && !strings.ContainsFunc(s, isControl)
		}
	}
	return true
}

// ellipsis marks where a table cell was shortened.
const ellipsis = "…"

// shorten returns s cut in the middle to at most max display columns,
// with an ellipsis where the middle was: both the host at the start of
// a URL and the last path segment at its end stay readable. s must
// already be free of control characters.
func shorten(s string, max int) string {
	if width(s) <= max {
		return s
	}
	budget := max - twwidth.Width(ellipsis)
	if budget < 2 {
		return ellipsis
	}
	runes := []rune(s)
	headMax, tailMax := (budget+1)/2, budget/2
	var head, tail []rune
	w := 0
	for _, r := range runes {
		rw := twwidth.Width(string(r))
		if w+rw > headMax {
			break
		}
		w += rw
		head = append(head, r)
	}
	w = 0
	for i := len(runes) - 1; i >= len(head); i-- {
		rw := twwidth.Width(string(runes[i]))
		if w+rw > tailMax {
			break
		}
		w += rw
		tail = append(tail, runes[i])
	}
	var b strings.Builder
	b.WriteString(string(head))
	b.WriteString(ellipsis)
	for i := len(tail) - 1; i >= 0; i-- {
		b.WriteRune(tail[i])
	}
	return b.String()
}

// shortenWords shortens each space-separated word of s that is wider
// than max (see shorten), so that wrapping at max never meets a word
// it cannot break.
func shortenWords(s string, max int) string {
	if width(s) <= max {
		return s
	}
	for w := range strings.SplitSeq(s, " ") {
		if width(w) > max {
			words := strings.Split(s, " ")
			for i, w := range words {
				words[i] = shorten(w, max)
			}
			return strings.Join(words, " ")
		}
	}
	return s // no word to shorten
}

// width is the display width of s, as tablewriter measures it
// (twwidth.Width): printable ASCII is one column a byte, which is most
// of a report, without twwidth's cache.
func width[T string | []byte](s T) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return twwidth.Width(string(s))
		}
	}
	return len(s)
}
